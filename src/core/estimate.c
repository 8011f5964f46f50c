/*
 * estimate.c - the rerun dialog's payment-file verdict in words (see
 * estimate.h).
 *
 * The p95 is rounded up and the time left down, so a "makes" never shows
 * a p95 above the time left; the odds are said as the operator would say
 * them ("50/50", "1 in 3") and the words say what the forecast rests on,
 * so a verdict from a pool of similar billers reads differently from one
 * from the biller's own closes.
 */
#include "autoconf.h"

#include <stdio.h>

#include "core/estimate.h"
#include "core/timefmt.h"

enum estimate_verdict estimate_verdict(const struct estimate_in *in)
{
	const struct fc_rerun *r = in->fc;

	if (!r)
		return in->unread ? EST_STALE : EST_ASKING;
	if (r->stale)
		return EST_STALE;
	if (r->source == FC_NONE)
		return r->closes ? EST_THIN : EST_NO_HISTORY;
	if (r->p_miss < 0)
		return EST_THIN;
	if (r->p_miss * 100.0 >= (double)in->will_miss_pct)
		return EST_WILL_MISS;
	if (r->p_miss * 100.0 >= (double)in->at_risk_pct)
		return EST_MAY_MISS;
	return EST_MAKES;
}

char *estimate_minutes(char *buf, size_t n, int64_t ms, bool up)
{
	if (ms < 0)
		ms = 0;
	if (ms < 60 * 1000)
		snprintf(buf, n, "%lld s", (long long)((ms + (up ? 999 : 0)) / 1000));
	else
		snprintf(buf, n, "%lld min", (long long)((ms + (up ? 59999 : 0)) /
							 60000));
	return buf;
}

/* "from 23 closes of this biller", "from 6 of its reruns", ... */
static void basis(char *buf, size_t n, const struct fc_rerun *r)
{
	static const char *const of[] = {
		[FC_BILLER] = "of this biller", [FC_MODULE] = "of its module",
		[FC_SIMILAR] = "of billers its size", [FC_NONE] = "",
	};

	if (r->from_reruns)
		snprintf(buf, n, "from %zu of its reruns", r->closes);
	else
		snprintf(buf, n, "from %zu closes %s", r->closes, of[r->source]);
}

/* The odds of a miss in words: "50/50", "1 in 3", "2 in 3". */
static void odds(char *buf, size_t n, double p)
{
	int pct = (int)(p * 100.0 + 0.5);

	if (pct >= 40 && pct <= 60)
		snprintf(buf, n, "50/50");
	else if (pct < 40)
		snprintf(buf, n, "1 in %d", (int)(1.0 / p + 0.5));
	else
		snprintf(buf, n, "%d%% chance", pct);
}

enum estimate_verdict estimate_words(const struct estimate_in *in, char *buf,
				     size_t n)
{
	enum estimate_verdict v = estimate_verdict(in);
	const struct fc_rerun *r = in->fc;
	char left[24], file[16], p50[24], p95[24], from[64], age[16], o[24];
	char what[48] = "";

	estimate_minutes(left, sizeof left, in->left_ms, false);
	fmt_clock(file, sizeof file, in->file_at, 0);
	if (file[6] == '0' && file[7] == '0')
		file[5] = '\0';		/* "01:45", or "01:45:30" in a demo */
	if (in->nbatches > 1)
		snprintf(what, sizeof what, " for %zu in a row", in->nbatches);
	switch (v) {
	case EST_ASKING:
		snprintf(buf, n, "%s left; the biller's close history has not "
			 "been read yet, so no forecast", left);
		return v;
	case EST_STALE:
		if (r)
			snprintf(buf, n, "%s left; the close history is %s old "
				 "(reads are failing), so no forecast", left,
				 fmt_age(age, sizeof age, in->history_age_ms));
		else
			snprintf(buf, n, "%s left; the close history could not be "
				 "read (%s), so no forecast", left, in->unread);
		return v;
	case EST_NO_HISTORY:
	case EST_THIN:
		snprintf(buf, n, "%s left; too few closes of this biller, its "
			 "module or billers its size to forecast", left);
		return v;
	default:
		break;
	}
	estimate_minutes(p50, sizeof p50, r->p50, true);
	estimate_minutes(p95, sizeof p95, r->p95, true);
	basis(from, sizeof from, r);
	if (v == EST_MAKES)
		snprintf(buf, n, "makes the %s file (p95 %s%s, %s left; %s)",
			 file, p95, what, left, from);
	else if (v == EST_WILL_MISS)
		snprintf(buf, n, "will miss the %s file: call Integrations "
			 "(p50 %s%s, %s left; %s)", file, p50, what, left, from);
	else
		snprintf(buf, n, "may miss the %s file: %s (p50 %s, p95 %s%s, "
			 "%s left; %s)", file, (odds(o, sizeof o, r->p_miss), o),
			 p50, p95, what, left, from);
	return v;
}
