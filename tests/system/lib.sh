# shellcheck shell=bash
#
# tests/system/lib.sh - harness for the sipdiag-probe system tests.
#
# Sourced (bash) by every tests/system/*.sh script.  Each test is independent:
# its own temp dir, its own Kamailio on its own free port, its own namespaces,
# so automake's parallel harness may run them all at once.
#
# Exit codes follow automake's test protocol:
#   0 pass, 1 fail, 77 skip (reason printed), 99 hard error (broken setup).
#
# Environment:
#   SIPDIAG_PROBE        the probe binary (default: $abs_top_builddir/
#                        probe/sipdiag-probe, else ../../probe/sipdiag-probe
#                        relative to this directory)
#   SIPDIAG_KEEP_TMP=1   keep the test's temp dir (Kamailio cfg and log,
#                        probe output) for inspection
#   SIPDIAG_TEST_VERBOSE=1  print every probe JSON and Kamailio log in full
#
# Everything a test starts (Kamailio process groups, network namespaces,
# temp dirs) is registered for cleanup and removed by an EXIT trap, also when
# the test fails or is interrupted.

set -u

SYSTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KAM_TEMPLATE=$SYSTEST_DIR/../kamailio/registrar.cfg.in
TEST_NAME=$(basename "$0" .sh)

# Passwords the registrar script knows (tests/kamailio/registrar.cfg.in).
ALICE_PASSWORD=alice-secret
AUTHFAIL_PASSWORD=right-secret
PROXYAUTH_PASSWORD=proxy-secret

# ---------------------------------------------------------------- messages

log() { printf '[%s] %s\n' "$TEST_NAME" "$*"; }

skip() {
	printf 'SKIP: %s: %s\n' "$TEST_NAME" "$*"
	exit 77
}

hard_error() {
	printf 'ERROR: %s: %s\n' "$TEST_NAME" "$*" >&2
	exit 99
}

_FAILURES=0

# Record a failed check and go on (so one run reports every mismatch).
fail() {
	printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*" >&2
	_FAILURES=$((_FAILURES + 1))
}

# End the test: dump evidence on failure, exit 1 or 0.
finish() {
	if [ "$_FAILURES" -gt 0 ]; then
		dump_evidence
		printf 'FAIL: %s: %d check(s) failed\n' "$TEST_NAME" "$_FAILURES" >&2
		exit 1
	fi
	if [ "${SIPDIAG_TEST_VERBOSE:-0}" = 1 ]; then dump_evidence; fi
	printf 'PASS: %s\n' "$TEST_NAME"
	exit 0
}

# Stop at once (a precondition of the test itself did not hold).
die() {
	fail "$*"
	finish
}

dump_evidence() {
	local f
	if [ -n "${PROBE_OUT:-}" ] && [ -f "$PROBE_OUT" ]; then
		echo "---- probe command: ${PROBE_CMD:-?}"
		echo "---- probe exit status: ${PROBE_RC:-?}"
		echo "---- probe stdout:"
		cat "$PROBE_OUT"
		echo "---- probe stderr:"
		cat "$PROBE_ERR" 2>/dev/null
	fi
	for f in "${TEST_TMP:-/nonexistent}"/kamailio-*.log; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f") (last 80 lines):"
		tail -n 80 "$f"
	done
	echo "----"
}

# ---------------------------------------------------------------- cleanup

_CLEANUPS=()

# on_cleanup CMD...: run CMD (a string, eval'd) at exit, last registered first.
on_cleanup() { _CLEANUPS+=("$*"); }

_run_cleanups() {
	local rc=$? i
	trap - EXIT INT TERM HUP
	for ((i = ${#_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	return $rc
}
trap _run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------- setup

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "'$c' is not installed"
	done
}

need_root_netns() {
	[ "$(id -u)" = 0 ] || skip "network-namespace tests need root"
	need_cmd ip nft
	# Probe: can we really create and remove a namespace here?
	local ns="sdchk$$"
	ip netns add "$ns" >/dev/null 2>&1 || skip "'ip netns add' does not work here"
	ip netns del "$ns" >/dev/null 2>&1
}

find_probe() {
	if [ -z "${SIPDIAG_PROBE:-}" ]; then
		if [ -n "${abs_top_builddir:-}" ]; then
			SIPDIAG_PROBE=$abs_top_builddir/probe/sipdiag-probe
		else
			SIPDIAG_PROBE=$SYSTEST_DIR/../../probe/sipdiag-probe
		fi
	fi
	[ -x "$SIPDIAG_PROBE" ] ||
		hard_error "probe binary '$SIPDIAG_PROBE' not found or not executable (set SIPDIAG_PROBE)"
}

# setup [--no-probe]: common preconditions of every system test; creates
# $TEST_TMP.
setup() {
	need_cmd kamailio kamcmd jq sipsak ss setsid timeout
	[ "${1:-}" = --no-probe ] || find_probe
	[ -r "$KAM_TEMPLATE" ] || hard_error "missing $KAM_TEMPLATE"
	TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sipdiag-$TEST_NAME.XXXXXX") ||
		hard_error "mktemp failed"
	if [ "${SIPDIAG_KEEP_TMP:-0}" = 1 ]; then
		log "keeping temp dir $TEST_TMP"
	else
		on_cleanup "rm -rf '$TEST_TMP'"
	fi
}

kam_modpath() {
	local d
	for d in /usr/lib/x86_64-linux-gnu/kamailio/modules /usr/lib/*/kamailio/modules \
		/usr/lib/kamailio/modules /usr/lib64/kamailio/modules \
		/usr/local/lib/kamailio/modules /usr/local/lib64/kamailio/modules; do
		if [ -f "$d/registrar.so" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

# ---------------------------------------------------------------- ports

# port_is_free [NETNS] PORT: no UDP or TCP socket uses PORT (any address).
port_is_free() {
	local ns="" port
	if [ $# -eq 2 ]; then ns=$1; shift; fi
	port=$1
	local out
	if [ -n "$ns" ]; then
		out=$(ip netns exec "$ns" ss -Hantu 2>/dev/null)
	else
		out=$(ss -Hantu 2>/dev/null)
	fi
	! printf '%s\n' "$out" | awk '{print $5}' | grep -Eq "[:.]$port\$"
}

# pick_free_port: a port free for UDP and TCP, below the usual ephemeral
# range (32768-60999) so that client sockets of parallel tests rarely take it.
# Kamailio's bind is the real check: kam_start retries on another port.
pick_free_port() {
	local i port
	for i in $(seq 1 200); do
		port=$((10000 + (RANDOM * 32768 + RANDOM) % 22000))
		if port_is_free "$port"; then
			echo "$port"
			return 0
		fi
	done
	hard_error "no free port found"
}

# ---------------------------------------------------------------- Kamailio

# kam_start NAME [--netns NS] [--addr ADDR]... [--tls DIR]
#   Starts Kamailio from the template, listening on UDP and TCP at 127.0.0.1
#   (of the namespace, if any) and on each --addr, all on one free port.
#   --tls DIR: also TLS on 127.0.0.1, on a port of its own (KAM_TLS_PORT),
#   with DIR/cert.pem and DIR/key.pem as the server's certificate.
#   Sets KAM_PORT, KAM_LOG, KAM_CTL, KAM_PGID (also KAM_<NAME>_* copies are
#   not kept: use one name per instance and read the globals right after).
kam_start() {
	local name=$1
	shift
	local ns="" addrs=("127.0.0.1")
	local defines=() tlsdir="" tlsport=""
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tlsdir=$2; defines+=(-A SIPDIAG_TLS); shift 2 ;;
		--netns) ns=$2; shift 2 ;;
		--addr) addrs+=("$2"); shift 2 ;;
		--define) defines+=(-A "$2"); shift 2 ;;
		*) hard_error "kam_start: bad argument $1" ;;
		esac
	done
	local modpath
	modpath=$(kam_modpath) || skip "Kamailio modules (registrar.so) not found"

	local dir=$TEST_TMP/kam-$name try port listen a cfg pidfile token
	mkdir -p "$dir/run"
	for try in 1 2 3 4 5 6; do
		if [ -n "$ns" ]; then
			port=$((10000 + RANDOM % 20000))
		else
			port=$(pick_free_port)
		fi
		listen=""
		for a in "${addrs[@]}"; do
			listen="${listen}listen=udp:$a:$port\\nlisten=tcp:$a:$port\\n"
		done
		if [ -n "$tlsdir" ]; then
			tlsport=$(pick_free_port)
			[ "$tlsport" = "$port" ] && tlsport=$(pick_free_port)
			listen="${listen}listen=tls:127.0.0.1:$tlsport\\n"
		fi
		cfg=$dir/kamailio.cfg
		token=$TEST_NAME-$$-$name-$try
		sed -e "s|@LISTEN@|$listen|" \
			-e "s|@PORT@|$port|g" \
			-e "s|@MODPATH@|$modpath|g" \
			-e "s|@CTLSOCK@|$dir/ctl.sock|g" \
			-e "s|@TOKEN@|$token|g" \
			-e "s|@TLSDIR@|$tlsdir|g" \
			"$KAM_TEMPLATE" >"$cfg"
		KAM_LOG=$TEST_TMP/kamailio-$name.log
		pidfile=$dir/run/kamailio.pid
		rm -f "$pidfile" "$dir/ctl.sock"
		local cmd=(setsid kamailio -f "$cfg" -P "$pidfile" -Y "$dir/run" -w "$dir"
			-DD -E -m 32 -M 4 ${defines[@]+"${defines[@]}"})
		if [ -n "$ns" ]; then cmd=(ip netns exec "$ns" "${cmd[@]}"); fi
		"${cmd[@]}" >"$KAM_LOG" 2>&1 </dev/null &
		local pid=$!
		# setsid made the Kamailio main process a group leader: its pid is
		# the process group of Kamailio and all its children.
		on_cleanup "kam_kill_group $pid"
		if kam_wait_ready "$pid" "$port" "$token" "$ns"; then
			KAM_PORT=$port
			KAM_TLS_PORT=$tlsport
			KAM_CTL=$dir/ctl.sock
			KAM_PGID=$pid
			KAM_NETNS=$ns
			log "kamailio '$name' pid $pid listening on ${addrs[*]} port $port${ns:+ in netns $ns}"
			return 0
		fi
		kam_kill_group "$pid"
		if grep -qiE 'address already in use|cannot assign|bind\(' "$KAM_LOG"; then
			log "port $port busy, retrying"
			continue
		fi
		cat "$KAM_LOG" >&2
		hard_error "kamailio did not start (log above)"
	done
	hard_error "kamailio did not start after several ports"
}

# kam_wait_ready PID PORT TOKEN [NS]: wait until this Kamailio (its Server
# header carries TOKEN) answers an OPTIONS on PORT, and is still running: a
# Kamailio that lost the race for the port exits, and another test's
# instance on that port would answer without our TOKEN.
kam_wait_ready() {
	local pid=$1 port=$2 token=$3 ns=${4:-} i
	local pre=()
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	for i in $(seq 1 40); do
		kill -0 "$pid" 2>/dev/null || return 1
		if "${pre[@]}" timeout 2 sipsak -vv -s "sip:ping@127.0.0.1:$port" 2>&1 |
			grep -qF "sipdiag-test-registrar $token"; then
			sleep 0.1
			kill -0 "$pid" 2>/dev/null || return 1
			return 0
		fi
		sleep 0.25
	done
	return 1
}

# kam_kill_group PGID: stop a Kamailio started by kam_start, children too.
kam_kill_group() {
	local pgid=$1 i
	kill -TERM -- "-$pgid" 2>/dev/null || return 0
	for i in $(seq 1 40); do
		kill -0 -- "-$pgid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL -- "-$pgid" 2>/dev/null
	return 0
}

# kam_stop: stop the last started Kamailio (e.g. "server down" cases).
kam_stop() {
	kam_kill_group "$KAM_PGID"
	log "kamailio pid $KAM_PGID stopped"
}

# kamcmd_run ARGS...: kamcmd against the last started Kamailio.
kamcmd_run() {
	if [ -n "${KAM_NETNS:-}" ]; then
		ip netns exec "$KAM_NETNS" kamcmd -s "unix:$KAM_CTL" "$@"
	else
		kamcmd -s "unix:$KAM_CTL" "$@"
	fi
}

# location_contacts USER: the Contact URIs the location table holds for USER
# (one a line; nothing if none).
location_contacts() {
	kamcmd_run ul.lookup location "$1" 2>/dev/null |
		sed -n 's/^[[:space:]]*Address:[[:space:]]*//p'
}

# kam_log_mark: remember how far the Kamailio log went (count after it).
kam_log_mark() { KAM_LOG_MARK=$(wc -l <"$KAM_LOG"); }

# server_registers USER: REGISTERs for USER that Kamailio received since the
# last kam_log_mark, counted as distinct CSeq numbers (UDP retransmissions of
# one request share its CSeq).
server_registers() {
	tail -n "+$((${KAM_LOG_MARK:-0} + 1))" "$KAM_LOG" |
		grep -F 'SIPDIAG-REQ method=REGISTER' |
		grep -F " tuser=$1 " |
		sed -n 's/.* cseq=\([0-9]*\) .*/\1/p' | sort -un | wc -l
}

# server_register_lines USER: the raw log lines, for messages.
server_register_lines() {
	# one line per distinct REGISTER: UDP retransmissions (same Call-ID
	# and CSeq) are logged again by Kamailio and must not count twice
	tail -n "+$((${KAM_LOG_MARK:-0} + 1))" "$KAM_LOG" |
		grep -F 'SIPDIAG-REQ method=REGISTER' | grep -F " tuser=$1 " |
		awk '{ key = ""; for (i = 1; i <= NF; i++) if ($i ~ /^(cseq|callid)=/) key = key $i;
		       if (!seen[key]++) print }'
}

# terminal_register USER PASSWORD CONTACT: make the "terminal's own" binding,
# as the device would, with sipsak (different Contact, 1 h).
terminal_register() {
	local user=$1 pass=$2 contact=$3
	local out
	if ! out=$(timeout 10 sipsak -U -C "$contact" -x 3600 -a "$pass" \
		-s "sip:$user@127.0.0.1:$KAM_PORT" 2>&1); then
		printf '%s\n' "$out" >&2
		die "sipsak could not register the terminal's binding $contact for $user"
	fi
}

# ---------------------------------------------------------------- probe

# run_probe [--netns NS] [--env VAR=VALUE]... [--unprivileged] -- PROBE-ARGS...
#   Runs the probe with --json (added here), bounded by a timeout.
#   --unprivileged: as UNPRIV_USER with no capability at all (setpriv: no
#   CAP_NET_RAW, so no capture and no raw socket), like any user would.
#   Sets PROBE_RC and PROBE_OUT (JSON), PROBE_ERR (stderr), PROBE_WALL_MS.
run_probe() {
	local ns="" envs=() unpriv=()
	while [ $# -gt 0 ]; do
		case $1 in
		--netns) ns=$2; shift 2 ;;
		--env) envs+=("$2"); shift 2 ;;
		--unprivileged)
			unpriv=(setpriv "--reuid=$UNPRIV_USER" "--regid=$UNPRIV_GROUP" --clear-groups
				--inh-caps=-all --bounding-set=-all --no-new-privs --)
			shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	PROBE_OUT=$TEST_TMP/probe.json
	PROBE_ERR=$TEST_TMP/probe.err
	local cmd=(${unpriv[@]+"${unpriv[@]}"} env ${envs[@]+"${envs[@]}"} "$SIPDIAG_PROBE" --json "$@")
	[ -n "$ns" ] && cmd=(ip netns exec "$ns" "${cmd[@]}")
	PROBE_CMD="${cmd[*]}"
	log "running: $PROBE_CMD"
	local t0 t1
	t0=$(date +%s%N)
	# In the background + wait, so that a signal to the test runs the
	# cleanup at once instead of after the probe ends.
	timeout -k 5 "${PROBE_TIMEOUT:-90}" "${cmd[@]}" >"$PROBE_OUT" 2>"$PROBE_ERR" </dev/null &
	PROBE_PID=$!
	on_cleanup "kill -TERM $PROBE_PID"
	wait "$PROBE_PID"
	PROBE_RC=$?
	t1=$(date +%s%N)
	PROBE_WALL_MS=$(((t1 - t0) / 1000000))
	log "probe exit status $PROBE_RC after ${PROBE_WALL_MS} ms"
	if [ "$PROBE_RC" = 124 ] || [ "$PROBE_RC" = 137 ]; then
		die "probe did not finish within ${PROBE_TIMEOUT:-90} s"
	fi
	if [ "$PROBE_RC" -gt 128 ]; then
		die "probe crashed: killed by signal $((PROBE_RC - 128)) (exit status $PROBE_RC)"
	fi
	# (jq -e alone accepts an empty input: slurp and count.)
	if ! jq -e -s 'length == 1 and (.[0] | type == "object")' "$PROBE_OUT" >/dev/null 2>&1; then
		die "probe output is not exactly one JSON object"
	fi
	if [ "${SIPDIAG_TEST_VERBOSE:-0}" = 1 ]; then jq . "$PROBE_OUT"; fi
	return 0
}

# password_file NAME SECRET: write SECRET (with a trailing newline, as an
# editor would) to a mode-600 file; prints its path.
password_file() {
	local f=$TEST_TMP/$1.password
	(umask 077 && printf '%s\n' "$2" >"$f")
	echo "$f"
}

# ---------------------------------------------------------------- assertions

# assert_json FILTER EXPECTED [WHAT]: jq -c FILTER on the probe's JSON must
# print exactly EXPECTED (strings without quotes: jq -r for strings).
assert_json() {
	local filter=$1 expected=$2 what=${3:-}
	local actual
	actual=$(jq -r "$filter" "$PROBE_OUT" 2>&1)
	if [ "$actual" != "$expected" ]; then
		fail "expected $filter == $expected, got '$actual'${what:+ ($what)}"
	fi
}

# assert_json_num FILTER OP NUMBER [WHAT]: numeric comparison, OP one of
# -eq -ne -lt -le -gt -ge; a missing or non-numeric value fails.
assert_json_num() {
	local filter=$1 op=$2 n=$3 what=${4:-}
	local actual
	actual=$(jq -r "$filter" "$PROBE_OUT" 2>&1)
	if ! [[ "$actual" =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then
		fail "expected $filter $op $n, got '$actual' (not a number)${what:+ ($what)}"
		return
	fi
	actual=${actual%%.*}
	if ! test "$actual" "$op" "$n"; then
		fail "expected $filter $op $n, got $actual${what:+ ($what)}"
	fi
}

# assert_jq EXPR MESSAGE: jq -e EXPR must be true.
assert_jq() {
	if ! jq -e "$1" "$PROBE_OUT" >/dev/null 2>&1; then
		fail "$2 (jq: $1 is not true; value: $(jq -c "$1" "$PROBE_OUT" 2>&1))"
	fi
}

assert_exit() {
	if [ "$PROBE_RC" != "$1" ]; then
		fail "expected probe exit status $1, got $PROBE_RC"
	fi
}

# assert_eq ACTUAL EXPECTED MESSAGE
assert_eq() {
	if [ "$1" != "$2" ]; then fail "$3: expected $2, got $1"; fi
}

# The keys the contract promises in every --json result.
assert_result_shape() {
	local k
	for k in state code fault sip_status sip_reason attempts cleanup_registers \
		binding_removed pings_sent pings_received rtt_ms server duration_ms \
		diagnosis steps; do
		assert_jq "has(\"$k\")" "result has key '$k'"
	done
	assert_json '.state' complete
	assert_jq '.steps | type == "array"' "steps is an array"
	assert_jq '.diagnosis | type == "string" and length > 0' "diagnosis is a non-empty text"
	# No server is known only when nothing could be sent (config, DNS).
	assert_jq '(.server | type == "object" and has("address") and has("port") and has("transport"))
		or (.server == null and .attempts == 0)' \
		"server has address, port, transport (null only when nothing was sent)"
}

# assert_verdict CODE FAULT EXIT: the classification and the exit status.
assert_verdict() {
	assert_json '.code' "$1"
	assert_json '.fault' "$2"
	assert_exit "$3"
}

# assert_server_saw USER N: Kamailio received exactly N REGISTERs (distinct
# CSeqs) for USER since kam_log_mark.
assert_server_saw() {
	local n
	n=$(server_registers "$1")
	if [ "$n" != "$2" ]; then
		fail "Kamailio received $n REGISTER(s) for $1, expected $2:"
		server_register_lines "$1" >&2
	fi
}

# assert_no_probe_binding USER: no Contact of the probe ("sipdiag-" user
# part) is left in the location table for USER.
assert_no_probe_binding() {
	local contacts
	contacts=$(location_contacts "$1")
	if printf '%s\n' "$contacts" | grep -q 'sip[s]*:sipdiag-'; then
		fail "a probe binding is still registered for $1: $(printf '%s' "$contacts" | tr '\n' ' ')"
	fi
}

# assert_binding_present USER CONTACT-SUBSTRING
assert_binding_present() {
	local contacts
	contacts=$(location_contacts "$1")
	if ! printf '%s\n' "$contacts" | grep -qF "$2"; then
		fail "binding $2 of $1 is gone; location holds: $(printf '%s' "$contacts" | tr '\n' ' ')"
	fi
}

# Common arguments for a probe run against the local Kamailio.
# reg_args USER [TRANSPORT]
reg_args() {
	local user=$1 tp=${2:-udp}
	echo "--registrar sip:127.0.0.1:$KAM_PORT --aor sip:$user@127.0.0.1 --transport $tp"
}

# Contacts of the probe ("sipdiag-" user part) that Kamailio saved since
# kam_log_mark: SAVED lines, and how many of them removed the binding
# (Expires: 0 or ;expires=0 in the Contact).
server_probe_saves() {
	tail -n "+$((${KAM_LOG_MARK:-0} + 1))" "$KAM_LOG" |
		grep -F 'SIPDIAG-SAVED' | grep -F " tuser=$1 " | grep -E 'contact=[^ ]*sips?:sipdiag-'
}
server_probe_removals() {
	server_probe_saves "$1" | grep -Ec '(expires=0$|;expires=0([^0-9]|$))'
}

# assert_probe_binding_made_and_removed USER: the registrar stored a binding
# with the probe's Contact and a later REGISTER of the probe removed it.
assert_probe_binding_made_and_removed() {
	local saves removals
	saves=$(server_probe_saves "$1" | wc -l)
	removals=$(server_probe_removals "$1")
	if [ "$saves" -lt 2 ] || [ "$removals" -lt 1 ]; then
		fail "Kamailio log shows $saves save(s) of a sipdiag- Contact for $1, $removals removal(s); expected a registration and its removal"
		server_register_lines "$1" >&2
	fi
}

# assert_answered_directly: a server that answered needs no pings.
assert_no_pings() {
	assert_json '.pings_sent' 0 "the server answered, so no ICMP fallback"
	assert_json '.pings_received' 0
}

# assert_server ADDRESS PORT TRANSPORT
assert_server() {
	assert_json '.server.address' "$1"
	assert_json '.server.port' "$2"
	assert_jq ".server.transport | ascii_downcase == \"$3\"" "server.transport is $3"
}

# check_final_response USER CODE FAULT REASON: the common assertions for a
# registrar that answers the first REGISTER with one final non-2xx response
# that has no flow of its own: that code is the verdict after 1 REGISTER.
check_final_response() {
	local user=$1 code=$2 fault=$3 reason=$4
	kam_log_mark
	run_probe -- $(reg_args "$user") --password-file "$(password_file "$user" any-password)"
	assert_result_shape
	assert_verdict "$code" "$fault" 1
	assert_json '.sip_status' "$code"
	assert_json '.sip_reason' "$reason" "reason phrase as the server sent it"
	assert_json '.attempts' 1 "a final answer ends the diagnosis at once"
	assert_json '.cleanup_registers' 0 "nothing was registered"
	assert_json '.binding_removed' false
	assert_no_pings
	assert_jq '.rtt_ms | type == "number" and . >= 0' "rtt_ms measured"
	assert_server 127.0.0.1 "$KAM_PORT" udp
	assert_server_saw "$user" 1
	assert_no_probe_binding "$user"
}

# ---------------------------------------------------------------- netns

# Documentation-range addresses that exist only inside the namespaces the
# test creates; no packet to them ever leaves those namespaces.
CLIENT_ADDR=198.51.100.1
SERVER_ADDR=198.51.100.2

# netns_router_setup [--lan]: a client namespace NS_C ($CLIENT_ADDR/24)
# whose default route is a forwarding router namespace NS_R ($ROUTER_ADDR);
# the router knows no route to 192.0.2.0/24 (TEST-NET-1, where REGISTRAR
# is).  With --lan the router has that network on a second link, to a
# namespace NS_L holding $LAN_OTHER_ADDR (not the registrar: it is absent).
# Dies unless the far end (the router, or the LAN host) answers ping.
ROUTER_ADDR=198.51.100.254
LAN_ROUTER_ADDR=192.0.2.1
LAN_OTHER_ADDR=192.0.2.3
REGISTRAR=192.0.2.2
netns_router_setup() {
	local lan=0 ns
	[ "${1:-}" = --lan ] && lan=1
	NS_C=sipdiag-c-$$
	NS_R=sipdiag-r-$$
	NS_L=sipdiag-l-$$
	for ns in "$NS_C" "$NS_R" $([ $lan = 1 ] && echo "$NS_L"); do
		ip netns add "$ns" || hard_error "cannot create netns $ns"
		on_cleanup "netns_remove '$ns'"
		ip -n "$ns" link set lo up
	done
	ip link add "sdc$$" netns "$NS_C" type veth peer name "sdr$$" netns "$NS_R" ||
		hard_error "cannot create veth pair"
	ip -n "$NS_C" addr add "$CLIENT_ADDR/24" dev "sdc$$"
	ip -n "$NS_R" addr add "$ROUTER_ADDR/24" dev "sdr$$"
	ip -n "$NS_C" link set "sdc$$" up
	ip -n "$NS_R" link set "sdr$$" up
	ip -n "$NS_C" route add default via "$ROUTER_ADDR"
	if [ $lan = 1 ]; then
		ip link add "sdl$$" netns "$NS_R" type veth peer name "sdx$$" netns "$NS_L" ||
			hard_error "cannot create veth pair"
		ip -n "$NS_R" addr add "$LAN_ROUTER_ADDR/24" dev "sdl$$"
		ip -n "$NS_L" addr add "$LAN_OTHER_ADDR/24" dev "sdx$$"
		ip -n "$NS_R" link set "sdl$$" up
		ip -n "$NS_L" link set "sdx$$" up
		ip -n "$NS_L" route add default via "$LAN_ROUTER_ADDR"
	fi
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1 || hard_error "cannot enable forwarding"
	if [ $lan = 1 ]; then
		ip netns exec "$NS_C" ping -c 1 -W 2 "$LAN_OTHER_ADDR" >/dev/null 2>&1 ||
			die "precondition: the LAN behind the router does not answer ping"
	else
		ip netns exec "$NS_C" ping -c 1 -W 2 "$ROUTER_ADDR" >/dev/null 2>&1 ||
			die "precondition: the router does not answer ping"
	fi
}

# netns_setup [--no-client-route]: two namespaces, client (NS_C) and server
# (NS_S), joined by a veth pair (VETH_C in NS_C, VETH_S in NS_S), both /24 in
# 198.51.100.0/24 unless --no-client-route: then the client's address is a
# /32 and it has no route to the server at all.
netns_setup() {
	local no_route=0
	[ "${1:-}" = --no-client-route ] && no_route=1
	NS_C=sipdiag-c-$$
	NS_S=sipdiag-s-$$
	VETH_C=sdc$$
	VETH_S=sds$$
	ip netns add "$NS_C" || hard_error "cannot create netns $NS_C"
	on_cleanup "netns_remove '$NS_C'"
	ip netns add "$NS_S" || hard_error "cannot create netns $NS_S"
	on_cleanup "netns_remove '$NS_S'"
	ip link add "$VETH_C" netns "$NS_C" type veth peer name "$VETH_S" netns "$NS_S" ||
		hard_error "cannot create veth pair"
	ip -n "$NS_C" link set lo up
	ip -n "$NS_S" link set lo up
	if [ "$no_route" = 1 ]; then
		ip -n "$NS_C" addr add "$CLIENT_ADDR/32" dev "$VETH_C"
	else
		ip -n "$NS_C" addr add "$CLIENT_ADDR/24" dev "$VETH_C"
	fi
	ip -n "$NS_S" addr add "$SERVER_ADDR/24" dev "$VETH_S"
	ip -n "$NS_C" link set "$VETH_C" up
	ip -n "$NS_S" link set "$VETH_S" up
	log "namespaces $NS_C ($CLIENT_ADDR) and $NS_S ($SERVER_ADDR) ready"
}

# netns_remove NS: end what still runs in NS (only processes of this test
# can be there), then delete it; its veth end and nft rules go with it.
netns_remove() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null)
	if [ -n "$pids" ]; then
		kill -TERM $pids 2>/dev/null
		sleep 0.3
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
}

# kam_start_netns: Kamailio in NS_S on 127.0.0.1 and SERVER_ADDR.
kam_start_netns() {
	kam_start server --netns "$NS_S" --addr "$SERVER_ADDR"
}

# netns_assert_sip_path: from the client namespace, Kamailio answers an
# OPTIONS at SERVER_ADDR and the server answers ping: the path works before
# the test breaks it.
netns_assert_sip_path() {
	ip netns exec "$NS_C" timeout 3 sipsak -s "sip:ping@$SERVER_ADDR:$KAM_PORT" >/dev/null 2>&1 ||
		die "precondition: no SIP path from $NS_C to $SERVER_ADDR:$KAM_PORT"
	netns_assert_ping_answers
}

netns_assert_ping_answers() {
	ip netns exec "$NS_C" ping -c 1 -W 2 "$SERVER_ADDR" >/dev/null 2>&1 ||
		die "precondition: $SERVER_ADDR does not answer ping from $NS_C"
}

netns_assert_ping_fails() {
	if ip netns exec "$NS_C" ping -c 1 -W 1 "$SERVER_ADDR" >/dev/null 2>&1; then
		die "precondition: $SERVER_ADDR still answers ping from $NS_C"
	fi
}

# nft_server RULESET: load an nft ruleset in the server namespace.
nft_server() {
	printf '%s\n' "$1" | ip netns exec "$NS_S" nft -f - ||
		hard_error "nft could not load the ruleset in $NS_S"
}

# Probe arguments for the registrar in the server namespace.
netns_reg_args() {
	local user=$1 tp=${2:-udp}
	echo "--registrar sip:$SERVER_ADDR:$KAM_PORT --aor sip:$user@$SERVER_ADDR --transport $tp"
}

# server_registers_asking USER SECONDS: distinct REGISTERs for USER (since
# kam_log_mark) that asked for SECONDS, in the Expires header or as the
# Contact's expires parameter.
server_registers_asking() {
	server_register_lines "$1" |
		grep -E "( expires=$2 |;expires=$2([^0-9]|\$))" |
		sed -n 's/.* cseq=\([0-9]*\) .*/\1/p' | sort -un | wc -l
}

# ---------------------------------------------------------------- privilege

UNPRIV_USER=nobody
UNPRIV_GROUP=nogroup

# need_unprivileged_user: setpriv and the user exist, and the probe binary
# is reachable by that user.
need_unprivileged_user() {
	need_cmd setpriv
	id -u "$UNPRIV_USER" >/dev/null 2>&1 || skip "no user $UNPRIV_USER"
	getent group "$UNPRIV_GROUP" >/dev/null 2>&1 || skip "no group $UNPRIV_GROUP"
	setpriv "--reuid=$UNPRIV_USER" "--regid=$UNPRIV_GROUP" --clear-groups \
		--inh-caps=-all --bounding-set=-all -- test -x "$SIPDIAG_PROBE" ||
		skip "$UNPRIV_USER cannot run $SIPDIAG_PROBE (a directory on its path is closed)"
	chmod 0711 "$TEST_TMP"   # traversable, not listable
}

# unprivileged_password_file NAME SECRET: like password_file, owned by
# UNPRIV_USER (mode 600), for an unprivileged probe.
unprivileged_password_file() {
	local f
	f=$(password_file "unpriv-$1" "$2")
	chown "$UNPRIV_USER:$UNPRIV_GROUP" "$f"
	echo "$f"
}

# verdict_without_packet_evidence NS CODE FAULT PROBE-ARGS...: the verdict
# must come from the probe's own sockets, never from its packet capture.
# Runs the probe in NS three times - as root with a capture (pcap, ICMP
# decoding), as root with --no-capture, and unprivileged (no CAP_NET_RAW:
# the capture cannot open) - and asserts CODE and FAULT each time, and that
# the ICMP error the probe names is the same.  PROBE-ARGS must not hold
# --password-file; the user is alice.  Leaves PROBE_OUT of the last run and
# each run's JSON in $TEST_TMP/probe-{capture,no-capture,unprivileged}.json.
# VERDICT_RUN_PAUSE=S: sleep S seconds between the runs (a router's ICMP
# rate limit refills: Linux allows a burst of 5 errors, then 1 a second).
verdict_without_packet_evidence() {
	local ns=$1 code=$2 fault=$3 mode icmp first_icmp=""
	shift 3
	local pw upw
	pw=$(password_file alice "$ALICE_PASSWORD")
	upw=$(unprivileged_password_file alice "$ALICE_PASSWORD")
	for mode in capture no-capture unprivileged; do
		[ "$mode" = capture ] || sleep "${VERDICT_RUN_PAUSE:-0}"
		case $mode in
		capture)
			run_probe --netns "$ns" -- "$@" --capture-dir "$TEST_TMP/captures" \
				--password-file "$pw" ;;
		no-capture)
			run_probe --netns "$ns" -- "$@" --no-capture --password-file "$pw" ;;
		unprivileged)
			run_probe --netns "$ns" --unprivileged -- "$@" --password-file "$upw" ;;
		esac
		cp "$PROBE_OUT" "$TEST_TMP/probe-$mode.json"
		assert_result_shape
		assert_json '.code' "$code" "$mode: code"
		assert_json '.fault' "$fault" "$mode: fault"
		case $mode in
		capture)
			assert_jq '.capture.note == null or (.capture.note | test("unavailable|disabled|no capture") | not)' \
				"capture: the capture ran ($(jq -r .capture.note "$PROBE_OUT"))" ;;
		no-capture)
			assert_json '.capture.note' "capture disabled" "no-capture: note" ;;
		unprivileged)
			assert_jq '.capture.note | test("unavailable")' \
				"unprivileged: the capture could not open ($(jq -r .capture.note "$PROBE_OUT"))" ;;
		esac
		icmp=$(jq -r '.icmp_error // ""' "$PROBE_OUT")
		log "$mode: code $(jq -r .code "$PROBE_OUT") icmp_error '$icmp' attempts $(jq -r .attempts "$PROBE_OUT")"
		if [ "$mode" = capture ]; then
			first_icmp=$icmp
		elif [ "$icmp" != "$first_icmp" ]; then
			fail "$mode: icmp_error '$icmp' differs from the capture run's '$first_icmp'"
		fi
	done
}

# assert_ge ACTUAL MIN MESSAGE
assert_ge() {
	if ! [ "$1" -ge "$2" ] 2>/dev/null; then fail "$3: expected at least $2, got $1"; fi
}

# ---------------------------------------------------------------- DNS

# dns_start [DNSMASQ-OPTIONS...]: a private DNS server (dnsmasq) in NS_S at
# SERVER_ADDR:53, authoritative for .test, with the records given; the
# client namespace NS_C resolves through it (ip netns exec bind-mounts
# /etc/netns/NS_C/resolv.conf).  No query ever leaves the namespaces.
dns_start() {
	need_cmd dnsmasq
	dns_use_server
	DNS_LOG=$TEST_TMP/dnsmasq.log
	ip netns exec "$NS_S" dnsmasq --keep-in-foreground --no-resolv --no-hosts \
		--no-poll --bind-interfaces --listen-address="$SERVER_ADDR" --port=53 \
		--local=/test/ --log-queries --log-facility="$DNS_LOG" \
		--pid-file="$TEST_TMP/dnsmasq.pid" --user=root "$@" \
		>"$TEST_TMP/dnsmasq.out" 2>&1 </dev/null &
	local pid=$! i
	on_cleanup "kill $pid"
	for i in $(seq 1 40); do
		grep -q 'started' "$DNS_LOG" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TEST_TMP/dnsmasq.out" "$DNS_LOG" >&2 2>/dev/null
	hard_error "dnsmasq did not start"
}

# dns_use_server: NS_C resolves through SERVER_ADDR, whether or not a DNS
# server runs there.
dns_use_server() {
	mkdir -p "/etc/netns/$NS_C"
	on_cleanup "rm -rf '/etc/netns/$NS_C'"
	echo "nameserver $SERVER_ADDR" >"/etc/netns/$NS_C/resolv.conf"
}

# dns_queries: the names dnsmasq was asked for.
dns_queries() {
	sed -n 's/.*query\[\([A-Z]*\)\] \([^ ]*\) from.*/\1 \2/p' "$DNS_LOG" 2>/dev/null
}

# ---------------------------------------------------------------- TLS

# make_self_signed DIR: DIR/cert.pem + DIR/key.pem, a self-signed server
# certificate for registrar.test and 127.0.0.1.
make_self_signed() {
	mkdir -p "$1"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=registrar.test \
		-addext "subjectAltName=DNS:registrar.test,IP:127.0.0.1" \
		-keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1 ||
		hard_error "openssl could not make a certificate"
}

# make_test_ca DIR: a test CA (DIR/ca.pem, DIR/ca-key.pem), a server
# certificate it signed for registrar.test and 127.0.0.1 (DIR/cert.pem,
# DIR/key.pem), and DIR/hashed/, a hashed CA directory holding the CA.
make_test_ca() {
	local d=$1
	mkdir -p "$d/hashed"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sipdiag test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
		-keyout "$d/ca-key.pem" -out "$d/ca.pem" >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=registrar.test \
		-keyout "$d/key.pem" -out "$d/server.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:registrar.test,IP:127.0.0.1\n' >"$d/ext.cnf" &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca-key.pem" \
		-CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/cert.pem" >/dev/null 2>&1 &&
	cp "$d/ca.pem" "$d/hashed/ca.pem" &&
	ln -s ca.pem "$d/hashed/$(openssl x509 -hash -noout -in "$d/ca.pem").0" ||
		hard_error "openssl could not make the test CA"
}
