#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a link that went down is "network unreachable": the path works
# (Kamailio in the server namespace answers OPTIONS, 198.51.100.2 answers
# ping), then the server's end of the veth link is set down.  The client
# keeps its address and route but nothing gets through: 3 unanswered
# REGISTERs, 3 unanswered pings: code 2, fault networkUnreachable.
# Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
netns_assert_sip_path

ip -n "$NS_S" link set "$VETH_S" down
log "server link $VETH_S is down"
netns_assert_ping_fails

kam_log_mark
run_probe --netns "$NS_C" -- $(netns_reg_args alice) --attempt-timeout 1 \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 2 networkUnreachable 1
assert_json '.sip_status' 0
assert_json '.attempts' 3
assert_json '.pings_sent' 3
assert_json '.pings_received' 0
assert_server_saw alice 0
finish
