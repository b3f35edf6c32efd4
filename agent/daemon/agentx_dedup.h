/* agentx_dedup.h - the master's retransmitted requests go no further. */
#ifndef SIPDIAGD_AGENTX_DEDUP_H
#define SIPDIAGD_AGENTX_DEDUP_H

/* Puts the filter in front of the AgentX session, once per session
 * (cheap: call every loop turn). */
void agentx_dedup_attach(void);

#endif /* SIPDIAGD_AGENTX_DEDUP_H */
