/*
 * privileges.c - switch to an ordinary user, keep CAP_NET_RAW only.
 *
 * The capability calls are the kernel's own (capget/capset through
 * syscall(2), prctl(2)): one capability to keep does not call for libcap.
 * The order in privileges_switch() matters:
 *   1. shrink the bounding set (needs CAP_SETPCAP, so while still root);
 *   2. PR_SET_KEEPCAPS, so that setuid() leaves the permitted set alone;
 *   3. setgroups, setresgid, setresuid (the last one clears the effective
 *      set and, with KEEPCAPS, keeps the permitted one);
 *   4. capset: permitted = effective = { CAP_NET_RAW }, inheritable empty;
 *      the ambient set cleared;
 *   5. no_new_privs, not dumpable, then a check that none of it can be
 *      undone.
 * Nothing is exec'd afterwards, so the ambient set is not needed to keep
 * CAP_NET_RAW; clearing it keeps it from any child.
 */
#include "config.h"
#include "agent-snmp.h"
#include "daemon/privileges.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEPT_CAP CAP_NET_RAW

/* ---- the capability sets, as the kernel has them (64 bits, v3) ------------ */

struct capsets {
  uint64_t effective, permitted, inheritable;
};

static int caps_get(struct capsets *sets)
{
  struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &head, data) != 0)
    return -1;
  sets->effective = data[0].effective | (uint64_t)data[1].effective << 32;
  sets->permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
  sets->inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
  return 0;
}

static int caps_set(const struct capsets *sets)
{
  struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = {
    { (uint32_t)sets->effective, (uint32_t)sets->permitted, (uint32_t)sets->inheritable },
    { (uint32_t)(sets->effective >> 32), (uint32_t)(sets->permitted >> 32),
      (uint32_t)(sets->inheritable >> 32) },
  };
  return syscall(SYS_capset, &head, data) == 0 ? 0 : -1;
}

static uint64_t cap_bit(int cap)
{
  return (uint64_t)1 << cap;
}

/* ---- -u USER, -g GROUP ----------------------------------------------------- */

static bool all_digits(const char *s)
{
  if (!*s)
    return false;
  for (; *s; s++)
    if (!isdigit((unsigned char)*s))
      return false;
  return true;
}

static bool parse_id(const char *s, unsigned long *id)
{
  if (!all_digits(s) || strlen(s) > 10)
    return false;
  errno = 0;
  char *end;
  *id = strtoul(s, &end, 10);
  return errno == 0 && *end == '\0' && *id < (unsigned long)(uid_t)-1;
}

bool privileges_lookup(const char *user, const char *group,
                       struct privileges_target *target, char *msg, size_t msg_len)
{
  memset(target, 0, sizeof *target);
  unsigned long id;
  bool have_gid = false;

  errno = 0;
  struct passwd *pw = getpwnam(user);
  if (!pw && parse_id(user, &id)) {
    errno = 0;
    pw = getpwuid((uid_t)id);
    if (!pw) {
      target->uid = (uid_t)id;        /* a bare number is accepted with -g */
      snprintf(target->user, sizeof target->user, "%lu", id);
    }
  } else if (!pw) {
    if (errno)
      snprintf(msg, msg_len, "-u %s: cannot look the user up: %s", user, strerror(errno));
    else
      snprintf(msg, msg_len, "-u %s: no such user", user);
    return false;
  }
  if (pw) {
    target->uid = pw->pw_uid;
    target->gid = pw->pw_gid;
    have_gid = true;
    snprintf(target->user, sizeof target->user, "%s", pw->pw_name);
  }

  if (group) {
    errno = 0;
    struct group *gr = getgrnam(group);
    if (gr) {
      target->gid = gr->gr_gid;
      snprintf(target->group, sizeof target->group, "%s", gr->gr_name);
    } else if (parse_id(group, &id)) {
      target->gid = (gid_t)id;
      snprintf(target->group, sizeof target->group, "%lu", id);
    } else {
      if (errno)
        snprintf(msg, msg_len, "-g %s: cannot look the group up: %s", group, strerror(errno));
      else
        snprintf(msg, msg_len, "-g %s: no such group", group);
      return false;
    }
  } else if (!have_gid) {
    snprintf(msg, msg_len, "-u %s: no such user, and no -g GROUP for a bare user id", user);
    return false;
  } else {
    struct group *gr = getgrgid(target->gid);
    if (gr)
      snprintf(target->group, sizeof target->group, "%s", gr->gr_name);
    else
      snprintf(target->group, sizeof target->group, "%lu", (unsigned long)target->gid);
  }
  if (target->uid == 0) {
    snprintf(msg, msg_len, "-u %s: that is root (uid 0); name an ordinary user", user);
    return false;
  }
  target->wanted = true;
  return true;
}

/* ---- directories the daemon writes -------------------------------------------- */

/* Names sipdiagd (or net-snmp on its behalf) puts into its persistent and
 * capture directories: the store sipdiagd.store (and its .tmp while it is
 * written), net-snmp's file sipdiagd.conf and its rotated copies
 * sipdiagd.N.conf, net-snmp's cert_indexes, the capture directory and pcap
 * files. */
static bool is_own_name(const char *name)
{
  static const char store[] = "sipdiagd";
  size_t n = strlen(name);
  if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "sipdiag-captures") ||
      !strcmp(name, "cert_indexes"))   /* net-snmp makes it in every persistent dir */
    return true;
  if (n > 5 && !strcmp(name + n - 5, ".pcap"))
    return true;
  if (strncmp(name, store, sizeof store - 1) != 0)
    return false;
  const char *rest = name + sizeof store - 1;
  if (!strcmp(rest, ".conf") || !strcmp(rest, ".store") || !strcmp(rest, ".store.tmp"))
    return true;
  if (*rest++ != '.')
    return false;
  while (isdigit((unsigned char)*rest))
    rest++;
  return rest > name + sizeof store && !strcmp(rest, ".conf");
}

static bool holds_only_own_files(int dirfd)
{
  int fd = dup(dirfd);
  if (fd < 0)
    return false;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return false;
  }
  bool only_own = true;
  struct dirent *e;
  while (only_own && (e = readdir(d)) != NULL)
    only_own = is_own_name(e->d_name);
  closedir(d);
  return only_own;
}

void privileges_adopt_dir(const struct privileges_target *target, const char *dir)
{
  if (!target->wanted || !dir || !*dir || geteuid() != 0)
    return;
  struct stat st;
  if (stat(dir, &st) != 0 && errno == ENOENT)
    (void)mkdirhier(dir, 0700, 0);
  /* O_NOFOLLOW + fchown: the directory itself, never what a link in its
   * place points to */
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return;                       /* privileges_check_writable() tells */
  /* root's and writable by root alone: nobody else can have put a file
   * in it since it was listed */
  if (fstat(fd, &st) == 0 && st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH)) &&
      holds_only_own_files(fd)) {
    if (fchown(fd, target->uid, target->gid) == 0)
      snmp_log(LOG_INFO, "sipdiagd: %s now belongs to %s:%s\n", dir, target->user,
               target->group);
    else
      snmp_log(LOG_WARNING, "sipdiagd: cannot give %s to %s: %s\n", dir, target->user,
               strerror(errno));
  }
  close(fd);
}

void privileges_check_writable(const char *dir, const char *what)
{
  if (!dir || !*dir || geteuid() == 0)
    return;
  if (access(dir, W_OK | X_OK) != 0)
    snmp_log(LOG_WARNING, "sipdiagd: uid %lu cannot write %s %s (%s); give the "
             "directory to that user (see sipdiagd(8), PRIVILEGES)\n",
             (unsigned long)getuid(), what, dir, strerror(errno));
}

void privileges_check_readable(const char *file)
{
  if (!file || !*file || geteuid() == 0)
    return;
  if (access(file, R_OK) != 0 && errno != ENOENT)
    snmp_log(LOG_WARNING, "sipdiagd: uid %lu cannot read %s (%s): a SIGHUP will not "
             "see its settings; make it readable by the daemon's group (mode 0640)\n",
             (unsigned long)getuid(), file, strerror(errno));
}

/* ---- dropping ---------------------------------------------------------------------- */

/* Keeps `kept` (a subset of the permitted set) as permitted and effective,
 * clears inheritable and ambient, sets no_new_privs. */
static int keep_only(uint64_t kept)
{
  struct capsets sets = { kept, kept, 0 };
  if (caps_set(&sets) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot set the capabilities: %s\n", strerror(errno));
    return -1;
  }
  /* Linux < 4.3 has no ambient set: nothing to clear there */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    snmp_log(LOG_ERR, "sipdiagd: cannot clear the ambient capabilities: %s\n",
             strerror(errno));
    return -1;
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot set no_new_privs: %s\n", strerror(errno));
    return -1;
  }
  /* no core file with passwords in it, no ptrace by other processes of
   * the same user (LeakSanitizer's exit check copes: it lifts this itself) */
  (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (caps_get(&sets) != 0 || sets.permitted != kept || sets.effective != kept ||
      sets.inheritable != 0) {
    snmp_log(LOG_ERR, "sipdiagd: the capabilities did not come out as set\n");
    return -1;
  }
  return 0;
}

static void shrink_bounding_set(void)
{
  /* PR_CAPBSET_READ fails past the kernel's last capability */
  for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
    if (cap != KEPT_CAP && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      snmp_log(LOG_WARNING, "sipdiagd: cannot drop capability %d from the bounding "
               "set: %s\n", cap, strerror(errno));
}

int privileges_restrict(void)
{
  struct capsets sets;
  if (caps_get(&sets) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot read the capabilities: %s\n", strerror(errno));
    return -1;
  }
  return keep_only(sets.permitted & cap_bit(KEPT_CAP));
}

int privileges_switch(const struct privileges_target *target)
{
  if (geteuid() != 0) {
    if (getuid() == target->uid && getgid() == target->gid)
      return privileges_restrict();         /* already that user */
    snmp_log(LOG_ERR, "sipdiagd: -u %s needs root; running as uid %lu\n", target->user,
             (unsigned long)geteuid());
    return -1;
  }
  struct capsets sets;
  if (caps_get(&sets) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot read the capabilities: %s\n", strerror(errno));
    return -1;
  }
  uint64_t kept = sets.permitted & cap_bit(KEPT_CAP);

  shrink_bounding_set();
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: PR_SET_KEEPCAPS: %s\n", strerror(errno));
    return -1;
  }
  if (setgroups(1, &target->gid) != 0 ||
      setresgid(target->gid, target->gid, target->gid) != 0 ||
      setresuid(target->uid, target->uid, target->uid) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot become %s:%s: %s\n", target->user, target->group,
             strerror(errno));
    return -1;
  }
  (void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (keep_only(kept) != 0)
    return -1;

  /* no way back: root must be out of reach now */
  if (setuid(0) == 0 || setgid(0) == 0) {
    snmp_log(LOG_ERR, "sipdiagd: could regain root after the switch; stopping\n");
    return -1;
  }
  return 0;
}

void privileges_log(void)
{
  struct capsets sets = { 0, 0, 0 };
  char caps[48];
  if (caps_get(&sets) != 0)
    snprintf(caps, sizeof caps, "unknown");
  else if (sets.effective == cap_bit(KEPT_CAP))
    snprintf(caps, sizeof caps, "cap_net_raw only");
  else if (sets.effective == 0)
    snprintf(caps, sizeof caps, "none");
  else
    snprintf(caps, sizeof caps, "0x%llx", (unsigned long long)sets.effective);
  snmp_log(LOG_INFO, "sipdiagd: running as uid %lu gid %lu, capabilities: %s%s\n",
           (unsigned long)geteuid(), (unsigned long)getegid(), caps,
           prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? ", no_new_privs" : "");
  if (geteuid() != 0 && !(sets.effective & cap_bit(KEPT_CAP)))
    snmp_log(LOG_WARNING, "sipdiagd: without CAP_NET_RAW runs capture nothing and ping "
             "only where net.ipv4.ping_group_range allows\n");
}
