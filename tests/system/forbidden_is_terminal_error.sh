#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 403 to REGISTER is classed as a terminal error (other 4xx).
# The registrar (user "forbidden" in tests/kamailio/registrar.cfg.in) answers the
# first REGISTER with "403 Forbidden".  The probe must take that final answer as the
# verdict at once: code 403, fault terminalError, exit status 1, exactly one REGISTER
# (received by Kamailio), no pings, and no binding left.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
check_final_response forbidden 403 terminalError "Forbidden"
finish
