/*
 * timefmt.h - clocks and the short time texts of the grid.
 */
#ifndef BT_TIMEFMT_H
#define BT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds. */
int64_t mono_ms(void);
/* CLOCK_REALTIME in milliseconds (only for the audit trail and the log). */
int64_t wall_ms(void);

/* A countdown: "9:05" under an hour, "1h05m" under a day, "3d04h" above;
 * negative values get no sign (the caller says "late").  Returns buf. */
char *fmt_countdown(char *buf, size_t n, int64_t ms);

/* An age: "4s", "12m", "3h", "2d".  Returns buf. */
char *fmt_age(char *buf, size_t n, int64_t ms);

/* "HH:MM:SS" of an epoch-ms instant shifted by offset seconds. */
char *fmt_clock(char *buf, size_t n, int64_t epoch_ms, int offset_s);

/* Milliseconds until the next payment-file run, seen from now (epoch ms,
 * UTC).  Files run once every period_s seconds (3600: hourly; a divisor of
 * a day, so the runs are counted from midnight), at `minute` of a 60-minute
 * hour scaled to the period: minute 45 of a 60 s period is 45 s into each
 * minute.  The minute is the same in whole-hour zones.  Exactly at a run,
 * the next is a period away. */
int64_t next_payment_file_ms(int64_t now, int minute, int period_s);

/* Room for any fmt_iso_ms(). */
#define FMT_ISO_MAX 96
/* ms since the epoch as ISO 8601 in UTC with milliseconds
 * ("2026-11-21T23:05:00.000Z") into buf; returns buf.  For the audit
 * trail and the headless formats alike. */
char *fmt_iso_ms(char *buf, size_t n, int64_t ms);

#endif
