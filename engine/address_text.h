/*
 * address_text.h - IP addresses and host:port as text, one formatter each.
 *
 * An IPv6 literal next to a port is bracketed ("[2001:db8::1]:5060") in
 * URIs (RFC 3261 25.1), target texts and diagnoses alike; these are the
 * only places that decide it.  Output is always NUL-terminated, cut short
 * when the buffer is too small.
 */
#ifndef SIPDIAG_ADDRESS_TEXT_H
#define SIPDIAG_ADDRESS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The bare address of an AF_INET/AF_INET6 sockaddr ("2001:db8::1");
 * false ("" written) for anything else. */
bool sipdiag_address_text(const struct sockaddr *sa, char *out, size_t size);

/* host as it stands before ":port" or in a URI: an IPv6 literal (a host
 * with a colon, not yet bracketed) gets brackets, anything else is copied. */
void sipdiag_host_text(const char *host, char *out, size_t size);

/* "host:port", host as sipdiag_host_text() writes it. */
void sipdiag_hostport_text(const char *host, unsigned port, char *out, size_t size);

/* "address:port" of an AF_INET/AF_INET6 sockaddr; false ("" written)
 * for anything else. */
bool sipdiag_sockaddr_text(const struct sockaddr *sa, char *out, size_t size);

#endif /* SIPDIAG_ADDRESS_TEXT_H */
