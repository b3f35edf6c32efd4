#!/bin/bash
# sipDiagTlsCaFile and sipDiagTlsCaDir (sipDiagScalars 9, 10): the
# configuration file's value, a manager's value over it (an absolute path,
# else wrongValue; "" removes it), kept across a restart.
. "$(dirname "$0")/lib.sh"
setup
mkdir -p "$TMP/cas"
: >"$TMP/cas/ca.pem"
printf 'sipDiagTlsCaFile %s\n' "$TMP/cas/ca.pem" >>"$SDCONF"
start_snmptrapd
start_snmpd
start_sipdiagd
check_eq "$(sget $SC.9.0)" "\"$TMP/cas/ca.pem\"" "sipDiagTlsCaFile from the configuration"
check_eq "$(sget $SC.10.0)" '""' "sipDiagTlsCaDir unset"
expect_set wrongValue "a relative CA directory" $SC.10.0 s "cas"
expect_set wrongType "a number" $SC.10.0 u 5
expect_set "" "a CA directory" $SC.10.0 s "$TMP/cas"
expect_set "" "a manager's CA file" $SC.9.0 s "$TMP/cas/other.pem"
check_eq "$(sget $SC.10.0)" "\"$TMP/cas\"" "sipDiagTlsCaDir set"
check_eq "$(sget $SC.9.0)" "\"$TMP/cas/other.pem\"" "the manager's value wins"
stop_sipdiagd
grep -q '^_sipDiagScalarText sipDiagTlsCaDir ' "$TMP/sipdiagd-persist/sipdiagd.store" ||
	fail "sipDiagTlsCaDir not saved: $(grep '^_sip' "$TMP/sipdiagd-persist/sipdiagd.store" | cut -c 1-60)"
start_sipdiagd
check_eq "$(sget $SC.10.0)" "\"$TMP/cas\"" "sipDiagTlsCaDir kept across a restart"
check_eq "$(sget $SC.9.0)" "\"$TMP/cas/other.pem\"" "sipDiagTlsCaFile kept across a restart"
expect_set "" "remove the manager's CA file" $SC.9.0 s ""
check_eq "$(sget $SC.9.0)" "\"$TMP/cas/ca.pem\"" "the configuration's value again"
finish
