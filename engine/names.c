/*
 * names.c - the fault table and the names of enums, for every front-end.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "sipdiag.h"

#include <string.h>

struct fault_row {
  const char *name, *codes, *meaning, *advice;
};

static const struct fault_row fault_rows[] = {
#define SIPDIAG_FAULT_ROW(cname, name, mib, codes, meaning, advice) \
  [mib] = { name, codes, meaning, advice },
  SIPDIAG_FAULT_TABLE(SIPDIAG_FAULT_ROW)
#undef SIPDIAG_FAULT_ROW
};

static const struct fault_row *fault_row(sipdiag_fault_t fault)
{
  if ((int)fault < SIPDIAG_FAULT_FIRST || fault > SIPDIAG_FAULT_LAST)
    return &fault_rows[SIPDIAG_FAULT_INTERNAL_ERROR];
  return &fault_rows[fault];
}

const char *sipdiag_fault_name(sipdiag_fault_t fault) { return fault_row(fault)->name; }
const char *sipdiag_fault_codes(sipdiag_fault_t fault) { return fault_row(fault)->codes; }
const char *sipdiag_fault_meaning(sipdiag_fault_t fault) { return fault_row(fault)->meaning; }
const char *sipdiag_fault_advice(sipdiag_fault_t fault) { return fault_row(fault)->advice; }

sipdiag_fault_t sipdiag_fault_for_code(unsigned code)
{
  switch (code) {
  case SIPDIAG_CODE_NONE: return SIPDIAG_FAULT_NONE;
  case SIPDIAG_CODE_CONFIG_INCOMPLETE: return SIPDIAG_FAULT_CONFIG_INCOMPLETE;
  case SIPDIAG_CODE_NETWORK_UNREACHABLE: return SIPDIAG_FAULT_NETWORK_UNREACHABLE;
  case SIPDIAG_CODE_SERVER_NO_RESPONSE: return SIPDIAG_FAULT_SERVER_NO_RESPONSE;
  case SIPDIAG_CODE_DNS_NO_NAME:
  case SIPDIAG_CODE_DNS_NO_ANSWER: return SIPDIAG_FAULT_DNS_FAILURE;
  case SIPDIAG_CODE_PORT_UNREACHABLE: return SIPDIAG_FAULT_SERVICE_NOT_LISTENING;
  case SIPDIAG_CODE_NET_UNREACHABLE:
  case SIPDIAG_CODE_HOST_UNREACHABLE: return SIPDIAG_FAULT_NETWORK_UNREACHABLE;
  case SIPDIAG_CODE_ADMIN_PROHIBITED: return SIPDIAG_FAULT_ADMIN_PROHIBITED;
  case SIPDIAG_CODE_TLS_HANDSHAKE:
  case SIPDIAG_CODE_TLS_CERTIFICATE: return SIPDIAG_FAULT_TLS_FAILURE;
  case SIPDIAG_CODE_AUTH_ALGORITHM: return SIPDIAG_FAULT_AUTH_ALGORITHM_UNSUPPORTED;
  case SIPDIAG_CODE_MALFORMED:
  case SIPDIAG_CODE_FLOOD:
  case SIPDIAG_CODE_INCOMPLETE_RESPONSE:
  case SIPDIAG_CODE_BINDING_NOT_STORED: return SIPDIAG_FAULT_MALFORMED_RESPONSE;
  case 401: case 407: return SIPDIAG_FAULT_AUTH_FAILURE;
  case 423: return SIPDIAG_FAULT_INTERVAL_TOO_BRIEF;
  }
  if (code < 100) return SIPDIAG_FAULT_INTERNAL_ERROR;
  if (code < 200) return SIPDIAG_FAULT_SERVER_NO_RESPONSE; /* never final */
  if (code < 300) return SIPDIAG_FAULT_SUCCESS;
  if (code < 400) return SIPDIAG_FAULT_SERVER_ANOMALY;
  if (code < 500) return SIPDIAG_FAULT_TERMINAL_ERROR;
  if (code < 600) return SIPDIAG_FAULT_SERVER_ERROR;
  if (code < 700) return SIPDIAG_FAULT_GLOBAL_FAILURE;
  /* 700-999 are undefined in SIP: a server that sends them is at fault;
   * beyond 999 a status code is not SIP at all. */
  if (code < 1000)
    return SIPDIAG_FAULT_SERVER_ANOMALY;
  return SIPDIAG_FAULT_MALFORMED_RESPONSE;
}

sipdiag_fault_t sipdiag_fault_refines(sipdiag_fault_t fault)
{
  switch (fault) {
  case SIPDIAG_FAULT_DNS_FAILURE:           /* nothing could be sent at all */
  case SIPDIAG_FAULT_ADMIN_PROHIBITED:      return SIPDIAG_FAULT_NETWORK_UNREACHABLE;
  case SIPDIAG_FAULT_SERVICE_NOT_LISTENING:
  case SIPDIAG_FAULT_TLS_FAILURE:           return SIPDIAG_FAULT_SERVER_NO_RESPONSE;
  case SIPDIAG_FAULT_AUTH_ALGORITHM_UNSUPPORTED: return SIPDIAG_FAULT_AUTH_FAILURE;
  case SIPDIAG_FAULT_MALFORMED_RESPONSE:    return SIPDIAG_FAULT_SERVER_ANOMALY;
  default:                                  return fault;
  }
}

static const char *const transport_names[] = {
  [SIPDIAG_TRANSPORT_AUTO] = "auto",
  [SIPDIAG_TRANSPORT_UDP] = "udp",
  [SIPDIAG_TRANSPORT_TCP] = "tcp",
  [SIPDIAG_TRANSPORT_TLS] = "tls",
};

const char *sipdiag_transport_name(sipdiag_transport_t transport)
{
  if (transport < SIPDIAG_TRANSPORT_AUTO || transport > SIPDIAG_TRANSPORT_TLS)
    return "invalid";
  return transport_names[transport];
}

sipdiag_transport_t sipdiag_transport_parse(const char *name)
{
  for (int t = SIPDIAG_TRANSPORT_AUTO; t <= SIPDIAG_TRANSPORT_TLS; t++)
    if (name && strcmp(name, transport_names[t]) == 0)
      return (sipdiag_transport_t)t;
  return (sipdiag_transport_t)0;
}

const char *sipdiag_state_name(sipdiag_state_t state)
{
  switch (state) {
  case SIPDIAG_STATE_NONE: return "none";
  case SIPDIAG_STATE_REQUESTED: return "requested";
  case SIPDIAG_STATE_RUNNING: return "running";
  case SIPDIAG_STATE_COMPLETE: return "complete";
  case SIPDIAG_STATE_CANCELED: return "canceled";
  }
  return "invalid";
}

const char *sipdiag_step_kind_name(sipdiag_step_kind_t kind)
{
  switch (kind) {
  case SIPDIAG_STEP_REGISTER_SENT: return "register";
  case SIPDIAG_STEP_RESPONSE: return "response";
  case SIPDIAG_STEP_LOCAL_RESPONSE: return "local_response";
  case SIPDIAG_STEP_PING_SENT: return "ping";
  case SIPDIAG_STEP_PING_REPLY: return "ping_reply";
  case SIPDIAG_STEP_PING_ERROR: return "ping_error";
  case SIPDIAG_STEP_TIMER_EXPIRED: return "timer_expired";
  case SIPDIAG_STEP_CANCELED: return "canceled";
  case SIPDIAG_STEP_DNS_RESULT: return "dns";
  case SIPDIAG_STEP_ICMP_ERROR: return "icmp_error";
  case SIPDIAG_STEP_TRANSPORT_CHECK: return "transport_check";
  }
  return "invalid";
}
