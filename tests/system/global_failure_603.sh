#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 603 to REGISTER is classed as a global failure (6xx).
# The registrar (user "declined" in tests/kamailio/registrar.cfg.in) answers the
# first REGISTER with "603 Decline".  The probe must take that final answer as the
# verdict at once: code 603, fault globalFailure, exit status 1, exactly one REGISTER
# (received by Kamailio), no pings, and no binding left.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
check_final_response declined 603 globalFailure "Decline"
finish
