/*
 * sipdiagd.h - the pieces of the SIP-DIAG-MIB subagent and how they meet.
 *
 * One thread: the su_root loop (loop.c) drives sofia and net-snmp.  The row
 * model (rows.c) owns every sipDiagTable row and its run; the SNMP handlers
 * (table.c, history.c, scalars.c) only read it or, for SETs, stage changes
 * and hand them to rows.c in COMMIT.  Nothing here ever blocks.
 */
#ifndef SIPDIAGD_H
#define SIPDIAGD_H

#include "sipdiag.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define SIPDIAGD_APP "sipdiagd"

/* sipDiagMIB = netSnmpPlaypen.5060 */
#define SIPDIAG_MIB_OID 1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 5060
#define SIPDIAG_MIB_OID_LEN 10

/* Columns of sipDiagTable. */
enum {
  COL_INDEX = 1,
  COL_REGISTRAR = 2,
  COL_AOR = 3,
  COL_AUTH_USER = 4,
  COL_PASSWORD = 5,
  COL_TRANSPORT = 6,
  COL_EXPIRES = 7,
  COL_PROXY = 8,
  COL_STATE = 10,
  COL_NOTIFY = 11,
  COL_RESULT_CODE = 12,
  COL_RESULT_FAULT = 13,
  COL_RESULT_SIP_STATUS = 14,
  COL_RESULT_DIAGNOSIS = 15,
  COL_RESULT_SIP_REASON = 16,
  COL_RESULT_ATTEMPTS = 17,
  COL_RESULT_PINGS_SENT = 18,
  COL_RESULT_PINGS_RECEIVED = 19,
  COL_RESULT_RTT = 20,
  COL_RESULT_ADDR_TYPE = 21,
  COL_RESULT_ADDR = 22,
  COL_RESULT_PORT = 23,
  COL_RESULT_TRANSPORT = 24,
  COL_RESULT_START = 25,
  COL_RESULT_END = 26,
  COL_RESULT_DURATION = 27,
  COL_RESULT_BINDING_REMOVED = 28,
  COL_RESULT_RUN_COUNT = 29,
  COL_STORAGE = 30,
  COL_ROWSTATUS = 31,
  /* the second revision: finer findings and packet evidence */
  COL_RESULT_REFINES = 32,
  COL_RESULT_ICMP_ERROR = 33,
  COL_RESULT_NAT = 34,
  COL_RESULT_TARGETS = 35,
  COL_RESULT_CAPTURE_PATH = 36,
  COL_RESULT_CAPTURE_NOTE = 37,
  COL_RESULT_CAPTURE_PACKETS = 38,
  COL_RESULT_TRANSPORT_CHECK = 39,
};

/* SNMPv2-TC values used here. */
enum { SD_TRUE = 1, SD_FALSE = 2 };
enum { SD_ST_OTHER = 1, SD_ST_VOLATILE = 2, SD_ST_NONVOLATILE = 3, SD_ST_PERMANENT = 4,
       SD_ST_READONLY = 5 };
enum { SD_RS_ACTIVE = 1, SD_RS_NOT_IN_SERVICE = 2, SD_RS_NOT_READY = 3,
       SD_RS_CREATE_AND_GO = 4, SD_RS_CREATE_AND_WAIT = 5, SD_RS_DESTROY = 6 };

/* The configuration columns of a row (2-8), as strings the engine takes. */
struct row_config {
  char registrar[SIPDIAG_AGENT_TEXT_MAX + 1];
  char aor[SIPDIAG_AGENT_TEXT_MAX + 1];
  char auth_user[SIPDIAG_AGENT_TEXT_MAX + 1];
  char password[SIPDIAG_AGENT_TEXT_MAX + 1];   /* never read back, never logged */
  char proxy[SIPDIAG_AGENT_TEXT_MAX + 1];
  sipdiag_transport_t transport;
  uint32_t expires;
  /* Declared without a password (auth=none in sipdiagd.conf: an
   * IP-authenticated trunk); managers' rows always carry one. */
  bool no_password;
};

struct netsnmp_tdata_row_s;

struct diag_row {
  uint32_t index;
  struct row_config cfg;
  int notify;                 /* TruthValue                                  */
  int storage;                /* StorageType                                 */
  int rowstatus;              /* active(1) or notInService(2)                */
  bool from_config;           /* one of the terminal's own accounts          */
  int file_notify;            /* notify= as last read from the file         */

  sipdiag_state_t state;
  sipdiag_run_t *run;         /* while running                              */
  sipdiag_result_t *result;   /* NULL = no result; else valid for state
                                 complete/canceled, zeroed before            */
  bool capture_files_off;     /* the latest run watched ICMP errors but
                                 wrote no file (sipdiagCaptureDir none)      */
  int64_t start_ms;           /* wall clock of the current/latest start     */
  struct timespec start_mono;
  uint32_t run_count;

  struct netsnmp_tdata_row_s *trow;                /* in sipDiagTable        */
  struct netsnmp_tdata_row_s *hist[SIPDIAG_MAX_STEPS]; /* in the history   */
  unsigned n_hist;
};

/* ---- rows.c: the row model ------------------------------------------------ */

int rows_init(struct su_root_s *root);      /* 0 or -1 */
void rows_shutdown(void);
struct netsnmp_tdata_s *rows_tdata(void);
struct diag_row *rows_find(uint32_t index);
struct diag_row *rows_first(void);
struct diag_row *rows_next(const struct diag_row *row);
unsigned rows_count(void);
unsigned rows_in_progress(void);            /* requested + running          */
uint32_t rows_started_total(void);
uint32_t rows_completed_total(void);

/* A detached row with the MIB's defaults (NULL on ENOMEM). */
struct diag_row *row_alloc(uint32_t index);
/* Prepares the tdata row of a detached row (false on ENOMEM). */
bool row_prepare(struct diag_row *row);
/* Puts a prepared row into the table (false when the container refuses). */
bool rows_insert(struct diag_row *row);
/* Takes a row out of the table again (undo of rows_insert); stays allocated. */
void rows_unlink(struct diag_row *row);
/* Frees a detached row. */
void row_free(struct diag_row *row);
/* Aborts its run (no notification), removes it from the table, frees it. */
void rows_destroy(struct diag_row *row);

/* Discards results and history; state none. */
void row_clear_results(struct diag_row *row);
/* Marks the row requested; buf (zeroed, owned by the row from now on)
 * receives the result.  The run starts from the loop, never in a SET. */
void row_request(struct diag_row *row, sipdiag_result_t *buf);
/* Stops a run without a result or notification, and clears results. */
void row_abort(struct diag_row *row);
/* Stops a requested or running run: state canceled, fault canceled. */
void row_cancel(struct diag_row *row);
/* Starts every requested row; called by the loop each turn. */
void rows_start_pending(void);
/* Requested rows still wait to be started (the loop must not sleep). */
bool rows_starts_pending(void);
/* Elapsed milliseconds of the run in progress. */
uint32_t row_elapsed_ms(const struct diag_row *row);

/* The SIP account a configuration names (registrar host + AOR), hashed. */
uint64_t rows_account_key(const struct row_config *cfg);
enum rerun_verdict { RERUN_OK, RERUN_BUSY, RERUN_TOO_SOON, RERUN_NO_ROOM };
/* Whether a diagnosis of that account may be requested now
 * (sipdiagMinRerunInterval): not while one runs (any row), nor sooner than
 * the interval after the last one ended.  new_slots: accounts the same SET
 * requests that take a new entry (*new_slot: this one does too). */
enum rerun_verdict rows_rerun_check(uint64_t key, unsigned new_slots, bool *new_slot);
/* False when sipdiagMinRerunInterval is 0: no limit of any kind per account. */
bool rows_rerun_limited(void);

/* ---- text helpers (rows.c) ------------------------------------------------ */

/* Length of s cut to at most max octets on a UTF-8 character boundary. */
size_t utf8_clip(const char *s, size_t max);
/* Whether the len octets form valid UTF-8 (SnmpAdminString). */
bool utf8_valid(const unsigned char *s, size_t len);
/* DateAndTime (11 octets, UTC) of a wall-clock time in ms; 8 zero octets
 * for ms <= 0.  Returns the length written to out[11]. */
size_t date_and_time(int64_t ms, unsigned char out[11]);

/* ---- history.c ------------------------------------------------------------ */

int history_init(void);
void history_shutdown(void);
/* Rebuilds the history rows of one row from row->result (or removes them). */
void history_update(struct diag_row *row);
void history_clear(struct diag_row *row);

/* ---- table.c -------------------------------------------------------------- */

int table_init(void);
void table_shutdown(void);
/* sipDiagResultTargets: "udp 192.0.2.1:5060 (answered); tcp ... (tried)",
 * at most SIPDIAG_AGENT_TEXT_MAX octets ("; +N more" when cut); size must
 * be more than SIPDIAG_AGENT_TEXT_MAX. */
void format_targets(const sipdiag_result_t *r, char *out, size_t size);
/* sipDiagResultNat: "seen as A:P, sent from B:Q", or "". */
void format_nat(const sipdiag_result_t *r, char *out, size_t size);

/* ---- evidence.c: packet capture settings (sipdiagCapture, sipdiagCaptureDir) */

void evidence_init(void);
/* Fills settings->capture and settings->capture_dir for a run starting now
 * (creating the directory when needed). */
void evidence_settings(sipdiag_settings_t *settings);

/* ---- scalars.c ------------------------------------------------------------ */

enum scalar_id {
  SC_TIMER, SC_ATTEMPTS, SC_PINGS, SC_ATTEMPT_TIMEOUT, SC_MAX_CONCURRENT,
  SC_COUNT
};
int scalars_init(void);
void scalars_settings(sipdiag_settings_t *settings);
/* Diagnoses that may run at once: sipDiagMaxConcurrent, capped by what
 * the descriptor limit allows (fdlimit_fit()). */
unsigned scalars_max_concurrent(void);
/* Persistence of values a manager set (persist.c calls these). */
bool scalars_override(enum scalar_id id, unsigned *value);
bool scalars_set_override(enum scalar_id id, unsigned value); /* false = out of range */
const char *scalars_name(enum scalar_id id);
/* The text scalars: sipDiagTlsCaFile and sipDiagTlsCaDir. */
enum text_scalar_id { ST_CA_FILE, ST_CA_DIR, ST_COUNT };
const char *scalars_text_name(enum text_scalar_id id);
/* A manager's value (non-empty), or false. */
bool scalars_text_override(enum text_scalar_id id, const char **text);
/* false = not a value ca_path_value_ok() accepts; "" removes the override. */
bool scalars_set_text_override(enum text_scalar_id id, const char *text);

/* ---- fdlimit.c: RLIMIT_NOFILE for the concurrent diagnoses ---------------- */

/* Raises the soft open-files limit (up to the hard one) for wanted
 * concurrent diagnoses; returns how many the limit allows (1..wanted) and
 * logs when that is fewer.  Cheap when wanted has not changed. */
unsigned fdlimit_fit(unsigned wanted);
/* Diagnoses a soft limit of this many descriptors allows (at least 1). */
unsigned fdlimit_capacity(unsigned long long soft_limit);

/* ---- notify.c ------------------------------------------------------------- */

void notify_complete(const struct diag_row *row);

/* ---- persist.c ------------------------------------------------------------ */

void persist_init(void);
/* True once the first reading of the configuration has ended. */
bool persist_initial_load_done(void);
void persist_mark_loaded(void);
void persist_changed(void);                 /* snmp_store_needed() */

/* ---- accounts.c ------------------------------------------------------------ */

void accounts_init(void);
void accounts_shutdown(void);
/* Makes the table's configuration rows match the accounts just read
 * (called after every reading of the configuration). */
void accounts_apply(void);

/* ---- loop.c --------------------------------------------------------------- */

struct su_root_s *loop_create(void);
/* Runs until *stop becomes true; calls reload() when *reload is set. */
void loop_run(volatile int *stop, volatile int *reload, void (*on_reload)(void));
/* Unregisters net-snmp's fds: call before snmp_shutdown(). */
void loop_destroy(void);
/* Destroys the root: after the engine and snmp_shutdown(). */
void loop_free(void);
/* Ends the current turn at once; async-signal-safe. */
void loop_wake(void);

/* ---- agentx_dedup.c -------------------------------------------------------- */

/* Puts the filter of the master's retransmitted requests in front of the
 * AgentX session, once per session (cheap: call every loop turn). */
void agentx_dedup_attach(void);

#endif /* SIPDIAGD_H */
