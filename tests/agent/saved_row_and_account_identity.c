/*
 * saved_row_and_account_identity.c - readers of agent/config/parse.c:
 *
 * - saved_row_parse() (the old _sipDiagRow line, read once for the
 *   upgrade to owner "" and name INDEX): a text field longer than its column (255 octets),
 *   in hex or quoted, refuses the whole line and the message names the
 *   field; 255 octets in hex (how net-snmp writes UTF-8) come back whole;
 * - saved_entry_parse(), saved_stats_parse(), saved_run_parse() (the
 *   _sipDiagEntry/_sipDiagStats/_sipDiagRun lines of the store since
 *   issue 10): good lines come back, bad keys, values and texts refuse the
 *   line;
 * - account_identity(): the spellings of one account at one registrar
 *   give one identity (what the minimum interval between diagnoses is kept
 *   for), other accounts or registrars another.
 */
#include "config.h"
#include "agent-snmp.h"
#include "config/parse.h"
#include "../unit/check.h"

#include <stdlib.h>

static char line[4096];

static const char *hex(const char *octets)
{
  static char out[2048];
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)octets; *p; p++)
    n += (size_t)snprintf(out + n, sizeof out - n, "%02x", *p);
  return out;
}

static const char *repeat(char c, size_t n)
{
  static char out[1024];
  memset(out, c, n);
  out[n] = '\0';
  return out;
}

static bool parse(struct saved_row *r, char *msg, size_t size)
{
  return saved_row_parse(line, r, msg, size);
}

static void saved_rows(void)
{
  struct saved_row r;
  char msg[160];

  snprintf(line, sizeof line,
           "5 3 1 2 2 3600 \"sip:registrar.example.com\" \"sip:1001@example.com\" \"1001\" "
           "\"secret\" \"\"");
  CHECK(parse(&r, msg, sizeof msg), "a line sipdiagd writes: %s", msg);
  CHECK(!strcmp(r.cfg.aor, "sip:1001@example.com") && !strcmp(r.cfg.password, "secret") &&
        r.index == 5 && r.cfg.expires == 3600, "its values");
  CHECK(msg[0] == '\0', "no message for a good line: %s", msg);

  /* 255 octets of UTF-8 are written in hex and come back whole */
  char aor[256];            /* "sip:" + 249 octets + "\xc3\xa9" */
  memcpy(aor, "sip:", 4);
  memset(aor + 4, 'a', 249);
  aor[253] = '\xc3';
  aor[254] = '\xa9';
  aor[255] = '\0';
  snprintf(line, sizeof line, "6 3 1 2 1 60 \"sip:r\" 0x%s \"\" \"\" \"\"", hex(aor));
  CHECK(parse(&r, msg, sizeof msg), "255 octets in hex: %s", msg);
  CHECK(strlen(r.cfg.aor) == 255 && !strcmp(r.cfg.aor, aor), "all 255 octets back (%zu)",
        strlen(r.cfg.aor));

  /* 256 octets: the line is refused, the field named, nothing half restored */
  snprintf(line, sizeof line, "7 3 1 2 1 60 \"sip:r\" \"sip:u@r\" \"\" 0x%s \"\"",
           hex(repeat('p', 256)));
  CHECK(!parse(&r, msg, sizeof msg), "a 256-octet hex password is refused");
  CHECK_CONTAINS(msg, "password");
  CHECK_CONTAINS(msg, "longer than 255");
  CHECK(!strstr(msg, "pppp"), "the message holds no value: %s", msg);

  snprintf(line, sizeof line, "8 3 1 2 1 60 \"sip:r\" \"%s\" \"\" \"\" \"\"", repeat('x', 256));
  CHECK(!parse(&r, msg, sizeof msg), "a 256-octet quoted AOR is refused (it was cut before)");
  CHECK_CONTAINS(msg, "aor");

  snprintf(line, sizeof line, "9 3 1 2 1 60 \"sip:r\" \"sip:u@r\" \"\" \"\" 0x%s",
           hex(repeat('y', 300)));
  CHECK(!parse(&r, msg, sizeof msg), "a long last field is refused too");
  CHECK_CONTAINS(msg, "outboundProxy");

  snprintf(line, sizeof line, "10 3 1 2 1 60 0x7 \"sip:u@r\" \"\" \"\" \"\"");
  CHECK(!parse(&r, msg, sizeof msg), "an odd hex string is refused");
  CHECK_CONTAINS(msg, "registrar");

  snprintf(line, sizeof line, "11 3 1 2 1 60 \"sip:r\" 0x7369700075 \"\" \"\" \"\"");
  CHECK(!parse(&r, msg, sizeof msg), "a NUL inside a text is refused");
  CHECK_CONTAINS(msg, "aor");

  snprintf(line, sizeof line, "12 3 1 2 1 60 \"sip:r\" \"sip:u@r\" \"\" \"\"");
  CHECK(!parse(&r, msg, sizeof msg), "a missing last field is refused");
  CHECK_CONTAINS(msg, "outboundProxy is missing");

  snprintf(line, sizeof line, "13 2 1 2 1 60 \"sip:r\" \"sip:u@r\" \"\" \"\" \"\"");
  CHECK(!parse(&r, msg, sizeof msg), "a volatile row is refused");
  CHECK_CONTAINS(msg, "storage");
}

/* The lines of this version (issue 10): owner and name first. */
static void saved_entries(void)
{
  struct saved_entry e;
  struct row_key key;
  struct row_stats st;
  struct run_record run;
  char msg[160], diag[256];

  snprintf(line, sizeof line,
           "\"noc\" \"reg-1\" 3 1 7 60 3 5 2 3600 \"sip:registrar.example.com\" "
           "\"sip:1001@example.com\" \"1001\" \"secret\" \"\"");
  CHECK(saved_entry_parse(line, &e, msg, sizeof msg), "a _sipDiagEntry line: %s", msg);
  CHECK(!strcmp(e.key.owner, "noc") && !strcmp(e.key.name, "reg-1"), "its key %s/%s",
        e.key.owner, e.key.name);
  CHECK(e.storage == 3 && e.rowstatus == 1 && e.sched.traps == TRAP_ALL &&
        e.sched.frequency_s == 60 && e.sched.failure_threshold == 3 && e.sched.max_runs == 5,
        "its schedule");
  CHECK(!strcmp(e.cfg.aor, "sip:1001@example.com") && !strcmp(e.cfg.password, "secret") &&
        e.cfg.expires == 3600 && e.cfg.transport == 2, "its configuration");

  /* expires 0 is accepted by a SET (a run then reads configIncomplete): a
   * row stored with it comes back with it */
  snprintf(line, sizeof line, "\"noc\" \"reg-0\" 3 2 0 0 1 10 1 0 \"sip:r\" \"\" \"\" \"\" \"\"");
  CHECK(saved_entry_parse(line, &e, msg, sizeof msg), "expires 0: %s", msg);
  CHECK(e.cfg.expires == 0, "expires 0 read back as %u", (unsigned)e.cfg.expires);

  /* the empty owner of an upgraded row is a valid key */
  snprintf(line, sizeof line, "\"\" \"7\" 3 2 0 0 1 10 1 60 \"\" \"\" \"\" \"\" \"\"");
  CHECK(saved_entry_parse(line, &e, msg, sizeof msg), "owner \"\": %s", msg);

  snprintf(line, sizeof line, "\"%s\" \"1\" 3 1 0 0 1 10 1 60 \"\" \"\" \"\" \"\" \"\"",
           repeat('o', 33));
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "a 33-octet owner is refused");
  snprintf(line, sizeof line, "\"noc\" 0xff 3 1 0 0 1 10 1 60 \"\" \"\" \"\" \"\" \"\"");
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "a name that is not UTF-8 is refused");
  CHECK_CONTAINS(msg, "index");
  snprintf(line, sizeof line, "\"noc\" \"1\" 2 1 0 0 1 10 1 60 \"\" \"\" \"\" \"\" \"\"");
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "a volatile row is refused");
  CHECK_CONTAINS(msg, "storage");
  snprintf(line, sizeof line, "\"noc\" \"1\" 3 1 0 0 16 10 1 60 \"\" \"\" \"\" \"\" \"\"");
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "failureThreshold 16 is refused");
  CHECK_CONTAINS(msg, "failureThreshold");
  snprintf(line, sizeof line, "\"noc\" \"1\" 3 1 0 0 0 10 1 60 \"\" \"\" \"\" \"\" \"\"");
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "failureThreshold 0 is refused");
  snprintf(line, sizeof line, "\"noc\" \"1\" 3 1 0 0 1 51 1 60 \"\" \"\" \"\" \"\" \"\"");
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "maxRuns 51 is refused");
  CHECK_CONTAINS(msg, "maxRuns");
  snprintf(line, sizeof line, "\"noc\" \"1\" 3 1 8 0 1 10 1 60 \"\" \"\" \"\" \"\" \"\"");
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "traps above complete|failure|recovery");
  snprintf(line, sizeof line, "\"noc\" \"1\" 3 1 0 0 1 10 1 60 \"\" \"\" \"\" 0x%s \"\"",
           hex(repeat('p', 256)));
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "a 256-octet password is refused");
  CHECK_CONTAINS(msg, "password");
  CHECK(!strstr(msg, "pppp"), "the message holds no value: %s", msg);
  snprintf(line, sizeof line, "\"noc\" \"1\" 3 1 0 0 1 10 1 60 \"\" \"\" \"\" \"\"");
  CHECK(!saved_entry_parse(line, &e, msg, sizeof msg), "a missing last field is refused");
  CHECK_CONTAINS(msg, "outboundProxy");

  snprintf(line, sizeof line, "\"noc\" \"1\" 9 7 2 2 1700000000000 1700000000500 8 1 9");
  CHECK(saved_stats_parse(line, &key, &st, msg, sizeof msg), "a _sipDiagStats line: %s", msg);
  CHECK(st.runs == 9 && st.successes == 7 && st.failures == 2 &&
        st.consecutive_failures == 2 && st.last_good_ms == 1700000000000 &&
        st.fault_since_ms == 1700000000500 && st.last_fault == 8 && st.in_failure &&
        st.last_run_index == 9, "its counters");
  snprintf(line, sizeof line, "\"noc\" \"1\" 9 7 2 2 0 0 8 2 9");
  CHECK(!saved_stats_parse(line, &key, &st, msg, sizeof msg), "inFailure 2 is refused");
  snprintf(line, sizeof line, "\"noc\" \"1\" 9 7 2 2 0 0 8 1");
  CHECK(!saved_stats_parse(line, &key, &st, msg, sizeof msg), "a missing lastRunIndex");
  CHECK_CONTAINS(msg, "lastRunIndex");
  snprintf(line, sizeof line, "\"noc\" \"1\" -1 7 2 2 0 0 8 1 9");
  CHECK(!saved_stats_parse(line, &key, &st, msg, sizeof msg), "a negative count is refused");

  snprintf(line, sizeof line, "\"noc\" \"1\" 4 1700000000000 1700000000300 300 3 5 0 1 5060 "
           "2 7f000001 \"no answer\"");
  CHECK(saved_run_parse(line, &key, &run, diag, sizeof diag, msg, sizeof msg),
        "a _sipDiagRun line: %s", msg);
  CHECK(run.index == 4 && run.duration_ms == 300 && run.code == 3 && run.fault == 5 &&
        run.server_port == 5060 && run.trigger == 2 && run.addr_len == 4 &&
        run.addr[0] == 0x7f && run.addr[3] == 1 && !strcmp(diag, "no answer") &&
        !strcmp(key.name, "1"), "its values");
  snprintf(line, sizeof line, "\"noc\" \"1\" 0 0 0 0 3 5 0 1 0 1 \"\" \"\"");
  CHECK(!saved_run_parse(line, &key, &run, diag, sizeof diag, msg, sizeof msg),
        "run index 0 is refused");
  snprintf(line, sizeof line, "\"noc\" \"1\" 1 0 0 0 3 5 0 1 0 3 \"\" \"\"");
  CHECK(!saved_run_parse(line, &key, &run, diag, sizeof diag, msg, sizeof msg),
        "trigger 3 is refused");
  snprintf(line, sizeof line, "\"noc\" \"1\" 1 0 0 0 3 5 0 1 0 1 7f0000 \"\"");
  CHECK(!saved_run_parse(line, &key, &run, diag, sizeof diag, msg, sizeof msg),
        "a 3-octet address is refused");
  snprintf(line, sizeof line, "\"noc\" \"1\" 1 0 0 0 3 5 0 1 0 1 7g000001 \"\"");
  CHECK(!saved_run_parse(line, &key, &run, diag, sizeof diag, msg, sizeof msg),
        "an address that is not hex is refused");
}

static void identity(const char *registrar, const char *aor, char *out, size_t size)
{
  struct row_config cfg;
  memset(&cfg, 0, sizeof cfg);
  snprintf(cfg.registrar, sizeof cfg.registrar, "%s", registrar);
  snprintf(cfg.aor, sizeof cfg.aor, "%s", aor);
  account_identity(&cfg, out, size);
}

static void same(const char *r1, const char *a1, const char *r2, const char *a2)
{
  char x[600], y[600];
  identity(r1, a1, x, sizeof x);
  identity(r2, a2, y, sizeof y);
  CHECK(!strcmp(x, y), "%s %s and %s %s are one account ('%s' / '%s')", r1, a1, r2, a2, x, y);
}

static void differ(const char *r1, const char *a1, const char *r2, const char *a2)
{
  char x[600], y[600];
  identity(r1, a1, x, sizeof x);
  identity(r2, a2, y, sizeof y);
  CHECK(strcmp(x, y), "%s %s and %s %s are two accounts ('%s')", r1, a1, r2, a2, x);
}

static void identities(void)
{
  char id[600];
  identity("sip:Registrar.Example.NET:5060;transport=udp", "sip:Alice@Example.net", id,
           sizeof id);
  CHECK(!strcmp(id, "registrar.example.net\nalice@example.net"), "identity: '%s'", id);

  same("sip:reg.example.net", "sip:alice@example.net",
       "sips:REG.example.net.:5061;transport=tls", "SIP:alice@example.net;user=phone");
  same("sip:reg.example.net", "sip:alice@example.net",
       "sip:reg.example.net", "sip:%61lice:ignored@example.net:5070");
  same("sip:[2001:db8::1]:5060", "sip:bob@[2001:db8::1]",
       "sip:[2001:DB8::1]", "sip:bob@[2001:db8::1]:5070");
  same("", "", "", "");
  differ("sip:reg.example.net", "sip:alice@example.net", "sip:reg.example.net",
         "sip:bob@example.net");
  differ("sip:reg1.example.net", "sip:alice@example.net", "sip:reg2.example.net",
         "sip:alice@example.net");
  differ("sip:reg.example.net", "sip:alice@example.net", "sip:reg.example.net",
         "sip:alice@example.org");

  /* a small buffer is cut, never overrun */
  char small[8];
  identity("sip:registrar.example.net", "sip:alice@example.net", small, sizeof small);
  CHECK(strlen(small) == 7, "cut to the buffer: '%s'", small);
  char one[1];
  identity("sip:r", "sip:a@b", one, sizeof one);
  CHECK(one[0] == '\0', "a 1-octet buffer holds the NUL");
}

int main(void)
{
  saved_rows();
  saved_entries();
  identities();
  return check_summary("saved_row_and_account_identity");
}
