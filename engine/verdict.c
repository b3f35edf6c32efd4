/*
 * verdict.c - the patent's judging rules (claims 4-10, fig. 3-12), and what
 * the evidence beside SIP means.  Pure functions: see verdict.h.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "verdict.h"
#include "sipdiag.h"
#include "syserr.h"

#include <errno.h>
#include <stddef.h>

sipdiag_decision_t sipdiag_judge(sipdiag_tally_t *tally,
                                 const sipdiag_answer_t *answer,
                                 unsigned attempts, unsigned registers_sent)
{
  sipdiag_decision_t d = { SIPDIAG_NEXT_VERDICT, (unsigned)answer->status };

  /* A different answer than last time is judged afresh. */
  if (tally->kind != answer->kind || tally->status != answer->status) {
    tally->kind = answer->kind;
    tally->status = answer->status;
    tally->count = 0;
    tally->stale = 0;
  }

  switch (answer->kind) {
  case SIPDIAG_ANSWER_SILENCE:
    tally->count++;
    break;
  case SIPDIAG_ANSWER_CHALLENGE:
    /* RFC 7616 3.3: stale means the nonce expired, the credentials were
     * right: answer the new nonce, a bounded number of times. */
    if (answer->remedied && answer->stale && tally->stale < SIPDIAG_MAX_STALE_CHALLENGES)
      tally->stale++;
    else if (answer->remedied)
      tally->count++;
    break;
  case SIPDIAG_ANSWER_TOO_BRIEF:
    if (answer->remedied)
      tally->count++;
    break;
  case SIPDIAG_ANSWER_FINAL:
    return d;
  }

  bool exhausted = tally->count >= attempts || registers_sent >= SIPDIAG_MAX_REGISTERS;
  switch (answer->kind) {
  case SIPDIAG_ANSWER_SILENCE:
    d.next = exhausted ? SIPDIAG_NEXT_SILENCE_VERDICT : SIPDIAG_NEXT_RESEND;
    d.code = 0;
    break;
  case SIPDIAG_ANSWER_CHALLENGE:
    if (!exhausted && answer->answerable)
      d.next = SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS;
    break;
  case SIPDIAG_ANSWER_TOO_BRIEF:
    if (!exhausted && answer->answerable)
      d.next = SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES;
    break;
  case SIPDIAG_ANSWER_FINAL:
    break;
  }
  return d;
}

unsigned sipdiag_icmp_code(sipdiag_icmp_class_t klass)
{
  switch (klass) {
  case SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE: return SIPDIAG_CODE_PORT_UNREACHABLE;
  case SIPDIAG_ICMP_CLASS_NET_UNREACHABLE: return SIPDIAG_CODE_NET_UNREACHABLE;
  case SIPDIAG_ICMP_CLASS_HOST_UNREACHABLE: return SIPDIAG_CODE_HOST_UNREACHABLE;
  case SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED: return SIPDIAG_CODE_ADMIN_PROHIBITED;
  default: return 0;   /* TTL, MTU and others: the pings decide */
  }
}

unsigned sipdiag_errno_code(int error)
{
  switch (error) {
  case ECONNREFUSED: return SIPDIAG_CODE_PORT_UNREACHABLE;
  case ENETUNREACH:
  case ENETDOWN: return SIPDIAG_CODE_NET_UNREACHABLE;
  case EHOSTUNREACH:
  case EHOSTDOWN: return SIPDIAG_CODE_HOST_UNREACHABLE;
  case EACCES:
  case EPERM: return SIPDIAG_CODE_ADMIN_PROHIBITED;
  default: return 0;
  }
}

unsigned sipdiag_transport_check_code(sipdiag_tc_result_t result,
                                      sipdiag_icmp_class_t icmp_class, int error)
{
  switch (result) {
  case SIPDIAG_TC_REFUSED:
    return SIPDIAG_CODE_PORT_UNREACHABLE;
  case SIPDIAG_TC_UNREACHABLE: {
    unsigned code = sipdiag_icmp_code(icmp_class);   /* the ICMP code itself */
    return code ? code : sipdiag_errno_code(error);
  }
  case SIPDIAG_TC_TLS_HANDSHAKE_FAILED:
  case SIPDIAG_TC_TLS_CLOSED:
    return SIPDIAG_CODE_TLS_HANDSHAKE;
  case SIPDIAG_TC_TLS_CERTIFICATE_REJECTED:
    return SIPDIAG_CODE_TLS_CERTIFICATE;
  default:
    return 0;
  }
}

unsigned sipdiag_evidence_code(const sipdiag_evidence_t *e)
{
  if (e->transport_code)
    return e->transport_code;
  unsigned code = sipdiag_icmp_code(e->icmp_class);
  if (code || e->icmp_check_pending)
    return code;
  return sipdiag_errno_code(e->socket_error);
}

unsigned sipdiag_silence_code(unsigned pings_received)
{
  return pings_received > 0 ? SIPDIAG_CODE_SERVER_NO_RESPONSE
                            : SIPDIAG_CODE_NETWORK_UNREACHABLE;
}

unsigned sipdiag_silence_verdict(const sipdiag_evidence_t *e)
{
  unsigned code = sipdiag_evidence_code(e);
  if (code)      /* a named cause: no need to wait for the pings */
    return code;
  if (!e->pings_done || e->icmp_check_pending)
    return 0;
  if (e->pings_received > 0)
    return SIPDIAG_CODE_SERVER_NO_RESPONSE;
  if (e->ping_unavailable && e->pings_sent == 0) {
    sipdiag_syserr_kind_t kind = sipdiag_syserr_kind(e->ping_error);
    return kind == SIPDIAG_SYSERR_DESCRIPTORS || kind == SIPDIAG_SYSERR_MEMORY
           ? SIPDIAG_CODE_INTERNAL_ERROR : SIPDIAG_CODE_PING_UNAVAILABLE;
  }
  return sipdiag_silence_code(e->pings_received);
}

unsigned sipdiag_timer_verdict(int last_network_status, const sipdiag_evidence_t *e)
{
  if (last_network_status >= 200)
    return (unsigned)last_network_status;
  sipdiag_evidence_t now = *e;   /* time is up: judge what is in */
  now.icmp_check_pending = false;
  e = &now;
  unsigned code = sipdiag_silence_verdict(e);
  if (!code && e->pings_received > 0)   /* an echo reply came: measured */
    code = SIPDIAG_CODE_SERVER_NO_RESPONSE;
  return code ? code : SIPDIAG_CODE_INTERNAL_ERROR;
}

unsigned sipdiag_certificate_verdict(unsigned code, unsigned transport_code)
{
  return transport_code == SIPDIAG_CODE_TLS_CERTIFICATE ? SIPDIAG_CODE_TLS_CERTIFICATE : code;
}

bool sipdiag_credentials_allowed(bool tls, bool check_done, bool verified)
{
  return !tls || (check_done && verified);
}

unsigned sipdiag_unverified_verdict(unsigned transport_code)
{
  return transport_code ? transport_code : SIPDIAG_CODE_TLS_CERTIFICATE;
}

const char *sipdiag_final_detail(unsigned code, bool credentials_sent)
{
  switch (code) {
  case 403:
    return credentials_sent
      ? "even with credentials: the account is barred or not provisioned, not a password typo"
      : "before any credentials were asked for: the server refuses this terminal or address";
  case 404: return "the registrar does not know this user: check the AOR's user part and domain";
  case 400: return "the server could not parse the request";
  case 408: return "the server itself timed out (a network answer, not a local timeout)";
  case 420: case 421: return "the server requires a SIP extension the terminal lacks";
  case 480: return "the server holds the account as temporarily unavailable";
  default: return NULL;
  }
}
