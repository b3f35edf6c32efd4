#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves responses whose status line sofia cannot parse are dropped by the
# stack, never crash the probe, and leave the verdict of a silent server:
# 3 REGISTERs (counted by the server), code 3 serverNoResponse, no SIP status.
# And that the stack still works after them: the same junk followed by a
# well-formed 403 gives 403 after 1 REGISTER over UDP; over TCP the junk
# desynchronises the stream (sofia neither resynchronises nor closes the
# connection), so the 403 behind it is lost too: silence after 3.
. "$(dirname "$0")/lib.sh"

hostile_setup
for line in 'SIP/2.0 2x0 OK' 'SIP/3.0 200 OK' 'HTTP/1.1 200 OK' 'SIP/2.0 -200 Negative' 'SIP/2.0'; do
	for tp in udp tcp; do
		hostile_case "$tp" malformed-status --status-line "$line"
		expect_silence 3
		assert_json '.sip_status' 0 "'$line' is no status"
	done
done
hostile_case udp malformed-status --then 403
expect 403 terminalError 1
hostile_case tcp malformed-status --then 403
expect_silence 3
finish
