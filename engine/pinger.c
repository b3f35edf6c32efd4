/*
 * pinger.c - ICMP echo (IPv4 and IPv6) on a sofia su_root.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "pinger.h"
#include "sipdiag_limits.h"
#include "syserr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/filter.h>
#include <sys/socket.h>
#ifndef ICMP_FILTER
#define ICMP_FILTER 1  /* <linux/icmp.h>, which clashes with <netinet/ip_icmp.h> */
#endif

#define SU_ROOT_MAGIC_T  void
#define SU_WAKEUP_ARG_T  struct sipdiag_pinger
#define SU_TIMER_ARG_T   struct sipdiag_pinger
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_time.h>

#define ECHO_PAYLOAD "sipdiag-echo-req"  /* 16 octets of recognisable data */

struct sipdiag_pinger {
  su_root_t *root;
  struct sockaddr_storage target;
  socklen_t target_len;
  int family;
  int fd;
  int wait_index;          /* su_root registration, -1 when none          */
  bool raw;                /* raw socket: we must match the identifier    */
  int error;               /* errno of the last failure, 0 none           */
  uint16_t ident;
  unsigned count, sent, answered_count, interval_ms, wait_ms;
  su_time_t sent_at[SIPDIAG_PINGS_MAX + 1];
  bool answered[SIPDIAG_PINGS_MAX + 1];
  su_timer_t *timer;
  sipdiag_ping_f *callback;
  void *context;
  bool done;
};

static uint16_t next_ident(void)
{
  static uint16_t counter;
  if (!counter)
    counter = (uint16_t)(getpid() ^ (uintptr_t)&counter);
  return ++counter;
}

static uint16_t inet_checksum(const void *data, size_t len)
{
  const uint8_t *p = data;
  uint32_t sum = 0;
  for (; len > 1; len -= 2, p += 2)
    sum += (uint32_t)(p[0] << 8 | p[1]);
  if (len)
    sum += (uint32_t)(p[0] << 8);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return htons((uint16_t)~sum);
}

/* 0, or the errno that tells why no socket could be had.  The
 * unprivileged ICMP socket first; only when that one is refused (EACCES:
 * the group is outside net.ipv4.ping_group_range, or no such socket type)
 * a raw one.  A process out of descriptors or memory gets neither, and
 * the raw attempt's EPERM must not hide that. */
/*
 * A raw ICMP socket receives a copy of every echo reply the host gets.
 * With hundreds of diagnoses pinging at once (sipDiagMaxConcurrent), each
 * socket would queue everyone's replies: buffers overflow, our own reply is
 * dropped or read late, and a reachable server would read "no echo reply".
 * The kernel drops the others' replies before they are queued: only echo
 * replies with our identifier pass.  IPv4 raw sockets see the IP header
 * first, IPv6 ones start at the ICMPv6 header.
 */
static void keep_only_our_replies(int fd, int family, uint16_t ident)
{
  bool v4 = family == AF_INET;
  struct sock_filter code[] = {
    v4 ? (struct sock_filter)BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0)  /* x = IP header length */
       : (struct sock_filter)BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 0), /* x = 0: no IP header */
    BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),                           /* ICMP(v6) type        */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, v4 ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY, 0, 3),
    BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),                           /* identifier           */
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ident, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, 0xffff),
    BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_fprog prog = { sizeof code / sizeof code[0], code };
  (void)setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

static int open_socket(sipdiag_pinger_t *p)
{
  int proto = p->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
  p->raw = false;
  p->fd = socket(p->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (p->fd < 0) {
    int dgram_error = errno;
    sipdiag_syserr_kind_t kind = sipdiag_syserr_kind(dgram_error);
    if (kind == SIPDIAG_SYSERR_DESCRIPTORS || kind == SIPDIAG_SYSERR_MEMORY)
      return dgram_error;
    p->raw = true;
    p->fd = socket(p->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (p->fd < 0)
      return errno ? errno : dgram_error;
  }
  if (p->raw)
    keep_only_our_replies(p->fd, p->family, p->ident);
  if (p->raw && p->family == AF_INET) {
    /* Let only echo replies wake us up. */
    uint32_t mask = ~(1U << ICMP_ECHOREPLY);
    (void)setsockopt(p->fd, SOL_RAW, ICMP_FILTER, &mask, sizeof mask);
  } else if (p->raw) {
    struct icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    (void)setsockopt(p->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  }
  return 0;
}

static void finish(sipdiag_pinger_t *p)
{
  if (p->done)
    return;
  p->done = true;
  su_timer_reset(p->timer);
  p->callback(p->context, SIPDIAG_PING_DONE, 0, 0, "");
}

static void send_one(sipdiag_pinger_t *p)
{
  unsigned seq = ++p->sent;
  struct {
    uint8_t type, code;
    uint16_t checksum, ident, seq;
    char payload[sizeof ECHO_PAYLOAD - 1];
  } echo;

  memset(&echo, 0, sizeof echo);
  echo.type = p->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
  echo.ident = htons(p->ident);
  echo.seq = htons((uint16_t)seq);
  memcpy(echo.payload, ECHO_PAYLOAD, sizeof echo.payload);
  if (p->family == AF_INET)   /* the kernel sums ICMPv6 itself */
    echo.checksum = inet_checksum(&echo, sizeof echo);

  p->sent_at[seq] = su_now();
  ssize_t n = sendto(p->fd, &echo, sizeof echo, 0,
                     (struct sockaddr *)&p->target, p->target_len);
  if (n < 0) {
    char text[SIPDIAG_SYSERR_TEXT_MAX];
    p->error = errno;
    p->callback(p->context, SIPDIAG_PING_ERROR, seq, 0,
                sipdiag_syserr_text(p->error, text, sizeof text));
  } else
    p->callback(p->context, SIPDIAG_PING_SENT, seq, 0, "");
}

static int on_readable(su_root_magic_t *magic, su_wait_t *w, sipdiag_pinger_t *p);

static void on_timer(su_root_magic_t *magic, su_timer_t *t, sipdiag_pinger_t *p)
{
  (void)magic;
  (void)t;
  if (p->done)
    return;
  if (p->sent < p->count) {
    send_one(p);
    if (p->done)
      return;
    su_timer_set_interval(p->timer, on_timer, p,
                          p->sent < p->count ? p->interval_ms : p->wait_ms);
    return;
  }
  /* A reply that arrived in time but waits unread (a busy loop runs the
   * timers of a turn before the sockets) is a reply. */
  if (p->fd >= 0)
    on_readable(NULL, NULL, p);
  finish(p);
}

/* Decodes one datagram: the echo sequence number when it is our reply. */
static int our_reply_seq(sipdiag_pinger_t *p, const uint8_t *buf, size_t len)
{
  if (p->raw && p->family == AF_INET) {  /* IPv4 raw: skip the IP header */
    if (len < 20)
      return -1;
    size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
    if (ihl < 20 || len < ihl)
      return -1;
    buf += ihl;
    len -= ihl;
  }
  if (len < 8)
    return -1;
  uint8_t want = p->family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
  if (buf[0] != want)
    return -1;
  uint16_t ident = (uint16_t)(buf[4] << 8 | buf[5]);
  uint16_t seq = (uint16_t)(buf[6] << 8 | buf[7]);
  /* The kernel fills in the identifier of an unprivileged ICMP socket and
   * delivers it only its own replies. */
  if (p->raw && ident != p->ident)
    return -1;
  if (seq == 0 || seq > p->sent)
    return -1;
  return seq;
}

static int on_readable(su_root_magic_t *magic, su_wait_t *w, sipdiag_pinger_t *p)
{
  (void)magic;
  (void)w;
  uint8_t buf[1500];
  struct sockaddr_storage from;

  for (int i = 0; i < 64; i++) {   /* bounded: a flood cannot hold the loop */
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(p->fd, buf, sizeof buf, 0,
                         (struct sockaddr *)&from, &from_len);
    if (n < 0)
      break;
    int seq = our_reply_seq(p, buf, (size_t)n);
    if (seq < 0 || p->answered[seq])
      continue;
    p->answered[seq] = true;
    unsigned rtt = (unsigned)su_duration(su_now(), p->sent_at[seq]);
    p->answered_count++;
    p->callback(p->context, SIPDIAG_PING_REPLY, (unsigned)seq, rtt, "");
    if (p->done)
      break;
    if (p->answered_count == p->count) {  /* nothing left to wait for */
      finish(p);
      break;
    }
  }
  return 0;
}

/* A socket that cannot be opened is reported from the loop. */
static void on_no_socket(su_root_magic_t *magic, su_timer_t *t, sipdiag_pinger_t *p)
{
  (void)magic;
  (void)t;
  char text[SIPDIAG_SYSERR_TEXT_MAX + 40], why[SIPDIAG_SYSERR_TEXT_MAX];
  if (sipdiag_syserr_kind(p->error) == SIPDIAG_SYSERR_PERMISSION)
    snprintf(text, sizeof text, "%s", "cannot open an ICMP socket (needs root or CAP_NET_RAW)");
  else
    snprintf(text, sizeof text, "cannot open an ICMP socket: %s",
             sipdiag_syserr_text(p->error, why, sizeof why));
  p->callback(p->context, SIPDIAG_PING_ERROR, 0, 0, text);
  finish(p);
}

sipdiag_pinger_t *sipdiag_pinger_start(su_root_t *root,
                                       const struct sockaddr *target,
                                       socklen_t target_len,
                                       unsigned count, unsigned interval_ms,
                                       unsigned wait_ms,
                                       sipdiag_ping_f *callback, void *context)
{
  sipdiag_pinger_t *p = calloc(1, sizeof *p);
  if (!p) {
    errno = ENOMEM;
    return NULL;
  }
  if (count > SIPDIAG_PINGS_MAX)
    count = SIPDIAG_PINGS_MAX;
  p->root = root;
  p->fd = -1;
  p->wait_index = -1;
  memcpy(&p->target, target, target_len < sizeof p->target ? target_len : sizeof p->target);
  p->target_len = target_len;
  p->family = target->sa_family;
  /* ICMP has no ports; a raw IPv6 socket refuses a destination with one. */
  if (p->family == AF_INET6)
    ((struct sockaddr_in6 *)&p->target)->sin6_port = 0;
  else
    ((struct sockaddr_in *)&p->target)->sin_port = 0;
  p->ident = next_ident();
  p->count = count;
  p->interval_ms = interval_ms;
  p->wait_ms = wait_ms;
  p->callback = callback;
  p->context = context;
  p->timer = su_timer_create(su_root_task(root), 0);
  if (!p->timer) {
    free(p);
    errno = ENOMEM;
    return NULL;
  }

  p->error = open_socket(p);
  if (p->error == 0) {
    /* A socket the loop does not watch would hear no reply: as good as none. */
    su_wait_t wait[1];
    if (su_wait_create(wait, p->fd, SU_WAIT_IN) < 0 ||
        (p->wait_index = su_root_register(root, wait, on_readable, p, 0)) < 0) {
      p->error = errno ? errno : ENOMEM;
      p->wait_index = -1;
      close(p->fd);
      p->fd = -1;
    }
  }
  if (p->error != 0) {
    su_timer_set_interval(p->timer, on_no_socket, p, 0);
    return p;
  }
  su_timer_set_interval(p->timer, on_timer, p, 0);
  return p;
}

int sipdiag_pinger_error(const sipdiag_pinger_t *p)
{
  return p ? p->error : 0;
}

int sipdiag_pinger_ident(const sipdiag_pinger_t *p)
{
  if (!p || p->fd < 0)
    return -1;
  if (p->raw)
    return p->ident;
  /* An unprivileged ICMP socket's identifier is its "port". */
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(p->fd, (struct sockaddr *)&ss, &len) < 0)
    return -1;
  return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                        : ((struct sockaddr_in *)&ss)->sin_port);
}

void sipdiag_pinger_stop(sipdiag_pinger_t *p)
{
  if (!p)
    return;
  p->done = true;
  if (p->wait_index >= 0)
    su_root_deregister(p->root, p->wait_index);
  if (p->fd >= 0)
    close(p->fd);
  su_timer_destroy(p->timer);
  free(p);
}
