#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# The network link flaps while a diagnosis runs.  Two namespaces joined by a
# veth pair (client NS_C, Kamailio in NS_S); the path works first.  Then:
#   1. user "silent" (the registrar never answers) while the client's end of
#      the link goes down and up again (the kernel drops and restores the
#      connected route under the probe's socket);
#   2. user "alice" (a healthy account) while the server's end is down when
#      the diagnosis starts and comes back up during it.
# A user expects each run to end with a verdict (any class the engine
# names, but not internalError), within the timer, and no crash; and the
# next diagnosis, on a stable link, to say the account works.
# Needs root.
. "$(dirname "$0")/../system/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
netns_assert_sip_path
TIMER=25

# probe_in_background USER: a diagnosis from NS_C; sets PROBE_PID etc.
probe_in_background() {
	local user=$1
	PROBE_OUT=$TEST_TMP/probe-$user.json
	PROBE_ERR=$TEST_TMP/probe-$user.err
	PROBE_CMD="$SIPDIAG_PROBE --json $(netns_reg_args "$user") --attempts 3 --attempt-timeout 2 --timer $TIMER --capture-dir $TEST_TMP/captures"
	log "running in $NS_C: $PROBE_CMD"
	# shellcheck disable=SC2086
	ip netns exec "$NS_C" timeout -k 5 $((TIMER + 60)) $PROBE_CMD \
		--password-file "$(password_file "$user" "$ALICE_PASSWORD")" \
		>"$PROBE_OUT" 2>"$PROBE_ERR" </dev/null &
	PROBE_PID=$!
	on_cleanup "kill -TERM $PROBE_PID"
	T0=$(date +%s)
}

# end_of_run WHAT: wait for the probe, check it ended with a verdict.
end_of_run() {
	local what=$1 wall
	wait "$PROBE_PID"
	PROBE_RC=$?
	wall=$(($(date +%s) - T0))
	log "$what: exit status $PROBE_RC after $wall s"
	case $PROBE_RC in
	124 | 137) fail "$what: the probe hung (killed by the test's timeout)"; return ;;
	esac
	[ "$PROBE_RC" -gt 128 ] && { fail "$what: the probe crashed (signal $((PROBE_RC - 128)))"; return; }
	jq -e -s 'length == 1' "$PROBE_OUT" >/dev/null 2>&1 ||
		{ fail "$what: output is not one JSON object"; cat "$PROBE_OUT" "$PROBE_ERR" >&2; return; }
	assert_result_shape
	assert_jq '.fault != "internalError" and (.fault | length > 0)' "$what: a real verdict"
	[ "$wall" -le $((TIMER + 15)) ] || fail "$what: the run took $wall s, the timer is $TIMER s"
	log "$what: verdict $(jq -r '"\(.fault) (code \(.code)), \(.attempts) REGISTERs, \(.pings_sent) pings"' "$PROBE_OUT")"
}

# 1. client link flaps under a silent registrar
kam_log_mark
probe_in_background silent
sleep 1
ip -n "$NS_C" link set "$VETH_C" down
log "client link $VETH_C down"
sleep 2
ip -n "$NS_C" link set "$VETH_C" up
log "client link $VETH_C up"
end_of_run "silent registrar, client link flapped"
assert_exit 1
assert_jq '.fault != "success"' "a silent registrar is never a success"

# 2. server link down at the start, up during the run
ip -n "$NS_S" link set "$VETH_S" down
log "server link $VETH_S down"
probe_in_background alice
sleep 1.5
ip -n "$NS_S" link set "$VETH_S" up
log "server link $VETH_S up"
end_of_run "healthy account, server link back during the run"
assert_jq '(.fault == "success" and .code == 200) or .fault == "networkUnreachable"
	or .fault == "serverNoResponse"' \
	"a success (a retransmission got through) or the outage, named"

# 3. on a stable link the account works again
ip netns exec "$NS_C" ping -c 1 -W 5 "$SERVER_ADDR" >/dev/null 2>&1 ||
	die "the link did not come back: no ping"
run_probe --netns "$NS_C" -- $(netns_reg_args alice) --capture-dir "$TEST_TMP/captures" \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"
assert_verdict 200 success 0
finish
