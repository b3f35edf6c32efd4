#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves an NMS that loads SIP-DIAG-MIB can work by names alone: snmpset
# SIP-DIAG-MIB::sipDiagRowStatus."test"."7" = createAndGo with registrar,
# AOR, password, transport udp and sipDiagTrapGeneration {complete};
# sipDiagState."test"."7" = requested; snmpget reads sipDiagState complete,
# sipDiagResultCode 200, sipDiagResultFault success,
# sipDiagResultBindingRemoved true (the numeric OIDs read the same row
# alike); and an snmptrapd that loads the MIB hands the notification to
# sipdiag-traphandle in MIB-name form, which must still write
# "owner=test name=7 code=200 fault=success(2)".
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

# the row { "test", "7" } by MIB names: the index parts are quoted strings
I='."test"."7"'
err=$(mset "SIP-DIAG-MIB::sipDiagRowStatus$I" = createAndGo \
	"SIP-DIAG-MIB::sipDiagRegistrar$I" = "sip:127.0.0.1:$KAM_PORT" \
	"SIP-DIAG-MIB::sipDiagAor$I" = sip:alice@127.0.0.1 \
	"SIP-DIAG-MIB::sipDiagPassword$I" = "$ALICE_PASSWORD" \
	"SIP-DIAG-MIB::sipDiagTransport$I" = udp \
	"SIP-DIAG-MIB::sipDiagTrapGeneration$I" b complete)
[ -z "$err" ] || die "createAndGo of row test/7 by MIB names failed: $err"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagRowStatus$I")" active "sipDiagRowStatus$I"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagTransport$I")" udp "sipDiagTransport$I"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagPassword$I")" "" "sipDiagPassword$I reads as zero-length"
# (BITS read back as its one octet: complete(0) is 0x80)
check_eq "$(mget "SIP-DIAG-MIB::sipDiagTrapGeneration$I" | awk '{print $1}')" 80 "sipDiagTrapGeneration$I"

err=$(mset "SIP-DIAG-MIB::sipDiagState$I" = requested)
[ -z "$err" ] || die "sipDiagState$I = requested failed: $err"
state=
for i in $(seq 1 200); do
	state=$(mget "SIP-DIAG-MIB::sipDiagState$I")
	[ "$state" = complete ] && break
	sleep 0.1
done
[ "$state" = complete ] || die "sipDiagState$I is '$state' after 20 s, expected complete"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagResultCode$I")" 200 "sipDiagResultCode$I"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagResultFault$I")" success "sipDiagResultFault$I"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagResultSipStatus$I")" 200 "sipDiagResultSipStatus$I"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagResultBindingRemoved$I")" true "sipDiagResultBindingRemoved$I"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagResultDiagnosis$I")" "$(col $C_DIAGNOSIS 7)" \
	"sipDiagResultDiagnosis$I by name and by number"
check_eq "$(mget "SIP-DIAG-MIB::sipDiagStatsRuns$I")" 1 "sipDiagStatsRuns$I"
check_eq "$(sget "$T.$C_FAULT.$(rix 7)")" 2 "the same fault by numeric OID"
expect_notification 7 200 2 200
finish
