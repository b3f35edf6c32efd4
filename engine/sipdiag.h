/*
 * sipdiag.h - the diagnosis engine's public interface.
 *
 * The engine finds out why a SIP account cannot register: it checks the
 * account's settings, sends REGISTER to the registrar, answers digest
 * challenges and Min-Expires, pings the server when SIP stays silent, and
 * reports one result per diagnosis.  It runs on a caller-provided sofia
 * su_root, many diagnoses at once, and knows nothing of SNMP.
 *
 * Ownership: the engine copies every string of the account it is given;
 * the caller may free them as soon as sipdiag_start() returns.
 *
 * Threads: an engine and its runs belong to the thread that runs their
 * su_root; sipdiag_start(), sipdiag_cancel(), sipdiag_engine_running() and
 * sipdiag_engine_destroy() must be called from it, and every callback comes
 * from it.  Two engines on two roots in two threads share nothing but the
 * random seed (srandom() at engine creation) and sofia's own global state
 * (su_init(), its log), which the caller sets up once.  The pure functions
 * (the fault table and names, sipdiag_settings_*, sipdiag_account_check)
 * keep no state and may be called from any thread.
 */
#ifndef SIPDIAG_H
#define SIPDIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "sipdiag_limits.h"
#include "fault_table.h"

/* Transport of the account; the values are SIP-DIAG-MIB's. */
typedef enum sipdiag_transport {
  SIPDIAG_TRANSPORT_AUTO = 1,
  SIPDIAG_TRANSPORT_UDP = 2,
  SIPDIAG_TRANSPORT_TCP = 3,
  SIPDIAG_TRANSPORT_TLS = 4,
} sipdiag_transport_t;

/* Fault classes, numbered as SIP-DIAG-MIB's SipDiagFault. */
typedef enum sipdiag_fault {
#define SIPDIAG_FAULT_ENUM(cname, name, mib, codes, meaning, advice) \
  SIPDIAG_FAULT_##cname = mib,
  SIPDIAG_FAULT_TABLE(SIPDIAG_FAULT_ENUM)
#undef SIPDIAG_FAULT_ENUM
} sipdiag_fault_t;

/* The patent's own codes; 100-699 are SIP status codes. */
enum {
  SIPDIAG_CODE_NONE = 0,
  SIPDIAG_CODE_CONFIG_INCOMPLETE = 1,
  SIPDIAG_CODE_NETWORK_UNREACHABLE = 2,
  SIPDIAG_CODE_SERVER_NO_RESPONSE = 3,
  /* 4-99: finer local findings, each documented in docs/FAULTS.md
   * (generated from this enum and fault_table.h, checked by a test). */
  SIPDIAG_CODE_PING_UNAVAILABLE = 4, /* SIP silent, and ICMP not permitted */
  SIPDIAG_CODE_DNS_NO_NAME = 10,     /* the name or its records do not exist */
  SIPDIAG_CODE_DNS_NO_ANSWER = 11,   /* no DNS server answered in time    */
  SIPDIAG_CODE_PORT_UNREACHABLE = 20,/* ICMP port unreachable, TCP reset  */
  SIPDIAG_CODE_NET_UNREACHABLE = 21, /* ICMP network unreachable          */
  SIPDIAG_CODE_HOST_UNREACHABLE = 22,/* ICMP host unreachable             */
  SIPDIAG_CODE_ADMIN_PROHIBITED = 23,/* ICMP administratively prohibited  */
  SIPDIAG_CODE_TLS_HANDSHAKE = 30,   /* TLS handshake failed              */
  SIPDIAG_CODE_TLS_CERTIFICATE = 31, /* the server's certificate rejected */
  SIPDIAG_CODE_AUTH_ALGORITHM = 40,  /* no digest algorithm we can answer */
  SIPDIAG_CODE_MALFORMED = 50,       /* a status code outside 100-999     */
  SIPDIAG_CODE_FLOOD = 51,           /* more responses than a run accepts */
  SIPDIAG_CODE_INCOMPLETE_RESPONSE = 52, /* 401/407 without its challenge */
  SIPDIAG_CODE_BINDING_NOT_STORED = 53,  /* 2xx to REGISTER without Contact */
  SIPDIAG_CODE_INTERNAL_ERROR = 99,  /* the terminal could not run it     */
};

/* One SIP account as the terminal has it configured.  NULL or "" = unset. */
typedef struct sipdiag_account {
  const char *registrar;      /* sip: or sips: URI of the registrar        */
  const char *aor;            /* address of record, sip:user@domain        */
  const char *auth_user;      /* digest user; unset = the AOR's user part  */
  const char *password;
  const char *outbound_proxy; /* sip: or sips: URI; unset = none           */
  sipdiag_transport_t transport;
  unsigned expires;           /* seconds asked for in REGISTER, > 0        */
  /* Declared without password (an IP-authenticated trunk): the check does
   * not ask for one, and a 401/407 is then a finding, not a step. */
  bool no_password;
} sipdiag_account_t;

/* How one diagnosis runs. */
typedef struct sipdiag_settings {
  unsigned timer_s;            /* self-diagnosis timer                      */
  /* Packet evidence: false = no capture at all (nor ICMP error findings);
   * capture_dir "" = decode ICMP errors but write no file. */
  bool capture;
  char capture_dir[SIPDIAG_PATH_MAX];
  unsigned attempts;           /* REGISTERs per class of answer             */
  unsigned attempt_timeout_ms; /* one transaction without a final answer    */
  unsigned pings;              /* ICMP echo requests on SIP silence         */
  unsigned ping_interval_ms;
  unsigned ping_wait_ms;       /* wait for a reply after the last request   */
  /* The CAs a TLS server's certificate must chain to: a PEM file and/or a
   * hashed directory (c_rehash / openssl rehash).  Both "": the system's
   * default store; both set: both are trusted.  They apply to the SIP
   * stack's own TLS connections and to the transport check alike. */
  char ca_file[SIPDIAG_CA_PATH_MAX];
  char ca_dir[SIPDIAG_CA_PATH_MAX];
} sipdiag_settings_t;

/* Kinds of step in a diagnosis history; the values are SIP-DIAG-MIB's. */
typedef enum sipdiag_step_kind {
  SIPDIAG_STEP_REGISTER_SENT = 1,  /* a REGISTER left (cseq, expires)        */
  SIPDIAG_STEP_RESPONSE = 2,       /* a response from the network            */
  SIPDIAG_STEP_LOCAL_RESPONSE = 3, /* generated locally: timeout, transport  */
  SIPDIAG_STEP_PING_SENT = 4,
  SIPDIAG_STEP_PING_REPLY = 5,
  SIPDIAG_STEP_PING_ERROR = 6,     /* the echo request could not be sent     */
  SIPDIAG_STEP_TIMER_EXPIRED = 7,  /* the self-diagnosis timer fired         */
  SIPDIAG_STEP_CANCELED = 8,
  SIPDIAG_STEP_DNS_RESULT = 9,     /* where the first hop resolved to        */
  SIPDIAG_STEP_ICMP_ERROR = 10,    /* an ICMP error about one of our packets */
  SIPDIAG_STEP_TRANSPORT_CHECK = 11, /* own TCP/TLS connection test: outcome */
} sipdiag_step_kind_t;

typedef struct sipdiag_step {
  sipdiag_step_kind_t kind;
  uint32_t offset_ms;  /* since the diagnosis started                       */
  uint32_t cseq;       /* REGISTER steps and their responses; else 0        */
  int status;          /* SIP status, or echo sequence for pings; else 0     */
  bool cleanup;        /* part of removing the probe's own binding           */
  char info[SIPDIAG_STEP_INFO_MAX]; /* reason phrase, expires, rtt...       */
} sipdiag_step_t;

/* One place the registrar's name resolved to (RFC 3263). */
typedef struct sipdiag_target {
  char text[SIPDIAG_TARGET_TEXT_MAX];  /* "udp 192.0.2.1:5060"              */
  bool tried;                          /* a REGISTER was sent to it          */
  bool answered;                       /* a response came back from it       */
} sipdiag_target_t;

/* The state of a diagnosis, as the MIB shows it. */
typedef enum sipdiag_state {
  SIPDIAG_STATE_NONE = 1,
  SIPDIAG_STATE_REQUESTED = 2,
  SIPDIAG_STATE_RUNNING = 3,
  SIPDIAG_STATE_COMPLETE = 4,
  SIPDIAG_STATE_CANCELED = 5,
} sipdiag_state_t;

/* Everything one diagnosis found.  Plain data, no pointers: copy freely. */
typedef struct sipdiag_result {
  sipdiag_state_t state;
  unsigned code;              /* patent code space, see the enum above     */
  sipdiag_fault_t fault;
  int sip_status;             /* last final status from the network, 0 none */
  char sip_reason[SIPDIAG_REASON_MAX];
  unsigned registers_sent;    /* REGISTERs of the diagnosis proper          */
  unsigned cleanup_registers; /* REGISTERs removing the probe's binding     */
  bool binding_removed;       /* a 200 to the removal was received          */
  /* Bindings of the account (other than the probe's) a 2xx to the binding
   * query listed; -1 when no query was answered with a 2xx. */
  int bindings;
  unsigned pings_sent;
  unsigned pings_received;
  int rtt_ms;                 /* first response from the network; -1 none   */
  char server_address[SIPDIAG_ADDRESS_MAX]; /* "" when never resolved      */
  /* NAT hint (information, not a fault): the server saw the request come
   * from another address or port than the terminal's Via says. */
  bool nat_detected;
  char nat_seen_as[SIPDIAG_ADDRESS_MAX + 8];  /* "203.0.113.7:40000"       */
  char nat_local[SIPDIAG_ADDRESS_MAX + 8];    /* what the Via said         */
  unsigned server_port;
  sipdiag_transport_t server_transport;
  char account[SIPDIAG_URI_MAX];            /* the AOR as configured        */
  /* Packet evidence: the pcap file of this run, or why there is none. */
  char capture_path[SIPDIAG_PATH_MAX];
  char capture_note[SIPDIAG_STEP_INFO_MAX * 2];
  unsigned capture_packets;   /* packets written to the file                */
  /* The last ICMP error about our packets ("" none), e.g. "ICMP port
   * unreachable from 127.0.0.1". */
  char icmp_error[SIPDIAG_STEP_INFO_MAX * 2];
  /* The TCP/TLS transport check of a connection-oriented target: what it
   * found ("" when none ran), e.g. "TLS certificate rejected: ...". */
  char transport_check[SIPDIAG_TC_TEXT_MAX];
  unsigned n_targets;         /* where the first hop's name resolved to     */
  sipdiag_target_t targets[SIPDIAG_MAX_TARGETS];
  int64_t start_ms;           /* wall clock, milliseconds since the epoch  */
  int64_t end_ms;
  uint32_t duration_ms;
  char diagnosis[SIPDIAG_DIAGNOSIS_MAX];
  unsigned n_steps;           /* steps stored                               */
  unsigned steps_dropped;     /* steps beyond SIPDIAG_MAX_STEPS             */
  sipdiag_step_t steps[SIPDIAG_MAX_STEPS];
} sipdiag_result_t;

/* ---- the fault table --------------------------------------------------- */

const char *sipdiag_fault_name(sipdiag_fault_t fault);
const char *sipdiag_fault_meaning(sipdiag_fault_t fault);
const char *sipdiag_fault_advice(sipdiag_fault_t fault);
const char *sipdiag_fault_codes(sipdiag_fault_t fault);
/* The patent's class a finer class refines (serviceNotListening refines
 * serverNoResponse...); a patent class refines itself. */
sipdiag_fault_t sipdiag_fault_refines(sipdiag_fault_t fault);
/* The class a code belongs to (SUCCESS for 2xx, AUTH_FAILURE for 401...). */
sipdiag_fault_t sipdiag_fault_for_code(unsigned code);
/* Iteration over the table: first and last MIB value. */
#define SIPDIAG_FAULT_FIRST SIPDIAG_FAULT_NONE
#define SIPDIAG_FAULT_LAST  SIPDIAG_FAULT_MALFORMED_RESPONSE

const char *sipdiag_transport_name(sipdiag_transport_t transport);
/* "auto", "udp", "tcp", "tls" -> value; 0 when unknown. */
sipdiag_transport_t sipdiag_transport_parse(const char *name);
const char *sipdiag_state_name(sipdiag_state_t state);
const char *sipdiag_step_kind_name(sipdiag_step_kind_t kind);

/* ---- settings and account ---------------------------------------------- */

void sipdiag_settings_default(sipdiag_settings_t *settings);
/* NULL when valid, else a message naming the bad setting.  The timer must
 * cover sipdiag_settings_needed_ms(): a silent server's attempts and the
 * pings that follow them. */
const char *sipdiag_settings_check(const sipdiag_settings_t *settings);
/* The longest a silent server's diagnosis takes: every attempt timing out
 * and every ping waited for. */
uint64_t sipdiag_settings_needed_ms(const sipdiag_settings_t *settings);

/*
 * The configuration check (the patent's step S12).  Writes a readable list
 * of every missing or malformed field into problems ("" when complete) and
 * returns how many there are.  The password is never copied out.
 */
unsigned sipdiag_account_check(const sipdiag_account_t *account,
                               char *problems, size_t problems_size);

/* ---- running diagnoses -------------------------------------------------- */

typedef struct sipdiag_engine sipdiag_engine_t;
typedef struct sipdiag_run sipdiag_run_t;

/* Called once per diagnosis, from the su_root loop.  The run is freed when
 * the callback returns; result is only valid during the call. */
typedef void sipdiag_done_f(void *context, const sipdiag_result_t *result);

struct su_root_s;

sipdiag_engine_t *sipdiag_engine_create(struct su_root_s *root);
/* Cancels every running diagnosis without calling their callbacks. */
void sipdiag_engine_destroy(sipdiag_engine_t *engine);

/* Closing a packet-capture socket blocks the caller for one kernel grace
 * period (12-17 ms).  A program that must stay responsive (sipdiagd) hands
 * the engine a function that closes a descriptor elsewhere, another thread
 * for instance; the engine calls it, from the thread that runs the engine,
 * with sockets nothing reaches any more.  NULL (the default): close() at
 * once.  Set before any diagnosis starts; process-wide. */
typedef void sipdiag_socket_closer_f(int fd);
void sipdiag_set_socket_closer(sipdiag_socket_closer_f *close_fd);
unsigned sipdiag_engine_running(const sipdiag_engine_t *engine);

/*
 * Start one diagnosis.  Returns 0 and the run in *run_out (may be NULL), or
 * an errno value when it could not be started at all (EINVAL for bad
 * settings, ENOMEM).  An incomplete account is not an error: the diagnosis
 * completes with configIncomplete, through the callback, like any other.
 * The callback is never called from within sipdiag_start().
 */
int sipdiag_start(sipdiag_engine_t *engine,
                  const sipdiag_account_t *account,
                  const sipdiag_settings_t *settings,
                  sipdiag_done_f *done, void *context,
                  sipdiag_run_t **run_out);

/*
 * Abort a running diagnosis: stops its transactions and pings and frees it.
 * The callback is not called; when partial is not NULL it receives the
 * result so far, with state canceled and fault canceled.
 */
void sipdiag_cancel(sipdiag_run_t *run, sipdiag_result_t *partial);

#endif /* SIPDIAG_H */
