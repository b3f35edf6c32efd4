#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a response announcing an absurd Content-Length (4294967295, and
# 20 digits) with a 10-byte body neither hangs nor bloats the probe.
# Over UDP sofia drops the datagram (body shorter than announced): silence
# after 3 REGISTERs.  Over TCP, 4294967295 parses and sofia takes the 403
# as soon as its headers are in (403 after 1 REGISTER); 20 digits do not
# parse and the message is dropped: silence after 3.
. "$(dirname "$0")/lib.sh"

hostile_setup
for cl in 4294967295 99999999999999999999; do
	hostile_case udp huge-content-length --content-length "$cl"
	expect_silence 3
done
hostile_case tcp huge-content-length --content-length 4294967295
expect 403 terminalError 1
hostile_case tcp huge-content-length --content-length 99999999999999999999
expect_silence 3
finish
