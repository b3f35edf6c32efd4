/*
 * syserr.c - naming the errno of a failed system call (see syserr.h).
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "syserr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

sipdiag_syserr_kind_t sipdiag_syserr_kind(int error)
{
  switch (error) {
  case 0:      return SIPDIAG_SYSERR_NONE;
  case EMFILE:
  case ENFILE: return SIPDIAG_SYSERR_DESCRIPTORS;
  case EPERM:
  case EACCES: return SIPDIAG_SYSERR_PERMISSION;
  case ENOMEM:
  case ENOBUFS: return SIPDIAG_SYSERR_MEMORY;
  default:     return SIPDIAG_SYSERR_OTHER;
  }
}

/* Our own words for the errnos a diagnosis meets when the terminal runs
 * short of something; the C library's text for the rest. */
static const struct {
  int error;
  const char *text;
} known[] = {
  { EMFILE, "too many open files (EMFILE)" },
  { ENFILE, "too many open files in the system (ENFILE)" },
  { EPERM, "operation not permitted (EPERM)" },
  { EACCES, "permission denied (EACCES)" },
  { ENOMEM, "out of memory (ENOMEM)" },
  { ENOBUFS, "no buffer space available (ENOBUFS)" },
  { EAFNOSUPPORT, "address family not supported (EAFNOSUPPORT)" },
  { EPROTONOSUPPORT, "protocol not supported (EPROTONOSUPPORT)" },
};

const char *sipdiag_syserr_text(int error, char *buf, size_t size)
{
  if (!buf || !size)
    return "";
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (known[i].error == error) {
      snprintf(buf, size, "%s", known[i].text);
      return buf;
    }
  snprintf(buf, size, "%s (errno %d)", strerror(error), error);
  return buf;
}
