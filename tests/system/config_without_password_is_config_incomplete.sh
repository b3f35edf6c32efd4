#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves an incomplete account setting is diagnosed, not a usage error, and
# nothing is sent: no password (neither --password-file nor
# SIPDIAG_PASSWORD) gives code 1, fault configIncomplete, exit status 1,
# 0 REGISTERs, and Kamailio receives nothing.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
unset SIPDIAG_PASSWORD
run_probe -- $(reg_args alice)

assert_json '.state' complete
assert_verdict 1 configIncomplete 1
assert_json '.attempts' 0
assert_json '.pings_sent' 0
assert_json '.sip_status' 0
assert_jq '.diagnosis | test("password"; "i")' "the diagnosis names the missing password"
assert_server_saw alice 0
finish
