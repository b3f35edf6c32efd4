# shellcheck shell=bash
#
# tests/agent/privileges_lib.sh - what the two privilege tests share
# (sourced after lib.sh): the user the daemon runs as, letting that user
# reach the test's files and the master's AgentX socket, and the checks a
# user would make: /proc/PID/status, a diagnosis that needs CAP_NET_RAW,
# the files it writes, persistence, SIGHUP, an snmpd restart.

RUN_USER=nobody
declare -a REGISTRAR        # REGISTRAR[INDEX]: of the rows check_closed_port_run made
RUN_GROUP=nogroup

privileges_setup() {
	[ "$(id -u)" = 0 ] || skip "switching users needs root"
	RUN_UID=$(id -u "$RUN_USER" 2>/dev/null) || skip "no user $RUN_USER"
	RUN_GID=$(getent group "$RUN_GROUP" | cut -d: -f3)
	[ -n "$RUN_GID" ] || skip "no group $RUN_GROUP"
	setup
	# what an administrator does for a daemon of its own user: the user may
	# traverse to its files (not list the others), and the master lets it
	# connect to the AgentX socket (snmpd.conf agentXPerms)
	chmod 0711 "$TMP"
	eval "lib_$(declare -f write_snmpd_conf)"
	# shellcheck disable=SC2317  # called by start_snmpd
	write_snmpd_conf() {
		lib_write_snmpd_conf
		echo "agentXPerms 0660 0755 root $RUN_GROUP" >>"$TMP/snmpd.conf"
	}
}

# status_field PID NAME: the values of one line of /proc/PID/status.
status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}

# check_process PID BOUNDING: runs as RUN_USER/RUN_GROUP with only
# CAP_NET_RAW (0x2000) permitted and effective, nothing inheritable or
# ambient, no_new_privs; BOUNDING=yes checks the bounding set too.
check_process() {
	local pid=$1 line
	for line in Uid Gid Groups CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs; do
		log "status: $(grep "^$line:" "/proc/$pid/status" | tr '\t' ' ')"
	done
	check_eq "$(status_field "$pid" Uid)" "$RUN_UID $RUN_UID $RUN_UID $RUN_UID" "Uid (real effective saved fs)"
	check_eq "$(status_field "$pid" Gid)" "$RUN_GID $RUN_GID $RUN_GID $RUN_GID" "Gid"
	check_eq "$(status_field "$pid" CapPrm)" 0000000000002000 "CapPrm is cap_net_raw only"
	check_eq "$(status_field "$pid" CapEff)" 0000000000002000 "CapEff is cap_net_raw only"
	check_eq "$(status_field "$pid" CapInh)" 0000000000000000 "CapInh empty"
	check_eq "$(status_field "$pid" CapAmb)" 0000000000000000 "CapAmb empty"
	check_eq "$(status_field "$pid" NoNewPrivs)" 1 "NoNewPrivs"
	[ "$2" = yes ] && check_eq "$(status_field "$pid" CapBnd)" 0000000000002000 "CapBnd is cap_net_raw only"
	grep -q "running as uid $RUN_UID gid $RUN_GID, capabilities: cap_net_raw only, no_new_privs" \
		"$TMP/sipdiagd.log" || fail "the log does not say what the daemon runs with"
}

# check_closed_port_run INDEX: a diagnosis against a closed UDP port on
# loopback reads the ICMP port unreachable (capture, CAP_NET_RAW) and
# writes a pcap file owned by RUN_USER; the row is nonVolatile.
check_closed_port_run() {
	local idx=$1 closed path packets
	closed=$(closed_udp_port)
	# shellcheck disable=SC2034  # read by the tests
	REGISTRAR[idx]=sip:127.0.0.1:$closed
	# one account per row: the minimum interval between two diagnoses of one
	# account (registrar host + AOR) would refuse a second row of dave
	new_row "$idx" "sip:127.0.0.1:$closed" "sip:dave$idx@127.0.0.1" "$T.$C_TRANSPORT.$(ix "$idx")" i 2
	check_eq "$(sget "$T.$C_STORAGE.$(ix "$idx")")" 3 "row $idx is nonVolatile"
	expect_set "" "trigger row $idx" "$T.$C_STATE.$(ix "$idx")" i 2
	wait_state "$idx" 4 15
	check_eq "$(sget "$T.$C_FAULT.$(ix "$idx")")" 15 "fault serviceNotListening (an ICMP finding)"
	check_eq "$(sget "$T.$C_CODE.$(ix "$idx")")" 20 "code 20 (port unreachable)"
	check_eq "$(sget "$T.$C_ICMP_ERROR.$(ix "$idx")" | grep -c 'port unreachable')" 1 "ICMP error column"
	path=$(sget "$T.$C_CAPTURE_PATH.$(ix "$idx")" | sed -e 's/^"//' -e 's/"$//')
	packets=$(sget "$T.$C_CAPTURE_PACKETS.$(ix "$idx")")
	if [ -f "$path" ]; then
		log "ok: capture file $path ($packets packets)"
		check_eq "$(stat -c %U:%G "$path")" "$RUN_USER:$RUN_GROUP" "owner of the capture file"
	else
		fail "capture file '$path' does not exist (note: $(sget "$T.$C_CAPTURE_NOTE.$(ix "$idx")"))"
	fi
	[ "${packets:-0}" -ge 2 ] 2>/dev/null || fail "capture packets: '$packets', expected at least 2"
}

# check_sighup: the configuration is read again as RUN_USER.
check_sighup() {
	reload_sipdiagd || die "SIGHUP not handled"
	grep -E "cannot (read|write)" "$TMP/sipdiagd.log" && fail "sipdiagd warned about its files"
	expect_set "" "SET after SIGHUP (trapGeneration, which replaced notifyOnComplete)" "$T.$C_TRAPS.$(ix 1)" x $TRAPS_COMPLETE
}

# check_snmpd_restart: the AgentX session is opened again as RUN_USER.
check_snmpd_restart() {
	stop_pid "$SNMPD_PID"
	sleep 1
	start_snmpd
	wait_registered 15 || die "sipdiagd did not register again after snmpd's restart"
	log "ok: registered again after snmpd's restart"
}

# stop_checked: TERM, and the daemon exits 0 with no sanitizer report
# (it saves the store as RUN_USER on the way).
stop_checked() {
	local rc
	kill -TERM "$SIPDIAGD_PID"
	wait "$SIPDIAGD_PID"
	rc=$?
	check_eq "$rc" 0 "sipdiagd's exit status"
	if grep -E "Sanitizer|runtime error" "$TMP/sipdiagd.out"; then
		fail "sanitizer report in sipdiagd's output"
	fi
}

# check_persisted INDEX: after a stop, the store holds the row, is
# RUN_USER's, and holds no cleartext password line in the logs.
check_persisted() {
	local store=$TMP/sipdiagd-persist/sipdiagd.store
	[ -f "$store" ] || { fail "no persistent store $store"; return; }
	check_eq "$(stat -c %U "$store")" "$RUN_USER" "owner of the persistent store"
	check_eq "$(stat -c %a "$store")" 600 "mode of the persistent store"
	# issue 10: _sipDiagEntry OWNER NAME ... (was _sipDiagRow INDEX ...)
	grep -q "^_sipDiagEntry \"$TEST_OWNER\" \"$1\" " "$store" || fail "row $1 not in the store"
	grep -q "pw-$1" "$TMP/sipdiagd.log" "$TMP/sipdiagd.out" && fail "a password in the logs"
	return 0
}
