/*
 * capture.h - packet evidence of one diagnosis, with libpcap on a su_root.
 *
 * A capture watches the probe's own SIP packets (UDP or TCP on its local
 * ports, TCP/TLS connections to the server), the ICMP/ICMPv6 errors that
 * quote them, and ICMP echo to and from the server.  It reports each ICMP error about our packets at once, and
 * writes the packets that are ours to a pcap file (mode 0600: it holds
 * digest responses) until the file reaches its size bound; decoding goes
 * on after that.
 *
 * It reads a packet socket of its own (no memory-mapped ring: setting one
 * up and freeing it cost the kernel two RCU grace periods, ~30 ms) and
 * writes Linux cooked (LINKTYPE_LINUX_SLL) files with libpcap.
 *
 * Capturing needs root or CAP_NET_RAW.  Without it sipdiag_capture_start()
 * returns NULL with a reason, and the diagnosis simply runs without.
 */
#ifndef SIPDIAG_CAPTURE_H
#define SIPDIAG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "icmp_error.h"

#include "sipdiag_limits.h"   /* SIPDIAG_CAPTURE_*: sizes and timings */

/* ------------------------------------------------------------------------ */

struct su_root_s;
typedef struct sipdiag_capture sipdiag_capture_t;

/* One ICMP error about our packets (status SIPDIAG_ICMP_ERROR_OURS).  Called
 * from the su_root loop; info is valid during the call only.  The callback
 * may call sipdiag_capture_stop() or sipdiag_capture_set_server(). */
typedef void sipdiag_capture_icmp_f(void *context,
                                    const sipdiag_icmp_info_t *info);

typedef struct sipdiag_capture_config {
  const char *device;              /* NULL or "": "any"                     */
  uint16_t local_port;             /* the probe's SIP port, host order      */
  const struct sockaddr *server;   /* NULL: not known yet                   */
  const char *path;                /* pcap file; NULL or "": decode only    */
  size_t max_bytes;                /* 0: SIPDIAG_CAPTURE_DEFAULT_MAX_BYTES  */
  sipdiag_capture_icmp_f *on_icmp; /* NULL: none                            */
  void *context;
} sipdiag_capture_config_t;

typedef struct sipdiag_capture_stats {
  unsigned long packets_seen;      /* passed the kernel filter              */
  unsigned long packets_ours;      /* judged ours                           */
  unsigned long packets_written;
  unsigned long bytes_written;     /* file size, pcap headers included      */
  unsigned long icmp_errors;       /* ICMP errors about our packets         */
  unsigned long kernel_drops;      /* pcap_stats: ring buffer overflows     */
  bool limit_reached;              /* writing stopped at max_bytes          */
  bool write_error;                /* writing stopped on an I/O error       */
} sipdiag_capture_stats_t;

/*
 * Starts capturing on root.  Returns NULL when capture is unavailable, with
 * "capture unavailable: <why>" in reason (may be NULL).  The file is
 * created at once (O_EXCL: an existing file is an error) with mode 0600.
 */
sipdiag_capture_t *sipdiag_capture_start(struct su_root_s *root,
                                         const sipdiag_capture_config_t *config,
                                         char *reason, size_t reason_size);

/* Once the server's address is known (or changes): narrows what is ours
 * and adds echo to and from it, and TCP with its port.  Telling the same
 * server again changes nothing.  Best given in the config, before the
 * first packet (then the filter is compiled once); a later change
 * replaces the kernel filter atomically and loses no packet.  0, or -1
 * with a reason. */
int sipdiag_capture_set_server(sipdiag_capture_t *capture,
                               const struct sockaddr *server,
                               char *reason, size_t reason_size);

/* Follows one more local port (e.g. a TCP connection's); at most
 * SIPDIAG_CAPTURE_PORTS_MAX.  0, or -1 with a reason.  With the server's
 * address and port known the kernel filter already passes every TCP
 * segment with it, so a TCP connection's port is followed without a filter
 * change (each change loses the packets that arrive meanwhile). */
int sipdiag_capture_add_port(sipdiag_capture_t *capture, uint16_t port,
                             char *reason, size_t reason_size);

/*
 * The local ports of TCP and TLS connections (sofia's own and the
 * transport check's) are ephemeral and no API tells them: call
 * mark_sockets() just before the code that connects, and
 * follow_new_sockets() right after it; every stream socket this process
 * opened in between (single-threaded: only that code ran) is followed with
 * add_port().  The SYN is already in the ring then, and judged after.
 * mark: 0 or -1; follow: the number of ports added, or -1.
 */
int sipdiag_capture_mark_sockets(sipdiag_capture_t *capture);
int sipdiag_capture_follow_new_sockets(sipdiag_capture_t *capture);

/* Only ICMP echo with this identifier is ours: the pinger's (for an
 * unprivileged ICMP socket the kernel's, = the port getsockname() gives).
 * -1, the default: any echo to or from the server, including other
 * programs' pings of it.  Checked on each packet; the kernel filter passes
 * all echo with the server.  Returns 0. */
int sipdiag_capture_set_echo_id(sipdiag_capture_t *capture, int echo_id,
                                char *reason, size_t reason_size);

void sipdiag_capture_get_stats(const sipdiag_capture_t *capture,
                               sipdiag_capture_stats_t *stats);

/* The file written ("" when decoding only). */
const char *sipdiag_capture_path(const sipdiag_capture_t *capture);

/*
 * Final non-blocking read (written, not reported), flush, close, free.
 * Every packet the kernel has passed to or from a socket is queued on the
 * capture's socket already (SIPDIAG_CAPTURE_IMMEDIATE), so stopping right
 * after the verdict loses none.  The file is complete and closed when this
 * returns.  No callback after this.  stats (may be NULL) receives the
 * final figures.  May be called from the capture's own callback.  NULL is
 * fine.  The packet socket is closed here, or handed over (below).
 */
void sipdiag_capture_stop(sipdiag_capture_t *capture,
                          sipdiag_capture_stats_t *stats);

/* --- releasing packet sockets ---------------------------------------------
 *
 * Closing a packet socket blocks the caller for one RCU grace period of
 * the kernel (packet_release() calls synchronize_net(): 12-17 ms
 * measured), whatever the socket held.  A process that must answer fast
 * can take that off its path: with SIPDIAG_CAPTURE_RELEASE_DEFERRED,
 * sipdiag_capture_stop() still completes and closes the file and detaches
 * the socket from the network, but keeps the descriptor (at most
 * SIPDIAG_CAPTURE_DEFERRED_MAX; beyond, it closes at once) until one of
 * the calls below.  Process-wide state, not locked: the default
 * (RELEASE_NOW) is safe with engines in several threads; DEFERRED is for a
 * program whose engine runs in one thread (sipdiag-probe), set before it
 * starts.
 */
typedef enum sipdiag_capture_release {
  SIPDIAG_CAPTURE_RELEASE_NOW = 0,   /* close() in sipdiag_capture_stop() */
  SIPDIAG_CAPTURE_RELEASE_DEFERRED,  /* keep until released below        */
} sipdiag_capture_release_t;

/* Setting RELEASE_NOW also closes what was kept. */
void sipdiag_capture_set_release(sipdiag_capture_release_t how);

/* Sockets kept, not yet released. */
unsigned sipdiag_capture_deferred_count(void);

/* Closes the kept sockets here (blocking, one grace period each). */
void sipdiag_capture_release_deferred(void);

/*
 * For a process about to exit (sipdiag-probe, once it has printed the
 * verdict): forks a child that holds the kept sockets, with stdin, stdout
 * and stderr on /dev/null and every other descriptor closed, until the
 * caller has exited; then it exits, and the kernel's grace periods run in
 * the child, not in the caller's exit.  The caller's own copies are
 * closed at once (cheap: not the last reference).  Nothing kept: does
 * nothing.  0; -1 when no child could be made (then they were closed here).
 */
int sipdiag_capture_release_detached(void);

/* --- capture files ------------------------------------------------------- */

/* Copies key to out with every octet outside [A-Za-z0-9_.-] (and a leading
 * '.') replaced by '_', cut to SIPDIAG_CAPTURE_KEY_MAX; "_" when empty. */
void sipdiag_capture_sanitize_key(const char *key, char *out, size_t size);

/*
 * Makes "<dir>/<key>-<YYYYmmddTHHMMSSZ>-<n>.pcap" for time `when` (UTC),
 * with n one above the largest n of key's files of that second (1 when
 * there is none), so that the new file is the newest for prune() even
 * when older ones of that second were pruned already.  0, or -1 (errno
 * ENAMETOOLONG, EEXIST after 999 tries).
 */
int sipdiag_capture_make_path(const char *dir, const char *key, time_t when,
                              char *out, size_t size);

/*
 * Deletes the oldest capture files of key in dir until `keep` are left.
 * Only names exactly of the form above count; their order is the time in
 * the name, then n.  Returns how many were deleted, or -1 (errno).
 */
int sipdiag_capture_prune(const char *dir, const char *key, unsigned keep);

#endif /* SIPDIAG_CAPTURE_H */
