#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves an absurd Min-Expires (above a day, or unreadable) is named in the
# diagnosis of the 423 verdict, after the probe declined to chase it.
. "$(dirname "$0")/lib.sh"

hostile_setup
for v in 4294967295 999999999; do
	hostile_case udp min-expires --min-expires "$v"
	expect 423 intervalTooBrief 1
	assert_jq ".diagnosis | contains(\"$v\")" "the diagnosis names the absurd Min-Expires $v"
done
finish
