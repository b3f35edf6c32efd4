#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# contrib/prometheus against the real programs: sipdiagd runs two periodic
# rows (every 5 s) behind a private snmpd: test/1 alice at a real Kamailio
# (healthy), test/2 at a UDP port nobody listens on (failing).  A real
# snmp_exporter (Debian prometheus-snmp-exporter 0.21) with
# contrib/prometheus/snmp.yml (only the community changed) scrapes the
# snmpd; a real Prometheus (own config, own data dir, free port) scrapes
# the exporter every 2 s and evaluates contrib/prometheus/sipdiag.rules.yml
# with its for: durations cut to 4 s.  Through Prometheus's HTTP API:
# the failing row is there with its fault's name (sipDiagResultFault_info,
# sipDiagStatsLastFault_info), the healthy one with success, owner and name
# and AOR as labels; SipDiagAccountFailing becomes pending/firing for
# test/2 (3 failed runs in a row) and never for test/1.
. "$(dirname "$0")/lib.sh"

need_cmd prometheus prometheus-snmp-exporter jq curl
nms_setup
nms_start_daemons
healthy_row 1 5
closed_port_row 2 5

EXP_PORT=$(pick_free_port)
sed "s/^\(    community:\) public\$/\1 $COMMUNITY/" "$CONTRIB/prometheus/snmp.yml" >"$TMP/snmp.yml"
grep -q "community: $COMMUNITY\$" "$TMP/snmp.yml" || hard_error "no community line in snmp.yml"
prometheus-snmp-exporter --config.file="$TMP/snmp.yml" \
	--web.listen-address="127.0.0.1:$EXP_PORT" >"$TMP/exporter.nmslog" 2>&1 </dev/null &
on_cleanup "stop_pid $!"
wait_port "$EXP_PORT" 20 || hard_error "snmp_exporter does not listen on $EXP_PORT"

PROM_PORT=$(pick_free_port)
sed -e 's/^\(\s*for:\).*/\1 4s/' "$CONTRIB/prometheus/sipdiag.rules.yml" >"$TMP/rules.yml"
cat >"$TMP/prometheus.yml" <<-CONF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 2s
rule_files:
  - $TMP/rules.yml
scrape_configs:
  - job_name: sipdiag
    metrics_path: /snmp
    params:
      module: [sipdiag]
    static_configs:
      - targets: ['127.0.0.1:$SNMP_PORT']
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:$EXP_PORT
CONF
promtool check config "$TMP/prometheus.yml" >/dev/null || hard_error "promtool check config failed"
mkdir -p "$TMP/prometheus-data"
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/prometheus-data" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$TMP/prometheus.nmslog" 2>&1 </dev/null &
on_cleanup "stop_pid $!"
wait_port "$PROM_PORT" 30 || hard_error "prometheus does not listen on $PROM_PORT"
log "snmp_exporter 127.0.0.1:$EXP_PORT, prometheus 127.0.0.1:$PROM_PORT"

API=http://127.0.0.1:$PROM_PORT/api/v1
# pq QUERY JQ: instant query; JQ applied to .data.result
pq() { curl -s --get --data-urlencode "query=$1" "$API/query" | jq -r ".data.result | $2"; }

has_fault() { [ -n "$(pq 'sipDiagStatsLastFault_info{sipDiagName="2"}' '.[].metric.sipDiagStatsLastFault')" ]; }
wait_until 60 "a fault of test/2 in Prometheus" has_fault

f=$(pq 'sipDiagResultFault_info{sipDiagOwner="test",sipDiagName="2"}' '.[].metric.sipDiagResultFault')
l=$(pq 'sipDiagStatsLastFault_info{sipDiagOwner="test",sipDiagName="2"}' '.[].metric.sipDiagStatsLastFault')
log "test/2: sipDiagResultFault=$f sipDiagStatsLastFault=$l"
case $l in serviceNotListening | serverNoResponse) log "ok: failing row's fault by name: $l" ;;
*) fail "test/2: sipDiagStatsLastFault '$l', expected serviceNotListening or serverNoResponse" ;; esac
case $f in "$l" | none) ;; *) fail "test/2: sipDiagResultFault '$f' is neither the last fault nor none (run in progress)" ;; esac
h=$(pq 'sipDiagStatsLastFault_info{sipDiagOwner="test",sipDiagName="1"}' '.[].metric.sipDiagStatsLastFault')
check_eq "$h" success "test/1 (alice at Kamailio): sipDiagStatsLastFault"
a=$(pq 'sipDiagAor{sipDiagName="2"}' '.[].metric.sipDiagAor')
check_eq "$a" "sip:bob@127.0.0.1" "test/2: AOR info label"
r=$(pq 'sipDiagRegistrar{sipDiagName="2"}' '.[].metric.sipDiagRegistrar')
check_eq "$r" "sip:127.0.0.1:$CLOSED_PORT" "test/2: registrar info label"
i=$(pq 'sipDiagRunFault_info{sipDiagName="2"}' '[.[].metric.instance] | unique | join(",")')
check_eq "$i" "127.0.0.1:$SNMP_PORT" "run history scraped, instance label is the terminal"
n=$(pq 'count(sipDiagRunFault_info{sipDiagName="1",sipDiagRunFault="success"})' '.[0].value[1] // 0')
[ "${n:-0}" -ge 1 ] && log "ok: $n run(s) of test/1 in the run history, fault success" ||
	fail "no run of test/1 in sipDiagRunFault_info"

alert_state() {
	curl -s "$API/alerts" | jq -r --arg n "$1" \
		'.data.alerts[] | select(.labels.alertname=="SipDiagAccountFailing" and .labels.sipDiagName==$n) | .state' |
		head -n 1
}
alert_up() { case $(alert_state 2) in pending | firing) return 0 ;; esac; return 1; }
wait_until 90 "SipDiagAccountFailing for test/2 pending or firing" alert_up &&
	log "ok: SipDiagAccountFailing for test/2 is $(alert_state 2)"
al=$(curl -s "$API/alerts" | jq -c '.data.alerts[] | select(.labels.sipDiagName=="2") | .labels')
log "alert labels: $al"
printf '%s' "$al" | grep -q "\"sipDiagStatsLastFault\":\"$l\"" || fail "the alert does not name the fault $l"
printf '%s' "$al" | grep -q '"sipDiagAor":"sip:bob@127.0.0.1"' || fail "the alert does not name the AOR"
s1=$(alert_state 1)
[ -z "$s1" ] && log "ok: no alert for the healthy test/1" || fail "test/1 (healthy) has alert state $s1"
finish
