#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the choice among several challenges (RFC 8760 2.4: the server lists
# them most preferred first; the client answers the topmost it supports):
# user twoalgs on a SHA-256 Kamailio gets "SHA-256, then MD5" challenges,
# and only a SHA-256 answer can succeed; on an MD5 Kamailio it gets "MD5,
# then SHA-256", and only MD5 can succeed.  Both register (200).
. "$(dirname "$0")/lib.sh"

setup
for mode in sha256 md5; do
	if [ $mode = sha256 ]; then kam_start "k$mode" --define SIPDIAG_SHA256; else kam_start "k$mode"; fi
	kam_log_mark
	run_probe -- $(reg_args twoalgs) --password-file "$(password_file twoalgs "$ALICE_PASSWORD")"
	assert_verdict 200 success 0
	if [ $mode = sha256 ]; then
		n=$(server_register_lines twoalgs | grep -c 'authz=Digest .*algorithm=SHA-256')
	else
		n=$(server_register_lines twoalgs | grep 'authz=Digest' | grep -vc 'algorithm=SHA-256')
	fi
	assert_ge "$n" 1 "$mode Kamailio: REGISTERs answering its first challenge"
	kam_stop
done
finish
