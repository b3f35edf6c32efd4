#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 200 whose To header carries two tags, followed by a second To
# header, is rejected by sofia's parser (To is a single header) and never
# taken for a success: silence after 3 REGISTERs, over UDP and TCP.
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" dup-to-tag
	expect_silence 3
	assert_json '.binding_removed' false
done
finish
