/*
 * holds.h - the holds screen (screens/holds.c) and what its actions
 * (screens/holds_actions.c: the release dialog, the write-off) need of
 * it.  The screens themselves are declared in screens.h.
 */
#ifndef BT_HOLDS_SCREEN_H
#define BT_HOLDS_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "ui/lineedit.h"
#include "ui/listcursor.h"

struct hold;

/* A hold the operator marked: kept by (shard, hold id), so marks survive
 * every poll. */
struct hold_mark {
	int shard;
	int64_t hold_id;
};

/* One row: a hold of a shard's latest snapshot (valid this turn only). */
struct hold_row {
	int shard;
	const struct hold *h;
	int64_t now;		/* the shard's clock */
	char who[96];		/* the biller's name, or "every biller" */
};

/* An invoice a marked hold keeps back, for the write-off. */
struct wo_invoice {
	int shard;
	char *invoice_id;	/* raw */
	char *hold_id;
	int64_t cents;
};

enum holds_sort { HS_PLACED, HS_VALUE, HS_EXPIRY, HS_SHARD, HS__COUNT };

struct holds_st {
	unsigned long id;
	struct listcursor lc;
	struct hold_row *rows;	/* shown, filtered and sorted */
	size_t nrows, cap;
	struct hold_mark *marks;
	size_t nmarks;
	enum holds_sort sort;
	bool reverse;
	bool editing;		/* the filter */
	struct lineedit edit;
	char filter[64];
	/* x: the reason is typed, then the invoices are read, then the count
	 * is typed into the confirmation. */
	bool wo_editing;
	struct lineedit wo_reason;
	char wo_why[LINEEDIT_MAX];	/* the reason, as typed */
	size_t wo_pending;	/* reads not answered yet */
	bool wo_failed;		/* a read failed: nothing is written off */
	struct wo_invoice *wo;
	size_t nwo;
};

/* Whether hold h of shard is marked. */
bool holds_marked(const struct holds_st *H, int shard, int64_t hold_id);
/* Rebuild H->rows from the latest snapshots. */
void holds_rows(struct app *app, struct holds_st *H);

/* u: propose the marked holds' release and open its dialog. */
void holds_release(struct app *app, struct holds_st *H);
/* x: start the write-off of the invoices the marked holds keep back. */
void holds_write_off(struct app *app, struct holds_st *H);
/* The reason typed for the write-off (Enter): read their invoices. */
void holds_write_off_reason(struct app *app, struct holds_st *H);
void holds_write_off_free(struct holds_st *H);

#endif
