#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 401 without WWW-Authenticate (RFC 3261 21.4.2) and a 407 without
# Proxy-Authenticate (21.4.8) are no challenges: there is nothing to answer,
# so the verdict is code 52 malformedResponse after the one REGISTER, with
# the diagnosis naming the missing header, not authFailure ("credentials
# were sent": none were).  Before 5a79a84 the 401 was judged a challenge
# that could not be answered: authFailure 401 (checked against a build of
# 232fe83).
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" no-challenge
	expect 52 malformedResponse 1
	assert_json '.sip_status' 401
	assert_jq '.diagnosis | test("401 without the WWW-Authenticate")' "the diagnosis names the missing header"
	hostile_case "$tp" no-challenge --status 407
	expect 52 malformedResponse 1
	assert_json '.sip_status' 407
	assert_jq '.diagnosis | test("407 without the Proxy-Authenticate")' "the diagnosis names the missing header"
done
assert_eq "$(grep -c ' method=REGISTER .* auth=1 ' "$HR_LOG")" 0 "REGISTERs with credentials"
finish
