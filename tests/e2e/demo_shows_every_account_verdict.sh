#!/bin/bash
# The README's main command shows what it promises: scripts/demo-snmp (what
# scripts/demo runs after building) diagnoses the terminal's five accounts
# through snmpd and sipdiagd, prints each verdict and receives each
# notification (owner=device name=N: the rows of its sipdiagAccount lines).  It guards the demo against changes of the agent's rules
# (for example the minimum interval between two diagnoses of one account).
set -u
TEST_NAME=$(basename "$0" .sh)
[ "$(id -u)" = 0 ] || { echo "SKIP: $TEST_NAME: the demo needs root"; exit 77; }
top=${top_srcdir:-$(dirname "$0")/../..}
build=${abs_top_builddir:-$top/build/plain}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

failures=0
fail() { echo "FAIL: $TEST_NAME: $*"; failures=$((failures + 1)); }

timeout -k 5 120 "$top/scripts/demo-snmp" "$build" >"$out" 2>&1
rc=$?
[ "$rc" = 0 ] || { cat "$out"; fail "scripts/demo-snmp exited $rc"; }
for verdict in "owner=device name=1 code=200 fault=success(2)" "owner=device name=2 code=401 fault=authFailure(6)" \
	"owner=device name=3 code=423 fault=intervalTooBrief(7)" "owner=device name=4 code=3 fault=serverNoResponse(5)" \
	"owner=device name=5 code=1 fault=configIncomplete(3)"; do
	if grep -qF "$verdict" "$out"; then
		echo "[$TEST_NAME] ok: notification $verdict"
	else
		fail "no notification '$verdict' in the demo's output"
	fi
done
grep -q "Segmentation\|AddressSanitizer\|runtime error" "$out" && fail "a crash or sanitizer report"
[ "$failures" = 0 ] || { tail -40 "$out"; exit 1; }
echo "PASS: $TEST_NAME"
