#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# The disk that holds the packet captures is full.  The capture directory is
# a tiny tmpfs (in a private mount namespace: nothing outside the test sees
# it) filled to the last byte.  A user expects:
#   - diagnoses still complete with the right verdict (a healthy account is
#     a success; a closed port is serviceNotListening, judged from the ICMP
#     error the capture decodes even when it cannot write the file);
#   - the result to say that the capture file is incomplete or missing
#     (capture.note not empty, or no capture.path), never a silently empty
#     or truncated file presented as the evidence;
#   - no crash; a capture presented without a note is a complete file.
# Needs root (mount).  Runs in its own network namespace (ICMP from loopback)
# and its own mount namespace.
[ "$(id -u)" = 0 ] || { echo "SKIP: capture_disk_full: needs root (mount)"; exit 77; }
if [ -z "${SIPDIAG_OWN_MOUNTNS:-}" ]; then
	command -v unshare >/dev/null && unshare -m --propagation private true 2>/dev/null ||
		{ echo "SKIP: capture_disk_full: unshare -m does not work here"; exit 77; }
	export SIPDIAG_OWN_MOUNTNS=1
	exec unshare -m --propagation private "$(dirname "$0")/../own-netns" bash "$0" "$@"
fi
. "$(dirname "$0")/../system/lib.sh"

setup
need_cmd tshark
FULL=$TEST_TMP/full
mkdir -p "$FULL"
mount -t tmpfs -o size=64k,mode=0700 sipdiag-full "$FULL" || skip "cannot mount a tmpfs"
on_cleanup "umount -l '$FULL'"
CAPS=$FULL/captures
mkdir -p "$CAPS"
# fill it to the last byte
dd if=/dev/zero of="$FULL/filler" bs=1k count=1024 >/dev/null 2>&1
free=$(df --output=avail -B1 "$FULL" | tail -n 1 | tr -d ' ')
log "tmpfs $FULL: $free bytes free"
[ "$free" = 0 ] || hard_error "could not fill the tmpfs ($free bytes free)"

kam_start main

# check_capture_honest WHAT: a capture path without a note must be a
# complete, readable file holding the packets the result counts.
check_capture_honest() {
	local what=$1 path note packets have
	path=$(jq -r '.capture.path // ""' "$PROBE_OUT")
	note=$(jq -r '.capture.note // ""' "$PROBE_OUT")
	packets=$(jq -r '.capture.packets' "$PROBE_OUT")
	have=$(tshark -r "$path" 2>/dev/null | wc -l)
	log "$what: capture path '$path', note '$note', packets $packets, the file holds $have"
	if [ -n "$path" ] && [ -z "$note" ] && [ "$have" != "$packets" ]; then
		fail "$what: capture $path is presented as complete on a full disk, but holds $have of $packets packets ($(stat -c %s "$path" 2>/dev/null || echo missing) bytes; no capture note)"
	fi
}

# 1. a healthy account
run_probe -- $(reg_args alice) --capture-dir "$CAPS" \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_verdict 200 success 0
check_capture_honest "success"

# 2. a closed port: the ICMP error is decoded even without a file
kam_stop
run_probe -- $(reg_args alice) --capture-dir "$CAPS" --attempt-timeout 1 \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_json '.fault' serviceNotListening
assert_exit 1
check_capture_honest "closed port"

# 3. room again: the next capture is complete
rm -f "$FULL/filler"
kam_start again
run_probe -- $(reg_args alice) --capture-dir "$CAPS" \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_verdict 200 success 0
path=$(jq -r '.capture.path // ""' "$PROBE_OUT")
[ -n "$path" ] && [ -s "$path" ] || fail "no capture file once the disk has room"
assert_json '.capture.note' "" "a complete capture needs no note"
n=$(tshark -r "$path" 2>/dev/null | wc -l)
[ "$n" -ge 4 ] || fail "the capture with room holds $n packets, expected the 4+ of a success"
finish
