#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the diagnosis never costs the terminal its binding on a registrar
# that limits contacts per account.  Kamailio runs with max_contacts=1
# (SIPDIAG_MAX_CONTACTS_ONE); the terminal registers alice first.  Before
# the binding query, the probe's REGISTER added its own Contact: Kamailio
# answered "503 Too many registered contacts" and the verdict was a bare
# 503 serverError.  On account "replace" (save() replaces every other
# binding of the AOR) the same REGISTER evicted the terminal's binding.
# Now the probe queries the bindings first (REGISTER without Contact, RFC
# 3261 10.2.3), finds the terminal's, and adds none: success, "registered
# already, with 1 binding", 2 REGISTERs (401, then the query with
# credentials), nothing to remove, and the terminal's binding is still there.
. "$(dirname "$0")/lib.sh"

setup
kam_start main --define SIPDIAG_MAX_CONTACTS_ONE

# Precondition: this registrar really refuses a second binding for alice.
terminal_register alice "$ALICE_PASSWORD" "sip:terminal-alice@127.0.0.1:5999"
assert_binding_present alice terminal-alice@127.0.0.1:5999
if out=$(timeout 10 sipsak -U -C "sip:second-alice@127.0.0.1:5998" -x 3600 \
	-a "$ALICE_PASSWORD" -s "sip:alice@127.0.0.1:$KAM_PORT" 2>&1); then
	die "precondition: a second binding for alice was accepted (max_contacts=1 not in force)"
fi
printf '%s\n' "$out" | grep -q '503' ||
	die "precondition: a second binding was not refused with 503: $out"

for user in alice replace; do
	if [ "$user" = replace ]; then
		terminal_register replace "$ALICE_PASSWORD" "sip:terminal-replace@127.0.0.1:5997"
		assert_binding_present replace terminal-replace@127.0.0.1:5997
	fi
	kam_log_mark
	run_probe -- $(reg_args "$user") --password-file "$(password_file "$user" "$ALICE_PASSWORD")"
	assert_result_shape
	assert_verdict 200 success 0
	assert_json '.sip_status' 200
	assert_json '.bindings' 1 "the binding query lists the terminal's binding"
	assert_json '.attempts' 2 "query, 401, query with credentials, 200"
	assert_json '.cleanup_registers' 0 "the probe added no binding, so removes none"
	assert_jq '.diagnosis | test("registered already, with 1 binding")' \
		"the diagnosis says the account is registered elsewhere"
	assert_jq '.diagnosis | test("503|serverError") | not' "no bare 503 in the diagnosis"
	assert_server_saw "$user" 2
	# No REGISTER of the probe carried a Contact, and none was saved.
	if server_register_lines "$user" | grep -q 'contact=<*sips*:sipdiag-'; then
		fail "a REGISTER of the probe for $user carried its Contact"
	fi
	assert_eq "$(server_probe_saves "$user" | wc -l)" 0 "probe Contacts saved for $user"
	assert_no_probe_binding "$user"
done
assert_binding_present alice terminal-alice@127.0.0.1:5999
assert_binding_present replace terminal-replace@127.0.0.1:5997
finish
