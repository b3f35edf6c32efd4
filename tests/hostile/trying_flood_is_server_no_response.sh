#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves 300 "100 Trying" per REGISTER and then nothing is a silent server
# (sip_status 100, "only 100 Trying"), after 3 REGISTERs, within the timer.
# Over TCP a 403 behind the 300 Trying is still the verdict, after 1.
# (Over UDP the 403 behind the flood may be lost in the probe's socket
# buffer: see README.md, known issues.)
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" trying-flood --count 300
	expect_silence 3
	assert_json '.sip_status' 100
done
hostile_case tcp trying-flood --count 300 --then 403
expect 403 terminalError 1
finish
