#!/bin/bash
# snmpget stays fast while 50 diagnoses run (one thread, nothing blocks).
. "$(dirname "$0")/lib.sh"
start_all
start_silent_udp
sset $SC.2.0 u 3 >/dev/null
sset $SC.4.0 u 4000 >/dev/null
sset $SC.5.0 u 64 >/dev/null
args=()
for i in $(seq 1 50); do
	args+=("$T.31.$i" i 4 "$T.2.$i" s "sip:127.0.0.1:$SILENT_PORT" "$T.3.$i" s "sip:u$i@127.0.0.1" "$T.5.$i" s pw)
	if [ $((i % 10)) = 0 ]; then
		err=$(sset "${args[@]}"); [ -z "$err" ] || die "creating rows: $err"; args=()
	fi
done
trig=()
for i in $(seq 1 50); do trig+=("$T.10.$i" i 2); done
t0=$(date +%s%N)
err=$(sset "${trig[@]}"); [ -z "$err" ] || die "triggering: $err"
log "50 runs triggered in one SET: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check_eq "$(sget $SC.6.0)" 50 "sipDiagRunning"
max=0 sum=0 n=0 slow=0
for k in $(seq 1 30); do
	i=$(( (k % 50) + 1 ))
	t0=$(date +%s%N)
	v=$(sget $T.10.$i $T.27.$i $SC.6.0)
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ -n "$v" ] || fail "get $k unanswered"
	sum=$((sum + ms)); n=$((n + 1))
	[ "$ms" -gt "$max" ] && max=$ms
	[ "$ms" -ge 1000 ] && slow=$((slow + 1))
	sleep 0.02
done
log "snmpget while 50 runs ran: $n gets, average $((sum / n)) ms, max $max ms (process start of snmpget included)"
[ "$slow" = 0 ] || fail "$slow gets took 1 s or more"
running=$(sget $SC.6.0)
log "still running at the end of the measurement: $running"
[ "$running" -gt 0 ] || fail "the measurement did not overlap the runs"
for i in $(seq 1 50); do wait_state $i 4 30 || break; done
check_eq "$(swalk $T.13 | grep -c ' 5$')" 50 "all 50 serverNoResponse"
finish
