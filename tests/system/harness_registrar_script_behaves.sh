#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the test registrar itself (tests/kamailio/registrar.cfg.in) answers
# each test user as the other system tests assume, using SIPp (not the probe),
# so a probe failure in those tests can not be a harness mistake:
#   alice        401, right password -> 200, un-REGISTER of that Contact -> 200,
#                while the terminal's own binding (made by sipsak) stays
#   alice        wrong password -> 401 again
#   authfail     wrong password -> 401 again; right-secret -> 200
#   proxyauth    407, wrong password -> 407 again; right password -> 200
#   brief        Expires 30 -> 423 Min-Expires: 60; Expires 60 -> 200; 0 -> 200
#   toobrief     423 Min-Expires: 120, also at Expires 120
#   silent       no answer;  trying: 100 then no answer
#   moved 302 (Contact), forbidden 403, broken 500, unavailable 503,
#   declined 603, anyone else 404; over UDP, and a few over TCP.
# Needs no probe binary.
. "$(dirname "$0")/lib.sh"

need_cmd sipp
setup --no-probe
kam_start main

# sipp_flow NAME USER TRANSPORT(u1|t1) PASSWORD STEP...
#   STEP: reg|EXPIRES[|auth]   send REGISTER (Contact sip:selftest-NAME@...)
#         expect|CODE[|auth]   receive CODE (auth: keep the challenge)
#         expect|CODE|REGEX    receive CODE whose text matches REGEX
#         silence|MS           nothing may arrive for MS milliseconds
sipp_flow() {
	local name=$1 user=$2 tp=$3 pass=$4
	shift 4
	local xml=$TEST_TMP/$name.xml cseq=0 step kind a b vars=""
	{
		echo '<?xml version="1.0" encoding="ISO-8859-1" ?>'
		echo "<scenario name=\"$name\">"
		for step in "$@"; do
			IFS='|' read -r kind a b <<<"$step"
			case $kind in
			reg)
				cseq=$((cseq + 1))
				echo '  <send retrans="500"><![CDATA['
				echo ''
				echo 'REGISTER sip:[remote_ip]:[remote_port] SIP/2.0'
				echo 'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport'
				echo "From: <sip:$user@127.0.0.1>;tag=[pid]T[call_number]"
				echo "To: <sip:$user@127.0.0.1>"
				echo 'Call-ID: [call_id]'
				echo "CSeq: $cseq REGISTER"
				echo "Contact: <sip:selftest-$name@[local_ip]:[local_port];transport=[transport]>"
				echo "Expires: $a"
				echo 'Max-Forwards: 70'
				if [ "$b" = auth ]; then
					echo "[authentication username=$user password=$pass]"
				fi
				echo 'Content-Length: 0'
				echo ''
				echo '  ]]></send>'
				;;
			expect)
				if [ "$b" = auth ]; then
					echo "  <recv response=\"$a\" auth=\"true\"/>"
				elif [ -n "$b" ]; then
					vars="$vars m$cseq"
					echo "  <recv response=\"$a\"><action>"
					echo "    <ereg regexp=\"$b\" search_in=\"msg\" check_it=\"true\" assign_to=\"m$cseq\"/>"
					echo "  </action></recv>"
				else
					echo "  <recv response=\"$a\"/>"
				fi
				;;
			silence)
				echo "  <pause milliseconds=\"$a\"/>"
				;;
			*) hard_error "sipp_flow: bad step $step" ;;
			esac
		done
		[ -n "$vars" ] && echo "  <Reference variables=\"$(echo $vars | tr ' ' ',')\"/>"
		echo '</scenario>'
	} >"$xml"
	local lport mport cport rc try
	# SIPp also binds media ports (-mp N and N+2) and a control port (-cp):
	# pick free ones instead of its fixed defaults 6000 and 8888.  A port
	# found free can be taken by a parallel test before SIPp binds it (SIPp
	# then exits 254, "Unable to bind"): that run is no verdict on the
	# registrar, so it is made again with other ports, at most 3 times.
	for try in 1 2 3; do
		lport=$(pick_free_port)
		while :; do
			mport=$(pick_free_port)
			port_is_free $((mport + 2)) && [ "$mport" != "$lport" ] && break
		done
		cport=$(pick_free_port)
		: >"$TEST_TMP/$name.err"
		timeout 60 sipp -sf "$xml" -s "$user" -m 1 -i 127.0.0.1 -p "$lport" -t "$tp" \
			-mp "$mport" -cp "$cport" \
			-nostdin -timeout 30 -timeout_error -trace_msg \
			-message_file "$TEST_TMP/$name.msgs" -trace_err -error_file "$TEST_TMP/$name.err" \
			"127.0.0.1:$KAM_PORT" >/dev/null 2>&1 </dev/null
		rc=$?
		[ "$rc" = 254 ] && cat "$TEST_TMP/$name.err" "$TEST_TMP/$name.msgs" 2>/dev/null | grep -q "Unable to bind" || break
		log "$name: SIPp lost a port to another program (try $try), again with other ports"
	done
	if [ "${EXPECT_SIPP_FAILURE:-0}" = 1 ]; then
		if [ "$rc" = 0 ]; then
			fail "guard flow '$name' passed, but it must fail: $*"
		else
			log "ok: guard $name failed as it must (sipp exit $rc)"
		fi
	elif [ "$rc" != 0 ]; then
		fail "registrar flow '$name' for user $user ($tp) failed (sipp exit $rc): $*"
		echo "---- sipp messages of $name:" >&2
		cat "$TEST_TMP/$name.msgs" "$TEST_TMP/$name.err" >&2 2>/dev/null
	else
		log "ok: $name ($user over $tp): $*"
	fi
}

# The terminal's own binding for alice, made by sipsak as a device would.
terminal_register alice "$ALICE_PASSWORD" "sip:terminal-alice@127.0.0.1:5999"

sipp_flow alice_ok alice u1 "$ALICE_PASSWORD" \
	'reg|3600' 'expect|401|auth' 'reg|3600|auth' 'expect|200|selftest-alice_ok' \
	'reg|0|auth' 'expect|200'
assert_binding_present alice terminal-alice@127.0.0.1:5999
if location_contacts alice | grep -q selftest-alice_ok; then
	fail "un-REGISTER (expires 0) did not remove the selftest binding of alice"
fi
sipp_flow alice_wrong alice u1 not-the-password \
	'reg|3600' 'expect|401|auth' 'reg|3600|auth' 'expect|401|auth' \
	'reg|3600|auth' 'expect|401'
sipp_flow authfail_wrong authfail u1 not-the-password \
	'reg|3600' 'expect|401|auth' 'reg|3600|auth' 'expect|401'
sipp_flow authfail_right authfail u1 "$AUTHFAIL_PASSWORD" \
	'reg|3600' 'expect|401|auth' 'reg|3600|auth' 'expect|200' 'reg|0|auth' 'expect|200'
sipp_flow proxy_wrong proxyauth u1 not-the-password \
	'reg|3600' 'expect|407|auth' 'reg|3600|auth' 'expect|407|auth' \
	'reg|3600|auth' 'expect|407'
sipp_flow proxy_right proxyauth u1 "$PROXYAUTH_PASSWORD" \
	'reg|3600' 'expect|407|auth' 'reg|3600|auth' 'expect|200' 'reg|0|auth' 'expect|200'
sipp_flow brief brief u1 x \
	'reg|30' 'expect|423|Min-Expires: *60' 'silence|500' 'reg|60' 'expect|200' 'reg|0' 'expect|200'
sipp_flow toobrief toobrief u1 x \
	'reg|30' 'expect|423|Min-Expires: *120' 'reg|120' 'expect|423|Min-Expires: *120' \
	'reg|120' 'expect|423'
sipp_flow silent silent u1 x 'reg|3600' 'silence|3000'
sipp_flow trying trying u1 x 'reg|3600' 'expect|100' 'silence|3000'
sipp_flow moved moved u1 x 'reg|3600' "expect|302|Contact: *.sip:alice@127.0.0.1:$KAM_PORT"
sipp_flow forbidden forbidden u1 x 'reg|3600' 'expect|403'
sipp_flow broken broken u1 x 'reg|3600' 'expect|500'
sipp_flow unavailable unavailable u1 x 'reg|3600' 'expect|503'
sipp_flow declined declined u1 x 'reg|3600' 'expect|603'
sipp_flow unknown nobody u1 x 'reg|3600' 'expect|404'

# TCP: the same script over the TCP listener.
sipp_flow alice_tcp alice t1 "$ALICE_PASSWORD" \
	'reg|3600' 'expect|401|auth' 'reg|3600|auth' 'expect|200' 'reg|0|auth' 'expect|200'
sipp_flow trying_tcp trying t1 x 'reg|3600' 'expect|100' 'silence|2000'
sipp_flow forbidden_tcp forbidden t1 x 'reg|3600' 'expect|403'

# Guard: a "silence" step must really catch an answer.
EXPECT_SIPP_FAILURE=1 sipp_flow guard forbidden u1 x 'reg|3600' 'silence|2000'

finish
