#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the CA settings: a TLS Kamailio whose certificate a test CA signed
# (for 127.0.0.1).  With --ca-file ca.pem (a relative name), --ca-dir of a
# hashed directory holding the CA, or both, the account registers (200,
# success) over TLS; with neither, the system's store does not know the
# CA: code 31, tlsFailure.
. "$(dirname "$0")/lib.sh"

need_cmd openssl
setup
make_test_ca "$TEST_TMP/tls"
kam_start main --tls "$TEST_TMP/tls"
pw=$(password_file alice "$ALICE_PASSWORD")
args=(--registrar "sips:127.0.0.1:$KAM_TLS_PORT" --aor sip:alice@127.0.0.1 --attempt-timeout 1
	--password-file "$pw")

kam_log_mark
cd "$TEST_TMP/tls" || hard_error "cd"
run_probe -- "${args[@]}" --ca-file ca.pem
cd - >/dev/null || true
assert_result_shape
assert_verdict 200 success 0
assert_json '.binding_removed' true
assert_jq '.transport_check | test("TLS connection .* established")' "the TLS check verified the certificate"
if ! server_register_lines alice | grep -q ' proto=tls '; then
	fail "no REGISTER reached the server over TLS"
fi

run_probe -- "${args[@]}" --ca-dir "$TEST_TMP/tls/hashed"
assert_verdict 200 success 0

run_probe -- "${args[@]}" --ca-file "$TEST_TMP/tls/ca.pem" --ca-dir "$TEST_TMP/tls/hashed"
assert_verdict 200 success 0

kam_log_mark
run_probe -- "${args[@]}"
assert_verdict 31 tlsFailure 1
assert_jq '.transport_check | test("issuer|unknown|not trusted|self-signed")' \
	"the TLS check names the untrusted issuer"
if server_register_lines alice | grep -v 'authz= pauthz=' | grep -q .; then
	fail "credentials were sent to a TLS server whose certificate was not verified"
fi
finish
