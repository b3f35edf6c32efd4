/*
 * rerun.c - the minimum interval between two diagnoses of one account
 * (rerun.h), so that a manager cannot make the terminal hammer a provider.
 */
#include "config.h"
#include "agent-snmp.h"
#include "rows/rerun.h"
#include "config/parse.h"

#include <string.h>
#include <time.h>

/* ---- the minimum interval between two diagnoses of one account ------------- */

#define RERUN_TOKEN "sipdiagMinRerunInterval"

struct account_memory {
  uint64_t key;               /* rerun_account_key()                      */
  unsigned running;           /* diagnoses requested or running            */
  struct timespec ended;      /* CLOCK_MONOTONIC end of the last one       */
  bool used;
};

static struct account_memory memory[SIPDIAG_AGENT_RERUN_MEMORY];
static unsigned rerun_interval_ms = SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MS;

static int64_t ms_between(const struct timespec *a, const struct timespec *b)
{
  return (int64_t)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Still counts: a diagnosis runs, or the last one ended within the interval. */
static bool memory_live(const struct account_memory *m, const struct timespec *now)
{
  return m->used && (m->running || ms_between(&m->ended, now) < (int64_t)rerun_interval_ms);
}

static struct account_memory *memory_find(uint64_t key)
{
  for (unsigned i = 0; i < SIPDIAG_AGENT_RERUN_MEMORY; i++)
    if (memory[i].used && memory[i].key == key)
      return &memory[i];
  return NULL;
}

uint64_t rerun_account_key(const struct row_config *cfg)
{
  char id[2 * SIPDIAG_AGENT_TEXT_MAX + 8];
  account_identity(cfg, id, sizeof id);
  uint64_t h = 0xcbf29ce484222325u;           /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)id; *p; p++)
    h = (h ^ *p) * 0x100000001b3u;
  return h;
}

bool rerun_limited(void)
{
  return rerun_interval_ms != 0;
}

enum rerun_verdict rerun_check(uint64_t key, unsigned new_slots, bool *new_slot)
{
  *new_slot = false;
  if (rerun_interval_ms == 0)
    return RERUN_OK;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct account_memory *m = memory_find(key);
  if (m && m->running)
    return RERUN_BUSY;
  if (m && memory_live(m, &now))
    return RERUN_TOO_SOON;
  if (m)
    return RERUN_OK;                          /* its entry is reused */
  unsigned room = 0;
  for (unsigned i = 0; i < SIPDIAG_AGENT_RERUN_MEMORY; i++)
    if (!memory_live(&memory[i], &now))
      room++;
  if (room <= new_slots)
    return RERUN_NO_ROOM;
  *new_slot = true;
  return RERUN_OK;
}

void rerun_started(const struct row_config *cfg)
{
  uint64_t key = rerun_account_key(cfg);
  struct account_memory *m = memory_find(key);
  if (!m) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    for (unsigned i = 0; i < SIPDIAG_AGENT_RERUN_MEMORY && !m; i++)
      if (!memory_live(&memory[i], &now))
        m = &memory[i];
    if (!m)
      return;                 /* full: only when the limit is off (0) */
    memset(m, 0, sizeof *m);
    m->key = key;
    m->used = true;
  }
  m->running++;
}

/* The row's configuration cannot change while one runs. */
void rerun_ended(const struct row_config *cfg)
{
  struct account_memory *m = memory_find(rerun_account_key(cfg));
  if (!m)
    return;
  if (m->running)
    m->running--;
  clock_gettime(CLOCK_MONOTONIC, &m->ended);
}

static void parse_rerun_interval(const char *token, char *line)
{
  (void)token;
  unsigned v;
  if (scalar_line_parse(line, 0, SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MAX_MS, &v))
    rerun_interval_ms = v;
  else
    config_perror(RERUN_TOKEN ": expected milliseconds, 0 to 3600000 (0: no limit)");
}

/* Read again on SIGHUP: a line removed gives the default back. */
static void release_rerun_interval(void)
{
  rerun_interval_ms = SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MS;
}

uint32_t rerun_wait_ms(uint64_t key)
{
  if (rerun_interval_ms == 0)
    return 0;
  struct account_memory *m = memory_find(key);
  if (!m)
    return 0;
  if (m->running)
    return rerun_interval_ms;     /* at least; asked again later */
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t since = ms_between(&m->ended, &now);
  return since >= (int64_t)rerun_interval_ms ? 0 : (uint32_t)(rerun_interval_ms - since);
}

void rerun_init(void)
{
  register_app_config_handler(RERUN_TOKEN, parse_rerun_interval, release_rerun_interval,
                              "MILLISECONDS (between two diagnoses of one account; 0: no limit)");
}
