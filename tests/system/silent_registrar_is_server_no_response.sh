#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a registrar that never answers while its host answers ping is
# "server not responding": user silent is dropped by Kamailio; with
# --attempt-timeout 1 the probe sends 3 REGISTERs (Kamailio receives 3
# distinct requests), then 3 ICMP echoes to 127.0.0.1, which answers: code 3,
# fault serverNoResponse, no SIP status.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args silent) --attempt-timeout 1 --password-file "$(password_file silent any-password)"

assert_result_shape
assert_verdict 3 serverNoResponse 1
assert_json '.sip_status' 0 "nothing came back from the network"
assert_json '.attempts' 3
assert_json '.cleanup_registers' 0
assert_json '.binding_removed' false
assert_json '.pings_sent' 3
assert_json_num '.pings_received' -ge 1 "127.0.0.1 answers ping"
assert_server 127.0.0.1 "$KAM_PORT" udp
assert_server_saw silent 3
assert_json_num '.duration_ms' -lt 20000 "3 attempts of 1 s and 3 pings"
finish
