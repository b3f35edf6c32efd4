#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# contrib/nagios/check_sipdiag under a real Icinga 2 (Debian icinga2 2.13):
# a private daemon (icinga2 daemon -c <own file>, every path under the
# test's temp dir, no system service, no API) runs two services with the
# plugin every 2 s against the private snmpd + sipdiagd + Kamailio:
# "healthy" (alice, test/1) and "failing" (authfail with a wrong password,
# test/3).  Stopped, the daemon writes its state file (icinga2.state, the
# last check result of each service); we read that back: healthy OK (0),
# failing CRITICAL (2) with the plugin's "authFailure" line.
. "$(dirname "$0")/lib.sh"

need_cmd icinga2
PLUGIN=$top_srcdir/contrib/nagios/check_sipdiag
nms_setup
nms_start_daemons
healthy_row 1 5
wrong_password_row 3 5
wait_runs 1 1 30 || finish
wait_runs 3 1 30 || finish

IC=$TMP/icinga2
mkdir -p "$IC/data" "$IC/log" "$IC/cache" "$IC/spool" "$IC/run"
cat >"$IC/icinga2.conf" <<-EOF
include <itl>
object CheckerComponent "checker" { }
object CheckCommand "sipdiag" {
  command = [ "$PLUGIN" ]
  arguments = {
    "-H" = "\$sipdiag_address\$"
    "-C" = "\$sipdiag_community\$"
    "--owner" = "\$sipdiag_owner\$"
    "--name" = "\$sipdiag_name\$"
    "--max-age" = "\$sipdiag_max_age\$"
  }
}
object Host "terminal" {
  check_command = "dummy"
  check_interval = 1h
  vars.sipdiag_address = "127.0.0.1:$SNMP_PORT"
}
template Service "sipdiag" {
  check_command = "sipdiag"
  check_interval = 2s
  retry_interval = 2s
  max_check_attempts = 1
  vars.sipdiag_community = "$COMMUNITY"
  vars.sipdiag_owner = "test"
  vars.sipdiag_max_age = 120
}
object Service "healthy" { import "sipdiag"; host_name = "terminal"; vars.sipdiag_name = "1" }
object Service "failing" { import "sipdiag"; host_name = "terminal"; vars.sipdiag_name = "3" }
EOF
DEFS=()
for kv in DataDir=data LogDir=log CacheDir=cache SpoolDir=spool InitRunDir=run; do
	DEFS+=(-D "Configuration.${kv%%=*}=$IC/${kv#*=}")
done
DEFS+=(-D Configuration.RunAsUser=root -D Configuration.RunAsGroup=root
	-D "Configuration.PidPath=$IC/run/icinga2.pid" -D "Configuration.VarsPath=$IC/cache/icinga2.vars"
	-D "Configuration.ObjectsPath=$IC/cache/icinga2.debug")
icinga2 daemon -C -c "$IC/icinga2.conf" "${DEFS[@]}" >"$IC/validate.log" 2>&1 ||
	{ tail -20 "$IC/validate.log"; hard_error "icinga2 rejects the configuration"; }
# setsid: the daemon and its umbrella/worker processes in one group, stopped together
setsid icinga2 daemon -c "$IC/icinga2.conf" "${DEFS[@]}" >"$TMP/icinga2.nmslog" 2>&1 </dev/null &
IC_PID=$!
on_cleanup "kill -TERM -- -$IC_PID; sleep 1; kill -KILL -- -$IC_PID"
log "icinga2 pid $IC_PID, config $IC/icinga2.conf"

# Let the checker run the two services a few times (every 2 s), then stop
# the daemon: it writes its program state (icinga2.state, one JSON object a
# line, last_check_result of every checkable) on shutdown; read it back.
sleep 12
kill -TERM "$(cat "$IC/run/icinga2.pid" 2>/dev/null || echo "$IC_PID")" 2>/dev/null
for i in $(seq 1 100); do
	[ -s "$IC/data/icinga2.state" ] && ! kill -0 "$IC_PID" 2>/dev/null && break
	sleep 0.2
done
[ -s "$IC/data/icinga2.state" ] || hard_error "icinga2 wrote no state file"
cp "$IC/data/icinga2.state" "$TMP/icinga2-state.nmslog"
# result SERVICE FIELD: state (0 OK .. 3 UNKNOWN) or output of its last
# check (the state file is a series of netstrings, LENGTH:JSON,)
result() {
	python3 - "$IC/data/icinga2.state" "terminal!$1" "$2" <<-'PY'
	import json, sys
	data, want, field = open(sys.argv[1], "rb").read(), sys.argv[2], sys.argv[3]
	i, val = 0, ""
	while i < len(data):
	    colon = data.index(b":", i)
	    n = int(data[i:colon])
	    obj = json.loads(data[colon + 1:colon + 1 + n])
	    i = colon + 1 + n + 1
	    if obj.get("type") == "Service" and obj.get("name") == want:
	        r = (obj.get("update") or {}).get("last_check_result") or {}
	        v = r.get(field, "")
	        val = str(int(v)) if isinstance(v, float) else str(v)
	print(val)
	PY
}
log "healthy: state $(result healthy state): $(result healthy output)"
log "failing: state $(result failing state): $(result failing output)"
check_eq "$(result healthy state)" 0 "Icinga 2 state of service healthy (OK)"
check_eq "$(result failing state)" 2 "Icinga 2 state of service failing (CRITICAL)"
case $(result failing output) in "SIPDIAG CRITICAL - authFailure: "*) log "ok: the plugin's line is the service output" ;;
*) fail "service failing: output '$(result failing output)'" ;; esac
finish
