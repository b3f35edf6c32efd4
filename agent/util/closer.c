/*
 * closer.c - descriptors closed on a thread of their own (closer.h).
 *
 * The loop writes descriptor numbers into a non-blocking pipe; the thread
 * reads them and closes each.  A number handed over stays open (and so is
 * never reused by the loop) until the thread closes it.
 */
#include "config.h"
#include "agent-snmp.h"
#include "util/closer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <stdbool.h>
#include <unistd.h>

static int queue[2] = { -1, -1 };
static pthread_t thread;
static bool running;

static void *close_loop(void *arg)
{
  (void)arg;
  int fd;
  for (;;) {
    ssize_t n = read(queue[0], &fd, sizeof fd);
    if (n == (ssize_t)sizeof fd)
      close(fd);
    else if (n == 0 || (n < 0 && errno != EINTR))
      return NULL;            /* the write end is closed: stop */
  }
}

bool closer_start(void)
{
  if (running)
    return true;
  if (pipe2(queue, O_CLOEXEC) != 0) {
    snmp_log(LOG_WARNING, "sipdiagd: no closing thread (pipe: %s); captures close in the "
             "loop\n", strerror(errno));
    return false;
  }
  fcntl(queue[1], F_SETFL, O_NONBLOCK);
  /* the loop's signals stay with the loop */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(&thread, NULL, close_loop, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (err) {
    snmp_log(LOG_WARNING, "sipdiagd: no closing thread (%s); captures close in the loop\n",
             strerror(err));
    close(queue[0]);
    close(queue[1]);
    queue[0] = queue[1] = -1;
    return false;
  }
  running = true;
  return true;
}

void closer_close(int fd)
{
  if (fd < 0)
    return;
  if (!running || write(queue[1], &fd, sizeof fd) != (ssize_t)sizeof fd)
    close(fd);                /* no thread, or 16384 waiting: here */
}

void closer_stop(void)
{
  if (!running)
    return;
  close(queue[1]);            /* the thread closes what is queued, then ends */
  pthread_join(thread, NULL);
  close(queue[0]);
  queue[0] = queue[1] = -1;
  running = false;
}
