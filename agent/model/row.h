/*
 * row.h - one row of sipDiagTable as data: its key (owner, name), its
 * configuration, its latest run, its counters and the runs it keeps.
 *
 * Readers (the MIB handlers, the notifier, the store) read these fields;
 * only rows.c and runs.c change them, through rows.h and runs.h.
 */
#ifndef SIPDIAGD_ROW_H
#define SIPDIAGD_ROW_H

#include "sipdiag.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* SNMPv2-TC values. */
enum { SD_TRUE = 1, SD_FALSE = 2 };
enum { SD_ST_OTHER = 1, SD_ST_VOLATILE = 2, SD_ST_NONVOLATILE = 3, SD_ST_PERMANENT = 4,
       SD_ST_READONLY = 5 };
enum { SD_RS_ACTIVE = 1, SD_RS_NOT_IN_SERVICE = 2, SD_RS_NOT_READY = 3,
       SD_RS_CREATE_AND_GO = 4, SD_RS_CREATE_AND_WAIT = 5, SD_RS_DESTROY = 6 };

/* sipDiagTrapGeneration bits (BITS: bit 0 is the first octet's 0x80). */
enum { TRAP_COMPLETE = 1u << 0, TRAP_FAILURE = 1u << 1, TRAP_RECOVERY = 1u << 2,
       TRAP_ALL = TRAP_COMPLETE | TRAP_FAILURE | TRAP_RECOVERY };

/* SipDiagTrigger: who started a run. */
enum run_trigger { TRIGGER_MANAGER = 1, TRIGGER_SCHEDULE = 2 };

/* sipDiagOwner and sipDiagName: UTF-8 without NUL, at most
 * SIPDIAG_AGENT_KEY_MAX octets each. */
struct row_key {
  char owner[SIPDIAG_AGENT_KEY_MAX + 1];
  char name[SIPDIAG_AGENT_KEY_MAX + 1];
};

/* The SIP configuration of a row, as strings the engine takes. */
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

/* How a row is monitored: the columns beside the SIP configuration. */
struct row_schedule {
  uint32_t frequency_s;        /* sipDiagFrequency, 0 = on demand only       */
  unsigned traps;              /* sipDiagTrapGeneration, TRAP_* bits         */
  uint32_t failure_threshold;  /* sipDiagFailureThreshold                    */
  uint32_t max_runs;           /* sipDiagMaxRuns                             */
};

/* One step of a kept run (sipDiagHistoryTable). */
struct run_step {
  uint32_t offset_ms;
  uint32_t cseq;
  int32_t status;
  uint8_t kind;                /* sipdiag_step_kind_t                        */
  char *info;                  /* owned; "" never NULL                       */
};

/* One completed run (sipDiagRunTable). */
struct run_record {
  uint32_t index;              /* sipDiagRunIndex                            */
  int64_t start_ms, end_ms;    /* wall clock                                 */
  uint32_t duration_ms;
  uint32_t code;
  uint32_t sip_status;
  uint32_t attempts;
  uint16_t server_port;
  uint8_t fault;               /* sipdiag_fault_t                            */
  uint8_t trigger;             /* enum run_trigger                           */
  uint8_t addr_len;            /* 0, 4 or 16                                 */
  uint8_t addr[16];
  char *diagnosis;             /* owned                                      */
  struct run_step *steps;      /* owned; none for runs read from the store   */
  uint32_t first_step;         /* sipDiagHistoryStep of steps[0]             */
  uint16_t n_steps;
};

/* The counters of a row (sipDiagStats...). */
struct row_stats {
  uint32_t runs, successes, failures;
  uint32_t consecutive_failures;
  int64_t last_good_ms;        /* 0 never                                    */
  int64_t fault_since_ms;      /* 0 when not failing                         */
  int last_fault;              /* sipdiag_fault_t of the last run            */
  bool in_failure;             /* the threshold was reached since a success  */
  uint32_t last_run_index;     /* the highest sipDiagRunIndex given          */
};

struct netsnmp_tdata_row_s;

struct diag_row {
  struct row_key key;
  struct row_config cfg;
  struct row_schedule sched;
  int storage;                 /* StorageType                                */
  int rowstatus;               /* active(1) or notInService(2)               */
  bool from_config;            /* one of the terminal's own accounts         */

  sipdiag_state_t state;
  sipdiag_run_t *run;          /* while running                              */
  sipdiag_result_t *result;    /* latest result (state complete/canceled),
                                  zeroed while requested/running; NULL none */
  enum run_trigger trigger;    /* of the current or latest run               */
  uint32_t result_run_index;   /* sipDiagRunIndex of *result, 0 none        */
  bool capture_files_off;      /* the latest run watched ICMP errors but
                                  wrote no file (sipdiagCaptureDir none)     */
  int64_t start_ms;            /* wall clock of the current/latest start     */
  struct timespec start_mono;

  struct row_stats stats;
  struct run_record *runs;     /* ring of sched.max_runs entries             */
  uint32_t runs_capacity, runs_first, runs_count;

  int64_t next_due_ms;         /* scheduler: monotonic ms, 0 = none          */

  struct netsnmp_tdata_row_s *trow;   /* in sipDiagTable                    */
};

#endif /* SIPDIAGD_ROW_H */
