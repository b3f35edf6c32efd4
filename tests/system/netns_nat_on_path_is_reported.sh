#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the NAT hint: a source NAT in the client namespace rewrites the
# probe's source port (198.51.100.1:<port> -> 198.51.100.1:40000-40099).
# Kamailio reports what it saw in Via received/rport; the probe still
# registers (success: a NAT is information, not a fault) and says the server
# saw another address:port than the terminal's Via.  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup
netns_setup
kam_start_netns
ip netns exec "$NS_C" nft -f - <<NFT || hard_error "cannot install the NAT rule"
table ip sipdiag_nat {
	chain postrouting {
		type nat hook postrouting priority srcnat;
		ip daddr $SERVER_ADDR udp dport $KAM_PORT snat to $CLIENT_ADDR:40000-40099
	}
}
NFT

run_probe --netns "$NS_C" -- $(netns_reg_args alice) \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 200 success 0
assert_jq '.nat.seen_as | test("^198\\.51\\.100\\.1:400[0-9][0-9]$")' "the server saw the NAT's port"
assert_jq '.nat.local | startswith("198.51.100.1:")' "the terminal's own Via address"
jq -r .diagnosis "$PROBE_OUT" | grep -q "NAT" ||
	fail "the diagnosis does not mention the NAT: $(jq -r .diagnosis "$PROBE_OUT")"
finish
