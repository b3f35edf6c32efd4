/*
 * sipdiag_limits.h - every limit and default of sipdiag, in one place.
 *
 * A limit is a promise about memory, time or traffic on a small device:
 * change one here and the engine, the CLI and the agent follow.
 */
#ifndef SIPDIAG_LIMITS_H
#define SIPDIAG_LIMITS_H

/* --- defaults of one diagnosis ------------------------------------------ */

/* The patent's self-diagnosis timer (RFC 3261 Timer F with T1 = 500 ms). */
#define SIPDIAG_DEFAULT_TIMER_S            32
/* REGISTER attempts per class of answer before the class is final. */
#define SIPDIAG_DEFAULT_ATTEMPTS           3
/* ICMP echo requests sent when the server gives no SIP answer. */
#define SIPDIAG_DEFAULT_PINGS              3
/* Time one REGISTER transaction may take before it counts as unanswered.
 * 3 attempts x 4 s keep a silent server well inside the 32 s timer.
 *
 * Why Timer F equals it: sofia's client transaction gives up after Timer F
 * (RFC 3261 17.1.2.2, 64 x T1 = 32 s by default), and the stack's own 408
 * is what tells the engine an attempt went unanswered.  targets.c sets
 * NTATAG_SIP_T1X64 to this value, so Timer F is the attempt timeout: an
 * attempt ends exactly when the setting says, the retransmissions inside
 * it keep RFC 3261's doubling from T1, and the patent's 32 s timer can
 * cover several attempts and the pings that follow them (which the
 * default 64 x T1 alone, one attempt filling the timer, could not).  The
 * timer check (sipdiag_settings_check) relies on this: attempts x this
 * value is the longest the REGISTERs of a silent server can take. */
#define SIPDIAG_DEFAULT_ATTEMPT_TIMEOUT_MS 4000
/* Gap between two echo requests, and wait for a reply after the last. */
#define SIPDIAG_DEFAULT_PING_INTERVAL_MS   500
#define SIPDIAG_DEFAULT_PING_WAIT_MS       1000
/* Registration interval asked for when the account does not say. */
#define SIPDIAG_DEFAULT_EXPIRES_S          3600

/* --- ranges accepted for the settings above ----------------------------- */

#define SIPDIAG_TIMER_MIN_S                1
#define SIPDIAG_TIMER_MAX_S                3600
#define SIPDIAG_ATTEMPTS_MIN               1
#define SIPDIAG_ATTEMPTS_MAX               10
#define SIPDIAG_PINGS_MIN                  1
#define SIPDIAG_PINGS_MAX                  10
#define SIPDIAG_ATTEMPT_TIMEOUT_MIN_MS     100
#define SIPDIAG_ATTEMPT_TIMEOUT_MAX_MS     60000
#define SIPDIAG_EXPIRES_MAX_S              86400
/* A Min-Expires above this is absurd: the probe does not chase it. */
#define SIPDIAG_MIN_EXPIRES_MAX_S          86400

/* --- traffic bounds: whatever the server does ---------------------------- */

/* REGISTERs of one diagnosis proper, across every class of answer. */
#define SIPDIAG_MAX_REGISTERS              10
/* Responses one diagnosis accepts from the network (retransmitted 1xx and
 * finals included); a server sending more is flooding, and the run ends
 * (code 51) before the flood can stall the loop or outlast the timer. */
#define SIPDIAG_MAX_RESPONSES              64
/* How often a run checks what its SIP stack received in all (responses to
 * finished transactions included): twice the limit above ends the run. */
#define SIPDIAG_WATCH_INTERVAL_MS          100

/* Stale challenges (RFC 7616 3.3: the nonce expired, the credentials were
 * right) answered in a row before one more counts as a failed attempt: a
 * server that calls every nonce stale cannot keep the probe going. */
#define SIPDIAG_MAX_STALE_CHALLENGES       2

/* REGISTERs spent removing the probe's own binding after a 200. */
#define SIPDIAG_MAX_CLEANUP_REGISTERS      2

/* --- sizes of stored text ----------------------------------------------- */

#define SIPDIAG_URI_MAX                    256   /* registrar, AOR, proxy  */
#define SIPDIAG_USER_MAX                   128   /* authentication user    */
#define SIPDIAG_PASSWORD_MAX               128
#define SIPDIAG_REASON_MAX                 64    /* a SIP reason phrase    */
#define SIPDIAG_DIAGNOSIS_MAX              512   /* the one-sentence text  */
#define SIPDIAG_STEP_INFO_MAX              96    /* detail of one step     */
#define SIPDIAG_ADDRESS_MAX                64    /* an IPv4/IPv6 literal   */

/* Server targets (RFC 3263 resolution results) kept per diagnosis. */
#define SIPDIAG_MAX_TARGETS                8
#define SIPDIAG_TARGET_TEXT_MAX            96    /* "udp [2001:db8::1]:5060" */

/* --- packet evidence (engine/capture.c) ------------------------------------ */

/* One pcap file per diagnosis, at most this large; */

/* Size bound of one capture file, pcap headers included. */
#define SIPDIAG_CAPTURE_DEFAULT_MAX_BYTES  (1024u * 1024u)  /* one pcap file */
/* Capture files kept per account. */
#define SIPDIAG_CAPTURE_DEFAULT_KEEP       5
/* Octets kept of each packet, its 16-octet Linux cooked header included:
 * whole SIP messages and MSS-sized TCP segments; longer ones are kept cut
 * short (wireshark marks them), with their real length recorded.  It is
 * also the size of the one packet buffer each capture holds. */
#define SIPDIAG_CAPTURE_SNAPLEN            8000
/* Receive buffer (SO_RCVBUF; the kernel doubles it) of one capture's
 * packet socket: packets queue there until the loop reads them, so it only
 * has to hold a burst (capture_live's burst of 100 datagrams and their
 * ICMP errors fits).  Unlike libpcap's memory-mapped ring (256 KiB mapped
 * per capture before), it costs memory only for the packets queued. */
#define SIPDIAG_CAPTURE_BUFFER_BYTES       (256 * 1024)
/* Immediate: the kernel queues each packet on the capture's socket as it
 * passes (going out: before it leaves; coming in: before the socket it is
 * for gets it), so the engine closes the file right at the verdict with
 * every packet in it, and learns ICMP errors at once.  A packet socket has
 * no other mode; the constant stays for callers that ask.  (libpcap's
 * TPACKET_V3 without immediate mode handed a block over only after the
 * timeout below: 3 ms mean, 12 ms worst from send to wakeup on loopback.
 * Both libpcap modes set up a memory-mapped ring, which costs an RCU grace
 * period of 12-17 ms to set up and two to free, whatever its size: 64 KiB,
 * 256 KiB and 2 MiB measured alike.) */
#define SIPDIAG_CAPTURE_IMMEDIATE          1
#define SIPDIAG_CAPTURE_TIMEOUT_MS         10
/* Packet sockets a process may keep open after their capture stopped,
 * waiting to be closed off the caller's path (sipdiag_capture_set_release
 * (SIPDIAG_CAPTURE_RELEASE_DEFERRED)); beyond, they close at once.  The
 * probe runs one diagnosis: 1 would do; 16 = SIPDIAG_CAPTURE_MAX_CONCURRENT. */
#define SIPDIAG_CAPTURE_DEFERRED_MAX       16
/* Where close_range() is missing (kernels before 5.9), the child of
 * sipdiag_capture_release_detached() closes descriptors 3 up to this (or
 * the process's limit, whichever is lower) one by one, all but the kept
 * sockets. */
#define SIPDIAG_CAPTURE_CHILD_FD_SCAN      4096
/* Packets handled per wakeup, so a flood cannot hold the loop. */
#define SIPDIAG_CAPTURE_DISPATCH_MAX       64
/* Local ports one capture follows (the SIP port, TCP connections...). */
#define SIPDIAG_CAPTURE_PORTS_MAX          4
/* Longest file name made by sipdiag_capture_make_path(), and account key
 * kept in it (after sanitising). */
#define SIPDIAG_CAPTURE_PATH_MAX           512
#define SIPDIAG_CAPTURE_KEY_MAX            64
/* Room for a reason text. */
#define SIPDIAG_CAPTURE_REASON_MAX         256
#define SIPDIAG_PATH_MAX                   SIPDIAG_CAPTURE_PATH_MAX
/* Longest CA file or CA directory name (settings ca_file, ca_dir), with
 * its terminating NUL. */
#define SIPDIAG_CA_PATH_MAX                256
/* Captures running at once per engine: each holds a packet socket (its
 * buffer up to SIPDIAG_CAPTURE_BUFFER_BYTES), costs a filter compile when
 * it starts and an RCU grace period when it closes, so a burst of
 * diagnoses must not open one each.  Runs beyond this go on
 * without packet evidence (and without ICMP findings), and say so. */
#define SIPDIAG_CAPTURE_MAX_CONCURRENT     16

/* --- TCP/TLS transport check (engine/transport_check.c) -------------------- */


/* Timeout used when the caller passes 0, and the largest one accepted
 * (larger values are clamped).  The default is the engine's REGISTER
 * attempt timeout, so the check never outlasts one attempt. */
#define SIPDIAG_TC_DEFAULT_TIMEOUT_MS   4000
#define SIPDIAG_TC_MAX_TIMEOUT_MS       60000
/* Largest certificate chain accepted from the server, in octets (OpenSSL's
 * own default is 100 KiB; real chains are 2-10 KiB). */
#define SIPDIAG_TC_MAX_CERT_LIST        (64 * 1024)
/* Octets of the server's first bytes kept, to tell "not TLS at all" (a SIP
 * or HTTP answer on the TLS port) from a real TLS failure. */
#define SIPDIAG_TC_FIRST_BYTES          32
/* Sizes of the outcome's text fields (each always NUL-terminated and cut
 * short if needed). */
#define SIPDIAG_TC_TEXT_MAX             384   /* the human sentence       */
#define SIPDIAG_TC_ENDPOINT_MAX         72    /* "[2001:db8::1]:5061"     */
#define SIPDIAG_TC_REASON_MAX           128   /* OpenSSL / X509 reasons   */
#define SIPDIAG_TC_NAME_MAX             256   /* subject, issuer, SANs    */
#define SIPDIAG_TC_SHORT_MAX            64    /* version, cipher, alert   */

/* --- file descriptors ----------------------------------------------------- */

/* Descriptors one running diagnosis may hold at once, counted from what
 * the engine opens (the resolver is the engine's, shared by every run, and
 * counted in SIPDIAG_AGENT_FDS_BASE):
 *   sofia NTA agent: UDP socket and TCP listener          2
 *     a second address family, when the targets mix them  2
 *     a TLS listener, when a target is sips:/TLS          1
 *   sofia's TCP or TLS connection to the server           1
 *   the transport check's own TCP connection              1
 *   the source-address lookup (UDP, closed at once)       1
 *   the pinger's ICMP socket (datagram or raw)            1
 *   the capture: packet socket and pcap file              2
 *   the CA store the TLS check reads (closed at once)     1
 *                                                        --
 *                                                        12
 * Measured on sipdiagd (root, capture files on) with 10 diagnoses of a
 * silent registrar at once, peak of /proc/PID/fd above the idle 15:
 * UDP +51 (5 each: UDP, TCP listener, raw ICMP, packet socket, pcap file),
 * TCP +61 (6 each: the connection too; the transport check's connection
 * and the pings rarely overlap it).  12 is the bound, not the usual. */
#define SIPDIAG_FDS_PER_DIAGNOSIS          12

/* The UDP path check (udp_check.h): keep-alives ("\r\n\r\n") it sends at
 * most, and the interval between them.  One: routers rate-limit ICMP
 * errors per destination (RFC 1812 4.3.2.8; Linux charges a forwarding
 * error twice, ip_error and icmp_send), so every extra packet of ours can
 * cost the REGISTER its own error.  A host-unreachable error needs no
 * resend: the router queues the packet while its ARP/ND runs (3 s). */
#define SIPDIAG_UDP_CHECK_SENDS         1
#define SIPDIAG_UDP_CHECK_INTERVAL_MS   1000
/* Once sofia's socket met an ICMP error about a later packet of ours, how
 * long the check may still wait for its own (which left first). */
#define SIPDIAG_UDP_CHECK_GRACE_MS      250
/* Error-queue entries and stray datagrams read per wakeup. */
#define SIPDIAG_UDP_CHECK_READS_MAX     8

/* Steps kept per diagnosis; the oldest are dropped (and counted) first. */
#define SIPDIAG_MAX_STEPS                  64

/* ========================================================================
 * agent (sipdiagd) - limits of the SNMP subagent, not used by the engine.
 * ======================================================================== */

/* Rows sipDiagTable may hold: the terminal's own accounts plus the rows
 * managers create.  Creating one more fails with resourceUnavailable. */
#define SIPDIAG_AGENT_MAX_ROWS               1024
/* sipDiagMaxConcurrent: default and the MIB's range. */
#define SIPDIAG_AGENT_DEFAULT_MAX_CONCURRENT 32
#define SIPDIAG_AGENT_MAX_CONCURRENT_MIN     1
#define SIPDIAG_AGENT_MAX_CONCURRENT_MAX     1024
/* Descriptors sipdiagd keeps for itself beside its diagnoses: stdio, the
 * log, the wake pipe, sofia's own pipes, the AgentX session (and the one a
 * reconnect opens before the old is gone), the engine's DNS resolver, the
 * store and configuration files it rewrites and re-reads, syslog.  Idle it
 * holds 15 (measured); the rest is headroom. */
#define SIPDIAG_AGENT_FDS_BASE               64
/* At start (and whenever sipDiagMaxConcurrent changes) sipdiagd raises its
 * soft RLIMIT_NOFILE, up to the hard limit, to
 *   SIPDIAG_AGENT_FDS_BASE + sipDiagMaxConcurrent * SIPDIAG_FDS_PER_DIAGNOSIS
 * and, when the hard limit is lower, runs at most
 *   (limit - SIPDIAG_AGENT_FDS_BASE) / SIPDIAG_FDS_PER_DIAGNOSIS
 * diagnoses at once (at least 1), logging that it does so. */

/* Longest text an SnmpAdminString column of SIP-DIAG-MIB holds. */
#define SIPDIAG_AGENT_TEXT_MAX               255
/* Diagnoses sipdiagd starts per turn of its loop; more wait for the next
 * turn, so SNMP requests are served between batches. */
#define SIPDIAG_AGENT_STARTS_PER_TURN        8
/* AgentX requests remembered to recognise the master's retransmissions of
 * one (agentx_dedup.c): a copy follows its original within agentxRetries
 * (5) timeouts, while requests are answered one after another. */
#define SIPDIAG_AGENT_AGENTX_RECENT          16
/* AgentX ping (and reconnect) interval when the configuration sets none. */
#define SIPDIAG_AGENT_DEFAULT_PING_INTERVAL_S 5
/* Quiet time between two diagnoses of one SIP account, from the end of
 * one to the start of the next (sipdiagMinRerunInterval in sipdiagd.conf,
 * 0 = no limit).  "One account" is the registrar's host plus the AOR,
 * whichever row asks (rows.c): a manager creating rows that repeat an
 * account gains nothing.  A trigger sooner, or while another row runs a
 * diagnosis of that account, fails with resourceUnavailable and nothing is
 * sent.  Counted from the end because a diagnosis lasts from milliseconds
 * to the 32 s timer: from the start, a slow one would leave the provider no
 * pause at all.  One diagnosis is a burst of at most 12 REGISTERs; 5 s of
 * silence after each keeps a manager hammering the trigger to one burst
 * per account every 5 s plus its duration, while an operator retrying after
 * fixing the account hardly waits. */
#define SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MS  5000
#define SIPDIAG_AGENT_MIN_RERUN_INTERVAL_MAX_MS 3600000
/* Accounts whose last diagnosis sipdiagd remembers at once (running, or
 * ended less than the interval ago); 24 octets each.  Every running
 * diagnosis is a row (at most SIPDIAG_AGENT_MAX_ROWS), the rest ended
 * recently.  When all are taken by live entries, a trigger for an account
 * not among them fails with resourceUnavailable rather than forget one. */
#define SIPDIAG_AGENT_RERUN_MEMORY           (2 * SIPDIAG_AGENT_MAX_ROWS)

/* sipDiagOwner and sipDiagName: octets of each (SnmpAdminString, as
 * pingCtlOwnerIndex and pingCtlTestName of DISMAN-PING-MIB). */
#define SIPDIAG_AGENT_KEY_MAX                32
/* The owner of the terminal's own accounts unless sipdiagDeviceOwner says. */
#define SIPDIAG_AGENT_DEVICE_OWNER           "device"
/* sipDiagMaxRuns: completed runs kept per row (default and largest).  A
 * kept run costs about 40 octets plus its diagnosis and its steps (about
 * 30 octets each plus their text). */
#define SIPDIAG_AGENT_DEFAULT_MAX_RUNS       10
#define SIPDIAG_AGENT_MAX_RUNS_MAX           50
/* sipDiagFailureThreshold: default and largest. */
#define SIPDIAG_AGENT_DEFAULT_FAILURE_THRESHOLD 1
#define SIPDIAG_AGENT_FAILURE_THRESHOLD_MAX  15
/* sipDiagFrequency: largest period of the scheduled runs (one day). */
#define SIPDIAG_AGENT_FREQUENCY_MAX_S        86400
/* How long a change of results only (a run ended, counters moved) may wait
 * before the store is written: a row at sipDiagFrequency 10 would
 * otherwise rewrite the flash every 10 s.  Configuration changes by a
 * manager are written at once; a clean stop writes everything. */
#define SIPDIAG_AGENT_STORE_RESULTS_DELAY_S  60
/* Notifications sent per loop turn; more wait for the next turn, so 1000
 * rows that fail at once do not keep SNMP requests waiting. */
#define SIPDIAG_AGENT_NOTIFICATIONS_PER_TURN 16
/* And at most this many per second, after a burst of ..._BURST: the master
 * forwards each at once over UDP, and a trap receiver's socket buffer
 * (snmptrapd's: about 400 of ours) overflows when 1000 arrive in a
 * second; the kernel then drops them silently. */
#define SIPDIAG_AGENT_NOTIFICATIONS_PER_SECOND 100
#define SIPDIAG_AGENT_NOTIFICATIONS_BURST    50
/* Notifications waiting to be sent; when full the oldest is dropped (and
 * counted in the log): the rows keep what they said. */
#define SIPDIAG_AGENT_NOTIFICATION_QUEUE     2048

#endif /* SIPDIAG_LIMITS_H */
