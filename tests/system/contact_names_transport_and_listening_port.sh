#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the Contact of the probe's REGISTER as the server received it
# (Kamailio's log): over TCP "sip:...;transport=tcp", over TLS to a sips:
# registrar "sips:...;transport=tcp" (RFC 3261 8.1.1.8: sips: for a sips:
# Request-URI; RFC 5630: TLS over TCP, transport=tls being deprecated), and
# in both the port is the one the probe's own TCP or TLS socket listens on
# (ss, while the probe waits on user "trying": 100 Trying, then nothing).
. "$(dirname "$0")/lib.sh"

need_cmd openssl
need_cmd ss
setup
make_test_ca "$TEST_TMP/tls"
kam_start main --tls "$TEST_TMP/tls"

# check_contact LABEL SCHEME TRANSPORT PROBE-ARGS...: one run, its Contact
# against the probe's listening TCP ports.
check_contact() {
	local label=$1 scheme=$2 transport=$3
	shift 3
	local listening=$TEST_TMP/listening-$label
	: >"$listening"
	( while :; do ss -Hltnp 2>/dev/null | grep -F '"sipdiag-probe"' >>"$listening"; sleep 0.05; done ) &
	local watcher=$!
	on_cleanup "kill $watcher"
	kam_log_mark
	run_probe -- "$@" --aor sip:trying@127.0.0.1 --attempts 1 --attempt-timeout 2 --pings 1 \
		--timer 10 --no-capture --password-file "$(password_file trying unused-secret)"
	kill "$watcher" 2>/dev/null
	wait "$watcher" 2>/dev/null
	local line contact port
	line=$(server_register_lines trying | head -1)
	[ -n "$line" ] || { fail "$label: the server received no REGISTER"; return; }
	contact=$(printf '%s\n' "$line" | sed -n 's/.* contact=\(.*\) authz=.*/\1/p')
	log "$label: Contact $contact"
	printf '%s\n' "$contact" | grep -Eq "^<$scheme:sipdiag-[0-9a-f]{8}@127\.0\.0\.1:[0-9]+;transport=$transport>\$" ||
		fail "$label: Contact '$contact' is not <$scheme:sipdiag-...@127.0.0.1:PORT;transport=$transport>"
	port=$(printf '%s\n' "$contact" | sed -n 's/.*@127\.0\.0\.1:\([0-9]*\).*/\1/p')
	awk '{print $4}' "$listening" | grep -Eq "[:.]$port\$" ||
		fail "$label: Contact port $port is not a TCP port the probe listened on ($(awk '{print $4}' "$listening" | sort -u | tr '\n' ' '))"
}

check_contact tcp sip tcp --registrar "sip:127.0.0.1:$KAM_PORT" --transport tcp
if ! server_register_lines trying | grep -q ' proto=tcp '; then
	fail "tcp: the REGISTER did not arrive over TCP"
fi
check_contact tls sips tcp --registrar "sips:127.0.0.1:$KAM_TLS_PORT" \
	--ca-file "$TEST_TMP/tls/ca.pem"
if ! server_register_lines trying | grep -q ' proto=tls '; then
	fail "tls: the REGISTER did not arrive over TLS"
fi
finish
