/*
 * transport_check_live.c - the TCP/TLS transport check against real
 * servers on 127.0.0.1.
 *
 * TCP: a listener (OK), a bound port that does not listen (REFUSED), a
 * listener whose accept queue is full so that SYNs are dropped (TIMEOUT),
 * and a multicast destination, which the kernel refuses before sending
 * anything (UNREACHABLE: ENETUNREACH).
 *
 * TIMEOUT on loopback: Linux drops a SYN for a listener whose accept queue
 * is full (listen(fd, 0) holds one connection; "ListenOverflows" in
 * nstat), so the client retransmits and connect() stays pending.  Should a
 * kernel ever answer instead, the case is skipped and says so.  The
 * faithful reproduction belongs to the system tests: a network namespace
 * pair (veth) with `nft add rule inet f input tcp dport 5061 drop` on the
 * server side gives TIMEOUT, `... reject with tcp reset` gives REFUSED,
 * `... reject with icmp type admin-prohibited` gives UNREACHABLE with
 * EHOSTUNREACH (Linux maps that ICMP code to it), and an nft `output` drop
 * rule in the client's own namespace with `reject with icmp type
 * admin-prohibited` gives EACCES/EPERM at once.
 *
 * TLS: a throwaway CA and server certificates made with the openssl CLI in
 * a temporary directory, served by `openssl s_server` children: verified
 * OK by name, by IP and without a name; rejected with the system store
 * (unknown CA), for a self-signed certificate, for the wrong name and the
 * wrong IP, for an expired certificate; handshake failures (no shared
 * cipher, client certificate required); and in-loop fake servers that
 * answer in plain text, close, reset, or stay silent.
 *
 * Every callback stops its own check (the documented pattern), so ASan
 * checks that nothing is touched afterwards.  Children are killed and the
 * temporary files removed at exit, also after a failure.
 *
 * Needs the openssl command; otherwise exits 77 (skip) with the reason.
 */
#include "check.h"
#include "transport_check.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_time.h>

#define SKIP 77
#define MAX_CHILDREN 8

static char tmpdir[64];
static pid_t children[MAX_CHILDREN];
static unsigned n_children;
static su_root_t *root;

/* ---- cleanup, also on failure ------------------------------------------- */

/* Removes every file of dir (the test makes no deeper trees than
 * tmpdir/trust), then dir. */
static void remove_tree(const char *dir, int depth)
{
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      struct stat st;
      if (depth < 1 && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        remove_tree(path, depth + 1);
      else
        unlink(path);
    }
    closedir(d);
  }
  if (rmdir(dir) < 0)
    fprintf(stderr, "note: could not remove %s: %s\n", dir, strerror(errno));
}

static void cleanup(void)
{
  for (unsigned i = 0; i < n_children; i++) {
    if (children[i] > 0) {
      kill(children[i], SIGTERM);
      waitpid(children[i], NULL, 0);
      children[i] = 0;
    }
  }
  if (tmpdir[0]) {
    remove_tree(tmpdir, 0);
    tmpdir[0] = '\0';
  }
}

static void on_signal(int sig)
{
  cleanup();
  signal(sig, SIG_DFL);
  raise(sig);
}

/* ---- running one check -------------------------------------------------- */

typedef struct {
  unsigned calls;
  bool in_start;
  bool called_in_start;
  sipdiag_transport_check_t *check;
  sipdiag_transport_outcome_t out;
} run_t;

static void on_outcome(void *context, const sipdiag_transport_outcome_t *outcome)
{
  run_t *run = context;
  if (run->in_start)
    run->called_in_start = true;
  run->calls++;
  run->out = *outcome;
  /* The documented pattern: stop (free) the check from its own callback. */
  sipdiag_transport_check_stop(run->check);
  run->check = NULL;
}

static void loop_for(unsigned ms)
{
  su_time_t until = su_time_add(su_now(), (su_duration_t)ms);
  while (su_duration(until, su_now()) > 0)
    su_root_step(root, 20);
}

/* Runs the loop until every run has its outcome, or guard_ms passed. */
static void loop_until_done(run_t *runs, unsigned n, unsigned guard_ms)
{
  su_time_t until = su_time_add(su_now(), (su_duration_t)guard_ms);
  for (;;) {
    unsigned done = 0;
    for (unsigned i = 0; i < n; i++)
      done += runs[i].calls > 0;
    if (done == n || su_duration(until, su_now()) <= 0)
      return;
    su_root_step(root, 20);
  }
}

static struct sockaddr_in loopback(uint16_t port)
{
  struct sockaddr_in sin = {.sin_family = AF_INET};
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sin.sin_port = htons(port);
  return sin;
}

static void start_run(run_t *run, const struct sockaddr_in *to, bool tls,
                      const char *name, const char *ca, bool verify, unsigned timeout_ms)
{
  memset(run, 0, sizeof *run);
  run->in_start = true;
  run->check = sipdiag_transport_check_start(root, (const struct sockaddr *)to,
                                             sizeof *to, tls, name, ca, NULL, verify,
                                             timeout_ms, on_outcome, run);
  run->in_start = false;
}

static const sipdiag_transport_outcome_t *
check_run(const char *label, const struct sockaddr_in *to, bool tls, const char *name,
          const char *ca, bool verify, unsigned timeout_ms, run_t *run)
{
  start_run(run, to, tls, name, ca, verify, timeout_ms);
  CHECK(run->check != NULL, "%s: start failed: %s", label, strerror(errno));
  loop_until_done(run, 1, (timeout_ms ? timeout_ms : SIPDIAG_TC_DEFAULT_TIMEOUT_MS) + 3000);
  CHECK(run->calls == 1, "%s: %u callbacks", label, run->calls);
  CHECK(!run->called_in_start, "%s: callback from within start()", label);
  if (run->calls != 1) {   /* do not leak it; no callback after stop */
    sipdiag_transport_check_stop(run->check);
    run->check = NULL;
  }
  const sipdiag_transport_outcome_t *o = &run->out;
  printf("  %-28s %-24s %4u ms  %s\n", label, sipdiag_tc_result_name(o->result),
         o->elapsed_ms, o->text);
  return o;
}

/* ---- sockets and servers ------------------------------------------------ */

static int tcp_socket_on_free_port(uint16_t *port)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sin = loopback(0);
  socklen_t len = sizeof sin;
  if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
      getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
    perror("tcp socket");
    exit(1);
  }
  *port = ntohs(sin.sin_port);
  return fd;
}

/*
 * True when getsockopt(SO_ERROR) hands back an errno value in another
 * numbering than the syscalls' own errno: qemu-user 7.2 (Debian 12's
 * qemu-user-static) copies the host's SO_ERROR value untranslated, so a
 * MIPS guest on an x86 host reads 111 (x86's ECONNREFUSED) where its own
 * ECONNREFUSED is 146; on ARM the numbers happen to agree.  A real kernel
 * never differs.  Two connections to a closed port: one reads SO_ERROR,
 * the other connect()s again, which returns the same pending error as the
 * syscall's errno (translated by qemu).  Only consulted under qemu
 * (SIPDIAG_QEMU, set by tests/cross/run), so that natively nothing can be
 * skipped.
 */
static bool so_error_untranslated(void)
{
  static int known = -1;
  if (known >= 0)
    return known;
  known = 0;
  if (!getenv("SIPDIAG_QEMU"))
    return false;
  uint16_t port;
  int bfd = tcp_socket_on_free_port(&port);
  struct sockaddr_in to = loopback(port);
  int fd[2], so_error = 0, again = 0;
  for (int i = 0; i < 2; i++) {
    fd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd[i] >= 0 && connect(fd[i], (struct sockaddr *)&to, sizeof to) < 0 &&
        errno == EINPROGRESS) {
      struct pollfd pfd = {.fd = fd[i], .events = POLLOUT};
      poll(&pfd, 1, 2000);
    }
  }
  socklen_t len = sizeof so_error;
  if (fd[0] >= 0 && getsockopt(fd[0], SOL_SOCKET, SO_ERROR, &so_error, &len) < 0)
    so_error = 0;
  if (fd[1] >= 0 && connect(fd[1], (struct sockaddr *)&to, sizeof to) < 0)
    again = errno;
  for (int i = 0; i < 2; i++)
    if (fd[i] >= 0)
      close(fd[i]);
  close(bfd);
  known = again == ECONNREFUSED && so_error != 0 && so_error != ECONNREFUSED;
  if (known)
    printf("  SKIP tcp refused (qemu defect): under %s getsockopt(SO_ERROR) reads %d, "
           "the host's errno untranslated; this target's ECONNREFUSED is %d\n",
           getenv("SIPDIAG_QEMU"), so_error, ECONNREFUSED);
  return known;
}

static int listener(uint16_t *port, int backlog)
{
  int fd = tcp_socket_on_free_port(port);
  if (listen(fd, backlog) < 0) {
    perror("listen");
    exit(1);
  }
  return fd;
}

/* An in-loop fake "TLS" server that misbehaves in one way. */
typedef enum { FAKE_GARBAGE, FAKE_CLOSE, FAKE_RESET } fake_mode_t;

typedef struct fake {
  fake_mode_t mode;
  int lfd, cfd;
  int lindex, cindex;
  uint16_t port;
} fake_t;

static int fake_on_client(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
  (void)magic;
  (void)w;
  fake_t *f = (fake_t *)arg;
  char buf[4096];
  while (read(f->cfd, buf, sizeof buf) > 0)   /* the ClientHello */
    ;
  su_root_deregister(root, f->cindex);
  f->cindex = -1;
  if (f->mode == FAKE_RESET) {
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(f->cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  close(f->cfd);   /* FIN, or RST with linger 0 */
  f->cfd = -1;
  return 0;
}

static int fake_on_accept(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
  (void)magic;
  (void)w;
  fake_t *f = (fake_t *)arg;
  int fd = accept4(f->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0)
    return 0;
  if (f->cfd >= 0) {   /* one client at a time is all the tests need */
    close(fd);
    return 0;
  }
  f->cfd = fd;
  if (f->mode == FAKE_GARBAGE) {
    static const char answer[] = "SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    if (write(fd, answer, sizeof answer - 1) < 0)
      perror("fake write");
    return 0;   /* keep the connection open: only the bytes matter */
  }
  su_wait_t wait[1];
  su_wait_create(wait, fd, SU_WAIT_IN);
  f->cindex = su_root_register(root, wait, fake_on_client, (su_wakeup_arg_t *)f, 0);
  return 0;
}

static void fake_start(fake_t *f, fake_mode_t mode)
{
  memset(f, 0, sizeof *f);
  f->mode = mode;
  f->cfd = -1;
  f->cindex = -1;
  f->lfd = listener(&f->port, 8);
  su_wait_t wait[1];
  su_wait_create(wait, f->lfd, SU_WAIT_IN);
  f->lindex = su_root_register(root, wait, fake_on_accept, (su_wakeup_arg_t *)f, 0);
}

static void fake_stop(fake_t *f)
{
  if (f->cindex >= 0)
    su_root_deregister(root, f->cindex);
  if (f->cfd >= 0)
    close(f->cfd);
  su_root_deregister(root, f->lindex);
  close(f->lfd);
}

/* ---- the openssl CLI ---------------------------------------------------- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
  char cmd[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  char full[2200];
  snprintf(full, sizeof full, "cd %s && { %s ; } >>gen.log 2>&1", tmpdir, cmd);
  int rc = system(full);
  if (rc != 0)
    fprintf(stderr, "command failed (%d): %s (see %s/gen.log)\n", rc, cmd, tmpdir);
  return rc;
}

static bool make_certificates(void)
{
  const char *ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
  FILE *f = NULL;
  char path[128];
  snprintf(path, sizeof path, "%s/ext.cnf", tmpdir);
  if (!(f = fopen(path, "w")))
    return false;
  fputs("subjectAltName=DNS:registrar.test,IP:127.0.0.1\n"
        "basicConstraints=CA:FALSE\n"
        "extendedKeyUsage=serverAuth\n", f);
  fclose(f);
  return
    sh("openssl req -x509 %s -keyout ca.key -out ca.pem -days 2 "
       "-subj '/CN=sipdiag throwaway test CA' "
       "-addext basicConstraints=critical,CA:TRUE "
       "-addext keyUsage=critical,keyCertSign,cRLSign", ec) == 0 &&
    sh("openssl req %s -keyout srv.key -out srv.csr -subj '/CN=registrar.test'", ec) == 0 &&
    sh("openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -set_serial 2 "
       "-days 2 -extfile ext.cnf -out srv.pem") == 0 &&
    /* notAfter one day before notBefore: expired from the start */
    sh("openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -set_serial 3 "
       "-days -1 -extfile ext.cnf -out old.pem") == 0 &&
    sh("openssl req -x509 %s -keyout self.key -out self.pem -days 2 "
       "-subj '/CN=registrar.test' "
       "-addext subjectAltName=DNS:registrar.test,IP:127.0.0.1", ec) == 0;
}

/* Starts `openssl s_server` on a free port of 127.0.0.1; returns the port
 * it printed in its ACCEPT line, 0 on failure. */
static uint16_t s_server(const char *cert, const char *key, const char *const *extra)
{
  unsigned slot = n_children;
  if (slot >= MAX_CHILDREN)
    return 0;
  char out[128], err[128], certp[128], keyp[128];
  snprintf(out, sizeof out, "%s/out%u", tmpdir, slot);
  snprintf(err, sizeof err, "%s/err%u", tmpdir, slot);
  snprintf(certp, sizeof certp, "%s/%s", tmpdir, cert);
  snprintf(keyp, sizeof keyp, "%s/%s", tmpdir, key);
  const char *argv[24] = {"openssl", "s_server", "-accept", "127.0.0.1:0",
                          "-cert", certp, "-key", keyp, "-www"};
  unsigned argc = 9;
  for (; extra && *extra && argc < 22; extra++)
    argv[argc++] = *extra;
  argv[argc] = NULL;

  pid_t pid = fork();
  if (pid < 0)
    return 0;
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || o < 0 || e < 0)
      _exit(127);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    execvp("openssl", (char *const *)argv);
    _exit(127);
  }
  children[n_children++] = pid;

  /* Wait (bounded: 20 s, for a loaded machine) for "ACCEPT 127.0.0.1:PORT". */
  for (int i = 0; i < 400; i++) {
    char buf[512] = "";
    FILE *f = fopen(out, "r");
    if (f) {
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      buf[n] = '\0';
      fclose(f);
    }
    const char *p = strstr(buf, "ACCEPT 127.0.0.1:");
    if (p && strchr(p, '\n'))
      return (uint16_t)atoi(p + strlen("ACCEPT 127.0.0.1:"));
    if (waitpid(pid, NULL, WNOHANG) == pid) {
      children[slot] = 0;
      fprintf(stderr, "openssl s_server exited; see %s\n", err);
      return 0;
    }
    usleep(50 * 1000);
  }
  fprintf(stderr, "openssl s_server did not print its port\n");
  return 0;
}

/* ---- the tests ---------------------------------------------------------- */

static void test_tcp(void)
{
  run_t run;
  const sipdiag_transport_outcome_t *o;

  /* (a) a listener that never accepts: the kernel completes the handshake */
  uint16_t port;
  int lfd = listener(&port, 8);
  struct sockaddr_in to = loopback(port);
  o = check_run("tcp listener", &to, false, NULL, NULL, true, 2000, &run);
  CHECK(o->result == SIPDIAG_TC_OK, "%s", o->text);
  CHECK(o->stage == SIPDIAG_TC_STAGE_DONE, "stage %d", o->stage);
  char want[64];
  snprintf(want, sizeof want, "TCP connection to 127.0.0.1:%u established", port);
  CHECK_CONTAINS(o->text, want);
  close(lfd);

  /* (b) a bound port that does not listen answers SYN with RST */
  int bfd = tcp_socket_on_free_port(&port);
  to = loopback(port);
  bool refused_readable = !so_error_untranslated();
  o = check_run("tcp closed port", &to, false, NULL, NULL, true, 2000, &run);
  if (refused_readable) {
    CHECK(o->result == SIPDIAG_TC_REFUSED, "%s", o->text);
    CHECK(o->error == ECONNREFUSED, "errno %d", o->error);
    snprintf(want, sizeof want, "TCP connection to 127.0.0.1:%u refused", port);
    CHECK(strcmp(o->text, want) == 0, "'%s' != '%s'", o->text, want);
  }
  /* answered by the RST, not waited out: well before its own 2 s (the
   * margin is for a loaded machine; how fast is the benchmark's business) */
  CHECK(o->elapsed_ms < 1500, "refused took %u ms", o->elapsed_ms);
  /* the same through TLS: still a TCP refusal, named as such */
  o = check_run("tls to closed port", &to, true, "registrar.test", NULL, true, 2000, &run);
  if (refused_readable)
    CHECK(o->result == SIPDIAG_TC_REFUSED, "%s", o->text);
  CHECK(o->stage == SIPDIAG_TC_STAGE_TCP, "stage %d", o->stage);
  close(bfd);

  /* (c) TIMEOUT: a listener with backlog 0 and a full accept queue drops
   * further SYNs (Linux: "listen queue overflow").  Fill it, then check. */
  lfd = listener(&port, 0);
  to = loopback(port);
  int fillers[16];
  unsigned n_fill = 0;
  bool full = false;
  while (n_fill < 16 && !full) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    fillers[n_fill++] = fd;
    if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS)
      break;
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    full = poll(&pfd, 1, 100) == 0;   /* SYN dropped: not connected */
  }
  if (full) {
    o = check_run("tcp syn dropped", &to, false, NULL, NULL, true, 300, &run);
    CHECK(o->result == SIPDIAG_TC_TIMEOUT, "%s", o->text);
    CHECK(o->error == ETIMEDOUT, "errno %d", o->error);
    /* its own 300 ms govern: not earlier, and well before the 4 s default
     * (the slack above is for a loaded machine) */
    CHECK(o->elapsed_ms >= 290 && o->elapsed_ms < 3000, "%u ms", o->elapsed_ms);
    CHECK_CONTAINS(o->text, "timed out after");
    /* a TLS check times out in the TCP stage too: TIMEOUT, not TLS */
    o = check_run("tls syn dropped", &to, true, "registrar.test", NULL, true, 300, &run);
    CHECK(o->result == SIPDIAG_TC_TIMEOUT, "%s", o->text);
  } else {
    printf("  SKIP tcp timeout: could not fill the accept queue after %u connections\n",
           n_fill);
  }
  for (unsigned i = 0; i < n_fill; i++)
    close(fillers[i]);
  close(lfd);

  /* UNREACHABLE: TCP to a multicast address fails in connect() itself
   * (ENETUNREACH), before any packet leaves; reported from the loop. */
  struct sockaddr_in mc = {.sin_family = AF_INET, .sin_port = htons(5061)};
  mc.sin_addr.s_addr = htonl(0xe0000001);   /* 224.0.0.1 */
  o = check_run("tcp to multicast", &mc, false, NULL, NULL, true, 1000, &run);
  CHECK(o->result == SIPDIAG_TC_UNREACHABLE, "%s", o->text);
  CHECK(o->error == ENETUNREACH, "errno %d", o->error);
  CHECK_CONTAINS(o->text, "224.0.0.1:5061");

  /* Bad arguments: NULL and EINVAL, no callback. */
  errno = 0;
  struct sockaddr bad = {.sa_family = AF_UNIX};
  CHECK(sipdiag_transport_check_start(root, &bad, sizeof bad, false, NULL, NULL, NULL, true,
                                      100, on_outcome, &run) == NULL && errno == EINVAL,
        "AF_UNIX accepted");
  to = loopback(1);
  CHECK(sipdiag_transport_check_start(root, (struct sockaddr *)&to, 4, false, NULL, NULL, NULL,
                                      true, 100, on_outcome, &run) == NULL,
        "short length accepted");
}

static void test_stop(void)
{
  /* stop() before the outcome: no callback ever, nothing leaks */
  uint16_t port;
  int lfd = listener(&port, 128);   /* room for every connection below */
  struct sockaddr_in to = loopback(port);
  run_t runs[3];
  start_run(&runs[0], &to, false, NULL, NULL, true, 200);
  start_run(&runs[1], &to, true, "registrar.test", NULL, true, 200);
  int bfd = tcp_socket_on_free_port(&port);
  struct sockaddr_in closed = loopback(port);
  start_run(&runs[2], &closed, false, NULL, NULL, true, 200);  /* deferred or not */
  su_root_step(root, 0);
  for (unsigned i = 0; i < 3; i++) {
    if (runs[i].calls == 0)
      sipdiag_transport_check_stop(runs[i].check);
  }
  unsigned before = runs[0].calls + runs[1].calls + runs[2].calls;
  loop_for(400);
  CHECK(runs[0].calls + runs[1].calls + runs[2].calls == before,
        "a callback after stop()");
  sipdiag_transport_check_stop(NULL);

  /* Many at once: each named correctly. */
  enum { N = 60 };
  static run_t many[N];
  for (unsigned i = 0; i < N; i++)
    start_run(&many[i], i % 2 ? &to : &closed, false, NULL, NULL, true, 2000);
  loop_until_done(many, N, 5000);
  /* under the qemu defect above a refusal is not named: judge each
   * check's single callback and the listener's half only */
  bool refused_readable = !so_error_untranslated();
  unsigned right = 0, judged = 0;
  for (unsigned i = 0; i < N; i++) {
    if (!refused_readable && i % 2 == 0) {
      right += many[i].calls == 1;
      judged++;
      continue;
    }
    right += many[i].calls == 1 &&
             many[i].out.result == (i % 2 ? SIPDIAG_TC_OK : SIPDIAG_TC_REFUSED);
    judged++;
  }
  CHECK(right == judged, "%u of %u concurrent checks right", right, judged);
  printf("  %-28s %u of %d right%s\n", "60 concurrent", right, N,
         refused_readable ? "" : " (refusals: one callback each; not named under the qemu defect)");
  close(bfd);
  close(lfd);
}

static void test_tls(void)
{
  char ca[128];
  snprintf(ca, sizeof ca, "%s/ca.pem", tmpdir);
  run_t run;
  const sipdiag_transport_outcome_t *o;

  uint16_t good = s_server("srv.pem", "srv.key", NULL);
  uint16_t self = s_server("self.pem", "self.key", NULL);
  uint16_t old = s_server("old.pem", "srv.key", NULL);
  /* TLS 1.2 with an RSA-only cipher and an EC certificate: no shared cipher */
  static const char *const nocipher[] = {"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256",
                                         NULL};
  uint16_t cipher = s_server("srv.pem", "srv.key", nocipher);
  /* TLS 1.2 and a client certificate required (we never send one) */
  char cafile_arg[128];
  snprintf(cafile_arg, sizeof cafile_arg, "%s/ca.pem", tmpdir);
  const char *const clientcert[] = {"-tls1_2", "-Verify", "1", "-CAfile", cafile_arg, NULL};
  uint16_t needcert = s_server("srv.pem", "srv.key", clientcert);
  CHECK(good && self && old && cipher && needcert, "s_server did not start");
  if (!(good && self && old && cipher && needcert))
    return;

  /* (d) verified with our CA, by name, by IP, without a name */
  struct sockaddr_in to = loopback(good);
  o = check_run("tls ok (name)", &to, true, "registrar.test", ca, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_OK, "%s", o->text);
  CHECK(o->verified && o->name_checked, "verified %d name %d", o->verified, o->name_checked);
  CHECK(strncmp(o->tls_version, "TLSv1.", 6) == 0, "version '%s'", o->tls_version);
  CHECK(o->tls_cipher[0] != '\0', "no cipher");
  CHECK_CONTAINS(o->text, o->tls_version);
  CHECK_CONTAINS(o->text, o->tls_cipher);
  CHECK_CONTAINS(o->peer_subject, "CN=registrar.test");
  CHECK_CONTAINS(o->peer_issuer, "sipdiag throwaway test CA");
  CHECK_CONTAINS(o->peer_names, "DNS:registrar.test");
  CHECK_CONTAINS(o->peer_names, "IP:127.0.0.1");
  CHECK(o->peer_not_after[0] && o->peer_not_after_s > (int64_t)time(NULL),
        "not after '%s'", o->peer_not_after);
  CHECK(o->connect_ms <= o->elapsed_ms, "connect %u elapsed %u", o->connect_ms, o->elapsed_ms);
  printf("      %s %s, subject %s, names %s, until %s\n", o->tls_version, o->tls_cipher,
         o->peer_subject, o->peer_names, o->peer_not_after);

  o = check_run("tls ok (ip literal)", &to, true, "127.0.0.1", ca, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_OK && o->verified, "%s", o->text);
  o = check_run("tls ok (no name)", &to, true, NULL, ca, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_OK && !o->name_checked, "%s", o->text);

  /* (e) the system store does not know our CA */
  o = check_run("tls system store", &to, true, "registrar.test", NULL, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_CERTIFICATE_REJECTED, "%s", o->text);
  CHECK(o->cert_problem == SIPDIAG_TC_CERT_UNKNOWN_CA ||
        o->cert_problem == SIPDIAG_TC_CERT_SELF_SIGNED,
        "problem %s", sipdiag_tc_cert_problem_name(o->cert_problem));
  CHECK_CONTAINS(o->text, "TLS certificate rejected: ");
  CHECK_CONTAINS(o->text, "(hostname registrar.test)");
  CHECK_CONTAINS(o->peer_subject, "CN=registrar.test");

  /* the system store is a hashed directory: one that holds our CA */
  const char *saved_dir = getenv("SSL_CERT_DIR");
  char *saved = saved_dir ? strdup(saved_dir) : NULL;
  char trust[128];
  snprintf(trust, sizeof trust, "%s/trust", tmpdir);
  if (mkdir(trust, 0700) == 0 && sh("cp ca.pem trust/ && openssl rehash trust") == 0) {
    setenv("SSL_CERT_DIR", trust, 1);
    o = check_run("tls store dir with our CA", &to, true, "registrar.test", NULL, true,
                  3000, &run);
    CHECK(o->result == SIPDIAG_TC_OK && o->verified, "%s", o->text);
  } else {
    CHECK(0, "could not make a hashed trust directory");
  }
  if (saved)
    setenv("SSL_CERT_DIR", saved, 1);
  else
    unsetenv("SSL_CERT_DIR");
  free(saved);

  /* ... and verify off: OK, saying what verification would have said */
  o = check_run("tls unverified", &to, true, "registrar.test", NULL, false, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_OK && !o->verified, "%s", o->text);
  CHECK(o->verify_result != 0, "verify result %ld", o->verify_result);
  CHECK_CONTAINS(o->text, "verification would fail");

  /* a self-signed server certificate */
  struct sockaddr_in to_self = loopback(self);
  o = check_run("tls self-signed", &to_self, true, "registrar.test", NULL, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_CERTIFICATE_REJECTED, "%s", o->text);
  CHECK(o->cert_problem == SIPDIAG_TC_CERT_SELF_SIGNED, "problem %s",
        sipdiag_tc_cert_problem_name(o->cert_problem));
  CHECK(strstr(o->text, "TLS certificate rejected: self-signed certificate "
                        "(hostname registrar.test)") == o->text, "%s", o->text);

  /* (f) name mismatch with the right CA; and IP mismatch */
  o = check_run("tls wrong name", &to, true, "other.test", ca, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_CERTIFICATE_REJECTED, "%s", o->text);
  CHECK(o->cert_problem == SIPDIAG_TC_CERT_NAME_MISMATCH, "problem %s",
        sipdiag_tc_cert_problem_name(o->cert_problem));
  CHECK_CONTAINS(o->text, "other.test");
  CHECK_CONTAINS(o->text, "DNS:registrar.test");
  o = check_run("tls wrong ip", &to, true, "127.0.0.2", ca, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_CERTIFICATE_REJECTED &&
        o->cert_problem == SIPDIAG_TC_CERT_NAME_MISMATCH, "%s", o->text);
  CHECK_CONTAINS(o->text, "IP address 127.0.0.2");

  /* an expired certificate */
  struct sockaddr_in to_old = loopback(old);
  o = check_run("tls expired", &to_old, true, "registrar.test", ca, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_CERTIFICATE_REJECTED &&
        o->cert_problem == SIPDIAG_TC_CERT_EXPIRED, "%s", o->text);
  CHECK(o->cert_depth == 0, "depth %d", o->cert_depth);
  CHECK_CONTAINS(o->text, "expired");

  /* (h) handshake failures: an alert from the server */
  struct sockaddr_in to_cipher = loopback(cipher);
  o = check_run("tls no shared cipher", &to_cipher, true, "registrar.test", ca, true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_HANDSHAKE_FAILED, "%s", o->text);
  CHECK(o->alert_received == 40, "alert %d (%s)", o->alert_received, o->alert_received_text);
  CHECK_CONTAINS(o->text, "handshake failure");
  CHECK(o->tls_reason[0] != '\0', "no reason");

  struct sockaddr_in to_needcert = loopback(needcert);
  o = check_run("tls client cert needed", &to_needcert, true, "registrar.test", ca, true,
                3000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_HANDSHAKE_FAILED, "%s", o->text);
  CHECK(o->alert_received > 0, "alert %d", o->alert_received);

  /* an unreadable CA file: OTHER, from the loop, before any packet */
  o = check_run("tls missing ca file", &to, true, "registrar.test", "/nonexistent/ca.pem",
                true, 3000, &run);
  CHECK(o->result == SIPDIAG_TC_OTHER && o->stage == SIPDIAG_TC_STAGE_SETUP, "%s", o->text);
  CHECK_CONTAINS(o->text, "/nonexistent/ca.pem");
}

static void test_fake_servers(void)
{
  run_t run;
  const sipdiag_transport_outcome_t *o;
  fake_t f;

  /* (g) a plain-text answer on the TLS port */
  fake_start(&f, FAKE_GARBAGE);
  struct sockaddr_in to = loopback(f.port);
  o = check_run("tls to plain text", &to, true, "registrar.test", NULL, true, 2000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_HANDSHAKE_FAILED, "%s", o->text);
  CHECK(o->not_tls, "not_tls unset");
  CHECK_CONTAINS(o->first_bytes, "SIP/2.0 400 Bad Request\\r\\n");
  CHECK_CONTAINS(o->text, "does not speak TLS");
  fake_stop(&f);

  /* closed after reading the ClientHello (FIN) */
  fake_start(&f, FAKE_CLOSE);
  to = loopback(f.port);
  o = check_run("tls peer closes", &to, true, "registrar.test", NULL, true, 2000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_CLOSED, "%s", o->text);
  CHECK_CONTAINS(o->text, "closed the connection");
  fake_stop(&f);

  /* reset after reading the ClientHello (RST) */
  fake_start(&f, FAKE_RESET);
  to = loopback(f.port);
  o = check_run("tls peer resets", &to, true, "registrar.test", NULL, true, 2000, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_CLOSED, "%s", o->text);
  CHECK(o->error == ECONNRESET, "errno %d", o->error);
  fake_stop(&f);

  /* TCP accepted (by the kernel) but never a byte back: bounded by the
   * timeout, named as a TLS failure, not as a TCP timeout */
  uint16_t port;
  int lfd = listener(&port, 8);
  to = loopback(port);
  o = check_run("tls silent server", &to, true, "registrar.test", NULL, true, 400, &run);
  CHECK(o->result == SIPDIAG_TC_TLS_HANDSHAKE_FAILED, "%s", o->text);
  CHECK(o->error == ETIMEDOUT && o->stage == SIPDIAG_TC_STAGE_TLS, "errno %d stage %d",
        o->error, o->stage);
  /* its own 400 ms govern, not the 4 s default (the bound itself, not a
   * wall-clock reading: a loaded machine may serve the timer late) */
  CHECK(o->timeout_ms == 400, "bound %u ms", o->timeout_ms);
  CHECK(o->elapsed_ms >= 390, "%u ms", o->elapsed_ms);
  CHECK_CONTAINS(o->text, "sent nothing back");
  close(lfd);
}

int main(void)
{
  if (system("command -v openssl >/dev/null 2>&1") != 0) {
    printf("SKIP: the openssl command is not installed (apt-get install openssl)\n");
    return SKIP;
  }
  signal(SIGPIPE, SIG_DFL);   /* the check itself must never raise it */
  snprintf(tmpdir, sizeof tmpdir, "/tmp/sipdiag-tc-XXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  atexit(cleanup);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  su_init();
  root = su_root_create(NULL);
  if (!root) {
    fprintf(stderr, "su_root_create failed\n");
    return 1;
  }

  printf("tcp:\n");
  test_tcp();
  test_stop();
  printf("tls:\n");
  if (make_certificates())
    test_tls();
  else
    CHECK(0, "could not make the test certificates with the openssl command");
  test_fake_servers();

  su_root_destroy(root);
  su_deinit();
  cleanup();
  return check_summary("transport_check_live");
}
