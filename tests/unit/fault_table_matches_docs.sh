#!/bin/bash
# Proves the one fault table (engine/fault_table.h, printed by
# `sipdiag-probe --list-faults`) and its copies in SIP-DIAG-MIB's SipDiagFault
# in the README's fault table and in scripts/sipdiag-remote say the same thing: same classes, same
# numbers, same codes, same meanings.  And that docs/FAULTS.md is current:
# its generated tables are what scripts/gen-faults-md makes from the table
# and from the code enum of engine/sipdiag.h, its TR-104 / CT-COM mapping
# names every class once, and every code of the enum has its note under
# its own name.  Fails naming every drift.
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

# ---- docs/FAULTS.md
faults=$src/docs/FAULTS.md
if [ ! -r "$faults" ]; then
	drift "docs/FAULTS.md is missing"
else
	fresh=$(SIPDIAG_PROBE=$probe top_srcdir=$src "$src/scripts/gen-faults-md") ||
		{ echo "scripts/gen-faults-md failed"; exit 99; }
	if ! diff_out=$(diff <(printf '%s\n' "$fresh") "$faults"); then
		drift "docs/FAULTS.md is not current (run make update-faults-doc):"
		printf '%s\n' "$diff_out" | head -20
	fi
	# The mapping table: from its heading to the end of the file.
	mapping=$(sed -n '/^## Mapping to TR-104/,$p' "$faults")
	[ -n "$mapping" ] || drift "docs/FAULTS.md has no '## Mapping to TR-104' section"
	while IFS=$'\t' read -r num name codes meaning advice; do
		n=$(printf '%s\n' "$mapping" | grep -cF "| \`$name\` |")
		[ "$n" -eq 1 ] || drift "docs/FAULTS.md mapping table: class $name ($num) appears $n times, expected once"
	done <<<"$table"
	rows=$(printf '%s\n' "$mapping" | grep -cE '^\| `[a-zA-Z]+` \|')
	[ "$rows" -eq "$n_classes" ] || drift "docs/FAULTS.md mapping table has $rows class rows, expected $n_classes"
	# A note per code of the enum, under the enum's name.
	enum=$(sed -n 's/^ *SIPDIAG_CODE_\([A-Z0-9_]*\) *= *\([0-9][0-9]*\),.*$/\2 \1/p' "$src/engine/sipdiag.h")
	[ -n "$enum" ] || drift "no SIPDIAG_CODE_ enum in engine/sipdiag.h"
	while read -r code cname; do
		grep -qxF "### $code — SIPDIAG_CODE_$cname" "$faults" ||
			drift "docs/FAULTS.md has no note '### $code — SIPDIAG_CODE_$cname'"
	done <<<"$enum"
	notes=$(grep -cE '^### [0-9]+ — ' "$faults")
	n_enum=$(printf '%s\n' "$enum" | wc -l)
	[ "$notes" -eq "$n_enum" ] || drift "docs/FAULTS.md has $notes code notes, the enum $n_enum codes"
fi

[ $failed -eq 0 ] && echo "fault table, MIB, README and docs/FAULTS.md agree"
exit $failed
