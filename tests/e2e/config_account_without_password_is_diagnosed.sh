#!/bin/bash
# An account of the terminal declared without password in sipdiagd.conf
# (auth=none: an IP-authenticated trunk) is diagnosed, not called
# incomplete: user brief (no authentication at the registrar) is success;
# user alice (digest) ends on the 401 as authFailure after one REGISTER
# with no credentials, the diagnosis saying the server asks for credentials
# the account is declared not to have; the same account without auth=none
# and without password stays configIncomplete(3), nothing sent.  The
# accounts `sipdiagAccount 1..3` are the rows { "device", "1".."3" }.
. "$(dirname "$0")/lib.sh"
e2e_setup
kam_start registrar
cat >>"$SDCONF" <<EOF2
sipdiagMinRerunInterval 0
sipdiagAccount 1 registrar=sip:127.0.0.1:$KAM_PORT aor=sip:brief@127.0.0.1 auth=none transport=udp
sipdiagAccount 2 registrar=sip:127.0.0.1:$KAM_PORT aor=sip:alice@127.0.0.1 auth=none transport=udp
sipdiagAccount 3 registrar=sip:127.0.0.1:$KAM_PORT aor=sip:alice@127.0.0.1 transport=udp
EOF2
e2e_start_snmptrapd
start_snmpd
start_sipdiagd
kam_log_mark
trigger device/1
wait_row device/1 4 20 || finish
expect_result device/1 200 2 200 -
trigger device/2
wait_row device/2 4 20 || finish
expect_result device/2 401 6 401 1
case $(col $C_DIAGNOSIS device/2) in
*"asks for credentials the account is declared not to have"*) log "ok: the contradiction is named" ;;
*) fail "row 2: the diagnosis does not say the account is declared without password" ;;
esac
if server_register_lines alice | grep -q 'authz=Digest'; then
	fail "a REGISTER carried credentials"
fi
trigger device/3
wait_row device/3 4 20 || finish
expect_result device/3 1 3 0 0
finish
