/*
 * hold_expiry.h - the expiry an operator types for a hold: "4h", "90m",
 * "1h30m", "2d" (that long from now) or "06:00" (the next 06:00 on the
 * biller's wall clock), or nothing (the hold never expires).
 *
 * Pure: no clock, no time-zone database.  The zone comes in as a function
 * that gives its UTC offset at an instant (the dialog asks the shard,
 * whose zone names the billers carry), so the wall-clock form is right
 * across a DST change: a time the clocks skip (02:30 on the spring night)
 * is the moment they jump past it, a time they repeat (01:30 on the
 * autumn night) is its first occurrence.  A hold that expires does not
 * release by itself; it becomes "due for release".
 */
#ifndef BT_HOLD_EXPIRY_H
#define BT_HOLD_EXPIRY_H

#include <stddef.h>
#include <stdint.h>

enum hold_expiry_kind {
	HOLD_EXPIRY_NONE,	/* "" or "none": open-ended */
	HOLD_EXPIRY_AFTER,	/* a duration from now */
	HOLD_EXPIRY_CLOCK,	/* the next hh:mm in the biller's zone */
};

struct hold_expiry {
	enum hold_expiry_kind kind;
	int64_t after_ms;	/* AFTER */
	int hour, minute;	/* CLOCK */
};

/* Parse s (spaces around it ignored).  0, or -1 with err saying what is
 * wrong ("4x: say 4h, 90m, 2d or 06:00").  Durations are at most 30 days. */
int hold_expiry_parse(const char *s, struct hold_expiry *e, char *err,
		      size_t n);

/* The zone: its offset from UTC in seconds at the instant utc_ms. */
typedef int (*hold_offset_fn)(int64_t utc_ms, void *ctx);

/* When the hold expires, in epoch ms (UTC), seen from now_ms; INT64_MIN
 * for NONE.  Always after now_ms.  off may be NULL for AFTER and NONE. */
int64_t hold_expiry_at(const struct hold_expiry *e, int64_t now_ms,
		       hold_offset_fn off, void *ctx);

/* The instant as "HH:MM" on a wall clock offset_s from UTC (the zone's
 * offset at at_ms), with " +1d" when it falls on a later day than now_ms
 * there.  Returns buf. */
char *hold_expiry_clock(char *buf, size_t n, int64_t at_ms, int64_t now_ms,
			int offset_s);

#endif
