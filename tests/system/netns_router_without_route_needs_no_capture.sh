#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves "network unreachable" from a router (21) needs no capture: the
# client reaches 192.0.2.2 through a router namespace with no route to
# 192.0.2.0/24, which answers ICMP network unreachable (3/0).  With a
# capture, with --no-capture and unprivileged (no CAP_NET_RAW) the verdict
# is 21 networkUnreachable and the router is named each time.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
need_unprivileged_user

netns_router_setup

VERDICT_RUN_PAUSE=6 verdict_without_packet_evidence "$NS_C" 21 networkUnreachable \
	--registrar "sip:$REGISTRAR:5060" --aor "sip:alice@$REGISTRAR" --transport udp \
	--attempt-timeout 9
for mode in capture no-capture unprivileged; do
	f=$TEST_TMP/probe-$mode.json
	jq -e --arg s "ICMP network unreachable from $ROUTER_ADDR" '.icmp_error == $s' "$f" >/dev/null ||
		fail "$mode: icmp_error is $(jq -c .icmp_error "$f")"
	jq -e '.attempts < 3 and .duration_ms < 9000' "$f" >/dev/null ||
		fail "$mode: the ICMP error did not end the run at once ($(jq -c '[.attempts, .duration_ms]' "$f"))"
done
finish
