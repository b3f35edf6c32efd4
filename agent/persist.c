/*
 * persist.c - what sipdiagd keeps across restarts: the nonVolatile rows
 * managers created and the scalars they set, in a file of its own,
 * <persistentDir>/sipdiagd.store (SNMP_PERSISTENT_DIR honoured, mode 0600
 * because it holds passwords):
 *
 *   # header
 *   _sipDiagScalar NAME VALUE
 *       a scalar a manager set;
 *   _sipDiagRow INDEX STORAGE ROWSTATUS NOTIFY TRANSPORT EXPIRES
 *               REGISTRAR AOR AUTHUSER PASSWORD PROXY
 *       one row (strings in net-snmp's quoted-or-hex octet-string notation);
 *   _sipDiagEnd LINES
 *       the number of lines above it: a file without it is not one
 *       sipdiagd finished writing.
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
 * Older versions wrote the same two tokens into net-snmp's file; they are
 * still read there, and used once, when sipdiagd.store does not exist yet
 * (then written at once to the new file).  Both are read only at start-up:
 * on SIGHUP the rows in memory are newer than any file.
 *
 * Results are not stored: after a restart every row reads state none(1).
 */
#include "config.h"
#include "agent-snmp.h"
#include "sipdiagd.h"
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROW_TOKEN "_sipDiagRow"
#define SCALAR_TOKEN "_sipDiagScalar"
#define TEXT_SCALAR_TOKEN "_sipDiagScalarText"
#define END_TOKEN "_sipDiagEnd"
#define STORE_FILE "sipdiagd.store"
#define STORE_TMP_SUFFIX ".tmp"
#define STORE_DAMAGED_SUFFIX ".damaged"

static bool initial_load_done;

bool persist_initial_load_done(void)
{
  return initial_load_done;
}

void persist_mark_loaded(void)
{
  initial_load_done = true;
}

void persist_changed(void)
{
  snmp_store_needed(NULL);
}

/* ---- what was read, before it is applied ------------------------------------------ */

struct saved_item {
  struct saved_item *next;
  bool is_row;
  struct saved_row row;
  char name[64];              /* scalar */
  unsigned value;
  bool is_text;               /* a text scalar: text, not value */
  char text[SIPDIAG_CA_PATH_MAX];
};

struct saved_list {
  struct saved_item *first, **last;
};

static struct saved_list legacy = { NULL, &legacy.first };   /* net-snmp's file */

static void list_free(struct saved_list *list)
{
  while (list->first) {
    struct saved_item *it = list->first;
    list->first = it->next;
    explicit_bzero(it, sizeof *it);
    free(it);
  }
  list->last = &list->first;
}

static struct saved_item *list_add(struct saved_list *list)
{
  struct saved_item *it = calloc(1, sizeof *it);
  if (!it)
    return NULL;
  *list->last = it;
  list->last = &it->next;
  return it;
}

/* Reads a _sipDiagRow line into the list; false (msg says why) when refused. */
static bool take_row(struct saved_list *list, char *line, char *msg, size_t msg_size)
{
  struct saved_row saved;
  if (!saved_row_parse(line, &saved, msg, msg_size)) {
    explicit_bzero(&saved, sizeof saved);
    return false;
  }
  struct saved_item *it = list_add(list);
  if (it) {
    it->is_row = true;
    it->row = saved;
  }
  explicit_bzero(&saved, sizeof saved);
  return true;
}

static void take_scalar(struct saved_list *list, char *line)
{
  struct saved_item *it = list_add(list);
  if (it)
    saved_scalar_parse(line, it->name, sizeof it->name, &it->value);
}

static void take_text_scalar(struct saved_list *list, char *line, const char *path,
                             unsigned lineno)
{
  struct saved_item *it = list_add(list);
  if (!it)
    return;
  it->is_text = true;
  if (!saved_text_scalar_parse(line, it->name, sizeof it->name, it->text, sizeof it->text))
    snmp_log(LOG_WARNING, "sipdiagd: %s:%u: %s is not a value sipdiagd wrote, ignored\n",
             path, lineno, TEXT_SCALAR_TOKEN);
}

/* Puts what was read into the table and the scalars. */
static void apply(struct saved_list *list)
{
  for (struct saved_item *it = list->first; it; it = it->next) {
    if (it->is_text) {
      int id = 0;
      while (id < ST_COUNT && strcmp(it->name, scalars_text_name((enum text_scalar_id)id)) != 0)
        id++;
      if (id == ST_COUNT)
        snmp_log(LOG_WARNING, "sipdiagd: unknown saved scalar '%.40s' ignored\n", it->name);
      else if (it->text[0])
        scalars_set_text_override((enum text_scalar_id)id, it->text);
      continue;
    }
    if (!it->is_row) {
      int id = 0;
      while (id < SC_COUNT && strcmp(it->name, scalars_name((enum scalar_id)id)) != 0)
        id++;
      if (id == SC_COUNT)
        snmp_log(LOG_WARNING, "sipdiagd: unknown saved scalar '%.40s' ignored\n", it->name);
      else if (!scalars_set_override((enum scalar_id)id, it->value))
        snmp_log(LOG_WARNING, "sipdiagd: saved %s %u out of range, ignored\n",
                 it->name, it->value);
      continue;
    }
    struct diag_row *row = row_alloc(it->row.index);
    if (!row)
      continue;
    row->cfg = it->row.cfg;
    row->storage = it->row.storage;
    row->rowstatus = it->row.rowstatus;
    row->notify = it->row.notify;
    if (rows_find(row->index) || rows_count() >= SIPDIAG_AGENT_MAX_ROWS ||
        !row_prepare(row) || !rows_insert(row)) {
      snmp_log(LOG_WARNING, "sipdiagd: saved row %u not restored (duplicate or no room)\n",
               (unsigned)row->index);
      row_free(row);
    }
  }
}

/* ---- the old tokens in net-snmp's file --------------------------------------------- */

static void parse_legacy_row(const char *token, char *line)
{
  (void)token;
  if (initial_load_done)
    return;
  char msg[160];
  if (!take_row(&legacy, line, msg, sizeof msg)) {
    config_perror(msg);
    config_perror("saved row not restored");
  }
}

static void parse_legacy_scalar(const char *token, char *line)
{
  (void)token;
  if (!initial_load_done)
    take_scalar(&legacy, line);
}

/* ---- sipdiagd.store ------------------------------------------------------------------- */

static void store_path(char *path, size_t size, const char *suffix)
{
  snprintf(path, size, "%s/%s%s", get_persistent_directory(), STORE_FILE, suffix);
}

/* Reads the store into list: 1 read, 0 no file, -1 not a whole file
 * (then moved aside to .damaged and nothing of it is kept). */
static int read_store(struct saved_list *list)
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
    char msg[160];
    if (strcmp(token, ROW_TOKEN) == 0) {
      if (!take_row(list, rest, msg, sizeof msg))
        snmp_log(LOG_ERR, "sipdiagd: %s:%u: %s; row not restored\n", path, lineno, msg);
    } else if (strcmp(token, SCALAR_TOKEN) == 0) {
      take_scalar(list, rest);
    } else if (strcmp(token, TEXT_SCALAR_TOKEN) == 0) {
      take_text_scalar(list, rest, path, lineno);
    } else {
      snmp_log(LOG_WARNING, "sipdiagd: %s:%u: unknown token '%.31s' ignored\n", path,
               lineno, token);
    }
  }
  if (line) {
    explicit_bzero(line, cap);
    free(line);
  }
  fclose(f);
  if (end_count >= 0)
    return 1;
  list_free(list);
  char aside[sizeof path + 16];
  store_path(aside, sizeof aside, STORE_DAMAGED_SUFFIX);
  rename(path, aside);
  snmp_log(LOG_ERR, "sipdiagd: %s is not a whole store (no valid %s line); nothing of it "
           "restored, kept as %s\n", path, END_TOKEN, aside);
  return -1;
}

/* One row as a _sipDiagRow line; false when it does not fit. */
static bool format_row(const struct diag_row *row, char *line, size_t size)
{
  int n = snprintf(line, size, "%s %u %d %d %d %d %u", ROW_TOKEN, (unsigned)row->index,
                   row->storage, row->rowstatus, row->notify, (int)row->cfg.transport,
                   (unsigned)row->cfg.expires);
  if (n < 0 || (size_t)n >= size)
    return false;
  char *p = line + n;
  size_t room = size - (size_t)n;
  const char *texts[] = { row->cfg.registrar, row->cfg.aor, row->cfg.auth_user,
                          row->cfg.password, row->cfg.proxy };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    const char *text = texts[i];
    size_t len = strlen(text);
    if (room < 2 * len + 8)
      return false;
    char *start = p;
    p = read_config_store_data(ASN_OCTET_STR, p, (u_char **)&text, &len);
    if (!p)
      return false;
    room -= (size_t)(p - start);
  }
  return true;
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

/* Writes the rows and scalars to the temporary file (fd), synced. */
static bool write_contents(int fd)
{
  unsigned items = 0;
  bool ok = write_line(fd, "# sipdiagd: rows and scalars set by managers. Written by "
                           "sipdiagd; do not edit while it runs.");
  for (int id = 0; ok && id < SC_COUNT; id++) {
    unsigned v;
    if (scalars_override((enum scalar_id)id, &v)) {
      char line[128];
      snprintf(line, sizeof line, "%s %s %u", SCALAR_TOKEN, scalars_name((enum scalar_id)id), v);
      ok = write_line(fd, line);
      items++;
    }
  }
  for (int id = 0; ok && id < ST_COUNT; id++) {
    const char *text;
    if (scalars_text_override((enum text_scalar_id)id, &text)) {
      char line[64 + 2 * SIPDIAG_CA_PATH_MAX + 8];
      size_t len = strlen(text);
      int n = snprintf(line, sizeof line, "%s %s ", TEXT_SCALAR_TOKEN,
                       scalars_text_name((enum text_scalar_id)id));
      if (n > 0 && (size_t)n < sizeof line &&
          read_config_store_data(ASN_OCTET_STR, line + n, (u_char **)&text, &len)) {
        ok = write_line(fd, line);
        items++;
      }
    }
  }
  for (struct diag_row *row = rows_first(); ok && row; row = rows_next(row)) {
    if (row->storage != SD_ST_NONVOLATILE || row->from_config)
      continue;
    char line[16 + 6 * 12 + 5 * (2 * SIPDIAG_AGENT_TEXT_MAX + 8) + 8];
    if (format_row(row, line, sizeof line)) {
      ok = write_line(fd, line);
      items++;
    } else {
      snmp_log(LOG_ERR, "sipdiagd: row %u could not be saved\n", (unsigned)row->index);
    }
    explicit_bzero(line, sizeof line);
  }
  if (ok) {
    char end[64];
    snprintf(end, sizeof end, "%s %u", END_TOKEN, items);
    ok = write_line(fd, end);
  }
  return ok && fsync(fd) == 0;
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
    snprintf(path, sizeof path, "%s/%s.conf", get_persistent_directory(), SIPDIAGD_APP);
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
  write_store();
  protect_legacy_file();
  return SNMPERR_SUCCESS;
}

/* At start-up: the rows and scalars of sipdiagd.store, or else (the first
 * start after an upgrade) those found in net-snmp's file. */
static void load(void)
{
  char tmp[SIPDIAG_PATH_MAX + 40];
  store_path(tmp, sizeof tmp, STORE_TMP_SUFFIX);
  unlink(tmp);                       /* a store the previous run did not finish */

  struct saved_list list = { NULL, &list.first };
  int got = read_store(&list);
  if (got == 1) {
    if (legacy.first)
      snmp_log(LOG_INFO, "sipdiagd: saved rows in %s.conf ignored: %s is newer\n",
               SIPDIAGD_APP, STORE_FILE);
    apply(&list);
  } else if (legacy.first) {
    apply(&legacy);
    if (write_store())
      snmp_log(LOG_INFO, "sipdiagd: saved rows and scalars moved from %s.conf to %s\n",
               SIPDIAGD_APP, STORE_FILE);
  }
  list_free(&list);
  list_free(&legacy);
}

static int post_read(int major, int minor, void *server, void *client)
{
  (void)major;
  (void)minor;
  (void)server;
  (void)client;
  if (!initial_load_done)
    load();
  accounts_apply();
  initial_load_done = true;
  return SNMPERR_SUCCESS;
}

void persist_init(void)
{
  register_app_config_handler(ROW_TOKEN, parse_legacy_row, NULL, NULL);
  register_app_config_handler(SCALAR_TOKEN, parse_legacy_scalar, NULL, NULL);
  snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_STORE_DATA, store, NULL);
  snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                         post_read, NULL);
}
