/*
 * fault_table.h - the one definition of sipdiag's fault classes.
 *
 * Each row: C name, class name (the contract with SIP-DIAG-MIB's
 * SipDiagFault, whose numbering it also gives), the codes that map to it,
 * a one-line meaning and what an operator should check next.
 * The engine, the CLI, the agent and the documentation all read this table;
 * tests/unit/fault_table_matches_docs.sh fails when the MIB or the README
 * drift from it.
 */
#ifndef SIPDIAG_FAULT_TABLE_H
#define SIPDIAG_FAULT_TABLE_H

/*      C name        class name            MIB  codes      meaning / what to check */
#define SIPDIAG_FAULT_TABLE(X)                                                        \
  X(NONE,              "none",                1, "0",       "no diagnosis has completed",                                   \
    "start a diagnosis")                                                              \
  X(SUCCESS,           "success",             2, "200-299", "the registrar accepted the registration",                      \
    "nothing: registration works; if calls still fail, look beyond registration")     \
  X(CONFIG_INCOMPLETE, "configIncomplete",    3, "1",       "a required SIP setting is missing or malformed; nothing was sent", \
    "complete the named settings of the account")                                     \
  X(NETWORK_UNREACHABLE, "networkUnreachable", 4, "2,21,22", "the server cannot be reached: no SIP answer and no echo reply, or a router reports it unreachable", \
    "check the route, link and firewalls between the terminal and the server")        \
  X(SERVER_NO_RESPONSE, "serverNoResponse",   5, "3",       "no SIP answer, but the server answers ICMP echo",              \
    "check that the SIP service runs on the server and that no firewall drops SIP")   \
  X(AUTH_FAILURE,      "authFailure",         6, "401,407", "the server still challenges after credentials were sent",      \
    "check the account's user name, authentication user and password")               \
  X(INTERVAL_TOO_BRIEF, "intervalTooBrief",   7, "423",     "the server still rejects the registration interval after Min-Expires was honoured", \
    "check the registration interval settings of the terminal and the server")        \
  X(SERVER_ANOMALY,    "serverAnomaly",       8, "300-399,700-999", "the server redirected the REGISTER, which a registrar should not do", \
    "check the registrar address and the server's configuration")                     \
  X(TERMINAL_ERROR,    "terminalError",       9, "400-499", "the server rejected the request as the terminal's error",      \
    "check the account (AOR, domain, user) and the terminal's SIP settings")          \
  X(SERVER_ERROR,      "serverError",        10, "500-599", "the server failed to process the registration",                \
    "check the server: its logs, database and modules")                               \
  X(GLOBAL_FAILURE,    "globalFailure",      11, "600-699", "the server refuses every request of this terminal",            \
    "check with the SIP provider whether the account is barred")                      \
  X(INTERNAL_ERROR,    "internalError",      12, "4,99",    "the diagnosis could not run, or could not conclude, on the terminal",                  \
    "check the terminal's resources and logs, then retry")                            \
  X(CANCELED,          "canceled",           13, "0",       "the diagnosis was canceled before it completed",              \
    "start the diagnosis again if a result is still needed")                          \
  /* Finer findings (issue 4), appended: the patent's classes stay as above. */      \
  X(DNS_FAILURE,       "dnsFailure",         14, "10,11",   "the registrar's name could not be resolved (RFC 3263: NAPTR, SRV, A/AAAA)", \
    "check the registrar name and the terminal's DNS servers")                        \
  X(SERVICE_NOT_LISTENING, "serviceNotListening", 15, "20", "the server's host is reachable but refuses the SIP port (ICMP port unreachable or TCP reset)", \
    "check that the SIP service runs and listens on this address, port and transport") \
  X(ADMIN_PROHIBITED,  "adminProhibited",    16, "23",      "a router or firewall rejects the traffic (ICMP administratively prohibited)", \
    "check the firewall and ACL rules on the path to the server")                     \
  X(TLS_FAILURE,       "tlsFailure",         17, "30,31",   "the TLS connection to the server failed (handshake or certificate)", \
    "check the server's certificate, the terminal's trusted CAs and TLS versions")    \
  X(AUTH_ALGORITHM_UNSUPPORTED, "authAlgorithmUnsupported", 18, "40", "the server offers only digest algorithms the terminal cannot answer", \
    "enable MD5 or SHA-256 digest on the server for this account")                   \
  X(MALFORMED_RESPONSE, "malformedResponse", 19, "50-53",   "the server answered with something that is not valid SIP, lacked what RFC 3261 requires of the answer, or flooded answers", \
    "check the server software (and any SIP ALG on the path) with the packet capture")

#endif /* SIPDIAG_FAULT_TABLE_H */
