#!/bin/bash
# Proves the CLI's contract on bad input: unknown options and unparseable
# numbers are usage errors (exit 2) with a message naming the option, while a
# missing or malformed account setting is a diagnosis (configIncomplete,
# code 1, exit 1) exactly as on the device, and nothing is sent.
set -u
probe=${SIPDIAG_PROBE:-../probe/sipdiag-probe}
failed=0
fail() { echo "FAIL: $*"; failed=1; }

expect_usage_error() {   # expect_usage_error NEEDLE ARGS...
	local needle=$1; shift
	local err rc
	err=$("$probe" "$@" 2>&1 >/dev/null); rc=$?
	[ $rc -eq 2 ] || fail "'$*' exited $rc, expected 2"
	case $err in *"$needle"*) ;; *) fail "'$*' message does not name $needle: $err" ;; esac
}

expect_usage_error "--bogus" --bogus
expect_usage_error "--expires" --registrar sip:127.0.0.1 --aor sip:a@b --expires 12x
expect_usage_error "--expires" --registrar sip:127.0.0.1 --aor sip:a@b --expires -5
expect_usage_error "--timer" --registrar sip:127.0.0.1 --aor sip:a@b --timer 0
expect_usage_error "--attempts" --attempts ten
expect_usage_error "--attempt-timeout" --attempt-timeout 0.01
expect_usage_error "--pings" --pings 99
expect_usage_error "--transport" --transport sctp
expect_usage_error "--password-file" --password-file /nonexistent/sipdiag-pw
expect_usage_error "--registrar" --registrar
expect_usage_error "stray" --registrar sip:127.0.0.1 stray

# Account problems are diagnosed, not refused.
out=$(env -u SIPDIAG_PASSWORD "$probe" --registrar http://example.invalid --aor example --json); rc=$?
[ $rc -eq 1 ] || fail "config problems exited $rc, expected 1"
[ "$(jq -r .fault <<<"$out")" = configIncomplete ] || fail "fault: $out"
[ "$(jq -r .code <<<"$out")" = 1 ] || fail "code: $out"
[ "$(jq -r .attempts <<<"$out")" = 0 ] || fail "a REGISTER was sent: $out"
for field in "registrar is not a sip: or sips: URI" "aor is not a sip: or sips: URI" "password is missing"; do
	jq -r .diagnosis <<<"$out" | grep -qF "$field" || fail "diagnosis does not name '$field': $out"
done

# The password never appears in any output.
out=$(SIPDIAG_PASSWORD=Sup3rS3cretPw "$probe" --registrar sip:x --aor bad --json 2>&1)
case $out in *Sup3rS3cretPw*) fail "password printed" ;; esac

"$probe" --help | grep -q -- '--password-file' || fail "--help"
"$probe" --version | grep -q sipdiag || fail "--version"
[ $failed -eq 0 ] && echo "usage errors and config diagnoses behave"
exit $failed
