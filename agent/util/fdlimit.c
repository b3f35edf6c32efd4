/*
 * fdlimit.c - descriptors for sipDiagMaxConcurrent diagnoses.
 *
 * Each running diagnosis holds up to SIPDIAG_FDS_PER_DIAGNOSIS descriptors
 * (sockets, the capture, its file).  A process that runs out of them gets
 * EMFILE from socket() in the middle of a diagnosis, and that run ends in
 * an internal error instead of a finding.  So, whenever the concurrency
 * asked for changes (configuration, SET, the store, SIGHUP), the soft
 * RLIMIT_NOFILE is raised as far as it needs, up to the hard limit; when
 * the hard limit is lower, fewer diagnoses run at once than asked, a
 * trigger beyond them fails with resourceUnavailable like one beyond
 * sipDiagMaxConcurrent, and the log says so.  The soft limit is never
 * lowered.
 */
#include "config.h"
#include "agent-snmp.h"
#include "util/fdlimit.h"
#include "sipdiag_limits.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

static unsigned last_wanted, last_allowed;
static rlim_t last_soft;

static rlim_t descriptors_for(unsigned diagnoses)
{
  return (rlim_t)SIPDIAG_AGENT_FDS_BASE + (rlim_t)diagnoses * SIPDIAG_FDS_PER_DIAGNOSIS;
}

unsigned fdlimit_capacity(unsigned long long soft_limit)
{
  if (soft_limit == (unsigned long long)RLIM_INFINITY)
    return SIPDIAG_AGENT_MAX_CONCURRENT_MAX;
  unsigned long long n = soft_limit > SIPDIAG_AGENT_FDS_BASE
    ? (soft_limit - SIPDIAG_AGENT_FDS_BASE) / SIPDIAG_FDS_PER_DIAGNOSIS : 0;
  if (n < SIPDIAG_AGENT_MAX_CONCURRENT_MIN)
    n = SIPDIAG_AGENT_MAX_CONCURRENT_MIN;   /* one still runs, and names EMFILE */
  return n > SIPDIAG_AGENT_MAX_CONCURRENT_MAX ? SIPDIAG_AGENT_MAX_CONCURRENT_MAX
                                              : (unsigned)n;
}

unsigned fdlimit_fit(unsigned wanted)
{
  if (wanted == last_wanted && last_allowed)
    return last_allowed;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    snmp_log(LOG_WARNING, "sipdiagd: cannot read RLIMIT_NOFILE: %s\n", strerror(errno));
    return wanted;
  }
  rlim_t need = descriptors_for(wanted);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
    if (rl.rlim_cur > old) {
      if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
        snmp_log(LOG_INFO, "sipdiagd: open-files limit raised from %llu to %llu for %u "
                 "concurrent diagnoses (%u descriptors each)\n", (unsigned long long)old,
                 (unsigned long long)rl.rlim_cur, wanted, SIPDIAG_FDS_PER_DIAGNOSIS);
      else
        snmp_log(LOG_WARNING, "sipdiagd: cannot raise the open-files limit from %llu to "
                 "%llu: %s\n", (unsigned long long)old, (unsigned long long)rl.rlim_cur,
                 strerror(errno));
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
      return wanted;
  }
  unsigned capacity = fdlimit_capacity((unsigned long long)rl.rlim_cur);
  unsigned allowed = wanted < capacity ? wanted : capacity;
  if (allowed < wanted && (wanted != last_wanted || rl.rlim_cur != last_soft))
    snmp_log(LOG_WARNING, "sipdiagd: the open-files limit (soft %llu, hard %llu) allows "
             "%u concurrent diagnoses, not the %u of sipDiagMaxConcurrent: triggers beyond "
             "%u fail with resourceUnavailable; a hard limit of %llu (ulimit -Hn, "
             "LimitNOFILE=) allows all\n", (unsigned long long)rl.rlim_cur,
             (unsigned long long)rl.rlim_max, allowed, wanted, allowed,
             (unsigned long long)need);
  last_wanted = wanted;
  last_allowed = allowed;
  last_soft = rl.rlim_cur;
  return allowed;
}
