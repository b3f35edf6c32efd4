/*
 * result.c - filling a sipdiag_result_t: steps and the diagnosis sentence.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "result.h"
#include "address_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sipdiag_result_add_step(sipdiag_result_t *r, sipdiag_step_kind_t kind,
                             uint32_t offset_ms, uint32_t cseq, int status,
                             bool cleanup, const char *fmt, ...)
{
  if (r->n_steps == SIPDIAG_MAX_STEPS) {
    memmove(&r->steps[0], &r->steps[1], sizeof r->steps[0] * (SIPDIAG_MAX_STEPS - 1));
    r->n_steps--;
    r->steps_dropped++;
  }
  sipdiag_step_t *s = &r->steps[r->n_steps++];
  memset(s, 0, sizeof *s);
  s->kind = kind;
  s->offset_ms = offset_ms;
  s->cseq = cseq;
  s->status = status;
  s->cleanup = cleanup;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->info, sizeof s->info, fmt, ap);
  va_end(ap);
}

void sipdiag_result_set_code(sipdiag_result_t *r, unsigned code)
{
  r->code = code;
  r->fault = sipdiag_fault_for_code(code);
}

/* "127.0.0.1:5070/udp", or the registrar URI when nothing was resolved. */
static void server_name(const sipdiag_result_t *r, const char *registrar,
                        char *buf, size_t size)
{
  char hostport[SIPDIAG_ADDRESS_MAX + 8];
  if (r->server_address[0]) {
    sipdiag_hostport_text(r->server_address, r->server_port, hostport, sizeof hostport);
    snprintf(buf, size, "%s/%s", hostport, sipdiag_transport_name(r->server_transport));
  } else
    snprintf(buf, size, "%s", registrar && *registrar ? registrar : "the registrar");
}

/* Appends text to the string in dst (size bytes) and returns false when it
 * does not fit whole: then nothing is appended. */
static bool append_whole(char *dst, size_t size, const char *text)
{
  size_t used = strlen(dst), len = strlen(text);
  if (used + len >= size)
    return false;
  memcpy(dst + used, text, len + 1);
  return true;
}

/* Appends text, cut at its last blank with "..." when only room bytes are
 * left for it. */
static void append_cut(char *dst, size_t size, const char *text, size_t room)
{
  static const char ellipsis[] = "...";
  size_t len = strlen(text);
  if (len > room) {
    len = room >= sizeof ellipsis ? room - (sizeof ellipsis - 1) : 0;
    while (len > 0 && text[len] != ' ')
      len--;
  }
  size_t used = strlen(dst);
  if (used + len >= size)
    len = used + 1 < size ? size - used - 1 : 0;
  memcpy(dst + used, text, len);
  dst[used + len] = '\0';
  if (len < strlen(text))
    append_whole(dst, size, ellipsis);
}

/* "Account A: [timer prefix]FOUND; ADVICE.[nat]" in dst: when it is too
 * long only FOUND is cut (at a word), and the NAT note goes whole or not at
 * all, so the account, the advice and the end of the sentence always stay. */
static void compose_diagnosis(char *dst, size_t size, const char *account,
                              const char *prefix, const char *found,
                              const char *advice, const char *nat)
{
  char tail[SIPDIAG_DIAGNOSIS_MAX];
  int head_len = snprintf(dst, size, "Account %.120s: %s", account, prefix);
  int tail_len = snprintf(tail, sizeof tail, "; %s.", advice);
  if (head_len < 0 || tail_len < 0 || (size_t)head_len + (size_t)tail_len >= size)
    return; /* both are bounded far below size: the head alone stays */
  append_cut(dst, size, found, size - 1 - (size_t)head_len - (size_t)tail_len);
  append_whole(dst, size, tail);
  append_whole(dst, size, nat);
}

void sipdiag_result_describe(sipdiag_result_t *r, const char *registrar,
                             bool timer_expired, const char *detail)
{
  char server[SIPDIAG_ADDRESS_MAX + SIPDIAG_URI_MAX];
  char found[SIPDIAG_DIAGNOSIS_MAX];
  char pings[64] = "";
  const char *account = r->account[0] ? r->account : "(no AOR)";
  unsigned n = r->registers_sent;
  const char *s_n = n == 1 ? "" : "s";

  server_name(r, registrar, server, sizeof server);
  switch (r->fault) {
  case SIPDIAG_FAULT_SUCCESS:
    if (r->cleanup_registers == 0 && r->bindings > 0) {
      snprintf(found, sizeof found,
               "%.160s accepted the account (%d %.60s to a binding query after %u REGISTER%s): "
               "it is registered already, with %d binding%s (the terminal's or another "
               "device's), so the probe added none of its own, which a registrar limiting "
               "contacts per account would refuse or let replace one of them",
               server, r->sip_status, r->sip_reason, n, s_n, r->bindings,
               r->bindings == 1 ? "" : "s");
      break;
    }
    if (r->cleanup_registers == 0 && r->bindings == 0) {
      snprintf(found, sizeof found,
               "%.160s accepted the account (%d %.60s to a binding query after %u REGISTER%s), "
               "with no binding listed; the REGISTER limit left no room to add one",
               server, r->sip_status, r->sip_reason, n, s_n);
      break;
    }
    snprintf(found, sizeof found, "%.160s accepted the registration (%d %.60s) after %u REGISTER%s%s (%u more REGISTER%s)",
             server, r->sip_status, r->sip_reason, n, s_n,
             r->binding_removed ? ", and the probe's own binding was removed again"
                                : ", but the probe's own binding could not be removed: it expires by itself",
             r->cleanup_registers, r->cleanup_registers == 1 ? "" : "s");
    break;
  case SIPDIAG_FAULT_CONFIG_INCOMPLETE:
    snprintf(found, sizeof found, "the SIP configuration is incomplete (%s), so nothing was sent", detail);
    break;
  case SIPDIAG_FAULT_NETWORK_UNREACHABLE:
  case SIPDIAG_FAULT_SERVER_NO_RESPONSE:
    if (r->pings_sent > 0)
      snprintf(pings, sizeof pings, ", and %u of %u pings were answered", r->pings_received,
               r->pings_sent);
    snprintf(found, sizeof found, "%s gave no final SIP answer to %u REGISTER%s%s%s%s%s",
             server, n, s_n, detail && *detail ? " (" : "", detail && *detail ? detail : "",
             detail && *detail ? ")" : "", pings);
    break;
  case SIPDIAG_FAULT_AUTH_FAILURE:
    if (detail && detail[0] == ':') {   /* no credentials to send at all */
      snprintf(found, sizeof found, "%.120s answered %d %.40s (%u REGISTER%s)%.250s",
               server, r->sip_status, r->sip_reason, n, s_n, detail);
      break;
    }
    snprintf(found, sizeof found, "%s still answered %d %s after credentials%s were sent (%u REGISTER%s)",
             server, r->sip_status, r->sip_reason, detail && *detail ? detail : "", n, s_n);
    break;
  case SIPDIAG_FAULT_INTERVAL_TOO_BRIEF:
    snprintf(found, sizeof found, "%s still answered %d %s%s (%u REGISTER%s)",
             server, r->sip_status, r->sip_reason, detail && *detail ? detail : "", n, s_n);
    break;
  case SIPDIAG_FAULT_SERVER_ANOMALY:
  case SIPDIAG_FAULT_TERMINAL_ERROR:
  case SIPDIAG_FAULT_SERVER_ERROR:
  case SIPDIAG_FAULT_GLOBAL_FAILURE:
    snprintf(found, sizeof found, "%s answered %d %s (%u REGISTER%s)%s%s",
             server, r->sip_status, r->sip_reason, n, s_n,
             detail && *detail ? ": " : "", detail && *detail ? detail : "");
    break;
  case SIPDIAG_FAULT_DNS_FAILURE:
    snprintf(found, sizeof found, "%s could not be resolved (%s), so nothing was sent",
             registrar && *registrar ? registrar : "the registrar", detail);
    break;
  case SIPDIAG_FAULT_SERVICE_NOT_LISTENING:
  case SIPDIAG_FAULT_ADMIN_PROHIBITED:
  case SIPDIAG_FAULT_TLS_FAILURE:
    snprintf(found, sizeof found, "%s: %s (%u REGISTER%s)", server, detail, n, s_n);
    break;
  case SIPDIAG_FAULT_MALFORMED_RESPONSE:
    snprintf(found, sizeof found, "%.160s: %.300s", server, detail);
    break;
  case SIPDIAG_FAULT_AUTH_ALGORITHM_UNSUPPORTED:
    snprintf(found, sizeof found, "%s answered %d %s%s", server, r->sip_status, r->sip_reason,
             detail);
    break;
  case SIPDIAG_FAULT_INTERNAL_ERROR:
  case SIPDIAG_FAULT_CANCELED:
  case SIPDIAG_FAULT_NONE:
    snprintf(found, sizeof found, "%s%s%s", sipdiag_fault_meaning(r->fault),
             detail && *detail ? ": " : "", detail && *detail ? detail : "");
    break;
  }
  char nat[2 * SIPDIAG_ADDRESS_MAX + 96] = "";
  if (r->nat_detected)
    snprintf(nat, sizeof nat, " (note: a NAT is on the path: the server saw %s, the terminal sent from %s)",
             r->nat_seen_as, r->nat_local);
  compose_diagnosis(r->diagnosis, sizeof r->diagnosis, account,
                    timer_expired ? "the self-diagnosis timer expired before a verdict, " : "",
                    found, sipdiag_fault_advice(r->fault), nat);
}
