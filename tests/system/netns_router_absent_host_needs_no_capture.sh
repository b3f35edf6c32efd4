#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves "host unreachable" from a router (22) needs no capture: the client
# reaches 192.0.2.2 through a router namespace whose route to 192.0.2.0/24
# is a link to a third namespace where no host has that address.  The
# router's ARP gets no answer and, after about 3 s, it answers our packets
# with ICMP host unreachable (3/1).  With a capture, with --no-capture and
# unprivileged (no CAP_NET_RAW) the verdict is 22 networkUnreachable with
# the router named each time.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
need_unprivileged_user

NS_C=sipdiag-c-$$
NS_R=sipdiag-r-$$
NS_L=sipdiag-l-$$     # the server's LAN, where the server is absent
ROUTER_ADDR=198.51.100.254
LAN_ROUTER_ADDR=192.0.2.1
LAN_OTHER_ADDR=192.0.2.3
REGISTRAR=192.0.2.2
for ns in "$NS_C" "$NS_R" "$NS_L"; do
	ip netns add "$ns" || hard_error "cannot create netns $ns"
	on_cleanup "netns_remove '$ns'"
	ip -n "$ns" link set lo up
done
ip link add "sdc$$" netns "$NS_C" type veth peer name "sdr$$" netns "$NS_R" ||
	hard_error "cannot create veth pair"
ip link add "sdl$$" netns "$NS_R" type veth peer name "sdx$$" netns "$NS_L" ||
	hard_error "cannot create veth pair"
ip -n "$NS_C" addr add "$CLIENT_ADDR/24" dev "sdc$$"
ip -n "$NS_R" addr add "$ROUTER_ADDR/24" dev "sdr$$"
ip -n "$NS_R" addr add "$LAN_ROUTER_ADDR/24" dev "sdl$$"
ip -n "$NS_L" addr add "$LAN_OTHER_ADDR/24" dev "sdx$$"
for dev in "$NS_C sdc$$" "$NS_R sdr$$" "$NS_R sdl$$" "$NS_L sdx$$"; do
	set -- $dev
	ip -n "$1" link set "$2" up
done
ip -n "$NS_C" route add default via "$ROUTER_ADDR"
ip -n "$NS_L" route add default via "$LAN_ROUTER_ADDR"
ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 || hard_error "cannot enable forwarding"
ip netns exec "$NS_C" ping -c 1 -W 2 "$LAN_OTHER_ADDR" >/dev/null 2>&1 ||
	die "precondition: the LAN behind the router does not answer ping"

VERDICT_RUN_PAUSE=6 verdict_without_packet_evidence "$NS_C" 22 networkUnreachable \
	--registrar "sip:$REGISTRAR:5060" --aor "sip:alice@$REGISTRAR" --transport udp \
	--attempt-timeout 9
for mode in capture no-capture unprivileged; do
	f=$TEST_TMP/probe-$mode.json
	# the router's address on the client's side is the error's source
	jq -e --arg s "ICMP host unreachable from $ROUTER_ADDR" '.icmp_error == $s' "$f" >/dev/null ||
		fail "$mode: icmp_error is $(jq -c .icmp_error "$f")"
	jq -e '.duration_ms < 9000' "$f" >/dev/null ||
		fail "$mode: the ICMP error did not end the run before the attempt timeout ($(jq -c .duration_ms "$f"))"
done
finish
