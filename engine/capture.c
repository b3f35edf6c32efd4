/*
 * capture.c - packet evidence of one diagnosis, with libpcap on a su_root.
 *
 * The kernel filter lets through a superset (our ports, every ICMP error,
 * echo with the server); this file decides what is ours with the pure
 * decoder in icmp_error.c, and writes only that.
 *
 * The packets are read from a packet socket of our own (AF_PACKET,
 * SOCK_DGRAM, no memory-mapped ring), not from a libpcap live handle:
 * libpcap on Linux always sets up a PACKET_RX_RING, and the kernel runs a
 * full RCU grace period (synchronize_net(), 12-17 ms measured) when a ring
 * is set up and another when it is freed.  A socket without a ring starts
 * in microseconds; libpcap still compiles the filter (for bare IP, which
 * is where a SOCK_DGRAM socket's data starts) and writes the file (Linux
 * cooked headers, as its "any" device would).  Closing any packet socket
 * still costs one grace period: see sipdiag_capture_set_release().
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "capture.h"
#include "sipdiag.h"   /* sipdiag_set_socket_closer() */
#include "syserr.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#define SU_ROOT_MAGIC_T  void
#define SU_WAKEUP_ARG_T  struct sipdiag_capture
#include <sofia-sip/su_wait.h>
/* After sofia: both define INVALID_SOCKET, and only pcap checks first. */
#include <pcap/pcap.h>

#define FILTER_MAX 1024
#define PCAP_FILE_HEADER_BYTES   24   /* global header of a pcap file */
#define PCAP_RECORD_HEADER_BYTES 16   /* per-packet header            */
#define SLL_HEADER_BYTES         16   /* Linux cooked header (v1)     */
/* What the kernel filter passes of a packet: all of it (libpcap's
 * largest snapshot); the copy is cut to SIPDIAG_CAPTURE_SNAPLEN here,
 * after recvmsg(MSG_TRUNC) has told the packet's real length. */
#define FILTER_SNAPLEN           262144

struct sipdiag_capture {
  su_root_t *root;
  int fd;                    /* the packet socket, -1 when none           */
  pcap_t *dead;              /* libpcap handle for the file (cooked)      */
  pcap_dumper_t *dumper;
  int dlt;
  int ifindex;               /* 0: every interface ("any")                */
  int wait_index;            /* su_root registration, -1 when none        */
  char device[64];
  char path[SIPDIAG_CAPTURE_PATH_MAX];
  size_t max_bytes;
  uint16_t ports[SIPDIAG_CAPTURE_PORTS_MAX];
  unsigned n_ports;
  sipdiag_icmp_match_t match;  /* server only; ports are checked here     */
  int echo_id;               /* -1: any                                   */
  sipdiag_capture_icmp_f *on_icmp;
  void *context;
  sipdiag_capture_stats_t stats;
  bool in_dispatch;          /* inside read_packets: defer teardown       */
  bool stop_requested;       /* stop() called from within the dispatch    */
  bool reporting;            /* callbacks allowed                         */
  bool wrote;                /* something written since the last flush    */
  ino_t *marked;             /* sockets open at the last mark_sockets()   */
  size_t n_marked;
  unsigned char buf[SIPDIAG_CAPTURE_SNAPLEN];   /* one packet, cooked   */
};

static void set_reason(char *reason, size_t size, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static void set_reason(char *reason, size_t size, const char *fmt, ...)
{
  if (!reason || !size)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, size, fmt, ap);
  va_end(ap);
}

static bool server_known(const sipdiag_capture_t *c)
{
  return c->match.server_family != AF_UNSPEC;
}

static bool is_server(const sipdiag_capture_t *c, int family, const uint8_t *addr)
{
  return server_known(c) && c->match.server_family == family &&
         memcmp(addr, c->match.server_addr, family == AF_INET6 ? 16 : 4) == 0;
}

static bool our_port(const sipdiag_capture_t *c, uint16_t port)
{
  for (unsigned i = 0; i < c->n_ports; i++)
    if (c->ports[i] == port)
      return true;
  return false;
}

/* The kernel filter: a superset of what is ours. */
static int build_filter(const sipdiag_capture_t *c, char *out, size_t size)
{
  size_t n = 0;
  int w;

#define ADD(...) do {                                              \
    w = snprintf(out + n, size - n, __VA_ARGS__);                  \
    if (w < 0 || (size_t)w >= size - n)                            \
      return -1;                                                   \
    n += (size_t)w;                                                \
  } while (0)

  char addr[SIPDIAG_ICMP_ADDRSTR_MAX] = "";
  bool v4 = c->match.server_family == AF_INET;
  bool tcp_server = server_known(c) && c->match.server_port;
  if (server_known(c) &&
      !inet_ntop(c->match.server_family, c->match.server_addr, addr, sizeof addr))
    return -1;

  ADD("((udp or tcp) and (");
  for (unsigned i = 0; i < c->n_ports; i++)
    ADD("%sport %u", i ? " or " : "", (unsigned)c->ports[i]);
  ADD("))");
  /* TCP and TLS connect from ephemeral ports, known only once connect()
   * has sent the SYN: every TCP segment with the server's address and port
   * passes here from the start (so no filter change, which would lose
   * packets, is needed later); on_packet keeps those of our ports. */
  if (tcp_server)
    ADD(" or (tcp and host %s and port %u)", addr, (unsigned)c->match.server_port);
  /* ICMP errors (unreachable, source quench, time exceeded, parameter
   * problem) quoting one of our ports as source port: the quoted IPv4
   * header's length is variable (options).  Others' errors stay out of the
   * ring, which matters when many diagnoses run at once. */
  ADD(" or (icmp and (icmp[0] == 3 or icmp[0] == 4 or icmp[0] == 11 or"
      " icmp[0] == 12) and (");
  for (unsigned i = 0; i < c->n_ports; i++)
    ADD("%sicmp[8 + ((icmp[8] & 0xf) << 2):2] == %u", i ? " or " : "",
        (unsigned)c->ports[i]);
  if (tcp_server && v4)   /* quoting a TCP segment to the server's port */
    ADD(" or (icmp[17] == 6 and icmp[8 + ((icmp[8] & 0xf) << 2) + 2:2] == %u)",
        (unsigned)c->match.server_port);
  ADD("))");
  /* ICMPv6 errors (types below 128): the quoted header is 40 octets when
   * the next header is UDP or TCP; anything else (extension headers) is
   * let through for the decoder to judge. */
  ADD(" or (icmp6 and icmp6[0] < 128 and ((icmp6[14] != 6 and icmp6[14] != 17)");
  for (unsigned i = 0; i < c->n_ports; i++)
    ADD(" or icmp6[48:2] == %u", (unsigned)c->ports[i]);
  if (tcp_server && !v4)
    ADD(" or (icmp6[14] == 6 and icmp6[50:2] == %u)", (unsigned)c->match.server_port);
  ADD("))");
  /* Echo with the server, whoever's: the echo identifier is checked in
   * on_packet, so that setting it needs no filter change. */
  if (server_known(c)) {
    if (v4)
      ADD(" or (icmp and (icmp[0] == 0 or icmp[0] == 8) and host %s)", addr);
    else
      ADD(" or (icmp6 and (icmp6[0] == 128 or icmp6[0] == 129) and host %s)", addr);
  }
#undef ADD
  return 0;
}

/* Compiles the filter for bare IP (a SOCK_DGRAM packet socket's data
 * starts at the network header, outgoing packets too) and attaches it.
 * Attaching replaces the old program at once, atomically: unlike libpcap's
 * pcap_setfilter() there is no reject-all-and-drain step, so a change
 * loses no packet. */
static int apply_filter(sipdiag_capture_t *c, char *reason, size_t reason_size)
{
  char filter[FILTER_MAX];
  struct bpf_program prog;

  if (build_filter(c, filter, sizeof filter) < 0) {
    set_reason(reason, reason_size, "capture unavailable: filter too long");
    return -1;
  }
  pcap_t *raw = pcap_open_dead(DLT_RAW, FILTER_SNAPLEN);
  if (!raw) {
    set_reason(reason, reason_size, "capture unavailable: out of memory");
    return -1;
  }
  if (pcap_compile(raw, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
    set_reason(reason, reason_size, "capture unavailable: filter: %s", pcap_geterr(raw));
    pcap_close(raw);
    return -1;
  }
  pcap_close(raw);
  struct sock_fprog fprog = {
    .len = (unsigned short)prog.bf_len,
    .filter = (struct sock_filter *)prog.bf_insns,   /* same layout */
  };
  int rc = setsockopt(c->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog);
  int err = errno;
  pcap_freecode(&prog);
  if (rc < 0) {
    char why[SIPDIAG_SYSERR_TEXT_MAX];
    set_reason(reason, reason_size, "capture unavailable: setting the filter: %s",
               sipdiag_syserr_text(err, why, sizeof why));
    return -1;
  }
  return 0;
}

static void write_packet(sipdiag_capture_t *c, const struct pcap_pkthdr *h,
                         const u_char *bytes)
{
  if (!c->dumper || c->stats.limit_reached || c->stats.write_error)
    return;
  unsigned long size = PCAP_RECORD_HEADER_BYTES + (unsigned long)h->caplen;
  if (c->stats.bytes_written + size > c->max_bytes) {
    c->stats.limit_reached = true;   /* keep the file a clean prefix */
    return;
  }
  pcap_dump((u_char *)c->dumper, h, bytes);
  c->stats.bytes_written += size;
  c->stats.packets_written++;
  c->wrote = true;
}

static void on_packet(sipdiag_capture_t *c, const struct pcap_pkthdr *h,
                      const u_char *bytes)
{
  sipdiag_packet_t pk;
  sipdiag_icmp_info_t info;
  bool ours = false, report = false;

  c->stats.packets_seen++;
  if (!sipdiag_packet_parse(bytes, h->caplen, c->dlt, &pk))
    return;

  if (pk.has_ports) {
    /* Ours: from our port to the server, or from the server to our port;
     * any peer while the server is unknown. */
    bool out = our_port(c, pk.sport) &&
               (!server_known(c) || is_server(c, pk.family, pk.dst));
    bool in = our_port(c, pk.dport) &&
              (!server_known(c) || is_server(c, pk.family, pk.src));
    ours = out || in;
  } else {
    switch (sipdiag_icmp_decode_packet(&pk, &c->match, &info)) {
    case SIPDIAG_ICMP_ERROR_OURS:
      ours = report = our_port(c, info.orig_sport);
      break;
    case SIPDIAG_ICMP_ECHO_REQUEST:
      ours = is_server(c, pk.family, pk.dst) &&
             (c->echo_id < 0 || info.echo_id == c->echo_id);
      break;
    case SIPDIAG_ICMP_ECHO_REPLY:
      ours = is_server(c, pk.family, pk.src) &&
             (c->echo_id < 0 || info.echo_id == c->echo_id);
      break;
    default:
      break;
    }
  }
  if (!ours)
    return;
  c->stats.packets_ours++;
  write_packet(c, h, bytes);
  if (report) {
    c->stats.icmp_errors++;
    if (c->reporting && c->on_icmp)
      c->on_icmp(c->context, &info);
  }
}

static void put16(unsigned char *p, unsigned v)
{
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

/* Reads up to max packets (< 0: all there are) without blocking and hands
 * each to on_packet with a Linux cooked header in front, as libpcap's
 * "any" device gives them.  Stops early when a callback asked to stop.
 * Returns the number read, or -1 on an error other than "nothing left". */
static int read_packets(sipdiag_capture_t *c, int max)
{
  int n = 0;
  c->in_dispatch = true;
  while ((max < 0 || n < max) && !c->stop_requested) {
    struct sockaddr_ll sll;
    struct iovec iov = { c->buf + SLL_HEADER_BYTES, sizeof c->buf - SLL_HEADER_BYTES };
    union { struct cmsghdr align; char space[CMSG_SPACE(sizeof(struct timeval))]; } cm;
    struct msghdr msg = {
      .msg_name = &sll, .msg_namelen = sizeof sll,
      .msg_iov = &iov, .msg_iovlen = 1,
      .msg_control = cm.space, .msg_controllen = sizeof cm.space,
    };
    ssize_t len = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
    if (len < 0) {
      if (errno == EINTR)
        continue;
      c->in_dispatch = false;
      return errno == EAGAIN || errno == EWOULDBLOCK ? n : -1;
    }
    n++;
    /* On loopback every packet passes twice, going out and coming in:
     * keep the second copy only (as libpcap does). */
    if (sll.sll_pkttype == PACKET_OUTGOING && sll.sll_hatype == ARPHRD_LOOPBACK)
      continue;

    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    for (; cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
      if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_TIMESTAMP)
        memcpy(&h.ts, CMSG_DATA(cmsg), sizeof h.ts);
    if (!h.ts.tv_sec)
      gettimeofday(&h.ts, NULL);

    unsigned char *sh = c->buf;
    put16(sh, sll.sll_pkttype);
    put16(sh + 2, sll.sll_hatype);
    put16(sh + 4, sll.sll_halen);
    memset(sh + 6, 0, 8);
    memcpy(sh + 6, sll.sll_addr, sll.sll_halen < 8 ? sll.sll_halen : 8);
    memcpy(sh + 14, &sll.sll_protocol, 2);   /* network order already */
    size_t caplen = (size_t)len < iov.iov_len ? (size_t)len : iov.iov_len;
    h.caplen = (bpf_u_int32)(SLL_HEADER_BYTES + caplen);
    h.len = (bpf_u_int32)(SLL_HEADER_BYTES + (size_t)len);
    on_packet(c, &h, c->buf);
  }
  c->in_dispatch = false;
  return n;
}

/* The kernel's drop count since the last call (reading resets it). */
static void add_kernel_drops(sipdiag_capture_t *c)
{
  struct tpacket_stats ts;
  socklen_t len = sizeof ts;
  if (c->fd >= 0 && getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &ts, &len) == 0)
    c->stats.kernel_drops += ts.tp_drops;
}

/* --- releasing packet sockets -------------------------------------------- */

static sipdiag_capture_release_t release_mode = SIPDIAG_CAPTURE_RELEASE_NOW;
static int deferred_fds[SIPDIAG_CAPTURE_DEFERRED_MAX];
static unsigned n_deferred;
static sipdiag_socket_closer_f *closer;

void sipdiag_set_socket_closer(sipdiag_socket_closer_f *close_fd)
{
  closer = close_fd;
}

static void release_socket(int fd)
{
  if (fd < 0)
    return;
  if (closer) {
    /* Nothing more reaches it once handed over. */
    struct sock_filter reject = BPF_STMT(BPF_RET | BPF_K, 0);
    struct sock_fprog none = { .len = 1, .filter = &reject };
    (void)setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &none, sizeof none);
    closer(fd);
    return;
  }
  if (release_mode == SIPDIAG_CAPTURE_RELEASE_DEFERRED &&
      n_deferred < SIPDIAG_CAPTURE_DEFERRED_MAX) {
    /* Nothing more reaches it: no program, no protocol hook. */
    struct sock_filter reject = BPF_STMT(BPF_RET | BPF_K, 0);
    struct sock_fprog none = { .len = 1, .filter = &reject };
    (void)setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &none, sizeof none);
    deferred_fds[n_deferred++] = fd;
    return;
  }
  close(fd);   /* one RCU grace period in the kernel */
}

void sipdiag_capture_set_release(sipdiag_capture_release_t how)
{
  release_mode = how;
  if (how == SIPDIAG_CAPTURE_RELEASE_NOW)
    sipdiag_capture_release_deferred();
}

unsigned sipdiag_capture_deferred_count(void)
{
  return n_deferred;
}

void sipdiag_capture_release_deferred(void)
{
  for (unsigned i = 0; i < n_deferred; i++)
    close(deferred_fds[i]);
  n_deferred = 0;
}

static bool is_deferred(int fd)
{
  for (unsigned i = 0; i < n_deferred; i++)
    if (deferred_fds[i] == fd)
      return true;
  return false;
}

static int by_fd(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;
  return x < y ? -1 : x > y;
}

/* In the child: every descriptor but keep and the deferred sockets goes;
 * 0, 1 and 2 become /dev/null (no pipe of the caller's is held open). */
static void child_close_others(int keep)
{
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
  }
  int kept[SIPDIAG_CAPTURE_DEFERRED_MAX + 1];
  unsigned n = 0;
  for (unsigned i = 0; i < n_deferred; i++)
    kept[n++] = deferred_fds[i];
  kept[n++] = keep;
  qsort(kept, n, sizeof kept[0], by_fd);
  unsigned from = 3;
  bool ranges = true;
  for (unsigned i = 0; i <= n && ranges; i++) {
    unsigned to = i < n ? (unsigned)kept[i] : ~0u;
    if (to > from)
      ranges = close_range(from, i < n ? to - 1 : to, 0) == 0;
    if (i < n)
      from = to + 1;
  }
  if (ranges)
    return;
  /* No close_range (kernels before 5.9): one by one. */
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > SIPDIAG_CAPTURE_CHILD_FD_SCAN)
    max = SIPDIAG_CAPTURE_CHILD_FD_SCAN;
  for (int fd = 3; fd < max; fd++)
    if (fd != keep && !is_deferred(fd))
      close(fd);
}

int sipdiag_capture_release_detached(void)
{
  if (!n_deferred)
    return 0;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) {
    sipdiag_capture_release_deferred();
    return -1;
  }
  fflush(NULL);   /* nothing buffered is written twice */
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    sipdiag_capture_release_deferred();
    return -1;
  }
  if (pid == 0) {
    /* The child: wait until the caller has exited (the pipe's write end
     * closes), then exit: the kernel releases the sockets here. */
    close(p[1]);
    child_close_others(p[0]);
    char b;
    while (read(p[0], &b, 1) < 0 && errno == EINTR)
      ;
    _exit(0);
  }
  /* The caller: its copies go now, cheaply (the child holds the sockets,
   * so this is not the last reference); p[1] stays open until it exits. */
  close(p[0]);
  for (unsigned i = 0; i < n_deferred; i++)
    close(deferred_fds[i]);
  n_deferred = 0;
  return 0;
}

/* ------------------------------------------------------------------------ */

static void teardown(sipdiag_capture_t *c, sipdiag_capture_stats_t *stats)
{
  c->reporting = false;
  if (c->wait_index >= 0) {
    su_root_deregister(c->root, c->wait_index);
    c->wait_index = -1;
  }
  if (c->fd >= 0) {
    /* Last packets already queued: written, not reported. */
    c->stop_requested = false;
    (void)read_packets(c, -1);
    add_kernel_drops(c);
  }
  if (c->dumper) {
    if (pcap_dump_flush(c->dumper) < 0)
      c->stats.write_error = true;
    pcap_dump_close(c->dumper);
    c->dumper = NULL;
  }
  if (c->dead)
    pcap_close(c->dead);
  release_socket(c->fd);
  if (stats)
    *stats = c->stats;
  free(c->marked);
  free(c);
}

static int on_readable(su_root_magic_t *magic, su_wait_t *w, sipdiag_capture_t *c)
{
  (void)magic;
  (void)w;
  int n = read_packets(c, SIPDIAG_CAPTURE_DISPATCH_MAX);

  if (c->stop_requested) {
    teardown(c, NULL);
    return 0;
  }
  if (n < 0) {
    /* The socket failed: stop reading (a readable error would spin the
     * loop), keep what was written. */
    su_root_deregister(c->root, c->wait_index);
    c->wait_index = -1;
  }
  if (c->wrote) {
    c->wrote = false;
    if (pcap_dump_flush(c->dumper) < 0)
      c->stats.write_error = true;
  }
  return 0;
}

static int open_file(sipdiag_capture_t *c, char *reason, size_t reason_size)
{
  char why[SIPDIAG_SYSERR_TEXT_MAX];
  int fd = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                0600);
  if (fd < 0) {
    set_reason(reason, reason_size, "capture unavailable: %s: %s", c->path,
               sipdiag_syserr_text(errno, why, sizeof why));
    return -1;
  }
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    set_reason(reason, reason_size, "capture unavailable: %s: %s", c->path,
               sipdiag_syserr_text(errno, why, sizeof why));
    close(fd);
    unlink(c->path);
    return -1;
  }
  c->dumper = pcap_dump_fopen(c->dead, f);
  if (!c->dumper) {
    set_reason(reason, reason_size, "capture unavailable: %s: %s", c->path,
               pcap_geterr(c->dead));
    fclose(f);
    unlink(c->path);
    return -1;
  }
  c->stats.bytes_written = PCAP_FILE_HEADER_BYTES;
  return 0;
}

/* Opens the packet socket with the filter in place before it is bound
 * (bound, it receives: so from the first packet on, only what passes);
 * 0 or -1 with a reason. */
static int open_socket(sipdiag_capture_t *c, char *reason, size_t reason_size)
{
  if (strcmp(c->device, "any") != 0) {
    c->ifindex = (int)if_nametoindex(c->device);
    if (!c->ifindex) {
      set_reason(reason, reason_size, "capture unavailable: no capture device %s",
                 c->device);
      return -1;
    }
  }
  /* Protocol 0: no packet reaches it before bind(). */
  c->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    int error = errno;
    char why[SIPDIAG_SYSERR_TEXT_MAX];
    if (sipdiag_syserr_kind(error) == SIPDIAG_SYSERR_PERMISSION)
      set_reason(reason, reason_size,
                 "capture unavailable: no permission to capture on %s"
                 " (needs root or CAP_NET_RAW)", c->device);
    else
      set_reason(reason, reason_size, "capture unavailable: no packet socket on %s: %s",
                 c->device, sipdiag_syserr_text(error, why, sizeof why));
    return -1;
  }
  int on = 1, size = SIPDIAG_CAPTURE_BUFFER_BYTES;
  (void)setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  (void)setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof on);
  if (apply_filter(c, reason, reason_size) < 0)
    return -1;
  struct sockaddr_ll sll = {
    .sll_family = AF_PACKET,
    .sll_protocol = htons(ETH_P_ALL),
    .sll_ifindex = c->ifindex,
  };
  if (bind(c->fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    char why[SIPDIAG_SYSERR_TEXT_MAX];
    set_reason(reason, reason_size, "capture unavailable: %s: %s", c->device,
               sipdiag_syserr_text(errno, why, sizeof why));
    return -1;
  }
  return 0;
}

sipdiag_capture_t *sipdiag_capture_start(struct su_root_s *root,
                                         const sipdiag_capture_config_t *config,
                                         char *reason, size_t reason_size)
{
  set_reason(reason, reason_size, "%s", "");
  if (!root || !config || !config->local_port) {
    set_reason(reason, reason_size, "capture unavailable: no local port");
    return NULL;
  }
  const char *device = config->device && config->device[0] ? config->device : "any";
  const char *path = config->path ? config->path : "";

  sipdiag_capture_t *c = calloc(1, sizeof *c);
  if (!c) {
    set_reason(reason, reason_size, "capture unavailable: out of memory");
    return NULL;
  }
  c->root = root;
  c->fd = -1;
  c->dlt = SIPDIAG_DLT_LINUX_SLL;
  c->wait_index = -1;
  c->echo_id = -1;
  c->max_bytes = config->max_bytes ? config->max_bytes
                                   : SIPDIAG_CAPTURE_DEFAULT_MAX_BYTES;
  c->ports[c->n_ports++] = config->local_port;
  sipdiag_icmp_match_init(&c->match, config->server, 0);
  c->on_icmp = config->on_icmp;
  c->context = config->context;
  c->reporting = true;

  if ((size_t)snprintf(c->device, sizeof c->device, "%s", device) >= sizeof c->device ||
      (size_t)snprintf(c->path, sizeof c->path, "%s", path) >= sizeof c->path) {
    set_reason(reason, reason_size, "capture unavailable: name too long");
    free(c);
    return NULL;
  }

  if (open_socket(c, reason, reason_size) < 0)
    goto fail;
  c->dead = pcap_open_dead(DLT_LINUX_SLL, SIPDIAG_CAPTURE_SNAPLEN);
  if (!c->dead) {
    set_reason(reason, reason_size, "capture unavailable: out of memory");
    goto fail;
  }
  if (c->path[0] && open_file(c, reason, reason_size) < 0)
    goto fail;

  su_wait_t wait[1];
  if (su_wait_create(wait, c->fd, SU_WAIT_IN) < 0) {
    set_reason(reason, reason_size, "capture unavailable: su_wait_create failed");
    goto fail_file;
  }
  c->wait_index = su_root_register(root, wait, on_readable, c, 0);
  if (c->wait_index < 0) {
    set_reason(reason, reason_size, "capture unavailable: su_root_register failed");
    goto fail_file;
  }
  return c;

fail_file:
  if (c->dumper) {
    pcap_dump_close(c->dumper);
    unlink(c->path);
  }
fail:
  if (c->dead)
    pcap_close(c->dead);
  release_socket(c->fd);
  free(c);
  return NULL;
}

int sipdiag_capture_set_server(sipdiag_capture_t *c, const struct sockaddr *server,
                               char *reason, size_t reason_size)
{
  if (!c)
    return -1;
  sipdiag_icmp_match_t match;
  sipdiag_icmp_match_init(&match, server, 0);
  /* The engine tells the same server again and again: only a change
   * costs a compile (about 0.2 ms) and a new kernel program. */
  if (memcmp(&match, &c->match, sizeof match) == 0)
    return 0;
  c->match = match;
  return apply_filter(c, reason, reason_size);
}

int sipdiag_capture_add_port(sipdiag_capture_t *c, uint16_t port,
                             char *reason, size_t reason_size)
{
  if (!c || !port)
    return -1;
  if (our_port(c, port))
    return 0;
  if (c->n_ports >= SIPDIAG_CAPTURE_PORTS_MAX) {
    set_reason(reason, reason_size, "capture: too many local ports");
    return -1;
  }
  c->ports[c->n_ports++] = port;
  if (server_known(c) && c->match.server_port)
    return 0;   /* the kernel filter passes all TCP with the server already */
  return apply_filter(c, reason, reason_size);
}

int sipdiag_capture_set_echo_id(sipdiag_capture_t *c, int echo_id,
                                char *reason, size_t reason_size)
{
  if (!c)
    return -1;
  (void)reason;
  (void)reason_size;
  /* Checked in on_packet only: the kernel filter stays as it is. */
  c->echo_id = echo_id >= 0 && echo_id <= 0xffff ? echo_id : -1;
  return 0;
}

/* --- sockets this process opens ------------------------------------------ */

/* Calls fn for every socket descriptor of this process; -1 when
 * /proc/self/fd cannot be read. */
static int each_socket(void (*fn)(sipdiag_capture_t *, int fd, ino_t ino),
                       sipdiag_capture_t *c)
{
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return -1;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    char *end;
    long fd = strtol(e->d_name, &end, 10);
    struct stat st;
    if (*end || end == e->d_name || fd < 0 || fd == dirfd(d) ||
        fstat((int)fd, &st) < 0 || !S_ISSOCK(st.st_mode))
      continue;
    fn(c, (int)fd, st.st_ino);
  }
  closedir(d);
  return 0;
}

static void mark_one(sipdiag_capture_t *c, int fd, ino_t ino)
{
  (void)fd;
  if (c->n_marked % 64 == 0) {
    ino_t *more = realloc(c->marked, (c->n_marked + 64) * sizeof *more);
    if (!more)
      return;   /* then an old socket may count as new: harmless */
    c->marked = more;
  }
  c->marked[c->n_marked++] = ino;
}

int sipdiag_capture_mark_sockets(sipdiag_capture_t *c)
{
  if (!c)
    return -1;
  c->n_marked = 0;
  return each_socket(mark_one, c);
}

/* A stream socket not open at the mark: one of the connections the caller
 * just made; its local port becomes ours. */
static void follow_one(sipdiag_capture_t *c, int fd, ino_t ino)
{
  for (size_t i = 0; i < c->n_marked; i++)
    if (c->marked[i] == ino)
      return;
  int type = 0;
  socklen_t len = sizeof type;
  struct sockaddr_storage ss;
  socklen_t sslen = sizeof ss;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
      getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0)
    return;
  uint16_t port = 0;
  if (ss.ss_family == AF_INET)
    port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
  else if (ss.ss_family == AF_INET6)
    port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  if (port)
    (void)sipdiag_capture_add_port(c, port, NULL, 0);
}

int sipdiag_capture_follow_new_sockets(sipdiag_capture_t *c)
{
  if (!c)
    return -1;
  unsigned before = c->n_ports;
  if (each_socket(follow_one, c) < 0)
    return -1;
  return (int)(c->n_ports - before);
}

void sipdiag_capture_get_stats(const sipdiag_capture_t *c,
                               sipdiag_capture_stats_t *stats)
{
  if (!c) {
    memset(stats, 0, sizeof *stats);
    return;
  }
  add_kernel_drops((sipdiag_capture_t *)c);   /* the counter only */
  *stats = c->stats;
}

const char *sipdiag_capture_path(const sipdiag_capture_t *c)
{
  return c ? c->path : "";
}

void sipdiag_capture_stop(sipdiag_capture_t *c, sipdiag_capture_stats_t *stats)
{
  if (!c)
    return;
  c->reporting = false;
  if (c->in_dispatch) {
    /* Called from our own callback: finish once pcap_dispatch returns. */
    if (stats)
      *stats = c->stats;
    c->stop_requested = true;
    return;
  }
  teardown(c, stats);
}

/* --- capture files ------------------------------------------------------- */

void sipdiag_capture_sanitize_key(const char *key, char *out, size_t size)
{
  size_t n = 0;
  if (!size)
    return;
  for (const char *k = key ? key : ""; *k && n + 1 < size &&
       n < SIPDIAG_CAPTURE_KEY_MAX; k++) {
    char ch = *k;
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
              (ch == '.' && n > 0);
    out[n++] = ok ? ch : '_';
  }
  if (n == 0 && size > 1)
    out[n++] = '_';
  out[n] = '\0';
}

typedef struct capture_file {
  char stamp[17];
  unsigned long n;
  char *name;
} capture_file_t;

/* "<skey>-YYYYmmddTHHMMSSZ-<n>.pcap" → stamp and n. */
static bool parse_name(const char *name, const char *skey, capture_file_t *f)
{
  size_t kl = strlen(skey);
  if (strncmp(name, skey, kl) != 0 || name[kl] != '-')
    return false;
  const char *s = name + kl + 1;
  for (int i = 0; i < 16; i++) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if (i == 8 ? s[i] != 'T' : i == 15 ? s[i] != 'Z' : !digit)
      return false;
  }
  if (s[16] != '-')
    return false;
  const char *d = s + 17;
  unsigned long n = 0;
  size_t digits = 0;
  while (d[digits] >= '0' && d[digits] <= '9' && digits < 9)
    n = n * 10 + (unsigned long)(d[digits++] - '0');
  if (digits == 0 || strcmp(d + digits, ".pcap") != 0)
    return false;
  memcpy(f->stamp, s, 16);
  f->stamp[16] = '\0';
  f->n = n;
  return true;
}

/* The largest n of key's files named for this stamp; 0 when none (or the
 * directory cannot be read). */
static unsigned largest_n(const char *dir, const char *skey, const char *stamp)
{
  DIR *d = opendir(dir);
  if (!d)
    return 0;
  unsigned long most = 0;
  struct dirent *e;
  capture_file_t f;
  while ((e = readdir(d)) != NULL)
    if (parse_name(e->d_name, skey, &f) && strcmp(f.stamp, stamp) == 0 && f.n > most)
      most = f.n;
  closedir(d);
  return most < 999 ? (unsigned)most : 999;
}

int sipdiag_capture_make_path(const char *dir, const char *key, time_t when,
                              char *out, size_t size)
{
  char skey[SIPDIAG_CAPTURE_KEY_MAX + 1];
  char stamp[32];
  struct tm tm;

  sipdiag_capture_sanitize_key(key, skey, sizeof skey);
  if (!gmtime_r(&when, &tm) ||
      strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm) != 16) {
    errno = EINVAL;
    return -1;
  }
  /* Past the largest n of this second: prune() orders a second's files by
   * n, so a file made in a gap (a lower n pruned already) would count as
   * the oldest and go at once, with six runs of one account in a second. */
  unsigned n = 1 + largest_n(dir && dir[0] ? dir : ".", skey, stamp);
  for (; n < 1000; n++) {
    int w = snprintf(out, size, "%s/%s-%s-%u.pcap", dir && dir[0] ? dir : ".",
                     skey, stamp, n);
    if (w < 0 || (size_t)w >= size) {
      errno = ENAMETOOLONG;
      return -1;
    }
    struct stat st;
    if (lstat(out, &st) < 0 && errno == ENOENT)
      return 0;
  }
  errno = EEXIST;
  return -1;
}

static int by_age(const void *a, const void *b)
{
  const capture_file_t *x = a, *y = b;
  int c = strcmp(x->stamp, y->stamp);
  if (c)
    return c;
  return x->n < y->n ? -1 : x->n > y->n;
}

int sipdiag_capture_prune(const char *dir, const char *key, unsigned keep)
{
  char skey[SIPDIAG_CAPTURE_KEY_MAX + 1];
  sipdiag_capture_sanitize_key(key, skey, sizeof skey);

  DIR *d = opendir(dir && dir[0] ? dir : ".");
  if (!d)
    return -1;
  capture_file_t *files = NULL;
  size_t count = 0, cap = 0;
  int result = 0;
  struct dirent *e;

  while ((e = readdir(d)) != NULL) {
    capture_file_t f;
    if (!parse_name(e->d_name, skey, &f))
      continue;
    if (count == cap) {
      size_t ncap = cap ? 2 * cap : 16;
      capture_file_t *nf = realloc(files, ncap * sizeof *nf);
      if (!nf) {
        result = -1;
        errno = ENOMEM;
        goto out;
      }
      files = nf;
      cap = ncap;
    }
    f.name = strdup(e->d_name);
    if (!f.name) {
      result = -1;
      errno = ENOMEM;
      goto out;
    }
    files[count++] = f;
  }
  if (count > keep) {
    qsort(files, count, sizeof *files, by_age);
    for (size_t i = 0; i < count - keep; i++)
      if (unlinkat(dirfd(d), files[i].name, 0) == 0)
        result++;
  }
out:
  for (size_t i = 0; i < count; i++)
    free(files[i].name);
  free(files);
  closedir(d);
  return result;
}
