/*
 * parse.h - sipdiagd's readers and checkers of untrusted text, as pure
 * functions: the sipdiagAccount and scalar configuration lines, the
 * persistent store's lines, the account identity of a row, and the type,
 * length and value check of a SET on sipDiagTable.
 *
 * No global state, no logging, no rows: the callers (accounts.c,
 * settings.c, rows_store.c, table.c) log and apply; the fuzz targets under
 * tests/fuzz/ call these directly.  Messages are those sipdiagd logged
 * before these functions were moved here.  They use only net-snmp's pure text
 * helpers (copy_nword, read_config_read_data).
 */
#ifndef SIPDIAGD_PARSE_H
#define SIPDIAGD_PARSE_H

#include "model/row.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


/* ---- sipdiagAccount NAME key=value... (accounts.c) ----------------------- */

struct account_line {
  char name[SIPDIAG_AGENT_KEY_MAX + 1];   /* sipDiagName                  */
  struct row_config cfg;
  struct row_schedule sched;
  int storage;                 /* permanent(4) or readOnly(5)             */
};

enum {
  ACCOUNT_LINE_OK = 0,
  ACCOUNT_LINE_BAD_NAME = -1,  /* the first word is not a name            */
  ACCOUNT_LINE_BAD = -2,       /* out->name is valid; the line is refused */
};

/* Reads the words after the token.  On an error, msg (never a password)
 * says what is wrong.  out is filled in any case (wiped by the caller). */
int account_line_parse(const char *line, struct account_line *out,
                       char *msg, size_t msg_size);

/* ---- sipDiagTimer N, ... (scalars.c) --------------------------------------- */

/* A decimal number from min to max, blanks after it allowed. */
bool scalar_line_parse(const char *line, unsigned min, unsigned max, unsigned *out);

/* ---- sipdiagCapture yes|no, sipdiagCaptureDir DIR|none (evidence.c) --------- */

/* Room the engine needs after the directory for a file name:
 * "/KEY-YYYYMMDDTHHMMSSZ-N.pcap", the key at most SIPDIAG_CAPTURE_KEY_MAX.
 * The whole path must fit in sipDiagResultCapturePath (255 octets): a
 * path cut short there would name the wrong file. */
#define CAPTURE_FILE_NAME_ROOM (SIPDIAG_CAPTURE_KEY_MAX + 32)
#define CAPTURE_DIR_MAX (SIPDIAG_AGENT_TEXT_MAX - CAPTURE_FILE_NAME_ROOM)

/* yes/on or no/off, one word: true and *on, else false and msg. */
bool capture_line_parse(const char *token, const char *line, bool *on,
                        char *msg, size_t msg_size);

/* "none" (*none = true) or an absolute path of at most CAPTURE_DIR_MAX
 * octets, trailing slashes dropped, into dir (CAPTURE_DIR_MAX + 1 octets);
 * false and msg when it is neither (dir and *none untouched). */
bool capture_dir_line_parse(const char *token, const char *line, bool *none, char *dir,
                            char *msg, size_t msg_size);

/* ---- sipDiagTlsCaFile / sipDiagTlsCaDir (scalars.c) ------------------------------ */

/* A CA file or directory name as a manager or the configuration gives it:
 * "" (not set), or an absolute path of at most SIPDIAG_CA_PATH_MAX - 1
 * octets with no control characters.  len octets of text, which need not
 * be NUL-terminated. */
bool ca_path_value_ok(const char *text, size_t len);

/* "none" ("" into out) or an absolute path accepted by ca_path_value_ok(),
 * into out (SIPDIAG_CA_PATH_MAX octets); false and msg when it is neither
 * (out untouched). */
bool ca_path_line_parse(const char *token, const char *line, char *out,
                        char *msg, size_t msg_size);

/* _sipDiagScalarText NAME VALUE (VALUE in net-snmp's octet-string
 * notation): false when the value is not one ca_path_value_ok() accepts
 * (text then ""). */
bool saved_text_scalar_parse(char *line, char *name, size_t name_size, char *text,
                             size_t text_size);

/* ---- the persistent store (persist.c) ------------------------------------------ */

/* _sipDiagRow INDEX STORAGE ROWSTATUS NOTIFY TRANSPORT EXPIRES REGISTRAR AOR
 *             AUTHUSER PASSWORD PROXY: a row of the versions indexed by a
 * number (read once for the upgrade: owner "", name the number). */
struct saved_row {
  uint32_t index;
  int storage, rowstatus, notify;
  struct row_config cfg;
};

/* False when the line is not one sipdiagd wrote (then out is to be
 * wiped and dropped, and msg, never holding a value, names the field).
 * A text longer than its column (SIPDIAG_AGENT_TEXT_MAX octets), written
 * in either notation, refuses the whole line: no row comes back half
 * restored. */
bool saved_row_parse(char *line, struct saved_row *out, char *msg, size_t msg_size);

/* _sipDiagScalar NAME VALUE: name (NUL-terminated, cut to name_size) and
 * value (0 when missing or unreadable). */
void saved_scalar_parse(char *line, char *name, size_t name_size, unsigned *value);

/* _sipDiagEntry OWNER NAME STORAGE ROWSTATUS TRAPS FREQUENCY THRESHOLD MAXRUNS
 *               TRANSPORT EXPIRES REGISTRAR AOR AUTHUSER PASSWORD PROXY:
 * a manager's nonVolatile row. */
struct saved_entry {
  struct row_key key;
  int storage, rowstatus;
  struct row_schedule sched;
  struct row_config cfg;
};
bool saved_entry_parse(char *line, struct saved_entry *out, char *msg, size_t msg_size);

/* _sipDiagStats OWNER NAME RUNS SUCCESSES FAILURES CONSECUTIVE LASTGOOD
 *               FAULTSINCE LASTFAULT INFAILURE LASTRUNINDEX */
bool saved_stats_parse(char *line, struct row_key *key, struct row_stats *out,
                       char *msg, size_t msg_size);

/* _sipDiagRun OWNER NAME INDEX START END DURATION CODE FAULT SIPSTATUS
 *             ATTEMPTS PORT TRIGGER ADDRESS(hex) DIAGNOSIS: a kept run, its
 * diagnosis into diagnosis (out->diagnosis stays NULL). */
bool saved_run_parse(char *line, struct row_key *key, struct run_record *out,
                     char *diagnosis, size_t diagnosis_size, char *msg, size_t msg_size);

/* ---- the account a diagnosis is for (rows.c) ------------------------------------ */

/* The identity the minimum interval between two diagnoses is kept for:
 * the registrar's host, then the AOR's user and host.  Hosts and user are
 * lower-cased, the user percent-decoded; scheme, port, password,
 * parameters and headers are dropped, so "sip:Reg.example.net:5060;
 * transport=udp" and "sips:reg.example.net" name the same server.  Writes
 * "HOST\nUSER@HOST" to out, cut to size (at least 1). */
void account_identity(const struct row_config *cfg, char *out, size_t size);

#endif /* SIPDIAGD_PARSE_H */
