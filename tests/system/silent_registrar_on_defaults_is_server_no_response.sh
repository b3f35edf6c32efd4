#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the default timings diagnose a silent registrar well inside the
# 32 s self-diagnosis timer: no --attempt-timeout (default 4 s), no --timer,
# no --attempts or --pings.  User silent never answers; 127.0.0.1 answers
# ping: code 3 serverNoResponse after 3 REGISTERs (about 12 s) and 3 pings.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args silent) --password-file "$(password_file silent any-password)"

assert_result_shape
assert_verdict 3 serverNoResponse 1
assert_json '.sip_status' 0
assert_json '.attempts' 3
assert_json '.pings_sent' 3
assert_json_num '.pings_received' -ge 1
assert_server_saw silent 3
assert_json_num '.duration_ms' -ge 11000 "3 attempts with the 4 s default timeout"
assert_json_num '.duration_ms' -lt 32000 "must finish before the 32 s self-diagnosis timer"
finish
