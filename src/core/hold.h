/*
 * hold.h - a shard's holds (contract v3, doc/contract.md "Version 3:
 * holds") and which batches they hold.
 *
 * The poller reads a shard's active holds and those ended in the last
 * night (query/query_holds.c) into the snapshot (snapshot.holds); this
 * module answers the questions the views ask of them: does this hold
 * select that batch, which hold holds it, is a hold due for release.
 * The matching is the contract's, done again here so the view needs no
 * query: NULL in the hold means "any", ids and texts compare byte for
 * byte, business days compare as ISO dates (YYYY-MM-DD).
 *
 * Strings live in the snapshot's arena.  biller_id, payment_type and
 * module are kept exactly as the shard sent them (keys, sanitized only
 * when drawn); reason, placed_by, ended_by and ended_how are sanitized.
 */
#ifndef BT_HOLD_H
#define BT_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct batch;

enum hold_kind {
	HOLD_BATCH_CLOSE,
	HOLD_AUTOPAY_INVOICE,
	HOLD_OTHER,		/* a kind batchtop does not know: holds nothing */
};

struct hold {
	int64_t hold_id;
	enum hold_kind kind;
	const char *kind_text;		/* as the shard sent it */
	const char *biller_id;		/* NULL: every biller of the shard */
	const char *payment_type;	/* NULL: any */
	const char *module;		/* NULL: any */
	const char *day_from;		/* "YYYY-MM-DD"; NULL: open-ended */
	const char *day_to;		/* "YYYY-MM-DD"; NULL: open-ended */
	const char *reason;
	const char *placed_by;
	int64_t placed_at;		/* epoch ms, shard clock */
	int64_t expires_at;		/* BT_NO_TIME: until released */
	int64_t ended_at;		/* BT_NO_TIME: active */
	const char *ended_by;		/* "" while active */
	const char *ended_how;		/* released | written_off | ""  */
	/* What it holds now, as the shard counted it in the same poll. */
	int n_batches;			/* held batches (held, or failed) */
	int n_invoices;			/* invoices that need a rerun */
	int64_t held_cents;		/* their amount_cents, summed */
};

enum hold_kind hold_kind_from_text(const char *kind);

static inline bool hold_active(const struct hold *h)
{
	return h->ended_at == INT64_MIN;	/* BT_NO_TIME */
}

/* Active, with an expiry that has passed at now (epoch ms, shard clock):
 * it does not release itself, someone must. */
bool hold_due(const struct hold *h, int64_t now);

/* Does h's selection cover an item of this biller, payment type, module
 * and business day (any of them NULL: an item that has none, which only a
 * hold with NULL there selects; a NULL day matches only an open range)?
 * Kind and activity are not looked at. */
bool hold_selects(const struct hold *h, const char *biller_id,
		  const char *payment_type, const char *module,
		  const char *business_day);

/* The oldest active batch_close hold of holds[0..n) that selects batch t
 * of biller_id, or NULL. */
const struct hold *hold_for_batch(const struct hold *holds, size_t n,
				  const char *biller_id, const struct batch *t);

/* Is t held: its status is 'held', or it has not started or has failed
 * and an active hold selects it?  A running or closed batch is never
 * held (a hold stops no attempt).  *by, when not NULL, gets the hold
 * (NULL for a 'held' batch whose hold batchtop did not read). */
bool hold_batch_held(const struct hold *holds, size_t n,
		     const char *biller_id, const struct batch *t,
		     const struct hold **by);

/* The oldest active hold of any kind naming biller_id (or every biller),
 * or NULL: what the biller detail shows. */
const struct hold *hold_for_biller(const struct hold *holds, size_t n,
				   const char *biller_id);

#endif
