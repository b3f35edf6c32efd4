#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a few "100 Trying" per REGISTER and then nothing is still a
# silent server (sip_status 100, after 3 REGISTERs), that a 403 behind them
# is the verdict, and that a flood of them (300 per REGISTER) ends the
# diagnosis at once as malformedResponse, code 51 (more than
# SIPDIAG_MAX_RESPONSES), instead of keeping the probe busy past its timer.
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" trying-flood --count 15
	expect_silence 3
	assert_json '.sip_status' 100
	hostile_case "$tp" trying-flood --count 300
	expect 51 malformedResponse 1
done
hostile_case tcp trying-flood --count 15 --then 403
expect 403 terminalError 1
finish
