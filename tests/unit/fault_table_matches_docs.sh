#!/bin/bash
# Proves the one fault table (engine/fault_table.h, printed by
# `sipdiag-probe --list-faults`) and its copies in SIP-DIAG-MIB's SipDiagFault
# in the README's fault table and in scripts/sipdiag-remote say the same thing: same classes, same
# numbers, same codes, same meanings.  Fails naming the first drift.
set -u
probe=${SIPDIAG_PROBE:-../probe/sipdiag-probe}
src=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
mib=$src/mibs/SIP-DIAG-MIB.txt
readme=$src/README.md
failed=0

drift() { echo "DRIFT: $*"; failed=1; }

table=$("$probe" --list-faults) || { echo "cannot run $probe --list-faults"; exit 99; }
n_classes=$(printf "%s\n" "$table" | wc -l)

while IFS=$'\t' read -r num name codes meaning advice; do
	# The MIB's TEXTUAL-CONVENTION: description line and enumeration.
	grep -qxF "        $name($num) - $meaning (codes $codes)" "$mib" ||
		drift "SIP-DIAG-MIB SipDiagFault description of $name($num)"
	grep -qE "^[[:space:]]+$name\($num\),?[[:space:]]*$" "$mib" ||
		drift "SIP-DIAG-MIB SipDiagFault enumeration $name($num)"
	# The manager-side script's recommended actions.
	grep -qF "$num) echo \"$name|$advice\" ;;" "$src/scripts/sipdiag-remote" ||
		drift "scripts/sipdiag-remote action for $name ($num)"
	# The README's fault table.
	grep -qF "| $num | \`$name\` | $codes | $meaning | $advice |" "$readme" ||
		drift "README fault table row for $name ($num)"
done <<<"$table"

# Nothing extra in the MIB's description lines either.
mib_lines=$(grep -cE '^        [a-zA-Z]+\([0-9]+\) - ' "$mib")
[ "$mib_lines" -eq "$n_classes" ] || drift "SIP-DIAG-MIB has $mib_lines fault description lines, expected $n_classes"

[ $failed -eq 0 ] && echo "fault table, MIB and README agree"
exit $failed
