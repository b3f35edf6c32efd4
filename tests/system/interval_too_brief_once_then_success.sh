#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves a 423 is answered by re-registering with Expires = Min-Expires:
# user brief goes through Kamailio's registrar, which (min_expires 60,
# min_expires_mode 1) answers "423 Interval Too Brief" with Min-Expires: 60
# to the probe's --expires 30, and accepts 60.  This user needs no auth: the
# binding query (no Contact, RFC 3261 10.2.3, so no interval to check) gets
# 200 with no binding listed, then the probe's own binding is added: 30 s,
# 423, 60 s, 200 - 3 REGISTERs in all, success; the probe then removes it.
. "$(dirname "$0")/lib.sh"

setup
kam_start main
kam_log_mark
run_probe -- $(reg_args brief) --expires 30 --password-file "$(password_file brief unused-password)"

assert_result_shape
assert_verdict 200 success 0
assert_json '.sip_status' 200
assert_json '.attempts' 3 "query (200), REGISTER (30 s), 423, REGISTER (60 s), 200"
assert_json_num '.cleanup_registers' -ge 1
assert_json '.binding_removed' true
assert_no_pings
cleanup=$(jq -r '.cleanup_registers' "$PROBE_OUT")
assert_server_saw brief $((3 + cleanup))
# The query and the first REGISTER asked for 30 s, the retry for the 423's
# Min-Expires.
assert_eq "$(server_registers_asking brief 30)" 2 "REGISTERs asking for --expires 30"
assert_ge "$(server_registers_asking brief 60)" 1 "REGISTERs asking for Min-Expires 60"
assert_probe_binding_made_and_removed brief
assert_no_probe_binding brief
finish
