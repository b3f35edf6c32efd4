#!/bin/bash
# sipdiagd.store, the file the rows and scalars managers set are kept in:
# rows an older sipdiagd saved in net-snmp's file come back and move to
# it; a saved text longer than its column refuses its whole line (logged,
# naming the field) while 255 octets in hex come back whole; a store
# without its end line restores nothing and is kept aside.
. "$(dirname "$0")/lib.sh"
setup
start_snmptrapd
start_snmpd
PERSIST=$TMP/sipdiagd-persist
STORE=$PERSIST/sipdiagd.store

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
AOR255="sip:$(printf 'a%.0s' $(seq 1 249))"$'\xc3\xa9'     # 255 octets of UTF-8
[ "$(printf '%s' "$AOR255" | wc -c)" = 255 ] || hard_error "AOR255 is not 255 octets"
LONG256=$(printf 'p%.0s' $(seq 1 256))

# what sipdiagd 1.x wrote (net-snmp's store; net-snmp writes non-ASCII in hex)
cat >"$PERSIST/sipdiagd.conf" <<EOF
#
# net-snmp (or ucd-snmp) persistent data file.
#
_sipDiagScalar sipDiagTimer 9
_sipDiagRow 1 3 1 2 2 120 "sip:127.0.0.1:5999" "sip:frank@127.0.0.1" "frankie" "secret" ""
_sipDiagRow 2 3 2 1 1 3600 "sip:r" "sip:u@r" "" 0x$(hex "$LONG256") ""
_sipDiagRow 3 3 2 1 1 3600 "sip:r" 0x$(hex "$AOR255") "" "" ""
EOF
start_sipdiagd
check_eq "$(sget "$T.3.1")" '"sip:frank@127.0.0.1"' "row 1 from the old store"
check_eq "$(sget "$T.4.1")" '"frankie"' "its auth user"
check_eq "$(sget "$T.7.1")" 120 "its expires"
check_eq "$(sget "$SC.1.0")" 9 "sipDiagTimer from the old store"
check_eq "$(sget "$T.31.2")" "No Such Instance currently exists at this OID" \
	"row 2 with a 256-octet password not restored (not half restored)"
grep -q "password is longer than 255 octets" "$TMP/sipdiagd.log" ||
	fail "the log names the field: $(grep -i sipDiagRow "$TMP/sipdiagd.log")"
grep -q "$LONG256\|pppppppp" "$TMP/sipdiagd.log" && fail "the log shows the password"
octets=$(snmpget -v2c -c $COMMUNITY -On -Oqv -Ox -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$T.3.3" |
	tr -d '"' | tr -s ' \n' '\n' | grep -c .)
check_eq "$octets" 255 "row 3: all 255 octets of its AOR"
[ -f "$STORE" ] || fail "sipdiagd.store written at once"
check_eq "$(stat -c %a "$STORE" 2>/dev/null)" 600 "mode of sipdiagd.store"
check_eq "$(tail -n 1 "$STORE" 2>/dev/null)" "_sipDiagEnd 3" "the store ends with its line count"
grep -q "moved from sipdiagd.conf to sipdiagd.store" "$TMP/sipdiagd.log" || fail "the move is logged"

# once stopped, net-snmp's file holds no rows any more; they come back from the store
stop_sipdiagd
grep -q '^_sipDiag' "$PERSIST/sipdiagd.conf" && fail "rows left in net-snmp's file"
start_sipdiagd
check_eq "$(sget "$T.3.1") $(sget "$SC.1.0")" '"sip:frank@127.0.0.1" 9' "row 1 and the timer after a restart"
check_eq "$(swalk "$T.31" | grep -c "^$T.31\.")" 2 "rows after a restart"

# a bad line in the store: that row alone is refused
stop_sipdiagd
sed -i "s/^\(_sipDiagRow 1 .*\) \"frankie\" /\1 0x$(hex "$LONG256") /" "$STORE"
grep -q "^_sipDiagRow 1 .* 0x7070" "$STORE" || hard_error "could not edit the store"
start_sipdiagd
check_eq "$(sget "$T.31.1")" "No Such Instance currently exists at this OID" "row 1 with a long auth user refused"
grep -q "authUser is longer than 255 octets; row not restored" "$TMP/sipdiagd.log" || fail "the log names authUser"
check_eq "$(sget "$T.31.3")" 2 "row 3 still restored"

# a store without its end line is not one sipdiagd finished: nothing of it
stop_sipdiagd
sed -i '/^_sipDiagEnd/d' "$STORE"
start_sipdiagd
check_eq "$(swalk "$T.31" | grep -c "^$T.31\.")" 0 "nothing restored from a store without its end"
grep -q "is not a whole store" "$TMP/sipdiagd.log" || fail "the log says why"
[ -f "$STORE.damaged" ] || fail "the store kept aside as sipdiagd.store.damaged"
kill -0 "$SIPDIAGD_PID" || fail "sipdiagd is gone"
finish
