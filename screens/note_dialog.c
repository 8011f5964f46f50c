/*
 * note_dialog.c - `A` (acknowledge) and `n` (note) on the grid and the
 * biller detail: a one-line prompt over the screen underneath, then the
 * write through write/note_order.h.
 *
 * The targets are frozen (raw ids copied) when the prompt opens, so rows
 * that move while the operator types change nothing.  An acknowledgement
 * names each failed batch of the selected (or marked) billers; its text
 * is optional ("investigating: alice" is the acknowledgement itself).  A
 * note names the selected batch in the detail, else the biller, and needs
 * text.  Enter writes, Esc gives up; the text is edited with the one line
 * editor and drawn sanitized.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "screens/screens.h"
#include "ui/draw.h"
#include "ui/lineedit.h"
#include "ui/ui_report.h"
#include "write/note_order.h"
#include "write/rerun.h"
#include "core/snapshot.h"
#include "core/text.h"
#include "core/xalloc.h"

struct note_dialog {
	char kind[16];			/* acknowledged, note */
	char screen[16];		/* where it was asked */
	char title[300];		/* sanitized */
	struct note_target *t;		/* ids owned (copies) */
	size_t n;
	struct lineedit edit;
	const char *warn;		/* a literal: why Enter did nothing */
};

struct note_arg {
	const char *kind, *screen, *title;
	const struct note_target *t;
	size_t n;
};

static void dialog_enter(struct app *app, void *st, const void *arg)
{
	struct note_dialog *d = st;
	const struct note_arg *a = arg;

	(void)app;
	snprintf(d->kind, sizeof d->kind, "%s", a->kind);
	snprintf(d->screen, sizeof d->screen, "%s", a->screen);
	text_sanitize_into(d->title, sizeof d->title, a->title, (size_t)-1);
	d->t = xcalloc(a->n, sizeof *d->t);
	for (size_t i = 0; i < a->n; i++) {
		d->t[i].shard = a->t[i].shard;
		d->t[i].biller_id = xstrdup(a->t[i].biller_id);
		d->t[i].batch_id = a->t[i].batch_id ? xstrdup(a->t[i].batch_id)
						    : NULL;
	}
	d->n = a->n;
	/* add_note keeps at most 2000 characters; a line is less. */
	lineedit_init(&d->edit, NULL, 0);
}

static void dialog_leave(struct app *app, void *st)
{
	struct note_dialog *d = st;

	(void)app;
	for (size_t i = 0; i < d->n; i++) {
		free((char *)d->t[i].biller_id);
		free((char *)d->t[i].batch_id);
	}
	free(d->t);
}

static void dialog_update(struct app *app, void *st)
{
	const struct screen_slot *below = screen_below(app);

	(void)st;
	if (below && below->s->update)
		below->s->update(app, below->st);
}

static void dialog_draw(struct app *app, void *st)
{
	struct note_dialog *d = st;
	const struct screen_slot *below = screen_below(app);
	bool ack = !strcmp(d->kind, "acknowledged");

	if (below && below->s->draw)
		below->s->draw(app, below->st);
	for (int y = LINES - 3; y < LINES; y++) {
		move(y, 0);
		attrset(A_REVERSE);
		hline(' ', COLS);
	}
	draw_text(LINES - 3, 1, COLS - 2, d->title, A_REVERSE | A_BOLD, 0);
	lineedit_draw(&d->edit, LINES - 2, 1, COLS - 2,
		      ack ? "text (optional): " : "note: ", A_REVERSE);
	draw_fmt(LINES - 1, 1, COLS - 2, A_REVERSE | (d->warn ? A_BOLD : 0),
		 "%s%sEnter writes it as %s   Esc cancels", d->warn ? d->warn : "",
		 d->warn ? "   " : "", rerun_requested_by());
	attrset(A_NORMAL);
}

static bool dialog_key(struct app *app, void *st, enum action act, int key)
{
	struct note_dialog *d = st;
	char why[400];
	size_t sent;

	(void)act;
	switch (lineedit_key(&d->edit, key)) {
	case LE_CANCEL:
		screen_pop(app);
		screen_message(app, "nothing written");
		break;
	case LE_ENTER:
		if (strcmp(d->kind, "acknowledged") && !d->edit.text[0]) {
			d->warn = "a note needs some text";
			break;
		}
		sent = note_order_send(app, d->screen, d->kind, d->edit.text,
				       d->t, d->n, &ui_report, why, sizeof why);
		/* The words before the pop: it frees d and what d holds. */
		snprintf(why, sizeof why, "%s: %zu sent, the answer follows",
			 d->kind, sent);
		screen_pop(app);
		if (sent)
			screen_message(app, "%s", why);
		break;
	case LE_CHANGED:
		d->warn = NULL;
		break;
	case LE_MOVED:
	case LE_IGNORED:
		break;
	}
	app->dirty = true;
	return true;
}

static void dialog_resize(struct app *app, void *st)
{
	const struct screen_slot *below = screen_below(app);

	(void)st;
	if (below && below->s->resize)
		below->s->resize(app, below->st);
}

static const struct screen screen_note_dialog = {
	.name = "generic",	/* a prompt: the line editor has the keys */
	.state_size = sizeof(struct note_dialog),
	.enter = dialog_enter,
	.leave = dialog_leave,
	.update = dialog_update,
	.draw = dialog_draw,
	.key = dialog_key,
	.resize = dialog_resize,
};

/* Open the prompt for n targets, after the checks every opener needs. */
static void open_prompt(struct app *app, const char *kind, const char *screen,
			const char *title, const struct note_target *t, size_t n)
{
	struct note_arg a = { kind, screen, title, t, n };
	char why[300];

	if (!n)
		return;
	if (!note_order_may(app, t[0].shard, why, sizeof why)) {
		screen_message(app, "%s", why);
		return;
	}
	screen_push(app, &screen_note_dialog, &a);
}

void note_dialog_ack(struct app *app, const char *screen,
		     const struct biller *const *billers, size_t nb,
		     const struct batch *only)
{
	struct note_target *t;
	size_t n = 0, cap = 0, nbill = 0;
	char title[300];

	for (size_t i = 0; i < nb; i++)
		cap += billers[i]->nbatches;
	t = xcalloc(cap ? cap : 1, sizeof *t);
	for (size_t i = 0; i < nb; i++) {
		const struct biller *b = billers[i];
		size_t before = n;

		for (size_t j = 0; j < b->nbatches; j++) {
			const struct batch *x = &b->batches[j];

			if (x->state != BATCH_FAILED || (only && x != only))
				continue;
			t[n++] = (struct note_target){ b->shard_index,
						       b->biller_id, x->batch_id };
		}
		nbill += n > before;
	}
	if (!n) {
		screen_message(app, only ? "this batch has not failed: nothing "
			       "to acknowledge" : "no failed batch to acknowledge");
	} else {
		if (nbill == 1)
			text_printf(title, sizeof title, "Acknowledge %zu failed "
				    "batch%s of %s", n, n == 1 ? "" : "es",
				    *billers[0]->name ? billers[0]->name
						      : billers[0]->biller_id);
		else
			snprintf(title, sizeof title, "Acknowledge %zu failed "
				 "batches of %zu billers", n, nbill);
		open_prompt(app, "acknowledged", screen, title, t, n);
	}
	free(t);
}

void note_dialog_note(struct app *app, const char *screen,
		      const struct biller *b, const struct batch *only)
{
	struct note_target t = { b->shard_index, b->biller_id,
				 only ? only->batch_id : NULL };
	char title[300];

	text_printf(title, sizeof title, "Note on %s%s%s",
		    *b->name ? b->name : b->biller_id,
		    only ? ", batch " : "", only ? only->batch_id : "");
	open_prompt(app, "note", screen, title, &t, 1);
}

void note_dialog_detail(struct app *app, bool ack, const struct biller *b,
			const char *batch_id)
{
	const struct batch *t = NULL;

	if (!b) {
		screen_message(app, "this biller is not in the shard's latest data");
		return;
	}
	for (size_t i = 0; batch_id && i < b->nbatches && !t; i++)
		if (!strcmp(b->batches[i].batch_id, batch_id))
			t = &b->batches[i];
	if (!ack)
		note_dialog_note(app, "biller", b, t);
	else
		note_dialog_ack(app, "biller", &b, 1,
				t && t->state == BATCH_FAILED ? t : NULL);
}
