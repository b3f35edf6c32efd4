#!/bin/bash
# snmpget is answered, with the values, while 50 diagnoses run (one
# thread, nothing blocks it for the master's 1 s AgentX timeout).  How fast
# is a measurement, logged here and benchmarked by tests/bench/run
# (docs/PERFORMANCE.md); this test fails on an unanswered GET only, not on
# a slow one: on a loaded machine a new snmpget process alone can take 1 s.
. "$(dirname "$0")/lib.sh"
start_all
start_silent_udp
sset $SC.2.0 u 3 >/dev/null
sset $SC.4.0 u 8000 >/dev/null    # 3 x 8 s: runs long enough for 30 gets on a slow machine
sset $SC.5.0 u 64 >/dev/null
args=()
for i in $(seq 1 50); do
	args+=("$T.$C_ROWSTATUS.$(ix "$i")" i 4 "$T.$C_REGISTRAR.$(ix "$i")" s "sip:127.0.0.1:$SILENT_PORT" "$T.$C_AOR.$(ix "$i")" s "sip:u$i@127.0.0.1" "$T.$C_PASSWORD.$(ix "$i")" s pw)
	if [ $((i % 10)) = 0 ]; then
		err=$(sset "${args[@]}"); [ -z "$err" ] || die "creating rows: $err"; args=()
	fi
done
trig=()
for i in $(seq 1 50); do trig+=("$T.$C_STATE.$(ix "$i")" i 2); done
t0=$(date +%s%N)
err=$(sset "${trig[@]}"); [ -z "$err" ] || die "triggering: $err"
log "50 runs triggered in one SET: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check_eq "$(sget $SC.6.0)" 50 "sipDiagRunning"
max=0 sum=0 n=0 slow=0 busy=0
for k in $(seq 1 30); do
	i=$(( (k % 50) + 1 ))
	t0=$(date +%s%N)
	# a long timeout of our own: what counts is the master's answer
	v=$(snmpget -v2c -c $COMMUNITY -On -Oqv -t 15 -r 0 "127.0.0.1:$SNMP_PORT" \
		$T.$C_STATE.$(ix "$i") $T.$C_DURATION.$(ix "$i") $SC.6.0 2>&1)
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	# state, duration and sipDiagRunning: three numbers, not "No Such
	# Object" (the master gave up on sipdiagd) nor a timeout
	[ "$(printf '%s\n' "$v" | grep -cE '^[0-9]+$')" = 3 ] ||
		fail "get $k (row $i) not answered with its values: $(printf '%s' "$v" | tr '\n' ' ')"
	sum=$((sum + ms)); n=$((n + 1))
	running=$(printf '%s\n' "$v" | sed -n 3p)
	[ "${running:-0}" -gt 0 ] 2>/dev/null && busy=$((busy + 1))
	[ "$ms" -gt "$max" ] && max=$ms
	[ "$ms" -ge 1000 ] && slow=$((slow + 1))
	sleep 0.02
done
log "snmpget while 50 runs ran: $n gets, average $((sum / n)) ms, max $max ms, $slow of 1 s or more (process start of snmpget included)"
log "gets that saw runs in progress: $busy of $n"
[ "$busy" -ge 10 ] || fail "the measurement did not overlap the runs ($busy gets saw sipDiagRunning > 0)"
for i in $(seq 1 50); do wait_state $i 4 60 || break; done
check_eq "$(swalk $T.$C_FAULT | grep -c ' 5$')" 50 "all 50 serverNoResponse"
finish
