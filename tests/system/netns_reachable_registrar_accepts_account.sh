#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Control case for the namespace tests: with the path intact, the probe in
# the client namespace registers alice at Kamailio in the server namespace
# (198.51.100.2, a documentation address that exists only inside this test's
# namespaces) and succeeds, so the failures the other netns_* tests provoke
# come from what they break, not from the setup.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
netns_assert_sip_path

kam_log_mark
run_probe --netns "$NS_C" -- $(netns_reg_args alice) --attempt-timeout 1 \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 200 success 0
assert_json '.attempts' 3 "binding query (401, 200), then the probe's own binding (200)"
assert_json '.binding_removed' true
assert_no_pings
assert_server "$SERVER_ADDR" "$KAM_PORT" udp
cleanup=$(jq -r '.cleanup_registers' "$PROBE_OUT")
assert_server_saw alice $((3 + cleanup))
assert_no_probe_binding alice
finish
