#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves what a status code outside 100-699 that sofia still parses does:
# 700 and 999 are final and taken as the server's answer, classed
# serverAnomaly (700-999 are undefined in SIP), after 1 REGISTER; a status
# below 100 is not SIP at all: code 50, malformedResponse, after 1.
# (Codes above 999: status_code_beyond_999_stays_in_the_mib_range.sh.)
. "$(dirname "$0")/lib.sh"

hostile_setup
for code in 700 999; do
	for tp in udp tcp; do
		hostile_case "$tp" malformed-status --status-line "SIP/2.0 $code Out Of Range"
		expect "$code" serverAnomaly 1
		assert_json '.sip_status' "$code"
	done
done
hostile_case udp malformed-status --status-line 'SIP/2.0 099 Below'
expect 50 malformedResponse 1
finish
