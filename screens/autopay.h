/*
 * autopay.h - the parts of the autopay screen (screens/autopay.c: the
 * list; screens/autopay_rerun.c: the reruns of marked invoices, their
 * confirmation and their answers).  Private to those two files.
 */
#ifndef BT_AUTOPAY_H
#define BT_AUTOPAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "query/query_autopay.h"
#include "ui/lineedit.h"
#include "ui/listcursor.h"

/* Marks and answers, kept by (shard, invoice) across reloads. */
struct ap_key {
	int shard;
	char *invoice;
	char word[16];		/* answers only: created, refused, ... */
	char detail[200];
};

struct ap_key *autopay_key_find(struct ap_key *k, size_t n, int shard,
			       const char *invoice);
struct ap_key *autopay_key_add(struct ap_key **k, size_t *n, int shard,
			      const char *invoice);
void autopay_keys_free(struct ap_key **k, size_t *n);

struct rerun_order;

/* autopay_rerun.c's part of an instance: the answers to its reruns and
 * the confirmation open over it. */
struct ap_rerun {
	struct ap_key *answers;
	size_t nanswers;
	int outstanding;		/* rerun answers still awaited */
	unsigned long tag;		/* of this instance's last round */
	/* The confirmation: the invoices it will send, frozen. */
	struct rerun_order *order;
	char **lines;
	size_t nlines;
};

enum ap_sort { AS_STATUS, AS_AMOUNT, AS_FAILED, AS_BILLER, AS_SHARD, AS__COUNT };

/* One instance of the screen (its state_size bytes). */
struct autopay_st {
	struct ap_row *rows;
	size_t n, cap;
	size_t *vis;			/* the rows shown, in order */
	size_t nvis;
	size_t nshards;
	unsigned *job;			/* per shard: load in flight, 0 none */
	char **err;			/* per shard: why it did not answer */
	bool *answered;
	int64_t loaded_at;
	struct listcursor lc;
	bool editing;
	struct lineedit edit;		/* the filter while it is typed */
	char filter[LINEEDIT_MAX];
	char saved[LINEEDIT_MAX];	/* the filter before: Esc puts it back */
	enum ap_sort sort;
	struct ap_key *marks;
	size_t nmarks;
	struct ap_rerun rr;
};

/* "$1,234.56" ("-" for a negative, i.e. unknown, amount) into buf. */
char *autopay_money(char *buf, size_t n, long long cents);

/* autopay.c: load every shard's failed invoices again; forget a mark. */
void autopay_reload(struct app *app, struct autopay_st *A);
void autopay_unmark(struct autopay_st *A, int shard, const char *invoice);

/* autopay_rerun.c: confirm and send the reruns of cand (the marked rows,
 * or the selected one); those that may not be rerun are listed as
 * skipped, with why. */
void autopay_rerun_open(struct app *app, struct autopay_st *A,
			const struct ap_row **cand, size_t ncand);
/* The answer to the last rerun of an invoice, or NULL. */
const struct ap_key *autopay_answer(const struct autopay_st *A, int shard,
				    const char *invoice);
/* Whether answers to the last reruns are still awaited. */
bool autopay_rerun_busy(const struct autopay_st *A);
/* Leaving the screen: free the answers and a confirmation; answers still
 * on their way are ignored. */
void autopay_rerun_free(struct autopay_st *A);

#endif
