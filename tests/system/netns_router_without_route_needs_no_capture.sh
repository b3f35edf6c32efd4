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

NS_C=sipdiag-c-$$
NS_R=sipdiag-r-$$
ROUTER_ADDR=198.51.100.254
REGISTRAR=192.0.2.2   # TEST-NET-1: the router knows no route there
for ns in "$NS_C" "$NS_R"; do
	ip netns add "$ns" || hard_error "cannot create netns $ns"
	on_cleanup "netns_remove '$ns'"
	ip -n "$ns" link set lo up
done
ip link add "sdc$$" netns "$NS_C" type veth peer name "sdr$$" netns "$NS_R" ||
	hard_error "cannot create veth pair"
ip -n "$NS_C" addr add "$CLIENT_ADDR/24" dev "sdc$$"
ip -n "$NS_R" addr add "$ROUTER_ADDR/24" dev "sdr$$"
ip -n "$NS_C" link set "sdc$$" up
ip -n "$NS_R" link set "sdr$$" up
ip -n "$NS_C" route add default via "$ROUTER_ADDR"
ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 || hard_error "cannot enable forwarding"
ip netns exec "$NS_C" ping -c 1 -W 2 "$ROUTER_ADDR" >/dev/null 2>&1 ||
	die "precondition: the router does not answer ping"

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
