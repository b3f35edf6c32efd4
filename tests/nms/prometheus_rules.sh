#!/bin/sh
# contrib/prometheus: the alerting rules pass `promtool check rules` and
# their unit tests (tests/nms/sipdiag.rules.test.yml: a terminal failing 3
# runs in a row, 5 terminals of one registrar failing with one fault, a
# periodic row without a recent result, an unreachable terminal); and the
# committed snmp.yml is what the snmp_exporter generator makes of
# generator.yml and the MIB (when the generator and the base MIB modules
# are there).  Needs promtool (Debian: prometheus); skips without it.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
PATH=$PATH:/usr/sbin:/sbin
name=prometheus_rules
command -v promtool >/dev/null 2>&1 || { echo "SKIP: $name: promtool is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sipdiag-$name.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
rc=0
cp "$top_srcdir/contrib/prometheus/sipdiag.rules.yml" "$top_srcdir/tests/nms/sipdiag.rules.test.yml" "$tmp/"
promtool check rules "$tmp/sipdiag.rules.yml" || { echo "FAIL: $name: promtool check rules"; rc=1; }
(cd "$tmp" && promtool test rules sipdiag.rules.test.yml) || { echo "FAIL: $name: promtool test rules"; rc=1; }

mibs=${SIPDIAG_SHARED_MIBS:-$top_srcdir/../shared/mibs}
if command -v prometheus-snmp-generator >/dev/null 2>&1 && [ -r "$mibs/SNMPv2-SMI.txt" ]; then
	cp "$top_srcdir/contrib/prometheus/generator.yml" "$tmp/"
	if (cd "$tmp" && MIBDIRS="$mibs:$top_srcdir/mibs" prometheus-snmp-generator \
		--fail-on-parse-errors generate -o snmp.yml >gen.log 2>&1); then
		diff -u "$top_srcdir/contrib/prometheus/snmp.yml" "$tmp/snmp.yml" >"$tmp/diff" ||
			{ head -40 "$tmp/diff"; echo "FAIL: $name: contrib/prometheus/snmp.yml is not what the generator makes (make update-snmp-yml)"; rc=1; }
	else
		cat "$tmp/gen.log"; echo "FAIL: $name: the generator failed on generator.yml"; rc=1
	fi
else
	echo "$name: prometheus-snmp-generator or base MIBs missing: snmp.yml not compared"
fi
[ $rc = 0 ] && echo "PASS: $name"
exit $rc
