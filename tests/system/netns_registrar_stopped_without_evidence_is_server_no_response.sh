#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the patent's flow for a stopped SIP server on a live host when the
# probe keeps no packet evidence (--no-capture, so the ICMP errors are not
# read): Kamailio in the server namespace answered, then is stopped; the host
# still answers ping.  Each REGISTER draws an ICMP port unreachable (so each
# attempt fails fast, and sofia's local 503 must not count as the server's);
# the pings are answered: code 3, fault serverNoResponse, no SIP status.
# Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
netns_assert_sip_path
kam_stop
netns_assert_ping_answers

run_probe --netns "$NS_C" -- $(netns_reg_args alice) --no-capture \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 3 serverNoResponse 1
assert_json '.sip_status' 0 "sofia's local 503 is not a status from the network"
assert_json '.attempts' 3
assert_json '.pings_sent' 3
assert_json_num '.pings_received' -ge 1
assert_json_num '.duration_ms' -lt 12000 "port unreachable makes each attempt fail fast"
finish
