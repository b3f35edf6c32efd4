#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves responses that do not match the REGISTER (another Call-ID, another
# CSeq number, another Via branch) are ignored by the transaction layer,
# even a 200 or a 401: the verdict is a silent server's after 3 REGISTERs,
# nothing is registered, nothing removed.  A correct 403 sent after the
# mismatched one is understood: 403 after 1.
. "$(dirname "$0")/lib.sh"

hostile_setup
for mode in wrong-callid wrong-cseq wrong-branch; do
	for tp in udp tcp; do
		hostile_case "$tp" "$mode" --status 200
		expect_silence 3
		assert_json '.sip_status' 0 "a mismatched response is not an answer"
	done
	hostile_case udp "$mode" --status 401
	expect_silence 3
	hostile_case udp "$mode" --status 200 --then 403
	expect 403 terminalError 1
done
finish
