/*
 * agentx_dedup.c - the master's retransmissions of a request go no further.
 *
 * snmpd waits agentxTimeout (1 s by default) for a subagent's answer and
 * then sends the same request again, with the same packetID, up to
 * agentxRetries times.  A daemon that was busy for longer then reads two or
 * more copies of one TestSet at once.  net-snmp's subagent code keeps one
 * record per TestSet keyed by transaction id only, so the copies share a
 * key: the SET is checked twice against one staging (a bogus
 * inconsistentValue), and freeing one copy's record while another copy's
 * phase is pending makes it use freed memory (a crash seen under load in
 * handle_subagent_set_response).  The master takes the first answer
 * anyway, so a copy is dropped before net-snmp sees it.
 *
 * Copies are recognised by (session, transaction, packet) ids and type, in
 * a short memory of the last requests; the master gives each new request a
 * new packet id.
 */
#include "config.h"
#include "agent-snmp.h"
#include "daemon/agentx_dedup.h"
#include "sipdiag_limits.h"

#include <stdbool.h>

/* libnetsnmpagent's AgentX session with the master (snmp_agent.c); it is
 * exported but declared in no installed header. */
extern netsnmp_session *main_session;

/* AgentX PDU types that are requests from the master (RFC 2741, 6.1):
 * Get 5 ... CleanupSet 11. */
enum { AGENTX_FIRST_REQUEST = 5, AGENTX_LAST_REQUEST = 11 };

struct request_id {
  long sessid, transid, reqid;
  int command;
};

static struct request_id recent[SIPDIAG_AGENT_AGENTX_RECENT];
static unsigned recent_next, recent_count;
static netsnmp_callback handle_packet;      /* net-snmp's own callback */

static bool seen_before(const netsnmp_pdu *pdu)
{
  struct request_id id = { pdu->sessid, pdu->transid, pdu->reqid, pdu->command };
  for (unsigned i = 0; i < recent_count; i++)
    if (recent[i].sessid == id.sessid && recent[i].transid == id.transid &&
        recent[i].reqid == id.reqid && recent[i].command == id.command)
      return true;
  recent[recent_next] = id;
  recent_next = (recent_next + 1) % SIPDIAG_AGENT_AGENTX_RECENT;
  if (recent_count < SIPDIAG_AGENT_AGENTX_RECENT)
    recent_count++;
  return false;
}

static int filter(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu,
                  void *magic)
{
  if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu &&
      pdu->command >= AGENTX_FIRST_REQUEST && pdu->command <= AGENTX_LAST_REQUEST &&
      seen_before(pdu)) {
    snmp_log(LOG_INFO, "the master sent AgentX request 0x%lx again (sipdiagd answered "
             "after its agentxTimeout): copy ignored\n", pdu->reqid);
    return 1;
  }
  return handle_packet(op, session, reqid, pdu, magic);
}

void agentx_dedup_attach(void)
{
  netsnmp_session *s = main_session;
  if (!s || s->callback == filter || !s->callback)
    return;
  /* a new session (first connection, or after the master restarted) */
  handle_packet = s->callback;
  s->callback = filter;
  recent_count = recent_next = 0;
}

