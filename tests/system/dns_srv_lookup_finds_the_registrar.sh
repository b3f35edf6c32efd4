#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves RFC 3263 resolution: the account names only the domain
# (sip:registrar.test); a private DNS server in the test's namespace has the
# NAPTR, SRV and A records that lead to Kamailio on its port.  The probe
# resolves them, registers (200), lists the target it used and that it
# answered, and the DNS server saw the NAPTR and SRV queries.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
dns_start \
	--naptr-record=registrar.test,10,10,S,SIP+D2U,,_sip._udp.registrar.test \
	--srv-host=_sip._udp.registrar.test,sip1.registrar.test,"$KAM_PORT",10,10 \
	--host-record=sip1.registrar.test,"$SERVER_ADDR"

run_probe --netns "$NS_C" -- --registrar sip:registrar.test --aor sip:alice@registrar.test \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 200 success 0
assert_json '.targets | length' 1
assert_json '.targets[0].target' "udp $SERVER_ADDR:$KAM_PORT"
assert_json '.targets[0].answered' true
assert_server "$SERVER_ADDR" "$KAM_PORT" udp
assert_jq '.steps[0].kind == "dns"' "the history starts with the DNS result"
dns_queries | grep -q '^NAPTR registrar.test$' || fail "no NAPTR query: $(dns_queries | tr '\n' ' ')"
dns_queries | grep -q '^SRV _sip._udp.registrar.test$' || fail "no SRV query: $(dns_queries | tr '\n' ' ')"
finish
