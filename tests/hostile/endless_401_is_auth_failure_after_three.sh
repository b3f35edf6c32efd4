#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a server that challenges every REGISTER with a fresh nonce gets the
# verdict 401 authFailure after 3 rejected credentials: 4 REGISTERs (the
# first 401 asks for credentials, it rejects none).  With stale=TRUE on
# every challenge (RFC 7616 3.3: right credentials, expired nonce) the
# probe answers the new nonce twice without counting, then counts: 6
# REGISTERs, never endless; with --attempts 10 it stops at 10, the
# documented maximum, and never more.
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" endless-401
	expect 401 authFailure 4
done
hostile_case udp endless-401 --stale
expect 401 authFailure 6
for tp in udp tcp; do
	hostile_case "$tp" endless-401 --stale -- --attempts 10 --timer 20
	expect 401 authFailure 10
done
# Every REGISTER but the first carried credentials for a fresh nonce.
assert_eq "$(grep -c ' method=REGISTER .* auth=1 ' "$HR_LOG")" 9 "REGISTERs with credentials"
finish
