/*
 * judging_rules.c - the patent's rules: three of a kind end it, a different
 * answer is judged afresh, silence goes to the pings, and no server can make
 * the probe send more than SIPDIAG_MAX_REGISTERS.
 */
#include "sipdiag.h"
#include "verdict.h"
#include "check.h"

#include <errno.h>

/* kind, status, answerable, remedied (the REGISTER carried the remedy), stale */
static const sipdiag_answer_t silence = { SIPDIAG_ANSWER_SILENCE, 0, false, false, false };
static const sipdiag_answer_t first401 = { SIPDIAG_ANSWER_CHALLENGE, 401, true, false, false };
static const sipdiag_answer_t challenge401 = { SIPDIAG_ANSWER_CHALLENGE, 401, true, true, false };
static const sipdiag_answer_t stale401 = { SIPDIAG_ANSWER_CHALLENGE, 401, true, true, true };
static const sipdiag_answer_t challenge407 = { SIPDIAG_ANSWER_CHALLENGE, 407, true, true, false };
static const sipdiag_answer_t first423 = { SIPDIAG_ANSWER_TOO_BRIEF, 423, true, false, false };
static const sipdiag_answer_t brief423 = { SIPDIAG_ANSWER_TOO_BRIEF, 423, true, true, false };

static sipdiag_answer_t final(int status)
{
  sipdiag_answer_t a = { SIPDIAG_ANSWER_FINAL, status, false, false, false };
  return a;
}

static void third_challenge_is_auth_failure(void)
{
  /* The first 401 asks for credentials; only answers to credentials count. */
  sipdiag_tally_t t = { 0 };
  sipdiag_decision_t d = sipdiag_judge(&t, &first401, 3, 1);
  CHECK(d.next == SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS, "first 401: %d", d.next);
  d = sipdiag_judge(&t, &challenge401, 3, 2);
  CHECK(d.next == SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS, "1st rejected: %d", d.next);
  d = sipdiag_judge(&t, &challenge401, 3, 3);
  CHECK(d.next == SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS, "2nd rejected: %d", d.next);
  d = sipdiag_judge(&t, &challenge401, 3, 4);
  CHECK(d.next == SIPDIAG_NEXT_VERDICT && d.code == 401, "3rd rejected: %d %u", d.next, d.code);
  CHECK(sipdiag_fault_for_code(d.code) == SIPDIAG_FAULT_AUTH_FAILURE, "class");
}

static void one_attempt_still_sends_credentials(void)
{
  /* --attempts 1: the first 401 is no failed attempt, the credentials go. */
  sipdiag_tally_t t = { 0 };
  CHECK(sipdiag_judge(&t, &first401, 1, 1).next == SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS,
        "first 401 with attempts 1");
  sipdiag_answer_t ok = final(200);
  CHECK(sipdiag_judge(&t, &ok, 1, 2).code == 200, "accepted credentials are success");
  t = (sipdiag_tally_t){ 0 };
  sipdiag_judge(&t, &first401, 1, 1);
  sipdiag_decision_t d = sipdiag_judge(&t, &challenge401, 1, 2);
  CHECK(d.next == SIPDIAG_NEXT_VERDICT && d.code == 401, "rejected credentials end it");
}

static void stale_nonce_is_no_failed_attempt(void)
{
  /* RFC 7616 3.3: stale=true asks for the same credentials on a new nonce. */
  sipdiag_tally_t t = { 0 };
  sipdiag_judge(&t, &first401, 1, 1);
  sipdiag_decision_t d = sipdiag_judge(&t, &stale401, 1, 2);
  CHECK(d.next == SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS, "stale with attempts 1: %d", d.next);
  /* ...but a server calling every nonce stale is bounded. */
  unsigned sent = 2;
  while (d.next == SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS && sent < 50)
    d = sipdiag_judge(&t, &stale401, 1, ++sent);
  CHECK(d.next == SIPDIAG_NEXT_VERDICT && d.code == 401, "endless stale ends: %d", d.next);
  CHECK(sent <= 2 + SIPDIAG_MAX_STALE_CHALLENGES + 1, "stale bounded: %u REGISTERs", sent);
}

static void unanswerable_challenge_ends_at_once(void)
{
  sipdiag_tally_t t = { 0 };
  sipdiag_answer_t a = { SIPDIAG_ANSWER_CHALLENGE, 407, false, true, false };
  sipdiag_decision_t d = sipdiag_judge(&t, &a, 3, 1);
  CHECK(d.next == SIPDIAG_NEXT_VERDICT && d.code == 407, "%d %u", d.next, d.code);
}

static void third_423_is_interval_too_brief(void)
{
  /* The first 423 says what to send; only answers to a raised Expires count. */
  sipdiag_tally_t t = { 0 };
  CHECK(sipdiag_judge(&t, &first423, 3, 1).next == SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES, "first");
  CHECK(sipdiag_judge(&t, &brief423, 3, 2).next == SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES, "1st");
  CHECK(sipdiag_judge(&t, &brief423, 3, 3).next == SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES, "2nd");
  sipdiag_decision_t d = sipdiag_judge(&t, &brief423, 3, 4);
  CHECK(d.next == SIPDIAG_NEXT_VERDICT && d.code == 423, "3rd: %d %u", d.next, d.code);
  CHECK(sipdiag_fault_for_code(423) == SIPDIAG_FAULT_INTERVAL_TOO_BRIEF, "class");
  /* A Min-Expires not above what was sent cannot be met: no repeat. */
  t = (sipdiag_tally_t){ 0 };
  sipdiag_answer_t useless = { SIPDIAG_ANSWER_TOO_BRIEF, 423, false, false, false };
  d = sipdiag_judge(&t, &useless, 3, 1);
  CHECK(d.next == SIPDIAG_NEXT_VERDICT && d.code == 423, "unusable Min-Expires: %d", d.next);
}

static void a_different_answer_is_judged_afresh(void)
{
  sipdiag_tally_t t = { 0 };
  sipdiag_judge(&t, &challenge401, 3, 1);
  sipdiag_judge(&t, &challenge401, 3, 2);
  /* A 423 after two rejected credentials starts its own count... */
  CHECK(sipdiag_judge(&t, &brief423, 3, 3).next == SIPDIAG_NEXT_RESEND_WITH_MIN_EXPIRES, "423");
  /* ...and so does a 407 after 401s. */
  CHECK(sipdiag_judge(&t, &challenge407, 3, 4).next == SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS, "407");
  sipdiag_answer_t ok = final(200);
  sipdiag_decision_t d = sipdiag_judge(&t, &ok, 3, 5);
  CHECK(d.next == SIPDIAG_NEXT_VERDICT && d.code == 200, "200 after retries");
}

static void three_silences_ask_the_pings(void)
{
  sipdiag_tally_t t = { 0 };
  CHECK(sipdiag_judge(&t, &silence, 3, 1).next == SIPDIAG_NEXT_RESEND, "1st");
  CHECK(sipdiag_judge(&t, &silence, 3, 2).next == SIPDIAG_NEXT_RESEND, "2nd");
  CHECK(sipdiag_judge(&t, &silence, 3, 3).next == SIPDIAG_NEXT_SILENCE_VERDICT, "3rd");
  CHECK(sipdiag_silence_code(0) == 2, "no echo reply: network unreachable");
  CHECK(sipdiag_silence_code(1) == 3, "echo reply: server not responding");
  CHECK(sipdiag_silence_code(3) == 3, "echo replies: server not responding");
}

static void attempts_setting_is_honoured(void)
{
  sipdiag_tally_t t = { 0 };
  CHECK(sipdiag_judge(&t, &silence, 1, 1).next == SIPDIAG_NEXT_SILENCE_VERDICT, "1 attempt");
  t = (sipdiag_tally_t){ 0 };
  for (unsigned i = 1; i < 5; i++)
    CHECK(sipdiag_judge(&t, &challenge401, 5, i).next == SIPDIAG_NEXT_RESEND_WITH_CREDENTIALS,
          "attempt %u of 5", i);
  CHECK(sipdiag_judge(&t, &challenge401, 5, 5).next == SIPDIAG_NEXT_VERDICT, "5th of 5");
}

static void no_server_can_loop_the_probe(void)
{
  /* Alternating answers reset the count each time; the hard cap still ends it. */
  sipdiag_tally_t t = { 0 };
  unsigned sent = 0;
  sipdiag_decision_t d = { SIPDIAG_NEXT_RESEND, 0 };
  while (d.next != SIPDIAG_NEXT_VERDICT && sent < 100) {
    sent++;
    d = sipdiag_judge(&t, sent % 2 ? &challenge401 : &brief423, 3, sent);
  }
  CHECK(sent == SIPDIAG_MAX_REGISTERS, "sent %u REGISTERs, cap is %d", sent, SIPDIAG_MAX_REGISTERS);
}

static void final_answers_are_kept_as_they_are(void)
{
  static const struct { int status; sipdiag_fault_t fault; } cases[] = {
    { 200, SIPDIAG_FAULT_SUCCESS }, { 202, SIPDIAG_FAULT_SUCCESS },
    { 302, SIPDIAG_FAULT_SERVER_ANOMALY }, { 305, SIPDIAG_FAULT_SERVER_ANOMALY },
    { 403, SIPDIAG_FAULT_TERMINAL_ERROR }, { 404, SIPDIAG_FAULT_TERMINAL_ERROR },
    { 400, SIPDIAG_FAULT_TERMINAL_ERROR }, { 500, SIPDIAG_FAULT_SERVER_ERROR },
    { 503, SIPDIAG_FAULT_SERVER_ERROR }, { 603, SIPDIAG_FAULT_GLOBAL_FAILURE },
    { 699, SIPDIAG_FAULT_GLOBAL_FAILURE }, { 701, SIPDIAG_FAULT_SERVER_ANOMALY },
    { 999, SIPDIAG_FAULT_SERVER_ANOMALY }, { 1000, SIPDIAG_FAULT_MALFORMED_RESPONSE },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sipdiag_tally_t t = { 0 };
    sipdiag_answer_t a = final(cases[i].status);
    sipdiag_decision_t d = sipdiag_judge(&t, &a, 3, 1);
    CHECK(d.next == SIPDIAG_NEXT_VERDICT && d.code == (unsigned)cases[i].status,
          "%d: next %d code %u", cases[i].status, d.next, d.code);
    CHECK(sipdiag_fault_for_code(d.code) == cases[i].fault, "%d -> %s", cases[i].status,
          sipdiag_fault_name(sipdiag_fault_for_code(d.code)));
  }
}

static void patent_codes_map_to_their_classes(void)
{
  CHECK(sipdiag_fault_for_code(0) == SIPDIAG_FAULT_NONE, "0");
  CHECK(sipdiag_fault_for_code(1) == SIPDIAG_FAULT_CONFIG_INCOMPLETE, "1");
  CHECK(sipdiag_fault_for_code(2) == SIPDIAG_FAULT_NETWORK_UNREACHABLE, "2");
  CHECK(sipdiag_fault_for_code(3) == SIPDIAG_FAULT_SERVER_NO_RESPONSE, "3");
  CHECK(sipdiag_fault_for_code(4) == SIPDIAG_FAULT_INTERNAL_ERROR, "4");
  CHECK(sipdiag_fault_for_code(99) == SIPDIAG_FAULT_INTERNAL_ERROR, "99");
  CHECK(sipdiag_fault_for_code(407) == SIPDIAG_FAULT_AUTH_FAILURE, "407");
  CHECK(sipdiag_fault_for_code(10) == SIPDIAG_FAULT_DNS_FAILURE, "10");
  CHECK(sipdiag_fault_for_code(11) == SIPDIAG_FAULT_DNS_FAILURE, "11");
  CHECK(sipdiag_fault_for_code(20) == SIPDIAG_FAULT_SERVICE_NOT_LISTENING, "20");
  CHECK(sipdiag_fault_for_code(21) == SIPDIAG_FAULT_NETWORK_UNREACHABLE, "21");
  CHECK(sipdiag_fault_for_code(22) == SIPDIAG_FAULT_NETWORK_UNREACHABLE, "22");
  CHECK(sipdiag_fault_for_code(23) == SIPDIAG_FAULT_ADMIN_PROHIBITED, "23");
  CHECK(sipdiag_fault_for_code(30) == SIPDIAG_FAULT_TLS_FAILURE, "30");
  CHECK(sipdiag_fault_for_code(31) == SIPDIAG_FAULT_TLS_FAILURE, "31");
  CHECK(sipdiag_fault_for_code(40) == SIPDIAG_FAULT_AUTH_ALGORITHM_UNSUPPORTED, "40");
}

static void timer_keeps_the_last_server_answer(void)
{
  sipdiag_evidence_t none = { 0 };
  CHECK(sipdiag_timer_verdict(401, &none) == 401, "last 401 kept");
  CHECK(sipdiag_timer_verdict(0, &none) == SIPDIAG_CODE_INTERNAL_ERROR,
        "nothing measured: no claim of unreachability");
  sipdiag_evidence_t answered = { .pings_sent = 2, .pings_received = 2 };
  CHECK(sipdiag_timer_verdict(0, &answered) == 3, "pings answered: not responding");
  sipdiag_evidence_t unanswered = { .pings_done = true, .pings_sent = 3 };
  CHECK(sipdiag_timer_verdict(100, &unanswered) == 2, "a 1xx is not a final code");
  sipdiag_evidence_t waiting = { .pings_sent = 1 };
  CHECK(sipdiag_timer_verdict(0, &waiting) == SIPDIAG_CODE_INTERNAL_ERROR,
        "pings not over: not measured");
  sipdiag_evidence_t refused = { .socket_error = ECONNREFUSED };
  CHECK(sipdiag_timer_verdict(0, &refused) == 20, "a socket error is kept at the timer");
  sipdiag_evidence_t no_icmp = { .pings_done = true, .ping_unavailable = true };
  CHECK(sipdiag_timer_verdict(0, &no_icmp) == 4, "ping unavailable kept at the timer");
  sipdiag_evidence_t tls = { .transport_code = 31 };
  CHECK(sipdiag_timer_verdict(0, &tls) == 31, "the transport check kept at the timer");
}

static void evidence_names_the_cause(void)
{
  sipdiag_evidence_t e = { .icmp_class = SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED };
  CHECK(sipdiag_silence_verdict(&e) == 23, "ICMP admin prohibited, pings pending");
  e = (sipdiag_evidence_t){ .socket_error = EHOSTUNREACH };
  CHECK(sipdiag_silence_verdict(&e) == 22, "EHOSTUNREACH");
  e = (sipdiag_evidence_t){ .socket_error = ENETUNREACH };
  CHECK(sipdiag_silence_verdict(&e) == 21, "ENETUNREACH");
  e = (sipdiag_evidence_t){ .icmp_class = SIPDIAG_ICMP_CLASS_TTL_EXCEEDED };
  CHECK(sipdiag_silence_verdict(&e) == 0, "TTL exceeded: wait for the pings");
  e.pings_done = true;
  e.pings_sent = 3;
  CHECK(sipdiag_silence_verdict(&e) == 2, "then no echo: unreachable");
  e = (sipdiag_evidence_t){ .pings_done = true, .ping_unavailable = true };
  CHECK(sipdiag_silence_verdict(&e) == 4, "no echo could be sent");
  CHECK(sipdiag_errno_code(0) == 0 && sipdiag_errno_code(ETIMEDOUT) == 0, "no cause");
}

/* The ICMP type and code from our own check decide; an errno waits for
 * them, since IPv4 admin prohibited (3/13) reads EHOSTUNREACH. */
static void errno_waits_for_the_icmp_check(void)
{
  sipdiag_evidence_t e = { .socket_error = EHOSTUNREACH, .icmp_check_pending = true };
  CHECK(sipdiag_evidence_code(&e) == 0, "EHOSTUNREACH while the check runs: wait");
  CHECK(sipdiag_silence_verdict(&e) == 0, "no silence verdict either");
  e.pings_done = true;
  e.pings_sent = 3;
  CHECK(sipdiag_silence_verdict(&e) == 0, "pings over, check pending: still wait");
  e.icmp_class = SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED;
  CHECK(sipdiag_evidence_code(&e) == 23, "the check's class beats the errno");
  e = (sipdiag_evidence_t){ .socket_error = EHOSTUNREACH, .icmp_check_pending = true };
  CHECK(sipdiag_timer_verdict(0, &e) == 22, "the timer does not wait: the errno");
  e.icmp_check_pending = false;
  CHECK(sipdiag_evidence_code(&e) == 22, "check over without ICMP: the errno");
  e = (sipdiag_evidence_t){ .icmp_class = SIPDIAG_ICMP_CLASS_PORT_UNREACHABLE,
                            .socket_error = ECONNREFUSED };
  CHECK(sipdiag_evidence_code(&e) == 20, "port unreachable");
  e = (sipdiag_evidence_t){ .icmp_class = SIPDIAG_ICMP_CLASS_FRAG_NEEDED,
                            .socket_error = EHOSTUNREACH };
  CHECK(sipdiag_evidence_code(&e) == 22, "a class naming nothing leaves the errno");
}

static void fault_names_are_the_mib_contract(void)
{
  static const char *const names[] = {
    NULL, "none", "success", "configIncomplete", "networkUnreachable", "serverNoResponse",
    "authFailure", "intervalTooBrief", "serverAnomaly", "terminalError", "serverError",
    "globalFailure", "internalError", "canceled", "dnsFailure", "serviceNotListening",
    "adminProhibited", "tlsFailure", "authAlgorithmUnsupported", "malformedResponse",
  };
  CHECK(sizeof names / sizeof names[0] == SIPDIAG_FAULT_LAST + 1, "a class was added: name it here");
  for (int f = SIPDIAG_FAULT_FIRST; f <= SIPDIAG_FAULT_LAST; f++)
    CHECK(strcmp(sipdiag_fault_name((sipdiag_fault_t)f), names[f]) == 0, "%d: %s", f,
          sipdiag_fault_name((sipdiag_fault_t)f));
}

/* A rejected certificate is the verdict whatever SIP said; credentials
 * leave over TLS only once the certificate was verified. */
static void rejected_certificate_is_the_verdict(void)
{
  CHECK(sipdiag_certificate_verdict(200, SIPDIAG_CODE_TLS_CERTIFICATE) ==
        SIPDIAG_CODE_TLS_CERTIFICATE, "a 200 after a rejected certificate");
  CHECK(sipdiag_certificate_verdict(403, SIPDIAG_CODE_TLS_CERTIFICATE) ==
        SIPDIAG_CODE_TLS_CERTIFICATE, "a 403 after a rejected certificate");
  CHECK(sipdiag_certificate_verdict(SIPDIAG_CODE_SERVER_NO_RESPONSE,
                                    SIPDIAG_CODE_TLS_CERTIFICATE) == SIPDIAG_CODE_TLS_CERTIFICATE,
        "silence after a rejected certificate");
  CHECK(sipdiag_certificate_verdict(200, 0) == 200, "no finding: the answer stands");
  CHECK(sipdiag_certificate_verdict(401, SIPDIAG_CODE_TLS_HANDSHAKE) == 401,
        "only a rejected certificate overrides an answer");
  CHECK(sipdiag_fault_for_code(sipdiag_certificate_verdict(200, SIPDIAG_CODE_TLS_CERTIFICATE)) ==
        SIPDIAG_FAULT_TLS_FAILURE, "class tlsFailure");

  CHECK(sipdiag_credentials_allowed(false, false, false), "UDP/TCP: credentials go");
  CHECK(!sipdiag_credentials_allowed(true, false, false), "TLS, check running: held");
  CHECK(!sipdiag_credentials_allowed(true, true, false), "TLS, not verified: never");
  CHECK(sipdiag_credentials_allowed(true, true, true), "TLS, verified: credentials go");

  CHECK(sipdiag_unverified_verdict(0) == SIPDIAG_CODE_TLS_CERTIFICATE, "unnamed: 31");
  CHECK(sipdiag_unverified_verdict(SIPDIAG_CODE_TLS_HANDSHAKE) == SIPDIAG_CODE_TLS_HANDSHAKE,
        "handshake failure named");
}

/* Our own TCP/TLS check names its cause with the same fault table as a
 * REGISTER's socket error: the ICMP error first, else the errno. */
static void transport_check_names_its_cause(void)
{
  CHECK(sipdiag_transport_check_code(SIPDIAG_TC_REFUSED, SIPDIAG_ICMP_CLASS_NONE,
                                     ECONNREFUSED) == 20, "refused");
  CHECK(sipdiag_transport_check_code(SIPDIAG_TC_UNREACHABLE, SIPDIAG_ICMP_CLASS_ADMIN_PROHIBITED,
                                     EHOSTUNREACH) == 23, "ICMP 3/13 reads EHOSTUNREACH: 23");
  CHECK(sipdiag_transport_check_code(SIPDIAG_TC_UNREACHABLE, SIPDIAG_ICMP_CLASS_NONE,
                                     ENETUNREACH) == 21, "no ICMP error: the errno");
  CHECK(sipdiag_errno_code(ENETDOWN) == 21, "interface down: network unreachable");
  CHECK(sipdiag_transport_check_code(SIPDIAG_TC_TLS_CLOSED, SIPDIAG_ICMP_CLASS_NONE, 0) == 30,
        "closed during the handshake");
  CHECK(sipdiag_transport_check_code(SIPDIAG_TC_TLS_CERTIFICATE_REJECTED,
                                     SIPDIAG_ICMP_CLASS_NONE, 0) == 31, "certificate");
  CHECK(sipdiag_transport_check_code(SIPDIAG_TC_TIMEOUT, SIPDIAG_ICMP_CLASS_NONE, ETIMEDOUT) == 0,
        "a timeout names no cause: the silence rule decides");
  CHECK(sipdiag_transport_check_code(SIPDIAG_TC_OK, SIPDIAG_ICMP_CLASS_NONE, 0) == 0, "ok");
}

int main(void)
{
  third_challenge_is_auth_failure();
  one_attempt_still_sends_credentials();
  stale_nonce_is_no_failed_attempt();
  unanswerable_challenge_ends_at_once();
  third_423_is_interval_too_brief();
  a_different_answer_is_judged_afresh();
  three_silences_ask_the_pings();
  attempts_setting_is_honoured();
  no_server_can_loop_the_probe();
  final_answers_are_kept_as_they_are();
  patent_codes_map_to_their_classes();
  timer_keeps_the_last_server_answer();
  evidence_names_the_cause();
  errno_waits_for_the_icmp_check();
  fault_names_are_the_mib_contract();
  rejected_certificate_is_the_verdict();
  transport_check_names_its_cause();
  return check_summary("judging_rules");
}
