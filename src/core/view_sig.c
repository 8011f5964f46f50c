/*
 * view_sig.c - what the view's incremental rebuild (view.c) compares to
 * tell that a biller or a shard's holds are the same in a new snapshot.
 */
#include "autoconf.h"

#include <string.h>

#include "core/arena.h"
#include "core/hold.h"
#include "core/view_sig.h"

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

/*
 * What biller_eval_all() reads of b, as 64 bits.  A poll that did not
 * change a biller hands its batches on byte for byte (snapshot_merge), so
 * the same signature in the next snapshot means the same evaluation and
 * its pointers are only moved over.  Strings count by address: a changed
 * row's strings are new allocations, made while the snapshot that had the
 * old ones was still held by the view, so they cannot share an address.
 */
uint64_t biller_sig(const struct biller *b)
{
	uint64_t h;

	/* A biller in a home block of its own (every polled one) is the
	 * same biller, byte for byte, in every snapshot that shares that
	 * home: a change is parsed into a new one (core/snapshot.h).  Its
	 * serial says so without reading a batch (with the addresses of the
	 * biller's id and batches in it, for a home that holds several, as
	 * a test's snapshot does); the top bit keeps it apart from the
	 * hashes below. */
	if (b->home)
		return mix(mix(biller_home_serial(b), (uintptr_t)b->biller_id),
			   (uintptr_t)b->batches) | (uint64_t)1 << 63;
	h = mix((uintptr_t)b->biller_id, b->nbatches);

	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];

		h = mix(h, (uintptr_t)t->batch_id);
		h = mix(h, (uintptr_t)t->kind->business_day);
		h = mix(h, (uintptr_t)t->kind->payment_type ^ (uintptr_t)t->kind->module << 1);
		h = mix(h, (uintptr_t)t->kind->status ^ (uintptr_t)t->kind->bad << 1);
		h = mix(h, (uint64_t)t->state << 8 | (uint64_t)(t->deadline_inf + 1));
		h = mix(h, (uint64_t)t->scheduled_at);
		h = mix(h, (uint64_t)t->deadline_at);
		h = mix(h, (uint64_t)t->started_at);
		h = mix(h, (uint64_t)t->finished_at);
	}
	return h;
}

static uint64_t text_sig(uint64_t h, const char *s)
{
	if (!s)
		return mix(h, 1);
	for (; *s; s++)
		h = mix(h, (unsigned char)*s);
	return mix(h, 0);
}

/* The holds by content (each poll reads them anew; there are few). */
uint64_t holds_sig(const struct snapshot *s)
{
	uint64_t h = mix(0, s->nholds);

	for (size_t i = 0; i < s->nholds; i++) {
		const struct hold *x = &s->holds[i];

		h = mix(h, (uint64_t)x->hold_id);
		h = mix(h, (uint64_t)x->kind);
		h = mix(h, (uint64_t)x->expires_at);
		h = mix(h, (uint64_t)x->ended_at);
		h = text_sig(h, x->biller_id);
		h = text_sig(h, x->payment_type);
		h = text_sig(h, x->module);
		h = text_sig(h, x->day_from);
		h = text_sig(h, x->day_to);
	}
	return h;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * Whether b, a new record of biller a (the same place in its shard's
 * snapshots), gives an evaluation the same input: the same batches with
 * the same states, instants and words, which is all biller_eval_all(),
 * its forecasts (forecast_miss reads ids, payment type, module, times,
 * state, the batch count) and the holds it is matched against read.  A
 * poll that saw only attempts or updated_at move (bench-fleet's churn),
 * or an error text, a rerun, the priority or the name change, parses the
 * biller anew all the same: its evaluation, its due instant and its
 * forecasts' count stand.  Compared field by field, not hashed: the old
 * record is still there (view_seen.snap).
 */
/* A batch's words (one interned copy per shard, most of the time). */
static bool same_kind(const struct batch_kind *x, const struct batch_kind *y)
{
	return x == y ||
	       (same_text(x->business_day, y->business_day) &&
		same_text(x->payment_type, y->payment_type) &&
		same_text(x->module, y->module) &&
		same_text(x->status, y->status) && same_text(x->bad, y->bad));
}

bool view_same_input(const struct biller *a, const struct biller *b)
{
	if (a->nbatches != b->nbatches || !same_text(a->biller_id, b->biller_id))
		return false;
	for (size_t k = 0; k < a->nbatches; k++) {
		const struct batch *x = &a->batches[k], *y = &b->batches[k];

		if (x->state != y->state || x->scheduled_at != y->scheduled_at ||
		    x->deadline_at != y->deadline_at ||
		    x->started_at != y->started_at ||
		    x->finished_at != y->finished_at ||
		    x->deadline_inf != y->deadline_inf ||
		    !same_text(x->batch_id, y->batch_id) ||
		    !same_kind(x->kind, y->kind))
			return false;
	}
	return true;
}

/* Whether the batches of b, a new record of a with the same input, have
 * the same latest rerun requests: then whether someone acted is what it
 * was, but for the dashboard's own word (rerun_gen), as for a record
 * handed on unchanged. */
bool view_same_reruns(const struct biller *a, const struct biller *b)
{
	for (size_t k = 0; k < a->nbatches; k++) {
		const struct batch *x = &a->batches[k], *y = &b->batches[k];

		if (batch_rerun_id(x) != batch_rerun_id(y) ||
		    !same_text(batch_rerun_status(x), batch_rerun_status(y)))
			return false;
	}
	return true;
}
