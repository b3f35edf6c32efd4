/*
 * evidence.c - where runs keep their packet evidence, from sipdiagd.conf:
 *
 *   sipdiagCapture yes|no
 *       no: no capture at all, so no pcap file and no ICMP error findings
 *       (sipDiagResultCaptureNote then reads "capture disabled");
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
#include "sipdiagd.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CAPTURE_TOKEN "sipdiagCapture"
#define CAPTURE_DIR_TOKEN "sipdiagCaptureDir"
#define CAPTURE_SUBDIR "sipdiag-captures"

/* Room the engine needs after the directory for a file name:
 * "/KEY-YYYYMMDDTHHMMSSZ-N.pcap", the key at most SIPDIAG_CAPTURE_KEY_MAX.
 * The whole path must fit in sipDiagResultCapturePath (255 octets): a
 * path cut short there would name the wrong file. */
#define FILE_NAME_ROOM (SIPDIAG_CAPTURE_KEY_MAX + 32)
#define DIR_MAX (SIPDIAG_AGENT_TEXT_MAX - FILE_NAME_ROOM)
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

/* One word and nothing after it, or NULL (config_perror'ed). */
static const char *one_word(const char *token, char *line, char *word, size_t size)
{
  char *rest = copy_nword(line, word, size);
  if (!word[0] || rest) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s: expected one word", token);
    config_perror(msg);
    return NULL;
  }
  return word;
}

static void parse_capture(const char *token, char *line)
{
  char word[16];
  if (!one_word(token, line, word, sizeof word))
    return;
  if (strcasecmp(word, "yes") == 0 || strcasecmp(word, "on") == 0)
    capture_on = true;
  else if (strcasecmp(word, "no") == 0 || strcasecmp(word, "off") == 0)
    capture_on = false;
  else
    config_perror(CAPTURE_TOKEN ": expected yes or no");
}

static void parse_capture_dir(const char *token, char *line)
{
  char word[SIPDIAG_PATH_MAX + 1];
  if (!one_word(token, line, word, sizeof word))
    return;
  if (strcmp(word, "none") == 0) {
    dir_none = true;
    dir[0] = '\0';
    return;
  }
  size_t len = strlen(word);
  while (len > 1 && word[len - 1] == '/')
    word[--len] = '\0';
  if (word[0] != '/') {
    config_perror(CAPTURE_DIR_TOKEN ": expected an absolute path or none");
    return;
  }
  if (len > DIR_MAX) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s: the path is longer than %d octets", CAPTURE_DIR_TOKEN,
             DIR_MAX);
    config_perror(msg);
    return;
  }
  memcpy(dir, word, len + 1);
  dir_none = false;
}

static void free_tokens(void)
{
  reset();
}

void evidence_init(void)
{
  register_app_config_handler(CAPTURE_TOKEN, parse_capture, free_tokens,
                              "yes|no (default yes)");
  register_app_config_handler(CAPTURE_DIR_TOKEN, parse_capture_dir, NULL,
                              "DIR|none (default $persistentDir/" CAPTURE_SUBDIR ")");
}

void evidence_settings(sipdiag_settings_t *settings)
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
