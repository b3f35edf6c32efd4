#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the probe answers a 407 (proxy digest) with Proxy-Authorization and
# succeeds with the right password: code 200, 3 REGISTERs for the diagnosis
# (binding query: 407, then with credentials 200; the probe's own binding),
# then the probe's binding is removed again (the un-REGISTER may need its own
# credentials; the count must match what Kamailio received).
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe --env "SIPDIAG_PASSWORD=$PROXYAUTH_PASSWORD" -- $(reg_args proxyauth)

assert_result_shape
assert_verdict 200 success 0
assert_json '.sip_status' 200
assert_json '.attempts' 3 "query, 407, query with credentials, 200, REGISTER with the probe's Contact, 200"
assert_json_num '.cleanup_registers' -ge 1
assert_json '.binding_removed' true
assert_no_pings
cleanup=$(jq -r '.cleanup_registers' "$PROBE_OUT")
assert_server_saw proxyauth $((3 + cleanup))
assert_probe_binding_made_and_removed proxyauth
assert_no_probe_binding proxyauth
finish
