#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a registrar host behind a firewall that drops everything is
# "network unreachable": after checking the path works, an nft ruleset in
# the server namespace drops all input.  3 unanswered REGISTERs, 3
# unanswered pings: code 2, fault networkUnreachable, pings_received 0.
# Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
netns_assert_sip_path

nft_server "table inet sipdiag_test {
	chain input {
		type filter hook input priority 0; policy drop;
	}
}"
log "server namespace drops all input"
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
