#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a rejected proxy authentication is an authentication failure with
# code 407: user proxyauth is challenged with 407 (Proxy-Authenticate); the
# probe answers with Proxy-Authorization computed from a wrong password and
# is challenged again; the third 407 to credentials ends it: code 407,
# fault authFailure, 4 REGISTERs (the first 407 only asked for them).
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args proxyauth) --password-file "$(password_file proxyauth not-the-password)"

assert_result_shape
assert_verdict 407 authFailure 1
assert_json '.sip_status' 407
assert_json '.sip_reason' "Proxy Authentication Required"
assert_json '.attempts' 4
assert_json '.cleanup_registers' 0
assert_json '.binding_removed' false
assert_no_pings
assert_server_saw proxyauth 4
n=$(server_register_lines proxyauth | grep -c 'pauthz=Digest .*username="proxyauth"')
assert_eq "$n" 3 "REGISTERs with a Proxy-Authorization header for proxyauth"
assert_no_probe_binding proxyauth
finish
