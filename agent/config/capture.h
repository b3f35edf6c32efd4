/*
 * capture.h - where runs keep their packet evidence (sipdiagCapture,
 * sipdiagCaptureDir in sipdiagd.conf).
 */
#ifndef SIPDIAGD_CAPTURE_H
#define SIPDIAGD_CAPTURE_H

#include "sipdiag.h"

void capture_init(void);
/* Fills settings->capture and settings->capture_dir for a run starting now
 * (creating the directory when needed). */
void capture_settings(sipdiag_settings_t *settings);

#endif /* SIPDIAGD_CAPTURE_H */
