#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# contrib/zabbix/sipdiag_template.yaml under a real Zabbix 6.0 (Debian 12
# zabbix-server-pgsql + zabbix-frontend-php 6.0.14, PostgreSQL 15):
#   - a PRIVATE PostgreSQL cluster (initdb in the test's temp dir, run as
#     the postgres user, free loopback port; the system's clusters and
#     services are never touched), database zabbix made from the package's
#     schema.sql/images.sql/data.sql;
#   - zabbix_server -f with its own config (free ListenPort, pid, log,
#     socket and tmp dirs in the temp dir, few processes, SNMP pollers);
#   - the frontend's API (/api_jsonrpc.php) served by `php -S` from
#     /usr/share/zabbix; Debian's frontend reads /etc/zabbix/zabbix.conf.php
#     (a constant), so a prepended copy of its CConfigFile class points at
#     the zabbix.conf.php generated here instead;
#   - the private snmpd + sipdiagd + Kamailio of tests/nms/lib.sh with
#     test/1 healthy (alice at Kamailio) and test/2 failing (a closed UDP
#     port), both every 5 s.
# Through JSON-RPC: user.login Admin/zabbix, configuration.import of the
# template, host.create with an SNMPv2c interface at the private snmpd,
# the template linked and its interval macros cut to seconds.  Then, each
# bounded: the discovery creates the item prototypes' items for both rows
# (with the readable owner/name in their names), the fault items get
# values (success for test/1, a network fault for test/2), and the
# "failing" trigger prototype's trigger of test/2 goes to PROBLEM while
# test/1's does not.  Prints how long it took.
#
# About 40-60 s once the packages are installed (the first run may
# install them with apt-get: another minute or two).  Runs only with
# SIPDIAG_ZABBIX_TEST=1.
. "$(dirname "$0")/lib.sh"

START=$SECONDS
[ "${SIPDIAG_ZABBIX_TEST:-0}" = 1 ] ||
	skip "takes about 1 minute (a private PostgreSQL, zabbix_server and frontend; apt-get installs them if missing); run with SIPDIAG_ZABBIX_TEST=1"

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
ZBX_SQL=/usr/share/zabbix-server-pgsql
ZBX_WEB=/usr/share/zabbix
need_packages() {
	[ -x /usr/sbin/zabbix_server ] && [ -r "$ZBX_WEB/api_jsonrpc.php" ] && [ -n "$PG_BIN" ] &&
		[ -r "$ZBX_SQL/schema.sql.gz" ] && command -v php >/dev/null &&
		php -m 2>/dev/null | grep -qx pgsql && command -v jq >/dev/null && command -v curl >/dev/null
}
if ! need_packages; then
	[ "$(id -u)" = 0 ] || skip "Zabbix packages missing and not root to install them"
	command -v apt-get >/dev/null || skip "Zabbix packages missing and no apt-get"
	log "installing zabbix-server-pgsql zabbix-frontend-php postgresql php-cli php-pgsql (apt-get)"
	# No service may start from the packages' scripts: Debian's policy-rc.d
	# (exit 101 = action forbidden), only if none exists, removed after.
	POLICY=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		POLICY=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod 755 "$POLICY"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		zabbix-server-pgsql zabbix-frontend-php postgresql php-cli php-pgsql jq curl \
		>"${TMPDIR:-/tmp}/sipdiag-zabbix-apt.log" 2>&1
	rc=$?
	[ -z "$POLICY" ] || rm -f "$POLICY"
	[ $rc = 0 ] || { tail -20 "${TMPDIR:-/tmp}/sipdiag-zabbix-apt.log"; skip "apt-get install failed"; }
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	need_packages || skip "Zabbix packages still incomplete after apt-get"
fi
need_cmd runuser setsid
id postgres >/dev/null 2>&1 || skip "no postgres user (package postgresql)"

nms_setup
nms_start_daemons
healthy_row 1 5
closed_port_row 2 5
IX1=$(ix 1) IX2=$(ix 2)

# ---- private PostgreSQL: initdb + pg_ctl as postgres, all under $TMP/pg ----
chmod 711 "$TMP"
PG=$TMP/pg
mkdir -p "$PG/sock" && chown postgres: "$PG" "$PG/sock"
PG_PORT=$(pick_free_port)
pg() { runuser -u postgres -- "$@"; }
pg "$PG_BIN/initdb" -D "$PG/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
	>"$TMP/initdb.nmslog" 2>&1 || { tail -20 "$TMP/initdb.nmslog"; hard_error "initdb failed"; }
cat >>"$PG/data/postgresql.conf" <<-EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
EOF
pg "$PG_BIN/pg_ctl" -D "$PG/data" -l "$PG/postgres.log" -w -t 60 start >/dev/null ||
	{ tail -20 "$PG/postgres.log"; hard_error "private PostgreSQL did not start"; }
on_cleanup "runuser -u postgres -- '$PG_BIN/pg_ctl' -D '$PG/data' -m immediate -w stop"
log "private PostgreSQL on 127.0.0.1:$PG_PORT ($PG/data)"
psql_pg() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" "$@"; }
psql_pg -U postgres -c "CREATE ROLE zabbix LOGIN PASSWORD 'zabbix'" -c "CREATE DATABASE zabbix OWNER zabbix" ||
	hard_error "cannot create the zabbix role and database"
t0=$SECONDS
for f in schema images data; do
	zcat "$ZBX_SQL/$f.sql.gz" | psql_pg -U zabbix -d zabbix >"$TMP/sql-$f.nmslog" 2>&1 ||
		{ tail -5 "$TMP/sql-$f.nmslog"; hard_error "loading $f.sql failed"; }
done
log "zabbix database loaded from $ZBX_SQL in $((SECONDS - t0)) s"

# ---- zabbix_server ----------------------------------------------------------
ZS=$TMP/zabbix
mkdir -p "$ZS/run" "$ZS/tmp" "$ZS/alert" "$ZS/ext"
ZS_PORT=$(pick_free_port)
cat >"$ZS/zabbix_server.conf" <<-EOF
ListenIP=127.0.0.1
ListenPort=$ZS_PORT
PidFile=$ZS/zabbix_server.pid
LogFile=$ZS/zabbix_server.log
LogFileSize=0
DebugLevel=3
SocketDir=$ZS/run
TmpDir=$ZS/tmp
AlertScriptsPath=$ZS/alert
ExternalScripts=$ZS/ext
DBHost=127.0.0.1
DBPort=$PG_PORT
DBName=zabbix
DBUser=zabbix
DBPassword=zabbix
AllowRoot=1
StartPollers=2
StartPollersUnreachable=1
StartPreprocessors=1
StartLLDProcessors=1
StartHistoryPollers=1
StartTrappers=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartProxyPollers=0
StartTimers=1
StartEscalators=1
StartAlerters=1
StartDBSyncers=1
StartSNMPTrapper=0
CacheUpdateFrequency=2
HousekeepingFrequency=0
Timeout=4
EOF
# setsid: the server and its worker processes in one group, stopped together
setsid /usr/sbin/zabbix_server -f -c "$ZS/zabbix_server.conf" >"$TMP/zabbix_server.nmslog" 2>&1 </dev/null &
ZS_PID=$!
# stop_group PGID: TERM to the group, up to 10 s, then KILL (a function of
# its own: the cleanup loop's variables are not touched)
stop_group() {
	local n
	kill -TERM -- "-$1" 2>/dev/null || return 0
	for n in $(seq 1 50); do
		kill -0 -- "-$1" 2>/dev/null || return 0
		sleep 0.2
	done
	kill -KILL -- "-$1" 2>/dev/null
	return 0
}
on_cleanup "stop_group $ZS_PID"
wait_port "$ZS_PORT" 60 || { tail -30 "$ZS/zabbix_server.log"; hard_error "zabbix_server does not listen on $ZS_PORT"; }
log "zabbix_server $(/usr/sbin/zabbix_server -V | head -n 1 | awk '{print $NF}') pid $ZS_PID on 127.0.0.1:$ZS_PORT"

# ---- frontend API: php -S on /usr/share/zabbix with our zabbix.conf.php ----
WEB=$TMP/web
mkdir -p "$WEB"
cat >"$WEB/zabbix.conf.php" <<-EOF
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '127.0.0.1';
\$DB['PORT'] = '$PG_PORT';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'zabbix';
\$DB['PASSWORD'] = 'zabbix';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER = '127.0.0.1';
\$ZBX_SERVER_PORT = '$ZS_PORT';
\$ZBX_SERVER_NAME = 'sipdiag-test';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOF
CCF=$ZBX_WEB/include/classes/core/CConfigFile.php
grep -q "const CONFIG_FILE_PATH = " "$CCF" || hard_error "no CONFIG_FILE_PATH in $CCF"
sed "s|const CONFIG_FILE_PATH = .*|const CONFIG_FILE_PATH = '$WEB/zabbix.conf.php';|" "$CCF" >"$WEB/prepend.php"
WEB_PORT=$(pick_free_port)
php -d "auto_prepend_file=$WEB/prepend.php" -d max_execution_time=300 -d display_errors=stderr \
	-S "127.0.0.1:$WEB_PORT" -t "$ZBX_WEB" >"$TMP/php.nmslog" 2>&1 </dev/null &
on_cleanup "stop_pid $!"
wait_port "$WEB_PORT" 20 || hard_error "php -S does not listen on $WEB_PORT"
API=http://127.0.0.1:$WEB_PORT/api_jsonrpc.php
log "frontend API $API"

# zapi METHOD PARAMS-JSON [JQ]: the call's .result (through JQ, default .);
# an error response is a hard error (printed).
AUTH=null
zapi() {
	local out
	out=$(jq -nc --arg m "$1" --argjson p "$2" --argjson a "$AUTH" \
		'{jsonrpc: "2.0", method: $m, params: $p, id: 1} + (if $a == null then {} else {auth: $a} end)' |
		curl -s -m 300 -H 'Content-Type: application/json-rpc' --data-binary @- "$API")
	printf '%s\n' "$out" >>"$TMP/api.nmslog"
	if ! printf '%s' "$out" | jq -e 'has("result")' >/dev/null 2>&1; then
		printf '%s\n' "$out" | head -c 2000 >&2
		hard_error "API $1 failed"
	fi
	printf '%s' "$out" | jq -r ".result | ${3:-.}"
}
log "Zabbix API $(zapi apiinfo.version '[]')"
AUTH=$(zapi user.login '{"username": "Admin", "password": "zabbix"}' | jq -R .)

t0=$SECONDS
RULES='{"groups": {"createMissing": true}, "templates": {"createMissing": true, "updateExisting": true},
  "items": {"createMissing": true, "updateExisting": true}, "discoveryRules": {"createMissing": true, "updateExisting": true},
  "triggers": {"createMissing": true, "updateExisting": true}, "valueMaps": {"createMissing": true, "updateExisting": true}}'
PARAMS=$(jq -n --rawfile s "$CONTRIB/zabbix/sipdiag_template.yaml" --argjson r "$RULES" '{format: "yaml", source: $s, rules: $r}')
check_eq "$(zapi configuration.import "$PARAMS")" true "configuration.import of sipdiag_template.yaml"
TPL=$(zapi template.get '{"filter": {"host": ["SIP-DIAG SNMP"]}, "output": ["templateid"]}' '.[0].templateid')
[ -n "$TPL" ] && [ "$TPL" != null ] || hard_error "template SIP-DIAG SNMP not there after the import"
n=$(zapi discoveryrule.get "{\"templateids\": [\"$TPL\"], \"output\": [\"key_\"]}" length)
check_eq "$n" 1 "discovery rules of the imported template"
n=$(zapi itemprototype.get "{\"templateids\": [\"$TPL\"], \"output\": [\"key_\"]}" length)
log "template $TPL: $n item prototypes, imported in $((SECONDS - t0)) s"

GID=$(zapi hostgroup.create '{"name": "sipdiag test"}' '.groupids[0]')
HOST_PARAMS=$(jq -n --arg port "$SNMP_PORT" --arg tpl "$TPL" --arg gid "$GID" --arg c "$COMMUNITY" '{
  host: "sipdiag-terminal", groups: [{groupid: $gid}], templates: [{templateid: $tpl}],
  interfaces: [{type: 2, main: 1, useip: 1, ip: "127.0.0.1", dns: "", port: $port,
                details: {version: 2, bulk: 1, community: "{$SNMP_COMMUNITY}"}}],
  macros: [{macro: "{$SNMP_COMMUNITY}", value: $c},
           {macro: "{$SIPDIAG.LLD.INTERVAL}", value: "5s"},
           {macro: "{$SIPDIAG.INTERVAL}", value: "5s"},
           {macro: "{$SIPDIAG.FAIL.MIN}", value: "2"}]}')
HID=$(zapi host.create "$HOST_PARAMS" '.hostids[0]')
log "host $HID: SNMPv2c 127.0.0.1:$SNMP_PORT community {\$SNMP_COMMUNITY}=$COMMUNITY, template linked"
T_HOST=$SECONDS

# items KEYPREFIX: the discovered items (flags 4) of the host whose key
# starts with KEYPREFIX, as "key<TAB>name<TAB>lastclock<TAB>lastvalue<TAB>error" lines.
items() {
	zapi item.get "{\"hostids\": [\"$HID\"], \"search\": {\"key_\": \"$1\"}, \"startSearch\": true,
		\"filter\": {\"flags\": 4}, \"output\": [\"key_\", \"name\", \"lastclock\", \"lastvalue\", \"error\"]}" \
		'.[] | [.key_, .name, .lastclock, .lastvalue, .error] | @tsv'
}
discovered() {
	local l
	l=$(items 'sipdiag.fault[')
	printf '%s\n' "$l" | grep -qF "sipdiag.fault[$IX1]" && printf '%s\n' "$l" | grep -qF "sipdiag.fault[$IX2]"
}
wait_until 180 "the discovery of rows test/1 and test/2" discovered || die "rows not discovered"
log "rows discovered $((SECONDS - T_HOST)) s after host.create: $(items sipdiag. | wc -l) items"
items sipdiag. | cut -f1,2 | sed 's/^/    /'
for k in fault stats.lastfault stats.consecutive stats.lastgood stats.runs stats.failures diagnosis; do
	for x in "$IX1" "$IX2"; do
		items "sipdiag.$k[$x]" | grep -qF "sipdiag.$k[$x]" || fail "no item sipdiag.$k[$x]"
	done
done
name1=$(items "sipdiag.fault[$IX1]" | cut -f2)
check_eq "$name1" "SIP test/1: result fault" "item name with the decoded owner/name ({#SIPDIAG.OWNER}/{#SIPDIAG.NAME})"

# value KEY: last value of a discovered item, empty while it has none
value() { items "$1" | awk -F '\t' -v k="$1" '$1 == k && $3 != "0" {print $4}'; }
valued() {
	[ -n "$(value "sipdiag.stats.lastfault[$IX1]")" ] && [ -n "$(value "sipdiag.stats.lastfault[$IX2]")" ] &&
		[ -n "$(value "sipdiag.fault[$IX1]")" ] && [ -n "$(value "sipdiag.fault[$IX2]")" ] &&
		[ "$(value "sipdiag.stats.consecutive[$IX2]")" -ge 2 ] 2>/dev/null
}
wait_until 120 "values of the fault items" valued ||
	{ items sipdiag. | sed 's/^/    /'; tail -20 "$ZS/zabbix_server.log"; die "no values"; }
log "values $((SECONDS - T_HOST)) s after host.create"
items sipdiag. | awk -F '\t' '{printf "    %s = %s%s\n", $1, $4, ($5 != "" ? "  (error: " $5 ")" : "")}'
lf1=$(value "sipdiag.stats.lastfault[$IX1]") lf2=$(value "sipdiag.stats.lastfault[$IX2]")
check_eq "${FAULT_NAMES[$lf1]:-?$lf1}" success "test/1 last fault through Zabbix"
case ${FAULT_NAMES[$lf2]:-?$lf2} in serviceNotListening | serverNoResponse | networkUnreachable)
	log "ok: test/2 last fault through Zabbix = ${FAULT_NAMES[$lf2]}" ;;
*) fail "test/2 last fault through Zabbix: '$lf2', expected serviceNotListening or serverNoResponse" ;; esac
check_eq "$(value "sipdiag.stats.consecutive[$IX1]")" 0 "test/1 consecutive failures through Zabbix"
lg1=$(value "sipdiag.stats.lastgood[$IX1]") lg2=$(value "sipdiag.stats.lastgood[$IX2]")
now=$(date +%s)
if [ -n "$lg1" ] && [ "$lg1" -gt $((now - 600)) ] && [ "$lg1" -le $((now + 60)) ]; then
	log "ok: test/1 last good time $lg1 (DateAndTime -> Unix time, $((now - lg1)) s ago)"
else fail "test/1 last good time '$lg1' is not a recent Unix time (now $now)"; fi
[ -z "$lg2" ] || check_eq "$lg2" 0 "test/2 last good time (never)"
vm=$(zapi item.get "{\"hostids\": [\"$HID\"], \"filter\": {\"key_\": \"sipdiag.stats.lastfault[$IX2]\"},
	\"output\": [\"key_\"], \"selectValueMap\": \"extend\"}" \
	".[0].valuemap | (.name + \" \" + (.mappings[] | select(.value == \"$lf2\") | .newvalue))")
check_eq "$vm" "SipDiagFault ${FAULT_NAMES[$lf2]:-?}" "value map of test/2's last fault item for $lf2"

# The "failing" trigger of test/2 (2 failed runs in a row, {$SIPDIAG.FAIL.MIN}=2)
problems() {
	zapi trigger.get "{\"hostids\": [\"$HID\"], \"filter\": {\"value\": 1}, \"expandDescription\": true,
		\"output\": [\"description\"]}" '.[].description'
}
failing2() { problems | grep -qF "SIP test/2 (sip:bob@127.0.0.1): failing"; }
wait_until 90 "the failing trigger of test/2 in PROBLEM" failing2
log "triggers in PROBLEM $((SECONDS - T_HOST)) s after host.create:"
problems | sed 's/^/    /'
if problems | grep -qF "SIP test/1 "; then fail "a trigger of the healthy test/1 is in PROBLEM"; fi
ev=$(zapi problem.get "{\"hostids\": [\"$HID\"], \"output\": [\"name\"]}" '.[].name' | grep -F "SIP test/2" | head -n 1)
log "problem event: $ev"
case $ev in *"serviceNotListening"* | *"serverNoResponse"* | *"networkUnreachable"*) log "ok: the problem names the fault" ;;
*) fail "problem name '$ev' does not name the fault" ;; esac

log "Zabbix test took $((SECONDS - START)) s ($((SECONDS - T_HOST)) s from host.create to the trigger)"
finish
