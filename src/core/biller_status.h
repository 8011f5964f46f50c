/*
 * biller_status.h - the status of a biller at a given moment, derived
 * from its batches in a snapshot (batchtop(1), "STATUS").  Pure: no
 * threads, no I/O.
 */
#ifndef BT_BILLER_STATUS_H
#define BT_BILLER_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "core/forecast.h"
#include "core/snapshot.h"

struct hold;

/* In the order the default sort shows them: most urgent first. */
enum biller_status {
	BS_FAILED,
	BS_LATE,
	BS_AT_RISK,
	BS_OTHER,	/* some batch has a status batchtop does not know */
	BS_HELD,	/* contract v3: a hold keeps a batch from starting */
	BS_RUNNING,
	BS_SCHEDULED,
	BS_CLOSED_LATE,
	BS_CLOSED,
	BS_NONE,	/* no close tonight */
	BS__COUNT
};

/* Fields ordered so that there is no padding hole: one is kept per biller
 * (core/view.h), twice. */
struct biller_eval {
	enum biller_status status;
	int permille;			/* of focus's window elapsed, 0..1000+ */
	const struct batch *focus;	/* the batch that decides the row, or NULL */
	int64_t time_left;		/* ms to focus's deadline (<0: late by);
					 * for closed late: finished - deadline */
	const struct hold *hold;	/* BS_HELD: the hold, NULL if unread */
	/* Shard ms before which evaluating the same biller (same snapshot,
	 * holds, history, options) at a later now gives the same status,
	 * focus, hold and by_forecast: the next deadline, at-risk threshold,
	 * forecast change or tie among risks to come.  time_left and
	 * permille move on regardless (biller_eval_retime).  INT64_MIN
	 * (BT_NO_TIME): evaluate again every time; INT64_MAX: never. */
	int64_t until;
	bool by_forecast;		/* at risk by its forecast, not by the
					 * fixed rule (at_risk_pct) */
};

/* Derive the status of b at now (shard time, ms), by the fixed rule. */
void biller_eval(const struct biller *b, int64_t now, int at_risk_pct,
		 struct biller_eval *out);
/* The same with the shard's holds (core/hold.h): a held batch is neither
 * failed, late nor scheduled; it makes the biller HELD unless another of
 * its batches is failed, late or at risk. */
void biller_eval_held(const struct biller *b, const struct hold *holds,
		      size_t nholds, int64_t now, int at_risk_pct,
		      struct biller_eval *out);
/* The same with forecasts from h (NULL: the fixed rule alone): an open
 * close, running or scheduled, is at risk when its forecast says so
 * (forecast_at_risk); a running close h has nothing for is judged by the
 * fixed rule. */
void biller_eval_fc(const struct biller *b, int64_t now, int at_risk_pct,
		    const struct fc_history *h, const struct forecast_opts *o,
		    struct biller_eval *out);
/* Both: the shard's holds and the forecasts of h (either may be absent). */
void biller_eval_all(const struct biller *b, const struct hold *holds,
		     size_t nholds, int64_t now, int at_risk_pct,
		     const struct fc_history *h,
		     const struct forecast_opts *o, struct biller_eval *out);

/* Bring an evaluation's time_left and permille to now, exactly as a new
 * evaluation would, while now < out->until (the view, every second). */
void biller_eval_retime(struct biller_eval *ev, int64_t now);

/* "FAILED", "LATE", "AT RISK", ... never NULL. */
const char *biller_status_label(enum biller_status s);

/* Autopay failure percentage of the latest run, or -1 when unknown. */
int biller_autopay_pct(const struct biller *b);

#endif
