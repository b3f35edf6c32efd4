#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves what a response cut in the middle of a header does.
# - cut inside Via, To, Call-ID or CSeq (UDP): the transaction cannot be
#   matched, sofia drops it: silence after 3 REGISTERs;
# - over TCP, any cut: sofia waits for the rest of the message, which never
#   comes: silence after 3 REGISTERs;
# - UDP, cut in the LAST header, after Content-Length (the datagram ends
#   without the empty line): sofia accepts the message as it is, so a cut
#   403 is the verdict 403, and a cut 200 is a success: the binding query
#   (no Contact) lists no binding, so the probe adds its own (a second
#   REGISTER, 200 with its Contact) and removes it, answered the same way.
#   Today this is not reported as malformed.
. "$(dirname "$0")/lib.sh"

hostile_setup
for h in Via To Call-ID CSeq; do
	hostile_case udp truncated --status 403 --cut-in "$h"
	expect_silence 3
done
for tp in tcp; do
	hostile_case "$tp" truncated --status 403 --cut-in CSeq
	expect_silence 3
	hostile_case "$tp" truncated --status 200
	expect_silence 3
done
hostile_case udp truncated --status 403
expect 403 terminalError 1
hostile_case udp truncated --status 200
expect 200 success 2 1
finish
