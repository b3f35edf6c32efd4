/*
 * grid.c - the due times of periodic rows (grid.h).
 */
#include "config.h"
#include "schedule/grid.h"

int64_t schedule_next_due(int64_t now, int64_t period, int64_t phase)
{
  if (now <= phase)
    return phase;
  int64_t k = (now - phase + period - 1) / period;   /* ceil */
  return phase + k * period;
}

int64_t schedule_phase(const struct row_key *key, int64_t period_ms)
{
  uint64_t h = 0xcbf29ce484222325u;
  for (const unsigned char *p = (const unsigned char *)key->owner; *p; p++)
    h = (h ^ *p) * 0x100000001b3u;
  h = (h ^ 0xff) * 0x100000001b3u;      /* owner "ab" + name "c" != "a" + "bc" */
  for (const unsigned char *p = (const unsigned char *)key->name; *p; p++)
    h = (h ^ *p) * 0x100000001b3u;
  return period_ms > 0 ? (int64_t)(h % (uint64_t)period_ms) : 0;
}

