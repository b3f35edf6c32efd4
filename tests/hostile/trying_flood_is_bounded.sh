#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a few "100 Trying" per REGISTER (5, to each retransmission too) and then nothing is still a
# silent server (sip_status 100, after 3 REGISTERs), that a 403 behind them
# is the verdict, and that a flood of them (300 per REGISTER) ends the
# diagnosis at once as malformedResponse, code 51 (more than
# SIPDIAG_MAX_RESPONSES), instead of keeping the probe busy past its timer
# (over TCP always; over UDP the kernel may drop the flood first).
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" trying-flood --count 5
	expect_silence 3
	assert_json '.sip_status' 100
	hostile_case "$tp" trying-flood --count 300
	if [ "$tp" = tcp ]; then
		expect 51 malformedResponse 1
	else
		# Over UDP the kernel drops what a slow probe (a sanitizer
		# build on a loaded machine) cannot read in time: the flood may
		# never reach the probe's limit.  Bounded either way.
		assert_jq '.code == 51 or .code == 3' "flood (51) or, if the kernel dropped it, silence (3)"
		assert_json_num '.attempts' -le 3
	fi
done
hostile_case tcp trying-flood --count 5 --then 403
expect 403 terminalError 1
finish
