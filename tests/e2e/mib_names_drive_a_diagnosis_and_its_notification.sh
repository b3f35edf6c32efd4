#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves an NMS that loads SIP-DIAG-MIB can work by names alone: snmpset
# SIP-DIAG-MIB::sipDiagRowStatus.7 = createAndGo with registrar, AOR,
# password, transport udp and NotifyOnComplete true; sipDiagState.7 =
# requested; snmpget reads sipDiagState.7 complete, sipDiagResultCode.7 200,
# sipDiagResultFault.7 success, sipDiagResultBindingRemoved.7 true (the
# numeric OIDs read the same row alike); and an snmptrapd that loads the MIB
# hands the notification to sipdiag-traphandle in MIB-name form, which must
# still write "index=7 code=200 fault=success(2)".
# Skipped, with the reason, when ../shared/mibs (the base modules) is absent.
. "$(dirname "$0")/lib.sh"

need_mibs
e2e_setup
kam_start registrar
e2e_start_snmptrapd --mib
start_snmpd
start_sipdiagd
log "snmpd 127.0.0.1:$SNMP_PORT, snmptrapd (MIB loaded) 127.0.0.1:$TRAP_PORT, registrar 127.0.0.1:$KAM_PORT"
kam_log_mark

err=$(mset SIP-DIAG-MIB::sipDiagRowStatus.7 = createAndGo \
	SIP-DIAG-MIB::sipDiagRegistrar.7 = "sip:127.0.0.1:$KAM_PORT" \
	SIP-DIAG-MIB::sipDiagAor.7 = sip:alice@127.0.0.1 \
	SIP-DIAG-MIB::sipDiagPassword.7 = "$ALICE_PASSWORD" \
	SIP-DIAG-MIB::sipDiagTransport.7 = udp \
	SIP-DIAG-MIB::sipDiagNotifyOnComplete.7 = true)
[ -z "$err" ] || die "createAndGo of row 7 by MIB names failed: $err"
check_eq "$(mget SIP-DIAG-MIB::sipDiagRowStatus.7)" active "sipDiagRowStatus.7"
check_eq "$(mget SIP-DIAG-MIB::sipDiagTransport.7)" udp "sipDiagTransport.7"
check_eq "$(mget SIP-DIAG-MIB::sipDiagPassword.7)" "" "sipDiagPassword.7 reads as zero-length"

err=$(mset SIP-DIAG-MIB::sipDiagState.7 = requested)
[ -z "$err" ] || die "sipDiagState.7 = requested failed: $err"
state=
for i in $(seq 1 200); do
	state=$(mget SIP-DIAG-MIB::sipDiagState.7)
	[ "$state" = complete ] && break
	sleep 0.1
done
[ "$state" = complete ] || die "sipDiagState.7 is '$state' after 20 s, expected complete"
check_eq "$(mget SIP-DIAG-MIB::sipDiagResultCode.7)" 200 "sipDiagResultCode.7"
check_eq "$(mget SIP-DIAG-MIB::sipDiagResultFault.7)" success "sipDiagResultFault.7"
check_eq "$(mget SIP-DIAG-MIB::sipDiagResultSipStatus.7)" 200 "sipDiagResultSipStatus.7"
check_eq "$(mget SIP-DIAG-MIB::sipDiagResultBindingRemoved.7)" true "sipDiagResultBindingRemoved.7"
check_eq "$(mget SIP-DIAG-MIB::sipDiagResultDiagnosis.7)" "$(col $C_DIAGNOSIS 7)" \
	"sipDiagResultDiagnosis.7 by name and by number"
check_eq "$(sget $T.13.7)" 2 "the same fault by numeric OID"
expect_notification 7 200 2 200
finish
