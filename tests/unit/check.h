/*
 * check.h - the smallest test framework that names what failed.
 */
#ifndef SIPDIAG_CHECK_H
#define SIPDIAG_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond, ...) do {                                            \
    check_count++;                                                       \
    if (!(cond)) {                                                       \
      check_failures++;                                                  \
      fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                      \
      fputc('\n', stderr);                                               \
    }                                                                    \
  } while (0)

#define CHECK_CONTAINS(haystack, needle) \
  CHECK(strstr((haystack), (needle)) != NULL, "'%s' does not mention '%s'", (haystack), (needle))

static inline int check_summary(const char *name)
{
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures ? 1 : 0;
}

#endif
