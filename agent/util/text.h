/*
 * text.h - the text rules of SIP-DIAG-MIB's strings: SnmpAdminString is
 * UTF-8, at most 255 octets; DateAndTime is 8 or 11 octets (RFC 2579).
 * Pure functions, no state.
 */
#ifndef SIPDIAGD_TEXT_H
#define SIPDIAGD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether the len octets form valid UTF-8. */
bool utf8_valid(const unsigned char *s, size_t len);

/* Length of s cut to at most max octets on a UTF-8 character boundary. */
size_t utf8_clip(const char *s, size_t max);

/* Length of s cut to at most max octets for a reader: whole when it fits,
 * else after the last sentence end (". ") that leaves at least half of
 * max, else at the last blank, else on a character boundary; never in
 * the middle of a word when the text has a blank to cut at. */
size_t text_clip_readable(const char *s, size_t max);

/* DateAndTime (UTC) of a wall-clock time in ms: 11 octets; "" (length 0)
 * for ms <= 0, the MIB's "never".  out holds 11 octets. */
size_t date_and_time(int64_t ms, unsigned char out[11]);

#endif /* SIPDIAGD_TEXT_H */
