/*
 * persist.c - what sipdiagd keeps across restarts, in net-snmp's
 * persistent store (<persistentDir>/sipdiagd.conf, SNMP_PERSISTENT_DIR
 * honoured, mode 0600 because it holds passwords).
 *
 * Two private tokens, written by the SNMP_CALLBACK_STORE_DATA callback and
 * read back once, at start-up:
 *
 *   _sipDiagRow INDEX STORAGE ROWSTATUS NOTIFY TRANSPORT EXPIRES
 *               REGISTRAR AOR AUTHUSER PASSWORD PROXY
 *       one nonVolatile row a manager created (strings in net-snmp's
 *       quoted-or-hex octet-string notation);
 *   _sipDiagScalar NAME VALUE
 *       a scalar a manager set.
 *
 * Results are not stored: after a restart every row reads state none(1).
 * On SIGHUP net-snmp re-reads the persistent file too; the tokens are then
 * ignored, since the rows in memory are newer than the file.
 */
#include "config.h"
#include "agent-snmp.h"
#include "sipdiagd.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ROW_TOKEN "_sipDiagRow"
#define SCALAR_TOKEN "_sipDiagScalar"

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

/* ---- reading ------------------------------------------------------------------ */

static void parse_row(const char *token, char *line)
{
  (void)token;
  if (initial_load_done)
    return;
  struct saved_row saved;
  if (!saved_row_parse(line, &saved)) {
    explicit_bzero(&saved, sizeof saved);
    config_perror("malformed saved row, ignored");
    return;
  }
  struct diag_row *row = row_alloc(saved.index);
  if (!row) {
    explicit_bzero(&saved, sizeof saved);
    return;
  }
  row->cfg = saved.cfg;
  row->storage = saved.storage;
  row->rowstatus = saved.rowstatus;
  row->notify = saved.notify;
  explicit_bzero(&saved, sizeof saved);
  if (rows_find(row->index) || rows_count() >= SIPDIAG_AGENT_MAX_ROWS ||
      !row_prepare(row) || !rows_insert(row)) {
    snmp_log(LOG_WARNING, "sipdiagd: saved row %u not restored (duplicate or no room)\n",
             (unsigned)row->index);
    row_free(row);
  }
}

static void parse_scalar(const char *token, char *line)
{
  (void)token;
  if (initial_load_done)
    return;
  char name[64];
  unsigned v;
  saved_scalar_parse(line, name, sizeof name, &v);
  for (int id = 0; id < SC_COUNT; id++)
    if (strcmp(name, scalars_name((enum scalar_id)id)) == 0) {
      if (!scalars_set_override((enum scalar_id)id, v))
        config_perror("saved scalar out of range, ignored");
      return;
    }
  config_perror("unknown saved scalar, ignored");
}

/* ---- writing ------------------------------------------------------------------- */

static char *store_text(char *p, size_t *room, const char *text)
{
  size_t need = 2 * strlen(text) + 8;
  if (*room < need)
    return NULL;
  char *start = p;
  size_t len = strlen(text);
  *p++ = ' ';
  p = read_config_store_data(ASN_OCTET_STR, p, (u_char **)&text, &len);
  if (!p)
    return NULL;
  *room -= (size_t)(p - start);
  return p;
}

static void store_row(const struct diag_row *row)
{
  char line[16 + 6 * 12 + 5 * (2 * SIPDIAG_AGENT_TEXT_MAX + 8) + 8];
  int n = snprintf(line, sizeof line, "%s %u %d %d %d %d %u", ROW_TOKEN,
                   (unsigned)row->index, row->storage, row->rowstatus, row->notify,
                   (int)row->cfg.transport, (unsigned)row->cfg.expires);
  char *p = line + n;
  size_t room = sizeof line - (size_t)n;
  const char *texts[] = { row->cfg.registrar, row->cfg.aor, row->cfg.auth_user,
                          row->cfg.password, row->cfg.proxy };
  for (size_t i = 0; p && i < sizeof texts / sizeof texts[0]; i++)
    p = store_text(p, &room, texts[i]);
  if (p)
    read_app_config_store(line);
  else
    snmp_log(LOG_ERR, "sipdiagd: row %u could not be saved\n", (unsigned)row->index);
  explicit_bzero(line, sizeof line);
}

static void protect_file(void)
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
  for (int id = 0; id < SC_COUNT; id++) {
    unsigned v;
    if (scalars_override((enum scalar_id)id, &v)) {
      char line[128];
      snprintf(line, sizeof line, "%s %s %u", SCALAR_TOKEN,
               scalars_name((enum scalar_id)id), v);
      read_app_config_store(line);
    }
  }
  for (struct diag_row *row = rows_first(); row; row = rows_next(row))
    if (row->storage == SD_ST_NONVOLATILE && !row->from_config)
      store_row(row);
  protect_file();
  return SNMPERR_SUCCESS;
}

static int post_read(int major, int minor, void *server, void *client)
{
  (void)major;
  (void)minor;
  (void)server;
  (void)client;
  accounts_apply();
  initial_load_done = true;
  return SNMPERR_SUCCESS;
}

void persist_init(void)
{
  register_app_config_handler(ROW_TOKEN, parse_row, NULL, NULL);
  register_app_config_handler(SCALAR_TOKEN, parse_scalar, NULL, NULL);
  snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_STORE_DATA, store, NULL);
  snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                         post_read, NULL);
}
