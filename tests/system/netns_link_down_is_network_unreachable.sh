#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a link that went down is "network unreachable": the path works
# (Kamailio in the server namespace answers OPTIONS, 198.51.100.2 answers
# ping), then the server's end of the veth link is set down.  The client
# keeps its address and route but nothing gets through: 3 unanswered
# REGISTERs, 3 unanswered pings: fault networkUnreachable, code 2 - or 22
# when the client's kernel, failing to resolve the neighbour, reports ICMP
# host unreachable for our REGISTERs (the probe reads that from its capture
# and names it at once, without the remaining attempts).
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
assert_jq '.code == 2 or (.code == 22 and (.icmp_error | test("host unreachable")))' \
	"code 2, or 22 with the ICMP host unreachable named"
assert_json '.fault' networkUnreachable
assert_exit 1
assert_json '.sip_status' 0
assert_jq '.attempts == 3 or (.code == 22 and .attempts <= 3)' \
	"3 attempts, or fewer when an ICMP error about one ended the diagnosis"
assert_jq '.pings_sent == 3 or (.code == 22 and .pings_sent <= 3)' \
	"3 pings, or fewer when an ICMP error settled it first"
assert_json '.pings_received' 0
assert_server_saw alice 0
finish
