#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves --attempts 1 still lets the registrar's challenge be answered: the
# first 401 asks for credentials, it rejects none, so it is no failed
# attempt.  Alice at Kamailio with the right password and --attempts 1:
# success, 3 REGISTERs (binding query: 401, then with credentials 200; the
# probe's own binding, 200) and its removal.  Before 5a79a84 the first 401
# used up the single attempt: authFailure, "still answered 401 after
# credentials were sent" (checked against a build of 232fe83).
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args alice) --attempts 1 --password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_result_shape
assert_verdict 200 success 0
assert_json '.attempts' 3
assert_json '.binding_removed' true
assert_jq '.diagnosis | test("after credentials") | not' "no claim of rejected credentials"
cleanup=$(jq -r '.cleanup_registers' "$PROBE_OUT")
assert_server_saw alice $((3 + cleanup))
assert_no_probe_binding alice
finish
