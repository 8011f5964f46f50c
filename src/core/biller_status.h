/*
 * biller_status.h - the status of a biller at a given moment, derived
 * from its batches in a snapshot (batchtop(1), "STATUS").  Pure: no
 * threads, no I/O.
 */
#ifndef BT_BILLER_STATUS_H
#define BT_BILLER_STATUS_H

#include <stddef.h>
#include <stdint.h>

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

struct biller_eval {
	enum biller_status status;
	const struct batch *focus;	/* the batch that decides the row, or NULL */
	int64_t time_left;		/* ms to focus's deadline (<0: late by);
					 * for closed late: finished - deadline */
	int permille;			/* of focus's window elapsed, 0..1000+ */
	const struct hold *hold;	/* BS_HELD: the hold, NULL if unread */
};

/* Derive the status of b at now (shard time, ms). */
void biller_eval(const struct biller *b, int64_t now, int at_risk_pct,
		 struct biller_eval *out);
/* The same with the shard's holds (core/hold.h): a held batch is neither
 * failed, late nor scheduled; it makes the biller HELD unless another of
 * its batches is failed, late or at risk. */
void biller_eval_held(const struct biller *b, const struct hold *holds,
		      size_t nholds, int64_t now, int at_risk_pct,
		      struct biller_eval *out);

/* "FAILED", "LATE", "AT RISK", ... never NULL. */
const char *biller_status_label(enum biller_status s);

/* Autopay failure percentage of the latest run, or -1 when unknown. */
int biller_autopay_pct(const struct biller *b);

#endif
