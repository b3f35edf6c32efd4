#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a registrar name that does not exist is its own cause: the private
# DNS server answers NXDOMAIN for nowhere.test; the probe reports code 10,
# fault dnsFailure, sends no REGISTER and no ping, and says what to check.
# Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
dns_start
kam_log_mark
run_probe --netns "$NS_C" -- --registrar sip:nowhere.test --aor sip:alice@nowhere.test \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 10 dnsFailure 1
assert_json '.attempts' 0
assert_json '.targets | length' 0
assert_no_pings
jq -r .diagnosis "$PROBE_OUT" | grep -q "does not exist" ||
	fail "diagnosis does not say the name does not exist: $(jq -r .diagnosis "$PROBE_OUT")"
assert_server_saw alice 0
finish
