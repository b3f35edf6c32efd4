#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a TLS failure is named, not reported as "network unreachable" or a
# bare 503: a TLS server (openssl s_server) with a self-signed certificate
# listens where the sips: registrar points.  sofia's TLS REGISTERs fail with
# a local 503; the probe's own TLS check names the certificate problem:
# code 31, fault tlsFailure, and the diagnosis says which check failed.
# Then a plain-TCP SIP port behind a sips: URI (no TLS there): code 30.
. "$(dirname "$0")/lib.sh"

need_cmd openssl
setup
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=registrar.test \
	-addext "subjectAltName=DNS:registrar.test,IP:127.0.0.1" \
	-keyout "$TEST_TMP/key.pem" -out "$TEST_TMP/cert.pem" >/dev/null 2>&1 ||
	hard_error "openssl could not make a certificate"
port=$(pick_free_port)
openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$TEST_TMP/cert.pem" \
	-key "$TEST_TMP/key.pem" </dev/null >"$TEST_TMP/s_server.log" 2>&1 &
on_cleanup "kill $!"
for _ in $(seq 1 40); do ss -ltn "sport = :$port" | grep -q LISTEN && break; sleep 0.1; done

run_probe -- --registrar "sips:127.0.0.1:$port" --aor sip:alice@127.0.0.1 \
	--attempt-timeout 1 --password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_result_shape
assert_verdict 31 tlsFailure 1
assert_json '.refines' serverNoResponse
assert_jq '.transport_check | test("self-signed")' "the TLS check names the self-signed certificate"
assert_jq '[.steps[] | select(.kind == "transport_check")] | length == 1' "one transport check step"

# A sips: URI pointing at a port that speaks plain SIP over TCP.
kam_start main
run_probe -- --registrar "sips:127.0.0.1:$KAM_PORT" --aor sip:alice@127.0.0.1 \
	--attempt-timeout 1 --password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_verdict 30 tlsFailure 1
assert_jq '.transport_check | test("TLS")' "the TLS check says the handshake failed"
finish
