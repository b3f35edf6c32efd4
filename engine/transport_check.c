/*
 * transport_check.c - a TCP (and TLS) connection test on a sofia su_root.
 *
 * States: SETUP (start() only) -> TCP (non-blocking connect, waiting for
 * writability) -> TLS (SSL_connect, waiting for whatever OpenSSL wants) ->
 * DONE.  One su_timer bounds the whole check; the same timer, set to 0 ms,
 * carries a failure known already in start() to the loop.
 *
 * Memory rule: finish() releases the socket, the TLS state and the timer
 * and then calls the owner's callback as its very last action; every caller
 * of finish() returns at once without touching the check again, because
 * the callback may have freed it with sipdiag_transport_check_stop().
 *
 * The socket is wrapped in a BIO of our own rather than OpenSSL's socket
 * BIO: it sends with MSG_NOSIGNAL (a server that resets the connection
 * must not raise SIGPIPE in the daemon), remembers the first octets the
 * server sent, and remembers the errno of the last failed call.
 */
#include "config.h"       /* first: a 64-bit off_t on 32-bit builds */
#include "transport_check.h"
#include "sipdiag.h"     /* the fault codes */
#include "verdict.h"
#include "address_text.h"
#include "clock.h"
#include "syserr.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define SU_ROOT_MAGIC_T  void
#define SU_WAKEUP_ARG_T  struct sipdiag_transport_check
#define SU_TIMER_ARG_T   struct sipdiag_transport_check
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_time.h>

struct sipdiag_transport_check {
  su_root_t *root;
  struct sockaddr_storage server;
  socklen_t server_len;
  bool tls, verify;
  char *server_name;        /* NULL: no name check                        */
  bool name_is_ip;
  char *ca_file;            /* NULL (with ca_dir NULL): the system store  */
  char *ca_dir;             /* a hashed directory of trusted CAs, or NULL */
  unsigned timeout_ms;

  int fd;
  int wait_index;           /* su_root registration, -1 when none         */
  int wait_events;
  su_timer_t *timer;
  su_time_t started;
  sipdiag_tc_stage_t stage;

  SSL_CTX *ctx;
  SSL *ssl;
  int io_errno;             /* errno of the BIO's last failed recv/send   */
  bool eof;                 /* the server closed its side                 */
  unsigned char first[SIPDIAG_TC_FIRST_BYTES];
  size_t n_first;

  sipdiag_transport_check_f *callback;
  void *context;
  bool finished;            /* the outcome is delivered (or being)        */
  sipdiag_transport_outcome_t out;
};

typedef struct sipdiag_transport_check tc_t;

static int on_socket(su_root_magic_t *magic, su_wait_t *w, tc_t *tc);

/* ---- names -------------------------------------------------------------- */

const char *sipdiag_tc_result_name(sipdiag_tc_result_t result)
{
  switch (result) {
  case SIPDIAG_TC_OK: return "ok";
  case SIPDIAG_TC_REFUSED: return "refused";
  case SIPDIAG_TC_TIMEOUT: return "timeout";
  case SIPDIAG_TC_UNREACHABLE: return "unreachable";
  case SIPDIAG_TC_TLS_HANDSHAKE_FAILED: return "tls-handshake-failed";
  case SIPDIAG_TC_TLS_CERTIFICATE_REJECTED: return "tls-certificate-rejected";
  case SIPDIAG_TC_TLS_CLOSED: return "tls-closed";
  case SIPDIAG_TC_OTHER: return "other";
  }
  return "other";
}

const char *sipdiag_tc_cert_problem_name(sipdiag_tc_cert_problem_t problem)
{
  switch (problem) {
  case SIPDIAG_TC_CERT_NONE: return "none";
  case SIPDIAG_TC_CERT_EXPIRED: return "expired";
  case SIPDIAG_TC_CERT_NOT_YET_VALID: return "not-yet-valid";
  case SIPDIAG_TC_CERT_SELF_SIGNED: return "self-signed";
  case SIPDIAG_TC_CERT_UNKNOWN_CA: return "unknown-ca";
  case SIPDIAG_TC_CERT_NAME_MISMATCH: return "name-mismatch";
  case SIPDIAG_TC_CERT_OTHER: return "other";
  }
  return "other";
}

/* ---- small text helpers ------------------------------------------------- */

/* Bounded copy; bytes a hostile peer chose are made printable. */
static void copy_printable(char *dst, size_t size, const char *src, size_t len)
{
  size_t j = 0;
  if (!size)
    return;
  for (size_t i = 0; i < len && src[i] && j + 1 < size; i++) {
    unsigned char c = (unsigned char)src[i];
    dst[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
  }
  dst[j] = '\0';
}

static void copy_text(char *dst, size_t size, const char *src)
{
  copy_printable(dst, size, src ? src : "", src ? strlen(src) : 0);
}

/* Appends with snprintf semantics, never past size. */
static void append(char *dst, size_t size, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

static void append(char *dst, size_t size, const char *fmt, ...)
{
  size_t used = strnlen(dst, size);
  if (used + 1 >= size)
    return;
  va_list ap;
  va_start(ap, fmt);
  (void)vsnprintf(dst + used, size - used, fmt, ap);
  va_end(ap);
}

static void format_endpoint(char *dst, size_t size, const struct sockaddr *sa)
{
  if (!sipdiag_sockaddr_text(sa, dst, size))
    snprintf(dst, size, "?");
}

/* "\x16\x03" style escaping of the server's first octets. */
static void escape_bytes(char *dst, size_t size, const unsigned char *p, size_t n)
{
  dst[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (c == '\r')
      append(dst, size, "\\r");
    else if (c == '\n')
      append(dst, size, "\\n");
    else if (c == '"' || c == '\\')
      append(dst, size, "\\%c", c);
    else if (c >= 0x20 && c < 0x7f)
      append(dst, size, "%c", c);
    else
      append(dst, size, "\\x%02x", c);
  }
}

static bool is_ip_literal(const char *name)
{
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

static unsigned elapsed_ms(const tc_t *tc)
{
  return sipdiag_ms_since(tc->started);
}

/* ---- our socket BIO ----------------------------------------------------- */

static int bio_write(BIO *b, const char *buf, size_t len, size_t *written)
{
  tc_t *tc = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  ssize_t n = send(tc->fd, buf, len, MSG_NOSIGNAL);
  if (n >= 0) {
    *written = (size_t)n;
    return 1;
  }
  tc->io_errno = errno;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    BIO_set_retry_write(b);
  return 0;
}

static int bio_read(BIO *b, char *buf, size_t len, size_t *read_bytes)
{
  tc_t *tc = BIO_get_data(b);
  BIO_clear_retry_flags(b);
  ssize_t n = recv(tc->fd, buf, len, 0);
  if (n > 0) {
    size_t keep = sizeof tc->first - tc->n_first;
    if (keep > (size_t)n)
      keep = (size_t)n;
    memcpy(tc->first + tc->n_first, buf, keep);
    tc->n_first += keep;
    *read_bytes = (size_t)n;
    return 1;
  }
  if (n == 0) {
    tc->eof = true;
    return 0;
  }
  tc->io_errno = errno;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    BIO_set_retry_read(b);
  return 0;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
  (void)num;
  tc_t *tc = BIO_get_data(b);
  switch (cmd) {
  case BIO_CTRL_FLUSH:
    return 1;
  case BIO_CTRL_EOF:
    return tc && tc->eof;
  case BIO_C_GET_FD:
    if (!tc)
      return -1;
    if (ptr)
      *(int *)ptr = tc->fd;
    return tc->fd;
  default:
    return 0;
  }
}

static int bio_create(BIO *b)
{
  BIO_set_init(b, 0);
  BIO_set_data(b, NULL);
  return 1;
}

static int bio_destroy(BIO *b)
{
  BIO_set_data(b, NULL);
  BIO_set_init(b, 0);
  return 1;
}

static CRYPTO_ONCE bio_once = CRYPTO_ONCE_STATIC_INIT;
static BIO_METHOD *bio_method;  /* made once, kept for the process */

static void make_bio_method(void)
{
  BIO_METHOD *m = BIO_meth_new(BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                               "sipdiag transport check socket");
  if (m && BIO_meth_set_write_ex(m, bio_write) && BIO_meth_set_read_ex(m, bio_read) &&
      BIO_meth_set_ctrl(m, bio_ctrl) && BIO_meth_set_create(m, bio_create) &&
      BIO_meth_set_destroy(m, bio_destroy)) {
    bio_method = m;
    return;
  }
  BIO_meth_free(m);
}

/* ---- releasing and reporting -------------------------------------------- */

/* Closes everything the check holds except the timer object and itself.
 * Safe from any callback of ours and more than once. */
static void release(tc_t *tc)
{
  if (tc->wait_index >= 0) {
    su_root_deregister(tc->root, tc->wait_index);
    tc->wait_index = -1;
  }
  if (tc->ssl) {
    SSL_free(tc->ssl);
    tc->ssl = NULL;
  }
  if (tc->ctx) {
    SSL_CTX_free(tc->ctx);
    tc->ctx = NULL;
  }
  if (tc->fd >= 0) {
    close(tc->fd);
    tc->fd = -1;
  }
  if (tc->timer)
    su_timer_reset(tc->timer);
  ERR_clear_error();
}

/*
 * Delivers tc->out.  The callback is the last thing that happens: the
 * caller must return without touching tc afterwards.
 */
static void finish(tc_t *tc)
{
  if (tc->finished)
    return;
  tc->finished = true;
  tc->out.elapsed_ms = elapsed_ms(tc);
  release(tc);
  sipdiag_transport_outcome_t outcome = tc->out;  /* tc may go in the call */
  tc->callback(tc->context, &outcome);
}

/* The class of a failed connect(): the fault table of verdict.c decides
 * what an errno says about the path; a timeout is the check's own. */
static sipdiag_tc_result_t classify_errno(int error)
{
  if (error == ETIMEDOUT)
    return SIPDIAG_TC_TIMEOUT;
  switch (sipdiag_errno_code(error)) {
  case 0:
    return SIPDIAG_TC_OTHER;
  case SIPDIAG_CODE_PORT_UNREACHABLE:
    return SIPDIAG_TC_REFUSED;
  default:
    return SIPDIAG_TC_UNREACHABLE;
  }
}

/* The ICMP error a failed connect() met, from the socket's error queue;
 * fills o->icmp_class and info->text ("" when the queue holds none). */
static void read_icmp_error(tc_t *tc, sipdiag_icmp_info_t *info)
{
  memset(info, 0, sizeof *info);
  for (unsigned i = 0; tc->fd >= 0 && i < SIPDIAG_UDP_CHECK_READS_MAX; i++) {
    char data[1];
    union {
      char buf[512];
      struct cmsghdr align;
    } control;
    struct iovec iov = { data, sizeof data };
    struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1,
      .msg_control = control.buf, .msg_controllen = sizeof control.buf,
    };
    if (recvmsg(tc->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
      return;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      size_t len = c->cmsg_len > CMSG_LEN(0) ? c->cmsg_len - CMSG_LEN(0) : 0;
      if (sipdiag_icmp_decode_errqueue(c->cmsg_level, c->cmsg_type, CMSG_DATA(c), len,
                                       info, NULL) == SIPDIAG_ICMP_ERROR_OURS) {
        tc->out.icmp_class = info->klass;
        snprintf(tc->out.icmp_text, sizeof tc->out.icmp_text, "%s", info->text);
        return;
      }
    }
  }
  memset(info, 0, sizeof *info);
}

/* Describes a failure of the TCP stage with an errno value. */
static void describe_tcp_failure(tc_t *tc, int error)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  sipdiag_icmp_info_t icmp;
  o->result = classify_errno(error);
  o->error = error;
  if (o->result == SIPDIAG_TC_UNREACHABLE)
    read_icmp_error(tc, &icmp);
  switch (o->result) {
  case SIPDIAG_TC_REFUSED:
    snprintf(o->text, sizeof o->text, "TCP connection to %s refused", o->server);
    break;
  case SIPDIAG_TC_TIMEOUT:
    snprintf(o->text, sizeof o->text,
             "TCP connection to %s timed out (no answer to SYN)", o->server);
    break;
  case SIPDIAG_TC_UNREACHABLE:
    if (o->icmp_class != SIPDIAG_ICMP_CLASS_NONE)
      snprintf(o->text, sizeof o->text, "TCP connection to %s failed: %s",
               o->server, icmp.text);
    else if (error == EACCES || error == EPERM)
      snprintf(o->text, sizeof o->text,
               "TCP connection to %s not permitted: %s (a local firewall rule?)",
               o->server, strerror(error));
    else
      snprintf(o->text, sizeof o->text, "TCP connection to %s failed: %s",
               o->server, strerror(error));
    break;
  default:
    snprintf(o->text, sizeof o->text, "TCP connection to %s failed: %s",
             o->server, strerror(error));
    break;
  }
}

static void fail_tcp(tc_t *tc, int error)
{
  describe_tcp_failure(tc, error);
  finish(tc);
}

/* A failure before any packet: socket, CA file, TLS set-up. */
static void fail_setup(tc_t *tc, int error, const char *what, const char *detail)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  o->result = SIPDIAG_TC_OTHER;
  o->error = error;
  snprintf(o->text, sizeof o->text, "cannot check %s: %s%s%s", o->server, what,
           detail && *detail ? ": " : "", detail ? detail : "");
  finish(tc);
}

/* ---- certificates ------------------------------------------------------- */

static sipdiag_tc_cert_problem_t cert_problem(long verify_result)
{
  switch (verify_result) {
  case X509_V_OK:
    return SIPDIAG_TC_CERT_NONE;
  case X509_V_ERR_CERT_HAS_EXPIRED:
    return SIPDIAG_TC_CERT_EXPIRED;
  case X509_V_ERR_CERT_NOT_YET_VALID:
    return SIPDIAG_TC_CERT_NOT_YET_VALID;
  case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
  case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    return SIPDIAG_TC_CERT_SELF_SIGNED;
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
  case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
  case X509_V_ERR_CERT_UNTRUSTED:
    return SIPDIAG_TC_CERT_UNKNOWN_CA;
  case X509_V_ERR_HOSTNAME_MISMATCH:
  case X509_V_ERR_IP_ADDRESS_MISMATCH:
    return SIPDIAG_TC_CERT_NAME_MISMATCH;
  default:
    return SIPDIAG_TC_CERT_OTHER;
  }
}

/* Records the depth of the first verification failure; changes nothing. */
static int verify_callback(int ok, X509_STORE_CTX *store)
{
  if (!ok) {
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    tc_t *tc = ssl ? SSL_get_app_data(ssl) : NULL;
    if (tc && tc->out.cert_depth < 0)
      tc->out.cert_depth = X509_STORE_CTX_get_error_depth(store);
  }
  return ok;
}

static void name_text(char *dst, size_t size, const X509_NAME *name)
{
  dst[0] = '\0';
  BIO *mem = BIO_new(BIO_s_mem());
  if (!mem)
    return;
  if (X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253) >= 0) {
    char buf[SIPDIAG_TC_NAME_MAX];
    int n = BIO_read(mem, buf, (int)sizeof buf - 1);
    if (n > 0)
      copy_printable(dst, size, buf, (size_t)n);
  }
  BIO_free(mem);
}

static void san_text(char *dst, size_t size, X509 *cert)
{
  dst[0] = '\0';
  GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  if (!names)
    return;
  int count = sk_GENERAL_NAME_num(names);
  for (int i = 0; i < count; i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
    char item[SIPDIAG_TC_NAME_MAX];
    item[0] = '\0';
    if (gn->type == GEN_DNS) {
      const ASN1_IA5STRING *s = gn->d.dNSName;
      char host[SIPDIAG_TC_NAME_MAX - 8];
      copy_printable(host, sizeof host, (const char *)ASN1_STRING_get0_data(s),
                     (size_t)ASN1_STRING_length(s));
      snprintf(item, sizeof item, "DNS:%s", host);
    } else if (gn->type == GEN_IPADD) {
      const ASN1_OCTET_STRING *s = gn->d.iPAddress;
      char ip[INET6_ADDRSTRLEN] = "?";
      int len = ASN1_STRING_length(s);
      if (len == 4 || len == 16)
        inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), ip, sizeof ip);
      snprintf(item, sizeof item, "IP:%s", ip);
    } else {
      continue;
    }
    append(dst, size, "%s%s", dst[0] ? ", " : "", item);
  }
  GENERAL_NAMES_free(names);
}

/* Subject, issuer, names and expiry of the server's own certificate. */
static void describe_peer(tc_t *tc)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  X509 *cert = SSL_get1_peer_certificate(tc->ssl);
  if (!cert) {
    /* After a rejection the session has no peer yet, but the chain as
     * received is kept; the server's own certificate comes first. */
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(tc->ssl);
    if (chain && sk_X509_num(chain) > 0) {
      cert = sk_X509_value(chain, 0);
      X509_up_ref(cert);
    }
  }
  if (!cert)
    return;
  name_text(o->peer_subject, sizeof o->peer_subject, X509_get_subject_name(cert));
  name_text(o->peer_issuer, sizeof o->peer_issuer, X509_get_issuer_name(cert));
  san_text(o->peer_names, sizeof o->peer_names, cert);
  struct tm tm;
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) {
    strftime(o->peer_not_after, sizeof o->peer_not_after, "%Y-%m-%dT%H:%M:%SZ", &tm);
    o->peer_not_after_s = (int64_t)timegm(&tm);
  }
  X509_free(cert);
}

/* ---- TLS ---------------------------------------------------------------- */

static void on_info(const SSL *ssl, int where, int ret)
{
  if (!(where & SSL_CB_ALERT))
    return;
  tc_t *tc = SSL_get_app_data(ssl);
  if (!tc)
    return;
  sipdiag_transport_outcome_t *o = &tc->out;
  /* Keep the first alert each way; a close_notify counts too. */
  if ((where & SSL_CB_READ) && o->alert_received < 0) {
    o->alert_received = ret & 0xff;
    copy_text(o->alert_received_text, sizeof o->alert_received_text,
              SSL_alert_desc_string_long(ret));
  } else if ((where & SSL_CB_WRITE) && o->alert_sent < 0) {
    o->alert_sent = ret & 0xff;
    copy_text(o->alert_sent_text, sizeof o->alert_sent_text,
              SSL_alert_desc_string_long(ret));
  }
}

/* The first OpenSSL error's reason, and drains the queue. */
static unsigned long take_ssl_error(char *reason, size_t size)
{
  unsigned long first = ERR_get_error();
  reason[0] = '\0';
  if (first) {
    const char *r = ERR_reason_error_string(first);
    if (r)
      copy_text(reason, size, r);
    else
      snprintf(reason, size, "OpenSSL error %lx", first);
  }
  ERR_clear_error();
  return first;
}

/* True when dir holds OpenSSL's hash links ("5ad8a5d6.0"), so that a lazy
 * directory lookup finds what the bundle file would. */
static bool has_hash_links(const char *dir)
{
  DIR *d = opendir(dir);
  if (!d)
    return false;
  bool found = false;
  struct dirent *e;
  while (!found && (e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    found = n == 10 && e->d_name[8] == '.' && e->d_name[9] == '0' &&
            strspn(e->d_name, "0123456789abcdef") == 8;
  }
  closedir(d);
  return found;
}

/*
 * The system trust store.  OpenSSL's default paths parse the whole bundle
 * file (Debian: ~150 certificates, 20-25 ms of CPU, measured) for every
 * context; a hashed directory is searched lazily, one issuer at a time
 * (0.2 ms).  So: with SSL_CERT_DIR and SSL_CERT_FILE both set, both (OpenSSL's
 * default paths); SSL_CERT_DIR alone: that directory (lazily when hashed);
 * SSL_CERT_FILE alone: that file; neither: the default directory
 * (/usr/lib/ssl/certs -> /etc/ssl/certs) when hashed, else the default
 * paths.
 */
static int load_system_store(SSL_CTX *ctx)
{
  const char *env_dir = getenv(X509_get_default_cert_dir_env());
  const char *env_file = getenv(X509_get_default_cert_file_env());
  bool dir_set = env_dir && *env_dir, file_set = env_file && *env_file;
  /* Both set: both count (OpenSSL's default paths do the same); one set:
   * that one, the lazy directory when it is hashed. */
  if (dir_set && file_set)
    return SSL_CTX_set_default_verify_paths(ctx);
  if (dir_set) {
    if (has_hash_links(env_dir))
      return SSL_CTX_load_verify_locations(ctx, NULL, env_dir);
    return SSL_CTX_set_default_verify_paths(ctx);
  }
  if (file_set)
    return SSL_CTX_set_default_verify_paths(ctx);
  const char *dir = X509_get_default_cert_dir();
  if (has_hash_links(dir))
    return SSL_CTX_load_verify_locations(ctx, NULL, dir);
  return SSL_CTX_set_default_verify_paths(ctx);
}

/* The context: trust store and verification mode.  Returns NULL and sets a
 * reason on failure. */
static SSL_CTX *make_context(tc_t *tc, char *why, size_t why_size, int *error)
{
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) {
    take_ssl_error(why, why_size);
    *error = ENOMEM;
    return NULL;
  }
  int ok;
  errno = 0;
  if (tc->ca_file || tc->ca_dir)
    ok = SSL_CTX_load_verify_locations(ctx, tc->ca_file, tc->ca_dir);
  else
    ok = load_system_store(ctx);
  if (ok != 1) {
    int saved = errno;
    char reason[SIPDIAG_TC_REASON_MAX], errtext[SIPDIAG_SYSERR_TEXT_MAX];
    take_ssl_error(reason, sizeof reason);
    snprintf(why, why_size, "cannot load the CAs of %s: %s",
             tc->ca_file ? tc->ca_file : tc->ca_dir ? tc->ca_dir : "(system default)",
             saved ? sipdiag_syserr_text(saved, errtext, sizeof errtext) : reason);
    *error = saved;
    SSL_CTX_free(ctx);
    return NULL;
  }
  SSL_CTX_set_verify(ctx, tc->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                     verify_callback);
  SSL_CTX_set_max_cert_list(ctx, SIPDIAG_TC_MAX_CERT_LIST);
  SSL_CTX_set_info_callback(ctx, on_info);
  /* One connection, never resumed. */
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  return ctx;
}

/* The TLS object, once TCP is up.  false with tc->out filled on failure. */
static bool make_ssl(tc_t *tc)
{
  char reason[SIPDIAG_TC_REASON_MAX] = "";
  CRYPTO_THREAD_run_once(&bio_once, make_bio_method);
  BIO *bio = bio_method ? BIO_new(bio_method) : NULL;
  tc->ssl = bio ? SSL_new(tc->ctx) : NULL;
  if (!tc->ssl) {
    BIO_free(bio);
    take_ssl_error(reason, sizeof reason);
    fail_setup(tc, ENOMEM, "cannot set up TLS", reason);
    return false;
  }
  BIO_set_data(bio, tc);
  BIO_set_init(bio, 1);
  SSL_set_bio(tc->ssl, bio, bio);   /* the SSL owns the BIO now */
  SSL_set_app_data(tc->ssl, tc);

  bool ok = true;
  if (tc->server_name && tc->name_is_ip) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tc->ssl), tc->server_name) == 1;
  } else if (tc->server_name) {
    SSL_set_hostflags(tc->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok = SSL_set1_host(tc->ssl, tc->server_name) == 1 &&
         SSL_set_tlsext_host_name(tc->ssl, tc->server_name) == 1;
  }
  if (!ok) {
    take_ssl_error(reason, sizeof reason);
    fail_setup(tc, EINVAL, "the server name cannot be used for TLS", reason);
    return false;
  }
  tc->out.name_checked = tc->server_name != NULL;
  return true;
}

static void name_clause(const tc_t *tc, char *dst, size_t size)
{
  if (!tc->server_name)
    snprintf(dst, size, "no name checked");
  else
    snprintf(dst, size, "%s %s", tc->name_is_ip ? "IP address" : "hostname",
             tc->server_name);
}

/* Fills the certificate fields from the verification result. */
static void note_verification(tc_t *tc)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  o->verify_result = SSL_get_verify_result(tc->ssl);
  copy_text(o->verify_text, sizeof o->verify_text,
            X509_verify_cert_error_string(o->verify_result));
  o->cert_problem = cert_problem(o->verify_result);
}

static void tls_ok(tc_t *tc)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  o->result = SIPDIAG_TC_OK;
  o->stage = SIPDIAG_TC_STAGE_DONE;
  note_verification(tc);
  o->verified = tc->verify && o->verify_result == X509_V_OK;
  copy_text(o->tls_version, sizeof o->tls_version, SSL_get_version(tc->ssl));
  copy_text(o->tls_cipher, sizeof o->tls_cipher, SSL_get_cipher_name(tc->ssl));
  describe_peer(tc);
  snprintf(o->text, sizeof o->text,
           "TLS connection to %s established in %u ms: %s %s, certificate %.120s",
           o->server, elapsed_ms(tc), o->tls_version, o->tls_cipher,
           o->peer_subject[0] ? o->peer_subject : "(none)");
  if (o->peer_not_after[0])
    append(o->text, sizeof o->text, " valid until %s", o->peer_not_after);
  if (!tc->verify && o->verify_result != X509_V_OK)
    append(o->text, sizeof o->text, " (not verified; verification would fail: %s)",
           o->verify_text);
  else if (!tc->verify)
    append(o->text, sizeof o->text, " (not verified, though it would pass)");

  /* Close politely: one close_notify if it fits, never a wait for the
   * answer; then release() frees and closes. */
  ERR_clear_error();
  (void)SSL_shutdown(tc->ssl);
  finish(tc);
}

static void tls_certificate_rejected(tc_t *tc)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  char names[SIPDIAG_TC_TEXT_MAX - SIPDIAG_TC_REASON_MAX - 32];
  o->result = SIPDIAG_TC_TLS_CERTIFICATE_REJECTED;
  note_verification(tc);
  describe_peer(tc);
  name_clause(tc, names, sizeof names);
  snprintf(o->text, sizeof o->text, "TLS certificate rejected: %s (%s)",
           o->verify_text, names);
  switch (o->cert_problem) {
  case SIPDIAG_TC_CERT_NAME_MISMATCH:
    append(o->text, sizeof o->text, "; the certificate is for %s",
           o->peer_names[0] ? o->peer_names : o->peer_subject);
    break;
  case SIPDIAG_TC_CERT_EXPIRED:
  case SIPDIAG_TC_CERT_NOT_YET_VALID:
    if (o->cert_depth > 0)
      append(o->text, sizeof o->text, "; a CA certificate of the chain (depth %d)",
             o->cert_depth);
    else if (o->peer_not_after[0])
      append(o->text, sizeof o->text, "; valid until %s", o->peer_not_after);
    break;
  case SIPDIAG_TC_CERT_SELF_SIGNED:
  case SIPDIAG_TC_CERT_UNKNOWN_CA:
    append(o->text, sizeof o->text, "; issuer %s, not trusted by %s",
           o->peer_issuer[0] ? o->peer_issuer : "?",
           tc->ca_file ? tc->ca_file : tc->ca_dir ? tc->ca_dir : "the system trust store");
    break;
  default:
    break;
  }
  finish(tc);
}

/* After a handshake failure that saw non-TLS octets, reads (without
 * waiting, bounded) what else the server sent, to quote it. */
static void note_first_bytes(tc_t *tc)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  if (!tc->n_first)
    return;
  unsigned char type = tc->first[0];
  o->not_tls = type < 20 || type > 24;  /* TLS record content types */
  if (o->not_tls && tc->fd >= 0 && tc->n_first < sizeof tc->first) {
    ssize_t n = recv(tc->fd, tc->first + tc->n_first,
                     sizeof tc->first - tc->n_first, MSG_DONTWAIT);
    if (n > 0)
      tc->n_first += (size_t)n;
  }
  escape_bytes(o->first_bytes, sizeof o->first_bytes, tc->first, tc->n_first);
}

static void tls_failed(tc_t *tc, int ssl_error, int sys_errno)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  unsigned long err = take_ssl_error(o->tls_reason, sizeof o->tls_reason);
  int reason = err ? ERR_GET_REASON(err) : 0;

  if (tc->verify && SSL_get_verify_result(tc->ssl) != X509_V_OK) {
    tls_certificate_rejected(tc);
    return;
  }
  note_first_bytes(tc);

  bool closed = ssl_error == SSL_ERROR_ZERO_RETURN ||
                (ssl_error == SSL_ERROR_SSL && reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) ||
                (ssl_error == SSL_ERROR_SYSCALL && !err &&
                 (sys_errno == 0 || sys_errno == ECONNRESET || sys_errno == EPIPE));
  if (closed && !o->not_tls) {
    o->result = SIPDIAG_TC_TLS_CLOSED;
    o->error = sys_errno;
    snprintf(o->text, sizeof o->text, "TLS handshake with %s failed: the server %s",
             o->server, sys_errno == ECONNRESET || sys_errno == EPIPE
                         ? "reset the connection" : "closed the connection");
    if (o->alert_received >= 0)
      append(o->text, sizeof o->text, " after alert \"%s\"", o->alert_received_text);
    else if (!tc->n_first)
      append(o->text, sizeof o->text, " without answering");
    finish(tc);
    return;
  }
  if (ssl_error == SSL_ERROR_SYSCALL && !err && classify_errno(sys_errno) ==
      SIPDIAG_TC_UNREACHABLE) {
    /* e.g. an ICMP error arriving on the connected socket */
    o->result = SIPDIAG_TC_UNREACHABLE;
    o->error = sys_errno;
    snprintf(o->text, sizeof o->text, "TLS handshake with %s failed: %s",
             o->server, strerror(sys_errno));
    finish(tc);
    return;
  }

  o->result = SIPDIAG_TC_TLS_HANDSHAKE_FAILED;
  o->error = ssl_error == SSL_ERROR_SYSCALL ? sys_errno : 0;
  if (!o->tls_reason[0] && ssl_error == SSL_ERROR_SYSCALL)
    copy_text(o->tls_reason, sizeof o->tls_reason, strerror(sys_errno));
  if (o->alert_received >= 0)
    snprintf(o->text, sizeof o->text,
             "TLS handshake with %s failed: the server sent alert \"%s\" (%s)",
             o->server, o->alert_received_text, o->tls_reason);
  else if (o->alert_sent >= 0)
    snprintf(o->text, sizeof o->text,
             "TLS handshake with %s failed: %s (we sent alert \"%s\")",
             o->server, o->tls_reason, o->alert_sent_text);
  else
    snprintf(o->text, sizeof o->text, "TLS handshake with %s failed: %s",
             o->server, o->tls_reason[0] ? o->tls_reason : "unknown error");
  if (o->not_tls)
    append(o->text, sizeof o->text, "; the server does not speak TLS there, it sent \"%s\"",
           o->first_bytes);
  finish(tc);
}

static void set_events(tc_t *tc, int events)
{
  if (events == tc->wait_events)
    return;
  if (su_root_eventmask(tc->root, tc->wait_index, tc->fd, events) < 0) {
    /* Not every port can change a mask in place: register anew. */
    su_root_deregister(tc->root, tc->wait_index);
    su_wait_t wait[1];
    tc->wait_index = -1;
    if (su_wait_create(wait, tc->fd, events) == 0)
      tc->wait_index = su_root_register(tc->root, wait, on_socket, tc, 0);
    if (tc->wait_index < 0) {
      int error = errno ? errno : ENOMEM;
      char why[SIPDIAG_SYSERR_TEXT_MAX];
      fail_setup(tc, error, "cannot watch the socket",
                 sipdiag_syserr_text(error, why, sizeof why));
      return;
    }
  }
  tc->wait_events = events;
}

/* One step of the handshake: as far as the data at hand allows. */
static void drive_tls(tc_t *tc)
{
  ERR_clear_error();
  tc->io_errno = 0;
  int r = SSL_connect(tc->ssl);
  if (r == 1) {
    tls_ok(tc);
    return;
  }
  int e = SSL_get_error(tc->ssl, r);
  if (e == SSL_ERROR_WANT_READ) {
    set_events(tc, SU_WAIT_IN);
    return;
  }
  if (e == SSL_ERROR_WANT_WRITE) {
    set_events(tc, SU_WAIT_OUT);
    return;
  }
  tls_failed(tc, e, tc->io_errno);
}

/* ---- events ------------------------------------------------------------- */

static void tcp_connected(tc_t *tc)
{
  sipdiag_transport_outcome_t *o = &tc->out;
  o->connect_ms = elapsed_ms(tc);
  if (!tc->tls) {
    o->result = SIPDIAG_TC_OK;
    o->stage = SIPDIAG_TC_STAGE_DONE;
    snprintf(o->text, sizeof o->text, "TCP connection to %s established in %u ms",
             o->server, o->connect_ms);
    finish(tc);
    return;
  }
  tc->stage = o->stage = SIPDIAG_TC_STAGE_TLS;
  if (!make_ssl(tc))
    return;
  drive_tls(tc);
}

static int on_socket(su_root_magic_t *magic, su_wait_t *w, tc_t *tc)
{
  (void)magic;
  if (tc->finished)
    return 0;
  int revents = su_wait_events(w, tc->fd);
  if (tc->stage == SIPDIAG_TC_STAGE_TCP) {
    int error = 0;
    socklen_t len = sizeof error;
    if (getsockopt(tc->fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
      error = errno;
    if (error) {
      fail_tcp(tc, error);
      return 0;
    }
    if (!(revents & (SU_WAIT_OUT | SU_WAIT_ERR | SU_WAIT_HUP)))
      return 0;   /* not yet */
    tcp_connected(tc);
    return 0;
  }
  if (tc->stage == SIPDIAG_TC_STAGE_TLS)
    drive_tls(tc);
  return 0;
}

static void on_timeout(su_root_magic_t *magic, su_timer_t *t, tc_t *tc)
{
  (void)magic;
  (void)t;
  if (tc->finished)
    return;
  sipdiag_transport_outcome_t *o = &tc->out;
  unsigned ms = elapsed_ms(tc);
  o->error = ETIMEDOUT;
  if (tc->stage == SIPDIAG_TC_STAGE_TCP) {
    o->result = SIPDIAG_TC_TIMEOUT;
    snprintf(o->text, sizeof o->text,
             "TCP connection to %s timed out after %u ms (no answer to SYN)",
             o->server, ms);
    finish(tc);
    return;
  }
  /* TCP is up but the handshake did not finish: a port that is not TLS,
   * a server that does not answer, or one that trickles. */
  note_first_bytes(tc);
  o->result = SIPDIAG_TC_TLS_HANDSHAKE_FAILED;
  copy_text(o->tls_reason, sizeof o->tls_reason, "handshake timed out");
  snprintf(o->text, sizeof o->text,
           "TLS handshake with %s did not finish within %u ms: ", o->server, ms);
  if (!tc->n_first)
    append(o->text, sizeof o->text,
           "the server accepted TCP but sent nothing back (is it a TLS port?)");
  else if (o->not_tls)
    append(o->text, sizeof o->text, "the server does not speak TLS there, it sent \"%s\"",
           o->first_bytes);
  else
    append(o->text, sizeof o->text, "the server stopped answering mid-handshake");
  finish(tc);
}

/* A failure already known in start(), reported from the loop. */
static void on_deferred(su_root_magic_t *magic, su_timer_t *t, tc_t *tc)
{
  (void)magic;
  (void)t;
  finish(tc);
}

/* ---- the interface ------------------------------------------------------ */

static void defer(tc_t *tc)
{
  /* Close now what start() opened; only the report waits. */
  if (tc->wait_index >= 0) {
    su_root_deregister(tc->root, tc->wait_index);
    tc->wait_index = -1;
  }
  if (tc->fd >= 0) {
    close(tc->fd);
    tc->fd = -1;
  }
  su_timer_set_interval(tc->timer, on_deferred, tc, 0);
}

/* Fills tc->out for a failure found in start() (without finishing). */
static void prepare_failure(tc_t *tc, sipdiag_tc_result_t result, int error,
                            const char *text)
{
  tc->out.result = result;
  tc->out.error = error;
  copy_text(tc->out.text, sizeof tc->out.text, text);
}

sipdiag_transport_check_t *
sipdiag_transport_check_start(su_root_t *root,
                              const struct sockaddr *server, socklen_t len,
                              bool tls, const char *tls_server_name,
                              const char *ca_file, const char *ca_dir, bool verify,
                              unsigned timeout_ms,
                              sipdiag_transport_check_f *callback, void *context)
{
  if (!root || !server || !callback ||
      !((server->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
        (server->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)))) {
    errno = EINVAL;
    return NULL;
  }
  tc_t *tc = calloc(1, sizeof *tc);
  if (!tc) {
    errno = ENOMEM;
    return NULL;
  }
  tc->root = root;
  tc->fd = -1;
  tc->wait_index = -1;
  tc->server_len = len < sizeof tc->server ? len : sizeof tc->server;
  memcpy(&tc->server, server, tc->server_len);
  tc->tls = tls;
  tc->verify = verify;
  tc->callback = callback;
  tc->context = context;
  tc->started = su_now();
  tc->stage = SIPDIAG_TC_STAGE_SETUP;
  tc->timeout_ms = timeout_ms ? timeout_ms : SIPDIAG_TC_DEFAULT_TIMEOUT_MS;
  if (tc->timeout_ms > SIPDIAG_TC_MAX_TIMEOUT_MS)
    tc->timeout_ms = SIPDIAG_TC_MAX_TIMEOUT_MS;
  tc->out.timeout_ms = tc->timeout_ms;
  if (tls && tls_server_name && *tls_server_name) {
    /* "[2001:db8::1]" is an IPv6 literal too. */
    size_t n = strlen(tls_server_name);
    if (n > 2 && tls_server_name[0] == '[' && tls_server_name[n - 1] == ']')
      tc->server_name = strndup(tls_server_name + 1, n - 2);
    else
      tc->server_name = strdup(tls_server_name);
    if (!tc->server_name)
      goto nomem;
    tc->name_is_ip = is_ip_literal(tc->server_name);
  }
  if (tls && ca_file && *ca_file && !(tc->ca_file = strdup(ca_file)))
    goto nomem;
  if (tls && ca_dir && *ca_dir && !(tc->ca_dir = strdup(ca_dir)))
    goto nomem;
  tc->timer = su_timer_create(su_root_task(root), 0);
  if (!tc->timer)
    goto nomem;

  sipdiag_transport_outcome_t *o = &tc->out;
  o->tls = tls;
  o->stage = SIPDIAG_TC_STAGE_SETUP;
  o->alert_received = o->alert_sent = -1;
  o->cert_depth = -1;
  format_endpoint(o->server, sizeof o->server, (struct sockaddr *)&tc->server);

  char text[SIPDIAG_TC_TEXT_MAX];
  if (tls) {
    char why[SIPDIAG_TC_TEXT_MAX / 2];
    int error = 0;
    tc->ctx = make_context(tc, why, sizeof why, &error);
    if (!tc->ctx) {
      snprintf(text, sizeof text, "cannot check %s: %s", o->server, why);
      prepare_failure(tc, SIPDIAG_TC_OTHER, error, text);
      defer(tc);
      return tc;
    }
  }

  tc->fd = socket(server->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (tc->fd < 0) {
    int error = errno;
    char why[SIPDIAG_SYSERR_TEXT_MAX];
    snprintf(text, sizeof text, "cannot check %s: cannot open a TCP socket: %s",
             o->server, sipdiag_syserr_text(error, why, sizeof why));
    prepare_failure(tc, SIPDIAG_TC_OTHER, error, text);
    defer(tc);
    return tc;
  }
  /* ICMP errors about the SYN are queued for us (Linux does so for
   * SYN_SENT): they name what connect()'s errno merges.  Best effort. */
  int on = 1;
  if (server->sa_family == AF_INET6)
    (void)setsockopt(tc->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
  (void)setsockopt(tc->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);   /* IPv4 and v4-mapped */
  tc->stage = o->stage = SIPDIAG_TC_STAGE_TCP;
  if (connect(tc->fd, (struct sockaddr *)&tc->server, tc->server_len) < 0 &&
      errno != EINPROGRESS) {
    /* Known at once (a route, a local firewall, even a loopback reset):
     * build the outcome now, deliver it from the loop. */
    describe_tcp_failure(tc, errno);
    defer(tc);
    return tc;
  }
  su_wait_t wait[1];
  if (su_wait_create(wait, tc->fd, SU_WAIT_OUT) < 0 ||
      (tc->wait_index = su_root_register(root, wait, on_socket, tc, 0)) < 0) {
    int error = errno ? errno : ENOMEM;
    char why[SIPDIAG_SYSERR_TEXT_MAX];
    tc->wait_index = -1;
    snprintf(text, sizeof text, "cannot check %s: cannot watch the socket: %s",
             o->server, sipdiag_syserr_text(error, why, sizeof why));
    prepare_failure(tc, SIPDIAG_TC_OTHER, error, text);
    defer(tc);
    return tc;
  }
  tc->wait_events = SU_WAIT_OUT;
  su_timer_set_interval(tc->timer, on_timeout, tc, tc->timeout_ms);
  return tc;

nomem:
  free(tc->server_name);
  free(tc->ca_file);
  free(tc->ca_dir);
  free(tc);
  errno = ENOMEM;
  return NULL;
}

void sipdiag_transport_check_stop(sipdiag_transport_check_t *tc)
{
  if (!tc)
    return;
  tc->finished = true;
  release(tc);
  su_timer_destroy(tc->timer);
  free(tc->server_name);
  free(tc->ca_file);
  free(tc->ca_dir);
  free(tc);
}
