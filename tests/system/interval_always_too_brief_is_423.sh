#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a registrar that keeps answering 423 ends the diagnosis on the third
# 423: user toobrief always answers "423 Interval Too Brief" with
# Min-Expires: 120, even to a REGISTER with Expires 120.  Verdict: code 423,
# fault intervalTooBrief, 3 REGISTERs, the retries asking for 120 s.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args toobrief) --expires 30 --password-file "$(password_file toobrief unused-password)"

assert_result_shape
assert_verdict 423 intervalTooBrief 1
assert_json '.sip_status' 423
assert_json '.sip_reason' "Interval Too Brief"
assert_json '.attempts' 3
assert_json '.cleanup_registers' 0
assert_json '.binding_removed' false
assert_no_pings
assert_server_saw toobrief 3
assert_eq "$(server_registers_asking toobrief 120)" 2 \
	"REGISTERs asking for the 423's Min-Expires (120 s)"
assert_eq "$(server_registers_asking toobrief 30)" 1 "REGISTERs asking for --expires 30"
finish
