#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves an unanswered DNS lookup is named as such, not as "503" or
# "network unreachable": the client resolves through an address where no DNS
# server runs.  Code 11, fault dnsFailure, no REGISTER sent, within the
# self-diagnosis timer.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
dns_use_server
run_probe --netns "$NS_C" -- --registrar sip:registrar.test --aor sip:alice@registrar.test \
	--password-file "$(password_file alice "$ALICE_PASSWORD")" --timer 10 --attempt-timeout 2

assert_result_shape
assert_verdict 11 dnsFailure 1
assert_json '.attempts' 0
# the 10 s timer bounds it (with room for a loaded machine to be late)
assert_json_num '.duration_ms' -le 12000 "bounded by the 10 s self-diagnosis timer"
jq -r .diagnosis "$PROBE_OUT" | grep -qi "dns" ||
	fail "diagnosis does not name DNS: $(jq -r .diagnosis "$PROBE_OUT")"
finish
