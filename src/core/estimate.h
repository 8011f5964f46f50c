/*
 * estimate.h - whether a rerun will make the next payment file, in words
 * an operator can act on, from the forecast of the rerun
 * (forecast_rerun(), core/forecast.h; src/core/estimate.c).
 *
 * "makes the 01:45 file (p95 9 min, 22 min left)" is said only when the
 * chance of missing is below at_risk_probability, the same line that makes
 * a close AT RISK; at will_miss_probability or more it is "will miss: call
 * Integrations"; in between "may miss" with the odds.  When there is no
 * history to forecast from, or it is stale, it says that instead of a
 * guess.  Pure: no clock, no I/O; the caller passes the facts.
 */
#ifndef BT_ESTIMATE_H
#define BT_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/forecast.h"

enum estimate_verdict {
	EST_ASKING,		/* the history has not been read yet */
	EST_STALE,		/* the history is stale: no forecast */
	EST_NO_HISTORY,		/* nothing of this biller, nor a pool */
	EST_THIN,		/* too few closes anywhere to forecast */
	EST_MAKES,		/* P(miss) < at_risk_probability */
	EST_MAY_MISS,		/* in between */
	EST_WILL_MISS,		/* P(miss) >= will_miss_probability */
};

struct estimate_in {
	const struct fc_rerun *fc;	/* forecast_rerun()'s answer; NULL
					 * when no history has been read */
	int64_t left_ms;		/* to the payment file, >= 0 */
	int64_t file_at;		/* the payment file's instant (UTC ms) */
	int64_t history_age_ms;		/* how old the history is, when stale */
	const char *unread;		/* sanitized reason the last history
					 * read failed, or NULL */
	size_t nbatches;		/* closes to run one after another */
	int at_risk_pct, will_miss_pct;	/* forecast_opts' */
};

/* The verdict for in (no text). */
enum estimate_verdict estimate_verdict(const struct estimate_in *in);

/* The verdict in words into buf: "makes the 01:45 file (p95 9 min, 22 min
 * left; from 23 closes of this biller)".  Returns the verdict. */
enum estimate_verdict estimate_words(const struct estimate_in *in, char *buf,
				     size_t n);

/* A duration as the dialog says it: "9 min" (rounded up when up is
 * true, else down), "40 s" under a minute.  Returns buf. */
char *estimate_minutes(char *buf, size_t n, int64_t ms, bool up);

#endif
