#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a redirect loop is never entered: a 302 to the very same port, and
# a 302 to a second port of the same server (which would 302 back), each
# end the diagnosis with 302 serverAnomaly after 1 REGISTER, and the second
# port never receives anything.
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" redirect-self
	expect 302 serverAnomaly 1
	hostile_case "$tp" redirect-other
	expect 302 serverAnomaly 1
	second=$(sed -n 's/.*HOSTILE-READY .*second_port=\([0-9]*\).*/\1/p' "$HR_LOG")
	[ -n "$second" ] && [ "$second" != 0 ] || fail "no second port in the server log"
	assert_eq "$(server_registers all "$second")" 0 "REGISTERs sent to the redirect target"
	assert_no_pings
done
finish
