/*
 * fuzz_set_value.c - the type, length and value check of a SET on
 * sipDiagTable (table_check_value() in agent/mib/values.c), for every column,
 * and the copy of an accepted text into a row.
 *
 * Input: octet 0 = column (taken modulo 58, so every column 0-57 of the
 * issue-10 sipDiagTable occurs, with the index columns 1-2 and the unused
 * 17-19, 47-49 and 57), octet 1 = ASN.1 type (one of the SNMP types, chosen by
 * the octet modulo their number), the rest = the value's octets exactly as
 * net-snmp would hold them (val_len = their number; an INTEGER is a host
 * long when it has sizeof(long) octets).  The value is copied to a buffer
 * of exactly that size, so a check that reads more than val_len shows.
 */
#include "config.h"
#include "agent-snmp.h"
#include "mib/values.h"
#include "mib/mib.h"
#include "fuzz.h"

static const u_char types[] = {
  ASN_INTEGER, ASN_OCTET_STR, ASN_UNSIGNED, ASN_COUNTER, ASN_TIMETICKS,
  ASN_IPADDRESS, ASN_OBJECT_ID, ASN_NULL, ASN_OPAQUE, ASN_COUNTER64, ASN_BIT_STR,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2 || size > 2 + 4096)
    return 0;
  unsigned col = data[0] % 58u;
  u_char type = types[data[1] % (sizeof types / sizeof types[0])];
  size_t len = size - 2;
  u_char *value = malloc(len ? len : 1);
  if (!value)
    return 0;
  memcpy(value, data + 2, len);

  netsnmp_variable_list vb;
  memset(&vb, 0, sizeof vb);
  vb.type = type;
  vb.val.string = value;
  vb.val_len = len;

  int err = table_check_value(col, &vb);
  switch (err) {
  case 0:
  case SNMP_ERR_WRONGTYPE:
  case SNMP_ERR_WRONGLENGTH:
  case SNMP_ERR_WRONGVALUE:
  case SNMP_ERR_NOTWRITABLE:
    break;
  default:
    abort();
  }
  if (err == 0) {
    struct row_config cfg;
    memset(&cfg, 0, sizeof cfg);
    switch (col) {
    case COL_REGISTRAR: table_copy_text(cfg.registrar, &vb); break;
    case COL_AOR: table_copy_text(cfg.aor, &vb); break;
    case COL_AUTH_USER: table_copy_text(cfg.auth_user, &vb); break;
    case COL_PASSWORD: table_copy_text(cfg.password, &vb); break;
    case COL_PROXY: table_copy_text(cfg.proxy, &vb); break;
    case COL_TRANSPORT:
    case COL_STATE:
    case COL_STORAGE:
    case COL_ROWSTATUS:
      if (type != ASN_INTEGER || len != sizeof(long))
        abort();
      if (col == COL_STORAGE && *vb.val.integer != SD_ST_VOLATILE &&
          *vb.val.integer != SD_ST_NONVOLATILE)
        abort();                    /* other/permanent/readOnly are the agent's */
      break;
    case COL_EXPIRES:
    case COL_FREQUENCY:
    case COL_FAILURE_THRESHOLD:
    case COL_MAX_RUNS:
      if (type != ASN_UNSIGNED || len != sizeof(long))
        abort();
      break;
    case COL_TRAP_GENERATION: {
      /* BITS complete(0) failure(1) recovery(2): at most one octet, and
       * it reads back as the bits written */
      if (type != ASN_OCTET_STR || len > 1)
        abort();
      unsigned traps = traps_from_bits(value, len);
      unsigned char octet = 0;
      if (traps & ~(unsigned)TRAP_ALL)
        abort();
      size_t n = traps_to_bits(traps, &octet);
      if (n != 1 || octet != (len ? value[0] : 0))
        abort();
      break;
    }
    default:
      abort();                      /* a read-only column accepted */
    }
    /* the texts reach the engine's account check */
    sipdiag_account_t a = { cfg.registrar, cfg.aor, cfg.auth_user, cfg.password,
                            cfg.proxy, SIPDIAG_TRANSPORT_AUTO, 3600, false };
    char problems[256];
    sipdiag_account_check(&a, problems, sizeof problems);
    explicit_bzero(&cfg, sizeof cfg);
  }
  free(value);
  return 0;
}
