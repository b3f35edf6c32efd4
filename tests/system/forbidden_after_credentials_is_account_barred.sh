#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves 403 after valid credentials is told apart from a password typo:
# user barred is challenged (401), the probe answers with the right
# password, and the registrar says 403.  Code 403, fault terminalError,
# 2 REGISTERs, and the diagnosis says the account is barred or not
# provisioned rather than the password being wrong.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args barred) --password-file "$(password_file barred "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 403 terminalError 1
assert_json '.attempts' 2 "401, credentials, 403: stop"
assert_server_saw barred 2
jq -r .diagnosis "$PROBE_OUT" | grep -q "even with credentials: the account is barred" ||
	fail "diagnosis: $(jq -r .diagnosis "$PROBE_OUT")"
finish
