#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 3xx to REGISTER is a server anomaly and is never followed.
# The registrar (user "moved" in tests/kamailio/registrar.cfg.in) answers the
# first REGISTER with "302 Moved Temporarily".  The probe must take that final answer as the
# verdict at once: code 302, fault serverAnomaly, exit status 1, exactly one REGISTER
# (received by Kamailio), no pings, and no binding left.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
check_final_response moved 302 serverAnomaly "Moved Temporarily"
# The 302 Contact points at user alice on this server: nothing may go there.
assert_server_saw alice 0
finish
