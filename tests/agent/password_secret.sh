#!/bin/bash
# The password never reads back and never reaches sipdiagd's log or the
# history; the persistent store holding it is mode 0600.
. "$(dirname "$0")/lib.sh"
start_all -Dsipdiagd
SECRET="Zq9-very-secret-$$"
CLOSED=$(closed_udp_port)
new_row 1 "sip:127.0.0.1:$CLOSED" sip:dave@127.0.0.1 $T.5.1 s "$SECRET" $T.11.1 i 1
check_eq "$(sget $T.5.1)" '""' "password reads as zero-length"
expect_set "" "trigger" $T.10.1 i 2
wait_state 1 4 10
check_eq "$(sget $T.5.1)" '""' "password still reads as zero-length"
swalk $B | grep -qF "$SECRET" && fail "the password appears in a walk of the MIB"
swalk $B | grep -qF "$(printf '%s' "$SECRET" | od -An -tx1 | tr -d ' \n' | head -c 16)" &&
	fail "the password appears (hex) in a walk"
reload_sipdiagd
stop_sipdiagd
grep -qF "$SECRET" "$TMP/sipdiagd.log" "$TMP/sipdiagd.out" && fail "the password is in sipdiagd's log"
grep -qF "$SECRET" "$TMP/traps.log" && fail "the password is in a notification"
f=$TMP/sipdiagd-persist/sipdiagd.conf
[ -f "$f" ] || fail "no persistent file"
check_eq "$(stat -c %a "$f")" 600 "mode of the persistent file"
for g in "$TMP"/sipdiagd-persist/sipdiagd.*.conf; do
	[ -f "$g" ] || continue
	check_eq "$(stat -c %a "$g")" 600 "mode of backup $(basename "$g")"
done
finish
