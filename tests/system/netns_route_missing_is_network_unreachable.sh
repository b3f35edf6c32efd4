#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a terminal without a route to its registrar gets "network
# unreachable": the client namespace has only a /32 address and no route to
# 198.51.100.2 (Kamailio runs there, in the server namespace).  Neither the
# REGISTERs nor the pings can leave: code 2, fault networkUnreachable,
# pings_received 0.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup --no-client-route
kam_start_netns
netns_assert_ping_fails

kam_log_mark
run_probe --netns "$NS_C" -- $(netns_reg_args alice) --attempt-timeout 1 \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 2 networkUnreachable 1
assert_json '.sip_status' 0
assert_json '.pings_sent' 3
assert_json '.pings_received' 0
assert_json '.attempts' 3 "a locally generated 503 is no answer: retry"
assert_server_saw alice 0
finish
