#!/bin/bash
# Proves sipdiagd refuses scalar settings with which no diagnosis could run:
# the self-diagnosis timer must cover attempts x attempt timeout + the pings
# (engine: sipdiag_settings_check).  Each value below is in its own range,
# so before the agent used the engine's rule these SETs succeeded (its
# wrongValue checks only each range; checked against the sipdiagd of
# 5a79a84 itself) and every later diagnosis was refused by the engine.
# Now: inconsistentValue, and nothing changes; the values of one SET are
# judged together, so raising the timer and the attempts at once works.
# Base (the defaults, set in one consistent SET since the harness's
# sipdiagd.conf has fast ones): timer 32 s, 3 attempts x 4000 ms, 3 pings
# (0.5 s apart, 1 s wait): 14 s needed.
. "$(dirname "$0")/lib.sh"
start_all
expect_set "" "base settings" $SC.1.0 u 32 $SC.2.0 u 3 $SC.3.0 u 3 $SC.4.0 u 4000

expect_set inconsistentValue "sipDiagTimer 10 (< 14 s needed)" $SC.1.0 u 10
expect_set inconsistentValue "sipDiagAttempts 10 (42 s needed)" $SC.2.0 u 10
expect_set inconsistentValue "sipDiagAttemptTimeout 20000 (62 s needed)" $SC.4.0 u 20000
expect_set inconsistentValue "sipDiagTimer 20 + sipDiagAttempts 5 (22 s needed)" \
	$SC.1.0 u 20 $SC.2.0 u 5
check_eq "$(sget $SC.1.0 $SC.2.0 $SC.3.0 $SC.4.0 | tr '\n' ' ')" "32 3 3 4000 " \
	"timer, attempts, pings, attempt timeout unchanged"

# Consistent together, though the attempts alone would not be.
expect_set "" "sipDiagTimer 60 + sipDiagAttempts 10 (42 s needed)" $SC.1.0 u 60 $SC.2.0 u 10
check_eq "$(sget $SC.1.0 $SC.2.0 | tr '\n' ' ')" "60 10 " "timer and attempts applied"
expect_set inconsistentValue "sipDiagTimer 41 with 10 attempts" $SC.1.0 u 41
expect_set "" "sipDiagTimer 42 with 10 attempts (exactly enough)" $SC.1.0 u 42
check_eq "$(sget $SC.1.0)" 42 "timer 42 applied"
finish
