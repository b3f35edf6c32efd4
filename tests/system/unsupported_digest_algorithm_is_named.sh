#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a challenge the terminal cannot answer is named, not reported as a
# wrong password: user oddalg is challenged with algorithm=SHA3-256 only.
# The probe answers nothing: code 40, fault authAlgorithmUnsupported
# (refining authFailure), 1 REGISTER, and the diagnosis names the algorithm.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args oddalg) --password-file "$(password_file oddalg "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 40 authAlgorithmUnsupported 1
assert_json '.refines' authFailure
assert_json '.sip_status' 401
assert_json '.attempts' 1
assert_server_saw oddalg 1
jq -r .diagnosis "$PROBE_OUT" | grep -q "SHA3-256" ||
	fail "the diagnosis does not name SHA3-256: $(jq -r .diagnosis "$PROBE_OUT")"
finish
