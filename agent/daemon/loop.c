/*
 * loop.c - one thread, one loop: sofia's su_root drives everything.
 *
 * net-snmp's sockets (the AgentX session, and any other session it keeps)
 * are mirrored into the su_root: before each turn the set snmp_select_info2()
 * reports is compared with what is registered, new fds are registered and
 * vanished ones unregistered.  A readable fd only marks itself; after the
 * turn snmp_read2() reads the marked ones.  Then net-snmp's timeouts and
 * alarms (the AgentX ping and reconnect among them) are run, delegated
 * requests checked, due scheduled runs requested, pending diagnoses
 * started, a few queued notifications sent and the persistent store saved
 * if needed.
 *
 * sofia's poll port is preferred to epoll: poll looks at fd numbers afresh
 * on every turn, so when net-snmp closes its AgentX socket (snmpd went
 * away) and a reconnect gets the same fd number back, the registration
 * still works; with epoll the closed fd would silently drop out of the
 * kernel's set and the subagent would go deaf.
 *
 * Signals only write a byte into a self-pipe that is registered too, so a
 * SIGTERM or SIGHUP ends the current turn at once.
 */
#include "config.h"
#include "agent-snmp.h"
#include "daemon/loop.h"
#include "daemon/agentx_dedup.h"
#include "notify/notify.h"
#include "rows/rows.h"
#include "schedule/scheduler.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_log.h>

/* Longest turn without a look at signals and net-snmp (ms). */
#define LOOP_MAX_WAIT_MS 1000
#define LOOP_MAX_FDS 64

struct mirror {
  int fd;
  su_wait_t wait;
  bool used;
};

static su_root_t *root;
static struct mirror mirrors[LOOP_MAX_FDS];
static netsnmp_large_fd_set marked;
static bool any_marked;
static int wake_pipe[2] = { -1, -1 };
static su_wait_t wake_wait;

static int on_readable(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
  (void)magic;
  (void)w;
  struct mirror *m = (struct mirror *)arg;
  NETSNMP_LARGE_FD_SET(m->fd, &marked);
  any_marked = true;
  return 0;
}

static int on_wake(su_root_magic_t *magic, su_wait_t *w, su_wakeup_arg_t *arg)
{
  (void)magic;
  (void)w;
  (void)arg;
  char buf[64];
  while (read(wake_pipe[0], buf, sizeof buf) > 0)
    ;
  return 0;
}

void loop_wake(void)
{
  int saved = errno;
  if (wake_pipe[1] >= 0) {
    ssize_t n = write(wake_pipe[1], "x", 1);
    (void)n;
  }
  errno = saved;
}

su_root_t *loop_create(void)
{
  su_init();
  su_log_set_level(NULL, 0);
  su_port_prefer(su_poll_port_create, su_poll_clone_start);
  root = su_root_create(NULL);
  if (!root)
    return NULL;
  if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) == 0 &&
      su_wait_create(&wake_wait, wake_pipe[0], SU_WAIT_IN) == 0)
    su_root_register(root, &wake_wait, on_wake, NULL, 0);
  netsnmp_large_fd_set_init(&marked, FD_SETSIZE);
  return root;
}

static void unmirror(struct mirror *m)
{
  su_root_unregister(root, &m->wait, on_readable, (su_wakeup_arg_t *)m);
  su_wait_destroy(&m->wait);
  m->used = false;
}

/* Mirror net-snmp's fds into the root; returns the wait in ms (and
 * *deadline_ms on the monotonic clock when net-snmp has a timeout). */
static long sync_fds(bool *has_deadline, struct timespec *deadline)
{
  netsnmp_large_fd_set set;
  int numfds = 0, block = 1;
  struct timeval tv = { 0, 0 };
  netsnmp_large_fd_set_init(&set, FD_SETSIZE);
  snmp_select_info2(&numfds, &set, &tv, &block);

  for (int i = 0; i < LOOP_MAX_FDS; i++)
    if (mirrors[i].used && (mirrors[i].fd >= numfds ||
                            !NETSNMP_LARGE_FD_ISSET(mirrors[i].fd, &set)))
      unmirror(&mirrors[i]);

  for (int fd = 0; fd < numfds; fd++) {
    if (!NETSNMP_LARGE_FD_ISSET(fd, &set))
      continue;
    bool known = false;
    for (int i = 0; i < LOOP_MAX_FDS && !known; i++)
      known = mirrors[i].used && mirrors[i].fd == fd;
    if (known)
      continue;
    struct mirror *m = NULL;
    for (int i = 0; i < LOOP_MAX_FDS && !m; i++)
      if (!mirrors[i].used)
        m = &mirrors[i];
    if (!m) {
      snmp_log(LOG_ERR, "sipdiagd: too many net-snmp sockets (%d)\n", LOOP_MAX_FDS);
      break;
    }
    if (su_wait_create(&m->wait, fd, SU_WAIT_IN) != 0)
      continue;
    if (su_root_register(root, &m->wait, on_readable, (su_wakeup_arg_t *)m, 0) < 0) {
      su_wait_destroy(&m->wait);
      continue;
    }
    m->fd = fd;
    m->used = true;
  }
  netsnmp_large_fd_set_cleanup(&set);

  *has_deadline = !block;
  if (block)
    return LOOP_MAX_WAIT_MS;
  long ms = tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
  clock_gettime(CLOCK_MONOTONIC, deadline);
  deadline->tv_sec += tv.tv_sec;
  deadline->tv_nsec += tv.tv_usec * 1000;
  if (deadline->tv_nsec >= 1000000000) {
    deadline->tv_sec++;
    deadline->tv_nsec -= 1000000000;
  }
  return ms < LOOP_MAX_WAIT_MS ? ms : LOOP_MAX_WAIT_MS;
}

static bool passed(const struct timespec *deadline)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > deadline->tv_sec ||
         (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

void loop_run(volatile int *stop, volatile int *reload, void (*on_reload)(void))
{
  while (!*stop) {
    bool has_deadline;
    struct timespec deadline;
    agentx_dedup_attach();             /* a new AgentX session gets it too */
    long wait_ms = sync_fds(&has_deadline, &deadline);

    long due = scheduler_wait_ms(), send = notify_wait_ms();
    if (due >= 0 && due < wait_ms)
      wait_ms = due;
    if (send >= 0 && send < wait_ms)
      wait_ms = send;
    su_root_step(root, rows_starts_pending() ? 0 : wait_ms);

    if (any_marked) {
      any_marked = false;
      snmp_read2(&marked);
      NETSNMP_LARGE_FD_ZERO(&marked);
    }
    if (has_deadline && passed(&deadline))
      snmp_timeout();
    run_alarms();
    netsnmp_check_outstanding_agent_requests();
    scheduler_tick();
    rows_start_pending();
    notify_send_pending();
    if (*reload) {
      *reload = 0;
      on_reload();
    }
    store_poll();
    snmp_store_if_needed();
  }
}

void loop_destroy(void)
{
  /* before snmp_shutdown() closes the fds */
  for (int i = 0; i < LOOP_MAX_FDS; i++)
    if (mirrors[i].used)
      unmirror(&mirrors[i]);
  if (wake_pipe[0] >= 0) {
    su_root_unregister(root, &wake_wait, on_wake, NULL);
    su_wait_destroy(&wake_wait);
  }
}

void loop_free(void)
{
  su_root_destroy(root);
  root = NULL;
  su_deinit();
  netsnmp_large_fd_set_cleanup(&marked);
  for (int i = 0; i < 2; i++)
    if (wake_pipe[i] >= 0) {
      close(wake_pipe[i]);
      wake_pipe[i] = -1;
    }
}
