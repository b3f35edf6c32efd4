/*
 * key.c - sipDiagOwner and sipDiagName as a key and as an index OID.
 */
#include "config.h"
#include "agent-snmp.h"
#include "model/key.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

bool row_key_part_valid(const unsigned char *s, size_t len)
{
  return len <= SIPDIAG_AGENT_KEY_MAX && !memchr(s, '\0', len) && utf8_valid(s, len);
}

bool row_key_set(struct row_key *key, const unsigned char *owner, size_t owner_len,
                 const unsigned char *name, size_t name_len)
{
  if (!row_key_part_valid(owner, owner_len) || !row_key_part_valid(name, name_len))
    return false;
  memset(key, 0, sizeof *key);
  memcpy(key->owner, owner, owner_len);
  memcpy(key->name, name, name_len);
  return true;
}

bool row_key_equal(const struct row_key *a, const struct row_key *b)
{
  return !strcmp(a->owner, b->owner) && !strcmp(a->name, b->name);
}

static size_t put_part(const char *s, oid *out)
{
  size_t len = strlen(s);
  out[0] = len;
  for (size_t i = 0; i < len; i++)
    out[1 + i] = (unsigned char)s[i];
  return len + 1;
}

size_t row_key_to_oid(const struct row_key *key, oid *out)
{
  size_t n = put_part(key->owner, out);
  return n + put_part(key->name, out + n);
}

/* One length-prefixed part; 0 when not valid. */
static size_t take_part(const oid *idx, size_t len, char *out)
{
  if (len < 1 || idx[0] > SIPDIAG_AGENT_KEY_MAX || len < 1 + idx[0])
    return 0;
  size_t n = idx[0];
  for (size_t i = 0; i < n; i++) {
    if (idx[1 + i] > 255)
      return 0;
    out[i] = (char)idx[1 + i];
  }
  out[n] = '\0';
  return row_key_part_valid((const unsigned char *)out, n) ? n + 1 : 0;
}

size_t row_key_from_oid(const oid *idx, size_t len, struct row_key *key)
{
  memset(key, 0, sizeof *key);
  size_t a = take_part(idx, len, key->owner);
  if (!a)
    return 0;
  size_t b = take_part(idx + a, len - a, key->name);
  return b ? a + b : 0;
}

const char *row_key_text(const struct row_key *key, char *buf, size_t size)
{
  snprintf(buf, size, "%s/%s", key->owner, key->name);
  return buf;
}
