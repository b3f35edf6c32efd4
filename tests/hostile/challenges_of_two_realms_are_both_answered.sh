#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 401 challenging two realms at once (RFC 3261 22.3: one
# credentials per realm) gets one Authorization per realm.  Mode
# two-realms: two WWW-Authenticate headers (realms "hostile" and
# "hostile-b"); 200 only to a REGISTER answering both, 401 again otherwise.
# Expected: success after the binding query (401, both answered -> 200) and
# the probe's own binding (200): 3 REGISTERs + the removal.  Before, only
# the topmost challenge was answered: the 401 came back every time and the
# verdict was authFailure 401 after 4 REGISTERs.
. "$(dirname "$0")/lib.sh"

hostile_setup
for tp in udp tcp; do
	hostile_case "$tp" two-realms
	expect 200 success 3 1
done
finish
