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

/* read_config_read_data() stores ASN_UNSIGNED as an unsigned int. */
static char *read_uint(char *p, unsigned int *out)
{
  size_t len = sizeof *out;
  *out = 0;
  return p ? read_config_read_data(ASN_UNSIGNED, p, out, &len) : NULL;
}

static char *read_text(char *p, char *buf, size_t size, bool *ok)
{
  size_t len = size - 1;
  if (!p) {
    *ok = false;
    return NULL;
  }
  char *next = read_config_read_data(ASN_OCTET_STR, p, &buf, &len);
  if (len >= size)
    len = size - 1;
  buf[len] = '\0';
  if (strlen(buf) != len)
    *ok = false;            /* an embedded NUL: not a text we wrote */
  return next;
}

static void parse_row(const char *token, char *line)
{
  (void)token;
  if (initial_load_done)
    return;
  unsigned int index, storage, rowstatus, notify, transport, expires;
  char *p = line;
  p = read_uint(p, &index);
  p = read_uint(p, &storage);
  p = read_uint(p, &rowstatus);
  p = read_uint(p, &notify);
  p = read_uint(p, &transport);
  p = read_uint(p, &expires);
  if (!p || index < 1 || index > 65535 || storage != SD_ST_NONVOLATILE ||
      (rowstatus != SD_RS_ACTIVE && rowstatus != SD_RS_NOT_IN_SERVICE) ||
      (notify != SD_TRUE && notify != SD_FALSE) || transport < 1 || transport > 4) {
    config_perror("malformed saved row, ignored");
    return;
  }
  struct diag_row *row = row_alloc((uint32_t)index);
  if (!row)
    return;
  bool ok = true;
  p = read_text(p, row->cfg.registrar, sizeof row->cfg.registrar, &ok);
  p = read_text(p, row->cfg.aor, sizeof row->cfg.aor, &ok);
  p = read_text(p, row->cfg.auth_user, sizeof row->cfg.auth_user, &ok);
  p = read_text(p, row->cfg.password, sizeof row->cfg.password, &ok);
  read_text(p, row->cfg.proxy, sizeof row->cfg.proxy, &ok);
  row->storage = SD_ST_NONVOLATILE;
  row->rowstatus = (int)rowstatus;
  row->notify = (int)notify;
  row->cfg.transport = (sipdiag_transport_t)transport;
  row->cfg.expires = (uint32_t)expires;
  if (!ok) {
    config_perror("malformed saved row, ignored");
    row_free(row);
    return;
  }
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
  char *p = copy_nword(line, name, sizeof name);
  unsigned int v;
  read_uint(p, &v);
  for (int id = 0; id < SC_COUNT; id++)
    if (strcmp(name, scalars_name((enum scalar_id)id)) == 0) {
      if (!scalars_set_override((enum scalar_id)id, (unsigned)v))
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
