#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a "401 stale=TRUE" to right credentials is no rejection (RFC 7616
# 3.3: the nonce expired, the password is fine).  Mode stale-then-ok: 401
# to a REGISTER without credentials, 401 stale=TRUE to the first one with
# them, 200 to every later one.  Expected: success after the binding query
# (401, credentials -> 401 stale, new credentials -> 200 listing nothing)
# and the probe's own binding (200): 4 REGISTERs + its removal.  With
# --attempts 2 as well: the stale answer is not a failed attempt.
# Before 5a79a84 every 401 after credentials counted as a failed attempt:
# with --attempts 2 the run ended authFailure 401 after the stale challenge
# (checked against a build of 232fe83: code 401, 2 REGISTERs).
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" stale-then-ok
	expect 200 success 4 1
	assert_json '.bindings' 0 "the query listed no binding"
done
hostile_case udp stale-then-ok -- --attempts 2
expect 200 success 4 1
hostile_case udp stale-then-ok -- --attempts 1
expect 200 success 4 1
finish
