#!/bin/bash
# tests/package/install_in_chroot.sh - build the Debian package, install it
# with apt into a fresh Debian 12 chroot and check what it installed.
#
# Slow (a minute or more for the chroot alone) and needs root, mmdebstrap,
# the build dependencies and an apt mirror, so it runs only with
# SIPDIAG_PACKAGE_TEST=1; it is not part of "make check".
#
#   SIPDIAG_PACKAGE_TEST=1 tests/package/install_in_chroot.sh
#
# Environment:
#   SIPDIAG_DEB            an already built sipdiag_*.deb: skip the build
#   SIPDIAG_APT_SOURCES    the apt sources of the chroot (default: this
#                          machine's /etc/apt/sources.list.d/debian.sources,
#                          else /etc/apt/sources.list)
#   SIPDIAG_IETF_MIBS      the IETF base modules the MIB imports
#                          (default /work/shared/mibs)
#   SIPDIAG_KEEP_CHROOT=1  leave the chroot and the build directory behind
#
# Exit status: 0 passed, 1 failed, 77 skipped (automake's convention).
set -u

if [ "${SIPDIAG_PACKAGE_TEST:-}" != 1 ]; then
	echo "SKIP: set SIPDIAG_PACKAGE_TEST=1 to build the package and install it in a chroot"
	exit 77
fi
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mmdebstrap, chroot)"; exit 77; }
for tool in mmdebstrap dpkg-buildpackage lintian; do
	command -v $tool >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
done

here=$(cd "$(dirname "$0")/../.." && pwd)
sources=${SIPDIAG_APT_SOURCES:-}
if [ -z "$sources" ]; then
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sources=/etc/apt/sources.list.d/debian.sources
	else
		sources=/etc/apt/sources.list
	fi
fi
ietf=${SIPDIAG_IETF_MIBS:-/work/shared/mibs}
[ -f "$ietf/SNMPv2-SMI.txt" ] || { echo "SKIP: no IETF base MIBs in $ietf"; exit 77; }

work=$(mktemp -d /tmp/sipdiag-pkgtest.XXXXXX)
root=$work/chroot
snmpd_pid= agent_pid=
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	[ -n "$snmpd_pid" ] && kill "$snmpd_pid" 2>/dev/null
	wait 2>/dev/null
	mountpoint -q "$root/proc" && umount "$root/proc"
	if [ "${SIPDIAG_KEEP_CHROOT:-}" = 1 ]; then
		echo "kept: $work"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT

failures=0
step() { printf '%-62s' "$1"; }
pass() { echo "ok${1:+ ($1)}"; }
fail() { echo "FAILED${1:+: $1}"; failures=$((failures + 1)); }
now() { date +%s; }
t0=$(now)

# ---- 1. build, from a copy of the tree, so the sources stay clean ---------------
deb=${SIPDIAG_DEB:-}
if [ -z "$deb" ]; then
	step "dpkg-buildpackage -us -uc -b"
	mkdir "$work/src"
	# the working tree as it is (tracked files, committed or not)
	(cd "$here" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -cf -) | tar -C "$work/src" -xf - ||
		{ fail "copying the tree"; exit 1; }
	if (cd "$work/src" && dpkg-buildpackage -us -uc -b -j2) >"$work/build.log" 2>&1; then
		pass "$(( $(now) - t0 )) s"
	else
		fail "see the end of the log:"; tail -30 "$work/build.log"; exit 1
	fi
	deb=$(ls "$work"/sipdiag_*.deb | grep -v dbgsym | head -1)
	step "lintian --fail-on error,warning"
	if lintian --fail-on error,warning "$work"/sipdiag_*.changes >"$work/lintian.log" 2>&1; then
		pass
	else
		fail; cat "$work/lintian.log"
	fi
fi
[ -f "$deb" ] || { echo "FAILED: no package ($deb)"; exit 1; }
debname=$(basename "$deb")

# ---- 2. a fresh Debian 12, the package installed with apt -----------------------
step "mmdebstrap bookworm + apt-get install $debname"
t1=$(now)
mkdir "$root"
cp "$deb" "$work/$debname" 2>/dev/null
# With the package: snmpd and snmp (its Recommends, which mmdebstrap leaves
# out) for the checks below, procps (/bin/kill of ExecReload=) and man-db
# (Documentation=), both of priority important, for systemd-analyze verify.
# policy-rc.d: no daemon of the chroot starts while packages are installed
if mmdebstrap --variant=apt --include=systemd bookworm "$root" "$sources" \
	--customize-hook='printf "#!/bin/sh\nexit 101\n" > "$1/usr/sbin/policy-rc.d"; chmod 755 "$1/usr/sbin/policy-rc.d"' \
	--customize-hook="copy-in $work/$debname /tmp" \
	--customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y /tmp/$debname snmp snmpd procps man-db" \
	--customize-hook='rm -f "$1/usr/sbin/policy-rc.d"' \
	>"$work/mmdebstrap.log" 2>&1; then
	pass "$(( $(now) - t1 )) s"
else
	fail "see the end of the log:"; tail -30 "$work/mmdebstrap.log"; exit 1
fi
in_root() { chroot "$root" "$@"; }
version=$(dpkg-deb -f "$deb" Version)
upstream=${version%-*}

# ---- 3. what the package installed ------------------------------------------------
step "sipdiag-probe --version says $upstream"
out=$(in_root sipdiag-probe --version 2>&1)
case $out in *"$upstream"*) pass ;; *) fail "$out" ;; esac

step "sipdiagd -v says $upstream, sipdiagd -h prints usage"
out=$(in_root /usr/sbin/sipdiagd -v 2>&1)
help=$(in_root /usr/sbin/sipdiagd -h 2>&1)
case $out in
*"$upstream"*) case $help in *-x*) pass ;; *) fail "-h: $help" ;; esac ;;
*) fail "$out" ;;
esac

step "helpers, MIB and man pages are installed"
missing=
for f in /usr/bin/sipdiag-remote /usr/bin/sipdiag-traphandle \
	/usr/share/snmp/mibs/SIP-DIAG-MIB.txt \
	/usr/share/man/man1/sipdiag-probe.1.gz /usr/share/man/man1/sipdiag-remote.1.gz \
	/usr/share/man/man1/sipdiag-traphandle.1.gz /usr/share/man/man7/sipdiag-mib.7.gz \
	/usr/share/man/man8/sipdiagd.8.gz /usr/lib/sysusers.d/sipdiag.conf \
	/usr/share/doc/sipdiag/examples/sipdiagd.conf.example; do
	[ -e "$root$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && pass || fail "missing:$missing"

step "the monitoring files (contrib/) are installed"
missing=
for f in /usr/share/sipdiag/prometheus/generator.yml /usr/share/sipdiag/prometheus/snmp.yml \
	/usr/share/sipdiag/prometheus/sipdiag.rules.yml /usr/share/sipdiag/zabbix/sipdiag_template.yaml \
	/usr/lib/nagios/plugins/check_sipdiag /usr/share/man/man1/check_sipdiag.1.gz; do
	[ -e "$root$f" ] || missing="$missing $f"
done
out=$(in_root /usr/lib/nagios/plugins/check_sipdiag --help 2>&1 | head -1)
[ -z "$missing" ] && [ -n "$out" ] && pass || fail "missing:$missing; check_sipdiag --help: '$out'"

step "system user and group _sipdiag, no login shell"
pw=$(in_root getent passwd _sipdiag)
gr=$(in_root getent group _sipdiag)
uid=$(echo "$pw" | cut -d: -f3)
shell=$(echo "$pw" | cut -d: -f7)
if [ -n "$pw" ] && [ -n "$gr" ] && [ "$uid" -lt 1000 ] && [ "$shell" = /usr/sbin/nologin ]; then
	pass "$pw"
else
	fail "passwd '$pw' group '$gr'"
fi

step "/etc/sipdiag/sipdiagd.conf: conffile, root:_sipdiag 0640"
perm=$(in_root stat -c '%U:%G %a' /etc/sipdiag/sipdiagd.conf 2>&1)
if in_root dpkg-query -W -f='${Conffiles}\n' sipdiag | grep -q ' /etc/sipdiag/sipdiagd.conf ' &&
	[ "$perm" = "root:_sipdiag 640" ] &&
	! grep -q '^[[:space:]]*sipdiagAccount' "$root/etc/sipdiag/sipdiagd.conf"; then
	pass
else
	fail "$perm"
fi

step "sipdiagd.service in place and enabled"
unit=
for d in /usr/lib/systemd/system /lib/systemd/system; do
	[ -f "$root$d/sipdiagd.service" ] && { unit=$d/sipdiagd.service; break; }
done
if [ -n "$unit" ] && [ -L "$root/etc/systemd/system/multi-user.target.wants/sipdiagd.service" ]; then
	pass "$unit"
else
	fail "unit '$unit'"
fi

step "systemd-analyze verify sipdiagd.service"
out=$(in_root systemd-analyze verify "$unit" 2>&1)
if [ $? = 0 ] && [ -z "$out" ]; then pass; else fail "$out"; fi

step "the MIB loads with snmptranslate"
mkdir -p "$root/tmp/ietf-mibs" && cp "$ietf"/*.txt "$root/tmp/ietf-mibs/"
mibpath=+/usr/share/snmp/mibs:/tmp/ietf-mibs
# as an operator would type it: "+" adds the module to net-snmp's default
# list, most of which Debian does not ship (those complaints are ignored)
oid=$(in_root snmptranslate -M $mibpath -m +SIP-DIAG-MIB -On SIP-DIAG-MIB::sipDiagTimer.0 \
	2>"$work/snmptranslate.err")
# the module alone: not one complaint
in_root snmptranslate -M $mibpath -m SIP-DIAG-MIB -Td SIP-DIAG-MIB::sipDiagComplete \
	>"$work/notification.txt" 2>"$work/snmptranslate-strict.err"
complaints=$(grep -v '^Created directory:' "$work/snmptranslate-strict.err")
if [ "$oid" = ".1.3.6.1.4.1.8072.9999.9999.5060.1.1.1.0" ] &&
	grep -q NOTIFICATION-TYPE "$work/notification.txt" && [ -z "$complaints" ] &&
	! grep -q SIP-DIAG-MIB "$work/snmptranslate.err"; then
	pass "$oid"
else
	fail "'$oid'"; cat "$work/snmptranslate-strict.err" "$work/snmptranslate.err"
fi

# ---- 4. the daemon as the unit runs it, attached to Debian's snmpd ---------------
# snmpd with the lines README.Debian documents, listening only on a Unix socket
# of the chroot; sipdiagd as _sipdiag with CAP_NET_RAW only, as in the unit.
step "sipdiagd as _sipdiag attaches to snmpd's /var/agentx/master"
mount -t proc proc "$root/proc"
cat >"$root/etc/snmp/snmpd-pkgtest.conf" <<'CONF'
agentaddress unix:/run/snmpd-pkgtest.sock
master agentx
agentXSocket unix:/var/agentx/master
agentXPerms 0660 0755 Debian-snmp _sipdiag
createUser pkgtest SHA "pkgtest-passphrase" AES "pkgtest-passphrase"
rouser pkgtest priv .1.3.6.1.4.1.8072.9999.9999.5060
CONF
chroot "$root" /usr/sbin/snmpd -f -Lf /tmp/snmpd.log -u Debian-snmp -g Debian-snmp -I -smux,mteTrigger,mteTriggerConf \
	-m '' -C -c /etc/snmp/snmpd-pkgtest.conf &
snmpd_pid=$!
for _ in $(seq 50); do [ -S "$root/var/agentx/master" ] && break; sleep 0.2; done
install -d -o "$uid" -g "$(echo "$pw" | cut -d: -f4)" -m 0700 "$root/var/lib/sipdiag"
chroot "$root" setpriv --reuid=_sipdiag --regid=_sipdiag --clear-groups \
	--inh-caps=-all,+net_raw --ambient-caps=-all,+net_raw --bounding-set=-all,+net_raw --no-new-privs \
	env SNMP_PERSISTENT_DIR=/var/lib/sipdiag \
	/usr/sbin/sipdiagd -f -Le -C -c /etc/sipdiag/sipdiagd.conf -x unix:/var/agentx/master \
	>"$work/sipdiagd.log" 2>&1 &
agent_pid=$!
got=
for _ in $(seq 50); do
	got=$(chroot "$root" snmpget -v3 -l authPriv -u pkgtest -a SHA -A pkgtest-passphrase \
		-x AES -X pkgtest-passphrase -On -Oqv unix:/run/snmpd-pkgtest.sock \
		.1.3.6.1.4.1.8072.9999.9999.5060.1.1.1.0 2>&1)
	[ "$got" = 32 ] && break
	sleep 0.2
done
if [ "$got" = 32 ] && grep -q 'capabilities: cap_net_raw only' "$work/sipdiagd.log"; then
	pass "sipDiagTimer.0 = $got"
else
	fail "snmpget: $got"; cat "$work/sipdiagd.log"; cat "$root/tmp/snmpd.log" 2>/dev/null
fi

echo "total $(( $(now) - t0 )) s, $failures failed"
[ $failures = 0 ]
