#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# Issue 10: 1000 rows that fail at once do not block the agent (benchmark
# style: prints numbers, asserts only correctness).  1000 manager rows
# against a closed UDP port, sipDiagTrapGeneration failure, created and
# triggered with a few big SetRequests; while they run, every GET of
# sipDiagRunning is answered (latencies printed, not asserted); all 1000 end
# with a failure fault and one run; snmptrapd receives 1000 sipDiagFailure
# notifications, one per row.
. "$(dirname "$0")/fleet_lib.sh"

N=${SIPDIAG_FLEET_ROWS:-1000}
setup
CLOSED=$(closed_udp_port)
cat >>"$SDCONF" <<EOF2
sipdiagMinRerunInterval 0
sipDiagMaxConcurrent 1000
EOF2
start_snmptrapd
start_snmpd
start_sipdiagd
grep -h "concurrent" "$TMP/sipdiagd.log" | sed 's/^/sipdiagd.log: /'

# One SNMPv2c SetRequest per batch of rows (strings and integers), then
# the triggers, then GETs of sipDiagRunning.0 until it is 0 again.
cat >"$TMP/fleet.py" <<'PY'
import random, socket, statistics, sys, time
host, port, community, n, closed = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), int(sys.argv[4]), sys.argv[5]
T = "1.3.6.1.4.1.8072.9999.9999.5060.1.4.1"
RUNNING = "1.3.6.1.4.1.8072.9999.9999.5060.1.1.6.0"
def enc_len(k):
    if k < 0x80: return bytes([k])
    b = k.to_bytes((k.bit_length() + 7) // 8, "big"); return bytes([0x80 | len(b)]) + b
def tlv(tag, v): return bytes([tag]) + enc_len(len(v)) + v
def enc_int(i): return tlv(0x02, i.to_bytes(max(1, (i.bit_length() + 8) // 8), "big", signed=True))
def enc_oid(text):
    a = [int(x) for x in text.strip(".").split(".")]; out = bytearray([40 * a[0] + a[1]])
    for arc in a[2:]:
        c = [arc & 0x7F]; arc >>= 7
        while arc: c.append(0x80 | (arc & 0x7F)); arc >>= 7
        out += bytes(reversed(c))
    return tlv(0x06, bytes(out))
def dec(buf, pos):
    tag, length = buf[pos], buf[pos + 1]; pos += 2
    if length & 0x80:
        k = length & 0x7F; length = int.from_bytes(buf[pos:pos + k], "big"); pos += k
    return tag, buf[pos:pos + length], pos + length
def ix(name, owner="test"):
    t = lambda s: ".".join([str(len(s))] + [str(ord(c)) for c in s])
    return t(owner) + "." + t(name)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def request(tag, varbinds, timeout):
    rid = random.randint(1, 2**31 - 1)
    pdu = tlv(tag, enc_int(rid) + enc_int(0) + enc_int(0) + tlv(0x30, b"".join(varbinds)))
    sock.settimeout(timeout)
    sock.sendto(tlv(0x30, enc_int(1) + tlv(0x04, community) + pdu), (host, port))
    t0 = time.monotonic()
    while True:
        data = sock.recv(65535)
        _, msg, _ = dec(data, 0); _, _, p = dec(msg, 0); _, _, p = dec(msg, p)
        t, resp, _ = dec(msg, p); _, r, q = dec(resp, 0)
        if int.from_bytes(r, "big", signed=True) != rid: continue
        _, st, q = dec(resp, q); _, ei, q = dec(resp, q)
        st = int.from_bytes(st, "big", signed=True); ei = int.from_bytes(ei, "big", signed=True)
        _, vbl, _ = dec(resp, q)
        return st, ei, vbl, time.monotonic() - t0
def vb_int(oid, i): return tlv(0x30, enc_oid(oid) + enc_int(i))
def vb_str(oid, s): return tlv(0x30, enc_oid(oid) + tlv(0x04, s))
names = ["f%d" % i for i in range(1, n + 1)]
batch = int(sys.argv[6]) if len(sys.argv) > 6 else 40
t0 = time.monotonic(); pdus = 0
for k in range(0, n, batch):
    vbs = []
    for nm in names[k:k + batch]:
        i = ix(nm)
        vbs += [vb_int(T + ".16." + i, 4), vb_str(T + ".3." + i, ("sip:127.0.0.1:" + closed).encode()),
                vb_str(T + ".4." + i, ("sip:%s@127.0.0.1" % nm).encode()), vb_str(T + ".6." + i, b"pw"),
                vb_str(T + ".12." + i, b"\x40")]
    st, ei, _, _ = request(0xA3, vbs, 30); pdus += 1
    if st: print("CREATE-ERROR status %d index %d (batch at row %d)" % (st, ei, k + 1)); sys.exit(1)
print("created %d rows with %d SetRequests in %.2f s" % (n, pdus, time.monotonic() - t0))
t0 = time.monotonic(); pdus = 0
for k in range(0, n, 200):
    st, ei, _, _ = request(0xA3, [vb_int(T + ".10." + ix(nm), 2) for nm in names[k:k + 200]], 30); pdus += 1
    if st: print("TRIGGER-ERROR status %d index %d" % (st, ei)); sys.exit(1)
print("triggered %d rows with %d SetRequests in %.2f s" % (n, pdus, time.monotonic() - t0))
lat, timeouts, peak, seen, start = [], 0, 0, False, time.monotonic()
while time.monotonic() - start < 120:
    try:
        st, _, vbl, dt = request(0xA0, [tlv(0x30, enc_oid(RUNNING) + b"\x05\x00")], 5)
    except socket.timeout:
        timeouts += 1; continue
    lat.append(dt * 1000)
    _, vb, _ = dec(vbl, 0); _, _, p = dec(vb, 0); tag, v, _ = dec(vb, p)
    running = int.from_bytes(v, "big") if tag == 0x42 else -1
    peak = max(peak, running)
    if running > 0: seen = True
    if running == 0 and (seen or time.monotonic() - start > 5): break
    time.sleep(0.05)
lat.sort()
print("GETs of sipDiagRunning during the runs: %d answered, %d unanswered (5 s timeout), peak running %d, "
      "latency median %.1f ms, p90 %.1f ms, max %.1f ms, runs over after %.1f s" % (
          len(lat), timeouts, peak, statistics.median(lat) if lat else -1,
          lat[int(len(lat) * 0.9)] if lat else -1, lat[-1] if lat else -1, time.monotonic() - start))
print("UNANSWERED %d" % timeouts)
PY
out=$(python3 "$TMP/fleet.py" 127.0.0.1 "$SNMP_PORT" "$COMMUNITY" "$N" "$CLOSED" 2>&1)
printf '%s\n' "$out" | sed 's/^/numbers: /'
printf '%s\n' "$out" | grep -q "^created $N rows" || die "creating the rows failed: $out"
printf '%s\n' "$out" | grep -q "^triggered $N rows" || die "triggering the rows failed: $out"
check_eq "$(printf '%s\n' "$out" | sed -n 's/^UNANSWERED //p')" 0 "every GET of sipDiagRunning during the runs was answered"

# every row: one run, a failure
t0=$SECONDS
done_all() { [ "$(swalk "$T.$C_STATS_RUNS" | awk '$2 >= 1' | wc -l)" -ge "$N" ]; }
poll 180 done_all || fail "not all $N rows ended a run within 180 s"
log "numbers: all rows ended their run $((SECONDS - t0)) s after the GET loop"
faults=$(swalk "$T.$C_FAULT" | grep -F "$T.$C_FAULT.$(oid_text test)." | awk '{print $2}' | sort | uniq -c | tr -s ' ' | tr '\n' ',')
log "numbers: faults: $faults"
nfail=$(swalk "$T.$C_FAULT" | grep -F "$T.$C_FAULT.$(oid_text test)." | awk -v a=$F_NO_RESPONSE -v b=$F_NOT_LISTENING '$2 == a || $2 == b' | wc -l)
check_eq "$nfail" "$N" "rows that ended with a closed-port failure fault"
check_eq "$(swalk "$T.$C_STATS_FAILURES" | awk '$2 == 1' | wc -l)" "$N" "rows with sipDiagStatsFailures 1"

# one sipDiagFailure per row
t0=$SECONDS
ntr() { grep -cF "OID: $NOTIF_FAILURE	" "$TMP/traps.log"; }
poll 240 eval '[ "$(ntr)" -ge "$N" ]' || true
log "numbers: $(ntr) sipDiagFailure notifications received, the last $((SECONDS - t0)) s after all runs ended"
sleep 2
check_eq "$(ntr)" "$N" "sipDiagFailure notifications"
check_eq "$(grep -F "OID: $NOTIF_FAILURE	" "$TMP/traps.log" | grep -oF "$T.$C_AOR.$(oid_text test)." | wc -l)" "$N" \
	"every sipDiagFailure names its row"
distinct=$(grep -F "OID: $NOTIF_FAILURE	" "$TMP/traps.log" | grep -o "$T\\.$C_AOR\\.[0-9.]* " | sort -u | wc -l)
check_eq "$distinct" "$N" "rows named by the sipDiagFailure notifications (one each)"
check_eq "$(ntraps_other=$(grep -cF "OID: $NOTIF	" "$TMP/traps.log"); echo "$ntraps_other")" 0 "no sipDiagComplete (bit not set)"
kill -0 "$SIPDIAGD_PID" 2>/dev/null || fail "sipdiagd died"
finish
