/*
 * syserr.h - naming the errno of a failed system call in a diagnosis.
 *
 * A socket, a capture handle or a file the engine could not have is a
 * fact about the terminal, and its errno says which fact: a descriptor
 * limit (EMFILE, ENFILE) is not a missing privilege (EPERM, EACCES), and
 * neither is a network finding.  These helpers keep that errno readable
 * in the texts the engine writes ("too many open files (EMFILE)").
 */
#ifndef SIPDIAG_SYSERR_H
#define SIPDIAG_SYSERR_H

#include <stddef.h>

typedef enum sipdiag_syserr_kind {
  SIPDIAG_SYSERR_NONE = 0,     /* errno 0                                  */
  SIPDIAG_SYSERR_DESCRIPTORS,  /* EMFILE, ENFILE: out of file descriptors  */
  SIPDIAG_SYSERR_PERMISSION,   /* EPERM, EACCES: root or CAP_NET_RAW needed */
  SIPDIAG_SYSERR_MEMORY,       /* ENOMEM, ENOBUFS                          */
  SIPDIAG_SYSERR_OTHER,
} sipdiag_syserr_kind_t;

sipdiag_syserr_kind_t sipdiag_syserr_kind(int error);

/* A short lower-case text naming the errno, e.g. "too many open files
 * (EMFILE)", "permission denied (EACCES)", or the C library's text and the
 * number for the rest, "No such file or directory (errno 2)"; written into buf (always terminated), which is
 * returned.  SIPDIAG_SYSERR_TEXT_MAX is room for any of them. */
#define SIPDIAG_SYSERR_TEXT_MAX 96
const char *sipdiag_syserr_text(int error, char *buf, size_t size);

#endif /* SIPDIAG_SYSERR_H */
