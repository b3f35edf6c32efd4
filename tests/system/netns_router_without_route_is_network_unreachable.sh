#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves an ICMP error from a router ends the diagnosis at once: the client
# namespace reaches the registrar 192.0.2.2 through a router namespace that
# has no route to 192.0.2.0/24, so the router answers the first REGISTER
# with ICMP network unreachable (3/0).  The probe matches the error to its
# own REGISTER (the quoted header) and gives code 21 (networkUnreachable)
# without waiting for further attempts: routers rate-limit ICMP, and an
# attempt that gets no error would have to time out first (the attempt
# timeout is set far above what the run may take).  Needs root.
. "$(dirname "$0")/lib.sh"

need_root_netns
setup --no-probe
find_probe

netns_router_setup

run_probe --netns "$NS_C" -- --registrar "sip:$REGISTRAR:5060" --aor "sip:alice@$REGISTRAR" \
	--transport udp --attempt-timeout 9 --capture-dir "$TEST_TMP/captures" \
	--password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 21 networkUnreachable 1
assert_json '.sip_status' 0
assert_json '.icmp_error' "ICMP network unreachable from $ROUTER_ADDR"
assert_jq '[.steps[] | select(.kind == "icmp_error" and .icmp_type == 3 and .icmp_code == 0)] | length >= 1' \
	"an icmp_error step with type 3 code 0"
assert_json_num '.attempts' -lt 3 "the first matched ICMP error ends the attempts"
assert_json_num '.duration_ms' -lt 9000 "no attempt had to time out"
finish
