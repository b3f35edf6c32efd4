/*
 * clock.h - the engine's two clocks, one definition each.
 *
 * Durations come from sofia's monotonic su_now(); timestamps shown to the
 * operator (start and end of a diagnosis) from the wall clock.
 */
#ifndef SIPDIAG_CLOCK_H
#define SIPDIAG_CLOCK_H

#include <stdint.h>
#include <time.h>

#include <sofia-sip/su_time.h>

/* Milliseconds from since to now, 0 if the clock went backwards. */
static inline uint32_t sipdiag_ms_since(su_time_t since)
{
  su_duration_t d = su_duration(su_now(), since);
  return d > 0 ? (uint32_t)d : 0;
}

/* Wall clock, milliseconds since the epoch. */
static inline int64_t sipdiag_wall_clock_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif /* SIPDIAG_CLOCK_H */
