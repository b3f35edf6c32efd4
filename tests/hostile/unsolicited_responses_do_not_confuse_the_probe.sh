#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves responses to requests the probe never sent (made-up Call-IDs,
# branches and CSeqs: 200, 401, 302, 423, 500, 100), 50 per REGISTER, are
# ignored: alone they leave a silent server's verdict after 3 REGISTERs;
# followed by the real answer (403) that answer is the verdict after 1.
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" unsolicited
	expect_silence 3
	hostile_case "$tp" unsolicited --then 403
	expect 403 terminalError 1
done
finish
