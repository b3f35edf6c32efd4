/*
 * udp_check.c - the ICMP error on the path to a UDP server, read from our
 * own socket's error queue (IP_RECVERR / IPV6_RECVERR).  See udp_check.h.
 *
 * Non-blocking throughout: the socket is watched through su_root (an error
 * queue entry wakes it with POLLERR), one su_timer paces the keep-alives
 * and bounds the check.
 */
#include "config.h"
#include "udp_check.h"
#include "clock.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define SU_ROOT_MAGIC_T  void
#define SU_WAKEUP_ARG_T  struct sipdiag_udp_check
#define SU_TIMER_ARG_T   struct sipdiag_udp_check
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_time.h>

static const char keepalive[] = "\r\n\r\n";

struct sipdiag_udp_check {
  su_root_t *root;
  int fd;
  int wait_index;            /* -1 when not registered                     */
  su_timer_t *timer;
  su_time_t started;
  unsigned timeout_ms;
  bool done;                 /* the outcome is decided; the callback waits */
  bool hurried;              /* no more keep-alives                        */
  sipdiag_udp_check_f *callback;
  void *context;
  sipdiag_udp_outcome_t out;
};

static void release(sipdiag_udp_check_t *uc)
{
  if (uc->wait_index >= 0) {
    su_root_deregister(uc->root, uc->wait_index);
    uc->wait_index = -1;
  }
  if (uc->fd >= 0) {
    close(uc->fd);
    uc->fd = -1;
  }
  if (uc->timer)
    su_timer_reset(uc->timer);
}

static void report(sipdiag_udp_check_t *uc)
{
  release(uc);
  uc->out.elapsed_ms = sipdiag_ms_since(uc->started);
  /* A copy: the callback may stop (free) uc and still read the outcome. */
  sipdiag_udp_outcome_t out = uc->out;
  uc->callback(uc->context, &out);
}

static void on_deferred(su_root_magic_t *magic, su_timer_t *t, sipdiag_udp_check_t *uc)
{
  (void)magic;
  (void)t;
  report(uc);
}

/* The outcome is known: report it from the next loop turn, never from
 * inside start() or a caller's stack frame of ours. */
static void conclude(sipdiag_udp_check_t *uc)
{
  uc->done = true;
  release(uc);
  su_timer_set_interval(uc->timer, on_deferred, uc, 0);
}

static void local_failure(sipdiag_udp_check_t *uc, int error)
{
  uc->out.error = error;
  uc->out.local = true;
  conclude(uc);
}

static void send_keepalive(sipdiag_udp_check_t *uc)
{
  if (send(uc->fd, keepalive, sizeof keepalive - 1, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
    uc->out.sent++;
    return;
  }
  int error = errno;
  /* A send can fail with the error an earlier ICMP left on the socket
   * (ECONNREFUSED...): its queue entry is read on the next wakeup.  Only
   * an error no ICMP explains ends the check here. */
  if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS || error == EINTR)
    return;
  if (error == ECONNREFUSED || error == EHOSTUNREACH || error == ENETUNREACH ||
      error == EACCES || error == EHOSTDOWN || error == EPROTO)
    return;   /* reported by an error queue entry as well */
  local_failure(uc, error);
}

/* Reads the error queue; true once an ICMP error (or a local error the
 * kernel queued instead of failing send()) decided the outcome. */
static bool read_error_queue(sipdiag_udp_check_t *uc)
{
  for (unsigned i = 0; i < SIPDIAG_UDP_CHECK_READS_MAX; i++) {
    char data[64];
    union {
      char buf[512];
      struct cmsghdr align;
    } control;
    struct sockaddr_storage from;
    struct iovec iov = { data, sizeof data };
    struct msghdr msg = {
      .msg_name = &from, .msg_namelen = sizeof from,
      .msg_iov = &iov, .msg_iovlen = 1,
      .msg_control = control.buf, .msg_controllen = sizeof control.buf,
    };
    if (recvmsg(uc->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
      return false;   /* EAGAIN: the queue is empty */
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      size_t len = c->cmsg_len > CMSG_LEN(0) ? c->cmsg_len - CMSG_LEN(0) : 0;
      sipdiag_icmp_info_t info;
      int error = 0;
      sipdiag_icmp_status_t status =
        sipdiag_icmp_decode_errqueue(c->cmsg_level, c->cmsg_type, CMSG_DATA(c), len,
                                     &info, &error);
      if (status == SIPDIAG_ICMP_ERROR_OURS) {
        uc->out.icmp = info;
        uc->out.error = error;
        uc->out.local = false;
        return true;
      }
      if (status == SIPDIAG_ICMP_NOT_ICMP && error && error != ENOBUFS && error != EMSGSIZE) {
        uc->out.error = error;   /* a local error queued (no ICMP) */
        uc->out.local = true;
        return true;
      }
    }
  }
  return false;
}

static int on_socket(su_root_magic_t *magic, su_wait_t *w, sipdiag_udp_check_t *uc)
{
  (void)magic;
  int events = su_wait_events(w, uc->fd);
  if (uc->done)
    return 0;
  if (events & SU_WAIT_IN) {   /* the server's "\r\n", or anything: drain */
    char buf[64];
    for (unsigned i = 0; i < SIPDIAG_UDP_CHECK_READS_MAX; i++) {
      ssize_t n = recv(uc->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n >= 0)
        uc->out.answered = true;
      else if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      /* else a pending socket error (ECONNREFUSED...): the queue tells it */
    }
  }
  if (read_error_queue(uc))
    conclude(uc);
  return 0;
}

static void on_timer(su_root_magic_t *magic, su_timer_t *t, sipdiag_udp_check_t *uc)
{
  (void)magic;
  (void)t;
  uint32_t elapsed = sipdiag_ms_since(uc->started);
  if (elapsed >= uc->timeout_ms) {
    report(uc);   /* no ICMP error came: the path did not object */
    return;
  }
  uint32_t next = uc->timeout_ms - elapsed;
  if (uc->out.sent < SIPDIAG_UDP_CHECK_SENDS && !uc->hurried) {
    send_keepalive(uc);
    if (uc->done)
      return;
    if (uc->out.sent < SIPDIAG_UDP_CHECK_SENDS && next > SIPDIAG_UDP_CHECK_INTERVAL_MS)
      next = SIPDIAG_UDP_CHECK_INTERVAL_MS;
  }
  su_timer_set_interval(uc->timer, on_timer, uc, next);
}

sipdiag_udp_check_t *sipdiag_udp_check_start(struct su_root_s *root,
                                             const struct sockaddr *server,
                                             socklen_t len, unsigned timeout_ms,
                                             sipdiag_udp_check_f *callback,
                                             void *context)
{
  struct sockaddr_storage to;
  socklen_t to_len;
  if (!root || !server || !callback) {
    errno = EINVAL;
    return NULL;
  }
  memset(&to, 0, sizeof to);
  if (server->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    memcpy(&to, server, sizeof(struct sockaddr_in));
    to_len = sizeof(struct sockaddr_in);
  } else if (server->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 sin6;
    memcpy(&sin6, server, sizeof sin6);
    if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {   /* what goes on the wire */
      struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = sin6.sin6_port };
      memcpy(&sin.sin_addr, sin6.sin6_addr.s6_addr + 12, 4);
      memcpy(&to, &sin, sizeof sin);
      to_len = sizeof sin;
    } else {
      memcpy(&to, &sin6, sizeof sin6);
      to_len = sizeof sin6;
    }
  } else {
    errno = EINVAL;
    return NULL;
  }

  sipdiag_udp_check_t *uc = calloc(1, sizeof *uc);
  if (!uc) {
    errno = ENOMEM;
    return NULL;
  }
  uc->root = root;
  uc->fd = -1;
  uc->wait_index = -1;
  uc->callback = callback;
  uc->context = context;
  uc->started = su_now();
  uc->timeout_ms = timeout_ms ? timeout_ms : SIPDIAG_TC_DEFAULT_TIMEOUT_MS;
  if (uc->timeout_ms > SIPDIAG_TC_MAX_TIMEOUT_MS)
    uc->timeout_ms = SIPDIAG_TC_MAX_TIMEOUT_MS;
  uc->out.icmp.status = SIPDIAG_ICMP_NOT_ICMP;
  uc->timer = su_timer_create(su_root_task(root), 0);
  if (!uc->timer) {
    free(uc);
    errno = ENOMEM;
    return NULL;
  }

  int family = to.ss_family;
  uc->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int on = 1;
  if (uc->fd < 0 ||
      (family == AF_INET
       ? setsockopt(uc->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on)
       : setsockopt(uc->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on)) < 0) {
    uc->out.unavailable = true;
    local_failure(uc, errno);
    return uc;
  }
  if (connect(uc->fd, (struct sockaddr *)&to, to_len) < 0) {
    local_failure(uc, errno);   /* connect: no route at all (ENETUNREACH) */
    return uc;
  }
  su_wait_t wait[1];
  if (su_wait_create(wait, uc->fd, SU_WAIT_IN | SU_WAIT_ERR) == 0)
    uc->wait_index = su_root_register(root, wait, on_socket, uc, 0);
  if (uc->wait_index < 0) {
    uc->out.unavailable = true;
    local_failure(uc, errno ? errno : ENOMEM);
    return uc;
  }
  send_keepalive(uc);
  if (!uc->done) {
    unsigned first = uc->out.sent < SIPDIAG_UDP_CHECK_SENDS &&
                     uc->timeout_ms > SIPDIAG_UDP_CHECK_INTERVAL_MS
                     ? SIPDIAG_UDP_CHECK_INTERVAL_MS : uc->timeout_ms;
    su_timer_set_interval(uc->timer, on_timer, uc, first);
  }
  return uc;
}

void sipdiag_udp_check_hurry(sipdiag_udp_check_t *uc, unsigned ms)
{
  if (!uc || uc->done)
    return;
  uint32_t elapsed = sipdiag_ms_since(uc->started);
  if (elapsed + ms < uc->timeout_ms)
    uc->timeout_ms = elapsed + ms;
  uc->hurried = true;
  su_timer_set_interval(uc->timer, on_timer, uc, uc->timeout_ms - elapsed);
}

void sipdiag_udp_check_stop(sipdiag_udp_check_t *uc)
{
  if (!uc)
    return;
  release(uc);
  su_timer_destroy(uc->timer);
  free(uc);
}
