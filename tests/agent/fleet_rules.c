/*
 * fleet_rules.c - the pure rules of periodic monitoring: counters and the
 * notifications they call for, the scheduling grid, the index of a row,
 * sipDiagTrapGeneration's BITS, and how a long diagnosis is cut.
 */
#include "config.h"
#include "agent-snmp.h"
#include "mib/values.h"
#include "model/key.h"
#include "rows/runs.h"
#include "schedule/grid.h"
#include "util/text.h"
#include "../unit/check.h"

#include <stdlib.h>

/* A failure notification once per fall into failure, a recovery once per
 * way out; canceled runs count as runs only. */
static void counters_and_events(void)
{
  struct row_stats st = { .last_fault = SIPDIAG_FAULT_NONE };
  unsigned e = stats_update(&st, SIPDIAG_FAULT_AUTH_FAILURE, false, 1000, 2);
  CHECK(e == TRAP_COMPLETE && st.consecutive_failures == 1 && !st.in_failure,
        "first failure of threshold 2: complete only (%u)", e);
  CHECK(st.fault_since_ms == 1000, "fault since the first failed run");
  e = stats_update(&st, SIPDIAG_FAULT_AUTH_FAILURE, false, 2000, 2);
  CHECK(e == (TRAP_COMPLETE | TRAP_FAILURE) && st.in_failure, "second: failure (%u)", e);
  e = stats_update(&st, SIPDIAG_FAULT_SERVER_ERROR, false, 3000, 2);
  CHECK(e == TRAP_COMPLETE && st.fault_since_ms == 1000, "third: no second failure");
  e = stats_update(&st, SIPDIAG_FAULT_CANCELED, true, 3500, 2);
  CHECK(e == TRAP_COMPLETE && st.consecutive_failures == 3 && st.runs == 4 &&
        st.failures == 3 && st.last_fault == SIPDIAG_FAULT_CANCELED, "canceled: a run only");
  e = stats_update(&st, SIPDIAG_FAULT_SUCCESS, false, 4000, 2);
  CHECK(e == (TRAP_COMPLETE | TRAP_RECOVERY) && !st.in_failure && st.fault_since_ms == 0 &&
        st.last_good_ms == 4000 && st.consecutive_failures == 0, "success: recovery (%u)", e);
  e = stats_update(&st, SIPDIAG_FAULT_SUCCESS, false, 5000, 2);
  CHECK(e == TRAP_COMPLETE && st.successes == 2, "second success: no recovery");
  /* a row that flaps at threshold 1: one notification per change */
  struct row_stats f = { 0 };
  unsigned failures = 0, recoveries = 0;
  for (int i = 0; i < 10; i++) {
    e = stats_update(&f, i % 2 ? SIPDIAG_FAULT_SUCCESS : SIPDIAG_FAULT_NETWORK_UNREACHABLE,
                     false, i, 1);
    failures += !!(e & TRAP_FAILURE);
    recoveries += !!(e & TRAP_RECOVERY);
  }
  CHECK(failures == 5 && recoveries == 5, "flapping: %u failures, %u recoveries", failures,
        recoveries);
}

static void grid(void)
{
  CHECK(schedule_next_due(10000, 10000, 2500) == 12500, "next point");
  CHECK(schedule_next_due(12500, 10000, 2500) == 12500, "on the point");
  CHECK(schedule_next_due(12501, 10000, 2500) == 22500, "just after");
  CHECK(schedule_next_due(1000, 10000, 2500) == 2500, "before the first");
  /* 100 rows of one frequency spread over the period */
  int buckets[10] = { 0 };
  for (int i = 0; i < 100; i++) {
    struct row_key k = { "ops", "" };
    snprintf(k.name, sizeof k.name, "r%d", i);
    int64_t phase = schedule_phase(&k, 10000);
    CHECK(phase >= 0 && phase < 10000, "phase in the period");
    buckets[phase / 1000]++;
  }
  int max = 0;
  for (int i = 0; i < 10; i++)
    max = buckets[i] > max ? buckets[i] : max;
  CHECK(max <= 25, "no second of the period holds a quarter of the rows (%d)", max);
  struct row_key a = { "ab", "c" }, b = { "a", "bc" };
  CHECK(schedule_phase(&a, 1000000) != schedule_phase(&b, 1000000), "owner/name boundary");
}

static void index_oid(void)
{
  struct row_key k = { "ops", "r1" }, back;
  oid o[ROW_KEY_OID_MAX];
  size_t n = row_key_to_oid(&k, o);
  const oid want[] = { 3, 'o', 'p', 's', 2, 'r', '1' };
  CHECK(n == 7 && !memcmp(o, want, sizeof want), "length-prefixed, not IMPLIED");
  CHECK(row_key_from_oid(o, n, &back) == 7 && row_key_equal(&k, &back), "read back");
  CHECK(row_key_from_oid(o, 5, &back) == 0, "cut short: no key");
  const oid empty[] = { 0, 1, 'x' };
  CHECK(row_key_from_oid(empty, 3, &back) == 3 && !back.owner[0], "empty owner");
  const oid too_long[] = { 33 };
  CHECK(row_key_from_oid(too_long, 1, &back) == 0, "more than 32 octets");
  const oid bad_utf8[] = { 1, 0xff, 1, 'x' };
  CHECK(row_key_from_oid(bad_utf8, 4, &back) == 0, "not UTF-8");
  const oid nul[] = { 1, 0, 1, 'x' };
  CHECK(row_key_from_oid(nul, 4, &back) == 0, "NUL octet");
}

static void trap_bits(void)
{
  unsigned char o[1];
  CHECK(traps_to_bits(TRAP_COMPLETE, o) == 1 && o[0] == 0x80, "complete(0) is 0x80");
  CHECK(traps_to_bits(TRAP_FAILURE | TRAP_RECOVERY, o) == 1 && o[0] == 0x60, "failure+recovery");
  const unsigned char all = 0xe0;
  CHECK(traps_from_bits(&all, 1) == TRAP_ALL, "all three");
  CHECK(traps_from_bits(o, 0) == 0, "empty BITS: none");
}

static void readable_cut(void)
{
  char text[600];
  snprintf(text, sizeof text, "%s", "The registrar answered 403 Forbidden. ");
  while (strlen(text) < 400)
    strcat(text, "Another sentence with several words. ");
  size_t n = text_clip_readable(text, 255);
  CHECK(n <= 255 && n > 128 && text[n - 1] == '.', "cut after a sentence (%zu: '%c')", n,
        text[n - 1]);
  char words[400] = "";
  while (strlen(words) < 300)
    strcat(words, "word ");
  n = text_clip_readable(words, 255);
  CHECK(n <= 255 && words[n] == ' ', "no sentence: at a blank (%zu)", n);
  char one[300];
  memset(one, 'x', 299);
  one[299] = '\0';
  CHECK(text_clip_readable(one, 255) == 255, "one long word: cut at the limit");
  CHECK(text_clip_readable("short.", 255) == 6, "whole when it fits");
  /* never inside a UTF-8 character */
  char utf[300] = "";
  while (strlen(utf) < 270)
    strcat(utf, "\xc3\xa9");
  n = text_clip_readable(utf, 255);
  CHECK(n % 2 == 0, "on a character boundary (%zu)", n);
}

int main(void)
{
  counters_and_events();
  grid();
  index_oid();
  trap_bits();
  readable_cut();
  return check_summary("fleet_rules");
}
