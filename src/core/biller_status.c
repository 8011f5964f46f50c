/*
 * biller_status.c - the status rules of a biller (batchtop(1), "STATUS"):
 * failed if any batch failed; late if any batch that has not closed is
 * past its deadline; at risk if a running batch has used more than
 * at_risk_pct of its window, or when a history is given, if the forecast
 * of an open batch gives it at_risk_probability or more to miss its
 * deadline (the fixed rule still judges a running batch the history says
 * nothing of); then a status batchtop does not know,
 * held (a hold keeps one of its batches from running: contract v3), running,
 * scheduled; closed late if all closed but one finished after its deadline
 * (it missed the payment file); closed.  A held batch counts only as held,
 * never as failed, late or scheduled.
 */
#include "autoconf.h"

#include "core/biller_status.h"
#include "core/hold.h"

static int window_permille(const struct batch *t, int64_t now)
{
	int64_t window, used, pm;

	if (t->deadline_inf < 0 && now != BT_NO_TIME)
		return 1000;		/* a deadline that has always passed */
	if (t->scheduled_at == BT_NO_TIME || t->deadline_at == BT_NO_TIME ||
	    now == BT_NO_TIME)
		return 0;
	window = t->deadline_at - t->scheduled_at;
	used = now - t->scheduled_at;
	if (window <= 0)
		return now >= t->deadline_at ? 1000 : 0;
	if (used <= 0)
		return 0;
	pm = used * 1000 / window;
	return pm > 9999 ? 9999 : (int)pm;
}

static void lower(int64_t *until, int64_t at)
{
	if (at < *until)
		*until = at;
}

/* The first instant at which window_permille(t, .) passes thr (the fixed
 * at-risk rule), for a running close not yet past it; INT64_MAX: never.
 * used * 1000 / window > thr  <=>  used >= ceil((thr + 1) * window / 1000). */
static int64_t permille_crossing(const struct batch *t, int64_t now, int thr)
{
	int64_t window, need;

	if (thr >= 9999 || t->deadline_inf < 0 || t->scheduled_at == BT_NO_TIME ||
	    t->deadline_at == BT_NO_TIME)
		return INT64_MAX;
	window = t->deadline_at - t->scheduled_at;
	if (window <= 0)
		return t->deadline_at;	/* 0 until it, 1000 from it */
	if (window > INT64_MAX / 10001)
		return now + 1;		/* absurd; just look again */
	need = ((int64_t)(thr + 1) * window + 999) / 1000;
	if (need < 1)
		need = 1;
	return t->scheduled_at > INT64_MAX - need ? INT64_MAX
						   : t->scheduled_at + need;
}

/* Earlier deadline first; '-infinity' is the earliest, and a missing
 * deadline (or 'infinity') counts as the latest. */
static int deadline_before(const struct batch *a, const struct batch *b)
{
	if (!b)
		return 1;
	if (a->deadline_inf < 0 || b->deadline_inf < 0)
		return a->deadline_inf < 0 && b->deadline_inf >= 0;
	if (a->deadline_at == BT_NO_TIME)
		return 0;
	return b->deadline_at == BT_NO_TIME || a->deadline_at < b->deadline_at;
}

/* Is t's deadline past at now?  'infinity' never is, '-infinity' always. */
static int deadline_passed(const struct batch *t, int64_t now)
{
	if (t->deadline_inf)
		return t->deadline_inf < 0;
	return t->deadline_at != BT_NO_TIME && now != BT_NO_TIME &&
	       t->deadline_at <= now;
}

/* Is t, of biller_id, held?  Then keep it in *held when its deadline is
 * the earliest. */
static bool note_held(const struct hold *holds, size_t nholds,
		      const char *biller_id, const struct batch *t,
		      const struct batch **held, const struct hold **held_by)
{
	const struct hold *by;

	if (!hold_batch_held(holds, nholds, biller_id, t, &by))
		return false;
	if (deadline_before(t, *held)) {
		*held = t;
		*held_by = by;
	}
	return true;
}

/* How risky open batch t is, in permille, and whether by its forecast:
 * -1 when it is not at risk.  A forecast's P(miss) and the fixed rule's
 * share of the window are both 0..1000, so the riskiest batch wins. */
static int risk_of(const struct biller *b, const struct batch *t, int64_t now,
		   int at_risk_pct, const struct fc_history *h,
		   const struct forecast_opts *o, bool *by_forecast,
		   int64_t *until)
{
	struct forecast f;
	int pm;

	*by_forecast = false;
	if (deadline_passed(t, now))
		return -1;	/* late: LATE says more than any forecast */
	if (h && o) {
		forecast_miss_memo(o->memo, h, b, t, now, o, &f);
		/* Whether it is at risk holds till decide_until; which of
		 * two risks is the riskier, see overtaken_at(). */
		lower(until, f.decide_until);
		if (f.source != FC_NONE && f.p_miss >= 0) {
			*by_forecast = true;
			return forecast_at_risk(&f, o) ? (int)(f.p_miss * 1000) : -1;
		}
	}
	if (t->state != BATCH_RUNNING)
		return -1;
	pm = window_permille(t, now);
	if (pm > at_risk_pct * 10)
		return pm;
	lower(until, permille_crossing(t, now, at_risk_pct * 10));
	return -1;
}

void biller_eval(const struct biller *b, int64_t now, int at_risk_pct,
		 struct biller_eval *out)
{
	biller_eval_all(b, NULL, 0, now, at_risk_pct, NULL, NULL, out);
}

void biller_eval_held(const struct biller *b, const struct hold *holds,
		      size_t nholds, int64_t now, int at_risk_pct,
		      struct biller_eval *out)
{
	biller_eval_all(b, holds, nholds, now, at_risk_pct, NULL, NULL, out);
}

void biller_eval_fc(const struct biller *b, int64_t now, int at_risk_pct,
		    const struct fc_history *h, const struct forecast_opts *o,
		    struct biller_eval *out)
{
	biller_eval_all(b, NULL, 0, now, at_risk_pct, h, o, out);
}

/* The batches that may decide a biller's status, one of each kind. */
struct picks {
	const struct batch *failed, *late, *risk, *other, *running, *sched;
	const struct batch *closed_late, *closed, *held;
	const struct hold *held_by;
	int risk_pm;
	bool risk_fc;
	int nrisk;		/* open batches at risk */
	bool rising;		/* one of them by the fixed rule, whose share
				 * of the window grows by the second */
	int64_t until;		/* biller_eval.until so far */
};

/* Look at open (running or scheduled) batch t: the riskiest, the running
 * one with the earliest deadline, the first scheduled. */
static void pick_open(struct picks *p, const struct biller *b,
		      const struct batch *t, int64_t now, int at_risk_pct,
		      const struct fc_history *h, const struct forecast_opts *o)
{
	bool fc;
	int pm = risk_of(b, t, now, at_risk_pct, h, o, &fc, &p->until);

	if (pm >= 0) {
		p->nrisk++;
		p->rising |= !fc;
	}
	if (pm >= 0 && pm > p->risk_pm) {
		p->risk = t;
		p->risk_pm = pm;
		p->risk_fc = fc;
	}
	if (t->state == BATCH_RUNNING && deadline_before(t, p->running))
		p->running = t;
	if (t->state == BATCH_SCHEDULED &&
	    (!p->sched || t->scheduled_at < p->sched->scheduled_at))
		p->sched = t;
}

/* Look at closed batch t: the latest finish, and the one most late. */
static void pick_closed(struct picks *p, const struct batch *t)
{
	const struct batch *cl = p->closed_late;

	if (t->finished_at != BT_NO_TIME && t->deadline_at != BT_NO_TIME &&
	    t->finished_at > t->deadline_at &&
	    (!cl || t->finished_at - t->deadline_at >
			    cl->finished_at - cl->deadline_at))
		p->closed_late = t;
	if (!p->closed || t->finished_at > p->closed->finished_at)
		p->closed = t;
}

/* With more than one close at risk, the riskiest (risk_pm) stays the
 * focus until another open close's chance could reach it: the earliest
 * such instant of the others (each chance only grows while its answers
 * hold; forecast_until_above).  A fixed-rule risk grows by the second,
 * and decide() looks again then. */
static int64_t overtaken_at(const struct biller *b, const struct hold *holds,
			    size_t nholds, int64_t now,
			    const struct fc_history *h,
			    const struct forecast_opts *o, const struct picks *p)
{
	int64_t until = INT64_MAX;

	if (!h || !o || !p->risk_fc)
		return until;
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];

		if (t == p->risk || (t->state != BATCH_RUNNING &&
				     t->state != BATCH_SCHEDULED) ||
		    deadline_passed(t, now) ||
		    hold_batch_held(holds, nholds, b->biller_id, t, NULL))
			continue;
		lower(&until, forecast_until_above(h, b, t, now, o, p->risk_pm));
	}
	return until;
}

/* The status from the picks, most urgent first; *out's time left and
 * share of the window from its focus. */
static void decide(const struct picks *p, int64_t now, struct biller_eval *out)
{
	if (p->failed) {
		out->status = BS_FAILED;
		out->focus = p->failed;
	} else if (p->late) {
		out->status = BS_LATE;
		out->focus = p->late;
	} else if (p->risk) {
		out->status = BS_AT_RISK;
		out->focus = p->risk;
		out->by_forecast = p->risk_fc;
		/* Two risks, one growing: which is riskiest can change any
		 * second. */
		if (p->nrisk > 1 && p->rising)
			out->until = now + 1;
		/* Two risks: the riskier can change when another's chance
		 * reaches this one's (biller_eval_all). */
	} else if (p->other) {
		out->status = BS_OTHER;
		out->focus = p->other;
	} else if (p->held) {
		out->status = BS_HELD;
		out->focus = p->held;
		out->hold = p->held_by;
		return;		/* no countdown: it waits for its release */
	} else if (p->running) {
		out->status = BS_RUNNING;
		out->focus = p->running;
	} else if (p->sched) {
		out->status = BS_SCHEDULED;
		out->focus = p->sched;
	} else if (p->closed_late) {
		out->status = BS_CLOSED_LATE;
		out->focus = p->closed_late;
		out->time_left = p->closed_late->finished_at -
				 p->closed_late->deadline_at;
		out->permille = 1000;
		return;
	} else if (p->closed) {
		out->status = BS_CLOSED;
		out->focus = p->closed;
		out->permille = 1000;
		return;
	} else {
		return;
	}
	out->permille = window_permille(out->focus, now);
	out->time_left = out->focus->deadline_at == BT_NO_TIME
				 ? 0 : out->focus->deadline_at - now;
}

void biller_eval_all(const struct biller *b, const struct hold *holds,
		     size_t nholds, int64_t now, int at_risk_pct,
		     const struct fc_history *h,
		     const struct forecast_opts *o, struct biller_eval *out)
{
	struct picks p = { .risk_pm = -1, .until = INT64_MAX };

	out->status = BS_NONE;
	out->focus = NULL;
	out->time_left = 0;
	out->permille = 0;
	out->hold = NULL;
	out->by_forecast = false;

	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];
		int open = t->state != BATCH_CLOSED && t->state != BATCH_FAILED;

		if (note_held(holds, nholds, b->biller_id, t, &p.held,
			      &p.held_by))
			continue;
		if (t->state == BATCH_FAILED && deadline_before(t, p.failed))
			p.failed = t;
		if (open && deadline_passed(t, now) && deadline_before(t, p.late))
			p.late = t;
		if (open && t->deadline_at != BT_NO_TIME && t->deadline_at > now)
			lower(&p.until, t->deadline_at);	/* goes late */
		switch (t->state) {
		case BATCH_RUNNING:
		case BATCH_SCHEDULED:
			pick_open(&p, b, t, now, at_risk_pct, h, o);
			break;
		case BATCH_OTHER:
			if (deadline_before(t, p.other))
				p.other = t;
			break;
		case BATCH_CLOSED:
			pick_closed(&p, t);
			break;
		case BATCH_FAILED:
		case BATCH_HELD:	/* held, seen above */
			break;
		}
	}
	out->until = now == BT_NO_TIME ? BT_NO_TIME : p.until;
	decide(&p, now, out);
	if (out->status == BS_AT_RISK && p.nrisk > 1 && out->until != BT_NO_TIME)
		lower(&out->until, overtaken_at(b, holds, nholds, now, h, o, &p));
}

void biller_eval_retime(struct biller_eval *ev, int64_t now)
{
	/* As decide() does for the statuses that count down. */
	switch (ev->status) {
	case BS_FAILED:
	case BS_LATE:
	case BS_AT_RISK:
	case BS_OTHER:
	case BS_RUNNING:
	case BS_SCHEDULED:
		ev->permille = window_permille(ev->focus, now);
		ev->time_left = ev->focus->deadline_at == BT_NO_TIME
					? 0 : ev->focus->deadline_at - now;
		break;
	default:
		break;
	}
}

const char *biller_status_label(enum biller_status s)
{
	static const char *const labels[BS__COUNT] = {
		[BS_FAILED] = "FAILED",
		[BS_LATE] = "LATE",
		[BS_AT_RISK] = "AT RISK",
		[BS_OTHER] = "UNKNOWN",
		[BS_HELD] = "HELD",
		[BS_RUNNING] = "running",
		[BS_SCHEDULED] = "sched",
		[BS_CLOSED_LATE] = "closed late",
		[BS_CLOSED] = "closed",
		[BS_NONE] = "no close",
	};

	return (unsigned)s < BS__COUNT ? labels[s] : "?";
}

int biller_autopay_pct(const struct biller *b)
{
	if (b->ap_payments == BT_NO_INT || b->ap_failed == BT_NO_INT ||
	    b->ap_payments <= 0 || b->ap_failed < 0)
		return -1;
	if (b->ap_failed >= b->ap_payments)
		return 100;
	return (int)((int64_t)b->ap_failed * 100 / b->ap_payments);
}
