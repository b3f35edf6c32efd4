#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# sipdiagd's disk is full: its persistent directory (the store
# sipdiagd.store and, by default, the capture directory sipdiag-captures)
# is a tiny tmpfs, in a private mount namespace, that fills up while the
# agent runs.  A user expects:
#   - diagnoses through SNMP still complete with the right verdict (success
#     for a healthy account; serviceNotListening for a closed port, from the
#     ICMP error the capture decodes without writing a file);
#   - sipDiagResultCaptureNote to say the capture is incomplete or missing
#     (or no sipDiagResultCapturePath at all), never an empty or truncated
#     file presented as complete evidence;
#   - a configuration change the full disk cannot store leaves the stored
#     state whole (the last complete sipdiagd.store, no leftover temporary
#     file), so that after a restart, with room again, every row is back.
# Needs root (mount).  Runs in its own network namespace (ICMP from
# loopback) and its own mount namespace.
[ "$(id -u)" = 0 ] || { echo "SKIP: agent_disk_full: needs root (mount)"; exit 77; }
if [ -z "${SIPDIAG_OWN_MOUNTNS:-}" ]; then
	command -v unshare >/dev/null && unshare -m --propagation private true 2>/dev/null ||
		{ echo "SKIP: agent_disk_full: unshare -m does not work here"; exit 77; }
	export SIPDIAG_OWN_MOUNTNS=1
	exec unshare -m --propagation private "$(dirname "$0")/../own-netns" bash "$0" "$@"
fi
. "$(dirname "$0")/../e2e/lib.sh"

e2e_setup
need_cmd tshark
echo "sipdiagMinRerunInterval 0" >>"$SDCONF"   # row 1 runs several times in a row
PERSIST=$TMP/sipdiagd-persist          # what start_sipdiagd uses
mount -t tmpfs -o size=256k,mode=0700 sipdiag-full "$PERSIST" || skip "cannot mount a tmpfs"
on_cleanup "umount -l '$PERSIST'"
kam_start registrar
start_snmpd
start_sipdiagd
CLOSED_PORT=$(closed_udp_port)
sset $SC.2.0 u 2 $SC.4.0 u 1000 $SC.3.0 u 1 >/dev/null

account_row 1 alice "$ALICE_PASSWORD"
err=$(sset "$T.$C_ROWSTATUS.$(ix 2)" i 4 "$T.$C_REGISTRAR.$(ix 2)" s "sip:127.0.0.1:$CLOSED_PORT" "$T.$C_AOR.$(ix 2)" s sip:closed@127.0.0.1 \
	"$T.$C_TRANSPORT.$(ix 2)" i 2 "$T.$C_PASSWORD.$(ix 2)" s pw)
[ -z "$err" ] || die "row 2 (closed port): $err"

# run ROW: trigger, wait for complete(4)
run() {
	trigger "$1"
	wait_state "$1" 4 60
}

# with room: a complete capture
run 1
expect_col 1 $C_FAULT 2 "fault success with room on the disk"
path=$(col $C_CAPTURE_PATH 1)
[ -n "$path" ] && [ -s "$path" ] || fail "no capture file while the disk has room ('$path')"
# the store holds both rows
for _ in $(seq 1 200); do
	grep -q '^_sipDiagEnd' "$PERSIST/sipdiagd.store" 2>/dev/null &&
		[ "$(grep -c '^_sipDiagEntry' "$PERSIST/sipdiagd.store")" = 2 ] && break
	sleep 0.1
done
grep -c '^_sipDiagEntry' "$PERSIST/sipdiagd.store" 2>/dev/null | grep -qx 2 ||
	die "the store does not hold the two rows before the disk fills"
stored_before=$(cat "$PERSIST/sipdiagd.store")

# fill the disk to the last byte
dd if=/dev/zero of="$PERSIST/filler" bs=1k count=4096 >/dev/null 2>&1
free=$(df --output=avail -B1 "$PERSIST" | tail -n 1 | tr -d ' ')
[ "$free" = 0 ] || hard_error "could not fill the tmpfs ($free bytes free)"
log "the persistent directory's disk is full"

# check_capture_honest ROW WHAT: a capture path without a note must be a
# complete, readable file holding the packets the result counts.
check_capture_honest() {
	local path note packets have
	path=$(col $C_CAPTURE_PATH "$1")
	note=$(col $C_CAPTURE_NOTE "$1")
	packets=$(col $C_CAPTURE_PACKETS "$1")
	have=$(tshark -r "$path" 2>/dev/null | wc -l)
	log "$2: capture path '$path', note '$note', packets $packets, the file holds $have"
	if [ -n "$path" ] && [ -z "$note" ] && [ "$have" != "$packets" ]; then
		fail "$2: capture $path is presented as complete on a full disk, but holds $have of $packets packets ($(stat -c %s "$path" 2>/dev/null || echo missing) bytes; no sipDiagResultCaptureNote)"
	fi
}
run 1
expect_col 1 $C_FAULT 2 "fault success on a full disk"
check_capture_honest 1 "success on a full disk"
run 2
expect_col 2 $C_FAULT 15 "fault serviceNotListening on a full disk"
check_capture_honest 2 "closed port on a full disk"

# a change the full disk cannot store
expect_set "" "expires of row 1 on a full disk" "$T.$C_EXPIRES.$(ix 1)" u 1800
check_eq "$(sget "$T.$C_EXPIRES.$(ix 1)")" 1800 "the change applies in memory"
sleep 1.5     # the store runs from the loop
kill -0 "$SIPDIAGD_PID" 2>/dev/null || die "sipdiagd died on the full disk"
[ -e "$PERSIST/sipdiagd.store.tmp" ] && fail "a half-written sipdiagd.store.tmp is left behind"
stored_now=$(cat "$PERSIST/sipdiagd.store")
[ "$stored_now" = "$stored_before" ] || {
	grep -q '^_sipDiagEnd' "$PERSIST/sipdiagd.store" || fail "sipdiagd.store is no longer complete"
}
grep -q 'cannot write' "$TMP/sipdiagd.log" && log "sipdiagd logged: $(grep 'cannot write' "$TMP/sipdiagd.log" | tail -n 1)"

# stop (one more store attempt), room again, start: every row is back
stop_sipdiagd
rm -f "$PERSIST/filler"
start_sipdiagd
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 1)")" 1 "row 1 active after the restart"
check_eq "$(col $C_AOR 1)" "sip:alice@127.0.0.1" "row 1 AOR after the restart"
check_eq "$(sget "$T.$C_ROWSTATUS.$(ix 2)")" 1 "row 2 active after the restart"
exp=$(sget "$T.$C_EXPIRES.$(ix 1)")
case $exp in 1800 | 3600) log "ok: row 1 expires $exp after the restart (the last complete state)" ;;
*) fail "row 1 expires '$exp' after the restart" ;; esac
# and with room the evidence is complete again
run 1
expect_col 1 $C_FAULT 2 "fault success with room again"
check_eq "$(col $C_CAPTURE_NOTE 1)" "" "no capture note with room again"
finish
