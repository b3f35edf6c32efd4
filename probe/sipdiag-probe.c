/*
 * sipdiag-probe - diagnose one SIP account's registration from this machine.
 *
 * A thin front-end on the engine: parse options, run one diagnosis on a
 * private su_root, print the result as text or JSON.  Exit status: 0 the
 * account registers, 1 a diagnosed failure, 2 a usage error.
 */
#include "config.h"
#include "sipdiag.h"
#include "capture.h"
#include "render.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_log.h>

#define EXIT_DIAGNOSED_FAILURE 1
#define EXIT_USAGE 2

struct probe {
  su_root_t *root;
  sipdiag_result_t result;
  bool finished;
};

static void usage(FILE *out)
{
  fprintf(out,
"Usage: sipdiag-probe --registrar URI --aor URI [options]\n"
"Diagnose why a SIP account cannot register, from this machine.\n"
"\n"
"Account:\n"
"  --registrar URI        registrar, sip:host[:port] or sips:host[:port]\n"
"  --aor URI              address of record, sip:user@domain\n"
"  --user NAME            authentication user (default: the AOR's user)\n"
"  --password-file FILE   read the password from FILE (first line); or set\n"
"                         the environment variable SIPDIAG_PASSWORD\n"
"  --no-password          the account has none (IP-authenticated): a 401/407\n"
"                         is then the finding\n"
"  --transport T          auto, udp, tcp or tls (default auto)\n"
"  --expires N            registration interval asked for (default %d)\n"
"  --proxy URI            outbound proxy (default none)\n"
"Diagnosis:\n"
"  --timer S              self-diagnosis timer, seconds (default %d)\n"
"  --attempts N           REGISTERs per kind of answer (default %d)\n"
"  --attempt-timeout S    seconds before one REGISTER counts as unanswered\n"
"                         (decimals allowed, default %.1f)\n"
"  --pings N              ICMP echo requests on SIP silence (default %d)\n"
"TLS:\n"
"  --ca-file FILE         trust the CA certificates in FILE (PEM)\n"
"  --ca-dir DIR           trust the CAs of the hashed directory DIR\n"
"                         (neither: the system's default store; both: both)\n"
"Evidence:\n"
"  --capture-dir DIR      write this run's packets to a pcap file in DIR\n"
"                         (default $XDG_CACHE_HOME/sipdiag or ~/.cache/sipdiag;\n"
"                         the newest %d files per account are kept)\n"
"  --no-capture           no packet capture (ICMP findings come from our sockets)\n"
"Output:\n"
"  --json                 print one JSON object instead of text\n"
"  --list-faults          print the fault classes and exit\n"
"  --help, --version\n"
"\n"
"Exit status: 0 the account registers, 1 a diagnosed failure, 2 usage error.\n",
          SIPDIAG_DEFAULT_EXPIRES_S, SIPDIAG_DEFAULT_TIMER_S, SIPDIAG_DEFAULT_ATTEMPTS,
          SIPDIAG_DEFAULT_ATTEMPT_TIMEOUT_MS / 1000.0, SIPDIAG_DEFAULT_PINGS,
          SIPDIAG_CAPTURE_DEFAULT_KEEP);
}

#define usage_error(...) \
  (fprintf(stderr, "sipdiag-probe: " __VA_ARGS__), \
   fprintf(stderr, "\nTry 'sipdiag-probe --help'.\n"), EXIT_USAGE)

/* Whole number within [min, max]; false on anything else. */
static bool parse_unsigned(const char *text, unsigned min, unsigned max, unsigned *out)
{
  char *end;
  errno = 0;
  if (!text || !*text || *text == '-' || *text == '+')
    return false;
  unsigned long v = strtoul(text, &end, 10);
  if (errno || *end || v < min || v > max)
    return false;
  *out = (unsigned)v;
  return true;
}

/* Seconds with up to three decimals, into milliseconds. */
static bool parse_seconds_ms(const char *text, unsigned min_ms, unsigned max_ms, unsigned *out)
{
  char *end;
  errno = 0;
  if (!text || !*text || *text == '-' || *text == '+')
    return false;
  double v = strtod(text, &end);
  if (errno || *end || v != v || v * 1000.0 < min_ms || v * 1000.0 > max_ms)
    return false;
  *out = (unsigned)(v * 1000.0 + 0.5);
  return true;
}

/* Reads the first line of FILE into buf.  Returns 0 or an errno. */
static int read_password_file(const char *path, char *buf, size_t size)
{
  FILE *f = fopen(path, "r");
  if (!f)
    return errno;
  if (!fgets(buf, (int)size, f))
    buf[0] = '\0';
  fclose(f);
  buf[strcspn(buf, "\r\n")] = '\0';
  return 0;
}

/* $XDG_CACHE_HOME/sipdiag, else ~/.cache/sipdiag (created 0700), else none. */
static void default_capture_dir(char *dir, size_t size)
{
  const char *cache = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  char base[SIPDIAG_PATH_MAX];
  if (cache && *cache)
    snprintf(base, sizeof base, "%s", cache);
  else if (home && *home)
    snprintf(base, sizeof base, "%.400s/.cache", home);
  else
    return;
  mkdir(base, 0700);
  if ((size_t)snprintf(dir, size, "%.400s/sipdiag", base) >= size)
    dir[0] = '\0';
}

static void on_done(void *context, const sipdiag_result_t *result)
{
  struct probe *probe = context;
  probe->result = *result;
  probe->finished = true;
  su_root_break(probe->root);
}

enum {
  OPT_REGISTRAR = 256, OPT_AOR, OPT_USER, OPT_PASSWORD_FILE, OPT_TRANSPORT,
  OPT_EXPIRES, OPT_PROXY, OPT_TIMER, OPT_ATTEMPTS, OPT_ATTEMPT_TIMEOUT,
  OPT_PINGS, OPT_CA_FILE, OPT_CA_DIR, OPT_CAPTURE_DIR, OPT_NO_CAPTURE, OPT_NO_PASSWORD, OPT_JSON, OPT_LIST_FAULTS, OPT_HELP,
  OPT_VERSION,
};

static const struct option options[] = {
  { "registrar", required_argument, NULL, OPT_REGISTRAR },
  { "aor", required_argument, NULL, OPT_AOR },
  { "user", required_argument, NULL, OPT_USER },
  { "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
  { "transport", required_argument, NULL, OPT_TRANSPORT },
  { "expires", required_argument, NULL, OPT_EXPIRES },
  { "proxy", required_argument, NULL, OPT_PROXY },
  { "timer", required_argument, NULL, OPT_TIMER },
  { "attempts", required_argument, NULL, OPT_ATTEMPTS },
  { "attempt-timeout", required_argument, NULL, OPT_ATTEMPT_TIMEOUT },
  { "pings", required_argument, NULL, OPT_PINGS },
  { "ca-file", required_argument, NULL, OPT_CA_FILE },
  { "ca-dir", required_argument, NULL, OPT_CA_DIR },
  { "capture-dir", required_argument, NULL, OPT_CAPTURE_DIR },
  { "no-capture", no_argument, NULL, OPT_NO_CAPTURE },
  { "no-password", no_argument, NULL, OPT_NO_PASSWORD },
  { "json", no_argument, NULL, OPT_JSON },
  { "list-faults", no_argument, NULL, OPT_LIST_FAULTS },
  { "help", no_argument, NULL, OPT_HELP },
  { "version", no_argument, NULL, OPT_VERSION },
  { NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
  sipdiag_account_t account = { .transport = SIPDIAG_TRANSPORT_AUTO,
                                .expires = SIPDIAG_DEFAULT_EXPIRES_S };
  sipdiag_settings_t settings;
  char password[SIPDIAG_PASSWORD_MAX * 2] = "";
  bool json = false;
  int opt;

  sipdiag_settings_default(&settings);
  opterr = 0;
  while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
    const char *name = argv[optind - 1];
    switch (opt) {
    case OPT_REGISTRAR: account.registrar = optarg; break;
    case OPT_AOR: account.aor = optarg; break;
    case OPT_NO_PASSWORD: account.no_password = true; break;
    case OPT_USER: account.auth_user = optarg; break;
    case OPT_PROXY: account.outbound_proxy = optarg; break;
    case OPT_PASSWORD_FILE: {
      int err = read_password_file(optarg, password, sizeof password);
      if (err)
        return usage_error("--password-file: cannot read the file: %s", strerror(err));
      break;
    }
    case OPT_TRANSPORT:
      account.transport = sipdiag_transport_parse(optarg);
      if (!account.transport)
        return usage_error("--transport: '%s' is not one of auto, udp, tcp, tls", optarg);
      break;
    case OPT_EXPIRES:
      if (!parse_unsigned(optarg, 0, SIPDIAG_EXPIRES_MAX_S, &account.expires))
        return usage_error("--expires: '%s' is not a number of seconds", optarg);
      break;
    case OPT_TIMER:
      if (!parse_unsigned(optarg, SIPDIAG_TIMER_MIN_S, SIPDIAG_TIMER_MAX_S, &settings.timer_s))
        return usage_error("--timer: '%s' is not a number of seconds from 1 to 3600", optarg);
      break;
    case OPT_ATTEMPTS:
      if (!parse_unsigned(optarg, SIPDIAG_ATTEMPTS_MIN, SIPDIAG_ATTEMPTS_MAX, &settings.attempts))
        return usage_error("--attempts: '%s' is not a number from 1 to 10", optarg);
      break;
    case OPT_ATTEMPT_TIMEOUT:
      if (!parse_seconds_ms(optarg, SIPDIAG_ATTEMPT_TIMEOUT_MIN_MS,
                            SIPDIAG_ATTEMPT_TIMEOUT_MAX_MS, &settings.attempt_timeout_ms))
        return usage_error("--attempt-timeout: '%s' is not a number of seconds from 0.1 to 60", optarg);
      break;
    case OPT_PINGS:
      if (!parse_unsigned(optarg, SIPDIAG_PINGS_MIN, SIPDIAG_PINGS_MAX, &settings.pings))
        return usage_error("--pings: '%s' is not a number from 1 to 10", optarg);
      break;
    case OPT_CA_FILE:
    case OPT_CA_DIR: {
      bool file = opt == OPT_CA_FILE;
      const char *what = file ? "--ca-file" : "--ca-dir";
      char *dst = file ? settings.ca_file : settings.ca_dir;
      char real[PATH_MAX];
      struct stat st;
      /* Absolute: the engine reads it later, from another directory. */
      if (!*optarg || !realpath(optarg, real))
        return usage_error("%s: '%s': %s", what, optarg, *optarg ? strerror(errno) : "empty");
      if (stat(real, &st) != 0 || (file ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode)) ||
          access(real, R_OK) != 0)
        return usage_error("%s: '%s' is not a readable %s", what, optarg,
                           file ? "file" : "directory");
      if (strlen(real) >= SIPDIAG_CA_PATH_MAX)
        return usage_error("%s: '%s' is too long", what, optarg);
      memcpy(dst, real, strlen(real) + 1);
      break;
    }
    case OPT_CAPTURE_DIR:
      if (!*optarg || strlen(optarg) >= sizeof settings.capture_dir - 64)
        return usage_error("--capture-dir: '%s' is empty or too long", optarg);
      snprintf(settings.capture_dir, sizeof settings.capture_dir, "%s", optarg);
      break;
    case OPT_NO_CAPTURE: settings.capture = false; break;
    case OPT_JSON: json = true; break;
    case OPT_LIST_FAULTS:
      sipdiag_render_fault_table(stdout);
      return 0;
    case OPT_HELP:
      usage(stdout);
      return 0;
    case OPT_VERSION:
      printf("sipdiag-probe (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    case ':':
      return usage_error("option '%s' needs a value", name);
    default:
      return usage_error("unknown option '%s'", name);
    }
  }
  if (optind < argc)
    return usage_error("unexpected argument '%s'", argv[optind]);
  if (settings.capture && !settings.capture_dir[0])
    default_capture_dir(settings.capture_dir, sizeof settings.capture_dir);
  if ((uint64_t)settings.timer_s * 1000 < sipdiag_settings_needed_ms(&settings))
    return usage_error("--timer %u s cannot cover %u attempts x --attempt-timeout %u ms plus "
                       "%u pings (%llu ms in all): raise --timer or lower the others",
                       settings.timer_s, settings.attempts, settings.attempt_timeout_ms,
                       settings.pings,
                       (unsigned long long)sipdiag_settings_needed_ms(&settings));
  const char *bad_setting = sipdiag_settings_check(&settings);
  if (bad_setting)
    return usage_error("%s", bad_setting);

  if (!password[0] && !account.no_password) {
    const char *env = getenv("SIPDIAG_PASSWORD");
    if (env)
      snprintf(password, sizeof password, "%s", env);
  }
  account.password = password;

  struct probe probe = { 0 };
  /* Closing the capture's packet socket costs the kernel a grace period
   * (12-17 ms): the verdict goes out first, a child closes it after. */
  sipdiag_capture_set_release(SIPDIAG_CAPTURE_RELEASE_DEFERRED);
  su_init();
  su_log_set_level(NULL, 0);   /* sofia's own chatter never reaches stdout */
  probe.root = su_root_create(NULL);
  sipdiag_engine_t *engine = probe.root ? sipdiag_engine_create(probe.root) : NULL;
  int err = engine ? sipdiag_start(engine, &account, &settings, on_done, &probe, NULL)
                   : ENOMEM;
  if (err) {
    fprintf(stderr, "sipdiag-probe: cannot start the diagnosis: %s\n", strerror(err));
    return EXIT_DIAGNOSED_FAILURE;
  }
  while (!probe.finished)
    su_root_run(probe.root);
  explicit_bzero(password, sizeof password);
  sipdiag_engine_destroy(engine);
  su_root_destroy(probe.root);
  su_deinit();

  if (json)
    sipdiag_render_json(stdout, &probe.result, account.registrar);
  else
    sipdiag_render_text(stdout, &probe.result, account.registrar);
  fflush(stdout);
  /* The pcap file is complete and closed already (the engine stopped the
   * capture before it delivered the result). */
  sipdiag_capture_release_detached();
  return probe.result.fault == SIPDIAG_FAULT_SUCCESS ? 0 : EXIT_DIAGNOSED_FAILURE;
}
