/*
 * hold.c - which batches a shard's holds hold (see hold.h).
 *
 * The same test as the contract's batchtop.hold_selects(), on the
 * snapshot's rows: a handful of holds against tonight's batches, so a
 * linear scan per batch is all it needs.
 */
#include "core/hold.h"

#include <string.h>

#include "core/snapshot.h"

enum hold_kind hold_kind_from_text(const char *kind)
{
	if (kind && !strcmp(kind, "batch_close"))
		return HOLD_BATCH_CLOSE;
	if (kind && !strcmp(kind, "autopay_invoice"))
		return HOLD_AUTOPAY_INVOICE;
	return HOLD_OTHER;
}

bool hold_due(const struct hold *h, int64_t now)
{
	return hold_active(h) && h->expires_at != BT_NO_TIME &&
	       now != BT_NO_TIME && h->expires_at <= now;
}

/* NULL in the hold is "any"; an item's NULL matches only that. */
static bool field_matches(const char *want, const char *have)
{
	return !want || (have && !strcmp(want, have));
}

bool hold_selects(const struct hold *h, const char *biller_id,
		  const char *payment_type, const char *module,
		  const char *business_day)
{
	if (!field_matches(h->biller_id, biller_id) ||
	    !field_matches(h->payment_type, payment_type) ||
	    !field_matches(h->module, module))
		return false;
	if (!h->day_from && !h->day_to)
		return true;
	if (!business_day || !business_day[0])
		return false;
	/* ISO dates of four-digit years order as strings do. */
	if (h->day_from && strcmp(business_day, h->day_from) < 0)
		return false;
	if (h->day_to && strcmp(business_day, h->day_to) > 0)
		return false;
	return true;
}

const struct hold *hold_for_batch(const struct hold *holds, size_t n,
				  const char *biller_id, const struct batch *t)
{
	/* holds[] is oldest first, so the first match is the oldest. */
	for (size_t i = 0; i < n; i++) {
		const struct hold *h = &holds[i];

		if (h->kind == HOLD_BATCH_CLOSE && hold_active(h) &&
		    hold_selects(h, biller_id, t->kind->payment_type, t->kind->module,
				 t->kind->business_day))
			return h;
	}
	return NULL;
}

bool hold_batch_held(const struct hold *holds, size_t n,
		     const char *biller_id, const struct batch *t,
		     const struct hold **by)
{
	const struct hold *h = NULL;
	bool held;

	switch (t->state) {
	case BATCH_HELD:
		h = hold_for_batch(holds, n, biller_id, t);
		held = true;
		break;
	case BATCH_SCHEDULED:
	case BATCH_FAILED:
		h = hold_for_batch(holds, n, biller_id, t);
		held = h != NULL;
		break;
	default:
		held = false;
		break;
	}
	if (by)
		*by = h;
	return held;
}

const struct hold *hold_for_biller(const struct hold *holds, size_t n,
				   const char *biller_id)
{
	for (size_t i = 0; i < n; i++) {
		const struct hold *h = &holds[i];

		if (h->kind != HOLD_OTHER && hold_active(h) &&
		    field_matches(h->biller_id, biller_id))
			return h;
	}
	return NULL;
}
