/*
 * table.c - sipDiagTable: GET and the four-phase SET.
 *
 * SET never half-applies a row.  RESERVE1 checks each varbind on its own
 * (notWritable, wrongType, wrongLength, wrongValue, noCreation for an index
 * out of range) and records the value in a staging area, one entry per row.
 * RESERVE2 checks every staged row as a whole (inconsistentValue,
 * noCreation, resourceUnavailable: too many rows or diagnoses, or an account
 * diagnosed too recently) and allocates all it will need.  ACTION
 * only links new rows into the table (undone by UNDO).  COMMIT copies the
 * staged values into the rows with plain assignments, so it cannot fail,
 * and leaves starting a run to the loop.  COMMIT, UNDO and FREE each end the
 * transaction and free the staging.
 *
 * StorageType follows RFC 2579: a manager chooses volatile or nonVolatile;
 * permanent and readOnly are the agent's (the terminal's own accounts) and
 * cannot be written (wrongValue).  Of a permanent row only sipDiagState and
 * sipDiagRowStatus active/notInService are writable, of a readOnly row
 * nothing (notWritable); neither can be destroyed.
 *
 * The trigger is idempotent: requested(2) on a row that is requested or
 * running already is noError and starts nothing (a manager's retransmitted
 * SET).
 */
#include "config.h"
#include "agent-snmp.h"
#include "mib/table.h"
#include "mib/mib.h"
#include "config/parse.h"
#include "mib/values.h"
#include "config/settings.h"
#include "rows/rows.h"
#include "model/key.h"
#include "rows/rerun.h"
#include "rows/runs.h"
#include "util/text.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static const oid table_oid[] = { SIPDIAG_MIB_OID, 1, ARC_TABLE };

/* One row touched by the SET being processed. */
struct staged {
  struct staged *next;
  struct row_key key;
  struct diag_row *row;          /* existing row, or the new detached one  */
  bool create;                   /* the row is created by this SET         */
  bool inserted;                 /* ACTION linked it into the table         */
  bool checked;                  /* RESERVE2 done                          */
  struct row_config cfg;         /* configuration after the SET            */
  bool cfg_written;              /* a column 2-8 is written                */
  int storage, rowstatus, state;   /* 0 = not written                      */
  struct row_schedule sched;     /* schedule after the SET                 */
  bool sched_written;
  unsigned rowstatus_writes;
  sipdiag_result_t *result_buf;  /* allocated for requested(2)             */
  uint64_t account;              /* rerun_account_key() of cfg, requested(2) */
};

static struct staged *staging;
static long staging_transid = -1;

static void staging_free(void)
{
  while (staging) {
    struct staged *s = staging;
    staging = s->next;
    if (s->create && !s->inserted)
      row_free(s->row);          /* never became visible                   */
    free(s->result_buf);
    explicit_bzero(&s->cfg, sizeof s->cfg);
    free(s);
  }
  staging_transid = -1;
}

static struct staged *staging_find(const struct row_key *key)
{
  for (struct staged *s = staging; s; s = s->next)
    if (row_key_equal(&s->key, key))
      return s;
  return NULL;
}

/* The row key of a request's index (owner, name); false when it is none. */
static bool request_key(const netsnmp_table_request_info *ti, struct row_key *key)
{
  const netsnmp_variable_list *owner = ti ? ti->indexes : NULL;
  const netsnmp_variable_list *name = owner ? owner->next_variable : NULL;
  return owner && name && owner->type == ASN_OCTET_STR && name->type == ASN_OCTET_STR &&
         row_key_set(key, owner->val.string, owner->val_len, name->val.string, name->val_len);
}

/* ---- reading -------------------------------------------------------------------- */

static void set_string(netsnmp_request_info *req, const char *s, size_t max)
{
  size_t len = utf8_clip(s, max);
  snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, s, len);
}

static void set_int(netsnmp_request_info *req, long v)
{
  snmp_set_var_typed_integer(req->requestvb, ASN_INTEGER, v);
}

static void set_uint(netsnmp_request_info *req, u_char type, unsigned long v)
{
  snmp_set_var_typed_integer(req->requestvb, type, (long)v);
}

void format_nat(const sipdiag_result_t *r, char *out, size_t size)
{
  if (r && r->nat_detected)
    snprintf(out, size, "seen as %s, sent from %s", r->nat_seen_as, r->nat_local);
  else if (size)
    out[0] = '\0';
}

void format_targets(const sipdiag_result_t *r, char *out, size_t size)
{
  size_t max = size - 1 < SIPDIAG_AGENT_TEXT_MAX ? size - 1 : SIPDIAG_AGENT_TEXT_MAX;
  size_t len = 0;
  unsigned n = r ? r->n_targets : 0;
  if (n > SIPDIAG_MAX_TARGETS)
    n = SIPDIAG_MAX_TARGETS;
  out[0] = '\0';
  for (unsigned i = 0; i < n; i++) {
    const sipdiag_target_t *t = &r->targets[i];
    char item[SIPDIAG_TARGET_TEXT_MAX + 16], more[32];
    snprintf(item, sizeof item, "%s%.*s%s", i ? "; " : "", (int)sizeof t->text, t->text,
             t->answered ? " (answered)" : t->tried ? " (tried)" : "");
    size_t ilen = strlen(item);
    /* room for "; +N more" of the targets after this one */
    unsigned after = n - i - 1;
    size_t reserve = after ? (size_t)snprintf(more, sizeof more, "; +%u more", after) : 0;
    if (len + ilen + reserve > max) {
      /* the previous round kept room for this */
      snprintf(more, sizeof more, "%s+%u more", len ? "; " : "", n - i);
      snprintf(out + len, size - len, "%s", more);
      return;
    }
    memcpy(out + len, item, ilen + 1);
    len += ilen;
  }
}

static void get_column(netsnmp_request_info *req, const struct diag_row *row, unsigned col)
{
  bool have = row->result && (row->state == SIPDIAG_STATE_COMPLETE ||
                              row->state == SIPDIAG_STATE_CANCELED);
  bool running = row->state == SIPDIAG_STATE_RUNNING;
  const sipdiag_result_t *r = have ? row->result : NULL;
  unsigned char dt[11];

  switch (col) {
  case COL_REGISTRAR: set_string(req, row->cfg.registrar, SIPDIAG_AGENT_TEXT_MAX); break;
  case COL_AOR: set_string(req, row->cfg.aor, SIPDIAG_AGENT_TEXT_MAX); break;
  case COL_AUTH_USER: set_string(req, row->cfg.auth_user, SIPDIAG_AGENT_TEXT_MAX); break;
  case COL_PASSWORD: snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, "", 0); break;
  case COL_TRANSPORT: set_int(req, row->cfg.transport); break;
  case COL_EXPIRES: set_uint(req, ASN_UNSIGNED, row->cfg.expires); break;
  case COL_PROXY: set_string(req, row->cfg.proxy, SIPDIAG_AGENT_TEXT_MAX); break;
  case COL_STATE: set_int(req, row->state); break;
  case COL_FREQUENCY: set_uint(req, ASN_UNSIGNED, row->sched.frequency_s); break;
  case COL_TRAP_GENERATION: {
    unsigned char bits[1];
    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, bits,
                             traps_to_bits(row->sched.traps, bits));
    break;
  }
  case COL_FAILURE_THRESHOLD: set_uint(req, ASN_UNSIGNED, row->sched.failure_threshold); break;
  case COL_MAX_RUNS: set_uint(req, ASN_UNSIGNED, row->sched.max_runs); break;
  case COL_RESULT_CODE: set_uint(req, ASN_UNSIGNED, r ? r->code : 0); break;
  case COL_RESULT_FAULT: set_int(req, r ? r->fault : SIPDIAG_FAULT_NONE); break;
  case COL_RESULT_SIP_STATUS:
    set_uint(req, ASN_UNSIGNED, r && r->sip_status > 0 ? (unsigned long)r->sip_status : 0);
    break;
  case COL_RESULT_DIAGNOSIS: {
    const char *d = r ? r->diagnosis : "";
    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, d,
                             text_clip_readable(d, SIPDIAG_AGENT_TEXT_MAX));
    break;
  }
  case COL_RESULT_SIP_REASON: set_string(req, r ? r->sip_reason : "", SIPDIAG_AGENT_TEXT_MAX); break;
  case COL_RESULT_ATTEMPTS:
    set_uint(req, ASN_UNSIGNED, r ? r->registers_sent + r->cleanup_registers : 0);
    break;
  case COL_RESULT_PINGS_SENT: set_uint(req, ASN_UNSIGNED, r ? r->pings_sent : 0); break;
  case COL_RESULT_PINGS_RECEIVED: set_uint(req, ASN_UNSIGNED, r ? r->pings_received : 0); break;
  case COL_RESULT_RTT:
    set_uint(req, ASN_UNSIGNED, r && r->rtt_ms > 0 ? (unsigned long)r->rtt_ms : 0);
    break;
  case COL_RESULT_ADDR_TYPE:
  case COL_RESULT_ADDR: {
    unsigned char addr[16];
    long type = 0;
    size_t len = 0;
    if (r && r->server_address[0]) {
      if (inet_pton(AF_INET, r->server_address, addr) == 1)
        type = 1, len = 4;
      else if (inet_pton(AF_INET6, r->server_address, addr) == 1)
        type = 2, len = 16;
    }
    if (col == COL_RESULT_ADDR_TYPE)
      set_int(req, type);
    else
      snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, addr, len);
    break;
  }
  case COL_RESULT_PORT: set_uint(req, ASN_UNSIGNED, r ? r->server_port : 0); break;
  case COL_RESULT_TRANSPORT:
    set_int(req, r && r->server_transport ? r->server_transport : SIPDIAG_TRANSPORT_AUTO);
    break;
  case COL_RESULT_START: {
    int64_t ms = r ? r->start_ms : running ? row->start_ms : 0;
    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, dt, date_and_time(ms, dt));
    break;
  }
  case COL_RESULT_END:
    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, dt,
                             date_and_time(r ? r->end_ms : 0, dt));
    break;
  case COL_RESULT_DURATION:
    set_uint(req, ASN_UNSIGNED, r ? r->duration_ms : running ? row_elapsed_ms(row) : 0);
    break;
  case COL_RESULT_BINDING_REMOVED:
    set_int(req, r && r->binding_removed ? SD_TRUE : SD_FALSE);
    break;
  case COL_STORAGE: set_int(req, row->storage); break;
  case COL_ROWSTATUS: set_int(req, row->rowstatus); break;
  case COL_RESULT_REFINES:
    set_int(req, r ? sipdiag_fault_refines(r->fault) : SIPDIAG_FAULT_NONE);
    break;
  case COL_RESULT_ICMP_ERROR: set_string(req, r ? r->icmp_error : "", SIPDIAG_AGENT_TEXT_MAX); break;
  case COL_RESULT_NAT: {
    char text[SIPDIAG_AGENT_TEXT_MAX + 1];
    format_nat(r, text, sizeof text);
    set_string(req, text, SIPDIAG_AGENT_TEXT_MAX);
    break;
  }
  case COL_RESULT_TARGETS: {
    char text[SIPDIAG_AGENT_TEXT_MAX + 1];
    format_targets(r, text, sizeof text);
    set_string(req, text, SIPDIAG_AGENT_TEXT_MAX);
    break;
  }
  case COL_RESULT_CAPTURE_PATH:
    set_string(req, r ? r->capture_path : "", SIPDIAG_AGENT_TEXT_MAX);
    break;
  case COL_RESULT_CAPTURE_NOTE:
    set_string(req, r ? r->capture_note : "", SIPDIAG_AGENT_TEXT_MAX);
    break;
  case COL_RESULT_CAPTURE_PACKETS: set_uint(req, ASN_UNSIGNED, r ? r->capture_packets : 0); break;
  case COL_RESULT_TRANSPORT_CHECK:
    set_string(req, r ? r->transport_check : "", SIPDIAG_AGENT_TEXT_MAX);
    break;
  case COL_RESULT_RUN_INDEX: set_uint(req, ASN_UNSIGNED, r ? row->result_run_index : 0); break;
  case COL_RESULT_TRIGGER: set_int(req, row->trigger); break;
  case COL_STATS_RUNS: set_uint(req, ASN_COUNTER, row->stats.runs); break;
  case COL_STATS_SUCCESSES: set_uint(req, ASN_COUNTER, row->stats.successes); break;
  case COL_STATS_FAILURES: set_uint(req, ASN_COUNTER, row->stats.failures); break;
  case COL_STATS_CONSECUTIVE_FAILURES:
    set_uint(req, ASN_GAUGE, row->stats.consecutive_failures);
    break;
  case COL_STATS_LAST_GOOD_TIME:
    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, dt,
                             date_and_time(row->stats.last_good_ms, dt));
    break;
  case COL_STATS_FAULT_SINCE:
    snmp_set_var_typed_value(req->requestvb, ASN_OCTET_STR, dt,
                             date_and_time(row->stats.fault_since_ms, dt));
    break;
  case COL_STATS_LAST_FAULT: set_int(req, row->stats.last_fault); break;
  default:
    netsnmp_set_request_error(NULL, req, SNMP_NOSUCHOBJECT);
    break;
  }
}

/* ---- SET: RESERVE1 ---------------------------------------------------------------- */

static bool is_config_column(unsigned col)
{
  return col >= COL_REGISTRAR && col <= COL_PROXY;
}

static bool is_schedule_column(unsigned col)
{
  return col >= COL_FREQUENCY && col <= COL_MAX_RUNS;
}

static bool is_writable_column(unsigned col)
{
  return is_config_column(col) || is_schedule_column(col) || col == COL_STATE ||
         col == COL_STORAGE || col == COL_ROWSTATUS;
}

/* What RFC 2579 and the row's kind allow for a write to col of an
 * existing row: 0 or the error. */
static int storage_allows(const struct diag_row *row, unsigned col,
                          const netsnmp_variable_list *vb)
{
  if (row->storage == SD_ST_READONLY)
    return col == COL_STORAGE ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOTWRITABLE;
  if (row->storage == SD_ST_PERMANENT) {
    if (col == COL_STORAGE)
      return SNMP_ERR_WRONGVALUE;     /* permanent cannot be written */
    if (col == COL_ROWSTATUS && vb->type == ASN_INTEGER && *vb->val.integer == SD_RS_DESTROY)
      return SNMP_ERR_WRONGVALUE;     /* nor deleted */
    return col == COL_STATE || col == COL_ROWSTATUS ? 0 : SNMP_ERR_NOTWRITABLE;
  }
  /* volatile <-> nonVolatile: table_check_value() refuses the rest with
   * wrongValue, as RFC 2579 says (net-snmp's check_storage_transition()
   * answers inconsistentValue) */
  return 0;
}

static int reserve1(netsnmp_request_info *req, netsnmp_table_request_info *ti)
{
  unsigned col = ti->colnum;
  const netsnmp_variable_list *vb = req->requestvb;

  if (!is_writable_column(col))
    return SNMP_ERR_NOTWRITABLE;
  struct row_key key;
  if (!request_key(ti, &key))
    return SNMP_ERR_INCONSISTENTNAME;   /* no valid owner and name */
  struct diag_row *row = rows_find(&key);
  if (row) {
    int err = storage_allows(row, col, vb);
    if (err)
      return err;
  }
  int err = table_check_value(col, vb);
  if (err)
    return err;
  if (!row && !strcmp(key.owner, settings_device_owner()))
    return SNMP_ERR_INCONSISTENTNAME;   /* the terminal's own accounts' owner */

  struct staged *s = staging_find(&key);
  if (!s) {
    s = calloc(1, sizeof *s);
    if (!s)
      return SNMP_ERR_RESOURCEUNAVAILABLE;
    s->key = key;
    s->row = row;
    if (row) {
      s->cfg = row->cfg;
      s->sched = row->sched;
    } else {
      s->cfg.transport = SIPDIAG_TRANSPORT_AUTO;
      s->cfg.expires = SIPDIAG_DEFAULT_EXPIRES_S;
      s->sched.failure_threshold = SIPDIAG_AGENT_DEFAULT_FAILURE_THRESHOLD;
      s->sched.max_runs = SIPDIAG_AGENT_DEFAULT_MAX_RUNS;
    }
    s->next = staging;
    staging = s;
  }
  long v = vb->type == ASN_OCTET_STR ? 0 : *vb->val.integer;
  switch (col) {
  case COL_REGISTRAR: table_copy_text(s->cfg.registrar, vb); break;
  case COL_AOR: table_copy_text(s->cfg.aor, vb); break;
  case COL_AUTH_USER: table_copy_text(s->cfg.auth_user, vb); break;
  case COL_PASSWORD: table_copy_text(s->cfg.password, vb); break;
  case COL_PROXY: table_copy_text(s->cfg.proxy, vb); break;
  case COL_TRANSPORT: s->cfg.transport = (sipdiag_transport_t)v; break;
  case COL_EXPIRES: s->cfg.expires = (uint32_t)(unsigned long)v; break;
  case COL_STATE: s->state = (int)v; break;
  case COL_FREQUENCY: s->sched.frequency_s = (uint32_t)(unsigned long)v; break;
  case COL_TRAP_GENERATION: s->sched.traps = traps_from_bits(vb->val.string, vb->val_len); break;
  case COL_FAILURE_THRESHOLD: s->sched.failure_threshold = (uint32_t)(unsigned long)v; break;
  case COL_MAX_RUNS: s->sched.max_runs = (uint32_t)(unsigned long)v; break;
  case COL_STORAGE: s->storage = (int)v; break;
  case COL_ROWSTATUS: s->rowstatus = (int)v; s->rowstatus_writes++; break;
  }
  if (is_config_column(col))
    s->cfg_written = true;
  if (is_schedule_column(col))
    s->sched_written = true;
  return 0;
}

/* ---- SET: RESERVE2 ----------------------------------------------------------------- */


/* The request of this SET that writes column col of row index. */
static netsnmp_request_info *find_request(netsnmp_request_info *requests,
                                          const struct row_key *key, unsigned col)
{
  for (netsnmp_request_info *r = requests; r; r = r->next) {
    netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
    struct row_key k;
    if (ti && ti->colnum == col && request_key(ti, &k) && row_key_equal(&k, key))
      return r;
  }
  return NULL;
}

/* Any request of this SET on row index (for row-wide errors). */
static netsnmp_request_info *any_request(netsnmp_request_info *requests,
                                         const struct row_key *key)
{
  for (netsnmp_request_info *r = requests; r; r = r->next) {
    netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
    struct row_key k;
    if (ti && request_key(ti, &k) && row_key_equal(&k, key))
      return r;
  }
  return NULL;
}

static void fail(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests,
                 const struct row_key *key, unsigned col, int err)
{
  netsnmp_request_info *r = col ? find_request(requests, key, col) : NULL;
  if (!r)
    r = any_request(requests, key);
  if (r)
    netsnmp_set_request_error(reqinfo, r, err);
}

/* The minimum interval between two diagnoses of one account
 * (sipdiagMinRerunInterval): none while another row runs one of the same
 * account, none sooner than the interval after the last one ended, and one
 * per account in a SET.  False: resourceUnavailable, nothing applied. */
static bool rerun_allowed(struct staged *s, unsigned *new_slots)
{
  if (!rerun_limited())
    return true;
  s->account = rerun_account_key(&s->cfg);
  for (const struct staged *o = staging; o; o = o->next)
    if (o != s && o->checked && o->state == SIPDIAG_STATE_REQUESTED && o->result_buf &&
        o->account == s->account)
      return false;
  bool new_slot;
  if (rerun_check(s->account, *new_slots, &new_slot) != RERUN_OK)
    return false;
  if (new_slot)
    (*new_slots)++;
  return true;
}

static void reserve2(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
  unsigned creating = 0, requesting = 0, new_accounts = 0;

  for (struct staged *s = staging; s; s = s->next) {
    if (s->checked)
      continue;
    s->checked = true;
    struct diag_row *row = s->row;
    int rs = s->rowstatus;

    if (s->rowstatus_writes > 1) {
      fail(reqinfo, requests, &s->key, COL_ROWSTATUS, SNMP_ERR_INCONSISTENTVALUE);
      return;
    }
    if (rs == SD_RS_DESTROY)
      continue;                          /* the rest of the row goes with it */
    if (rs == SD_RS_CREATE_AND_GO || rs == SD_RS_CREATE_AND_WAIT) {
      if (row) {
        fail(reqinfo, requests, &s->key, COL_ROWSTATUS, SNMP_ERR_INCONSISTENTVALUE);
        return;
      }
    } else if (!row) {
      /* a column of a row that does not exist, and no creation asked:
       * active/notInService of a missing row included */
      fail(reqinfo, requests, &s->key, rs ? COL_ROWSTATUS : 0,
           rs ? SNMP_ERR_INCONSISTENTVALUE : SNMP_ERR_NOCREATION);
      return;
    }

    bool canceling = s->state == SIPDIAG_STATE_CANCELED;
    if (row && row_in_progress(row) && !canceling) {
      if (s->cfg_written) {
        unsigned c = COL_REGISTRAR;
        while (c < COL_PROXY && !find_request(requests, &s->key, c))
          c++;
        fail(reqinfo, requests, &s->key, c, SNMP_ERR_INCONSISTENTVALUE);
        return;
      }
      if (rs == SD_RS_NOT_IN_SERVICE) {
        fail(reqinfo, requests, &s->key, COL_ROWSTATUS, SNMP_ERR_INCONSISTENTVALUE);
        return;
      }
    }
    if (canceling && !row_in_progress(row)) {
      fail(reqinfo, requests, &s->key, COL_STATE, SNMP_ERR_INCONSISTENTVALUE);
      return;
    }

    int final_rs = rs == SD_RS_CREATE_AND_GO ? SD_RS_ACTIVE
                 : rs == SD_RS_CREATE_AND_WAIT ? SD_RS_NOT_IN_SERVICE
                 : rs ? rs : row->rowstatus;
    if (s->state == SIPDIAG_STATE_REQUESTED && row_in_progress(row))
      s->state = 0;          /* a retransmitted trigger: noError, nothing new */
    if (s->storage && s->storage != SD_ST_VOLATILE && s->storage != SD_ST_NONVOLATILE) {
      fail(reqinfo, requests, &s->key, COL_STORAGE, SNMP_ERR_WRONGVALUE);
      return;
    }
    if (s->state == SIPDIAG_STATE_REQUESTED) {
      if (final_rs != SD_RS_ACTIVE) {
        fail(reqinfo, requests, &s->key, COL_STATE, SNMP_ERR_INCONSISTENTVALUE);
        return;
      }
      if (rows_in_progress() + requesting >= settings_max_concurrent()) {
        fail(reqinfo, requests, &s->key, COL_STATE, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
      }
      if (!rerun_allowed(s, &new_accounts)) {
        fail(reqinfo, requests, &s->key, COL_STATE, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
      }
      s->result_buf = calloc(1, sizeof *s->result_buf);
      if (!s->result_buf) {
        fail(reqinfo, requests, &s->key, COL_STATE, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
      }
      requesting++;
    }

    if (!row) {                                  /* creation */
      if (rows_count() + creating >= SIPDIAG_AGENT_MAX_ROWS) {
        fail(reqinfo, requests, &s->key, COL_ROWSTATUS, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
      }
      s->row = row_alloc(&s->key);
      if (!s->row || !row_prepare(s->row)) {
        row_free(s->row);
        s->row = NULL;
        fail(reqinfo, requests, &s->key, COL_ROWSTATUS, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
      }
      s->create = true;
      creating++;
    }
  }
}

/* ---- SET: ACTION, UNDO, COMMIT --------------------------------------------------------- */

static void action(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
  for (struct staged *s = staging; s; s = s->next) {
    if (!s->create || s->inserted)
      continue;
    if (!rows_insert(s->row)) {
      fail(reqinfo, requests, &s->key, COL_ROWSTATUS, SNMP_ERR_RESOURCEUNAVAILABLE);
      return;
    }
    s->inserted = true;
  }
}

static void undo(void)
{
  for (struct staged *s = staging; s; s = s->next)
    if (s->inserted) {
      rows_unlink(s->row);
      s->inserted = false;           /* staging_free() frees it */
    }
}

static void commit(void)
{
  bool store = false;
  for (struct staged *s = staging; s; s = s->next) {
    struct diag_row *row = s->row;
    if (!row)
      continue;
    if (row->storage == SD_ST_NONVOLATILE || s->storage == SD_ST_NONVOLATILE)
      store = true;
    if (s->rowstatus == SD_RS_DESTROY) {
      if (s->create) {               /* created and destroyed at once */
        rows_unlink(row);
        s->inserted = false;
      } else {
        rows_destroy(row);
      }
      s->row = NULL;
      continue;
    }
    s->inserted = false;             /* the row is the table's now */
    s->create = false;

    if (s->state == SIPDIAG_STATE_CANCELED)
      row_cancel(row);
    if (s->cfg_written) {
      row->cfg = s->cfg;
      if (row->state == SIPDIAG_STATE_COMPLETE || row->state == SIPDIAG_STATE_CANCELED)
        row_clear_results(row);
    }
    if (s->sched_written) {
      if (s->sched.frequency_s != row->sched.frequency_s)
        row->next_due_ms = 0;       /* a new grid */
      row->sched = s->sched;
      runs_set_capacity(row, row->sched.max_runs);
    }
    if (s->storage)
      row->storage = s->storage;
    if (s->rowstatus == SD_RS_CREATE_AND_GO || s->rowstatus == SD_RS_ACTIVE)
      row->rowstatus = SD_RS_ACTIVE;
    else if (s->rowstatus == SD_RS_CREATE_AND_WAIT || s->rowstatus == SD_RS_NOT_IN_SERVICE)
      row->rowstatus = SD_RS_NOT_IN_SERVICE;
    if (s->state == SIPDIAG_STATE_REQUESTED) {
      row_request(row, s->result_buf, TRIGGER_MANAGER);
      s->result_buf = NULL;
    }
  }
  if (store)
    rows_config_changed();
}

/* ---- the handler ----------------------------------------------------------------------- */

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
  (void)h;
  (void)reg;
  switch (reqinfo->mode) {
  case MODE_GET:
    for (netsnmp_request_info *r = requests; r; r = r->next) {
      if (r->processed)
        continue;
      netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
      struct diag_row *row = netsnmp_tdata_extract_entry(r);
      if (!ti || !row) {
        netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
        continue;
      }
      get_column(r, row, ti->colnum);
    }
    break;

  case MODE_SET_RESERVE1: {
    long transid = reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->transid : 0;
    if (transid != staging_transid) {
      staging_free();                  /* left over from an abandoned SET */
      staging_transid = transid;
    }
    for (netsnmp_request_info *r = requests; r; r = r->next) {
      if (r->processed)
        continue;
      netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
      int err = ti ? reserve1(r, ti) : SNMP_ERR_GENERR;
      if (err) {
        netsnmp_set_request_error(reqinfo, r, err);
        return SNMP_ERR_NOERROR;
      }
    }
    break;
  }
  case MODE_SET_RESERVE2:
    reserve2(reqinfo, requests);
    break;
  case MODE_SET_ACTION:
    action(reqinfo, requests);
    break;
  case MODE_SET_UNDO:
    undo();
    staging_free();
    break;
  case MODE_SET_COMMIT:
    commit();
    staging_free();
    break;
  case MODE_SET_FREE:
    undo();
    staging_free();
    break;
  default:
    break;
  }
  return SNMP_ERR_NOERROR;
}

/* A GET of an OID in the table that names no column (17-19, 47-49, or
 * beyond) is noSuchObject, whatever its index: there is no such object.
 * The table helper would answer noSuchInstance, so this handler comes
 * first. */
static bool is_column(unsigned col)
{
  return (col >= COL_REGISTRAR && col <= COL_ROWSTATUS) ||
         (col >= COL_RESULT_CODE && col <= COL_RESULT_TRIGGER) ||
         (col >= COL_STATS_RUNS && col <= COL_STATS_LAST_FAULT);
}

static int column_guard(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
                        netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
  if (reqinfo->mode == MODE_GET) {
    size_t at = OID_LENGTH(table_oid) + 1;     /* sipDiagEntry.COL */
    for (netsnmp_request_info *r = requests; r; r = r->next) {
      const netsnmp_variable_list *vb = r->requestvb;
      if (!r->processed && (vb->name_length <= at || vb->name[at - 1] != 1 ||
                            !is_column((unsigned)vb->name[at])))
        netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
    }
  }
  return netsnmp_call_next_handler(h, reg, reqinfo, requests);
}

static netsnmp_column_info ranges[3];

int table_init(void)
{
  netsnmp_handler_registration *reg =
    netsnmp_create_handler_registration("sipDiagTable", handler, table_oid,
                                        OID_LENGTH(table_oid), HANDLER_CAN_RWRITE);
  netsnmp_table_registration_info *ti = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
  if (!reg || !ti)
    return -1;
  netsnmp_table_helper_add_indexes(ti, ASN_OCTET_STR, ASN_OCTET_STR, 0);
  ti->min_column = COL_REGISTRAR;
  ti->max_column = COL_STATS_LAST_FAULT;
  /* the configuration, the results and the counters; the gaps between
   * them (17-19, 47-49) are free for later columns */
  const unsigned from[3] = { COL_REGISTRAR, COL_RESULT_CODE, COL_STATS_RUNS };
  const unsigned to[3] = { COL_ROWSTATUS, COL_RESULT_TRIGGER, COL_STATS_LAST_FAULT };
  for (int i = 0; i < 3; i++) {
    ranges[i].isRange = 1;
    ranges[i].details.range[0] = from[i];
    ranges[i].details.range[1] = to[i];
    ranges[i].next = i < 2 ? &ranges[i + 1] : NULL;
  }
  ti->valid_columns = ranges;
  if (netsnmp_tdata_register(reg, rows_tdata(), ti) != SNMPERR_SUCCESS)
    return -1;
  netsnmp_mib_handler *guard = netsnmp_create_handler("sipDiagTableColumns", column_guard);
  return guard && netsnmp_inject_handler(reg, guard) == SNMPERR_SUCCESS ? 0 : -1;
}

void table_shutdown(void)
{
  staging_free();
}
