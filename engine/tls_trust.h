/*
 * tls_trust.h - the trust store of the SIP stack's own TLS connections.
 *
 * sofia-sip 1.12.11 takes its CAs from one directory (TPTAG_CERTIFICATE):
 * "cafile.pem" there as the CA file, and the directory itself as the hashed
 * CA directory.  The engine's settings name any CA file and any CA
 * directory, so each run builds a private directory of symbolic links
 * shaped the way sofia reads it: cafile.pem -> the CA file, and one link per
 * hash entry (xxxxxxxx.N, xxxxxxxx.rN) of the CA directory.  With neither
 * set, the system's default file and directory (SSL_CERT_FILE, SSL_CERT_DIR
 * when set) stand in.  No key or certificate of ours is ever placed there.
 */
#ifndef SIPDIAG_TLS_TRUST_H
#define SIPDIAG_TLS_TRUST_H

#include <stdbool.h>
#include <stddef.h>

/* Builds the directory under $TMPDIR (else /tmp) and writes its name to
 * out.  false (errno set, nothing left behind) when it cannot be made or
 * the CA file cannot be read; a CA directory that cannot be read is an
 * error too. */
bool sipdiag_tls_trust_make(const char *ca_file, const char *ca_dir, char *out, size_t size);

/* Removes a directory made by sipdiag_tls_trust_make(); "" is fine. */
void sipdiag_tls_trust_remove(const char *dir);

#endif /* SIPDIAG_TLS_TRUST_H */
