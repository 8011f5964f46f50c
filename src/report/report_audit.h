/*
 * report_audit.h - the local audit trail's lines of one night, for the
 * handoff report.
 */
#ifndef BT_REPORT_AUDIT_H
#define BT_REPORT_AUDIT_H

#include <stdint.h>

#include "core/night.h"

/* Add the records of path (write/audit.h's format) whose time is within
 * [from, to] (epoch ms) to n.  A missing trail is no error (nothing was
 * audited); one that cannot be read sets n->audit_error.  Bad lines are
 * skipped.  path may be NULL (no home: the error says so). */
void report_audit_read(struct night *n, const char *path, int64_t from,
		       int64_t to);

/* "2026-11-21T23:05:00.000Z" (fmt_iso_ms's form, milliseconds optional)
 * as epoch ms; NIGHT_NO_TIME when it is not one. */
int64_t report_audit_time(const char *iso);

#endif
