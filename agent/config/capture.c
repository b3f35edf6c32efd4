/*
 * capture.c - where runs keep their packet evidence, from sipdiagd.conf:
 *
 *   sipdiagCapture yes|no
 *       no: no capture at all, so no pcap file (the ICMP error findings
 *       come from the engine's own sockets all the same; the
 *       sipDiagResultCaptureNote then reads "capture disabled");
 *   sipdiagCaptureDir DIR|none
 *       the directory of the pcap files (an absolute path); none: watch
 *       for ICMP errors but write no file.  Default: the persistent
 *       directory (persistentDir, SNMP_PERSISTENT_DIR) + "/sipdiag-captures".
 *
 * The engine keeps the last few files of each account there and removes
 * older ones.  Nothing about captures is served as a writable object: the
 * place files go to is the device's business, not the manager's.  Both
 * tokens go back to their defaults before each reading of the
 * configuration (SIGHUP), and apply to runs started afterwards.
 */
#include "config.h"
#include "agent-snmp.h"
#include "config/capture.h"
#include "config/parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CAPTURE_TOKEN "sipdiagCapture"
#define CAPTURE_DIR_TOKEN "sipdiagCaptureDir"
#define CAPTURE_SUBDIR "sipdiag-captures"

#define DIR_MAX CAPTURE_DIR_MAX     /* see parse.h */
#define FILE_NAME_ROOM CAPTURE_FILE_NAME_ROOM
_Static_assert(DIR_MAX + FILE_NAME_ROOM < SIPDIAG_PATH_MAX, "capture paths fit the engine");

static bool capture_on = true;
static bool dir_none;                 /* sipdiagCaptureDir none           */
static char dir[DIR_MAX + 1];         /* "" = the default                 */

static void reset(void)
{
  capture_on = true;
  dir_none = false;
  dir[0] = '\0';
}

static void parse_capture(const char *token, char *line)
{
  char msg[128];
  if (!capture_line_parse(token, line, &capture_on, msg, sizeof msg))
    config_perror(msg);
}

static void parse_capture_dir(const char *token, char *line)
{
  char msg[128];
  if (!capture_dir_line_parse(token, line, &dir_none, dir, msg, sizeof msg))
    config_perror(msg);
}

static void free_tokens(void)
{
  reset();
}

void capture_init(void)
{
  register_app_config_handler(CAPTURE_TOKEN, parse_capture, free_tokens,
                              "yes|no (default yes)");
  register_app_config_handler(CAPTURE_DIR_TOKEN, parse_capture_dir, NULL,
                              "DIR|none (default $persistentDir/" CAPTURE_SUBDIR ")");
}

void capture_settings(sipdiag_settings_t *settings)
{
  settings->capture = capture_on;
  settings->capture_dir[0] = '\0';
  if (!capture_on || dir_none)
    return;
  char path[SIPDIAG_PATH_MAX];
  if (dir[0]) {
    snprintf(path, sizeof path, "%s", dir);
  } else {
    const char *persist = get_persistent_directory();
    int n = snprintf(path, sizeof path, "%s/%s", persist ? persist : ".", CAPTURE_SUBDIR);
    if (n < 0 || n > DIR_MAX) {
      static bool warned;
      if (!warned)
        snmp_log(LOG_WARNING, "sipdiagd: the persistent directory's name is too long "
                 "for capture files; set %s\n", CAPTURE_DIR_TOKEN);
      warned = true;
      return;                     /* ICMP errors still watched, no file */
    }
  }
  /* The engine creates the last level only; the persistent directory
   * itself may not exist yet before the first store. */
  mkdirhier(path, 0700, 0);
  snprintf(settings->capture_dir, sizeof settings->capture_dir, "%s", path);
}
