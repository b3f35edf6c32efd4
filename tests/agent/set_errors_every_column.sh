#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Completes tests/agent/set_errors.sh systematically: every writable object
# of SIP-DIAG-MIB (the row's read-create columns and the read-write scalars)
# gets every other SMI type (INTEGER, OCTET STRING, NULL, OBJECT IDENTIFIER,
# IpAddress, Counter32, Gauge32, TimeTicks, Opaque, Counter64): wrongType;
# every string column (and the CA path scalars) an over-long value:
# wrongLength; every ranged or
# enumerated object the values just outside its range: wrongValue; every
# read-only column a write: notWritable; columns that do not exist:
# notWritable or noCreation.  Since issue 10 the row is { "test", "1" } and
# the new writable columns sipDiagFrequency, sipDiagTrapGeneration (BITS: a
# 2-octet value is wrongLength, a bit beyond recovery(2) wrongValue),
# sipDiagFailureThreshold and sipDiagMaxRuns are in the matrix; the gone
# sipDiagNotifyOnComplete is not.  Each error names the right varbind
# (error-index), and afterwards the row and the scalars read exactly as
# before: nothing was half-applied.  The combinations set_errors.sh already
# checks are left out.  The SETs are built with the BER encoder of
# tests/faults/snmp-garbage (snmpset cannot send every type).
. "$(dirname "$0")/lib.sh"
GARBAGE=$(cd "$(dirname "$0")/../faults" && pwd)/snmp-garbage
[ -r "$GARBAGE" ] || hard_error "missing $GARBAGE"

start_all
I1=$(ix 1)
new_row 1 "sip:127.0.0.1:9" sip:alice@127.0.0.1 "$T.$C_AUTH_USER.$I1" s alice-auth \
	"$T.$C_PROXY.$I1" s sip:127.0.0.1:10 "$T.$C_EXPIRES.$I1" u 600 \
	"$T.$C_TRAPS.$I1" x $TRAPS_COMPLETE "$T.$C_FREQUENCY.$I1" u 0 \
	"$T.$C_THRESHOLD.$I1" u 2 "$T.$C_MAX_RUNS.$I1" u 5 "$T.$C_STORAGE.$I1" i 2
snapshot() {
	local c
	for c in $C_REGISTRAR $C_AOR $C_AUTH_USER $C_TRANSPORT $C_EXPIRES $C_PROXY $C_STATE \
		$C_FREQUENCY $C_TRAPS $C_THRESHOLD $C_MAX_RUNS $C_STORAGE $C_ROWSTATUS; do
		printf 'row.%s=%s\n' "$c" "$(sget "$T.$c.$I1")"
	done
	for c in 1 2 3 4 5 9 10; do printf 'scalar.%s=%s\n' "$c" "$(sget "$SC.$c.0")"; done
}
before=$(snapshot)

out=$(python3 - "$GARBAGE" "$SNMP_PORT" "$COMMUNITY" <<'PY'
import importlib.machinery, importlib.util, socket, sys

loader = importlib.machinery.SourceFileLoader("garbage", sys.argv[1])
spec = importlib.util.spec_from_loader("garbage", loader)
g = importlib.util.module_from_spec(spec)
loader.exec_module(g)
port, community = int(sys.argv[2]), sys.argv[3].encode()
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", port))
ENTRY = g.ENTRY                       # sipDiagEntry, index { owner, name }
SCALARS = g.SIPDIAG + [1, 1]
ROW1, ROW2, ROW3 = g.row_index("1"), g.row_index("2"), g.row_index("3")


def col(c, row=ROW1):
    return ENTRY + [c] + row

INT, STR, NUL, OID, IPA, C32, G32, TT, OPQ, C64 = 0x02, 0x04, 0x05, 0x06, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46
SAMPLE = {INT: g.enc_int(1), STR: g.tlv(STR, b"sip:127.0.0.1"), NUL: g.tlv(NUL, b""),
          OID: g.enc_oid([1, 3, 6, 1]), IPA: g.tlv(IPA, bytes([127, 0, 0, 1])),
          C32: g.tlv(C32, b"\x01"), G32: g.tlv(G32, b"\x01"), TT: g.tlv(TT, b"\x01"),
          OPQ: g.tlv(OPQ, b"\x04\x01x"), C64: g.tlv(C64, b"\x01")}
NAMES = {INT: "INTEGER", STR: "OCTET STRING", NUL: "NULL", OID: "OBJECT IDENTIFIER",
         IPA: "IpAddress", C32: "Counter32", G32: "Gauge32", TT: "TimeTicks",
         OPQ: "Opaque", C64: "Counter64"}


def gauge(v):
    return g.tlv(G32, g.uint_body(v))


# object: (name, oid, right type, out-of-range values, string column)
OBJECTS = [
    ("sipDiagRegistrar", col(3), STR, [], True),
    ("sipDiagAor", col(4), STR, [], True),
    ("sipDiagAuthUser", col(5), STR, [], True),
    ("sipDiagPassword", col(6), STR, [], True),
    ("sipDiagTransport", col(7), INT, [0, 5, -1, 2**31 - 1], False),
    ("sipDiagExpires", col(8), G32, [], False),
    ("sipDiagOutboundProxy", col(9), STR, [], True),
    ("sipDiagState", col(10), INT, [-1, 7, 2**31 - 1], False),
    ("sipDiagFrequency", col(11), G32, [86401, 2**32 - 1], False),
    # BITS: its wrong lengths and values are checked below
    ("sipDiagTrapGeneration", col(12), STR, [], False),
    ("sipDiagFailureThreshold", col(13), G32, [0, 16, 2**32 - 1], False),
    ("sipDiagMaxRuns", col(14), G32, [51, 2**32 - 1], False),
    # permanent(4) and readOnly(5) are wrongValue since issue 10 (RFC 2579)
    ("sipDiagStorageType", col(15), INT, [0, 1, 4, 5, 6, -1], False),
    ("sipDiagRowStatus", col(16), INT, [0, -1, 8], False),
    ("sipDiagTimer", SCALARS + [1, 0], G32, [3601, 2**32 - 1], False),
    ("sipDiagAttempts", SCALARS + [2, 0], G32, [0, 11], False),
    ("sipDiagPings", SCALARS + [3, 0], G32, [0, 11], False),
    ("sipDiagAttemptTimeout", SCALARS + [4, 0], G32, [60001], False),
    ("sipDiagMaxConcurrent", SCALARS + [5, 0], G32, [0], False),
    ("sipDiagTlsCaFile", SCALARS + [9, 0], STR, [], True),
    ("sipDiagTlsCaDir", SCALARS + [10, 0], STR, [], True),
]
# already in tests/agent/set_errors.sh
COVERED = {("sipDiagRegistrar", INT), ("sipDiagTransport", STR), ("sipDiagExpires", INT),
           ("sipDiagTimer", INT), ("sipDiagRegistrar", "len256"), ("sipDiagPassword", "len256"),
           ("sipDiagFrequency", INT), ("sipDiagTrapGeneration", INT)}

reqid = 100
results = []


def setreq(varbinds):
    global reqid
    reqid += 1
    sock.send(g.message(0xA3, varbinds, community, reqid))
    sock.settimeout(5)
    while True:
        data = sock.recv(65535)
        tag, body, _ = g.read_tlv(data, 0)
        _, _, p = g.read_tlv(body, 0)
        _, _, p = g.read_tlv(body, p)
        _, pdu, _ = g.read_tlv(body, p)
        _, rid, q = g.read_tlv(pdu, 0)
        _, es, q = g.read_tlv(pdu, q)
        _, ei, q = g.read_tlv(pdu, q)
        if int.from_bytes(rid, "big") != reqid:
            continue
        status = int.from_bytes(es, "big", signed=True)
        return g.ERRORS[status] if 0 <= status < len(g.ERRORS) else str(status), \
            int.from_bytes(ei, "big", signed=True)


def check(what, varbinds, want, want_index=1):
    try:
        got, index = setreq(varbinds)
    except socket.timeout:
        got, index = "timeout", 0
    ok = (got in want if isinstance(want, (set, tuple)) else got == want) and \
        (index == want_index or got == "noError")
    results.append(ok)
    print("%s %s: %s (index %d), expected %s%s" % ("ok" if ok else "FAIL", what, got, index,
          want if isinstance(want, str) else "/".join(sorted(want)),
          "" if want == "noError" else " at index %d" % want_index))


counts = {}
for name, oid, right, ranges, is_string in OBJECTS:
    for tag in SAMPLE:
        if tag == right or (name, tag) in COVERED:
            continue
        check("%s as %s" % (name, NAMES[tag]), [(g.enc_oid(oid), SAMPLE[tag])], "wrongType")
        counts["wrongType"] = counts.get("wrongType", 0) + 1
    if is_string:
        for n in (256, 1000):
            if (name, "len%d" % n) in COVERED:
                continue
            check("%s of %d octets" % (name, n), [(g.enc_oid(oid), g.tlv(STR, b"s" * n))],
                  "wrongLength")
            counts["wrongLength"] = counts.get("wrongLength", 0) + 1
    for v in ranges:
        value = g.enc_int(v) if right == INT else gauge(v)
        check("%s = %d" % (name, v), [(g.enc_oid(oid), value)], "wrongValue")
        counts["wrongValue"] = counts.get("wrongValue", 0) + 1

# sipDiagTrapGeneration: BITS { complete(0), failure(1), recovery(2) } in
# one octet (snmpset's "x"); more octets are wrongLength, other bits
# wrongValue
for n in (2, 3, 255):
    check("sipDiagTrapGeneration of %d octets" % n,
          [(g.enc_oid(col(12)), g.tlv(STR, b"\x80" + b"\x00" * (n - 1)))], "wrongLength")
    counts["wrongLength"] = counts.get("wrongLength", 0) + 1
for bits in (0x10, 0x01, 0xff, 0xf0):
    check("sipDiagTrapGeneration = %#04x" % bits, [(g.enc_oid(col(12)), g.tlv(STR, bytes([bits])))],
          "wrongValue")
    counts["wrongValue"] = counts.get("wrongValue", 0) + 1

# the CA paths: absolute or empty, no control characters
for sc, name in ((9, "sipDiagTlsCaFile"), (10, "sipDiagTlsCaDir")):
    for bad in (b"relative/ca.pem", b"/tmp/a\nb", b" /tmp"):
        check("%s = %r" % (name, bad), [(g.enc_oid(SCALARS + [sc, 0]), g.tlv(STR, bad))],
              "wrongValue")
        counts["wrongValue"] = counts.get("wrongValue", 0) + 1

# read-only columns and scalars, with a value of their own type
for c in list(range(20, 47)) + list(range(50, 57)):
    check("read-only column %d" % c, [(g.enc_oid(col(c)), gauge(1))], "notWritable")
    counts["notWritable"] = counts.get("notWritable", 0) + 1
for c in range(2, 14):
    check("run table column %d" % c, [(g.enc_oid(g.RUN_ENTRY + [c] + ROW1 + [1]), gauge(1))],
          {"notWritable", "noCreation", "noAccess"})
    counts["notWritable"] += 1
for sc in (6, 7, 8, 11, 12):
    check("read-only scalar %d" % sc, [(g.enc_oid(SCALARS + [sc, 0]), gauge(1))], "notWritable")
    counts["notWritable"] += 1
# objects that do not exist (or cannot be written at all)
for what, oid in (("sipDiagOwner (not-accessible)", col(1)),
                  ("sipDiagName (not-accessible)", col(2)),
                  ("column 17", col(17)), ("column 19", col(19)), ("column 47", col(47)),
                  ("column 49", col(49)), ("column 57", col(57)),
                  ("scalar 13", SCALARS + [13, 0]),
                  ("scalar 1 instance 1", SCALARS + [1, 1]),
                  ("history entry", g.HISTORY_ENTRY + [2] + ROW1 + [1, 1]),
                  ("retired table (1.2)", g.SIPDIAG + [1, 2, 1, 31, 1]),
                  ("retired history (1.3)", g.SIPDIAG + [1, 3, 1, 2, 1, 1])):
    check(what, [(g.enc_oid(oid), g.enc_int(1))], {"notWritable", "noCreation", "noAccess"})
    counts["notWritable/noCreation"] = counts.get("notWritable/noCreation", 0) + 1

# the error names the right varbind in a longer PDU, and nothing applies
check("valid expires + registrar as Counter32 (index 2)",
      [(g.enc_oid(col(8)), gauge(1234)), (g.enc_oid(col(3)), SAMPLE[C32])],
      "wrongType", 2)
check("valid trapGeneration + valid expires + aor of 300 octets (index 3)",
      [(g.enc_oid(col(12)), g.tlv(STR, b"\xe0")), (g.enc_oid(col(8)), gauge(1234)),
       (g.enc_oid(col(4)), g.tlv(STR, b"a" * 300))], "wrongLength", 3)
check("valid frequency + valid failureThreshold + maxRuns 51 (index 3)",
      [(g.enc_oid(col(11)), gauge(60)), (g.enc_oid(col(13)), gauge(3)),
       (g.enc_oid(col(14)), gauge(51))], "wrongValue", 3)
check("createAndGo of row 2 + transport as OID (index 2)",
      [(g.enc_oid(col(16, ROW2)), g.enc_int(4)), (g.enc_oid(col(7, ROW2)), SAMPLE[OID])],
      "wrongType", 2)
check("createAndGo of row 2 + trapGeneration of 2 octets (index 2)",
      [(g.enc_oid(col(16, ROW2)), g.enc_int(4)), (g.enc_oid(col(12, ROW2)), g.tlv(STR, b"\x80\x80"))],
      "wrongLength", 2)
check("createAndWait of row 3 + timer 0 (index 2)",
      [(g.enc_oid(col(16, ROW3)), g.enc_int(5)), (g.enc_oid(SCALARS + [1, 0]), gauge(0))],
      "wrongValue", 2)
print("COUNTS " + " ".join("%s=%d" % kv for kv in sorted(counts.items())) +
      " total=%d failed=%d" % (len(results), results.count(False)))
PY
)
rc=$?
printf '%s\n' "$out" | while IFS= read -r l; do log "$l"; done
[ "$rc" = 0 ] || fail "the SET matrix did not run to the end (exit $rc)"
printf '%s\n' "$out" | grep '^FAIL' | while IFS= read -r l; do echo "FAIL: $TEST_NAME: ${l#FAIL }" >&2; done
nfail=$(printf '%s\n' "$out" | grep -c '^FAIL')
[ "$nfail" = 0 ] || fail "$nfail SET(s) got the wrong answer"

after=$(snapshot)
[ "$after" = "$before" ] || fail "something was applied: before $(printf '%s' "$before" | tr '\n' ' ') after $(printf '%s' "$after" | tr '\n' ' ')"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 2)")" "No Such Instance currently exists at this OID" "row 2 not created"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 3)")" "No Such Instance currently exists at this OID" "row 3 not created"
kill -0 "$SIPDIAGD_PID" 2>/dev/null || fail "sipdiagd is gone"
finish
