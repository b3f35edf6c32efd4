#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves SIP blocked while the host is up is "server not responding": an nft
# ruleset in the server namespace drops UDP and TCP to Kamailio's port only,
# so ping still answers.  3 unanswered REGISTERs, pings answered: code 3,
# fault serverNoResponse.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
netns_assert_sip_path

nft_server "table inet sipdiag_test {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport $KAM_PORT drop
		tcp dport $KAM_PORT drop
	}
}"
log "server namespace drops SIP port $KAM_PORT"
netns_assert_ping_answers

kam_log_mark
run_probe --netns "$NS_C" -- $(netns_reg_args alice) --attempt-timeout 1 \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 3 serverNoResponse 1
assert_json '.sip_status' 0
assert_json '.attempts' 3
assert_json '.pings_sent' 3
assert_json_num '.pings_received' -ge 1
assert_server_saw alice 0
finish
