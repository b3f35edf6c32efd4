#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 500 to REGISTER is classed as a server error (5xx).
# The registrar (user "broken" in tests/kamailio/registrar.cfg.in) answers the
# first REGISTER with "500 Server Internal Error".  The probe must take that final answer as the
# verdict at once: code 500, fault serverError, exit status 1, exactly one REGISTER
# (received by Kamailio), no pings, and no binding left.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
check_final_response broken 500 serverError "Server Internal Error"
finish
