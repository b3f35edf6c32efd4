#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a certificate that is not trusted is the verdict even when the
# server speaks SIP and would accept the account: a TLS Kamailio with a
# self-signed certificate (alice: 401 then 200 over plain TLS).  A terminal
# that verifies certificates cannot register there, so the verdict is code
# 31, tlsFailure - and no REGISTER, least of all one with credentials,
# reaches the server over the unverified connection.
. "$(dirname "$0")/lib.sh"

need_cmd openssl
setup
make_self_signed "$TEST_TMP/tls"
kam_start main --tls "$TEST_TMP/tls"

kam_log_mark
run_probe -- --registrar "sips:127.0.0.1:$KAM_TLS_PORT" --aor sip:alice@127.0.0.1 \
	--attempt-timeout 1 --password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_result_shape
assert_verdict 31 tlsFailure 1
assert_jq '.transport_check | test("self-signed")' "the TLS check names the self-signed certificate"
if server_register_lines alice | grep -q .; then
	fail "a REGISTER reached the server over a connection whose certificate was not verified:"
	server_register_lines alice >&2
fi
if server_register_lines alice | grep -v 'authz= pauthz=' | grep -q .; then
	fail "credentials were sent to an unverified TLS server"
fi
finish
