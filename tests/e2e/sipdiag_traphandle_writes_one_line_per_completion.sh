#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves scripts/sipdiag-traphandle, alone, on the input snmptrapd 5.9 really
# gives a traphandle (host line, address line, then "OID VALUE" lines; values
# without a type prefix; captured from snmptrapd for a sipDiagComplete):
#  - numeric form (no MIB loaded): one line "agent=127.0.0.1 index=6
#    code=500 fault=serverError(10) sip=500 diagnosis="<the whole text>"";
#  - MIB-name form (SIP-DIAG-MIB loaded: names, enum labels, unquoted
#    strings): the same line;
#  - the diagnosis is kept whole, even though it contains ": ";
#  - a double quote in the diagnosis becomes a single one (the field stays
#    parseable); lines are appended to FILE, or written to stdout without it;
#  - a notification that is not sipDiagComplete writes nothing.
# Needs no daemon.
. "$(dirname "$0")/lib.sh"

[ -x "$TRAPHANDLE" ] || hard_error "missing or not executable: $TRAPHANDLE"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sipdiag-$TEST_NAME.XXXXXX") || hard_error "mktemp failed"
on_cleanup "rm -rf '$TMP'"
DIAG="Account sip:broken@127.0.0.1: 127.0.0.1:5070/udp answered 500 Server Internal Error (1 REGISTER); check the server: its logs, database and modules."
OUT=$TMP/lines.log

numeric_input() {   # numeric_input INDEX DIAGNOSIS
	cat <<-EOF
	localhost
	UDP: [127.0.0.1]:54255->[127.0.0.1]:25848
	.1.3.6.1.2.1.1.3.0 0:0:00:00.88
	.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.4.1.8072.9999.9999.5060.0.1
	.1.3.6.1.4.1.8072.9999.9999.5060.1.2.1.12.$1 500
	.1.3.6.1.4.1.8072.9999.9999.5060.1.2.1.13.$1 10
	.1.3.6.1.4.1.8072.9999.9999.5060.1.2.1.14.$1 500
	.1.3.6.1.4.1.8072.9999.9999.5060.1.2.1.15.$1 "$2"
	.1.3.6.1.4.1.8072.9999.9999.5060.1.2.1.3.$1 "sip:broken@127.0.0.1"
	EOF
}
mib_input() {   # mib_input INDEX DIAGNOSIS
	cat <<-EOF
	localhost
	UDP: [127.0.0.1]:48836->[127.0.0.1]:26664
	SNMPv2-MIB::sysUpTime.0 0:0:36:21.24
	SNMPv2-MIB::snmpTrapOID.0 SIP-DIAG-MIB::sipDiagComplete
	SIP-DIAG-MIB::sipDiagResultCode.$1 500
	SIP-DIAG-MIB::sipDiagResultFault.$1 serverError
	SIP-DIAG-MIB::sipDiagResultSipStatus.$1 500
	SIP-DIAG-MIB::sipDiagResultDiagnosis.$1 $2
	SIP-DIAG-MIB::sipDiagAor.$1 sip:broken@127.0.0.1
	EOF
}

# check_line FORM LINE INDEX DIAGNOSIS: every field of one written line.
check_line() {
	local form=$1 line=$2 idx=$3 diag=$4 want got
	[[ $line =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\  ]] ||
		fail "$form: line does not start with a UTC timestamp: $line"
	for want in agent=127.0.0.1 "index=$idx" code=500 "fault=serverError(10)" sip=500; do
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

numeric_input 6 "$DIAG" | "$TRAPHANDLE" "$OUT" || fail "numeric form: exit status $?"
mib_input 9 "$DIAG" | "$TRAPHANDLE" "$OUT" || fail "MIB-name form: exit status $?"
check_eq "$(wc -l <"$OUT")" 2 "lines written for two notifications"
check_line "numeric form" "$(sed -n 1p "$OUT")" 6 "$DIAG"
check_line "MIB-name form" "$(sed -n 2p "$OUT")" 9 "$DIAG"

# a double quote inside the diagnosis, to standard output
line=$(numeric_input 11 'server said \"no\": retry' | "$TRAPHANDLE")
check_line "quote in diagnosis, stdout" "$line" 11 "server said 'no': retry"

# not a sipDiagComplete (coldStart): nothing
printf '%s\n' localhost 'UDP: [127.0.0.1]:1->[127.0.0.1]:2' \
	'.1.3.6.1.2.1.1.3.0 0:0:00:00.01' '.1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.6.3.1.1.5.1' |
	"$TRAPHANDLE" "$OUT" || fail "coldStart: exit status $?"
check_eq "$(wc -l <"$OUT")" 2 "lines after a coldStart (none added)"
finish
