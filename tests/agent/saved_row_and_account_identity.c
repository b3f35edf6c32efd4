/*
 * saved_row_and_account_identity.c - two readers of agent/parse.c:
 *
 * - saved_row_parse(): a text field longer than its column (255 octets),
 *   in hex or quoted, refuses the whole line and the message names the
 *   field; 255 octets in hex (how net-snmp writes UTF-8) come back whole;
 * - account_identity(): the spellings of one account at one registrar
 *   give one identity (what the minimum interval between diagnoses is kept
 *   for), other accounts or registrars another.
 */
#include "config.h"
#include "agent-snmp.h"
#include "config/parse.h"
#include "parse.h"
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
  identities();
  return check_summary("saved_row_and_account_identity");
}
