/*
 * render.c - printing a diagnosis result: readable text or JSON.
 */
#include "render.h"

#include <inttypes.h>
#include <time.h>

static void json_string(FILE *out, const char *s)
{
  fputc('"', out);
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '"': fputs("\\\"", out); break;
    case '\\': fputs("\\\\", out); break;
    case '\n': fputs("\\n", out); break;
    case '\r': fputs("\\r", out); break;
    case '\t': fputs("\\t", out); break;
    default:
      if (c < 0x20 || c == 0x7f)
        fprintf(out, "\\u%04x", c);
      else
        fputc(c, out);
    }
  }
  fputc('"', out);
}

/* 2026-11-23T19:20:01.123Z */
static void iso_time(char *buf, size_t size, int64_t ms)
{
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, size - n, ".%03dZ", (int)(ms % 1000));
}

void sipdiag_render_json(FILE *out, const sipdiag_result_t *r, const char *registrar)
{
  char started[40], ended[40];
  iso_time(started, sizeof started, r->start_ms);
  iso_time(ended, sizeof ended, r->end_ms);

  fprintf(out, "{\"state\":");
  json_string(out, sipdiag_state_name(r->state));
  fprintf(out, ",\"code\":%u,\"fault\":", r->code);
  json_string(out, sipdiag_fault_name(r->fault));
  fprintf(out, ",\"refines\":");
  json_string(out, sipdiag_fault_name(sipdiag_fault_refines(r->fault)));
  fprintf(out, ",\"fault_meaning\":");
  json_string(out, sipdiag_fault_meaning(r->fault));
  fprintf(out, ",\"sip_status\":%d,\"sip_reason\":", r->sip_status);
  json_string(out, r->sip_reason);
  fprintf(out, ",\"account\":");
  json_string(out, r->account);
  fprintf(out, ",\"registrar\":");
  json_string(out, registrar);
  fprintf(out, ",\"attempts\":%u,\"cleanup_registers\":%u,\"binding_removed\":%s",
          r->registers_sent, r->cleanup_registers, r->binding_removed ? "true" : "false");
  if (r->bindings >= 0)
    fprintf(out, ",\"bindings\":%d", r->bindings);
  else
    fprintf(out, ",\"bindings\":null");
  fprintf(out, ",\"pings_sent\":%u,\"pings_received\":%u", r->pings_sent, r->pings_received);
  if (r->rtt_ms >= 0)
    fprintf(out, ",\"rtt_ms\":%d", r->rtt_ms);
  else
    fprintf(out, ",\"rtt_ms\":null");
  if (r->server_address[0]) {
    fprintf(out, ",\"server\":{\"address\":");
    json_string(out, r->server_address);
    fprintf(out, ",\"port\":%u,\"transport\":", r->server_port);
    json_string(out, sipdiag_transport_name(r->server_transport));
    fputc('}', out);
  } else {
    fprintf(out, ",\"server\":null");
  }
  fprintf(out, ",\"capture\":{\"path\":");
  if (r->capture_path[0])
    json_string(out, r->capture_path);
  else
    fprintf(out, "null");
  fprintf(out, ",\"packets\":%u,\"note\":", r->capture_packets);
  json_string(out, r->capture_note);
  fprintf(out, "},\"transport_check\":");
  if (r->transport_check[0])
    json_string(out, r->transport_check);
  else
    fprintf(out, "null");
  fprintf(out, ",\"icmp_error\":");
  if (r->icmp_error[0])
    json_string(out, r->icmp_error);
  else
    fprintf(out, "null");
  if (r->nat_detected) {
    fprintf(out, ",\"nat\":{\"seen_as\":");
    json_string(out, r->nat_seen_as);
    fprintf(out, ",\"local\":");
    json_string(out, r->nat_local);
    fputc('}', out);
  } else {
    fprintf(out, ",\"nat\":null");
  }
  fprintf(out, ",\"targets\":[");
  for (unsigned i = 0; i < r->n_targets; i++) {
    fprintf(out, "%s{\"target\":", i ? "," : "");
    json_string(out, r->targets[i].text);
    fprintf(out, ",\"tried\":%s,\"answered\":%s}", r->targets[i].tried ? "true" : "false",
            r->targets[i].answered ? "true" : "false");
  }
  fputc(']', out);
  fprintf(out, ",\"started\":\"%s\",\"ended\":\"%s\",\"duration_ms\":%" PRIu32,
          started, ended, r->duration_ms);
  fprintf(out, ",\"diagnosis\":");
  json_string(out, r->diagnosis);
  fprintf(out, ",\"steps_dropped\":%u,\"steps\":[", r->steps_dropped);
  for (unsigned i = 0; i < r->n_steps; i++) {
    const sipdiag_step_t *s = &r->steps[i];
    fprintf(out, "%s{\"step\":%u,\"t_ms\":%" PRIu32 ",\"kind\":", i ? "," : "",
            r->steps_dropped + i + 1, s->offset_ms);
    json_string(out, sipdiag_step_kind_name(s->kind));
    bool ping = s->kind >= SIPDIAG_STEP_PING_SENT && s->kind <= SIPDIAG_STEP_PING_ERROR;
    if (ping)   /* pings carry their echo sequence number, not a SIP status */
      fprintf(out, ",\"seq\":%d", s->status);
    else if (s->kind == SIPDIAG_STEP_ICMP_ERROR)   /* type * 256 + code */
      fprintf(out, ",\"icmp_type\":%d,\"icmp_code\":%d", s->status / 256, s->status % 256);
    else
      fprintf(out, ",\"cseq\":%" PRIu32 ",\"status\":%d", s->cseq, s->status);
    fprintf(out, ",\"cleanup\":%s,\"info\":", s->cleanup ? "true" : "false");
    json_string(out, s->info);
    fputc('}', out);
  }
  fprintf(out, "]}\n");
}

void sipdiag_render_text(FILE *out, const sipdiag_result_t *r, const char *registrar)
{
  fprintf(out, "%s\n\n", r->diagnosis);
  fprintf(out, "  account      %s\n", r->account[0] ? r->account : "-");
  fprintf(out, "  registrar    %s\n", registrar && *registrar ? registrar : "-");
  fprintf(out, "  state        %s\n", sipdiag_state_name(r->state));
  fprintf(out, "  fault        %s (code %u): %s\n", sipdiag_fault_name(r->fault), r->code,
          sipdiag_fault_meaning(r->fault));
  if (r->sip_status)
    fprintf(out, "  last answer  %d %s\n", r->sip_status, r->sip_reason);
  else
    fprintf(out, "  last answer  none from the network\n");
  if (r->server_address[0])
    fprintf(out, "  server       %s port %u over %s\n", r->server_address, r->server_port,
            sipdiag_transport_name(r->server_transport));
  if (r->nat_detected)
    fprintf(out, "  NAT          the server saw %s; the terminal sent from %s\n",
            r->nat_seen_as, r->nat_local);
  for (unsigned i = 0; i < r->n_targets; i++)
    fprintf(out, "  %-12s %s%s\n", i ? "" : "targets", r->targets[i].text,
            r->targets[i].answered ? " (answered)" : r->targets[i].tried ? " (tried, silent)" : "");
  fprintf(out, "  REGISTERs    %u (+%u to remove the probe's binding%s)\n",
          r->registers_sent, r->cleanup_registers,
          r->cleanup_registers ? (r->binding_removed ? ": removed" : ": NOT removed") : "");
  if (r->bindings >= 0)
    fprintf(out, "  bindings     %d of the account listed by the binding query\n", r->bindings);
  fprintf(out, "  pings        %u sent, %u answered\n", r->pings_sent, r->pings_received);
  if (r->rtt_ms >= 0)
    fprintf(out, "  first RTT    %d ms\n", r->rtt_ms);
  fprintf(out, "  duration     %" PRIu32 " ms\n", r->duration_ms);
  if (r->icmp_error[0])
    fprintf(out, "  ICMP         %s\n", r->icmp_error);
  if (r->transport_check[0])
    fprintf(out, "  transport    %s\n", r->transport_check);
  if (r->capture_path[0])
    fprintf(out, "  capture      %s (%u packets%s%s)\n", r->capture_path, r->capture_packets,
            r->capture_note[0] ? "; " : "", r->capture_note);
  else
    fprintf(out, "  capture      none%s%s\n", r->capture_note[0] ? ": " : "", r->capture_note);
  fprintf(out, "\n  steps%s\n", r->steps_dropped ? " (oldest dropped)" : "");
  for (unsigned i = 0; i < r->n_steps; i++) {
    const sipdiag_step_t *s = &r->steps[i];
    fprintf(out, "  %6" PRIu32 " ms  %-14s", s->offset_ms, sipdiag_step_kind_name(s->kind));
    if (s->kind == SIPDIAG_STEP_REGISTER_SENT)
      fprintf(out, " CSeq %" PRIu32 "  %s", s->cseq, s->info);
    else if (s->kind == SIPDIAG_STEP_RESPONSE || s->kind == SIPDIAG_STEP_LOCAL_RESPONSE)
      fprintf(out, " CSeq %" PRIu32 "  %d %s", s->cseq, s->status, s->info);
    else if (s->kind >= SIPDIAG_STEP_PING_SENT && s->kind <= SIPDIAG_STEP_PING_ERROR)
      fprintf(out, " seq %d  %s", s->status, s->info);
    else
      fprintf(out, " %s", s->info);
    fprintf(out, "%s\n", s->cleanup ? "  [binding removal]" : "");
  }
}

void sipdiag_render_fault_table(FILE *out)
{
  for (int f = SIPDIAG_FAULT_FIRST; f <= SIPDIAG_FAULT_LAST; f++)
    fprintf(out, "%d\t%s\t%s\t%s\t%s\n", f, sipdiag_fault_name((sipdiag_fault_t)f),
            sipdiag_fault_codes((sipdiag_fault_t)f), sipdiag_fault_meaning((sipdiag_fault_t)f),
            sipdiag_fault_advice((sipdiag_fault_t)f));
}
