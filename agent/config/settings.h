/*
 * settings.h - what diagnoses run with: the scalars of SIP-DIAG-MIB
 * (DEFVAL, configuration file, a manager's value), the TLS trust store,
 * and the owner of the terminal's own accounts.
 */
#ifndef SIPDIAGD_SETTINGS_H
#define SIPDIAGD_SETTINGS_H

#include "sipdiag.h"

#include <stdbool.h>

enum scalar_id {
  SC_TIMER, SC_ATTEMPTS, SC_PINGS, SC_ATTEMPT_TIMEOUT, SC_MAX_CONCURRENT,
  SC_COUNT
};
enum text_scalar_id { ST_CA_FILE, ST_CA_DIR, ST_COUNT };

/* Configuration tokens and the store's records of managers' values. */
void settings_init(void);

/* The engine settings a run starting now gets. */
void settings_engine(sipdiag_settings_t *settings);
/* Diagnoses that may run at once: sipDiagMaxConcurrent, capped by what
 * the descriptor limit allows (fdlimit_fit()). */
unsigned settings_max_concurrent(void);

unsigned settings_value(enum scalar_id id);
unsigned settings_min(enum scalar_id id);
unsigned settings_max(enum scalar_id id);
const char *settings_name(enum scalar_id id);
bool settings_override(enum scalar_id id, unsigned *value);
bool settings_set_override(enum scalar_id id, unsigned value); /* false = out of range */

const char *settings_text(enum text_scalar_id id);
const char *settings_text_name(enum text_scalar_id id);
bool settings_text_override(enum text_scalar_id id, const char **text);
/* false = not a value ca_path_value_ok() accepts; "" removes the override. */
bool settings_set_text_override(enum text_scalar_id id, const char *text);

/* sipDiagDeviceOwner: sipdiagDeviceOwner, default SIPDIAG_AGENT_DEVICE_OWNER. */
const char *settings_device_owner(void);

#endif /* SIPDIAGD_SETTINGS_H */
