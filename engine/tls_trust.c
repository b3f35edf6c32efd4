/*
 * tls_trust.c - a per-run CA directory in the layout sofia's TLS reads
 * (see tls_trust.h).
 */
#include "config.h"
#include "tls_trust.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

/* "0123abcd.0" (a certificate) or "0123abcd.r0" (a CRL). */
static bool is_hash_name(const char *name)
{
  if (strlen(name) < 10 || strspn(name, "0123456789abcdef") != 8 || name[8] != '.')
    return false;
  const char *n = name + 9;
  if (*n == 'r')
    n++;
  return *n && strspn(n, "0123456789") == strlen(n);
}

static const char *env_or(const char *env_name, const char *fallback)
{
  const char *v = getenv(env_name);
  return v && *v ? v : fallback;
}

/* Links every hash entry of dir into trust; false when dir is unreadable. */
static bool link_hash_entries(const char *dir, const char *trust)
{
  char real[PATH_MAX], from[PATH_MAX + 64], to[PATH_MAX + 64];
  if (!realpath(dir, real))
    return false;
  DIR *d = opendir(real);
  if (!d)
    return false;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!is_hash_name(e->d_name))
      continue;
    int from_len = snprintf(from, sizeof from, "%s/%s", real, e->d_name);
    int to_len = snprintf(to, sizeof to, "%s/%s", trust, e->d_name);
    if (from_len < 0 || (size_t)from_len >= sizeof from || to_len < 0 ||
        (size_t)to_len >= sizeof to) {
      closedir(d);
      errno = ENAMETOOLONG;
      return false;
    }
    if (symlink(from, to) != 0 && errno != EEXIST) {
      int saved = errno;
      closedir(d);
      errno = saved;
      return false;
    }
  }
  closedir(d);
  return true;
}

bool sipdiag_tls_trust_make(const char *ca_file, const char *ca_dir, char *out, size_t size)
{
  bool file_set = ca_file && *ca_file, dir_set = ca_dir && *ca_dir;
  const char *file = ca_file, *dir = ca_dir;
  bool required = file_set || dir_set;   /* the system store may lack either */
  if (!required) {
    file = env_or(X509_get_default_cert_file_env(), X509_get_default_cert_file());
    dir = env_or(X509_get_default_cert_dir_env(), X509_get_default_cert_dir());
  }
  const char *tmp = env_or("TMPDIR", "/tmp");
  if (snprintf(out, size, "%s/sipdiag-tls-XXXXXX", tmp) >= (int)size || !mkdtemp(out)) {
    if (size)
      out[0] = '\0';
    errno = errno ? errno : ENAMETOOLONG;
    return false;
  }
  char real[PATH_MAX], link_name[PATH_MAX + 64];
  if (file && *file) {
    if (realpath(file, real) && access(real, R_OK) == 0) {
      snprintf(link_name, sizeof link_name, "%s/cafile.pem", out);
      if (symlink(real, link_name) != 0)
        goto fail;
    } else if (file_set) {
      goto fail;
    }
  }
  if (dir && *dir && !link_hash_entries(dir, out) && dir_set)
    goto fail;
  return true;
fail:;
  int saved = errno;
  sipdiag_tls_trust_remove(out);
  out[0] = '\0';
  errno = saved ? saved : EACCES;
  return false;
}

void sipdiag_tls_trust_remove(const char *dir)
{
  if (!dir || !*dir)
    return;
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char path[PATH_MAX + 64];
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
    closedir(d);
  }
  rmdir(dir);
}
