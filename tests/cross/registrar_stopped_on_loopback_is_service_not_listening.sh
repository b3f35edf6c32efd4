#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a stopped SIP server on this host (loopback, no namespaces) is
# diagnosed as nothing listening on the SIP port: Kamailio is started, then
# stopped; the kernel answers the REGISTER with ICMP port unreachable and
# the probe reports code 20, fault serviceNotListening (refining
# serverNoResponse).  The verdict rests on the ICMP type and code of the
# UDP check's error queue, which mean the same on every architecture (its
# ee_errno is the host's number under qemu-user and is not used for it).
# When the capture ran, the ICMP error's sender is checked too.  Run by
# tests/cross/run with the cross-built probe under qemu-user (which sets
# SIPDIAG_QEMU); natively too, with the same expectations.
. "$(dirname "$0")/../system/lib.sh"

setup
kam_start main
kam_stop
run_probe -- $(reg_args alice) --password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 20 serviceNotListening 1
assert_json '.refines' serverNoResponse
assert_jq '[.steps[] | select(.kind == "icmp_error" and .icmp_type == 3 and .icmp_code == 3)] | length >= 1' \
	"a step records ICMP 3/3 (port unreachable)"
if [ "$(jq -r .capture.path "$PROBE_OUT")" != null ]; then
	if [ -n "${SIPDIAG_QEMU:-}" ] && [ "$(jq -r .icmp_error "$PROBE_OUT")" = "ICMP port unreachable" ]; then
		# qemu-user 7.2 (Debian 12) does not pass IP_RECVERR's offender
		# address (SO_EE_OFFENDER) on to the guest: it reads all zeros, so
		# the UDP check cannot name the sender.  The capture still does.
		log "SKIP (qemu defect): under $SIPDIAG_QEMU the error queue's offender address is zeroed; the sender is checked in the captured step"
		assert_jq '[.steps[] | select(.kind == "icmp_error") | .info] | index("ICMP port unreachable from 127.0.0.1 (captured)") != null' \
			"the captured ICMP error names 127.0.0.1"
	else
		assert_json '.icmp_error' "ICMP port unreachable from 127.0.0.1"
	fi
fi
assert_json '.binding_removed' false
finish
