#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves an account declared without password (--no-password: an
# IP-authenticated trunk) can be diagnosed.  Before, the configuration
# check called it incomplete ("password: is missing") and nothing was sent.
# - user brief (no auth at Kamailio): success, 2 REGISTERs (binding query,
#   the probe's own binding) and its removal;
# - user alice (digest auth): the 401 is the finding: authFailure 401 after
#   the one REGISTER, no credentials sent, and the diagnosis says the server
#   asks for credentials the account is declared not to have;
# - a password given as well is a contradiction: configIncomplete.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args brief) --no-password
assert_result_shape
assert_verdict 200 success 0
assert_json '.attempts' 2 "binding query, then the probe's own binding"
assert_json '.binding_removed' true

kam_log_mark
run_probe -- $(reg_args alice) --no-password
assert_result_shape
assert_verdict 401 authFailure 1
assert_json '.attempts' 1 "a challenge cannot be answered: one REGISTER"
assert_jq '.diagnosis | test("asks for credentials the account is declared not to have")' \
	"the diagnosis names the contradiction"
assert_jq '.diagnosis | test("after credentials") | not' "no claim that credentials were sent"
assert_server_saw alice 1
if server_register_lines alice | grep -q 'authz=Digest'; then
	fail "a REGISTER carried credentials"
fi

run_probe -- $(reg_args alice) --no-password --password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_verdict 1 configIncomplete 1
assert_jq '.diagnosis | test("declared without one")' "the contradiction is named"
finish
