/*
 * socket_errno_is_named.c - when the engine cannot have a socket, the
 * errno that says why reaches its texts: a process out of descriptors
 * (EMFILE) is named as such, never as a missing privilege.
 *
 *  1. the errno helpers (syserr.h) name and sort EMFILE, ENFILE, EPERM...;
 *  2. the pinger, with every descriptor taken: one PING_ERROR (seq 0)
 *     naming "too many open files (EMFILE)", sipdiag_pinger_error() EMFILE,
 *     no word of CAP_NET_RAW, then PING_DONE;
 *  3. the transport check, likewise: its text names EMFILE;
 *  4. the packet capture, likewise (only where capturing is permitted);
 *  5. with descriptors again: the pinger works, or fails naming a privilege;
 *  6. without the privilege (root only: a child running as nobody, and
 *     only when net.ipv4.ping_group_range keeps nobody out): the pinger
 *     says "needs root or CAP_NET_RAW" and sipdiag_pinger_error() is EPERM
 *     or EACCES.
 * Traffic: ICMP echo to 127.0.0.1 and one TCP connect to a closed
 * loopback port, at most.
 */
#include "sipdiag.h"
#include "pinger.h"
#include "syserr.h"
#include "transport_check.h"
#include "capture.h"
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_log.h>

/* Descriptors taken to exhaust the table, and the limit set for that. */
#define HOARD_MAX 256

static su_root_t *root;

struct ping_seen {
  unsigned errors, sent, replies, done;
  unsigned first_error_seq;
  int error_at_event;           /* sipdiag_pinger_error() inside the callback */
  char info[256];
  sipdiag_pinger_t **pinger;
};

static void on_ping(void *context, sipdiag_ping_event_t event, unsigned seq,
                    unsigned rtt_ms, const char *info)
{
  struct ping_seen *s = context;
  (void)rtt_ms;
  switch (event) {
  case SIPDIAG_PING_SENT: s->sent++; break;
  case SIPDIAG_PING_REPLY: s->replies++; break;
  case SIPDIAG_PING_ERROR:
    if (s->errors++ == 0) {
      s->first_error_seq = seq;
      snprintf(s->info, sizeof s->info, "%s", info);
      s->error_at_event = sipdiag_pinger_error(*s->pinger);
    }
    break;
  case SIPDIAG_PING_DONE:
    s->done++;
    su_root_break(root);
    break;
  }
}

/* Runs the loop until the callback breaks it, or ms have passed. */
static void on_deadline(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
  (void)m;
  (void)t;
  *(bool *)arg = true;
  su_root_break(root);
}

static void run_for(unsigned ms)
{
  bool expired = false;
  su_timer_t *t = su_timer_create(su_root_task(root), 0);
  su_timer_set_interval(t, on_deadline, (su_timer_arg_t *)&expired, ms);
  su_root_run(root);
  su_timer_destroy(t);
}

static struct sockaddr_in loopback(unsigned port)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sin;
}

static sipdiag_pinger_t *ping_once(struct ping_seen *seen, sipdiag_pinger_t **slot)
{
  struct sockaddr_in target = loopback(0);
  memset(seen, 0, sizeof *seen);
  seen->pinger = slot;
  *slot = sipdiag_pinger_start(root, (struct sockaddr *)&target, sizeof target,
                               1, 100, 1000, on_ping, seen);
  CHECK(*slot != NULL, "pinger_start: %s", strerror(errno));
  if (*slot)
    run_for(10000);   /* generous: a loaded machine; DONE breaks it early */
  return *slot;
}

/* ---- descriptors: take them all ---------------------------------------- */

static int hoard[HOARD_MAX];
static unsigned n_hoard;
static struct rlimit saved_limit;

/* Lowers the soft limit just above what is open, then fills the table:
 * the next socket() fails with EMFILE.  false when that could not be set
 * up (then the EMFILE parts are skipped with a message). */
static bool exhaust_descriptors(void)
{
  if (getrlimit(RLIMIT_NOFILE, &saved_limit) != 0)
    return false;
  int probe = dup(0);
  if (probe < 0)
    return false;
  close(probe);
  struct rlimit low = saved_limit;
  rlim_t want = (rlim_t)probe + HOARD_MAX / 2;
  if (want < low.rlim_cur)
    low.rlim_cur = want;
  if (setrlimit(RLIMIT_NOFILE, &low) != 0)
    return false;
  n_hoard = 0;
  while (n_hoard < HOARD_MAX) {
    int fd = dup(0);
    if (fd < 0)
      break;
    hoard[n_hoard++] = fd;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd >= 0) {
    close(fd);
    return false;
  }
  return errno == EMFILE;
}

static void release_descriptors(void)
{
  while (n_hoard > 0)
    close(hoard[--n_hoard]);
  setrlimit(RLIMIT_NOFILE, &saved_limit);
}

/* ---- transport check ------------------------------------------------------- */

struct tc_seen {
  bool called;
  sipdiag_transport_outcome_t outcome;
};

static void on_tc(void *context, const sipdiag_transport_outcome_t *o)
{
  struct tc_seen *s = context;
  s->called = true;
  s->outcome = *o;
  su_root_break(root);
}

static unsigned closed_tcp_port(void)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin = loopback(0);
  socklen_t len = sizeof sin;
  if (fd < 0)
    return 9;
  bind(fd, (struct sockaddr *)&sin, sizeof sin);
  getsockname(fd, (struct sockaddr *)&sin, &len);
  close(fd);   /* never listened: connecting is refused */
  return ntohs(sin.sin_port);
}

/* ---- 6: a child without the privilege -------------------------------------- */

static int child_without_privilege(void)
{
  if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
    return 77;
  struct ping_seen seen;
  sipdiag_pinger_t *pinger = NULL;
  if (!ping_once(&seen, &pinger))
    return 1;
  int result = 0;
  if (seen.sent > 0) {
    printf("as nobody the unprivileged ICMP socket is allowed here: nothing to check\n");
    result = 77;
  } else {
    CHECK(seen.errors == 1 && seen.first_error_seq == 0, "errors %u seq %u",
          seen.errors, seen.first_error_seq);
    CHECK_CONTAINS(seen.info, "needs root or CAP_NET_RAW");
    int e = sipdiag_pinger_error(pinger);
    CHECK(e == EPERM || e == EACCES, "errno %d (%s)", e, strerror(e));
    CHECK(sipdiag_syserr_kind(e) == SIPDIAG_SYSERR_PERMISSION, "kind");
    result = check_failures ? 1 : 0;
  }
  sipdiag_pinger_stop(pinger);
  return result;
}

int main(void)
{
  char buf[SIPDIAG_SYSERR_TEXT_MAX];

  /* 1. the helpers */
  CHECK(strcmp(sipdiag_syserr_text(EMFILE, buf, sizeof buf), "too many open files (EMFILE)") == 0,
        "'%s'", buf);
  CHECK_CONTAINS(sipdiag_syserr_text(ENFILE, buf, sizeof buf), "(ENFILE)");
  CHECK_CONTAINS(sipdiag_syserr_text(EACCES, buf, sizeof buf), "(EACCES)");
  CHECK_CONTAINS(sipdiag_syserr_text(ENOENT, buf, sizeof buf), "(errno 2)");
  CHECK(sipdiag_syserr_kind(EMFILE) == SIPDIAG_SYSERR_DESCRIPTORS, "EMFILE kind");
  CHECK(sipdiag_syserr_kind(ENFILE) == SIPDIAG_SYSERR_DESCRIPTORS, "ENFILE kind");
  CHECK(sipdiag_syserr_kind(EPERM) == SIPDIAG_SYSERR_PERMISSION, "EPERM kind");
  CHECK(sipdiag_syserr_kind(EACCES) == SIPDIAG_SYSERR_PERMISSION, "EACCES kind");
  CHECK(sipdiag_syserr_kind(0) == SIPDIAG_SYSERR_NONE, "0 kind");
  CHECK(sipdiag_syserr_text(EMFILE, buf, 8) == buf && strlen(buf) == 7, "cut short");
  CHECK(sipdiag_pinger_error(NULL) == 0, "NULL pinger");

  su_init();
  su_log_set_level(NULL, 0);
  su_port_prefer(su_poll_port_create, su_poll_clone_start);  /* as sipdiagd */
  root = su_root_create(NULL);
  CHECK(root != NULL, "root");
  if (!root)
    return check_summary("socket_errno_is_named");

  /* Everything the parts below allocate lazily, allocated now. */
  unsigned tc_port = closed_tcp_port();
  char capture_dir[] = "/tmp/sipdiag-errno.XXXXXX";
  bool have_dir = mkdtemp(capture_dir) != NULL;
  char capture_path[SIPDIAG_CAPTURE_PATH_MAX];
  snprintf(capture_path, sizeof capture_path, "%s/run.pcap", capture_dir);

  if (!exhaust_descriptors()) {
    release_descriptors();
    printf("could not exhaust the descriptor table: EMFILE parts skipped\n");
  } else {
    /* 2. the pinger */
    struct ping_seen seen;
    sipdiag_pinger_t *pinger = NULL;
    if (ping_once(&seen, &pinger)) {
      CHECK(seen.errors == 1, "%u errors", seen.errors);
      CHECK(seen.first_error_seq == 0, "seq %u", seen.first_error_seq);
      CHECK(seen.sent == 0, "%u sent", seen.sent);
      CHECK(seen.done == 1, "done %u", seen.done);
      CHECK_CONTAINS(seen.info, "too many open files (EMFILE)");
      CHECK(strstr(seen.info, "CAP_NET_RAW") == NULL, "'%s' blames the privilege", seen.info);
      CHECK(seen.error_at_event == EMFILE, "errno in the callback %d", seen.error_at_event);
      CHECK(sipdiag_pinger_error(pinger) == EMFILE, "errno %d", sipdiag_pinger_error(pinger));
      CHECK(sipdiag_pinger_ident(pinger) == -1, "no identifier without a socket");
      sipdiag_pinger_stop(pinger);
    }

    /* 3. the transport check */
    struct tc_seen tcs = { 0 };
    struct sockaddr_in server = loopback(tc_port);
    sipdiag_transport_check_t *tc =
      sipdiag_transport_check_start(root, (struct sockaddr *)&server, sizeof server, false,
                                    NULL, NULL, NULL, true, 2000, on_tc, &tcs);
    CHECK(tc != NULL, "transport_check_start: %s", strerror(errno));
    if (tc) {
      run_for(10000);
      CHECK(tcs.called, "no outcome");
      CHECK(tcs.outcome.result == SIPDIAG_TC_OTHER, "result %s",
            sipdiag_tc_result_name(tcs.outcome.result));
      CHECK(tcs.outcome.error == EMFILE, "error %d", tcs.outcome.error);
      CHECK_CONTAINS(tcs.outcome.text, "too many open files (EMFILE)");
      sipdiag_transport_check_stop(tc);   /* the callback does not free it */
    }

    /* 4. the capture: EMFILE named, or (unprivileged) the privilege */
    sipdiag_capture_config_t cfg = {
      .local_port = 5999, .path = have_dir ? capture_path : NULL,
    };
    char reason[SIPDIAG_CAPTURE_REASON_MAX] = "";
    sipdiag_capture_t *cap = sipdiag_capture_start(root, &cfg, reason, sizeof reason);
    CHECK(cap == NULL, "a capture started without a descriptor");
    if (cap)
      sipdiag_capture_stop(cap, NULL);
    else if (strstr(reason, "needs root or CAP_NET_RAW"))
      printf("capture not permitted here (%s): its EMFILE case is not checked\n", reason);
    else
      CHECK_CONTAINS(reason, "too many open files (EMFILE)");

    release_descriptors();
  }

  /* 5. descriptors again: works, or names a privilege, never EMFILE */
  struct ping_seen seen;
  sipdiag_pinger_t *pinger = NULL;
  if (ping_once(&seen, &pinger)) {
    CHECK(seen.done == 1, "done %u", seen.done);
    if (seen.sent > 0) {
      CHECK(seen.errors == 0, "errors %u: %s", seen.errors, seen.info);
      CHECK(sipdiag_pinger_error(pinger) == 0, "errno %d", sipdiag_pinger_error(pinger));
      CHECK(sipdiag_pinger_ident(pinger) >= 0, "identifier");
    } else {
      CHECK_CONTAINS(seen.info, "needs root or CAP_NET_RAW");
      CHECK(sipdiag_syserr_kind(sipdiag_pinger_error(pinger)) == SIPDIAG_SYSERR_PERMISSION,
            "errno %d", sipdiag_pinger_error(pinger));
    }
    sipdiag_pinger_stop(pinger);
  }
  su_root_destroy(root);
  root = NULL;

  /* 6. without the privilege */
  if (geteuid() == 0) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      root = su_root_create(NULL);
      _exit(root ? child_without_privilege() : 1);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "child");
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    if (rc == 77)
      printf("the unprivileged case is not checkable here\n");
    else
      CHECK(rc == 0, "the unprivileged child failed (%d)", rc);
  }

  if (have_dir) {
    unlink(capture_path);
    rmdir(capture_dir);
  }
  su_deinit();
  return check_summary("socket_errno_is_named");
}
