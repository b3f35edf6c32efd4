#!/bin/bash
# SIGKILL while sipdiagd stores its rows: 60 nonVolatile rows with long
# texts, a writer changing all of them in every SET (one generation: the
# expires and the registrar of every row, and a marker row 1000+GEN that
# replaces the previous one), and sipdiagd killed with SIGKILL 30 times, at
# a random moment up to 6 ms after a watcher saw a store begin (a file of the
# persistent directory appear or change; the store writes ~130 KiB and
# syncs, which takes milliseconds).  Each restart must succeed and read back one whole
# generation: every row, every row the same one, at least the one before
# the last the writer saw acknowledged and at most the last it sent, the
# other columns intact.  Then a kill during a diagnosis: the row comes
# back with its configuration, not stuck in running.  Since issue 10 the
# rows are { "test", NAME } with the numbers as names; a name's index is
# its length and octets, so the markers (names of 1-3 digits) still sort
# before the data rows (4 digits).
. "$(dirname "$0")/lib.sh"
start_all
N=60
ROUNDS=${STORE_KILL_ROUNDS:-30}
STORE=$TMP/sipdiagd-persist/sipdiagd.store
PAD=$(printf 'x%.0s' $(seq 1 200))     # texts of ~220 octets: a store of ~130 KiB
reg() { echo "sip:r$1-$PAD.example.net"; }

# data rows 1001..1000+N (notInService: nothing runs) at generation 0, and
# the marker row 1+GEN.  The marker sorts before the data rows, so a store
# cut short holds the new marker: a start that read old and new rows
# together (as net-snmp's store, which keeps the old file as a backup and
# reads both, would) shows two markers.
D=1000
# IX[NAME]: the index of row NAME (computed once: the writer is hot)
declare -A IX
ixof() { [ -n "${IX[$1]:-}" ] || IX[$1]=$(ix "$1"); }
for i in $(seq $((D + 1)) $((D + N))) $(seq 1 1000) 500; do ixof "$i"; done
for first in $(seq 1 10 $N); do
	args=()
	for i in $(seq $((D + first)) $((D + first + 9))); do
		args+=("$T.$C_ROWSTATUS.${IX[$i]}" i 5 "$T.$C_REGISTRAR.${IX[$i]}" s "$(reg 0)" "$T.$C_AOR.${IX[$i]}" s "sip:u$i@example.net"
			"$T.$C_AUTH_USER.${IX[$i]}" s "user$i-$PAD" "$T.$C_PASSWORD.${IX[$i]}" s "pw$i-$PAD" "$T.$C_PROXY.${IX[$i]}" s "sip:proxy$i.example.net"
			"$T.$C_EXPIRES.${IX[$i]}" u 0)
	done
	err=$(sset "${args[@]}"); [ -z "$err" ] || die "creating rows $((D + first)).. : $err"
done
expect_set "" "marker row of generation 0" "$T.$C_ROWSTATUS.${IX[1]}" i 5

# set_generation G: one SET moving every row from G-1 to G (122 varbinds).
set_generation() {
	local g=$1 i args=()
	for i in $(seq $((D + 1)) $((D + N))); do args+=("$T.$C_EXPIRES.${IX[$i]}" u "$g" "$T.$C_REGISTRAR.${IX[$i]}" s "$(reg "$g")"); done
	ixof $((1 + g)); ixof "$g"
	args+=("$T.$C_ROWSTATUS.${IX[$((1 + g))]}" i 5 "$T.$C_ROWSTATUS.${IX[$g]}" i 6)
	sset "${args[@]}"
}

# column COL: "NAME VALUE" of every row of a column (the name decoded from
# the index owner-length.owner.name-length.name; names are digits here)
column() {
	swalk "$T.$1" | awk -v p="$T.$1." '{
		idx = substr($1, length(p) + 1); n = split(idx, o, ".")
		name = ""; for (k = o[1] + 3; k <= n; k++) name = name sprintf("%c", o[k])
		print name, $2 }'
}

# check_generation LOW HIGH: the rows read back are one whole generation
# between LOW and HIGH; sets GOT to it (empty when there is none).
check_generation() {
	local low=$1 high=$2 exp regs markers g bad i
	GOT=""
	exp=$(column $C_EXPIRES | awk -v d=$D '$1 > d { print $2 }')
	if [ "$(printf '%s\n' "$exp" | grep -c .)" != $N ]; then
		fail "$(printf '%s\n' "$exp" | grep -c .) of $N rows read back"
		return 1
	fi
	g=$(printf '%s\n' "$exp" | sort -u)
	if [ "$(printf '%s\n' "$g" | wc -l)" != 1 ]; then
		fail "rows of different generations read back: $(printf '%s\n' "$exp" | sort | uniq -c | tr '\n' ' ')"
		return 1
	fi
	[ "$g" -ge "$low" ] && [ "$g" -le "$high" ] || fail "generation $g read back, expected $low..$high"
	regs=$(column $C_REGISTRAR | awk -v d=$D '$1 > d { print $2 }' | sort -u)
	[ "$regs" = "\"$(reg "$g")\"" ] || fail "registrars of generation $g: $(printf '%s' "$regs" | cut -c 1-20 | tr '\n' ' ')"
	markers=$(column $C_ROWSTATUS | awk -v d=$D '$1 <= d { print $1 }' | tr '\n' ' ')
	[ "$markers" = "$((1 + g)) " ] || fail "marker rows '$markers', expected $((1 + g)) alone"
	bad=0
	for i in $((D + 1)) $((D + 17)) $((D + N)); do
		[ "$(sget "$T.$C_AOR.${IX[$i]}" "$T.$C_AUTH_USER.${IX[$i]}" "$T.$C_PROXY.${IX[$i]}" | tr '\n' ' ')" = \
			"\"sip:u$i@example.net\" \"user$i-$PAD\" \"sip:proxy$i.example.net\" " ] || bad=1
	done
	[ $bad = 0 ] || fail "other columns changed in generation $g"
	GOT=$g
}

# The killer: polls the persistent directory; at the (1 + SKIP)th change it
# sees, waits 0 to 6 ms and SIGKILLs sipdiagd (at the latest after 20 s).
cat >"$TMP/killer.py" <<'EOF'
import os, random, signal, sys, time
pid, directory, skip = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def snapshot():
    out = {}
    for e in os.scandir(directory):
        try:
            st = e.stat()
            out[e.name] = (st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            pass
    return out
last, deadline = snapshot(), time.monotonic() + 20
while time.monotonic() < deadline:
    now = snapshot()
    if now != last:
        if skip == 0:
            time.sleep(random.uniform(0, 0.006))
            break
        skip -= 1
        time.sleep(0.02)            # past this store
        now = snapshot()
    last = now
    time.sleep(0.0002)
os.kill(pid, signal.SIGKILL)
EOF

gen=0 interrupted=0
for round in $(seq 1 "$ROUNDS"); do
	: >"$TMP/sent"; : >"$TMP/acked"
	python3 "$TMP/killer.py" "$SIPDIAGD_PID" "$TMP/sipdiagd-persist" $((RANDOM % 2)) &
	killer=$!
	(
		g=$gen
		while :; do
			g=$((g + 1))
			echo "$g" >"$TMP/sent"
			[ -z "$(set_generation "$g")" ] || exit 0
			echo "$g" >"$TMP/acked"
		done
	) &
	writer=$!
	wait "$killer"
	wait "$SIPDIAGD_PID" 2>/dev/null
	[ -e "$STORE.tmp" ] && interrupted=$((interrupted + 1))
	for _ in $(seq 1 100); do kill -0 "$writer" 2>/dev/null || break; sleep 0.1; done
	kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
	sent=$(cat "$TMP/sent"); acked=$(cat "$TMP/acked")
	sent=${sent:-$gen}; acked=${acked:-$gen}
	low=$((acked - 1)); [ "$low" -lt "$gen" ] && low=$gen
	start_sipdiagd
	check_generation "$low" "$sent"
	log "round $round: writer sent up to $sent, acknowledged $acked; read back generation ${GOT:-none}"
	[ -n "$GOT" ] || finish
	gen=$GOT
done
log "$ROUNDS kills; $interrupted of them interrupted a store (its temporary file was left)"
[ "$gen" -gt 0 ] || fail "no generation ever reached the store"

# a kill during a diagnosis: the row comes back configured, state none
start_silent_udp
expect_set "" "long attempts" "$SC.4.0" u 20000
new_row 500 "sip:127.0.0.1:$SILENT_PORT" sip:alice@127.0.0.1 "$T.$C_TRANSPORT.${IX[500]}" i 2
expect_set "" "trigger row 500" "$T.$C_STATE.${IX[500]}" i 2
check_eq "$(sget "$T.$C_STATE.${IX[500]}")" 3 "row 500 running"
sleep 0.5
kill -KILL "$SIPDIAGD_PID"
wait "$SIPDIAGD_PID" 2>/dev/null
start_sipdiagd
check_eq "$(sget "$T.$C_REGISTRAR.${IX[500]}" "$T.$C_AOR.${IX[500]}" "$T.$C_ROWSTATUS.${IX[500]}" "$T.$C_STATE.${IX[500]}" | tr '\n' ' ')" \
	"\"sip:127.0.0.1:$SILENT_PORT\" \"sip:alice@127.0.0.1\" 1 1 " "row 500 after the kill: configuration, active, state none"
check_eq "$(sget "$SC.4.0")" 20000 "the scalar set before the kill"
expect_set "" "row 500 can run again" "$T.$C_STATE.${IX[500]}" i 2
check_eq "$(sget "$T.$C_STATE.${IX[500]}")" 3 "row 500 running again"
expect_set "" "cancel it" "$T.$C_STATE.${IX[500]}" i 5
finish
