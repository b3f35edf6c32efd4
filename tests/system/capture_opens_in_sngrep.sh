#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the pcap file a diagnosis leaves opens in sngrep, the SIP viewer
# operators use (`sngrep -I FILE`), over UDP and over TCP.  sngrep runs
# headless here: -N (no interface) reads the file with its own SIP parser
# (TCP reassembly included) and prints the dialogs it found; -O writes
# back the SIP packets it recognised.  The dialog must be there: one
# dialog (the diagnosis uses one Call-ID), and in sngrep's output every
# REGISTER the result counts and the 200.  Needs root (capture).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "packet capture needs root"
need_cmd sngrep tshark
setup
kam_start main

for tp in udp tcp; do
	run_probe -- $(reg_args alice $tp) --capture-dir "$TEST_TMP/captures-$tp" \
		--password-file "$(password_file alice "$ALICE_PASSWORD")"
	assert_verdict 200 success 0
	pcap=$(jq -r '.capture.path // empty' "$PROBE_OUT")
	if [ -z "$pcap" ] || [ ! -f "$pcap" ]; then
		fail "$tp: no capture file named: $(jq -c .capture "$PROBE_OUT")"
		continue
	fi
	out=$TEST_TMP/sngrep-$tp.pcap
	# -F: no sngreprc, so the machine's settings do not matter.
	timeout 30 sngrep -N -F -I "$pcap" -O "$out" </dev/null >"$TEST_TMP/sngrep-$tp.txt" 2>&1
	rc=$?
	said=$(tr '\r' '\n' <"$TEST_TMP/sngrep-$tp.txt")
	log "$tp: sngrep -N -I $(basename "$pcap"): exit $rc, said: $(printf '%s' "$said" | tr '\n' ' ')"
	[ "$rc" = 0 ] || fail "$tp: sngrep exit status $rc"
	count=$(printf '%s\n' "$said" | sed -n 's/^Dialog count: \([0-9]*\).*/\1/p' | tail -n 1)
	[ "$count" = 1 ] || fail "$tp: sngrep found ${count:-no} dialog(s), expected 1"
	[ -s "$out" ] || { fail "$tp: sngrep wrote no SIP packets to $out"; continue; }
	sip=$(tshark -n -r "$out" -Y sip -T fields -e sip.Method -e sip.Status-Code 2>/dev/null)
	# Every REGISTER the result counts, by CSeq: over UDP a REGISTER whose
	# answer was late (a loaded machine) is retransmitted, one more packet
	# of the same transaction.
	want=$(jq '.attempts + .cleanup_registers' "$PROBE_OUT")
	got=$(tshark -n -r "$out" -Y 'sip.Method == "REGISTER"' -T fields -e sip.CSeq 2>/dev/null |
		sort -u | grep -c .)
	log "$tp: sngrep kept $(grep -c '^REGISTER' <<<"$sip") REGISTER packets, $got distinct CSeqs"
	[ "$got" = "$want" ] || fail "$tp: sngrep saw $got REGISTERs (distinct CSeqs), the result counts $want: $sip"
	grep -qP '^\t200$' <<<"$sip" || fail "$tp: sngrep did not see the 200: $sip"
	# Every request and response of the result, once each (a UDP
	# retransmission repeats its CSeq).
	steps=$(jq '[.steps[] | select(.kind == "register" or .kind == "response")] | length' "$PROBE_OUT")
	distinct=$(tshark -n -r "$out" -Y sip -T fields -e sip.CSeq -e sip.Method \
		-e sip.Status-Code 2>/dev/null | sort -u | grep -c .)
	[ "$distinct" = "$steps" ] ||
		fail "$tp: sngrep saw $distinct distinct SIP messages, the result has $steps requests and responses"
done
finish
