#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the Contact of the probe's REGISTER as the server received it
# (Kamailio's log): over TCP "sip:...;transport=tcp", over TLS to a sips:
# registrar "sips:...;transport=tcp" (RFC 3261 8.1.1.8: sips: for a sips:
# Request-URI; RFC 5630: TLS over TCP, transport=tls being deprecated), and
# in both the port is the one the probe's own TCP or TLS socket listens on:
# the sent-by port of the Via of that very request (never the UDP port).
# The account has no binding, so after the binding query the probe adds
# its own: that REGISTER carries the Contact.
. "$(dirname "$0")/lib.sh"
need_cmd openssl
setup
make_test_ca "$TEST_TMP/tls"
kam_start main --tls "$TEST_TMP/tls"
# check_contact LABEL SCHEME TRANSPORT VIA-PROTO PROBE-ARGS...: one run, the
# Contact of its binding REGISTER against that request's Via.
check_contact() {
	local label=$1 scheme=$2 transport=$3 via_proto=$4
	shift 4
	kam_log_mark
	run_probe -- "$@" --aor sip:alice@127.0.0.1 --no-capture \
		--password-file "$(password_file alice "$ALICE_PASSWORD")"
	assert_json '.fault' success "$label"
	local line contact port via via_port
	line=$(server_register_lines alice | grep -v ' contact=<null> ' | head -1)
	[ -n "$line" ] || { fail "$label: the server received no REGISTER with a Contact"; return; }
	contact=$(printf '%s\n' "$line" | sed -n 's/.* contact=\(.*\) authz=.*/\1/p')
	via=$(printf '%s\n' "$line" | sed -n 's/.* via=\(.*\)$/\1/p')
	log "$label: Contact $contact, Via $via"
	printf '%s\n' "$contact" | grep -Eq "^<$scheme:sipdiag-[0-9a-f]{8}@127\.0\.0\.1:[0-9]+;transport=$transport>\$" ||
		fail "$label: Contact '$contact' is not <$scheme:sipdiag-...@127.0.0.1:PORT;transport=$transport>"
	port=$(printf '%s\n' "$contact" | sed -n 's/.*@127\.0\.0\.1:\([0-9]*\).*/\1/p')
	printf '%s\n' "$via" | grep -q "^SIP/2.0/$via_proto " ||
		fail "$label: the REGISTER's Via '$via' is not $via_proto"
	via_port=$(printf '%s\n' "$via" | sed -n 's|^SIP/2.0/[A-Z]* [^:;]*:\([0-9]*\).*|\1|p')
	[ -n "$port" ] && [ "$port" = "$via_port" ] ||
		fail "$label: Contact port '$port' is not the $via_proto port the request was sent from (Via port '$via_port')"
}
check_contact tcp sip tcp TCP --registrar "sip:127.0.0.1:$KAM_PORT" --transport tcp
check_contact tls sips tcp TLS --registrar "sips:127.0.0.1:$KAM_TLS_PORT" \
	--ca-file "$TEST_TMP/tls/ca.pem"
finish
