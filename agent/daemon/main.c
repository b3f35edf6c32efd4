/*
 * main.c - sipdiagd: options and daemon conventions, in net-snmp's manner.
 *
 *   -f            stay in the foreground (default: daemonize, log to syslog)
 *   -x ADDRESS    the AgentX master's socket (default: net-snmp's)
 *   -c FILE       read FILE as a configuration file (comma-separated list)
 *   -C            do not read the default configuration files
 *   -L OPTS       logging, as net-snmp's -L (-Le, -Lf FILE, -Ls FACILITY...)
 *   -p FILE       write the process id to FILE
 *   -D[TOKENS]    net-snmp debugging output
 *   -u USER       after start-up, run as USER keeping only CAP_NET_RAW
 *   -g GROUP      ... and as GROUP (default: USER's primary group)
 *
 * Started by an ordinary user (with CAP_NET_RAW from a file capability or
 * the ambient set), it sheds every other capability at the same point.
 * SIGTERM/SIGINT end it cleanly (the persistent store is saved), SIGHUP
 * re-reads the configuration, SIGPIPE is ignored (the master may close the
 * AgentX socket at any time).
 */
#include "config.h"
#include "agent-snmp.h"
#include "daemon/loop.h"
#include "daemon/privileges.h"
#include "rows/accounts.h"
#include "config/capture.h"
#include "config/settings.h"
#include "mib/history_table.h"
#include "mib/run_table.h"
#include "mib/scalars.h"
#include "mib/table.h"
#include "notify/notify.h"
#include "rows/rows.h"
#include "rows/rows_store.h"
#include "store/store.h"
#include "util/closer.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static volatile int stop_requested;
static volatile int reload_requested;

static void on_stop(int sig)
{
  (void)sig;
  stop_requested = 1;
  loop_wake();
}

static void on_hup(int sig)
{
  (void)sig;
  reload_requested = 1;
  loop_wake();
}

static void usage(FILE *out)
{
  fprintf(out,
"Usage: sipdiagd [-f] [-x ADDRESS] [-c FILE] [-C] [-L OPTIONS] [-p PIDFILE] [-D[TOKENS]]\n"
"                [-u USER [-g GROUP]]\n"
"The SIP-DIAG-MIB AgentX subagent: remote diagnosis of SIP registration.\n"
"\n"
"  -f             run in the foreground (default: daemon, logging to syslog)\n"
"  -x ADDRESS     AgentX master socket, e.g. unix:/var/agentx/master or\n"
"                 tcp:localhost:705\n"
"  -c FILE        read FILE (or a comma-separated list) as configuration\n"
"  -C             do not read the default configuration files\n"
"  -L OPTIONS     logging, as net-snmp's tools (-Le stderr, -Lf FILE,\n"
"                 -Ls FACILITY syslog, -Lo stdout, -LN/-LF/-LS with priorities)\n"
"  -p PIDFILE     write the process id to PIDFILE\n"
"  -D[TOKENS]     net-snmp debugging output for TOKENS (all when empty)\n"
"  -u USER        once started (AgentX session open, store read), run as USER\n"
"                 with only CAP_NET_RAW (needs root)\n"
"  -g GROUP       the group for -u (default: USER's primary group)\n"
"  -h, -v         help, version\n"
"\n"
"Configuration (sipdiagd.conf, net-snmp syntax) and the MIB: see sipdiagd(8),\n"
"sipdiag-mib(7).\n");
}

/* After every reading of the configuration: (once, at start-up) the store,
 * so that managers' rows hold their keys, then the terminal's accounts,
 * then the counters and runs the store kept for those accounts. */
static int after_reading_config(int major, int minor, void *server, void *client)
{
  (void)major;
  (void)minor;
  (void)server;
  (void)client;
  store_load();
  accounts_apply();
  rows_store_attach();
  return SNMPERR_SUCCESS;
}

static void on_reload(void)
{
  snmp_log(LOG_INFO, "sipdiagd: SIGHUP, re-reading the configuration\n");
  update_config();
  (void)settings_max_concurrent();   /* a new sipDiagMaxConcurrent: fit the limit */
}

/* The configuration files a SIGHUP reads again: the -c list and
 * sipdiagd.conf in each configuration directory (not the persistent one:
 * its tokens are only read at start-up).  Listed while still root, since
 * the user may not even see where they are; checked after the switch. */
#define CONFIGS_MAX 16
static char configs[CONFIGS_MAX][SIPDIAG_PATH_MAX];
static unsigned n_configs;

static void add_config_if_present(const char *path)
{
  if (n_configs < CONFIGS_MAX && access(path, F_OK) == 0)
    snprintf(configs[n_configs++], sizeof configs[0], "%s", path);
}

static void list_configs(void)
{
  char list[1024], path[SIPDIAG_PATH_MAX];
  const char *opt = netsnmp_ds_get_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG);
  char *save = NULL;
  if (opt) {
    snprintf(list, sizeof list, "%s", opt);
    for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save))
      add_config_if_present(f);
  }
  /* as net-snmp searches: SNMPCONFPATH when set (-C sets it) */
  const char *dirs = getenv("SNMPCONFPATH");
  if (!dirs)
    dirs = get_configuration_directory();
  const char *persist = get_persistent_directory();
  if (!dirs)
    return;
  snprintf(list, sizeof list, "%s", dirs);
  for (char *d = strtok_r(list, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    if (persist && !strcmp(d, persist))
      continue;
    snprintf(path, sizeof path, "%s/%s.conf", d, "sipdiagd");
    add_config_if_present(path);
  }
}

/* After net-snmp's start: as -u asked, or shed what an ordinary user was
 * given beyond CAP_NET_RAW.  Root without -u keeps root. */
static int settle_privileges(const struct privileges_target *target)
{
  if (!target->wanted && geteuid() == 0) {
    privileges_log();
    return 0;
  }
  sipdiag_settings_t settings;
  sipdiag_settings_default(&settings);
  capture_settings(&settings);       /* creates the capture directory */
  const char *persist = get_persistent_directory();
  list_configs();

  if (target->wanted) {
    privileges_adopt_dir(target, persist);
    privileges_adopt_dir(target, settings.capture_dir);
    if (privileges_switch(target) != 0)
      return -1;
  } else if (privileges_restrict() != 0) {
    return -1;
  }
  privileges_check_writable(persist, "the persistent directory");
  privileges_check_writable(settings.capture_dir, "the capture directory");
  for (unsigned i = 0; i < n_configs; i++)
    privileges_check_readable(configs[i]);
  privileges_log();
  return 0;
}

static int write_pidfile(const char *path)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
  ssize_t w = write(fd, buf, (size_t)n);
  close(fd);
  return w == n ? 0 : -1;
}

int main(int argc, char **argv)
{
  bool foreground = false, log_set = false, no_default_configs = false;
  const char *pidfile = NULL, *user = NULL, *group = NULL;
  int opt;

  while ((opt = getopt(argc, argv, "fx:c:CL:p:D::u:g:hv")) != -1) {
    switch (opt) {
    case 'f':
      foreground = true;
      break;
    case 'x':
      netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, optarg);
      break;
    case 'c':
      netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OPTIONALCONFIG, optarg);
      break;
    case 'C':
      no_default_configs = true;
      break;
    case 'L':
      if (snmp_log_options(optarg, argc, argv) < 0) {
        fprintf(stderr, "sipdiagd: bad -L option '%s'\n", optarg);
        usage(stderr);
        return 2;
      }
      log_set = true;
      break;
    case 'p':
      pidfile = optarg;
      break;
    case 'D':
      debug_register_tokens(optarg ? optarg : "ALL");
      snmp_set_do_debugging(1);
      break;
    case 'u':
      user = optarg;
      break;
    case 'g':
      group = optarg;
      break;
    case 'h':
      usage(stdout);
      return 0;
    case 'v':
      printf("sipdiagd (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "sipdiagd: unexpected argument '%s'\n", argv[optind]);
    usage(stderr);
    return 2;
  }
  if (group && !user) {
    fprintf(stderr, "sipdiagd: -g GROUP goes with -u USER\n");
    usage(stderr);
    return 2;
  }
  /* before anything starts, so that a wrong name stops it at once */
  struct privileges_target target = { .wanted = false };
  if (user) {
    char msg[160];
    if (!privileges_lookup(user, group, &target, msg, sizeof msg)) {
      fprintf(stderr, "sipdiagd: %s\n", msg);
      return 1;
    }
  }

  if (!log_set) {
    if (foreground)
      snmp_enable_stderrlog();
    else
      snmp_enable_syslog_ident("sipdiagd", LOG_DAEMON);
  }
  /* -C: net-snmp's own "don't read configs" would skip the persistent
   * store too, and with it the rows managers created; searching only the
   * persistent directory reads the store and no configuration file. */
  if (no_default_configs)
    setenv("SNMPCONFPATH", get_persistent_directory(), 1);
  /* The agent serves its MIB by number: no MIB files to parse. */
  setenv("MIBS", "", 1);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, NULL);

  if (!foreground && netsnmp_daemonize(1, snmp_stderrlog_status()) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot become a daemon\n");
    return 1;
  }
  if (pidfile && write_pidfile(pidfile) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot write the pid file %s: %s\n", pidfile,
             strerror(errno));
    return 1;
  }

  netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
  if (netsnmp_ds_get_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL) <= 0)
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       SIPDIAG_AGENT_DEFAULT_PING_INTERVAL_S);

  init_agent("sipdiagd");
  /* tdata containers need init_agent()'s container factories */
  struct su_root_s *root = loop_create();
  if (!root || rows_init(root) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot set up the event loop\n");
    return 1;
  }
  if (scalars_init() != 0 || table_init() != 0 || run_table_init() != 0 ||
      history_table_init() != 0) {
    snmp_log(LOG_ERR, "sipdiagd: cannot register SIP-DIAG-MIB\n");
    return 1;
  }
  rows_on_run_end(notify_run_end);
  store_init();
  settings_init();
  accounts_init();
  capture_init();
  rows_store_init();
  snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                         after_reading_config, NULL);
  init_snmp("sipdiagd");
  if (settle_privileges(&target) != 0) {
    snmp_log(LOG_ERR, "sipdiagd: stopping: the privileges could not be set as asked\n");
    return 1;
  }
  /* After the privileges are settled: a thread keeps the capabilities it
   * was made with. */
  if (closer_start())
    sipdiag_set_socket_closer(closer_close);

  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_hup;
  sigaction(SIGHUP, &sa, NULL);

  /* The configuration and the store are read: fit the descriptor limit
   * to sipDiagMaxConcurrent now (and again whenever it changes). */
  unsigned concurrent = settings_max_concurrent();
  snmp_log(LOG_INFO, "sipdiagd %s started: %u rows, at most %u diagnoses at once\n",
           PACKAGE_VERSION, rows_count(), concurrent);
  loop_run(&stop_requested, &reload_requested, on_reload);
  snmp_log(LOG_INFO, "sipdiagd stopping\n");

  notify_shutdown();             /* what is queued goes out, then the rest is freed */
  loop_destroy();
  snmp_shutdown("sipdiagd");     /* saves the persistent store */
  rows_shutdown();
  sipdiag_set_socket_closer(NULL);
  closer_stop();
  table_shutdown();
  accounts_shutdown();
  loop_free();
  if (pidfile)
    unlink(pidfile);
  return 0;
}
