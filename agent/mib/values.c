/*
 * values.c - the check of one SET value for sipDiagTable (values.h), pure:
 * the fuzz targets under tests/fuzz/ call it directly.
 */
#include "config.h"
#include "agent-snmp.h"
#include "mib/values.h"
#include "mib/mib.h"
#include "util/text.h"

#include <string.h>

/* ---- SET on sipDiagTable --------------------------------------------------------------- */

/* net-snmp's varbind checks answer wrongType and wrongLength (and
 * wrongValue for a range) in the order RFC 3416 asks; what is left is the
 * MIB's own rule of each column. */
int table_check_value(unsigned col, const netsnmp_variable_list *vb)
{
  int err;
  switch (col) {
  case COL_REGISTRAR: case COL_AOR: case COL_AUTH_USER: case COL_PROXY:
    if ((err = netsnmp_check_vb_type_and_max_size(vb, ASN_OCTET_STR, SIPDIAG_AGENT_TEXT_MAX)))
      return err;
    return utf8_valid(vb->val.string, vb->val_len) && !memchr(vb->val.string, '\0', vb->val_len)
           ? 0 : SNMP_ERR_WRONGVALUE;
  case COL_PASSWORD:
    if ((err = netsnmp_check_vb_type_and_max_size(vb, ASN_OCTET_STR, SIPDIAG_AGENT_TEXT_MAX)))
      return err;
    /* digest passwords are text */
    return memchr(vb->val.string, '\0', vb->val_len) ? SNMP_ERR_WRONGVALUE : 0;
  case COL_TRANSPORT:
    return netsnmp_check_vb_int_range(vb, SIPDIAG_TRANSPORT_AUTO, SIPDIAG_TRANSPORT_TLS);
  case COL_EXPIRES:
    return netsnmp_check_vb_uint(vb);
  case COL_STATE:
    if ((err = netsnmp_check_vb_int(vb)))
      return err;
    /* only requested(2) and canceled(5) can be written */
    return *vb->val.integer == SIPDIAG_STATE_REQUESTED ||
           *vb->val.integer == SIPDIAG_STATE_CANCELED ? 0 : SNMP_ERR_WRONGVALUE;
  case COL_FREQUENCY:
  case COL_FAILURE_THRESHOLD:
  case COL_MAX_RUNS: {
    if ((err = netsnmp_check_vb_uint(vb)))
      return err;
    unsigned long v = (unsigned long)*vb->val.integer;
    unsigned long min = col == COL_FAILURE_THRESHOLD ? 1 : 0;
    unsigned long max = col == COL_FREQUENCY ? SIPDIAG_AGENT_FREQUENCY_MAX_S
                      : col == COL_FAILURE_THRESHOLD ? SIPDIAG_AGENT_FAILURE_THRESHOLD_MAX
                      : SIPDIAG_AGENT_MAX_RUNS_MAX;
    return v >= min && v <= max ? 0 : SNMP_ERR_WRONGVALUE;
  }
  case COL_TRAP_GENERATION:
    /* BITS { complete(0), failure(1), recovery(2) }: one octet at most,
     * no bit beyond recovery */
    if ((err = netsnmp_check_vb_type_and_max_size(vb, ASN_OCTET_STR, 1)))
      return err;
    return vb->val_len == 0 || (vb->val.string[0] & 0x1f) == 0 ? 0 : SNMP_ERR_WRONGVALUE;
  case COL_STORAGE:
    if ((err = netsnmp_check_vb_int(vb)))
      return err;
    /* a manager may choose volatile or nonVolatile; other(1), permanent(4)
     * and readOnly(5) are the agent's to give (RFC 2579: wrongValue) */
    return *vb->val.integer == SD_ST_VOLATILE || *vb->val.integer == SD_ST_NONVOLATILE
           ? 0 : SNMP_ERR_WRONGVALUE;
  case COL_ROWSTATUS:
    /* notReady(3) is never written (RFC 2579) */
    if ((err = netsnmp_check_vb_rowstatus_value(vb)))
      return err;
    return *vb->val.integer >= SD_RS_ACTIVE ? 0 : SNMP_ERR_WRONGVALUE;
  default:
    return SNMP_ERR_NOTWRITABLE;
  }
}

void table_copy_text(char *dst, const netsnmp_variable_list *vb)
{
  memcpy(dst, vb->val.string, vb->val_len);
  dst[vb->val_len] = '\0';
}

/* BITS values: the first octet's most significant bit is bit 0. */
unsigned traps_from_bits(const unsigned char *octets, size_t len)
{
  unsigned traps = 0;
  if (len >= 1) {
    if (octets[0] & 0x80)
      traps |= TRAP_COMPLETE;
    if (octets[0] & 0x40)
      traps |= TRAP_FAILURE;
    if (octets[0] & 0x20)
      traps |= TRAP_RECOVERY;
  }
  return traps;
}

size_t traps_to_bits(unsigned traps, unsigned char *octet)
{
  octet[0] = (unsigned char)((traps & TRAP_COMPLETE ? 0x80 : 0) |
                             (traps & TRAP_FAILURE ? 0x40 : 0) |
                             (traps & TRAP_RECOVERY ? 0x20 : 0));
  return 1;
}
