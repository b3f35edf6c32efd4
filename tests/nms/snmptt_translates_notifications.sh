#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# contrib/snmptt against the real programs: sipdiagd runs a periodic row
# (every 5 s, every notification on) for authfail with a wrong password at a
# real Kamailio; its sipDiagFailure goes snmpd -> a private snmptrapd (the
# MIB loaded) -> `traphandle default snmptt --ini=<private snmptt.ini>`
# (snmptt 1.5 in standalone mode) with contrib/snmptt/sipdiag.conf, made from
# the MIB by snmpttconvertmib at build time.  snmptt's log then holds one
# translated line: severity Critical, the event sipDiagFailure, the account
# (AOR sip:authfail@127.0.0.1, and in the varbind name the row:
# sipDiagAor.test.7, owner "test", name "7") and the fault
# authFailure with its diagnosis.
. "$(dirname "$0")/lib.sh"

need_cmd snmptt snmpttconvertmib
need_mibs
SNMPTT_CONF=${abs_top_builddir:-$top_srcdir}/contrib/snmptt/sipdiag.conf
[ -r "$SNMPTT_CONF" ] ||
	skip "$SNMPTT_CONF not built: configure found no snmpttconvertmib (Debian: snmptt) or no base MIB modules (--with-base-mibs)"
nms_setup

cat >"$TMP/snmptt.ini" <<-EOF
[General]
mode = standalone
multiple_event = 1
dns_enable = 0
net_snmp_perl_enable = 1
translate_log_trap_oid = 1
translate_value_oids = 1
translate_integers = 1
description_mode = 0
[Logging]
stdout_enable = 0
log_enable = 1
log_file = $TMP/snmptt.nmslog
log_system_enable = 1
log_system_file = $TMP/snmptt-system.nmslog
unknown_trap_log_enable = 1
unknown_trap_log_file = $TMP/snmptt-unknown.nmslog
syslog_enable = 0
syslog_system_enable = 0
[Debugging]
DEBUGGING = 0
[TrapFiles]
snmptt_conf_files = <<END
$SNMPTT_CONF
END
EOF

# The private snmptrapd: as tests/agent/lib.sh's, plus the MIB (snmptt
# reads names and enumeration labels) and snmptt as the traphandle.
TRAP_PORT=$(pick_free_port)
cat >"$TMP/snmptrapd.conf" <<-EOF
disableAuthorization yes
traphandle default $(command -v snmptt) --ini=$TMP/snmptt.ini
EOF
# (MIBDIRS and MIBS, not -M/-m: snmptt, its child, reads the same MIBs
# through the Net-SNMP Perl module, to match the trap OID with the EVENT's)
MIBDIRS=$MIB_DIRS MIBS=SIP-DIAG-MIB SNMP_PERSISTENT_DIR=$TMP/trapd-persist \
	snmptrapd -f -C -c "$TMP/snmptrapd.conf" -Lf "$TMP/traps.log" "udp:127.0.0.1:$TRAP_PORT" \
	</dev/null >/dev/null 2>&1 &
TRAPD_PID=$!
on_cleanup "stop_pid $TRAPD_PID"
wait_until 20 "snmptrapd started" grep -q "NET-SNMP version" "$TMP/traps.log" || finish
kam_start registrar
start_snmpd
start_sipdiagd
wrong_password_row 7 5

translated() { grep -q 'sipDiagFailure' "$TMP/snmptt.nmslog" 2>/dev/null; }
wait_until 60 "snmptt logged a translated sipDiagFailure" translated || finish
line=$(grep 'sipDiagFailure' "$TMP/snmptt.nmslog" | head -n 1)
log "snmptt: $line"
for want in Critical 'FAILING: authFailure' 'sip:authfail@127.0.0.1' "sip:127.0.0.1:$KAM_PORT" \
	sipDiagAor.test.7 '401 Unauthorized'; do
	case $line in *"$want"*) log "ok: the line has '$want'" ;;
	*) fail "snmptt's line lacks '$want'" ;; esac
done
n=$(grep -c 'sipDiagFailure' "$TMP/snmptt.nmslog")
[ "$n" = 1 ] || fail "$n sipDiagFailure lines, expected 1 (one per entry into failure)"
if grep -q 'sipDiagFailure\|5060\.0\.3' "$TMP/snmptt-unknown.nmslog" 2>/dev/null; then
	fail "snmptt logged the notification as unknown: $(head -c 400 "$TMP/snmptt-unknown.nmslog")"
fi
finish
