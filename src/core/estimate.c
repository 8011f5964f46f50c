/*
 * estimate.c - the rerun dialog's payment-file estimate in words (see
 * estimate.h).
 *
 * Durations are shown as the time left is (fmt_countdown, m:ss), so what
 * the words compare is what the operator reads: a "should make it" never
 * shows a p90 above the time left.
 */
#include "autoconf.h"

#include <stdio.h>

#include "core/estimate.h"
#include "core/timefmt.h"

enum estimate_verdict estimate_verdict(const struct estimate_in *in)
{
	int64_t k = in->nbatches ? (int64_t)in->nbatches : 1;

	if (in->asking)
		return EST_ASKING;
	if (in->unread)
		return EST_UNREAD;
	if (in->closes <= 0 || in->median_ms < 0)
		return EST_NO_HISTORY;
	if (in->closes < ESTIMATE_MIN_CLOSES || in->p90_ms < 0)
		return EST_THIN;
	if (in->median_ms * k > in->left_ms)
		return EST_LIKELY_MISS;
	if (in->p90_ms * k > in->left_ms)
		return EST_MAY_MISS;
	return EST_MAKES;
}

enum estimate_verdict estimate_words(const struct estimate_in *in, char *buf,
				     size_t n)
{
	static const char *const said[] = {
		[EST_MAKES] = "should make it",
		[EST_MAY_MISS] = "may not make it",
		[EST_LIKELY_MISS] = "LIKELY MISSES IT",
	};
	enum estimate_verdict v = estimate_verdict(in);
	int64_t k = in->nbatches ? (int64_t)in->nbatches : 1;
	char left[16], med[24], p90[24], what[48] = "";

	fmt_countdown(left, sizeof left, in->left_ms);
	if (k > 1)
		snprintf(what, sizeof what, " for %d batches in a row", (int)k);
	switch (v) {
	case EST_ASKING:
		snprintf(buf, n, "%s left; estimating from the biller's "
			 "history...", left);
		return v;
	case EST_UNREAD:
		snprintf(buf, n, "%s left; the biller's history could not be "
			 "read (%s), so no estimate", left, in->unread);
		return v;
	case EST_NO_HISTORY:
		snprintf(buf, n, "%s left; no closed batch of this biller in 14 "
			 "days, so no estimate", left);
		return v;
	default:
		break;
	}
	fmt_countdown(med, sizeof med, in->median_ms * k);
	if (v == EST_THIN) {
		snprintf(buf, n, "%s left; too few closes to tell (%ld in 14 days, "
			 "median close %s%s), so no estimate", left, in->closes, med,
			 what);
		return v;
	}
	fmt_countdown(p90, sizeof p90, in->p90_ms * k);
	/* Good news leads with the p90 (it is why the news is good); bad
	 * news with the median. */
	if (v == EST_MAKES)
		snprintf(buf, n, "%s left: %s: p90 %s, median close %s%s "
			 "(%ld closes in 14 days)", left, said[v], p90, med,
			 what, in->closes);
	else
		snprintf(buf, n, "%s left: %s: median close %s, p90 %s%s "
			 "(%ld closes in 14 days)", left, said[v], med, p90,
			 what, in->closes);
	return v;
}
