#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# Proves the cross builds work on their own architectures: for each of
# armhf and mipsel (or SIPDIAG_CROSS_ARCHES), tests/cross/run builds
# build/cross-ARCH with scripts/cross-build when needed and runs the unit
# tests and the loopback system tests under qemu-user.  Slow (15-20 s per
# architecture, plus about 25 s per build and a sysroot download the first
# time) and it installs cross compilers, so it runs only with
# SIPDIAG_CROSS_TEST=1; otherwise it exits 77 (skipped).
set -u
if [ "${SIPDIAG_CROSS_TEST:-}" != 1 ]; then
	echo "SKIP: set SIPDIAG_CROSS_TEST=1 to run the cross builds' tests under qemu-user"
	exit 77
fi
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
rc=0
for arch in ${SIPDIAG_CROSS_ARCHES:-armhf mipsel}; do
	"$top/tests/cross/run" "$arch" || rc=1
done
exit $rc
