#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a registrar that keeps answering 423 is not asked the same thing
# again and again: user toobrief always answers "423 Interval Too Brief"
# with Min-Expires: 120, even to a REGISTER with Expires 120.  The probe
# honours it once (Expires 120); the second 423 names a minimum that is not
# above what was sent, so a third, identical REGISTER would meet the same
# answer: verdict code 423, fault intervalTooBrief, 2 REGISTERs, and the
# diagnosis says the server refused the minimum it asked for itself.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args toobrief) --expires 30 --password-file "$(password_file toobrief unused-password)"

assert_result_shape
assert_verdict 423 intervalTooBrief 1
assert_json '.sip_status' 423
assert_json '.sip_reason' "Interval Too Brief"
assert_json '.attempts' 2
assert_json '.cleanup_registers' 0
assert_json '.binding_removed' false
assert_no_pings
assert_server_saw toobrief 2
jq -r .diagnosis "$PROBE_OUT" | grep -q "Min-Expires of 120 s, which is not above the 120 s sent" ||
	fail "the diagnosis does not say the minimum was already met: $(jq -r .diagnosis "$PROBE_OUT")"
assert_eq "$(server_registers_asking toobrief 120)" 1 \
	"REGISTERs asking for the 423's Min-Expires (120 s)"
assert_eq "$(server_registers_asking toobrief 30)" 1 "REGISTERs asking for --expires 30"
finish
