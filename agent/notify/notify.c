/*
 * notify.c - the notifications of SIP-DIAG-MIB (notify.h).
 *
 *   sipDiagComplete   every run's end, with the complete(0) bit;
 *   sipDiagFailure    when sipDiagStatsConsecutiveFailures reaches
 *                     sipDiagFailureThreshold, once per fall into failure,
 *                     with the failure(1) bit;
 *   sipDiagRecovered  the first success after that, with recovery(2).
 *
 * Each carries the row's AOR, registrar, code, fault, SIP status,
 * consecutive failures, end time and diagnosis, every varbind with the
 * row's owner and name as instance: a receiver needs no second query, and
 * NAT between terminal and receiver does not hide which row spoke.
 *
 * The varbinds are built when the run ends (what the row said then) and
 * queued; the loop sends a few per turn, so 1000 rows failing at once do
 * not keep SNMP requests waiting, and no more than
 * SIPDIAG_AGENT_NOTIFICATIONS_PER_SECOND after a burst, so a receiver's
 * socket buffer does not overflow (a token bucket).  The master adds sysUpTime.0 and sends
 * them to its own sinks; while it is away they are lost, the rows keep
 * the results.
 */
#include "config.h"
#include "agent-snmp.h"
#include "notify/notify.h"
#include "mib/mib.h"
#include "model/key.h"
#include "util/text.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

static const oid snmptrap_oid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };

struct queued {
  netsnmp_variable_list *vars;
};

static struct queued queue[SIPDIAG_AGENT_NOTIFICATION_QUEUE];
static unsigned head, count;
static unsigned long dropped;
static double tokens = SIPDIAG_AGENT_NOTIFICATIONS_BURST;
static struct timespec filled;        /* when tokens was last topped up */

static double seconds_since(const struct timespec *t, const struct timespec *now)
{
  return (double)(now->tv_sec - t->tv_sec) + (double)(now->tv_nsec - t->tv_nsec) / 1e9;
}

static void top_up(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (filled.tv_sec || filled.tv_nsec)
    tokens += seconds_since(&filled, &now) * SIPDIAG_AGENT_NOTIFICATIONS_PER_SECOND;
  if (tokens > SIPDIAG_AGENT_NOTIFICATIONS_BURST)
    tokens = SIPDIAG_AGENT_NOTIFICATIONS_BURST;
  filled = now;
}

/* sipDiagEntry.col.owner.name */
static void add_column(netsnmp_variable_list **vars, const oid *key, size_t key_len,
                       unsigned col, u_char type, const void *value, size_t len)
{
  oid name[SIPDIAG_MIB_OID_LEN + 4 + ROW_KEY_OID_MAX] = { SIPDIAG_MIB_OID, 1, ARC_TABLE, 1 };
  size_t n = SIPDIAG_MIB_OID_LEN + 3;
  name[n++] = col;
  memcpy(name + n, key, key_len * sizeof *key);
  snmp_varlist_add_variable(vars, name, n + key_len, type, value, len);
}

static netsnmp_variable_list *build(const struct diag_row *row, unsigned which)
{
  const sipdiag_result_t *r = row->result;
  oid notification[] = { SIPDIAG_MIB_OID, 0, which };
  oid key[ROW_KEY_OID_MAX];
  size_t key_len = row_key_to_oid(&row->key, key);
  netsnmp_variable_list *vars = NULL;
  u_long code = r ? r->code : 0;
  u_long status = r && r->sip_status > 0 ? (u_long)r->sip_status : 0;
  u_long consecutive = row->stats.consecutive_failures;
  long fault = r ? r->fault : SIPDIAG_FAULT_NONE;
  unsigned char dt[11];
  size_t dt_len = date_and_time(r ? r->end_ms : 0, dt);
  const char *diagnosis = r ? r->diagnosis : "";

  snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID,
                            notification, sizeof notification);
  add_column(&vars, key, key_len, COL_AOR, ASN_OCTET_STR, row->cfg.aor,
             utf8_clip(row->cfg.aor, SIPDIAG_AGENT_TEXT_MAX));
  add_column(&vars, key, key_len, COL_REGISTRAR, ASN_OCTET_STR, row->cfg.registrar,
             utf8_clip(row->cfg.registrar, SIPDIAG_AGENT_TEXT_MAX));
  add_column(&vars, key, key_len, COL_RESULT_CODE, ASN_UNSIGNED, &code, sizeof code);
  add_column(&vars, key, key_len, COL_RESULT_FAULT, ASN_INTEGER, &fault, sizeof fault);
  add_column(&vars, key, key_len, COL_RESULT_SIP_STATUS, ASN_UNSIGNED, &status, sizeof status);
  add_column(&vars, key, key_len, COL_STATS_CONSECUTIVE_FAILURES, ASN_GAUGE, &consecutive,
             sizeof consecutive);
  add_column(&vars, key, key_len, COL_RESULT_END, ASN_OCTET_STR, dt, dt_len);
  add_column(&vars, key, key_len, COL_RESULT_DIAGNOSIS, ASN_OCTET_STR, diagnosis,
             text_clip_readable(diagnosis, SIPDIAG_AGENT_TEXT_MAX));
  return vars;
}

static void enqueue(netsnmp_variable_list *vars)
{
  if (!vars)
    return;
  if (count == SIPDIAG_AGENT_NOTIFICATION_QUEUE) {   /* the oldest goes */
    snmp_free_varbind(queue[head].vars);
    head = (head + 1) % SIPDIAG_AGENT_NOTIFICATION_QUEUE;
    count--;
    if (dropped++ % 1000 == 0)
      snmp_log(LOG_WARNING, "sipdiagd: notification queue full; %lu dropped so far\n",
               dropped);
  }
  queue[(head + count) % SIPDIAG_AGENT_NOTIFICATION_QUEUE].vars = vars;
  count++;
}

void notify_run_end(struct diag_row *row, unsigned events)
{
  unsigned send = events & row->sched.traps;
  if (send & TRAP_COMPLETE)
    enqueue(build(row, NOTIFY_COMPLETE));
  if (send & TRAP_FAILURE)
    enqueue(build(row, NOTIFY_FAILURE));
  if (send & TRAP_RECOVERY)
    enqueue(build(row, NOTIFY_RECOVERED));
}

long notify_wait_ms(void)
{
  if (!count)
    return -1;
  top_up();
  if (tokens >= 1)
    return 0;
  return (long)((1 - tokens) * 1000 / SIPDIAG_AGENT_NOTIFICATIONS_PER_SECOND) + 1;
}

void notify_send_pending(void)
{
  if (!count)
    return;
  top_up();
  for (unsigned i = 0; count && tokens >= 1 && i < SIPDIAG_AGENT_NOTIFICATIONS_PER_TURN; i++) {
    tokens -= 1;
    netsnmp_variable_list *vars = queue[head].vars;
    head = (head + 1) % SIPDIAG_AGENT_NOTIFICATION_QUEUE;
    count--;
    send_v2trap(vars);
    snmp_free_varbind(vars);
  }
}

void notify_shutdown(void)
{
  tokens = SIPDIAG_AGENT_NOTIFICATIONS_BURST;
  notify_send_pending();
  while (count) {
    snmp_free_varbind(queue[head].vars);
    head = (head + 1) % SIPDIAG_AGENT_NOTIFICATION_QUEUE;
    count--;
  }
}
