/*
 * fuzz.h - shared by the fuzz targets of tests/fuzz/.
 *
 * Each target defines LLVMFuzzerTestOneInput().  Built with clang
 * -fsanitize=fuzzer it is a libFuzzer program (tests/fuzz/run); linked
 * with replay.c it replays the committed corpus and regression inputs in
 * `make check`, with any compiler.
 */
#ifndef SIPDIAG_FUZZ_H
#define SIPDIAG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated heap copy of data[0..size) (NULL on ENOMEM): the exact
 * size lets ASan catch any read past the end. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  if (s) {
    memcpy(s, data, size);
    s[size] = '\0';
  }
  return s;
}

/* Splits text in place at each sep into at most max fields; returns the
 * count.  Empty fields are kept. */
static inline size_t fuzz_split(char *text, char sep, char *fields[], size_t max)
{
  size_t n = 0;
  if (!max)
    return 0;
  fields[n++] = text;
  for (char *p = text; *p && n < max; p++)
    if (*p == sep) {
      *p = '\0';
      fields[n++] = p + 1;
    }
  return n;
}

#endif
