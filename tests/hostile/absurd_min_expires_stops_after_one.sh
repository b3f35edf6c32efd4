#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 423 whose Min-Expires is absurd (above SIPDIAG_MIN_EXPIRES_MAX_S,
# 86400) or unparseable is not chased: 423 intervalTooBrief after 1
# REGISTER.  A server that always asks for twice what it got is chased
# until 3 raised intervals were turned down (3600, 7200, 14400, 28800: 4
# REGISTERs; the first 423 rejects nothing, it names the minimum), and with
# --attempts 10 until it asks for more than 86400 s (3600, 7200, 14400,
# 28800, 57600: 5 REGISTERs).
# (That the diagnosis names the absurd value is
# absurd_min_expires_is_named_in_the_diagnosis.sh, a known bug.)
. "$(dirname "$0")/lib.sh"

hostile_setup
for v in 4294967295 999999999 86401 4294967296 18446744073709551616 -1 abc; do
	hostile_case udp min-expires --min-expires "$v"
	expect 423 intervalTooBrief 1
done
hostile_case tcp min-expires --min-expires 4294967295
expect 423 intervalTooBrief 1
hostile_case udp min-expires-escalating
expect 423 intervalTooBrief 4
hostile_case udp min-expires-escalating -- --attempts 10 --timer 20
expect 423 intervalTooBrief 5
for e in 3600 7200 14400 28800 57600; do
	grep -q " method=REGISTER .* expires=$e " "$HR_LOG" || fail "no REGISTER asked for $e s"
done
finish
