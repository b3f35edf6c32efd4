#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a stopped SIP server on this host (loopback, no namespaces) is
# diagnosed as nothing listening on the SIP port: Kamailio is started, then
# stopped; the kernel answers the REGISTER with ICMP port unreachable and
# the probe reports code 20, fault serviceNotListening (refining
# serverNoResponse).  Under qemu-user the probe has no packet capture
# (qemu does not emulate TPACKET_V2 packet sockets): the verdict then rests
# on the socket's ECONNREFUSED alone, and the ICMP error is checked only
# when the capture ran.  Run by tests/cross/run with the cross-built probe
# under qemu-user; natively too, with the same expectations.
. "$(dirname "$0")/../system/lib.sh"

setup
kam_start main
kam_stop
run_probe -- $(reg_args alice) --password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 20 serviceNotListening 1
assert_json '.refines' serverNoResponse
if [ "$(jq -r .capture.path "$PROBE_OUT")" != null ]; then
	assert_json '.icmp_error' "ICMP port unreachable from 127.0.0.1"
fi
assert_json '.binding_removed' false
finish
