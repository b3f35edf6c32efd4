#!/bin/bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # the harness may run us with sh
# KNOWN BUG, opt-in (HOSTILE_HEAVY=1; skipped otherwise, since how badly it
# fails depends on the build and the CPU): a TCP server that sends
# thousands of responses per REGISTER stalls the probe's event loop.
# sofia's stream parser copies the whole unread backlog for every message it
# takes out (msg_next -> msg_buf_move: quadratic), the timers and the ping
# replies wait behind it, so the 10 s self-diagnosis timer does not bound
# the diagnosis and the silence verdict becomes networkUnreachable (the
# echo replies were never read).  What must hold: within the timer, the
# flood's verdict, and the wall clock bounded.
. "$(dirname "$0")/lib.sh"

[ "${HOSTILE_HEAVY:-0}" = 1 ] || skip "set HOSTILE_HEAVY=1 to run the heavy TCP floods"
hostile_setup
hostile_case tcp trying-flood --count 5000
expect_silence 3
hostile_case tcp flood --count 3000
expect 401 authFailure 3
finish
