#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a wrong password is diagnosed as an authentication failure: user
# authfail is challenged (401) and re-challenged after each REGISTER with
# (wrong) credentials; the third 401 to credentials ends the diagnosis with
# code 401, fault authFailure, after 4 REGISTERs (the first 401 only asked
# for credentials).  The password is given in
# SIPDIAG_PASSWORD (the environment), not in a file.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe --env SIPDIAG_PASSWORD=not-the-password -- $(reg_args authfail)

assert_result_shape
assert_verdict 401 authFailure 1
assert_json '.sip_status' 401
assert_json '.sip_reason' Unauthorized
assert_json '.attempts' 4 "401 asks; credentials rejected 3 times: stop"
assert_json '.cleanup_registers' 0
assert_json '.binding_removed' false
assert_no_pings
assert_server 127.0.0.1 "$KAM_PORT" udp
assert_server_saw authfail 4
# The 2nd and 3rd REGISTER carried digest credentials for user authfail.
n=$(server_register_lines authfail | grep -c 'authz=Digest .*username="authfail"')
assert_eq "$n" 3 "REGISTERs with an Authorization header for authfail"
assert_no_probe_binding authfail
finish
