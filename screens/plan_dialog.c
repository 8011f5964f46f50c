/*
 * plan_dialog.c - the confirmation of a bulk rerun plan (see
 * plan_dialog.h): the lines of the generic dialog (confirm.h), drawn from
 * the proposed plan that plan.c holds, and the answer handed back to it.
 *
 * The plan is frozen before the box opens; the box only reads it (and the
 * medians that arrive while it is up) and sizes its list to the terminal.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui/confirm.h"
#include "write/plan.h"
#include "screens/plan_dialog.h"
#include "write/rerun.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "ui/ui_report.h"

/* Lines: summary, one per shard, the order, the skipped. */
static size_t item_lines_room(const struct plan_summary *p)
{
	size_t fixed = 3 + p->nshards + (p->nskipped ? 1 + p->nskipped : 0);
	long room = (long)LINES - 5 - 5 - (long)fixed;

	if (room < 1)
		room = 1;
	return (size_t)room;
}

static size_t plan_nlines(void *ctx)
{
	struct plan_summary p;
	size_t items, room;

	(void)ctx;
	if (!plan_proposal(&p))
		return 0;
	items = p.n;
	room = item_lines_room(&p);
	if (items > room)
		items = room;	/* the last one says how many more */
	return 3 + p.nshards + items + (p.nskipped ? 1 + p.nskipped : 0);
}

static void shard_line(struct app *app, const struct plan_summary *p, size_t s,
		       char *buf, size_t n, enum paint *paint)
{
	int count = 0, minute = app->cfg->payment_file_minute;
	int64_t span = plan_makespan(p->items, p->n, (int)s, p->cap,
				     plan_default_ms());
	const char *name = "?";
	char at[16], left[16], brk[200];
	bool late;

	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].shard == (int)s) {
			name = p->items[i].shard_name;
			count++;
		}
	if (app->now == BT_NO_TIME) {
		snprintf(buf, n, "  %-10s %d batch%s", name, count,
			 count == 1 ? "" : "es");
		return;
	}
	fmt_clock(at, sizeof at, app->now + span, 0);
	fmt_countdown(left, sizeof left, span);
	late = span > next_payment_file_ms(app->now, minute,
					   app->cfg->payment_file_period);
	snprintf(buf, n, "  %-10s %d batch%s, done in ~%s (%s UTC)%s: %s the "
		 ":%02d run", name, count, count == 1 ? "" : "es", left, at,
		 p->median_asked[s] ? "" : " (estimating)",
		 late ? "AFTER" : "before", minute);
	if (late)
		*paint = PAINT_LATE;
	/* An addition waits behind a shard the running plan has paused. */
	if (p->joining && plan_shard_breaker(s, brk, sizeof brk)) {
		snprintf(buf + strlen(buf), n - strlen(buf), "; %s", brk);
		*paint = PAINT_LATE;
	}
}

static void item_line(const struct plan_item *it, size_t i, char *buf,
		      size_t n)
{
	char dl[16], prio[16];
	/* Escaped, so look-alike ids differ (text.h). */
	char *id = text_escape(it->batch_id);

	if (it->deadline == BT_NO_TIME)
		snprintf(dl, sizeof dl, "--:--");
	else
		fmt_clock(dl, sizeof dl, it->deadline, 0);
	if (it->priority == BT_NO_INT)
		snprintf(prio, sizeof prio, "?");
	else
		snprintf(prio, sizeof prio, "%d", it->priority);
	snprintf(buf, n, "%3zu. %-10s P%s  %s  %s  deadline %s UTC%s", i + 1,
		 it->shard_name, prio, it->biller_name, id, dl,
		 text_needs_escape(it->batch_id)
		 ? "  (id contains characters that do not display)" : "");
	free(id);
}

static void plan_line(struct app *app, void *ctx, size_t i, char *buf, size_t n,
		      enum paint *paint)
{
	struct plan_summary p;
	size_t which[64], ns, items, room;

	(void)ctx;
	if (!plan_proposal(&p))
		return;
	ns = plan_shards(which, 64);
	items = p.n;
	room = item_lines_room(&p);
	if (i == 0 && p.joining) {
		snprintf(buf, n, "%zu new failed batch%s of %zu biller%s on %zu "
			 "shard%s, to join the running plan (%zu batches, %zu "
			 "waiting) behind what is waiting; at most %d pending or "
			 "running per shard at once", p.n, p.n == 1 ? "" : "es",
			 p.nbillers, p.nbillers == 1 ? "" : "s", ns,
			 ns == 1 ? "" : "s", p.running, p.waiting, p.cap);
		return;
	}
	if (i == 0) {
		snprintf(buf, n, "%zu failed batch%s of %zu biller%s on %zu shard%s; at "
			 "most %d pending or running per shard at once",
			 p.n, p.n == 1 ? "" : "es", p.nbillers,
			 p.nbillers == 1 ? "" : "s", ns, ns == 1 ? "" : "s", p.cap);
		return;
	}
	if (i == 1) {
		snprintf(buf, n, "Estimated finish per shard (median close of each "
			 "biller over 14 days):");
		return;
	}
	i -= 2;
	if (i < ns) {
		shard_line(app, &p, which[i], buf, n, paint);
		return;
	}
	i -= ns;
	if (i == 0) {
		snprintf(buf, n, "Order (priority, then nearest deadline):");
		return;
	}
	i--;
	if (items > room)
		items = room;
	if (i < items) {
		if (items < p.n && i == items - 1)
			snprintf(buf, n, "  ... and %zu more", p.n - items + 1);
		else
			item_line(&p.items[i], i, buf, n);
		return;
	}
	i -= items;
	if (i == 0) {
		snprintf(buf, n, "Skipped (not in the plan):");
		*paint = PAINT_WARN;
		return;
	}
	i--;
	if (i < p.nskipped)
		snprintf(buf, n, "  %s", p.skipped[i]);
}

static void plan_answer(struct app *app, void *ctx, bool yes, const char *typed)
{
	(void)ctx;
	if (yes)
		plan_start(app, &ui_report);
	else
		plan_decline(app, &ui_report, typed);
}

void plan_dialog_open(struct app *app)
{
	char title[160], prompt[300], expect[32];
	struct plan_summary p;

	if (confirm_is_open(app))
		return;
	if (plan_build(app, &ui_report) < 0 || !plan_proposal(&p))
		return;
	snprintf(expect, sizeof expect, "%zu", p.n);
	if (p.joining) {
		snprintf(title, sizeof title, "Add %zu failure%s to the running "
			 "plan?", p.n, p.n == 1 ? "" : "s");
		snprintf(prompt, sizeof prompt, "Type %zu and Enter to add them to "
			 "the running plan as %s; Esc or any other key cancels",
			 p.n, rerun_requested_by());
	} else {
		snprintf(title, sizeof title, "Bulk rerun plan: %zu batch%s", p.n,
			 p.n == 1 ? "" : "es");
		snprintf(prompt, sizeof prompt, "Type %zu and Enter to send the plan "
			 "as %s; Esc or any other key cancels", p.n,
			 rerun_requested_by());
	}
	const struct confirm c = {
		.title = title, .prompt = prompt, .expect = expect,
		.nlines = plan_nlines, .line = plan_line,
		.answer = plan_answer,
	};

	if (!confirm_open(app, &c))
		plan_drop_proposal();
}
