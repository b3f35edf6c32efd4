/*
 * key.h - the index of sipDiagTable: sipDiagOwner and sipDiagName, two
 * SnmpAdminStrings (0..32 octets, not IMPLIED: each is encoded in the OID
 * as its length followed by its octets, as DISMAN-PING-MIB's).
 */
#ifndef SIPDIAGD_KEY_H
#define SIPDIAGD_KEY_H

#include "model/row.h"

#include <stddef.h>

#include "agent-snmp.h"    /* oid */

/* Octets an owner or name may be: at most SIPDIAG_AGENT_KEY_MAX, UTF-8,
 * no NUL. */
bool row_key_part_valid(const unsigned char *s, size_t len);

/* Fills key from two parts; false when either is not valid. */
bool row_key_set(struct row_key *key, const unsigned char *owner, size_t owner_len,
                 const unsigned char *name, size_t name_len);

bool row_key_equal(const struct row_key *a, const struct row_key *b);

/* The index OID of a key (length-prefixed owner, then name): returns its
 * length (at most 2 * (SIPDIAG_AGENT_KEY_MAX + 1)). */
#define ROW_KEY_OID_MAX (2 * (SIPDIAG_AGENT_KEY_MAX + 1))
size_t row_key_to_oid(const struct row_key *key, oid *out);

/* Reads a key from the start of an index OID: the number of
 * sub-identifiers it took, or 0 when they are not a valid key (too short,
 * a length above SIPDIAG_AGENT_KEY_MAX, an octet above 255, not UTF-8). */
size_t row_key_from_oid(const oid *idx, size_t len, struct row_key *key);

/* "owner/name" for the log, cut to size. */
const char *row_key_text(const struct row_key *key, char *buf, size_t size);

#endif /* SIPDIAGD_KEY_H */
