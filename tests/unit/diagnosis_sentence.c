/*
 * diagnosis_sentence.c - the diagnosis stays one whole sentence: whatever
 * the length of what was found, it names the account, ends with what to
 * check and a full stop, and a cut falls between words.
 */
#include "config.h"
#include "check.h"
#include "result.h"

#include <stdlib.h>

static sipdiag_result_t *fresh_result(sipdiag_fault_t fault)
{
  sipdiag_result_t *r = calloc(1, sizeof *r);
  r->fault = fault;
  snprintf(r->account, sizeof r->account, "sip:alice@example.test");
  return r;
}

static bool ends_with(const char *s, const char *end)
{
  size_t n = strlen(s), m = strlen(end);
  return n >= m && strcmp(s + n - m, end) == 0;
}

static void short_detail_is_kept_whole(void)
{
  sipdiag_result_t *r = fresh_result(SIPDIAG_FAULT_INTERNAL_ERROR);
  sipdiag_result_describe(r, "sip:registrar.example.test", false, "no memory for the socket");
  CHECK_CONTAINS(r->diagnosis, "Account sip:alice@example.test: ");
  CHECK_CONTAINS(r->diagnosis, "no memory for the socket; ");
  CHECK(strstr(r->diagnosis, "...") == NULL, "'%s' was cut", r->diagnosis);
  free(r);
}

static void long_detail_is_cut_between_words(void)
{
  char detail[4 * SIPDIAG_DIAGNOSIS_MAX] = "";
  while (strlen(detail) + 12 < sizeof detail)
    strcat(detail, "wordy clause ");
  sipdiag_result_t *r = fresh_result(SIPDIAG_FAULT_INTERNAL_ERROR);
  sipdiag_result_describe(r, "sip:registrar.example.test", true, detail);
  char advice[SIPDIAG_DIAGNOSIS_MAX];
  snprintf(advice, sizeof advice, "; %s.", sipdiag_fault_advice(r->fault));
  CHECK(strlen(r->diagnosis) < sizeof r->diagnosis, "no terminator");
  CHECK_CONTAINS(r->diagnosis, "Account sip:alice@example.test: the self-diagnosis timer expired");
  CHECK(ends_with(r->diagnosis, advice), "'%s' lost the advice '%s'", r->diagnosis, advice);
  CHECK(strstr(r->diagnosis, "wordy...") || strstr(r->diagnosis, "clause..."),
        "'%s' is not cut after a whole word", r->diagnosis);
  free(r);
}

static void nat_note_goes_whole_or_not_at_all(void)
{
  char detail[SIPDIAG_DIAGNOSIS_MAX] = "";
  sipdiag_result_t *r = fresh_result(SIPDIAG_FAULT_INTERNAL_ERROR);
  r->nat_detected = true;
  snprintf(r->nat_seen_as, sizeof r->nat_seen_as, "203.0.113.7:40000");
  snprintf(r->nat_local, sizeof r->nat_local, "192.168.1.20:5060");
  sipdiag_result_describe(r, "sip:registrar.example.test", false, "short");
  CHECK_CONTAINS(r->diagnosis, "the server saw 203.0.113.7:40000, the terminal sent from 192.168.1.20:5060)");

  while (strlen(detail) + 6 < sizeof detail - 1)
    strcat(detail, "long ");
  sipdiag_result_describe(r, "sip:registrar.example.test", false, detail);
  CHECK(strstr(r->diagnosis, "(note: a NAT") == NULL || ends_with(r->diagnosis, "5060)"),
        "'%s' holds part of the NAT note", r->diagnosis);
  free(r);
}

int main(void)
{
  short_detail_is_kept_whole();
  long_detail_is_cut_between_words();
  nat_note_goes_whole_or_not_at_all();
  return check_summary("diagnosis_sentence");
}
