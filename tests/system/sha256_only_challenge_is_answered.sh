#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves RFC 8760 SHA-256 digest: a Kamailio whose auth module challenges and
# checks with SHA-256 only (modparam algorithm, started with
# -A SIPDIAG_SHA256) registers alice after one challenge: 200, 3 REGISTERs
# (the binding query twice, then the probe's own binding),
# the second carrying algorithm=SHA-256, and the binding removed again.
# (Debian's sofia-sip alone answers MD5 only.)
. "$(dirname "$0")/lib.sh"

setup
kam_start main --define SIPDIAG_SHA256
kam_log_mark
run_probe -- $(reg_args alice) --password-file "$(password_file alice "$ALICE_PASSWORD")"

assert_result_shape
assert_verdict 200 success 0
assert_json '.attempts' 3
assert_json '.binding_removed' true
n=$(server_register_lines alice | grep -c 'authz=Digest .*algorithm=SHA-256')
assert_ge "$n" 1 "REGISTERs answering with algorithm=SHA-256"
assert_no_probe_binding alice
finish
