#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 404 (unknown account) is classed as a terminal error (other 4xx).
# The registrar (user "nobody" in tests/kamailio/registrar.cfg.in) answers the
# first REGISTER with "404 Not Found".  The probe must take that final answer as the
# verdict at once: code 404, fault terminalError, exit status 1, exactly one REGISTER
# (received by Kamailio), no pings, and no binding left.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
check_final_response nobody 404 terminalError "Not Found"
finish
