#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a terminal without a route to its registrar gets "network
# unreachable": the client namespace has only a /32 address and no route to
# 198.51.100.2 (Kamailio runs there, in the server namespace).  The first
# REGISTER cannot leave: its socket reports "Network is unreachable" (no
# route), a measured cause, so the run ends at once with code 21, fault
# networkUnreachable, without waiting for two more attempts and the pings.
# Needs root.
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
assert_verdict 21 networkUnreachable 1
assert_json '.sip_status' 0
assert_json '.pings_received' 0
assert_json '.attempts' 1 "the socket's own error names the cause"
jq -r .diagnosis "$PROBE_OUT" | grep -q "Network is unreachable" ||
	fail "the diagnosis does not name the socket error: $(jq -r .diagnosis "$PROBE_OUT")"
jq -r .diagnosis "$PROBE_OUT" | grep -q "0 of 0 pings" &&
	fail "the diagnosis speaks of pings never sent: $(jq -r .diagnosis "$PROBE_OUT")"
assert_server_saw alice 0
finish
