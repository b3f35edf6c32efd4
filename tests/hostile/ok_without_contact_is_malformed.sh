#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 2xx that lists no Contact to the REGISTER adding the probe's
# binding is code 53 malformedResponse (RFC 3261 10.3 step 8: the registrar
# answers with the bindings it stores; none listed, the binding was not
# stored).  Mode ok-without-contact answers 200 with no Contact to all: the
# binding query (no Contact) gets 200, no binding listed - normal for a
# query - then the REGISTER with the probe's Contact gets 200 without it:
# 53, 2 REGISTERs, nothing to remove.  Before 5a79a84 that 200 was success
# (checked against a build of 232fe83).
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" ok-without-contact
	expect 53 malformedResponse 2
	assert_json '.sip_status' 200
	assert_jq '.diagnosis | test("listed no Contact")' "the diagnosis says the binding was not stored"
done
finish
