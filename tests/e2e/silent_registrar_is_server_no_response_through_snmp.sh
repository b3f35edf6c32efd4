#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the whole chain for a server that never answers SIP but answers
# ping: Kamailio drops every REGISTER of "silent".  The manager shortens
# sipDiagAttemptTimeout to 500 ms over SNMP (the default is 4000 ms), so the
# run takes about 1.5 s instead of 12 s: code 3, fault serverNoResponse(5),
# SIP status 0, 3 REGISTERs, 3 of 3 pings answered, duration below 6 s; the
# traphandle line says "owner=test name=4 code=3 fault=serverNoResponse(5)".
# Skipped when sipdiagd could not ping (not root, outside ping_group_range).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	read -r lo hi </proc/sys/net/ipv4/ping_group_range
	[ "$(id -g)" -ge "$lo" ] && [ "$(id -g)" -le "$hi" ] ||
		skip "sipdiagd may not send ICMP echo here (not root, ping_group_range $lo-$hi): a silent server is then code 4 by design"
fi
e2e_start_all
kam_log_mark
expect_set "" "sipDiagAttemptTimeout.0 = 500 ms" $SC.4.0 u 500
check_eq "$(sget $SC.4.0)" 500 "sipDiagAttemptTimeout.0 reads back"
account_row 4 silent any-password
trigger 4
wait_row 4 4 20 || finish
expect_result 4 3 5 0 3
expect_col 4 $C_PINGS_SENT 3 "sipDiagResultPingsSent"
expect_col 4 $C_PINGS_RECEIVED 3 "sipDiagResultPingsReceived"
d=$(col $C_DURATION 4)
if ! [ "$d" -lt 6000 ] 2>/dev/null; then
	fail "row 4: sipDiagResultDuration is '$d' ms, expected < 6000 with 3 attempts of 500 ms (the scalar set over SNMP was not used?)"
else
	log "ok: row 4: duration $d ms"
fi
n=$(server_registers silent)
[ "$n" = 3 ] || fail "Kamailio received $n REGISTER(s) for silent, expected 3"
expect_notification 4 3 5 0
finish
