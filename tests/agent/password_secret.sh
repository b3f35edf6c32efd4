#!/bin/bash
# The password never reads back and never reaches sipdiagd's log, the
# history, the run table or a notification; the persistent store holding
# it (sipdiagd.store since issue 10) is mode 0600.
. "$(dirname "$0")/lib.sh"
start_all -Dsipdiagd
SECRET="Zq9-very-secret-$$"
CLOSED=$(closed_udp_port)
I1=$(ix 1)
new_row 1 "sip:127.0.0.1:$CLOSED" sip:dave@127.0.0.1 $T.$C_PASSWORD.$I1 s "$SECRET" \
	$T.$C_TRAPS.$I1 x $TRAPS_ALL
check_eq "$(sget $T.$C_PASSWORD.$I1)" '""' "password reads as zero-length"
expect_set "" "trigger" $T.$C_STATE.$I1 i 2
wait_state 1 4 10
check_eq "$(sget $T.$C_PASSWORD.$I1)" '""' "password still reads as zero-length"
swalk $B | grep -qF "$SECRET" && fail "the password appears in a walk of the MIB"
swalk $B | grep -qF "$(printf '%s' "$SECRET" | od -An -tx1 | tr -d ' \n' | head -c 16)" &&
	fail "the password appears (hex) in a walk"
reload_sipdiagd
stop_sipdiagd
grep -qF "$SECRET" "$TMP/sipdiagd.log" "$TMP/sipdiagd.out" && fail "the password is in sipdiagd's log"
grep -qF "$SECRET" "$TMP/traps.log" && fail "the password is in a notification"
f=$TMP/sipdiagd-persist/sipdiagd.store
[ -f "$f" ] || fail "no persistent store"
grep -q '^_sipDiagEntry' "$f" || fail "the row is not in the store"
check_eq "$(stat -c %a "$f")" 600 "mode of the persistent store"
for g in "$TMP"/sipdiagd-persist/sipdiagd.*; do
	[ -f "$g" ] || continue
	check_eq "$(stat -c %a "$g")" 600 "mode of $(basename "$g")"
done
finish
