#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves scripts/sipdiag-traphandle, alone, on the input snmptrapd 5.9 really
# gives a traphandle (host line, address line, then "OID VALUE" lines; values
# without a type prefix; captured from snmptrapd for a sipDiagComplete):
#  - numeric form (no MIB loaded): one line "agent=127.0.0.1 event=complete
#    owner=device name=6 code=500 fault=serverError(10) sip=500 consecutive=3
#    diagnosis="<the whole text>"", owner and name decoded from the varbinds'
#    instance suffix (length-prefixed strings);
#  - MIB-name form (SIP-DIAG-MIB loaded: names, quoted index parts, enum
#    labels, unquoted strings): the same line;
#  - sipDiagFailure (.0.3) and sipDiagRecovered (.0.4) give event=failure
#    and event=recovered; an owner or name with a blank, or empty, is quoted;
#  - the diagnosis is kept whole, even though it contains ": ";
#  - a double quote in the diagnosis becomes a single one (the field stays
#    parseable); lines are appended to FILE, or written to stdout without it;
#  - a notification that is none of these (coldStart, or the retired
#    sipDiagComplete .0.1 of the sipDiagIndex table) writes nothing.
# Needs no daemon.
. "$(dirname "$0")/lib.sh"

[ -x "$TRAPHANDLE" ] || hard_error "missing or not executable: $TRAPHANDLE"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sipdiag-$TEST_NAME.XXXXXX") || hard_error "mktemp failed"
on_cleanup "rm -rf '$TMP'"
DIAG="Account sip:broken@127.0.0.1: 127.0.0.1:5070/udp answered 500 Server Internal Error (1 REGISTER); check the server: its logs, database and modules."
OUT=$TMP/lines.log

# oid_text from tests/agent/lib.sh: "device" -> 6.100.101.118.105.99.101
numeric_input() {   # numeric_input OWNER NAME DIAGNOSIS [TRAP-ARC]
	local i
	i=$(oid_text "$1").$(oid_text "$2")
	cat <<-EOF
	localhost
	UDP: [127.0.0.1]:54255->[127.0.0.1]:25848
	.1.3.6.1.2.1.1.3.0 0:0:00:00.88
	.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.4.1.8072.9999.9999.5060.0.${4:-2}
	.1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.4.$i "sip:broken@127.0.0.1"
	.1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.3.$i "sip:127.0.0.1:5070"
	.1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.20.$i 500
	.1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.21.$i 10
	.1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.22.$i 500
	.1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.53.$i 3
	.1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.34.$i "07 EA 0C 03 0C 33 28 03 2B 00 00 "
	.1.3.6.1.4.1.8072.9999.9999.5060.1.4.1.23.$i "$3"
	EOF
}
mib_input() {   # mib_input OWNER NAME DIAGNOSIS [NOTIFICATION]
	local i=".\"$1\".\"$2\""
	cat <<-EOF
	localhost
	UDP: [127.0.0.1]:48836->[127.0.0.1]:26664
	SNMPv2-SMI::mib-2.1.3.0 0:0:36:21.24
	SNMPv2-SMI::snmpModules.1.1.4.1.0 SIP-DIAG-MIB::${4:-sipDiagComplete}
	SIP-DIAG-MIB::sipDiagAor$i sip:broken@127.0.0.1
	SIP-DIAG-MIB::sipDiagRegistrar$i sip:127.0.0.1:5070
	SIP-DIAG-MIB::sipDiagResultCode$i 500
	SIP-DIAG-MIB::sipDiagResultFault$i serverError
	SIP-DIAG-MIB::sipDiagResultSipStatus$i 500
	SIP-DIAG-MIB::sipDiagStatsConsecutiveFailures$i 3
	SIP-DIAG-MIB::sipDiagResultEndTime$i 2026-12-3,12:51:40.3,+0:0
	SIP-DIAG-MIB::sipDiagResultDiagnosis$i $3
	EOF
}

check_line() {   # check_line FORM LINE EVENT OWNER NAME DIAGNOSIS
	local form=$1 line=$2 event=$3 owner=$4 name=$5 diag=$6 want got
	[[ $line =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\  ]] ||
		fail "$form: line does not start with a UTC timestamp: $line"
	for want in agent=127.0.0.1 "event=$event" "owner=$owner" "name=$name" code=500 \
		"fault=serverError(10)" sip=500 consecutive=3; do
		got=$(printf '%s\n' "$line" | tr ' ' '\n' | grep -m1 "^${want%%=*}=")
		if [ "$got" = "$want" ]; then log "ok: $form: $want"; else fail "$form: '$got', expected '$want'"; fi
	done
	got=${line#*diagnosis=}
	if [ "$got" = "\"$diag\"" ]; then
		log "ok: $form: diagnosis kept whole"
	else
		fail "$form: diagnosis field is $got, expected \"$diag\""
	fi
}

numeric_input device 6 "$DIAG" | "$TRAPHANDLE" "$OUT" || fail "numeric form: exit status $?"
mib_input ops line9 "$DIAG" | "$TRAPHANDLE" "$OUT" || fail "MIB-name form: exit status $?"
check_eq "$(wc -l <"$OUT")" 2 "lines written for two notifications"
check_line "numeric form" "$(sed -n 1p "$OUT")" complete device 6 "$DIAG"
check_line "MIB-name form" "$(sed -n 2p "$OUT")" complete ops line9 "$DIAG"

line=$(numeric_input test 11 'server said \"no\": retry' | "$TRAPHANDLE")
check_line "quote in diagnosis, stdout" "$line" complete test 11 "server said 'no': retry"

# sipDiagFailure (.0.3) and sipDiagRecovered (.0.4), both forms
line=$(numeric_input device 2 "$DIAG" 3 | "$TRAPHANDLE")
check_line "sipDiagFailure, numeric" "$line" failure device 2 "$DIAG"
line=$(mib_input device 2 "$DIAG" sipDiagFailure | "$TRAPHANDLE")
check_line "sipDiagFailure, MIB names" "$line" failure device 2 "$DIAG"
line=$(numeric_input device 2 "$DIAG" 4 | "$TRAPHANDLE")
check_line "sipDiagRecovered, numeric" "$line" recovered device 2 "$DIAG"
line=$(mib_input device 2 "$DIAG" sipDiagRecovered | "$TRAPHANDLE")
check_line "sipDiagRecovered, MIB names" "$line" recovered device 2 "$DIAG"

# an owner with a blank and an empty name are quoted (the line stays parseable)
line=$(numeric_input "noc team" "" "$DIAG" | "$TRAPHANDLE")
check_line "blank in owner, empty name, numeric" "$line" complete '"noc' '""' "$DIAG"
case $line in *' owner="noc team" name="" '*) log "ok: owner and name quoted" ;;
*) fail "owner \"noc team\" and name \"\" not written quoted: $line" ;; esac
line=$(mib_input "noc team" "" "$DIAG" | "$TRAPHANDLE")
case $line in *' owner="noc team" name="" '*) log "ok: MIB names: owner and name quoted" ;;
*) fail "MIB names: owner \"noc team\" and name \"\" not written quoted: $line" ;; esac

# not a SIP-DIAG-MIB notification (coldStart), or the retired sipDiagComplete
# (.0.1, indexed by sipDiagIndex): nothing
printf '%s\n' localhost 'UDP: [127.0.0.1]:1->[127.0.0.1]:2' \
	'.1.3.6.1.2.1.1.3.0 0:0:00:00.01' '.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.6.3.1.1.5.1' |
	"$TRAPHANDLE" "$OUT" || fail "coldStart: exit status $?"
printf '%s\n' localhost 'UDP: [127.0.0.1]:1->[127.0.0.1]:2' \
	'.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.4.1.8072.9999.9999.5060.0.1' \
	'.1.3.6.1.4.1.8072.9999.9999.5060.1.2.1.12.3 500' |
	"$TRAPHANDLE" "$OUT" || fail "retired sipDiagComplete: exit status $?"
check_eq "$(wc -l <"$OUT")" 2 "lines after a coldStart and a retired sipDiagComplete (none added)"
finish
