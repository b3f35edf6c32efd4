#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves responses to requests the probe never sent (made-up Call-IDs,
# branches and CSeqs: 200, 401, 302, 423, 500, 100) never pass for an
# answer: a server sending 50 per REGISTER and nothing else is flooding
# the terminal; the stack's count of received responses, checked every
# 100 ms for the whole run, passes 128 within 3 REGISTERs, and the run ends
# as code 51 malformedResponse, not as a silent server after the pings.
# Followed by the real answer (403), that answer is the verdict after 1
# REGISTER (50 strays stay below the flood bound).
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" unsolicited
	assert_json '.code' 51 "$tp unsolicited: the flood is named"
	assert_json '.fault' malformedResponse "$tp unsolicited"
	assert_json_num '.attempts' -le 3 "$tp unsolicited: the flood ends the attempts"
	jq -r .diagnosis "$PROBE_OUT" | grep -q "flood" ||
		fail "$tp unsolicited: the diagnosis does not name the flood: $(jq -r .diagnosis "$PROBE_OUT")"
	hostile_case "$tp" unsolicited --then 403
	expect 403 terminalError 1
done
finish
