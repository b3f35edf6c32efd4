#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 403 carrying about 64 KiB of extra headers is understood and
# bounded: over UDP the largest datagram (65507 bytes), over TCP the full
# 64 KiB, 200 KiB in 100-byte lines, and one single 60 KB header line: each
# is the verdict 403 after 1 REGISTER, within the timer.
. "$(dirname "$0")/lib.sh"

hostile_setup
hostile_case udp huge
expect 403 terminalError 1
grep -q 'huge response of 65[0-9]* bytes over udp' "$HR_LOG" ||
	fail "the server did not send a near-64 KiB datagram"
hostile_case tcp huge
expect 403 terminalError 1
hostile_case tcp huge --pad-bytes 204800
expect 403 terminalError 1
hostile_case tcp huge --pad-line 60000
expect 403 terminalError 1
finish
