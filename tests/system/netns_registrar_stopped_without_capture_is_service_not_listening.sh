#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the verdict does not depend on the packet evidence: Kamailio in the
# server namespace answered, then is stopped; the host still answers ping.
# With --no-capture (no pcap, no ICMP decoding) the probe still learns, from
# its own sockets (the UDP check's error queue names the ICMP port
# unreachable, the REGISTER's socket meets ECONNREFUSED; the kernel reports
# both to the sending socket, no privilege needed), that nothing listens:
# code 20 serviceNotListening, the same verdict as with a capture
# (netns_registrar_stopped_is_service_not_listening.sh), and at once.
# Needs root (for the namespaces).
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
assert_verdict 20 serviceNotListening 1
assert_json '.sip_status' 0 "sofia's local 503 is not a status from the network"
assert_json '.capture.note' "capture disabled"
assert_json '.attempts' 1 "the socket error ends the run at once"
jq -r .diagnosis "$PROBE_OUT" | grep -q "ICMP port unreachable from $SERVER_ADDR" ||
	fail "the diagnosis does not name the ICMP error: $(jq -r .diagnosis "$PROBE_OUT")"
assert_json '.icmp_error' "ICMP port unreachable from $SERVER_ADDR" "named without a capture"
assert_json_num '.duration_ms' -lt 4000 "no attempt had to time out"
finish
