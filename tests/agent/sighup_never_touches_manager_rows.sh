#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: a config reload (SIGHUP) or a restart never destroys or changes
# a manager's row (before, a config account with the same integer index
# replaced a manager's nonVolatile row).  A manager's nonVolatile row
# test.1 and a config account named "1" (device.1) live side by side;
# SIGHUP, a changed account line, a restart: the manager row keeps its
# configuration (and, across the SIGHUP, its result and counters).  Then the
# configuration moves the device owner to "test", the manager's owner: the
# account 1 is ignored with a log line, the manager's row stays as it was.
. "$(dirname "$0")/fleet_lib.sh"

setup
CLOSED=$(closed_udp_port)
cat >>"$SDCONF" <<EOF2
sipdiagMinRerunInterval 0
sipdiagAccount 1 registrar=sip:127.0.0.1:$CLOSED aor=sip:account1@127.0.0.1 password=acc expires=300
EOF2
start_snmptrapd
start_snmpd
start_sipdiagd

M=$(ix 1) D=$(dx 1)
new_row 1 "sip:127.0.0.1:$CLOSED" sip:manager1@127.0.0.1 \
	"$T.$C_EXPIRES.$M" u 1234 "$T.$C_TRAPS.$M" x "$TRAPS_COMPLETE" "$T.$C_MAX_RUNS.$M" u 7
check_eq "$(rcol $C_STORAGE "$M")" 3 "the manager's row is nonVolatile"
check_eq "$(rcol $C_AOR "$D")" sip:account1@127.0.0.1 "the account device.1 is there as well"
run_and_wait "$M" 20 "manager row's first run"

check_manager() { # WHAT
	check_eq "$(rcol $C_ROWSTATUS "$M")" 1 "$1: manager row active"
	check_eq "$(rcol $C_STORAGE "$M")" 3 "$1: manager row nonVolatile"
	check_eq "$(rcol $C_REGISTRAR "$M")" "sip:127.0.0.1:$CLOSED" "$1: manager row's registrar"
	check_eq "$(rcol $C_AOR "$M")" sip:manager1@127.0.0.1 "$1: manager row's AOR"
	check_eq "$(rcol $C_EXPIRES "$M")" 1234 "$1: manager row's expires"
	check_eq "$(sget "$T.$C_TRAPS.$M")" '"80 "' "$1: manager row's sipDiagTrapGeneration complete (hex 80)"
	check_eq "$(rcol $C_MAX_RUNS "$M")" 7 "$1: manager row's sipDiagMaxRuns"
	check_eq "$(rcol $C_STATS_RUNS "$M")" 1 "$1: manager row's sipDiagStatsRuns"
}
reload_sipdiagd
check_manager "after a SIGHUP"
check_eq "$(rcol $C_STATE "$M")" 4 "after a SIGHUP: manager row keeps its result"

sed -i -e 's/expires=300/expires=400/' -e 's/account1@/account1b@/' "$SDCONF"
reload_sipdiagd
check_manager "after a SIGHUP with the account changed"
check_eq "$(rcol $C_STATE "$M")" 4 "after a changed account: manager row keeps its result"
check_eq "$(rcol $C_AOR "$D")" sip:account1b@127.0.0.1 "the account device.1 changed"
check_eq "$(rcol $C_EXPIRES "$D")" 400 "the account device.1 has the new expires"

stop_sipdiagd
start_sipdiagd
check_manager "after a restart"

# the device owner becomes the manager's owner: the account is ignored
sed -i -e 's/expires=400/expires=500/' "$SDCONF"
echo "sipdiagDeviceOwner $TEST_OWNER" >>"$SDCONF"
mark=$(wc -l <"$TMP/sipdiagd.log")
reload_sipdiagd
check_manager "after sipdiagDeviceOwner $TEST_OWNER (SIGHUP)"
tail -n +$((mark + 1)) "$TMP/sipdiagd.log" | grep -q "account .*1.* ignored: a manager's row has that owner and name" ||
	fail "no log line says the account 1 is ignored because of the manager's row (log: $(tail -n +$((mark + 1)) "$TMP/sipdiagd.log" | tr '\n' '|'))"
# (sipdiagd's -Lf log starts afresh with each start)
stop_sipdiagd
start_sipdiagd
check_manager "after sipdiagDeviceOwner $TEST_OWNER (restart)"
grep -q "account .*1.* ignored: a manager's row has that owner and name" "$TMP/sipdiagd.log" ||
	fail "after the restart: no log line says the account 1 is ignored"
kill -0 "$SIPDIAGD_PID" 2>/dev/null || fail "sipdiagd died"
finish
