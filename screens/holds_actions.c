/*
 * holds_actions.c - what the holds screen does with its marks: the
 * release plan's dialog (u) and the write-off of held invoices (x).
 *
 * The release dialog is a screen of its own over the holds: the marked
 * holds in the order they would be released, `o` switches between oldest
 * first and about to bill first, `y` starts the plan (write/
 * plan_release.h audits it first), any other key declines it (audited
 * too).  The write-off asks for a reason on the holds screen's last line,
 * reads the invoices each marked autopay hold keeps back (the contract's
 * own matching), then asks for their count to be typed (ui/confirm.h);
 * only then does each go through write/hold_order.h.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "core/hold.h"
#include "core/snapshot.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "query/query_hold_write.h"
#include "screens/autopay.h"
#include "screens/holds.h"
#include "screens/screens.h"
#include "ui/confirm.h"
#include "ui/draw.h"
#include "ui/ui_report.h"
#include "write/hold_order.h"
#include "write/plan_release.h"
#include "write/rerun.h"

/* --- the release dialog -------------------------------------------------------- */

static void release_draw(struct app *app, void *st)
{
	char line[400];
	size_t n = plan_release_count();
	int y = 4;

	(void)st;
	erase();
	draw_header(app);
	snprintf(line, sizeof line, "Release %zu hold%s, %s, at most %d at once "
		 "per shard", n, n == 1 ? "" : "s",
		 release_by_words(plan_release_by()),
		 app->cfg->max_inflight_per_shard);
	draw_text(2, 1, COLS - 2, line, A_BOLD, 0);
	for (size_t i = 0; i < n && y < LINES - 4; i++, y++) {
		plan_release_item_words(i, line, sizeof line);
		draw_text(y, 3, COLS - 4, line, A_NORMAL, 0);
	}
	draw_text(y + 1, 3, COLS - 4, "Released batches go back to the worker; "
		  "failed ones are rerun. Invoices stay failed until rerun.",
		  draw_attr(PAINT_DIM), 0);
	draw_statusbar(app, "o oldest first / about to bill first   y start "
		       "(audited first)   any other key cancels");
}

static bool release_key(struct app *app, void *st, enum action act, int key)
{
	(void)st;
	(void)act;
	if (key == 'o') {
		plan_release_reorder(app, plan_release_by() == RELEASE_OLDEST
				     ? RELEASE_DUE : RELEASE_OLDEST);
		return true;
	}
	/* Answered before the pop: leaving unanswered declines. */
	if (key == 'y')
		plan_release_start(app, &ui_report);
	else
		plan_release_decline(app, &ui_report);
	screen_pop(app);
	return true;
}

static void release_leave(struct app *app, void *st)
{
	(void)st;
	/* Closed without an answer (batchtop quitting): declined. */
	if (plan_release_proposed())
		plan_release_decline(app, NULL);
}

const struct screen screen_release_dialog = {
	.name = "generic",	/* its keys are its own */
	.draw = release_draw,
	.key = release_key,
	.leave = release_leave,
};

void holds_release(struct app *app, struct holds_st *H)
{
	struct release_pick *p = xcalloc(H->nmarks ? H->nmarks : 1, sizeof *p);
	char (*words)[160] = xcalloc(H->nmarks ? H->nmarks : 1, sizeof *words);
	size_t k = 0;

	if (!H->nmarks) {
		screen_message(app, "mark holds first: Space marks one, * every "
			       "one shown");
		free(p);
		free(words);
		return;
	}
	for (size_t i = 0; i < H->nrows; i++) {
		const struct hold_row *r = &H->rows[i];
		char id[32], why[400];

		if (!holds_marked(H, r->shard, r->h->hold_id))
			continue;
		snprintf(id, sizeof id, "%" PRId64, r->h->hold_id);
		if (hold_order_checking_hold(app, r->shard, id, why, sizeof why)) {
			screen_message(app, "%s", why);
			free(p);
			free(words);
			return;
		}
		snprintf(words[k], sizeof words[k], "%s %s", r->who,
			 r->h->kind_text);
		p[k] = (struct release_pick){ r->shard, r->h->hold_id, words[k] };
		k++;
	}
	if (!k)
		screen_message(app, "none of the marked holds is shown: clear the "
			       "filter");
	else if (plan_release_propose(app, p, k, RELEASE_OLDEST, &ui_report) == 0 &&
		 !screen_push(app, &screen_release_dialog, NULL))
		plan_release_decline(app, &ui_report);
	free(p);
	free(words);
}

/* --- the write-off ------------------------------------------------------------- */

struct wo_review {
	struct hold_order *order;
	char lines[4][300];
	size_t n;
};

void holds_write_off_free(struct holds_st *H)
{
	for (size_t i = 0; i < H->nwo; i++) {
		free(H->wo[i].invoice_id);
		free(H->wo[i].hold_id);
	}
	free(H->wo);
	H->wo = NULL;
	H->nwo = 0;
	H->wo_pending = 0;
	H->wo_failed = false;
}

static struct holds_st *holds_of(struct app *app, unsigned long id)
{
	const struct screen_slot *s = screen_find(app, &screen_holds);
	struct holds_st *H = s ? s->st : NULL;

	return H && H->id == id ? H : NULL;
}

void holds_write_off(struct app *app, struct holds_st *H)
{
	char why[200];
	size_t k = 0;

	if (!hold_order_allowed(app, why, sizeof why)) {
		screen_message(app, "%s", why);
		return;
	}
	for (size_t i = 0; i < H->nrows; i++)
		k += holds_marked(H, H->rows[i].shard, H->rows[i].h->hold_id) &&
		     H->rows[i].h->kind == HOLD_AUTOPAY_INVOICE;
	if (!k) {
		screen_message(app, "mark autopay_invoice holds first: only "
			       "invoices are written off");
		return;
	}
	if (H->wo_pending) {
		screen_message(app, "still reading the held invoices");
		return;
	}
	H->wo_editing = true;
	lineedit_init(&H->wo_reason, NULL, 200);
}

static size_t wo_nlines(void *ctx)
{
	return ((struct wo_review *)ctx)->n;
}

static void wo_line(struct app *app, void *ctx, size_t i, char *buf, size_t n,
		    enum paint *p)
{
	struct wo_review *w = ctx;

	(void)app;
	if (i == 0)
		*p = PAINT_FAILED;
	snprintf(buf, n, "%s", i < w->n ? w->lines[i] : "");
}

static void on_written(struct app *app, const struct hold_answer *a,
		       unsigned long tag)
{
	char *id = text_sanitize(a->target, (size_t)-1);

	(void)tag;
	report_say(&ui_report, app, REPORT_OUTCOME, "invoice %s: %s: %s", id,
		   a->outcome, a->detail);
	free(id);
}

static void wo_answer(struct app *app, void *ctx, bool yes, const char *typed)
{
	struct wo_review *w = ctx;
	char err[300], detail[200];

	if (yes)
		snprintf(detail, sizeof detail, "confirmed by typing the count");
	else
		snprintf(detail, sizeof detail, "cancelled: typed \"%.60s\"",
			 typed ? typed : "");
	if (hold_order_answer(app, w->order, yes, detail, &ui_report, err,
			      sizeof err) == 0) {
		if (yes)
			screen_message_all(app, "write-off: %zu of %zu sent",
					   hold_order_send(app, w->order, NULL, 0,
							   &ui_report, on_written,
							   NULL, 0),
					   hold_order_count(w->order));
		else
			screen_message(app, "nothing written off (%s)", detail);
	}
	hold_order_free(w->order);
	free(w);
}

/* Every read answered: the typed-count confirmation of what they found. */
static void wo_confirm(struct app *app, struct holds_st *H)
{
	struct hold_call *c;
	struct wo_review *w;
	int64_t cents = 0;
	char count[24], money[32], *reason;

	if (H->wo_failed || !H->nwo) {
		screen_message(app, H->wo_failed ? "the held invoices could not be "
			       "read: nothing written off" : "the marked holds keep "
			       "back no invoice that needs a rerun: nothing to "
			       "write off");
		holds_write_off_free(H);
		return;
	}
	c = xcalloc(H->nwo, sizeof *c);
	for (size_t i = 0; i < H->nwo; i++) {
		c[i] = (struct hold_call){
			.shard = H->wo[i].shard, .op = HOLD_WRITE_OFF,
			.target = H->wo[i].invoice_id, .hold_id = H->wo[i].hold_id,
			.words = H->wo[i].invoice_id,
		};
		cents += H->wo[i].cents;
	}
	w = xcalloc(1, sizeof *w);
	w->order = hold_order_freeze(app, "holds", H->wo_why, c, H->nwo);
	free(c);
	autopay_money(money, sizeof money, cents);
	reason = text_sanitize(H->wo_why, (size_t)-1);
	snprintf(w->lines[0], sizeof w->lines[0], "Write off %zu invoice%s worth "
		 "%s: they will never be collected or rerun.", H->nwo,
		 H->nwo == 1 ? "" : "s", money);
	snprintf(w->lines[1], sizeof w->lines[1], "Reason: %s", reason);
	snprintf(w->lines[2], sizeof w->lines[2], "Type %zu and Enter to write "
		 "them off (audited first); anything else cancels.", H->nwo);
	w->n = 3;
	free(reason);
	snprintf(count, sizeof count, "%zu", H->nwo);
	holds_write_off_free(H);
	if (!confirm_open(app, &(struct confirm){
			.title = "Write off held invoices", .expect = count,
			.prompt = "type the count, Enter", .nlines = wo_nlines,
			.line = wo_line, .answer = wo_answer, .ctx = w })) {
		hold_order_free(w->order);
		free(w);
		screen_message(app, "a dialog is open already");
	}
}

static void on_invoices(struct app *app, struct sq_job *job, unsigned long tag)
{
	struct holds_st *H = holds_of(app, tag);
	const char *id;
	int64_t cents;
	char hold[32];

	if (!H || !H->wo_pending)
		return;
	snprintf(hold, sizeof hold, "%s", job->params[0] ? job->params[0] : "?");
	if (job->status != SQ_OK)
		H->wo_failed = true;
	for (int r = 0; query_hold_invoices_row(job, r, &id, &cents); r++) {
		H->wo = xrealloc(H->wo, (H->nwo + 1) * sizeof *H->wo);
		H->wo[H->nwo++] = (struct wo_invoice){
			.shard = job->shard, .invoice_id = xstrdup(id),
			.hold_id = xstrdup(hold), .cents = cents,
		};
	}
	if (--H->wo_pending == 0)
		wo_confirm(app, H);
	app->dirty = true;
}

void holds_write_off_reason(struct app *app, struct holds_st *H)
{
	bool blank = true;

	for (const char *s = H->wo_reason.text; *s; s++)
		blank = blank && (*s == ' ' || *s == '\t');
	if (blank) {
		screen_message(app, "a write-off needs a reason: nothing written off");
		return;
	}
	for (size_t i = 0; i < H->nrows; i++) {
		const struct hold_row *r = &H->rows[i];
		char id[32], why[400];

		snprintf(id, sizeof id, "%" PRId64, r->h->hold_id);
		if (holds_marked(H, r->shard, r->h->hold_id) &&
		    hold_order_checking_hold(app, r->shard, id, why, sizeof why)) {
			screen_message(app, "%s", why);
			return;
		}
	}
	snprintf(H->wo_why, sizeof H->wo_why, "%s", H->wo_reason.text);
	holds_write_off_free(H);
	for (size_t i = 0; i < H->nrows; i++) {
		const struct hold_row *r = &H->rows[i];
		char id[32];

		if (!holds_marked(H, r->shard, r->h->hold_id) ||
		    r->h->kind != HOLD_AUTOPAY_INVOICE || !hold_active(r->h))
			continue;
		snprintf(id, sizeof id, "%" PRId64, r->h->hold_id);
		H->wo_pending++;
		rerun_read_job(app, r->shard, query_hold_invoices_job(JOB_REQUESTS,
								      id),
			       on_invoices, H->id);
	}
	if (!H->wo_pending)
		screen_message(app, "none of the marked autopay holds is active");
	else
		screen_message(app, "reading the invoices the marked holds keep "
			       "back...");
}
