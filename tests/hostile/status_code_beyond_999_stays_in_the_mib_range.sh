#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a status code beyond 999 is named as not SIP and stays in the MIB's
# range: sofia parses "SIP/2.0 2000 OK" and "SIP/2.0 65536 X"; the probe
# reports code 50, fault malformedResponse, sip_status 0 (sipDiagResultCode
# and sipDiagResultSipStatus are 0..999), after 1 REGISTER.
. "$(dirname "$0")/lib.sh"

hostile_setup
for code in 2000 65536; do
	hostile_case udp malformed-status --status-line "SIP/2.0 $code Beyond"
	assert_json_num '.code' -le 999 "sipDiagResultCode is 0..999"
	assert_json_num '.sip_status' -le 999 "sipDiagResultSipStatus is 0..999"
	assert_json_num '.attempts' -le 3
	expect 50 malformedResponse 1
done
finish
