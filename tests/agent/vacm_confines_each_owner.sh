#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: sipDiagTable is indexed by owner and name (not IMPLIED) so that
# VACM can confine each manager to its own rows.  A private snmpd with three
# SNMPv3 users: userA whose views hold sipDiagEntry, sipDiagRunEntry and
# sipDiagHistoryEntry only for owner "ownerA" (the subtree with the owner's
# octets and the mask with a 0 bit for the column, as sipDiagOwner's
# DESCRIPTION prescribes: 'FFFB'H), userB likewise for "ownerB", and userC
# with no view of the tables.  Each creates and reads its own row, cannot
# read (GET, walk) or write (SET fails, row unchanged) the other's, and
# userC sees no rows at all.
. "$(dirname "$0")/fleet_lib.sh"

PASS_A=ownerA-secret PASS_B=ownerB-secret PASS_C=nobody-secret

# family ENTRY OWNER: the view family of one owner's rows in one table
# (subtree ENTRY.0.<owner>, mask ff:fb: every sub-identifier but the 14th,
# the column, must match; the mask is shorter than the subtree, the rest
# count as 1 bits, RFC 3415).
family() { printf '%s.0.%s ff:fb' "$1" "$(oid_text "$2")"; }

snmpd_conf_extra() {
	cat <<-EOF
	createUser userA SHA $PASS_A
	createUser userB SHA $PASS_B
	createUser userC SHA $PASS_C
	group grpA usm userA
	group grpB usm userB
	group grpC usm userC
	view viewA included .1.3.6.1.2.1.1
	view viewA included $(family "$T" ownerA)
	view viewA included $(family "$R" ownerA)
	view viewA included $(family "$H" ownerA)
	view viewB included .1.3.6.1.2.1.1
	view viewB included $(family "$T" ownerB)
	view viewB included $(family "$R" ownerB)
	view viewB included $(family "$H" ownerB)
	view viewC included .1.3.6.1.2.1.1
	view viewC included $SC
	access grpA "" usm authNoPriv exact viewA viewA none
	access grpB "" usm authNoPriv exact viewB viewB none
	access grpC "" usm authNoPriv exact viewC viewC none
	EOF
}

# v3 USER PASS TOOL OUTPUT-OPTS ARGS...
v3() {
	local user=$1 pass=$2 tool=$3 fmt=$4
	shift 4
	SNMP_PERSISTENT_DIR=$TMP/client-persist "$tool" -v3 -l authNoPriv -u "$user" -a SHA -A "$pass" \
		-On "$fmt" -t 3 -r 0 "127.0.0.1:$SNMP_PORT" "$@" 2>&1 | grep -v '^Created directory'
}
v3get() { local u=$1 p=$2; shift 2; v3 "$u" "$p" snmpget -Oqv "$@"; }
v3walk() { local u=$1 p=$2; shift 2; v3 "$u" "$p" snmpwalk -Oq "$@" | grep -v 'No more variables left'; }
# refused WHAT RESULT: a SET that must fail with an SNMP error
refused() {
	case $2 in
	"") fail "$1 succeeded" ;;
	error:*) fail "$1: the tool failed: $2" ;;
	*) log "ok: $1 fails: $2" ;;
	esac
}
# v3set USER PASS ARGS...: nothing on success, the error name otherwise
v3set() {
	local u=$1 p=$2 out
	shift 2
	out=$(v3 "$u" "$p" snmpset -Oq "$@")
	if printf '%s' "$out" | grep -q '^Reason:'; then
		printf '%s\n' "$out" | sed -n 's/^Reason: (\{0,1\}\([A-Za-z]*\).*/\1/p'
	elif ! printf '%s' "$out" | grep -q "^\\$B"; then
		printf 'error: %s\n' "$out" | head -n 1
	fi
}

setup
mkdir -p "$TMP/client-persist"
CLOSED=$(closed_udp_port)
start_snmptrapd
start_snmpd
start_sipdiagd

IA=$(ix 1 ownerA) IB=$(ix 1 ownerB)
# the MIB's example mask is what this test uses: check the example itself
# against the mask rule (sub-identifier 14 is the column)
ex=$(grep -A2 'noc1 included' "$top_srcdir/mibs/SIP-DIAG-MIB.txt" 2>/dev/null | tr -s ' \n' ' ')
case $ex in
*".1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.0.4.110.111.99.49 ff:fb)"*) log "ok: MIB example: subtree $T.0.4.110.111.99.49, mask ff:fb" ;;
*) log "note: could not read the MIB's example family (${ex:-no top_srcdir})" ;;
esac

for who in A B; do
	eval "u=user$who p=\$PASS_$who idx=\$I$who"
	err=$(v3set "$u" "$p" "$T.$C_ROWSTATUS.$idx" i 4 "$T.$C_REGISTRAR.$idx" s "sip:127.0.0.1:$CLOSED" \
		"$T.$C_AOR.$idx" s "sip:owner$who@127.0.0.1" "$T.$C_PASSWORD.$idx" s pw)
	check_eq "${err:-noError}" noError "$u creates its own row owner$who.1"
	check_eq "$(v3get "$u" "$p" "$T.$C_AOR.$idx")" "\"sip:owner$who@127.0.0.1\"" "$u reads its own row's AOR"
	check_eq "$(v3get "$u" "$p" "$T.$C_ROWSTATUS.$idx")" 1 "$u reads its own row active"
done

# each user runs its own row once, so the run and history tables have rows
for who in A B; do
	eval "u=user$who p=\$PASS_$who idx=\$I$who"
	check_eq "$(v3set "$u" "$p" "$T.$C_STATE.$idx" i 2)" "" "$u triggers its own row"
done
poll 20 col_ge $C_STATS_RUNS "$IA" 1 || fail "row ownerA.1 did not run"
poll 20 col_ge $C_STATS_RUNS "$IB" 1 || fail "row ownerB.1 did not run"

check_other() { # USER PASS OWN-OWNER OTHER-IDX OTHER-OWNER
	local u=$1 p=$2 own=$3 oidx=$4 other=$5 got w
	got=$(v3get "$u" "$p" "$T.$C_AOR.$oidx")
	case $got in
	*"No Such Object"* | *"No Such Instance"* | *"noAccess"* | *"authorization"*) log "ok: $u GET of $other's AOR: $got" ;;
	*) fail "$u GET of $other's AOR returned '$got', expected no such object" ;;
	esac
	w=$(v3walk "$u" "$p" "$T")
	if printf '%s\n' "$w" | grep -q "\\.$(oid_text "$other")\\."; then
		fail "$u's walk of sipDiagTable shows $other's row: $(printf '%s\n' "$w" | grep -m1 "$(oid_text "$other")")"
	else
		log "ok: $u's walk of sipDiagTable shows no row of $other"
	fi
	if printf '%s\n' "$w" | grep -q "^$T\\.$C_AOR\\.$(ix 1 "$own") "; then
		log "ok: $u's walk shows its own row"
	else
		fail "$u's walk of sipDiagTable does not show its own row: $(printf '%s\n' "$w" | head -n 3)"
	fi
	for tbl in "$R" "$H"; do
		w=$(v3walk "$u" "$p" "$tbl")
		if printf '%s\n' "$w" | grep -q "\\.$(oid_text "$other")\\."; then
			fail "$u's walk of $tbl shows $other's runs"
		fi
		printf '%s\n' "$w" | grep -q "\\.$(oid_text "$own")\\." ||
			fail "$u's walk of $tbl does not show its own row's run"
	done
	refused "$u writing $other's AOR" "$(v3set "$u" "$p" "$T.$C_AOR.$oidx" s "sip:hijack@127.0.0.1")"
	refused "$u destroying $other's row" "$(v3set "$u" "$p" "$T.$C_ROWSTATUS.$oidx" i 6)"
	refused "$u triggering $other's row" "$(v3set "$u" "$p" "$T.$C_STATE.$oidx" i 2)"
	refused "$u creating a row under owner $other" "$(v3set "$u" "$p" "$T.$C_ROWSTATUS.$(ix 2 "$other")" i 4)"
	check_eq "$(rcol $C_AOR "$oidx")" "sip:$( [ "$other" = ownerA ] && echo ownerA || echo ownerB)@127.0.0.1" "$other's row unchanged after $u's attempts"
	check_eq "$(rcol $C_ROWSTATUS "$oidx")" 1 "$other's row still active"
	check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 2 "$other")" | grep -c 'No Such')" 1 "no row $other.2 was created"
}
check_other userA "$PASS_A" ownerA "$IB" ownerB
check_other userB "$PASS_B" ownerB "$IA" ownerA

# the length comes first: owner "ownerA1" (created over the community) is
# not in userA's family of "ownerA"
check_eq "$(sset "$T.$C_ROWSTATUS.$(ix 1 ownerA1)" i 5)" "" "a row ownerA1.1 (community)"
w=$(v3walk userA "$PASS_A" "$T")
if printf '%s\n' "$w" | grep -q "\\.$(oid_text ownerA1)\\."; then
	fail "userA's walk shows the row of owner ownerA1"
else
	log "ok: userA's walk does not show owner ownerA1's row"
fi
check_eq "$(v3get userA "$PASS_A" "$T.$C_ROWSTATUS.$(ix 1 ownerA1)" | grep -c 'No Such')" 1 "userA cannot GET ownerA1's row"

# userC: no view of the tables: no rows, cannot create one
w=$(v3walk userC "$PASS_C" "$T")
n=$(printf '%s\n' "$w" | grep -c "^$T\\.")
check_eq "$n" 0 "userC's walk of sipDiagTable shows no rows"
n=$(v3walk userC "$PASS_C" "$R" | grep -c "^$R\\.")
check_eq "$n" 0 "userC's walk of sipDiagRunTable shows no rows"
got=$(v3get userC "$PASS_C" "$T.$C_AOR.$IA")
case $got in *"No Such"*) log "ok: userC GET of ownerA's AOR: $got" ;; *) fail "userC GET of ownerA's AOR: '$got'" ;; esac
refused "userC creating a row" "$(v3set userC "$PASS_C" "$T.$C_ROWSTATUS.$(ix 1 userC)" i 4)"
refused "userC writing ownerA's AOR" "$(v3set userC "$PASS_C" "$T.$C_AOR.$IA" s sip:x@y)"
check_eq "$(v3get userC "$PASS_C" "$SC.12.0")" 1024 "userC still reads the scalars in its view (sipDiagMaxRows)"
finish
