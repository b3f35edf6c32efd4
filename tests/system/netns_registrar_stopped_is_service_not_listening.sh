#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the finer finding for a stopped SIP server on a live host: the
# server namespace's kernel answers each REGISTER with ICMP port unreachable;
# the probe reads it from its packet capture and says at once that nothing
# listens on the SIP port (code 20, fault serviceNotListening, refining the
# patent's serverNoResponse), without waiting for the pings.  The pcap file
# it names holds the REGISTERs and the ICMP errors (tshark reads it).
# Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
need_cmd tshark
setup
netns_setup
kam_start_netns
netns_assert_sip_path
kam_stop
netns_assert_ping_answers

run_probe --netns "$NS_C" -- $(netns_reg_args alice) --capture-dir "$TEST_TMP/captures" \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 20 serviceNotListening 1
assert_json '.refines' serverNoResponse
assert_json '.sip_status' 0 "sofia's local 503 is not a status from the network"
assert_json '.icmp_error' "ICMP port unreachable from $SERVER_ADDR"
assert_jq '[.steps[] | select(.kind == "icmp_error" and .icmp_type == 3 and .icmp_code == 3)] | length >= 1' \
	"an icmp_error step with type 3 code 3"
assert_json_num '.duration_ms' -lt 2000 "an ICMP error needs no timeout"
pcap=$(jq -r .capture.path "$PROBE_OUT")
[ -f "$pcap" ] || fail "no capture file at '$pcap'"
summary=$(tshark -n -r "$pcap" 2>/dev/null)
grep -q 'REGISTER' <<<"$summary" || fail "the capture holds no REGISTER: $summary"
grep -q 'Port unreachable' <<<"$summary" || fail "the capture holds no ICMP port unreachable: $summary"
finish
