/*
 * replay.c - runs one fuzz target over files, without libFuzzer, for
 * `make check` (any compiler; under the sanitizer build too).
 *
 *   replay_NAME [FILE|DIR]...
 *
 * Without arguments it replays $top_srcdir/tests/fuzz/corpus/NAME/ (which
 * must hold at least one input) and $top_srcdir/tests/fuzz/regressions/NAME/
 * (which may be empty or absent).  Files whose name starts with '.' are
 * skipped.  A crash or abort() in the target fails the test; so does an
 * unreadable file.  NAME is compiled in as FUZZ_NAME.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME='\"target\"'"
#endif

static int replay_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay_%s: %s: %s\n", FUZZ_NAME, path, strerror(errno));
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      fclose(f);
      return -1;
    }
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap)
      break;
    cap *= 2;
    uint8_t *bigger = realloc(buf, cap);
    if (!bigger)
      free(buf);
    buf = bigger;
  }
  bool bad = ferror(f);
  fclose(f);
  if (bad) {
    fprintf(stderr, "replay_%s: %s: read error\n", FUZZ_NAME, path);
    free(buf);
    return -1;
  }
  /* an exact-size copy, as libFuzzer gives: reads past the end show */
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  return 0;
}

static int skip_hidden(const struct dirent *d)
{
  return d->d_name[0] != '.';
}

/* Replays path (file or directory); returns the inputs run or -1. */
static long replay(const char *path, bool must_exist)
{
  struct stat st;
  if (stat(path, &st) != 0) {
    if (!must_exist && errno == ENOENT)
      return 0;
    fprintf(stderr, "replay_%s: %s: %s\n", FUZZ_NAME, path, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return replay_file(path) == 0 ? 1 : -1;
  struct dirent **names;
  int n = scandir(path, &names, skip_hidden, alphasort);
  if (n < 0) {
    fprintf(stderr, "replay_%s: %s: %s\n", FUZZ_NAME, path, strerror(errno));
    return -1;
  }
  long done = 0;
  for (int i = 0; i < n; i++) {
    char file[4096];
    snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
    if (done >= 0 && replay_file(file) == 0)
      done++;
    else
      done = -1;
    free(names[i]);
  }
  free(names);
  return done;
}

int main(int argc, char **argv)
{
  long total = 0;
  if (argc > 1) {
    for (int i = 1; i < argc; i++) {
      long n = replay(argv[i], true);
      if (n < 0)
        return 1;
      total += n;
    }
  } else {
    const char *top = getenv("top_srcdir");
    char corpus[4096], regressions[4096];
    snprintf(corpus, sizeof corpus, "%s/tests/fuzz/corpus/%s", top ? top : ".", FUZZ_NAME);
    snprintf(regressions, sizeof regressions, "%s/tests/fuzz/regressions/%s",
             top ? top : ".", FUZZ_NAME);
    long n = replay(corpus, true);
    if (n <= 0) {
      fprintf(stderr, "replay_%s: no seed corpus in %s\n", FUZZ_NAME, corpus);
      return 1;
    }
    long r = replay(regressions, false);
    if (r < 0)
      return 1;
    printf("replay_%s: %ld corpus and %ld regression inputs replayed\n", FUZZ_NAME, n, r);
    return 0;
  }
  printf("replay_%s: %ld inputs replayed\n", FUZZ_NAME, total);
  return 0;
}
