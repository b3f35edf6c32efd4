/*
 * address_text.c - IP addresses and host:port as text (see address_text.h).
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "address_text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

bool sipdiag_address_text(const struct sockaddr *sa, char *out, size_t size)
{
  const void *addr = NULL;
  if (size == 0)
    return false;
  out[0] = '\0';
  if (!sa)
    return false;
  if (sa->sa_family == AF_INET)
    addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
  else if (sa->sa_family == AF_INET6)
    addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
  if (!addr || !inet_ntop(sa->sa_family, addr, out, (socklen_t)size)) {
    out[0] = '\0';
    return false;
  }
  return true;
}

void sipdiag_host_text(const char *host, char *out, size_t size)
{
  if (!host)
    host = "";
  bool v6_literal = strchr(host, ':') && host[0] != '[';
  snprintf(out, size, v6_literal ? "[%s]" : "%s", host);
}

void sipdiag_hostport_text(const char *host, unsigned port, char *out, size_t size)
{
  char bracketed[INET6_ADDRSTRLEN + 64];
  sipdiag_host_text(host, bracketed, sizeof bracketed);
  snprintf(out, size, "%s:%u", bracketed, port);
}

bool sipdiag_sockaddr_text(const struct sockaddr *sa, char *out, size_t size)
{
  char addr[INET6_ADDRSTRLEN];
  if (!sipdiag_address_text(sa, addr, sizeof addr)) {
    if (size)
      out[0] = '\0';
    return false;
  }
  /* sin_port and sin6_port sit at the same offset */
  unsigned port = ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
  sipdiag_hostport_text(addr, port, out, size);
  return true;
}
