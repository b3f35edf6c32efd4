#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a provisional answer counts as no answer: user trying gets
# "100 Trying" from Kamailio and then nothing.  With --attempt-timeout 1 the
# probe tries 3 times, then pings 127.0.0.1, which answers: code 3,
# fault serverNoResponse.  The last status received from the network is
# the 100.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args trying) --attempt-timeout 1 --password-file "$(password_file trying any-password)"

assert_result_shape
assert_verdict 3 serverNoResponse 1
assert_json '.sip_status' 100 "the 100 Trying was the last status received"
assert_json '.attempts' 3 "a 1xx is no answer: retry"
assert_json '.cleanup_registers' 0
assert_json '.pings_sent' 3
assert_json_num '.pings_received' -ge 1
assert_server_saw trying 3
finish
