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

netns_router_setup --lan

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
