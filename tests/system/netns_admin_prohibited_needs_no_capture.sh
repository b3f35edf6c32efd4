#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves "administratively prohibited" (23) needs no capture: the server
# namespace rejects UDP 5060 with `nft reject with icmp type admin-prohibited`
# (ICMP 3/13).  The errno a socket meets for it is EHOSTUNREACH, the same as
# for a host unreachable, so only the ICMP code tells them apart: the probe
# reads it from its own UDP check's error queue (IP_RECVERR), which needs no
# privilege.  With a capture, with --no-capture and unprivileged (no
# CAP_NET_RAW) the verdict is 23 adminProhibited each time.  Over TCP the
# same: the transport check's socket reads the ICMP code from its error
# queue too (Linux queues the errors about a SYN).  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
need_unprivileged_user
netns_setup
nft_server 'table ip sipdiag_test {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport 5060 reject with icmp type admin-prohibited
		tcp dport 5060 reject with icmp type admin-prohibited
	}
}'
netns_assert_ping_answers

verdict_without_packet_evidence "$NS_C" 23 adminProhibited \
	--registrar "sip:$SERVER_ADDR:5060" --aor "sip:alice@$SERVER_ADDR" --transport udp \
	--attempt-timeout 9
for mode in capture no-capture unprivileged; do
	f=$TEST_TMP/probe-$mode.json
	jq -e --arg s "ICMP administratively prohibited from $SERVER_ADDR" '.icmp_error == $s' "$f" >/dev/null ||
		fail "$mode: icmp_error is $(jq -c .icmp_error "$f")"
	jq -e '[.steps[] | select(.kind == "icmp_error" and .icmp_type == 3 and .icmp_code == 13)] | length >= 1' \
		"$f" >/dev/null || fail "$mode: no icmp_error step with type 3 code 13"
	jq -e '.attempts == 1 and .duration_ms < 9000' "$f" >/dev/null ||
		fail "$mode: the ICMP error did not end the run at once ($(jq -c '[.attempts, .duration_ms]' "$f"))"
done

log "over TCP"
verdict_without_packet_evidence "$NS_C" 23 adminProhibited \
	--registrar "sip:$SERVER_ADDR:5060" --aor "sip:alice@$SERVER_ADDR" --transport tcp \
	--attempt-timeout 9
for mode in capture no-capture unprivileged; do
	f=$TEST_TMP/probe-$mode.json
	jq -r .transport_check "$f" | grep -qF "ICMP administratively prohibited from $SERVER_ADDR" ||
		fail "tcp $mode: the transport check does not name the ICMP error: $(jq -c .transport_check "$f")"
	jq -e '.duration_ms < 9000' "$f" >/dev/null || fail "tcp $mode: $(jq -c .duration_ms "$f") ms"
done
finish
