/*
 * estimate.h - whether a rerun will make the next payment file, worded
 * from the spread of the biller's recent close times (src/core/estimate.c).
 *
 * Until forecasts from history land (issue 13), the honest answer is the
 * spread itself: the 14-day median and p90 of close durations against the
 * time left.  "Should make it" is said only when even the p90 fits; a
 * median that fits but a p90 that does not is a coin flip, and is worded
 * as one.  Pure: no clock, no I/O; the caller passes the facts.
 */
#ifndef BT_ESTIMATE_H
#define BT_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

/* Fewer closes than this in 14 days is too few to call a p90. */
#define ESTIMATE_MIN_CLOSES 5

enum estimate_verdict {
	EST_ASKING,		/* the history has not answered yet */
	EST_UNREAD,		/* the history could not be read */
	EST_NO_HISTORY,		/* no closed batch in 14 days */
	EST_THIN,		/* fewer than ESTIMATE_MIN_CLOSES */
	EST_MAKES,		/* p90 fits in the time left */
	EST_MAY_MISS,		/* the median fits, the p90 does not */
	EST_LIKELY_MISS,	/* not even the median fits */
};

struct estimate_in {
	int64_t left_ms;		/* to the payment file, >= 0 */
	int64_t median_ms, p90_ms;	/* of one close; < 0 when unknown */
	long closes;			/* in the 14 days */
	size_t nbatches;		/* closes to run one after another, >= 1 */
	int asking;			/* the history has not answered */
	const char *unread;		/* sanitized reason it could not be
					 * read, or NULL */
};

/* The verdict for in (no text). */
enum estimate_verdict estimate_verdict(const struct estimate_in *in);

/* The verdict in words into buf: "19:51 left: may not make it: median
 * close 19:23, p90 31:05 (39 closes in 14 days)".  Returns the verdict. */
enum estimate_verdict estimate_words(const struct estimate_in *in, char *buf,
				     size_t n);

#endif
