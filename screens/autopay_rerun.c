/*
 * autopay_rerun.c - reruns of failed autopay invoices (see autopay.h):
 * which of the marked invoices may be rerun and why not, the dialog that
 * lists them, and the answers shown in the RERUN column.
 *
 * The invoices are frozen as a rerun_order (rerun_order.h) when the
 * dialog opens; the answer is audited there first and `y` sends through
 * it.  Each round of sends has its own tag (last_tag below), so answers
 * that arrive after the screen was left are ignored.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "screens/autopay.h"
#include "ui/confirm.h"
#include "write/rerun.h"
#include "write/rerun_order.h"
#include "screens/screens.h"
#include "core/text.h"
#include "ui/ui_report.h"
#include "core/xalloc.h"

/* The tag of the last round of sends of any instance: each round gets a
 * new one, so an answer is counted only by the instance (and the round)
 * that sent it, never by a later opening of the screen. */
static unsigned long last_tag;

void autopay_keys_free(struct ap_key **k, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*k)[i].invoice);
	free(*k);
	*k = NULL;
	*n = 0;
}

struct ap_key *autopay_key_find(struct ap_key *k, size_t n, int shard,
			       const char *invoice)
{
	for (size_t i = 0; i < n; i++)
		if (k[i].shard == shard && !strcmp(k[i].invoice, invoice))
			return &k[i];
	return NULL;
}

struct ap_key *autopay_key_add(struct ap_key **k, size_t *n, int shard,
			      const char *invoice)
{
	struct ap_key *e;

	*k = xrealloc(*k, (*n + 1) * sizeof **k);
	e = &(*k)[(*n)++];
	memset(e, 0, sizeof *e);
	e->shard = shard;
	e->invoice = xstrdup(invoice);
	return e;
}

/* Why an invoice is not rerun, or NULL when it may be. */
static const char *skip_reason(const struct app *app, const struct ap_row *r,
			       char *why, size_t n)
{
	if (r->demo)
		return "belongs to a demo biller: never rerun";
	if (!r->known)
		return "its biller is not in batchtop.biller: the shard would refuse";
	if (!strcmp(r->status, "paid_other"))
		return "paid another way";
	if (!strcmp(r->status, "not_eligible"))
		return "no longer eligible for autopay";
	if (!strcmp(r->status, "rerun_pending"))
		return "a rerun is already on its way";
	if (!strcmp(r->status, "rerun_done"))
		return "already rerun successfully";
	if (strcmp(r->status, "needs_rerun")) {
		snprintf(why, n, "status %s: only needs_rerun is rerun", r->status);
		return why;
	}
	if (!rerun_may_send(app, r->shard, RERUN_INVOICE, r->invoice, why, n))
		return why;
	return NULL;
}

static void free_confirmation(struct ap_rerun *R)
{
	rerun_order_free(R->order);
	R->order = NULL;
	for (size_t i = 0; i < R->nlines; i++)
		free(R->lines[i]);
	free(R->lines);
	R->lines = NULL;
	R->nlines = 0;
}

/* The instance whose last round had tag, or NULL. */
static struct autopay_st *sent_by(const struct app *app, unsigned long tag)
{
	for (int i = app->depth - 1; i >= 0; i--) {
		struct autopay_st *A = app->stack[i].st;

		if (app->stack[i].s == &screen_autopay && A->rr.tag == tag)
			return A;
	}
	return NULL;
}

static void on_answer(struct app *app, const struct rerun_answer *a,
		      unsigned long tag)
{
	struct autopay_st *A = sent_by(app, tag);
	struct ap_rerun *R;
	struct ap_key *k;
	int created = 0, other = 0;

	if (!A)
		return;		/* the screen was left since */
	R = &A->rr;
	k = autopay_key_find(R->answers, R->nanswers, a->shard, a->target);
	if (!k)
		k = autopay_key_add(&R->answers, &R->nanswers, a->shard,
				    a->target);
	snprintf(k->word, sizeof k->word, "%s", rerun_result_word(a->result));
	snprintf(k->detail, sizeof k->detail, "%s", a->detail);
	if (a->result == RR_REREAD_OPEN || a->result == RR_REREAD_NONE)
		return;		/* the second word on an unknown one */
	if (R->outstanding > 0 && --R->outstanding == 0) {
		for (size_t i = 0; i < R->nanswers; i++) {
			if (!strcmp(R->answers[i].word, "created"))
				created++;
			else
				other++;
		}
		screen_message(app, "invoices: %d created, %d not (see the RERUN column); "
			   "reloading", created, other);
		app->message_until = app->mono + 10000;
		autopay_reload(app, A);
	}
	app->dirty = true;
}

/* The answer to the rerun of an invoice that was never sent. */
static void not_sent(struct ap_rerun *R, const struct rerun_target *t,
		     const char *why)
{
	struct ap_key *k = autopay_key_add(&R->answers, &R->nanswers, t->shard,
					   t->id);

	snprintf(k->word, sizeof k->word, "not-sent");
	snprintf(k->detail, sizeof k->detail, "%.190s", why);
}

static void confirm_answer(struct app *app, void *ctx, bool yes,
			   const char *typed)
{
	struct autopay_st *A = ctx;
	struct ap_rerun *R = &A->rr;
	size_t sent, n = rerun_order_count(R->order);

	(void)typed;
	R->tag = ++last_tag;	/* answers to an earlier round are not counted */
	sent = rerun_order_decide(app, R->order, yes, false, &ui_report, on_answer,
				  R->tag);
	if (!rerun_order_confirmed(R->order)) {
		free_confirmation(R);
		return;
	}
	/* The answers of this round replace the last one's (none can have
	 * arrived yet: they come through the loop). */
	autopay_keys_free(&R->answers, &R->nanswers);
	R->outstanding += (int)sent;
	for (size_t i = 0; i < n; i++) {
		const struct rerun_target *t = rerun_order_target(R->order, i);

		if (rerun_order_why(R->order, i))
			not_sent(R, t, rerun_order_why(R->order, i));
		autopay_unmark(A, t->shard, t->id);	/* asked: no longer marked */
	}
	if (sent)
		screen_message(app, "sending %zu invoice rerun%s...", sent,
			   sent == 1 ? "" : "s");
	free_confirmation(R);
}

static size_t confirm_nlines(void *ctx)
{
	const struct ap_rerun *R = &((struct autopay_st *)ctx)->rr;
	long room = LINES - 5 - 5;

	if (room < 1)
		room = 1;
	return R->nlines < (size_t)room ? R->nlines : (size_t)room;
}

static void confirm_line(struct app *app, void *ctx, size_t i, char *buf,
			 size_t n, enum paint *p)
{
	const struct ap_rerun *R = &((struct autopay_st *)ctx)->rr;
	size_t shown = confirm_nlines(ctx);

	(void)app;
	if (i + 1 == shown && shown < R->nlines) {
		snprintf(buf, n, "  ... and %zu more lines", R->nlines - shown + 1);
		return;
	}
	if (i < R->nlines) {
		snprintf(buf, n, "%s", R->lines[i]);
		if (!strncmp(R->lines[i], "Skipped", 7))
			*p = PAINT_WARN;
	}
}

static void add_line(struct ap_rerun *R, char *s)
{
	R->lines = xrealloc(R->lines, (R->nlines + 1) * sizeof *R->lines);
	R->lines[R->nlines++] = s;
}

/* Freeze the candidates that may be rerun into R->order; returns their
 * total amount in cents. */
static long long freeze_invoices(struct app *app, struct ap_rerun *R,
				 const struct ap_row **cand, size_t ncand)
{
	struct rerun_target *t = xcalloc(ncand, sizeof *t);
	long long total = 0;
	size_t n = 0;
	char why[400];

	for (size_t i = 0; i < ncand; i++) {
		const struct ap_row *r = cand[i];

		if (skip_reason(app, r, why, sizeof why))
			continue;
		t[n++] = (struct rerun_target){
			.shard = r->shard, .kind = RERUN_INVOICE, .id = r->invoice,
			.words = *r->biller ? r->biller : r->biller_id,
		};
		if (r->amount > 0)
			total += r->amount;
	}
	R->order = rerun_order_freeze(app, "autopay", "autopay rerun from batchtop",
				     t, n);
	free(t);
	return total;
}

/* The dialog's text: what is sent, then what is skipped and why. */
static void dialog_lines(struct app *app, struct ap_rerun *R,
			 const struct ap_row **cand, size_t ncand, long long total)
{
	size_t nsend = rerun_order_count(R->order), nskip = 0;
	char why[400], m[64];
	bool odd = false;

	add_line(R, xasprintf("Rerun %zu autopay invoice%s, %s in all, as %s:", nsend,
			   nsend == 1 ? "" : "s", autopay_money(m, sizeof m, total),
			   rerun_requested_by()));
	for (size_t i = 0; i < ncand; i++) {
		const struct ap_row *r = cand[i];
		char *inv;

		if (skip_reason(app, r, why, sizeof why))
			continue;
		inv = text_escape(r->invoice);
		add_line(R, xasprintf("  %s  %s  %s  %s  failed: %s", inv,
				   *r->biller ? r->biller : r->biller_id,
				   shard_poller_name(app->pollers[r->shard]),
				   autopay_money(m, sizeof m, r->amount), r->exception));
		odd = odd || text_needs_escape(r->invoice);
		free(inv);
	}
	if (odd)
		add_line(R, xasprintf("Note: an invoice id contains characters that do "
				   "not display: shown as <U+XXXX> or <0xXX>"));
	for (size_t i = 0; i < ncand; i++) {
		const struct ap_row *r = cand[i];
		const char *reason = skip_reason(app, r, why, sizeof why);
		char *inv;

		if (!reason)
			continue;
		if (!nskip++)
			add_line(R, xasprintf("Skipped (not sent):"));
		inv = text_escape(r->invoice);
		add_line(R, xasprintf("  %s  %s  %s: %s", inv,
				   shard_poller_name(app->pollers[r->shard]),
				   *r->biller ? r->biller : r->biller_id, reason));
		free(inv);
	}
	add_line(R, xasprintf("The shard checks each one again and refuses any that "
			   "was paid or is no longer eligible."));
}

void autopay_rerun_open(struct app *app, struct autopay_st *A,
			const struct ap_row **cand, size_t ncand)
{
	struct ap_rerun *R = &A->rr;
	size_t nsend;
	char title[160], prompt[300];

	free_confirmation(R);
	dialog_lines(app, R, cand, ncand, freeze_invoices(app, R, cand, ncand));
	nsend = rerun_order_count(R->order);
	if (!nsend) {
		screen_message(app, "none of the %zu invoice%s needs a rerun (see the "
			   "STATUS column)", ncand, ncand == 1 ? "" : "s");
		free_confirmation(R);
		return;
	}
	snprintf(title, sizeof title, "Rerun %zu autopay invoice%s", nsend,
		 nsend == 1 ? "" : "s");
	snprintf(prompt, sizeof prompt, "y: send %zu request%s      any other key: "
		 "cancel", nsend, nsend == 1 ? "" : "s");
	const struct confirm c = {
		.title = title, .prompt = prompt, .nlines = confirm_nlines,
		.line = confirm_line, .answer = confirm_answer, .ctx = A,
	};

	if (!confirm_open(app, &c))
		free_confirmation(R);
}

const struct ap_key *autopay_answer(const struct autopay_st *A, int shard,
				    const char *invoice)
{
	return autopay_key_find(A->rr.answers, A->rr.nanswers, shard, invoice);
}

bool autopay_rerun_busy(const struct autopay_st *A)
{
	return A->rr.outstanding > 0;
}

void autopay_rerun_free(struct autopay_st *A)
{
	autopay_keys_free(&A->rr.answers, &A->rr.nanswers);
	free_confirmation(&A->rr);
	A->rr.tag = 0;	/* answers still on their way are ignored */
}
