#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a server that challenges every REGISTER with a fresh nonce (also
# with stale=TRUE, which must not restart the count) gets 3 REGISTERs and
# the verdict 401 authFailure; with --attempts 10 it gets exactly 10, the
# documented maximum, and never more.
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" endless-401
	expect 401 authFailure 3
done
hostile_case udp endless-401 --stale
expect 401 authFailure 3
for tp in udp tcp; do
	hostile_case "$tp" endless-401 --stale -- --attempts 10
	expect 401 authFailure 10
done
# Every REGISTER but the first carried credentials for a fresh nonce.
assert_eq "$(grep -c ' method=REGISTER .* auth=1 ' "$HR_LOG")" 9 "REGISTERs with credentials"
finish
