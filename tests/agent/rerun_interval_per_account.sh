#!/bin/bash
# The minimum interval between two diagnoses of one account
# (sipdiagMinRerunInterval): a manager hammering the trigger gets
# resourceUnavailable and the SIP server sees the REGISTERs of one diagnosis
# only; another row naming the same account (spelled differently) is refused
# too, another account is not; after the interval a trigger succeeds again.
. "$(dirname "$0")/lib.sh"
setup
INTERVAL_MS=15000
echo "sipdiagMinRerunInterval $INTERVAL_MS" >>"$SDCONF"
start_snmptrapd
start_snmpd
start_sipdiagd

# A registrar that answers every REGISTER with 403 at once and writes
# "USER CALL-ID" of each one it receives to $TMP/registers.
REG_PORT=$(pick_free_port)
: >"$TMP/registers"
cat >"$TMP/registrar.py" <<'EOF'
import re, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
log = open(sys.argv[2], "a")
while True:
    data, peer = s.recvfrom(65535)
    text = data.decode("utf-8", "replace")
    if not text.startswith("REGISTER "):
        continue
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    keep, call_id, user = [], "", "?"
    for h in head[1:]:
        name = h.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"):
            keep.append(h + (";tag=counting" if name in ("to", "t") else ""))
        if name in ("call-id", "i"):
            call_id = h.split(":", 1)[1].strip()
        if name in ("to", "t"):
            m = re.search(r"sips?:([^@;>]*)@", h)
            user = m.group(1) if m else "?"
    log.write("%s %s\n" % (user, call_id))
    log.flush()
    reply = "SIP/2.0 403 Forbidden\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n"
    s.sendto(reply.encode(), peer)
EOF
python3 "$TMP/registrar.py" "$REG_PORT" "$TMP/registers" </dev/null >"$TMP/registrar.log" 2>&1 &
REG_PID=$!
on_cleanup "stop_pid $REG_PID"
for i in $(seq 1 201); do
	ss -Hanu 2>/dev/null | awk '{print $4}' | grep -q "^127.0.0.1:$REG_PORT\$" && break
	[ "$i" = 201 ] && hard_error "the registrar does not listen on 127.0.0.1:$REG_PORT after 20 s"
	sleep 0.1
done

# diagnoses (distinct Call-IDs) the registrar saw for USER (any case)
diagnoses_seen() { awk -v u="$1" 'tolower($1) == u { print $2 }' "$TMP/registers" | sort -u | wc -l; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

REG="sip:127.0.0.1:$REG_PORT"
new_row 1 "$REG" sip:alice@127.0.0.1 "$T.$C_TRANSPORT.$(ix 1)" i 2
expect_set "" "first trigger of alice" "$T.$C_STATE.$(ix 1)" i 2
wait_state 1 4 15
t_end=$(now_ms)
check_eq "$(sget "$T.$C_SIP_STATUS.$(ix 1)")" 403 "the registrar's answer"
check_eq "$(diagnoses_seen alice)" 1 "diagnoses of alice the registrar saw"

# 19 more triggers in a row, as fast as a manager can send them
refused=0 other=""
for i in $(seq 2 20); do
	if [ $(( $(now_ms) - t_end )) -ge $((INTERVAL_MS - 3000)) ]; then
		log "trigger $i: too close to the end of the interval on this slow machine; stopping"
		break
	fi
	got=$(sset "$T.$C_STATE.$(ix 1)" i 2)
	if [ "$got" = resourceUnavailable ]; then refused=$((refused + 1)); else other+=" $i:${got:-success}"; fi
done
log "hammering: $refused triggers refused in $(( $(now_ms) - t_end )) ms"
[ -z "$other" ] || fail "triggers within the interval not refused:$other"
[ "$refused" -ge 10 ] || fail "only $refused triggers could be tried within the interval"
# (sipDiagStatsRuns replaced sipDiagResultRunCount in issue 10)
check_eq "$(sget "$T.$C_STATS_RUNS.$(ix 1)")" 1 "runs of row 1 after hammering"

# the same account in another row, spelled differently: refused too
new_row 2 "$REG;transport=udp" "sip:ALICE@127.0.0.1:$REG_PORT" "$T.$C_TRANSPORT.$(ix 2)" i 2
expect_set resourceUnavailable "alice through another row" "$T.$C_STATE.$(ix 2)" i 2
check_eq "$(sget "$T.$C_STATE.$(ix 2)")" 1 "row 2 still state none"
# another account at the same registrar is not held back
new_row 3 "$REG" sip:bob@127.0.0.1 "$T.$C_TRANSPORT.$(ix 3)" i 2
expect_set "" "bob meanwhile" "$T.$C_STATE.$(ix 3)" i 2
wait_state 3 4 15
sleep 1   # any late retransmission reaches the registrar's log
check_eq "$(diagnoses_seen alice)" 1 "diagnoses of alice the registrar saw after hammering"
check_eq "$(diagnoses_seen bob)" 1 "diagnoses of bob"

# after the interval (counted from the end of alice's diagnosis)
left=$(( INTERVAL_MS - ($(now_ms) - t_end) + 1000 ))
[ "$left" -gt 0 ] && sleep "$(awk -v m="$left" 'BEGIN { printf "%.3f", m / 1000 }')"
expect_set resourceUnavailable "alice in two rows of one SET" "$T.$C_STATE.$(ix 1)" i 2 "$T.$C_STATE.$(ix 2)" i 2
check_eq "$(sget "$T.$C_STATE.$(ix 1)") $(sget "$T.$C_STATE.$(ix 2)")" "4 1" "nothing applied by the refused SET"
expect_set "" "alice after the interval" "$T.$C_STATE.$(ix 2)" i 2
wait_state 2 4 15
sleep 1
check_eq "$(diagnoses_seen alice)" 2 "diagnoses of alice the registrar saw in all"
expect_set resourceUnavailable "and row 1 right after row 2" "$T.$C_STATE.$(ix 1)" i 2

# 0 turns the limit off (SIGHUP re-reads it)
sed -i "s/^sipdiagMinRerunInterval .*/sipdiagMinRerunInterval 0/" "$SDCONF"
reload_sipdiagd
expect_set "" "alice with the limit off" "$T.$C_STATE.$(ix 1)" i 2
wait_state 1 4 15
expect_set "" "and again at once" "$T.$C_STATE.$(ix 1)" i 2
wait_state 1 4 15
kill -0 "$SIPDIAGD_PID" || fail "sipdiagd is gone"
finish
