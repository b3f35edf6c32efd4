/*
 * text.c - SnmpAdminString and DateAndTime rules (text.h).
 */
#include "config.h"
#include "agent-snmp.h"
#include "util/text.h"

#include <string.h>
#include <time.h>

static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
  unsigned char c = s[0];
  size_t n;
  if (c < 0x80)
    return 1;
  else if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4;
  else
    return 0;
  if (n > avail)
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  /* overlongs and surrogates */
  if (n == 3 && c == 0xe0 && s[1] < 0xa0)
    return 0;
  if (n == 3 && c == 0xed && s[1] >= 0xa0)
    return 0;
  if (n == 4 && c == 0xf0 && s[1] < 0x90)
    return 0;
  if (n == 4 && c == 0xf4 && s[1] >= 0x90)
    return 0;
  return n;
}

bool utf8_valid(const unsigned char *s, size_t len)
{
  size_t i = 0;
  while (i < len) {
    size_t n = utf8_seq_len(s + i, len - i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

size_t utf8_clip(const char *s, size_t max)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t len = strlen(s), i = 0;
  while (i < len) {
    size_t n = utf8_seq_len(u + i, len - i);
    if (n == 0)
      n = 1;                 /* the engine cleans text; keep going */
    if (i + n > max)
      break;
    i += n;
  }
  return i;
}

size_t text_clip_readable(const char *s, size_t max)
{
  size_t len = utf8_clip(s, max);
  if (len == strlen(s))
    return len;
  size_t blank = 0, sentence = 0;
  for (size_t i = 1; i <= len; i++) {
    if (i < len + 1 && s[i] == ' ') {
      if (i <= len)
        blank = i;
      if (s[i - 1] == '.' || s[i - 1] == ';')
        sentence = i;
    }
  }
  if (sentence >= max / 2)
    return sentence;
  if (blank)
    return blank;
  return len;
}

size_t date_and_time(int64_t ms, unsigned char out[11])
{
  if (ms <= 0)
    return 0;
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  size_t len = 11;
  if (netsnmp_dateandtime_set_buf_from_vars(out, &len, (u_short)(tm.tm_year + 1900),
                                            (u_char)(tm.tm_mon + 1), (u_char)tm.tm_mday,
                                            (u_char)tm.tm_hour, (u_char)tm.tm_min,
                                            (u_char)(tm.tm_sec > 59 ? 59 : tm.tm_sec),
                                            (u_char)((ms % 1000) / 100), 1, 0, 0)
      != SNMPERR_SUCCESS)
    return 0;
  return len;
}
