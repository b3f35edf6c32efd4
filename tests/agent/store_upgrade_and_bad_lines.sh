#!/bin/bash
# sipdiagd.store, the file the rows and scalars managers set are kept in:
# rows an older sipdiagd saved in net-snmp's file (_sipDiagRow INDEX ...,
# the number-indexed table) come back and move to it, since issue 10 as
# rows { owner "", name "INDEX" } in _sipDiagEntry lines; a saved text
# longer than its column refuses its whole line (logged, naming the field)
# while 255 octets in hex come back whole; a bad _sipDiagEntry line (a key
# that is no index, a value out of range) refuses that row alone; a store
# without its end line restores nothing and is kept aside.
. "$(dirname "$0")/lib.sh"
setup
start_snmptrapd
start_snmpd
PERSIST=$TMP/sipdiagd-persist
STORE=$PERSIST/sipdiagd.store
# the index of an upgraded row: owner "" (ix would give the tests' owner)
ux() { printf '%s.%s' "$(oid_text "")" "$(oid_text "$1")"; }
U1=$(ux 1) U2=$(ux 2) U3=$(ux 3)

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
AOR255="sip:$(printf 'a%.0s' $(seq 1 249))"$'\xc3\xa9'     # 255 octets of UTF-8
[ "$(printf '%s' "$AOR255" | wc -c)" = 255 ] || hard_error "AOR255 is not 255 octets"
LONG256=$(printf 'p%.0s' $(seq 1 256))
rows() { swalk "$T.$C_ROWSTATUS" | grep -c "^$T.$C_ROWSTATUS\."; }
# the store's last line counts the lines above it
check_end() {
	local n
	n=$(grep -c '^_sipDiag' "$STORE")
	check_eq "$(tail -n 1 "$STORE" 2>/dev/null)" "_sipDiagEnd $((n - 1))" "$1"
}

# what sipdiagd 1.x wrote (net-snmp's store; net-snmp writes non-ASCII in hex)
cat >"$PERSIST/sipdiagd.conf" <<EOF
#
# net-snmp (or ucd-snmp) persistent data file.
#
_sipDiagScalar sipDiagTimer 9
_sipDiagRow 1 3 1 1 2 120 "sip:127.0.0.1:5999" "sip:frank@127.0.0.1" "frankie" "secret" ""
_sipDiagRow 2 3 2 1 1 3600 "sip:r" "sip:u@r" "" 0x$(hex "$LONG256") ""
_sipDiagRow 3 3 2 2 1 3600 "sip:r" 0x$(hex "$AOR255") "" "" ""
_sipDiagRow 70000 3 1 2 1 3600 "sip:r" "sip:u@r" "" "" ""
EOF
start_sipdiagd
check_eq "$(sget "$T.$C_AOR.$U1")" '"sip:frank@127.0.0.1"' "row 1 from the old store, as owner \"\" name \"1\""
check_eq "$(sget "$T.$C_AUTH_USER.$U1")" '"frankie"' "its auth user"
check_eq "$(sget "$T.$C_EXPIRES.$U1")" 120 "its expires"
check_eq "$(sget "$T.$C_TRANSPORT.$U1")" 2 "its transport"
check_eq "$(sget "$T.$C_STORAGE.$U1")" 3 "nonVolatile"
check_eq "$(sget "$T.$C_ROWSTATUS.$U1")" 1 "active"
# the old notify true(1) is the complete bit of sipDiagTrapGeneration
check_eq "$(snmpget -v2c -c $COMMUNITY -Oqvx -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$T.$C_TRAPS.$U1" | tr -d '" ')" 80 \
	"notify true became the complete bit"
check_eq "$(snmpget -v2c -c $COMMUNITY -Oqvx -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$T.$C_TRAPS.$U3" | tr -d '" ')" 00 \
	"notify false: no bits"
check_eq "$(sget "$T.$C_THRESHOLD.$U1") $(sget "$T.$C_MAX_RUNS.$U1") $(sget "$T.$C_FREQUENCY.$U1")" "1 10 0" \
	"the new columns' defaults"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 1)")" "No Such Instance currently exists at this OID" \
	"not under the tests' owner"
check_eq "$(sget "$SC.1.0")" 9 "sipDiagTimer from the old store"
check_eq "$(sget "$T.$C_ROWSTATUS.$U2")" "No Such Instance currently exists at this OID" \
	"row 2 with a 256-octet password not restored (not half restored)"
grep -q "password is longer than 255 octets" "$TMP/sipdiagd.log" ||
	fail "the log names the field: $(grep -i sipDiagRow "$TMP/sipdiagd.log")"
grep -q "$LONG256\|pppppppp" "$TMP/sipdiagd.log" && fail "the log shows the password"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ux 70000)")" "No Such Instance currently exists at this OID" \
	"an old index beyond 65535 not restored"
grep -q "_sipDiagRow: the index is not 1 to 65535" "$TMP/sipdiagd.log" || fail "the log says the index is bad"
octets=$(snmpget -v2c -c $COMMUNITY -On -Oqv -Ox -t 2 -r 0 "127.0.0.1:$SNMP_PORT" "$T.$C_AOR.$U3" |
	tr -d '"' | tr -s ' \n' '\n' | grep -c .)
check_eq "$octets" 255 "row 3: all 255 octets of its AOR"
[ -f "$STORE" ] || fail "sipdiagd.store written at once"
check_eq "$(stat -c %a "$STORE" 2>/dev/null)" 600 "mode of sipdiagd.store"
check_end "the store ends with its line count"
check_eq "$(grep -c '^_sipDiagEntry ' "$STORE")" 2 "rows 1 and 3 as _sipDiagEntry lines"
grep -q '^_sipDiagRow' "$STORE" && fail "the store still has old _sipDiagRow lines"
grep -q "moved from sipdiagd.conf to sipdiagd.store" "$TMP/sipdiagd.log" || fail "the move is logged"

# once stopped, net-snmp's file holds no rows any more; they come back from the store
stop_sipdiagd
grep -q '^_sipDiag' "$PERSIST/sipdiagd.conf" && fail "rows left in net-snmp's file"
start_sipdiagd
check_eq "$(sget "$T.$C_AOR.$U1") $(sget "$SC.1.0")" '"sip:frank@127.0.0.1" 9' "row 1 and the timer after a restart"
check_eq "$(rows)" 2 "rows after a restart"

# a bad line in the store: that row alone is refused
stop_sipdiagd
# (net-snmp's octet-string notation: the empty owner reads 0x, texts may
# be quoted or hex)
FRANKIE='\("frankie"\|0x'$(hex frankie)'\)'
grep -q "^_sipDiagEntry \(\"\"\|0x\) \(\"1\"\|0x31\) .* $FRANKIE " "$STORE" ||
	hard_error "unexpected _sipDiagEntry line: $(grep '^_sipDiagEntry' "$STORE" | cut -c 1-80)"
sed -i "s/^\(_sipDiagEntry \(\"\"\|0x\) \(\"1\"\|0x31\) .*\) $FRANKIE /\1 0x$(hex "$LONG256") /" "$STORE"
grep -q "^_sipDiagEntry \(\"\"\|0x\) \(\"1\"\|0x31\) .* 0x7070" "$STORE" || hard_error "could not edit the store"
# bad new lines: an owner of 33 octets, a name not UTF-8, failureThreshold
# 16, a volatile row (each alone on its line; the end count follows), and
# a good one among them
O33=$(printf 'o%.0s' $(seq 1 33))
n=$(grep -c '^_sipDiag' "$STORE")
sed -i '/^_sipDiagEnd/d' "$STORE"
cat >>"$STORE" <<EOF
_sipDiagEntry "$O33" "1" 3 1 0 0 1 10 1 3600 "sip:r" "sip:u@r" "" "" ""
_sipDiagEntry "noc" 0xc328 3 1 0 0 1 10 1 3600 "sip:r" "sip:u@r" "" "" ""
_sipDiagEntry "noc" "thr" 3 1 0 0 16 10 1 3600 "sip:r" "sip:u@r" "" "" ""
_sipDiagEntry "noc" "vol" 2 1 0 0 1 10 1 3600 "sip:r" "sip:u@r" "" "" ""
_sipDiagEntry "noc" "good" 3 2 0 60 2 5 1 3600 "sip:r" "sip:good@r" "" "" ""
_sipDiagEnd $((n - 1 + 5))
EOF
start_sipdiagd
check_eq "$(sget "$T.$C_ROWSTATUS.$U1")" "No Such Instance currently exists at this OID" "row 1 with a long auth user refused"
grep -q "authUser is longer than 255 octets; row not restored" "$TMP/sipdiagd.log" || fail "the log names authUser"
check_eq "$(sget "$T.$C_ROWSTATUS.$U3")" 2 "row 3 still restored"
grep -q "_sipDiagEntry: the owner or name is not a valid index; row not restored" "$TMP/sipdiagd.log" ||
	fail "the log says the key is bad: $(grep _sipDiagEntry "$TMP/sipdiagd.log")"
grep -q "_sipDiagEntry: failureThreshold is not a number from 0 to 15; row not restored" "$TMP/sipdiagd.log" ||
	fail "the log names failureThreshold: $(grep _sipDiagEntry "$TMP/sipdiagd.log")"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix thr noc)")" "No Such Instance currently exists at this OID" "failureThreshold 16 refused"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix vol noc)")" "No Such Instance currently exists at this OID" "a volatile row in the store refused"
grep -q "_sipDiagEntry: the storage type is not nonVolatile; row not restored" "$TMP/sipdiagd.log" ||
	fail "the log says the storage type is bad"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix good noc)") $(sget "$T.$C_FREQUENCY.$(ix good noc)") $(sget "$T.$C_THRESHOLD.$(ix good noc)") $(sget "$T.$C_MAX_RUNS.$(ix good noc)")" \
	"2 60 2 5" "the good _sipDiagEntry line among them restored"
check_eq "$(rows)" 2 "rows: 3 and noc/good (nothing of the bad lines)"
kill -0 "$SIPDIAGD_PID" || fail "sipdiagd is gone"

# a store without its end line is not one sipdiagd finished: nothing of it
stop_sipdiagd
check_end "the store rewritten with its line count"
sed -i '/^_sipDiagEnd/d' "$STORE"
start_sipdiagd
check_eq "$(rows)" 0 "nothing restored from a store without its end"
grep -q "is not a whole store" "$TMP/sipdiagd.log" || fail "the log says why"
[ -f "$STORE.damaged" ] || fail "the store kept aside as sipdiagd.store.damaged"
kill -0 "$SIPDIAGD_PID" || fail "sipdiagd is gone"
finish
