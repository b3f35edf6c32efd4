#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a working account is diagnosed as success and the probe leaves no
# trace.  User alice needs WWW digest auth.  The REGISTERs first query the
# bindings (no Contact, RFC 3261 10.2.3): 401, then the query with
# credentials, 200.  With no binding listed, the probe adds its own Contact
# (user part "sipdiag-...") with the same credentials, 200, and removes it
# (expires 0): 3 REGISTERs + the removal.  Once the terminal has registered
# (sipsak, another Contact), the 200 to the query lists that binding and
# the probe adds none: 2 REGISTERs, nothing to remove, the terminal's
# binding untouched.
# The password comes from a file that ends in a newline, as editors write it.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args alice) --password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 200 success 0
assert_json '.sip_status' 200
assert_json '.sip_reason' OK
assert_json '.attempts' 3 "query, 401, query with credentials, 200, REGISTER adding the probe's Contact, 200"
assert_json '.bindings' 0 "no binding before the probe's"
assert_json_num '.cleanup_registers' -ge 1 "the binding must be removed"
assert_json '.binding_removed' true
assert_no_pings
assert_jq '.rtt_ms | type == "number" and . >= 0' "rtt_ms measured"
assert_jq '.duration_ms | type == "number" and . >= 0' "duration_ms measured"
assert_server 127.0.0.1 "$KAM_PORT" udp
assert_jq '(.steps | length) >= 4' "steps hold at least 2 requests and 2 responses"

# What Kamailio saw agrees with the counts the probe reports.
cleanup=$(jq -r '.cleanup_registers' "$PROBE_OUT")
assert_server_saw alice $((3 + cleanup))
assert_probe_binding_made_and_removed alice
assert_no_probe_binding alice

# The terminal registered: the query lists its binding, the probe adds none.
terminal_register alice "$ALICE_PASSWORD" "sip:terminal-alice@127.0.0.1:5999"
assert_binding_present alice terminal-alice@127.0.0.1:5999
kam_log_mark
run_probe -- $(reg_args alice) --password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_result_shape
assert_verdict 200 success 0
assert_json '.bindings' 1 "the terminal's binding is listed"
assert_json '.attempts' 2 "query, 401, query with credentials, 200"
assert_json '.cleanup_registers' 0 "nothing was added, nothing to remove"
assert_server_saw alice 2
assert_eq "$(server_probe_saves alice | wc -l)" 0 "probe Contacts saved"
assert_no_probe_binding alice
assert_binding_present alice terminal-alice@127.0.0.1:5999
finish
