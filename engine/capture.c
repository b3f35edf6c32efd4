/*
 * capture.c - packet evidence of one diagnosis, with libpcap on a su_root.
 *
 * The kernel filter lets through a superset (our ports, every ICMP error,
 * echo with the server); this file decides what is ours with the pure
 * decoder in icmp_error.c, and writes only that.
 */
#include "capture.h"
#include "syserr.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SU_ROOT_MAGIC_T  void
#define SU_WAKEUP_ARG_T  struct sipdiag_capture
#include <sofia-sip/su_wait.h>
/* After sofia: both define INVALID_SOCKET, and only pcap checks first. */
#include <pcap/pcap.h>

#define FILTER_MAX 1024
#define PCAP_FILE_HEADER_BYTES   24   /* global header of a pcap file */
#define PCAP_RECORD_HEADER_BYTES 16   /* per-packet header            */

struct sipdiag_capture {
  su_root_t *root;
  pcap_t *pcap;
  pcap_dumper_t *dumper;
  int dlt;
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
  bool in_dispatch;          /* inside pcap_dispatch: defer teardown      */
  bool stop_requested;       /* stop() called from within the dispatch    */
  bool filter_pending;       /* new kernel filter after the dispatch      */
  bool reporting;            /* callbacks allowed                         */
  bool wrote;                /* something written since the last flush    */
  ino_t *marked;             /* sockets open at the last mark_sockets()   */
  size_t n_marked;
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

static int apply_filter(sipdiag_capture_t *c, char *reason, size_t reason_size)
{
  char filter[FILTER_MAX];
  struct bpf_program prog;

  c->filter_pending = false;
  if (build_filter(c, filter, sizeof filter) < 0) {
    set_reason(reason, reason_size, "capture unavailable: filter too long");
    return -1;
  }
  if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
    set_reason(reason, reason_size, "capture unavailable: filter: %s",
               pcap_geterr(c->pcap));
    return -1;
  }
  int rc = pcap_setfilter(c->pcap, &prog);
  pcap_freecode(&prog);
  if (rc < 0) {
    set_reason(reason, reason_size, "capture unavailable: setting the filter: %s",
               pcap_geterr(c->pcap));
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

static void on_packet(u_char *user, const struct pcap_pkthdr *h,
                      const u_char *bytes)
{
  sipdiag_capture_t *c = (sipdiag_capture_t *)user;
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
    if (c->reporting && c->on_icmp) {
      c->on_icmp(c->context, &info);
      if (c->stop_requested)
        pcap_breakloop(c->pcap);
    }
  }
}

static void teardown(sipdiag_capture_t *c, sipdiag_capture_stats_t *stats)
{
  c->reporting = false;
  if (c->wait_index >= 0) {
    su_root_deregister(c->root, c->wait_index);
    c->wait_index = -1;
  }
  if (c->pcap) {
    /* Last packets already in the ring: written, not reported. */
    c->in_dispatch = true;
    (void)pcap_dispatch(c->pcap, -1, on_packet, (u_char *)c);
    c->in_dispatch = false;
    struct pcap_stat ps;
    if (pcap_stats(c->pcap, &ps) == 0)
      c->stats.kernel_drops = ps.ps_drop;
  }
  if (c->dumper) {
    if (pcap_dump_flush(c->dumper) < 0)
      c->stats.write_error = true;
    pcap_dump_close(c->dumper);
    c->dumper = NULL;
  }
  if (c->pcap)
    pcap_close(c->pcap);
  if (stats)
    *stats = c->stats;
  free(c->marked);
  free(c);
}

static int on_readable(su_root_magic_t *magic, su_wait_t *w, sipdiag_capture_t *c)
{
  (void)magic;
  (void)w;
  c->in_dispatch = true;
  int n = pcap_dispatch(c->pcap, SIPDIAG_CAPTURE_DISPATCH_MAX, on_packet,
                        (u_char *)c);
  c->in_dispatch = false;

  if (c->stop_requested) {
    teardown(c, NULL);
    return 0;
  }
  if (n == PCAP_ERROR) {
    /* The device went away or similar: stop reading (a readable error
     * would spin the loop), keep what was written. */
    su_root_deregister(c->root, c->wait_index);
    c->wait_index = -1;
  }
  if (c->wrote) {
    c->wrote = false;
    if (pcap_dump_flush(c->dumper) < 0)
      c->stats.write_error = true;
  }
  if (c->filter_pending)
    (void)apply_filter(c, NULL, 0);
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
  c->dumper = pcap_dump_fopen(c->pcap, f);
  if (!c->dumper) {
    set_reason(reason, reason_size, "capture unavailable: %s: %s", c->path,
               pcap_geterr(c->pcap));
    fclose(f);
    unlink(c->path);
    return -1;
  }
  c->stats.bytes_written = PCAP_FILE_HEADER_BYTES;
  return 0;
}

static bool dlt_supported(int dlt)
{
  switch (dlt) {
  case SIPDIAG_DLT_NULL: case SIPDIAG_DLT_EN10MB: case SIPDIAG_DLT_RAW:
  case SIPDIAG_DLT_RAW_OPENBSD: case SIPDIAG_LINKTYPE_RAW:
  case SIPDIAG_DLT_LOOP: case SIPDIAG_DLT_LINUX_SLL:
  case SIPDIAG_DLT_IPV4: case SIPDIAG_DLT_IPV6: case SIPDIAG_DLT_LINUX_SLL2:
    return true;
  default:
    return false;
  }
}

/* Opens and activates the handle; 0 or -1 with a reason. */
static int open_pcap(sipdiag_capture_t *c, char *reason, size_t reason_size)
{
  char err[PCAP_ERRBUF_SIZE] = "";

  c->pcap = pcap_create(c->device, err);
  if (!c->pcap) {
    set_reason(reason, reason_size, "capture unavailable: %s", err);
    return -1;
  }
  pcap_set_snaplen(c->pcap, SIPDIAG_CAPTURE_SNAPLEN);
  pcap_set_immediate_mode(c->pcap, SIPDIAG_CAPTURE_IMMEDIATE);
  pcap_set_buffer_size(c->pcap, SIPDIAG_CAPTURE_BUFFER_BYTES);
  pcap_set_timeout(c->pcap, SIPDIAG_CAPTURE_TIMEOUT_MS);

  errno = 0;
  int rc = pcap_activate(c->pcap);
  /* libpcap keeps the errno of the socket it could not open only in its
   * text; errno itself still holds it after a failed activation. */
  int error = errno;
  if (rc < 0) {
    char why[SIPDIAG_SYSERR_TEXT_MAX];
    if (rc != PCAP_ERROR_PERM_DENIED &&
        sipdiag_syserr_kind(error) == SIPDIAG_SYSERR_DESCRIPTORS)
      set_reason(reason, reason_size, "capture unavailable: no packet socket on %s: %s",
                 c->device, sipdiag_syserr_text(error, why, sizeof why));
    else if (rc == PCAP_ERROR_PERM_DENIED)
      set_reason(reason, reason_size,
                 "capture unavailable: no permission to capture on %s"
                 " (needs root or CAP_NET_RAW)", c->device);
    else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
      set_reason(reason, reason_size,
                 "capture unavailable: no capture device %s", c->device);
    else
      set_reason(reason, reason_size, "capture unavailable: %s: %s",
                 pcap_statustostr(rc), pcap_geterr(c->pcap));
    return -1;
  }
  c->dlt = pcap_datalink(c->pcap);
  if (!dlt_supported(c->dlt)) {
    set_reason(reason, reason_size,
               "capture unavailable: link type %s of %s not supported",
               pcap_datalink_val_to_name(c->dlt) ? pcap_datalink_val_to_name(c->dlt)
                                                 : "?", c->device);
    return -1;
  }
  if (apply_filter(c, reason, reason_size) < 0)
    return -1;
  if (pcap_setnonblock(c->pcap, 1, err) < 0) {
    set_reason(reason, reason_size, "capture unavailable: %s", err);
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

  if (open_pcap(c, reason, reason_size) < 0)
    goto fail;

  int fd = pcap_get_selectable_fd(c->pcap);
  if (fd < 0) {
    set_reason(reason, reason_size,
               "capture unavailable: %s has no selectable descriptor", c->device);
    goto fail;
  }
  if (c->path[0] && open_file(c, reason, reason_size) < 0)
    goto fail;

  su_wait_t wait[1];
  if (su_wait_create(wait, fd, SU_WAIT_IN) < 0) {
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
  if (c->pcap)
    pcap_close(c->pcap);
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
  /* Every change of the kernel filter loses the packets that arrive while
   * libpcap swaps it (it rejects all, drains, then attaches the new one):
   * the engine tells the same server again and again, so only a change
   * counts. */
  if (memcmp(&match, &c->match, sizeof match) == 0)
    return 0;
  c->match = match;
  if (c->in_dispatch) {   /* not while libpcap is reading: after it */
    c->filter_pending = true;
    return 0;
  }
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
  if (c->in_dispatch) {
    c->filter_pending = true;
    return 0;
  }
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
  *stats = c->stats;
  struct pcap_stat ps;
  if (c->pcap && pcap_stats(c->pcap, &ps) == 0)
    stats->kernel_drops = ps.ps_drop;
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
    pcap_breakloop(c->pcap);
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
  for (unsigned n = 1; n < 1000; n++) {
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
