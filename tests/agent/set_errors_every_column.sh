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
# notWritable or noCreation.  Each error names the right varbind
# (error-index), and afterwards the row and the scalars read exactly as
# before: nothing was half-applied.  The combinations set_errors.sh already
# checks are left out.  The SETs are built with the BER encoder of
# tests/faults/snmp-garbage (snmpset cannot send every type).
. "$(dirname "$0")/lib.sh"
GARBAGE=$(cd "$(dirname "$0")/../faults" && pwd)/snmp-garbage
[ -r "$GARBAGE" ] || hard_error "missing $GARBAGE"

start_all
new_row 1 "sip:127.0.0.1:9" sip:alice@127.0.0.1 "$T.4.1" s alice-auth "$T.8.1" s sip:127.0.0.1:10 \
	"$T.7.1" u 600 "$T.11.1" i 2 "$T.30.1" i 2
snapshot() {
	local c
	for c in 2 3 4 6 7 8 10 11 30 31; do printf 'row.%s=%s\n' "$c" "$(sget "$T.$c.1")"; done
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
ENTRY = g.SIPDIAG + [1, 2, 1]
SCALARS = g.SIPDIAG + [1, 1]

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
    ("sipDiagRegistrar", ENTRY + [2, 1], STR, [], True),
    ("sipDiagAor", ENTRY + [3, 1], STR, [], True),
    ("sipDiagAuthUser", ENTRY + [4, 1], STR, [], True),
    ("sipDiagPassword", ENTRY + [5, 1], STR, [], True),
    ("sipDiagTransport", ENTRY + [6, 1], INT, [0, 5, -1, 2**31 - 1], False),
    ("sipDiagExpires", ENTRY + [7, 1], G32, [], False),
    ("sipDiagOutboundProxy", ENTRY + [8, 1], STR, [], True),
    ("sipDiagState", ENTRY + [10, 1], INT, [-1, 7, 2**31 - 1], False),
    ("sipDiagNotifyOnComplete", ENTRY + [11, 1], INT, [0, -1, 2**31 - 1], False),
    ("sipDiagStorageType", ENTRY + [30, 1], INT, [0, 1, 5, 6, -1], False),
    ("sipDiagRowStatus", ENTRY + [31, 1], INT, [0, -1, 8], False),
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
           ("sipDiagTimer", INT), ("sipDiagRegistrar", "len256"), ("sipDiagPassword", "len256")}

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

# the CA paths: absolute or empty, no control characters
for sc, name in ((9, "sipDiagTlsCaFile"), (10, "sipDiagTlsCaDir")):
    for bad in (b"relative/ca.pem", b"/tmp/a\nb", b" /tmp"):
        check("%s = %r" % (name, bad), [(g.enc_oid(SCALARS + [sc, 0]), g.tlv(STR, bad))],
              "wrongValue")
        counts["wrongValue"] = counts.get("wrongValue", 0) + 1

# read-only columns and scalars, with a value of their own type
for col in list(range(12, 30)) + list(range(32, 40)):
    check("read-only column %d" % col, [(g.enc_oid(ENTRY + [col, 1]), gauge(1))], "notWritable")
    counts["notWritable"] = counts.get("notWritable", 0) + 1
for sc in (6, 7, 8):
    check("read-only scalar %d" % sc, [(g.enc_oid(SCALARS + [sc, 0]), gauge(1))], "notWritable")
    counts["notWritable"] += 1
# objects that do not exist (or cannot be written at all)
for what, oid in (("sipDiagIndex (not-accessible)", ENTRY + [1, 1]), ("column 9", ENTRY + [9, 1]),
                  ("column 40", ENTRY + [40, 1]), ("scalar 11", SCALARS + [11, 0]),
                  ("scalar 1 instance 1", SCALARS + [1, 1]),
                  ("history entry", g.SIPDIAG + [1, 3, 1, 2, 1, 1])):
    check(what, [(g.enc_oid(oid), g.enc_int(1))], {"notWritable", "noCreation", "noAccess"})
    counts["notWritable/noCreation"] = counts.get("notWritable/noCreation", 0) + 1

# the error names the right varbind in a longer PDU, and nothing applies
check("valid expires + registrar as Counter32 (index 2)",
      [(g.enc_oid(ENTRY + [7, 1]), gauge(1234)), (g.enc_oid(ENTRY + [2, 1]), SAMPLE[C32])],
      "wrongType", 2)
check("valid notify + valid expires + aor of 300 octets (index 3)",
      [(g.enc_oid(ENTRY + [11, 1]), g.enc_int(1)), (g.enc_oid(ENTRY + [7, 1]), gauge(1234)),
       (g.enc_oid(ENTRY + [3, 1]), g.tlv(STR, b"a" * 300))], "wrongLength", 3)
check("createAndGo of row 2 + transport as OID (index 2)",
      [(g.enc_oid(ENTRY + [31, 2]), g.enc_int(4)), (g.enc_oid(ENTRY + [6, 2]), SAMPLE[OID])],
      "wrongType", 2)
check("createAndWait of row 3 + timer 0 (index 2)",
      [(g.enc_oid(ENTRY + [31, 3]), g.enc_int(5)), (g.enc_oid(SCALARS + [1, 0]), gauge(0))],
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
check_eq "$(sget "$T.31.2")" "No Such Instance currently exists at this OID" "row 2 not created"
check_eq "$(sget "$T.31.3")" "No Such Instance currently exists at this OID" "row 3 not created"
kill -0 "$SIPDIAGD_PID" 2>/dev/null || fail "sipdiagd is gone"
finish
