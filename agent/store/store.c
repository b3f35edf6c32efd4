/*
 * store.c - sipdiagd.store (store.h): <persistentDir>/sipdiagd.store
 * (SNMP_PERSISTENT_DIR honoured, mode 0600 because it holds passwords):
 *
 *   # header
 *   TOKEN WORDS...      one line per thing kept, written by its module
 *   _sipDiagEnd LINES   the number of lines above it: a file without it
 *                       is not one sipdiagd finished writing.
 *
 * Why not net-snmp's own store (the SNMP_CALLBACK_STORE_DATA lines in
 * <persistentDir>/sipdiagd.conf)?  net-snmp renames the old file away and
 * writes the new one in place, so a process killed during a store leaves
 * a partial file, which is what the next start reads.  This file is written
 * whole to sipdiagd.store.tmp in the same directory, synced, renamed over
 * the old one and the directory synced: at any moment the file is a
 * complete earlier or later state.  The store still runs from net-snmp's
 * callback, so it keeps net-snmp's timing (snmp_store_if_needed() in the
 * loop, and at shutdown).
 *
 * Older versions wrote their tokens into net-snmp's file; readers that
 * say so (legacy) still get those lines, once, when sipdiagd.store does
 * not exist yet (then written at once to the new file).  The store is
 * read only at start-up: on SIGHUP what is in memory is newer than any
 * file.
 */
#include "config.h"
#include "agent-snmp.h"
#include "store/store.h"
#include "sipdiag_limits.h"

#include <time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_APP "sipdiagd"
#define END_TOKEN "_sipDiagEnd"
#define STORE_FILE "sipdiagd.store"
#define STORE_TMP_SUFFIX ".tmp"
#define STORE_DAMAGED_SUFFIX ".damaged"

#define STORE_WRITERS_MAX 8
#define STORE_READERS_MAX 16

struct store_writer {
  int fd;
  unsigned lines;
  bool ok;
};

struct reader {
  const char *token;
  store_read_f *read;
  bool legacy;
};

static store_write_f *writers[STORE_WRITERS_MAX];
static unsigned n_writers;
static struct reader readers[STORE_READERS_MAX];
static unsigned n_readers;
static bool loaded;
static bool soon;                 /* results changed, not yet written */
static struct timespec soon_since;

/* Lines of the legacy tokens found in net-snmp's file, in order. */
struct legacy_line {
  struct legacy_line *next;
  const struct reader *reader;
  char *rest;
};
static struct legacy_line *legacy_first, **legacy_last = &legacy_first;

void store_add_writer(store_write_f *write)
{
  if (n_writers < STORE_WRITERS_MAX)
    writers[n_writers++] = write;
}

static const struct reader *reader_of(const char *token)
{
  for (unsigned i = 0; i < n_readers; i++)
    if (!strcmp(readers[i].token, token))
      return &readers[i];
  return NULL;
}

static void parse_legacy(const char *token, char *line)
{
  const struct reader *r = reader_of(token);
  if (loaded || !r)
    return;
  struct legacy_line *l = calloc(1, sizeof *l);
  if (!l || !(l->rest = strdup(line))) {
    free(l);
    return;
  }
  l->reader = r;
  *legacy_last = l;
  legacy_last = &l->next;
}

static void legacy_free(void)
{
  while (legacy_first) {
    struct legacy_line *l = legacy_first;
    legacy_first = l->next;
    explicit_bzero(l->rest, strlen(l->rest));
    free(l->rest);
    free(l);
  }
  legacy_last = &legacy_first;
}

void store_add_reader(const char *token, store_read_f *read, bool legacy)
{
  if (n_readers == STORE_READERS_MAX)
    return;
  readers[n_readers++] = (struct reader){ token, read, legacy };
  if (legacy)
    register_app_config_handler(token, parse_legacy, NULL, NULL);
}

void store_changed_now(void)
{
  soon = false;
  snmp_store_needed(NULL);
}

void store_changed_soon(void)
{
  if (!soon) {
    soon = true;
    clock_gettime(CLOCK_MONOTONIC, &soon_since);
  }
}

void store_poll(void)
{
  if (!soon)
    return;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (now.tv_sec - soon_since.tv_sec >= SIPDIAG_AGENT_STORE_RESULTS_DELAY_S)
    store_changed_now();
}

/* ---- sipdiagd.store ------------------------------------------------------------------- */

static void store_path(char *path, size_t size, const char *suffix)
{
  snprintf(path, size, "%s/%s%s", get_persistent_directory(), STORE_FILE, suffix);
}

/* Checks that the store is whole: 1 yes, 0 no file, -1 not a whole file
 * (then moved aside to .damaged).  With apply, hands its lines to the
 * readers. */
static int read_store(bool apply)
{
  char path[SIPDIAG_PATH_MAX + 32];
  store_path(path, sizeof path, "");
  FILE *f = fopen(path, "re");
  if (!f) {
    if (errno == ENOENT)
      return 0;
    snmp_log(LOG_ERR, "sipdiagd: cannot read %s: %s\n", path, strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  unsigned lineno = 0, items = 0;
  long end_count = -1;
  while ((n = getline(&line, &cap, f)) > 0) {
    lineno++;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      line[--n] = '\0';
    char token[32];
    char *rest = copy_nword(line, token, sizeof token);
    if (!token[0] || token[0] == '#')
      continue;
    if (end_count >= 0) {
      end_count = -2;          /* something after the end: not ours */
      break;
    }
    if (!rest)
      rest = line + n;
    if (strcmp(token, END_TOKEN) == 0) {
      char *e;
      unsigned long v = strtoul(rest, &e, 10);
      end_count = (*rest && !*e && v == items) ? (long)v : -2;
      if (end_count < 0)
        break;
      continue;
    }
    items++;
    if (!apply)
      continue;
    const struct reader *r = reader_of(token);
    char where[SIPDIAG_PATH_MAX + 48];
    snprintf(where, sizeof where, "%s:%u", path, lineno);
    if (r)
      r->read(token, rest, where);
    else
      snmp_log(LOG_WARNING, "sipdiagd: %s: unknown token '%.31s' ignored\n", where, token);
  }
  if (line) {
    explicit_bzero(line, cap);
    free(line);
  }
  fclose(f);
  if (end_count >= 0)
    return 1;
  char aside[sizeof path + 16];
  store_path(aside, sizeof aside, STORE_DAMAGED_SUFFIX);
  rename(path, aside);
  snmp_log(LOG_ERR, "sipdiagd: %s is not a whole store (no valid %s line); nothing of it "
           "restored, kept as %s\n", path, END_TOKEN, aside);
  return -1;
}

static bool write_all(int fd, const char *text)
{
  size_t len = strlen(text);
  while (len) {
    ssize_t n = write(fd, text, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    text += n;
    len -= (size_t)n;
  }
  return true;
}

static bool write_line(int fd, const char *line)
{
  return write_all(fd, line) && write_all(fd, "\n");
}

bool store_put(struct store_writer *w, const char *line)
{
  if (w->ok && !write_line(w->fd, line))
    w->ok = false;
  if (w->ok)
    w->lines++;
  return w->ok;
}

/* Writes every writer's lines to the temporary file (fd), synced. */
static bool write_contents(int fd)
{
  struct store_writer w = { fd, 0, true };
  w.ok = write_line(fd, "# sipdiagd: rows, runs and scalars. Written by sipdiagd; "
                        "do not edit while it runs.");
  for (unsigned i = 0; w.ok && i < n_writers; i++)
    if (!writers[i](&w))
      w.ok = false;
  if (w.ok) {
    char end[64];
    snprintf(end, sizeof end, "%s %u", END_TOKEN, w.lines);
    w.ok = write_line(fd, end);
  }
  return w.ok && fsync(fd) == 0;
}

/* Replaces sipdiagd.store with the current state; the old file stays
 * whole until the rename.  False (logged) when it could not. */
static bool write_store(void)
{
  const char *dir = get_persistent_directory();
  char path[SIPDIAG_PATH_MAX + 32], tmp[sizeof path + 8];
  store_path(path, sizeof path, "");
  store_path(tmp, sizeof tmp, STORE_TMP_SUFFIX);
  mkdirhier(dir, S_IRWXU, 0);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot write %s: %s; %s unchanged\n", tmp, strerror(errno),
             path);
    return false;
  }
  fchmod(fd, S_IRUSR | S_IWUSR);   /* an older file may have other bits */
  bool ok = write_contents(fd);
  int err = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    unlink(tmp);
    snmp_log(LOG_ERR, "sipdiagd: cannot write %s: %s; %s unchanged\n", tmp, strerror(err),
             path);
    return false;
  }
  /* the rename itself must survive a power cut */
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

/* ---- net-snmp's callbacks -------------------------------------------------------------- */

/* net-snmp's own file held passwords in older versions; it still may. */
static void protect_legacy_file(void)
{
  char path[1024];
  const char *file = netsnmp_getenv("SNMP_PERSISTENT_FILE");
  if (!file) {
    snprintf(path, sizeof path, "%s/%s.conf", get_persistent_directory(), STORE_APP);
    file = path;
  }
  chmod(file, S_IRUSR | S_IWUSR);
}

static int store(int major, int minor, void *server, void *client)
{
  (void)major;
  (void)minor;
  (void)server;
  (void)client;
  soon = false;
  write_store();
  protect_legacy_file();
  return SNMPERR_SUCCESS;
}

void store_load(void)
{
  if (loaded)
    return;
  loaded = true;
  char tmp[SIPDIAG_PATH_MAX + 40];
  store_path(tmp, sizeof tmp, STORE_TMP_SUFFIX);
  unlink(tmp);                       /* a store the previous run did not finish */

  int whole = read_store(false);     /* nothing of a damaged file is used */
  if (whole == 1) {
    if (legacy_first)
      snmp_log(LOG_INFO, "sipdiagd: saved rows in %s.conf ignored: %s is newer\n",
               STORE_APP, STORE_FILE);
    read_store(true);
  } else if (legacy_first) {
    for (struct legacy_line *l = legacy_first; l; l = l->next)
      l->reader->read(l->reader->token, l->rest, STORE_APP ".conf");
    if (write_store())
      snmp_log(LOG_INFO, "sipdiagd: saved rows and scalars moved from %s.conf to %s\n",
               STORE_APP, STORE_FILE);
  }
  legacy_free();
}

void store_init(void)
{
  snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_STORE_DATA, store, NULL);
}
