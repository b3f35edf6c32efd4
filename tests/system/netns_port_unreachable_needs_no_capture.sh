#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves "port unreachable" (20) comes from the probe's own sockets, not
# from its capture: the server namespace's host is up (it answers ping) but
# nothing listens on UDP 5060, so its kernel answers ICMP port unreachable
# (3/3).  With a capture, with --no-capture and as an unprivileged user
# without CAP_NET_RAW the verdict is the same 20 serviceNotListening, with
# the same ICMP error named, after one REGISTER.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
need_unprivileged_user
netns_setup
netns_assert_ping_answers

verdict_without_packet_evidence "$NS_C" 20 serviceNotListening \
	--registrar "sip:$SERVER_ADDR:5060" --aor "sip:alice@$SERVER_ADDR" --transport udp \
	--attempt-timeout 9
for mode in capture no-capture unprivileged; do
	f=$TEST_TMP/probe-$mode.json
	jq -e --arg s "ICMP port unreachable from $SERVER_ADDR" '.icmp_error == $s' "$f" >/dev/null ||
		fail "$mode: icmp_error is $(jq -c .icmp_error "$f")"
	jq -e '.attempts == 1 and .duration_ms < 9000' "$f" >/dev/null ||
		fail "$mode: the ICMP error did not end the run at once ($(jq -c '[.attempts, .duration_ms]' "$f"))"
done
finish
