#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves random bytes from the server (pure noise, "SIP/2.0 200 OK" then
# noise, header-shaped noise with NULs, only line breaks) never crash the
# probe and are ignored: over UDP and TCP the verdict is a silent server's
# after 3 REGISTERs.  Over UDP a well-formed 403 after the garbage is still
# understood (403 after 1 REGISTER); over TCP the stream is desynchronised
# by the garbage, so the 403 behind it is lost: silence again.
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" garbage --count 8
	expect_silence 3
done
hostile_case udp garbage --count 8 --then 403
expect 403 terminalError 1
hostile_case tcp garbage --count 8 --then 403
expect_silence 3
finish
