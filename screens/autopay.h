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

/* "$1,234.56" ("-" for a negative, i.e. unknown, amount) into buf. */
char *autopay_money(char *buf, size_t n, long long cents);

/* autopay.c: load every shard's failed invoices again; forget a mark. */
void autopay_reload(struct app *app);
void autopay_unmark(int shard, const char *invoice);

/* autopay_rerun.c: confirm and send the reruns of cand (the marked rows,
 * or the selected one); those that may not be rerun are listed as
 * skipped, with why. */
void autopay_rerun_open(struct app *app, const struct ap_row **cand,
			size_t ncand);
/* The answer to the last rerun of an invoice, or NULL. */
const struct ap_key *autopay_answer(int shard, const char *invoice);
/* Whether answers to the last reruns are still awaited. */
bool autopay_rerun_busy(void);
/* Leaving the screen: forget answers and an open confirmation; answers
 * still on their way are ignored. */
void autopay_rerun_reset(void);

#endif
