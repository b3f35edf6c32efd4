#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the packet capture follows a diagnosis over TCP: sofia connects
# from an ephemeral port (not the probe's SIP port), yet the pcap file the
# probe names holds the REGISTERs and the 200 that tshark decodes as SIP,
# every packet of that connection between 127.0.0.1 and Kamailio's port,
# and as many SIP messages as the result counts.  Needs root (capture).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "packet capture needs root"
need_cmd tshark
setup
kam_start main

run_probe -- $(reg_args alice tcp) --capture-dir "$TEST_TMP/captures" \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_verdict 200 success 0
assert_server 127.0.0.1 "$KAM_PORT" tcp
pcap=$(jq -r '.capture.path // empty' "$PROBE_OUT")
[ -n "$pcap" ] && [ -f "$pcap" ] || die "no capture file named: $(jq -c .capture "$PROBE_OUT")"

sip=$(tshark -n -r "$pcap" -Y sip -T fields -e tcp.srcport -e tcp.dstport \
	-e sip.Method -e sip.Status-Code -e sip.CSeq 2>/dev/null)
log "SIP in the capture (tcp ports, method, status, CSeq):"
printf '%s\n' "$sip"
grep -qP '\tREGISTER\t' <<<"$sip" || fail "no REGISTER over TCP in the capture"
grep -qP "^$KAM_PORT\t[0-9]+\t\t200\t" <<<"$sip" || fail "no 200 from Kamailio's port in the capture"
grep -qP "^[0-9]+\t$KAM_PORT\tREGISTER\t" <<<"$sip" || fail "no REGISTER to Kamailio's port"
# Every REGISTER the result counts (diagnosis and cleanup) is in the file.
want=$(jq '.attempts + .cleanup_registers' "$PROBE_OUT")
got=$(grep -cP '\tREGISTER\t' <<<"$sip")
[ "$got" = "$want" ] || fail "the capture holds $got REGISTERs, the result counts $want"
# And every response: as many distinct SIP messages (CSeq, method or
# status) as the result has request and response steps.
steps=$(jq '[.steps[] | select(.kind == "register" or .kind == "response")] | length' "$PROBE_OUT")
distinct=$(cut -f3- <<<"$sip" | sort -u | grep -c .)
[ "$distinct" = "$steps" ] ||
	fail "the capture holds $distinct distinct SIP messages, the result has $steps requests and responses"
# The whole connection: its SYN is there, and the file holds as many packets
# as the result says.
syn=$(tshark -n -r "$pcap" -Y "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == $KAM_PORT" 2>/dev/null | wc -l)
[ "$syn" -ge 1 ] || fail "the capture lacks the SYN of the connection"
total=$(tshark -n -r "$pcap" 2>/dev/null | wc -l)
assert_json '.capture.packets' "$total" "the packet count matches the file"
finish
