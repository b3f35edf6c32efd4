#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves RFC 3263 4.3 / RFC 3261 21.5.4: a 503 from the first target sends
# the REGISTER to the next one.  Two Kamailio instances in the server
# namespace; the private DNS server's SRV records put the first
# (SIPDIAG_UNAVAILABLE: 503 to every REGISTER) at priority 10 and the second
# (a normal registrar) at priority 20.  The probe gets 503 from the first,
# goes on to the second and succeeds there: code 200, both targets tried and
# answered, the server judged is the second.  Before 5a79a84 the 503 was the
# verdict (503 serverError, the second target never tried; checked against a
# build of 232fe83).  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start down --netns "$NS_S" --addr "$SERVER_ADDR" --define SIPDIAG_UNAVAILABLE
DOWN_PORT=$KAM_PORT DOWN_LOG=$KAM_LOG
kam_start up --netns "$NS_S" --addr "$SERVER_ADDR"
[ "$DOWN_PORT" != "$KAM_PORT" ] || hard_error "both instances on port $KAM_PORT"
dns_start \
	--srv-host=_sip._udp.registrar.test,sip1.registrar.test,"$DOWN_PORT",10,10 \
	--srv-host=_sip._udp.registrar.test,sip2.registrar.test,"$KAM_PORT",20,10 \
	--host-record=sip1.registrar.test,"$SERVER_ADDR" \
	--host-record=sip2.registrar.test,"$SERVER_ADDR"

kam_log_mark
run_probe --netns "$NS_C" -- --registrar sip:registrar.test --aor sip:alice@registrar.test \
	--transport udp --password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 200 success 0
assert_json '.targets | length' 2
assert_json '.targets[0].target' "udp $SERVER_ADDR:$DOWN_PORT"
assert_json '.targets[1].target' "udp $SERVER_ADDR:$KAM_PORT"
assert_json '.targets[0].answered' true
assert_json '.targets[1].answered' true
assert_server "$SERVER_ADDR" "$KAM_PORT" udp
down=$(grep -F 'SIPDIAG-REQ method=REGISTER' "$DOWN_LOG" | grep -F ' tuser=alice ' |
	sed -n 's/.* cseq=\([0-9]*\) .*/\1/p' | sort -un | wc -l)
assert_eq "$down" 1 "REGISTERs the out-of-service instance received"
assert_jq '[.steps[] | select(.status == 503)] | length == 1' "one 503 in the history"
assert_no_probe_binding alice
finish
