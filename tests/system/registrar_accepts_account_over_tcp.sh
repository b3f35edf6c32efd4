#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the success path works over TCP too (--transport tcp): the same
# checks as registrar_accepts_account.sh: user alice, 401 then 200, so the diagnosis
# takes 2 REGISTERs; after the 200 the probe removes its own binding
# (Contact user part "sipdiag-...", expires 0), while the binding the
# terminal itself made before (sipsak, another Contact) stays registered.
# The password comes from a file that ends in a newline, as editors write it.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
terminal_register alice "$ALICE_PASSWORD" "sip:terminal-alice@127.0.0.1:5999"
assert_binding_present alice terminal-alice@127.0.0.1:5999

kam_log_mark
run_probe -- $(reg_args alice tcp) --password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 200 success 0
assert_json '.sip_status' 200
assert_json '.sip_reason' OK
assert_json '.attempts' 2 "REGISTER, 401, REGISTER with credentials, 200"
assert_json_num '.cleanup_registers' -ge 1 "the binding must be removed"
assert_json '.binding_removed' true
assert_no_pings
assert_jq '.rtt_ms | type == "number" and . >= 0' "rtt_ms measured"
assert_jq '.duration_ms | type == "number" and . >= 0' "duration_ms measured"
assert_server 127.0.0.1 "$KAM_PORT" tcp
assert_jq '(.steps | length) >= 4' "steps hold at least 2 requests and 2 responses"

# What Kamailio saw agrees with the counts the probe reports.
cleanup=$(jq -r '.cleanup_registers' "$PROBE_OUT")
assert_server_saw alice $((2 + cleanup))
assert_probe_binding_made_and_removed alice
assert_no_probe_binding alice
assert_binding_present alice terminal-alice@127.0.0.1:5999
if server_register_lines alice | grep -v ' proto=tcp ' | grep -q .; then
	fail "a REGISTER of the probe did not arrive over TCP:"
	server_register_lines alice >&2
fi
finish
