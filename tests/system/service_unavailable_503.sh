#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 503 from the network is a server error (5xx), distinct from sofia's locally generated 503.
# The registrar (user "unavailable" in tests/kamailio/registrar.cfg.in) answers the
# first REGISTER with "503 Service Unavailable".  The probe must take that final answer as the
# verdict at once: code 503, fault serverError, exit status 1, exactly one REGISTER
# (received by Kamailio), no pings, and no binding left.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
check_final_response unavailable 503 serverError "Service Unavailable"
finish
