/*
 * hostile-registrar.c - a SIP "registrar" that misbehaves on purpose.
 *
 * Test helper for the tests in tests/hostile.  It listens on 127.0.0.1 (UDP and
 * TCP on one port), answers every request the way --mode says, and logs
 * each request it receives, so that the tests can count the REGISTERs a
 * diagnosis really sent whatever the server did.
 *
 * One thread, one poll loop, a bounded run time (--max-seconds) and a
 * bounded number of datagrams per request (--count, at most MAX_COUNT).
 * It only ever answers the address a request came from, and only binds
 * loopback addresses.
 *
 * Usage: hostile-registrar --mode MODE [options]; see usage() below.
 * Prints the UDP/TCP port on stdout (one line) once it listens.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT       5000          /* datagrams per request, hard cap    */
#define MAX_SECONDS     3600
#define MAX_CONNS       16
#define CONN_BUF        (128 * 1024)  /* a TCP peer may send this much      */
#define OUT_MAX         (256 * 1024)  /* one response, huge mode included   */
#define UDP_MAX         65507         /* IPv4 UDP payload limit             */
#define MAX_VIAS        8
#define FIELD           1024

/* ---- modes ------------------------------------------------------------- */

typedef enum {
  M_OK, M_SILENT, M_MALFORMED_STATUS, M_GARBAGE, M_TRUNCATED, M_HUGE,
  M_WRONG_CALLID, M_WRONG_CSEQ, M_WRONG_BRANCH, M_FLOOD, M_ENDLESS_401,
  M_MIN_EXPIRES, M_MIN_EXPIRES_ESCALATING, M_REDIRECT_SELF, M_REDIRECT_OTHER,
  M_TRYING_FLOOD, M_HUGE_CONTENT_LENGTH, M_DUP_TO_TAG, M_UNSOLICITED,
  M_STALE_THEN_OK, M_NO_CHALLENGE, M_OK_WITHOUT_CONTACT, M_TWO_REALMS,
} mode_t_;

static const struct { const char *name; mode_t_ mode; const char *what; } modes[] = {
  { "ok", M_OK, "200 OK to everything (harness self-check)" },
  { "silent", M_SILENT, "log, never answer" },
  { "malformed-status", M_MALFORMED_STATUS, "a response whose status line is --status-line" },
  { "garbage", M_GARBAGE, "--count datagrams of random bytes" },
  { "truncated", M_TRUNCATED, "a --status response cut in the middle of a header" },
  { "huge", M_HUGE, "a --status response with ~--pad-bytes of extra headers" },
  { "wrong-callid", M_WRONG_CALLID, "a --status response with another Call-ID" },
  { "wrong-cseq", M_WRONG_CSEQ, "a --status response with another CSeq number" },
  { "wrong-branch", M_WRONG_BRANCH, "a --status response with another Via branch" },
  { "flood", M_FLOOD, "--count copies of a --status response (401: fresh nonce each)" },
  { "endless-401", M_ENDLESS_401, "401 with a fresh nonce to every request" },
  { "min-expires", M_MIN_EXPIRES, "423 with Min-Expires: --min-expires" },
  { "min-expires-escalating", M_MIN_EXPIRES_ESCALATING, "423, Min-Expires always 2x what was asked" },
  { "redirect-self", M_REDIRECT_SELF, "302 to this very port" },
  { "redirect-other", M_REDIRECT_OTHER, "302 to a second port of this server, which 302s back" },
  { "trying-flood", M_TRYING_FLOOD, "--count 100 Trying, then nothing (or --then)" },
  { "huge-content-length", M_HUGE_CONTENT_LENGTH, "a --status response with Content-Length: --content-length" },
  { "dup-to-tag", M_DUP_TO_TAG, "a --status response with two To tags and two To headers" },
  { "unsolicited", M_UNSOLICITED, "--count responses to requests never sent, then --then" },
  { "stale-then-ok", M_STALE_THEN_OK, "401; the first request with credentials 401 stale=TRUE; then 200" },
  { "no-challenge", M_NO_CHALLENGE, "a --status (401) response with no WWW-/Proxy-Authenticate" },
  { "ok-without-contact", M_OK_WITHOUT_CONTACT, "200 OK listing no Contact, to everything" },
  { "two-realms", M_TWO_REALMS, "401 challenging realms hostile and hostile-b; 200 once both are answered" },
};

/* ---- options ----------------------------------------------------------- */

static struct {
  mode_t_ mode;
  unsigned port;
  unsigned max_seconds;
  unsigned count;
  int status;               /* 0: the mode's default                       */
  int then_status;          /* a correct answer after the hostile part     */
  const char *status_line;
  const char *min_expires;
  const char *content_length;
  unsigned pad_bytes;
  unsigned pad_line;
  long cut;                 /* truncated: bytes kept; <0 = mid last header */
  const char *cut_in;       /* truncated: cut in the middle of this header  */
  bool stale;
  bool tcp;
  const char *log_path;
  unsigned long seed;
} opt = {
  .mode = M_OK, .max_seconds = 60, .count = 0, .status_line = "SIP/2.0 2x0 OK",
  .min_expires = "4294967295", .content_length = "4294967295",
  .pad_bytes = 64 * 1024, .pad_line = 100, .cut = -1, .tcp = true,
};

static FILE *logf_;
static struct timespec t_start;
static unsigned long n_requests, n_sent, n_bytes, n_send_errors;

/* ---- small helpers ----------------------------------------------------- */

static unsigned long ms_since_start(void)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (unsigned long)((now.tv_sec - t_start.tv_sec) * 1000 +
                         (now.tv_nsec - t_start.tv_nsec) / 1000000);
}

static void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logline(const char *fmt, ...)
{
  va_list ap;
  fprintf(logf_, "t_ms=%lu ", ms_since_start());
  va_start(ap, fmt);
  vfprintf(logf_, fmt, ap);
  va_end(ap);
  fputc('\n', logf_);
  fflush(logf_);
}

static uint64_t rng_state;
static uint64_t rnd(void)   /* xorshift64* */
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ULL;
}

static void copy(char *dst, size_t size, const char *src, size_t len)
{
  if (len >= size)
    len = size - 1;
  memcpy(dst, src, len);
  dst[len] = '\0';
}

/* Log-safe copy: printable, no spaces, bounded. */
static const char *safe(const char *s, char *buf, size_t size)
{
  size_t i = 0;
  for (; *s && i + 1 < size && i < 120; s++)
    buf[i++] = (*s > 32 && *s < 127) ? *s : '_';
  buf[i] = '\0';
  return i ? buf : "-";
}

/* ---- output buffer ----------------------------------------------------- */

static char out[OUT_MAX];
static size_t out_len;

static void out_reset(void) { out_len = 0; }

static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void outf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + out_len, sizeof out - out_len, fmt, ap);
  va_end(ap);
  if (n > 0)
    out_len += (size_t)n < sizeof out - out_len ? (size_t)n : sizeof out - out_len - 1;
}

/* ---- requests ---------------------------------------------------------- */

typedef struct request {
  char method[32];
  char vias[MAX_VIAS][FIELD];
  unsigned n_vias;
  char from[FIELD], to[FIELD], call_id[FIELD], cseq[FIELD], contact[FIELD];
  char branch[256];
  unsigned long cseq_num;
  long expires;             /* -1: no Expires header                       */
  bool auth;
  bool realm_a, realm_b;    /* credentials for realm "hostile", "hostile-b" */
} request_t;

/* Header name match, long or compact form. */
static bool is_header(const char *name, size_t len, const char *full, const char *compact)
{
  return (strlen(full) == len && strncasecmp(name, full, len) == 0) ||
         (compact && strlen(compact) == len && strncasecmp(name, compact, len) == 0);
}

/* Parse the header block of one request (msg is NUL-terminated, headers
 * end at the first empty line or at the end).  Minimal on purpose: enough
 * to echo Via/From/To/Call-ID/CSeq and to log what came. */
static bool parse_request(const char *msg, request_t *r)
{
  memset(r, 0, sizeof *r);
  r->expires = -1;
  const char *line = msg, *eol;
  bool first = true;
  for (; *line; line = eol) {
    eol = strchr(line, '\n');
    size_t len = eol ? (size_t)(eol - line) : strlen(line);
    eol = eol ? eol + 1 : line + len;
    if (len && line[len - 1] == '\r')
      len--;
    if (len == 0)
      break;
    if (first) {
      first = false;
      if (len >= 7 && strncmp(line, "SIP/2.0", 7) == 0)
        return false;                          /* a response: not ours */
      const char *sp = memchr(line, ' ', len);
      if (!sp)
        return false;
      copy(r->method, sizeof r->method, line, (size_t)(sp - line));
      continue;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon)
      continue;
    size_t nlen = (size_t)(colon - line);
    while (nlen && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t'))
      nlen--;
    const char *v = colon + 1;
    while (v < line + len && (*v == ' ' || *v == '\t'))
      v++;
    size_t vlen = (size_t)(line + len - v);
    if (is_header(line, nlen, "Via", "v")) {
      if (r->n_vias < MAX_VIAS)
        copy(r->vias[r->n_vias++], FIELD, v, vlen);
    } else if (is_header(line, nlen, "From", "f")) {
      copy(r->from, sizeof r->from, v, vlen);
    } else if (is_header(line, nlen, "To", "t")) {
      copy(r->to, sizeof r->to, v, vlen);
    } else if (is_header(line, nlen, "Call-ID", "i")) {
      copy(r->call_id, sizeof r->call_id, v, vlen);
    } else if (is_header(line, nlen, "CSeq", NULL)) {
      copy(r->cseq, sizeof r->cseq, v, vlen);
      r->cseq_num = strtoul(r->cseq, NULL, 10);
    } else if (is_header(line, nlen, "Contact", "m")) {
      copy(r->contact, sizeof r->contact, v, vlen);
    } else if (is_header(line, nlen, "Expires", NULL)) {
      r->expires = strtol(v, NULL, 10);
    } else if (is_header(line, nlen, "Authorization", NULL) ||
               is_header(line, nlen, "Proxy-Authorization", NULL)) {
      r->auth = true;
      char value[FIELD];
      copy(value, sizeof value, v, vlen);
      r->realm_a |= strstr(value, "realm=\"hostile\"") != NULL;
      r->realm_b |= strstr(value, "realm=\"hostile-b\"") != NULL;
    }
  }
  if (!r->method[0] || !r->n_vias || !r->call_id[0] || !r->cseq[0])
    return false;
  const char *b = strcasestr(r->vias[0], "branch=");
  if (b) {
    b += 7;
    copy(r->branch, sizeof r->branch, b, strcspn(b, ";, \t"));
  }
  return true;
}

/* ---- where responses go ------------------------------------------------ */

typedef struct conn {
  int fd;
  char buf[CONN_BUF];
  size_t len;
  struct sockaddr_in peer;
} conn_t;

typedef struct peer {
  bool tcp;
  int fd;                      /* UDP socket, or the TCP connection       */
  struct sockaddr_in addr;
  unsigned local_port;         /* the port the request came in on         */
  conn_t *conn;
} peer_t;

static void conn_close(conn_t *c);

static void send_raw(peer_t *p, const char *data, size_t len)
{
  if (p->tcp) {
    if (!p->conn || p->conn->fd < 0)
      return;
    size_t done = 0;
    while (done < len) {
      ssize_t n = send(p->conn->fd, data + done, len - done, MSG_NOSIGNAL);
      if (n <= 0) {
        n_send_errors++;
        logline("HOSTILE-ERROR tcp send: %s; closing", n < 0 ? strerror(errno) : "0");
        conn_close(p->conn);
        return;
      }
      done += (size_t)n;
    }
  } else {
    if (len > UDP_MAX)
      len = UDP_MAX;
    if (sendto(p->fd, data, len, 0, (struct sockaddr *)&p->addr, sizeof p->addr) < 0) {
      n_send_errors++;
      return;
    }
  }
  n_sent++;
  n_bytes += len;
}

static void send_out(peer_t *p) { send_raw(p, out, out_len); }

/* ---- building responses ------------------------------------------------ */

enum {
  F_WRONG_CALLID = 1, F_WRONG_CSEQ = 2, F_WRONG_BRANCH = 4, F_DUP_TO = 8,
  F_NO_END = 16,          /* no Content-Length and no empty line          */
};

static const char *reason_of(int status)
{
  switch (status) {
  case 100: return "Trying";
  case 200: return "OK";
  case 302: return "Moved Temporarily";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 407: return "Proxy Authentication Required";
  case 503: return "Service Unavailable";
  case 404: return "Not Found";
  case 423: return "Interval Too Brief";
  case 500: return "Server Internal Error";
  default: return "Hostile";
  }
}

static unsigned long to_tag;

/* Status line + the echoed headers (Via, From, To, Call-ID, CSeq). */
static void begin_response(const request_t *r, const char *status_line, unsigned flags)
{
  out_reset();
  outf("%s\r\n", status_line);
  for (unsigned i = 0; i < r->n_vias; i++) {
    if (i == 0 && (flags & F_WRONG_BRANCH)) {
      /* The same Via with a branch the client never used. */
      const char *b = strcasestr(r->vias[0], "branch=");
      if (b) {
        size_t head = (size_t)(b - r->vias[0]) + 7;
        const char *rest = b + 7 + strcspn(b + 7, ";, \t");
        outf("Via: %.*s%s-hostile%lx%s\r\n", (int)head, r->vias[0], r->branch,
             (unsigned long)(rnd() & 0xffff), rest);
        continue;
      }
    }
    outf("Via: %s\r\n", r->vias[i]);
  }
  outf("From: %s\r\n", r->from);
  if (flags & F_DUP_TO) {
    outf("To: %s;tag=hostile-a;tag=hostile-b\r\n", r->to);
    outf("To: %s;tag=hostile-c\r\n", r->to);
  } else if (strcasestr(r->to, "tag=")) {
    outf("To: %s\r\n", r->to);
  } else {
    outf("To: %s;tag=h%lx\r\n", r->to, to_tag);
  }
  if (flags & F_WRONG_CALLID)
    outf("Call-ID: hostile-%lx-%s\r\n", (unsigned long)(rnd() & 0xffffff), r->call_id);
  else
    outf("Call-ID: %s\r\n", r->call_id);
  if (flags & F_WRONG_CSEQ) {
    const char *m = r->cseq + strspn(r->cseq, "0123456789 \t");
    outf("CSeq: %lu %s\r\n", r->cseq_num + 1000, m);
  } else {
    outf("CSeq: %s\r\n", r->cseq);
  }
  outf("Server: sipdiag-hostile-registrar\r\n");
}

static void end_response(void)
{
  outf("Content-Length: 0\r\n\r\n");
}

static void fresh_challenge(bool stale)
{
  outf("WWW-Authenticate: Digest realm=\"hostile\", nonce=\"%016llx%016llx\", "
       "opaque=\"%08llx\", algorithm=MD5, qop=\"auth\"%s\r\n",
       (unsigned long long)rnd(), (unsigned long long)rnd(),
       (unsigned long long)(rnd() & 0xffffffffu), stale ? ", stale=TRUE" : "");
}

/* The headers a status needs to be meaningful (challenge, Contact...). */
static void status_extras(const request_t *r, int status, const peer_t *p)
{
  if (status == 401)
    fresh_challenge(opt.stale);
  else if (status == 200 && r->contact[0])
    outf("Contact: %s;expires=%ld\r\nExpires: %ld\r\n", r->contact,
         r->expires < 0 ? 3600 : r->expires, r->expires < 0 ? 3600 : r->expires);
  else if (status == 302)
    outf("Contact: <sip:hostile@127.0.0.1:%u>\r\n", p->local_port);
  else if (status == 423)
    outf("Min-Expires: 7200\r\n");
}

/* A well-formed response of STATUS, with FLAGS. */
static void respond(const request_t *r, peer_t *p, int status, unsigned flags)
{
  char line[128];
  snprintf(line, sizeof line, "SIP/2.0 %d %s", status, reason_of(status));
  begin_response(r, line, flags);
  status_extras(r, status, p);
  end_response();
  send_out(p);
}

/* ---- the modes --------------------------------------------------------- */

static unsigned second_port;

static unsigned count_or(unsigned dflt)
{
  unsigned n = opt.count ? opt.count : dflt;
  return n > MAX_COUNT ? MAX_COUNT : n;
}

static void send_garbage(peer_t *p, unsigned i)
{
  char g[1500];
  size_t len = 200 + (size_t)(rnd() % 1000);
  for (size_t k = 0; k < len; k++)
    g[k] = (char)(rnd() & 0xff);
  switch (i % 4) {
  case 1:                  /* looks like a response, then noise */
    memcpy(g, "SIP/2.0 200 OK\r\n", 16);
    break;
  case 2:                  /* header-shaped noise with NULs */
    for (size_t k = 0; k + 12 < len; k += 12)
      memcpy(g + k, "Via:\0\r\n\r\n:;=\"", 12);
    memcpy(g, "SIP/2.0 401 ", 12);
    break;
  case 3:                  /* only line breaks */
    memset(g, '\n', len);
    break;
  default:
    break;
  }
  send_raw(p, g, len);
}

static void handle_request(const request_t *r, peer_t *p)
{
  int status = opt.status;
  unsigned n;

  if (strcasecmp(r->method, "ACK") == 0)
    return;                                  /* never answered */
  switch (opt.mode) {
  case M_OK:
    respond(r, p, status ? status : 200, 0);
    return;
  case M_SILENT:
    return;
  case M_MALFORMED_STATUS:
    begin_response(r, opt.status_line, 0);
    end_response();
    send_out(p);
    break;
  case M_GARBAGE:
    n = count_or(3);
    for (unsigned i = 0; i < n; i++)
      send_garbage(p, i);
    break;
  case M_TRUNCATED: {
    char line[128];
    status = status ? status : 200;
    snprintf(line, sizeof line, "SIP/2.0 %d %s", status, reason_of(status));
    begin_response(r, line, 0);
    status_extras(r, status, p);
    outf("Content-Length: 0\r\n");
    outf("Organization: this header is cut in the mid");
    size_t keep = out_len - 12;
    if (opt.cut >= 0 && (size_t)opt.cut < out_len)
      keep = (size_t)opt.cut;
    if (opt.cut_in) {      /* the middle of that header's line */
      char pat[80];
      snprintf(pat, sizeof pat, "\r\n%.60s:", opt.cut_in);
      char *h = strcasestr(out, pat);
      if (h) {
        h += 2;
        char *eol = strstr(h, "\r\n");
        keep = (size_t)(h - out) + (size_t)((eol ? eol : out + out_len) - h) / 2;
      }
    }
    send_raw(p, out, keep);
    break;
  }
  case M_HUGE: {
    char line[128];
    status = status ? status : 403;
    snprintf(line, sizeof line, "SIP/2.0 %d %s", status, reason_of(status));
    begin_response(r, line, 0);
    /* Padding between the dialog headers and the rest. */
    size_t target = out_len + opt.pad_bytes;
    unsigned k = 0;
    while (out_len + 32 < target && out_len + 1024 < sizeof out) {
      size_t room = target - out_len;
      size_t vlen = opt.pad_line < room ? opt.pad_line : room;
      if (vlen > sizeof out - out_len - 1024)
        vlen = sizeof out - out_len - 1024;
      if (vlen < 24)
        break;
      int hl = snprintf(out + out_len, 32, "X-Pad-%05u: ", k++);
      out_len += (size_t)hl;
      size_t fill = vlen - (size_t)hl - 2;
      memset(out + out_len, 'a' + (char)(k % 26), fill);
      out_len += fill;
      out[out_len++] = '\r';
      out[out_len++] = '\n';
    }
    status_extras(r, status, p);
    end_response();
    if (!p->tcp && out_len > UDP_MAX) {
      /* What fits a datagram: keep the end (Content-Length, empty line)
       * by cutting padding lines out of the middle. */
      logline("HOSTILE-NOTE huge response %zu bytes, trimmed to a datagram", out_len);
      size_t excess = out_len - UDP_MAX;
      char *pad = strstr(out, "X-Pad-");
      if (pad) {
        char *cut_end = pad + excess;
        char *nl = strstr(cut_end, "\r\nX-Pad-");
        if (!nl)
          nl = strstr(cut_end, "\r\n");
        if (nl) {
          nl += 2;
          memmove(pad, nl, out_len - (size_t)(nl - out));
          out_len -= (size_t)(nl - pad);
        }
      }
    }
    logline("HOSTILE-NOTE huge response of %zu bytes over %s", out_len, p->tcp ? "tcp" : "udp");
    send_out(p);
    break;
  }
  case M_WRONG_CALLID:
    respond(r, p, status ? status : 200, F_WRONG_CALLID);
    break;
  case M_WRONG_CSEQ:
    respond(r, p, status ? status : 200, F_WRONG_CSEQ);
    break;
  case M_WRONG_BRANCH:
    respond(r, p, status ? status : 200, F_WRONG_BRANCH);
    break;
  case M_FLOOD:
    n = count_or(300);
    for (unsigned i = 0; i < n; i++)
      respond(r, p, status ? status : 401, 0);
    break;
  case M_ENDLESS_401:
    respond(r, p, 401, 0);
    return;
  case M_MIN_EXPIRES:
    begin_response(r, "SIP/2.0 423 Interval Too Brief", 0);
    outf("Min-Expires: %s\r\n", opt.min_expires);
    end_response();
    send_out(p);
    return;
  case M_MIN_EXPIRES_ESCALATING: {
    unsigned long asked = r->expires > 0 ? (unsigned long)r->expires : 60;
    begin_response(r, "SIP/2.0 423 Interval Too Brief", 0);
    outf("Min-Expires: %lu\r\n", asked * 2);
    end_response();
    send_out(p);
    return;
  }
  case M_REDIRECT_SELF:
  case M_REDIRECT_OTHER: {
    unsigned to = p->local_port;
    if (opt.mode == M_REDIRECT_OTHER)
      to = p->local_port == second_port ? opt.port : second_port;
    begin_response(r, "SIP/2.0 302 Moved Temporarily", 0);
    outf("Contact: <sip:hostile@127.0.0.1:%u%s>\r\n", to, p->tcp ? ";transport=tcp" : "");
    end_response();
    send_out(p);
    return;
  }
  case M_TRYING_FLOOD:
    n = count_or(300);
    for (unsigned i = 0; i < n; i++)
      respond(r, p, 100, 0);
    break;
  case M_HUGE_CONTENT_LENGTH: {
    char line[128];
    status = status ? status : 403;
    snprintf(line, sizeof line, "SIP/2.0 %d %s", status, reason_of(status));
    begin_response(r, line, 0);
    status_extras(r, status, p);
    outf("Content-Type: text/plain\r\nContent-Length: %s\r\n\r\nshort body", opt.content_length);
    send_out(p);
    break;
  }
  case M_DUP_TO_TAG:
    respond(r, p, status ? status : 200, F_DUP_TO);
    break;
  case M_STALE_THEN_OK: {
    static unsigned with_credentials;   /* requests that carried some */
    if (!r->auth)
      respond(r, p, 401, 0);
    else if (with_credentials++ == 0) {
      begin_response(r, "SIP/2.0 401 Unauthorized", 0);
      fresh_challenge(true);
      end_response();
      send_out(p);
    } else
      respond(r, p, 200, 0);
    return;
  }
  case M_NO_CHALLENGE: {
    char line[128];
    status = status ? status : 401;
    snprintf(line, sizeof line, "SIP/2.0 %d %s", status, reason_of(status));
    begin_response(r, line, 0);
    end_response();
    send_out(p);
    return;
  }
  case M_TWO_REALMS:
    if (r->realm_a && r->realm_b) {
      respond(r, p, 200, 0);
      return;
    }
    begin_response(r, "SIP/2.0 401 Unauthorized", 0);
    fresh_challenge(false);
    outf("WWW-Authenticate: Digest realm=\"hostile-b\", nonce=\"b%015llx\", "
         "algorithm=MD5, qop=\"auth\"\r\n", (unsigned long long)(rnd() >> 4));
    end_response();
    send_out(p);
    return;
  case M_OK_WITHOUT_CONTACT:
    begin_response(r, "SIP/2.0 200 OK", 0);
    end_response();
    send_out(p);
    return;
  case M_UNSOLICITED: {
    static const int statuses[] = { 200, 401, 302, 423, 500, 100 };
    n = count_or(50);
    for (unsigned i = 0; i < n; i++) {
      request_t fake = *r;
      snprintf(fake.call_id, sizeof fake.call_id, "never-sent-%lx@127.0.0.1",
               (unsigned long)rnd());
      snprintf(fake.branch, sizeof fake.branch, "z9hG4bK-never-sent-%lx", (unsigned long)rnd());
      fake.cseq_num = rnd() % 100000;
      snprintf(fake.cseq, sizeof fake.cseq, "%lu REGISTER", fake.cseq_num);
      snprintf(fake.vias[0], FIELD, "SIP/2.0/%s 127.0.0.1:%u;branch=%s;rport",
               p->tcp ? "TCP" : "UDP", (unsigned)ntohs(p->addr.sin_port), fake.branch);
      fake.n_vias = 1;
      respond(&fake, p, statuses[i % 6], 0);
    }
    break;
  }
  }
  if (opt.then_status)
    respond(r, p, opt.then_status, 0);
}

static void got_message(const char *msg, size_t len, peer_t *p)
{
  request_t r;
  char a[128], b[128], c[128];
  (void)len;
  if (!parse_request(msg, &r)) {
    logline("HOSTILE-UNPARSED port=%u proto=%s bytes=%zu", p->local_port,
            p->tcp ? "tcp" : "udp", len);
    return;
  }
  n_requests++;
  logline("HOSTILE-REQ port=%u proto=%s src=%s:%u method=%s cseq=%lu callid=%s branch=%s "
          "expires=%ld auth=%d bytes=%zu", p->local_port, p->tcp ? "tcp" : "udp",
          inet_ntoa(p->addr.sin_addr), (unsigned)ntohs(p->addr.sin_port),
          safe(r.method, a, sizeof a), r.cseq_num, safe(r.call_id, b, sizeof b),
          safe(r.branch, c, sizeof c), r.expires, r.auth ? 1 : 0, len);
  handle_request(&r, p);
}

/* ---- sockets ----------------------------------------------------------- */

static conn_t conns[MAX_CONNS];

static void conn_close(conn_t *c)
{
  if (c->fd >= 0) {
    close(c->fd);
    logline("HOSTILE-TCP closed");
  }
  c->fd = -1;
  c->len = 0;
}

/* Whole SIP messages out of a TCP stream (Content-Length framing). */
static void conn_feed(conn_t *c, unsigned local_port)
{
  for (;;) {
    /* Skip keep-alive CRLFs. */
    size_t skip = 0;
    while (skip < c->len && (c->buf[skip] == '\r' || c->buf[skip] == '\n'))
      skip++;
    if (skip) {
      memmove(c->buf, c->buf + skip, c->len - skip);
      c->len -= skip;
    }
    c->buf[c->len] = '\0';
    char *end = strstr(c->buf, "\r\n\r\n");
    if (!end)
      return;
    size_t head = (size_t)(end - c->buf) + 4;
    unsigned long body = 0;
    for (char *l = c->buf; l && l < end; l = strstr(l, "\r\n"), l = l ? l + 2 : NULL) {
      if (strncasecmp(l, "Content-Length:", 15) == 0)
        body = strtoul(l + 15, NULL, 10);
      else if (strncasecmp(l, "l:", 2) == 0)
        body = strtoul(l + 2, NULL, 10);
    }
    if (body > CONN_BUF - 1 - head) {
      logline("HOSTILE-ERROR tcp message too large; closing");
      conn_close(c);
      return;
    }
    if (c->len < head + body)
      return;
    char save = c->buf[head + body];
    c->buf[head + body] = '\0';
    peer_t p = { .tcp = true, .fd = c->fd, .addr = c->peer, .local_port = local_port, .conn = c };
    got_message(c->buf, head + body, &p);
    if (c->fd < 0)
      return;
    c->buf[head + body] = save;
    memmove(c->buf, c->buf + head + body, c->len - head - body);
    c->len -= head + body;
  }
}

typedef struct listener {
  int udp, tcp;
  unsigned port;
} listener_t;

static int bind_socket(int type, unsigned port, unsigned *bound)
{
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int one = 1;
  if (type == SOCK_STREAM)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof a;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
      (type == SOCK_STREAM && listen(fd, 8) < 0) ||
      getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
    close(fd);
    return -1;
  }
  if (type == SOCK_DGRAM) {
    int size = 1 << 20;   /* a flood should not be lost on our side */
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  *bound = ntohs(a.sin_port);
  return fd;
}

/* UDP and (unless --no-tcp) TCP on one port; port 0 = any free one. */
static bool open_listener(listener_t *l, unsigned port)
{
  for (int attempt = 0; attempt < 20; attempt++) {
    unsigned bound = 0, tbound = 0;
    l->udp = bind_socket(SOCK_DGRAM, port, &bound);
    if (l->udp < 0)
      return false;
    l->tcp = -1;
    if (opt.tcp) {
      l->tcp = bind_socket(SOCK_STREAM, bound, &tbound);
      if (l->tcp < 0) {
        close(l->udp);
        if (port)
          return false;
        continue;          /* that TCP port is taken: another UDP port */
      }
    }
    l->port = bound;
    return true;
  }
  return false;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
  fprintf(f,
"Usage: hostile-registrar --mode MODE [options]\n"
"Listens on 127.0.0.1 (UDP and TCP), prints the port on stdout, answers\n"
"every SIP request the way MODE says and logs each request it receives\n"
"(HOSTILE-REQ lines) to --log or stderr.\n\n"
"  --mode MODE            see below (default ok)\n"
"  --port N               port to bind (default 0: a free one)\n"
"  --max-seconds S        exit after S seconds (default 60, at most %d)\n"
"  --count N              datagrams per request in flood-like modes (<= %d)\n"
"  --status N             status of the hostile response (mode default)\n"
"  --then N               after the hostile part, answer correctly with N\n"
"  --status-line TEXT     malformed-status: the status line (default '%s')\n"
"  --min-expires TEXT     min-expires: the header value (default %s)\n"
"  --content-length TEXT  huge-content-length: the value (default %s)\n"
"  --pad-bytes N          huge: bytes of extra headers (default 65536)\n"
"  --pad-line N           huge: length of one extra header line (default 100)\n"
"  --cut N                truncated: bytes sent (default: mid last header)\n"
"  --cut-in NAME          truncated: cut in the middle of header NAME\n"
"  --stale                401s carry stale=TRUE\n"
"  --no-tcp               UDP only\n"
"  --log FILE             request log (default stderr)\n"
"  --seed N               random seed (nonces, garbage)\n\nModes:\n",
          MAX_SECONDS, MAX_COUNT, opt.status_line, opt.min_expires, opt.content_length);
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    fprintf(f, "  %-24s %s\n", modes[i].name, modes[i].what);
}

static bool number(const char *s, unsigned long max, unsigned long *v)
{
  char *end;
  errno = 0;
  unsigned long n = strtoul(s, &end, 10);
  if (errno || end == s || *end || n > max || s[0] == '-')
    return false;
  *v = n;
  return true;
}

int main(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "mode", required_argument, NULL, 'm' }, { "port", required_argument, NULL, 'p' },
    { "max-seconds", required_argument, NULL, 's' }, { "count", required_argument, NULL, 'n' },
    { "status", required_argument, NULL, 'S' }, { "then", required_argument, NULL, 'T' },
    { "status-line", required_argument, NULL, 'L' },
    { "min-expires", required_argument, NULL, 'E' },
    { "content-length", required_argument, NULL, 'C' },
    { "pad-bytes", required_argument, NULL, 'P' }, { "pad-line", required_argument, NULL, 'W' },
    { "cut", required_argument, NULL, 'c' }, { "cut-in", required_argument, NULL, 'I' }, { "stale", no_argument, NULL, 'z' },
    { "no-tcp", no_argument, NULL, 'u' }, { "log", required_argument, NULL, 'l' },
    { "seed", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  unsigned long v;
  bool have_mode = false;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (c) {
    case 'm':
      for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(optarg, modes[i].name) == 0) {
          opt.mode = modes[i].mode;
          have_mode = true;
        }
      if (!have_mode) {
        fprintf(stderr, "hostile-registrar: unknown mode '%s'\n", optarg);
        return 2;
      }
      break;
#define NUM(field, max) \
      if (!number(optarg, (max), &v)) { \
        fprintf(stderr, "hostile-registrar: bad number '%s'\n", optarg); return 2; } \
      field = v
    case 'p': NUM(opt.port, 65535); break;
    case 's': NUM(opt.max_seconds, MAX_SECONDS); break;
    case 'n': NUM(opt.count, MAX_COUNT); break;
    case 'S': NUM(opt.status, 699); break;
    case 'T': NUM(opt.then_status, 699); break;
    case 'P': NUM(opt.pad_bytes, OUT_MAX - 4096); break;
    case 'W': NUM(opt.pad_line, OUT_MAX - 4096); break;
    case 'c': NUM(opt.cut, OUT_MAX); break;
    case 'r': NUM(opt.seed, ~0UL); break;
#undef NUM
    case 'L': opt.status_line = optarg; break;
    case 'E': opt.min_expires = optarg; break;
    case 'C': opt.content_length = optarg; break;
    case 'I': opt.cut_in = optarg; break;
    case 'z': opt.stale = true; break;
    case 'u': opt.tcp = false; break;
    case 'l': opt.log_path = optarg; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind < argc) {
    usage(stderr);
    return 2;
  }

  clock_gettime(CLOCK_MONOTONIC, &t_start);
  logf_ = stderr;
  if (opt.log_path && !(logf_ = fopen(opt.log_path, "a"))) {
    fprintf(stderr, "hostile-registrar: %s: %s\n", opt.log_path, strerror(errno));
    return 1;
  }
  rng_state = opt.seed ? opt.seed : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
  if (!rng_state)
    rng_state = 1;
  to_tag = (unsigned long)(rnd() & 0xffffffff);

  struct sigaction sa = { .sa_handler = on_signal };
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  listener_t ls[2];
  unsigned n_ls = 1;
  if (!open_listener(&ls[0], opt.port)) {
    fprintf(stderr, "hostile-registrar: cannot bind 127.0.0.1:%u: %s\n", opt.port,
            strerror(errno));
    return 1;
  }
  opt.port = ls[0].port;
  if (opt.mode == M_REDIRECT_OTHER) {
    if (!open_listener(&ls[1], 0)) {
      fprintf(stderr, "hostile-registrar: cannot bind a second port: %s\n", strerror(errno));
      return 1;
    }
    second_port = ls[1].port;
    n_ls = 2;
  }
  for (int i = 0; i < MAX_CONNS; i++)
    conns[i].fd = -1;
  const char *mode_name = "?";
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
    if (modes[i].mode == opt.mode)
      mode_name = modes[i].name;
  logline("HOSTILE-READY port=%u second_port=%u mode=%s pid=%ld", opt.port, second_port,
          mode_name, (long)getpid());
  printf("%u\n", opt.port);
  fflush(stdout);

  unsigned long deadline = (unsigned long)opt.max_seconds * 1000;
  while (!stop) {
    unsigned long now = ms_since_start();
    if (now >= deadline)
      break;
    struct pollfd pfd[4 + MAX_CONNS];
    unsigned kind[4 + MAX_CONNS];   /* listener index*2 + (0 udp, 1 tcp), or 100+conn */
    nfds_t n = 0;
    for (unsigned i = 0; i < n_ls; i++) {
      pfd[n] = (struct pollfd){ .fd = ls[i].udp, .events = POLLIN };
      kind[n++] = i * 2;
      if (ls[i].tcp >= 0) {
        pfd[n] = (struct pollfd){ .fd = ls[i].tcp, .events = POLLIN };
        kind[n++] = i * 2 + 1;
      }
    }
    for (unsigned i = 0; i < MAX_CONNS; i++)
      if (conns[i].fd >= 0) {
        pfd[n] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
        kind[n++] = 100 + i;
      }
    unsigned long left = deadline - now;
    int rc = poll(pfd, n, left > 1000 ? 1000 : (int)left);
    if (rc < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    for (nfds_t i = 0; i < n && !stop; i++) {
      if (!pfd[i].revents)
        continue;
      if (kind[i] >= 100) {
        conn_t *cn = &conns[kind[i] - 100];
        if (cn->fd != pfd[i].fd)
          continue;
        /* Which listener accepted it is kept in the upper bits of nothing:
         * TCP peers only talk to the first port's semantics, except in
         * redirect-other where the local port is read back. */
        struct sockaddr_in la;
        socklen_t lalen = sizeof la;
        unsigned lport = opt.port;
        if (getsockname(cn->fd, (struct sockaddr *)&la, &lalen) == 0)
          lport = ntohs(la.sin_port);
        ssize_t got = recv(cn->fd, cn->buf + cn->len, sizeof cn->buf - 1 - cn->len, 0);
        if (got <= 0) {
          conn_close(cn);
          continue;
        }
        cn->len += (size_t)got;
        conn_feed(cn, lport);
        if (cn->fd >= 0 && cn->len >= sizeof cn->buf - 1) {
          logline("HOSTILE-ERROR tcp buffer full; closing");
          conn_close(cn);
        }
        continue;
      }
      listener_t *l = &ls[kind[i] / 2];
      if (kind[i] % 2 == 0) {
        static char dgram[65536];
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        ssize_t got = recvfrom(l->udp, dgram, sizeof dgram - 1, 0,
                               (struct sockaddr *)&from, &flen);
        if (got <= 0 || from.sin_family != AF_INET)
          continue;
        dgram[got] = '\0';
        peer_t p = { .tcp = false, .fd = l->udp, .addr = from, .local_port = l->port };
        got_message(dgram, (size_t)got, &p);
      } else {
        struct sockaddr_in from;
        socklen_t flen = sizeof from;
        int fd = accept4(l->tcp, (struct sockaddr *)&from, &flen, SOCK_CLOEXEC);
        if (fd < 0)
          continue;
        conn_t *slot = NULL;
        for (unsigned k = 0; k < MAX_CONNS && !slot; k++)
          if (conns[k].fd < 0)
            slot = &conns[k];
        if (!slot) {
          close(fd);
          continue;
        }
        struct timeval tv = { .tv_sec = 1 };   /* a peer that stops reading */
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        slot->fd = fd;
        slot->len = 0;
        slot->peer = from;
        logline("HOSTILE-TCP accepted from %s:%u", inet_ntoa(from.sin_addr),
                (unsigned)ntohs(from.sin_port));
      }
    }
  }
  logline("HOSTILE-END requests=%lu responses_sent=%lu bytes_sent=%lu send_errors=%lu%s",
          n_requests, n_sent, n_bytes, n_send_errors, stop ? " (signal)" : " (max-seconds)");
  for (unsigned i = 0; i < MAX_CONNS; i++)
    conn_close(&conns[i]);
  for (unsigned i = 0; i < n_ls; i++) {
    close(ls[i].udp);
    if (ls[i].tcp >= 0)
      close(ls[i].tcp);
  }
  if (logf_ != stderr)
    fclose(logf_);
  return 0;
}
