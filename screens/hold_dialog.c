/*
 * hold_dialog.c - the form that places a hold, and its confirmation.
 *
 * The form (a screen of its own, state in st) asks who (the listed
 * billers, or every biller of their shard: biller_id NULL in the
 * contract, confirmed by typing the shard's name), the kind, an optional
 * payment type and module, an optional business-day range, the reason
 * (required) and the expiry (core/hold_expiry.h), each text field on the
 * one line editor.  Enter opens
 * the confirmation (ui/confirm.h), which shows exactly what will be
 * held: every biller with its shard, the kind and filters, how many of
 * its batches (or failed invoices) that selects now, and the expiry on
 * the biller's clock and in UTC.  What it shows is frozen then, as a
 * hold_order (write/hold_order.h): `y` is audited first and sends it,
 * any other key is audited as a cancel.
 *
 * The expiry's wall-clock form needs the zone's offsets around the DST
 * change: the form asks the shard of each zone for them when it opens
 * (query_hold_zone_job); until they come the offset the poll gave is
 * used, and the confirmation says so.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hold_expiry.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "query/query_hold_write.h"
#include "screens/drilldown.h"
#include "screens/hold_dialog.h"
#include "screens/screens.h"
#include "ui/confirm.h"
#include "ui/draw.h"
#include "ui/lineedit.h"
#include "ui/ui_report.h"
#include "write/hold_order.h"
#include "write/plan_marks.h"
#include "write/rerun.h"

#define MAX_TARGETS 64
#define MAX_ZONES 8
#define ZONE_ROWS 400

enum field {
	F_WHO, F_KIND, F_TYPE, F_MODULE, F_FROM, F_TO, F_REASON, F_EXPIRY,
	F__COUNT
};

struct target {
	int shard;
	char *biller_id;	/* raw: what is sent */
	char *name, *shard_name, *zone;
	int offset_now;		/* the poll's offset of its zone */
};

struct zone {
	char *name;
	int shard;
	bool read;		/* the shard's offsets came */
	size_t n;
	int64_t at[ZONE_ROWS];
	int off[ZONE_ROWS];
};

struct hold_form {
	unsigned long id;
	char *screen;
	struct target t[MAX_TARGETS];
	size_t n, more;		/* more: marked beyond MAX_TARGETS */
	bool invoices;		/* kind: autopay_invoice */
	bool shard_wide;	/* who: every biller of t[0]'s shard */
	enum field focus;
	struct lineedit ed[F__COUNT];	/* F_WHO, F_KIND unused */
	struct zone z[MAX_ZONES];
	size_t nz;
	char error[400];
};

/* The confirmation's frozen words and order (its ctx). */
struct review {
	char **lines;
	size_t n;
	struct hold_order *order;
	unsigned long form_id;
};

static unsigned long forms;

static const char *const labels[F__COUNT] = {
	"Who", "Kind", "Payment type", "Module", "From day", "To day", "Reason",
	"Expiry",
};

static struct hold_form *form_of(struct app *app, unsigned long id)
{
	const struct screen_slot *s = screen_find(app, &screen_hold_dialog);
	struct hold_form *f = s ? s->st : NULL;

	return f && f->id == id ? f : NULL;
}

/* --- the zone's offsets ------------------------------------------------------- */

struct zone_ctx {
	struct zone *z;
	int fallback;
};

static int zone_offset(int64_t t, void *ctx)
{
	const struct zone_ctx *c = ctx;
	const struct zone *z = c->z;

	if (!z || !z->read || !z->n || t < z->at[0] || t > z->at[z->n - 1] + 900000)
		return c->fallback;
	for (size_t i = z->n; i-- > 0;)
		if (z->at[i] <= t)
			return z->off[i];
	return c->fallback;
}

static void on_zone(struct app *app, struct sq_job *job, unsigned long tag)
{
	struct hold_form *f = form_of(app, tag >> 8);
	size_t zi = tag & 0xff;
	struct zone *z;
	int64_t at;
	int off;

	if (!f || zi >= f->nz)
		return;
	z = &f->z[zi];
	z->n = 0;
	for (int r = 0; z->n < ZONE_ROWS &&
	     query_hold_zone_row(job, r, &at, &off); r++) {
		z->at[z->n] = at;
		z->off[z->n++] = off;
	}
	z->read = z->n > 0;
	app->dirty = true;
}

static struct zone *zone_of(struct hold_form *f, const struct target *t)
{
	for (size_t i = 0; i < f->nz; i++)
		if (!strcmp(f->z[i].name, t->zone))
			return &f->z[i];
	return NULL;
}

static void ask_zones(struct app *app, struct hold_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct zone *z;

		if (zone_of(f, &f->t[i]) || f->nz == MAX_ZONES)
			continue;
		z = &f->z[f->nz];
		z->name = xstrdup(f->t[i].zone);
		z->shard = f->t[i].shard;
		rerun_read_job(app, z->shard, query_hold_zone_job(JOB_REQUESTS,
								  z->name),
			       on_zone, (f->id << 8) | f->nz);
		f->nz++;
	}
}

/* --- opening ------------------------------------------------------------------ */

static void add_target(struct hold_form *f, const struct biller *b)
{
	struct target *t;

	if (f->n == MAX_TARGETS) {
		f->more++;
		return;
	}
	t = &f->t[f->n++];
	t->shard = b->shard_index;
	t->biller_id = xstrdup(b->biller_id);
	t->name = xstrdup(*b->name ? b->name : b->biller_id);
	t->shard_name = xstrdup(b->shard);
	t->zone = xstrdup(b->tz_known && b->timezone ? b->timezone : "UTC");
	t->offset_now = b->tz_known ? b->utc_offset_s : 0;
}

struct form_arg {
	const char *screen;
	const struct biller *b;
	bool marks;
};

static void form_enter(struct app *app, void *st, const void *arg)
{
	const struct form_arg *a = arg;
	struct hold_form *f = st;
	int shard;
	const char *id;

	f->id = ++forms;
	f->screen = xstrdup(a->screen);
	for (size_t m = 0; a->marks && plan_mark_get(m, &shard, &id); m++) {
		const struct biller *b = drilldown_find_biller(app, shard, id);

		/* A demo biller's batches never run: nothing to hold. */
		if (b && !b->is_demo)
			add_target(f, b);
	}
	if (!f->n && a->b)
		add_target(f, a->b);
	for (int i = F_TYPE; i < F__COUNT; i++)
		lineedit_init(&f->ed[i], NULL, i == F_REASON ? 200 : 60);
	f->focus = F_REASON;
	ask_zones(app, f);
}

static void form_leave(struct app *app, void *st)
{
	struct hold_form *f = st;

	(void)app;
	for (size_t i = 0; i < f->n; i++) {
		free(f->t[i].biller_id);
		free(f->t[i].name);
		free(f->t[i].shard_name);
		free(f->t[i].zone);
	}
	for (size_t i = 0; i < f->nz; i++)
		free(f->z[i].name);
	free(f->screen);
}

/* Is b (marks: any marked biller) checking after a lost answer? */
static bool checking(const struct app *app, const struct biller *b, bool marks,
		     char *why, size_t n)
{
	int shard;
	const char *id;

	if (!marks)
		return b && hold_order_checking_biller(app, b->shard_index,
						       b->biller_id, why, n);
	for (size_t m = 0; plan_mark_get(m, &shard, &id); m++)
		if (hold_order_checking_biller(app, shard, id, why, n))
			return true;
	return false;
}

void hold_dialog_open(struct app *app, const char *screen,
		      const struct biller *b, bool marks)
{
	struct form_arg a = { screen, b, marks && plan_mark_count() > 0 };
	char why[200];

	if (!hold_order_allowed(app, why, sizeof why)) {
		screen_message(app, "%s", why);
		return;
	}
	if (!a.marks && !b) {
		screen_message(app, "no biller is selected: nothing to hold");
		return;
	}
	if (checking(app, b, a.marks, why, sizeof why)) {
		screen_message(app, "%s", why);
		return;
	}
	if (b && !a.marks && b->is_demo) {
		screen_message(app, "%s is a demo biller: nothing of it runs",
			       b->name);
		return;
	}
	if (!screen_push(app, &screen_hold_dialog, &a))
		screen_message(app, "too many screens open");
}

/* --- the confirmation --------------------------------------------------------- */

static const char *opt(const struct lineedit *e)
{
	return e->len ? e->text : NULL;
}

/* Does the form's selection (type, module, days) cover batch x? */
static bool selected(const struct hold_form *f, const struct batch *x)
{
	const char *pt = opt(&f->ed[F_TYPE]), *mod = opt(&f->ed[F_MODULE]);
	const char *from = opt(&f->ed[F_FROM]), *to = opt(&f->ed[F_TO]);
	const char *day = x->kind->business_day;

	if ((pt && strcmp(pt, x->kind->payment_type)) ||
	    (mod && strcmp(mod, x->kind->module)))
		return false;
	/* ISO dates compare as strings; a batch without a day only matches
	 * an open range. */
	if ((from || to) && !day)
		return false;
	return (!from || strcmp(day, from) >= 0) && (!to || strcmp(day, to) <= 0);
}

/* Batches of b the hold would select now (not started, failed, held). */
static int batches_now(const struct hold_form *f, const struct biller *b)
{
	int k = 0;

	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *x = &b->batches[i];

		if (selected(f, x) && (x->state == BATCH_SCHEDULED ||
				       x->state == BATCH_FAILED ||
				       !strcmp(x->kind->status, "held")))
			k++;
	}
	return k;
}

/* What the hold would select of t's biller now, in words. */
static void holds_now(struct app *app, const struct hold_form *f,
		      const struct target *t, char *buf, size_t n)
{
	const struct biller *b = drilldown_find_biller(app, t->shard,
						       t->biller_id);
	int k;

	if (!b) {
		snprintf(buf, n, "not in the shard's latest data");
		return;
	}
	if (f->invoices) {
		if (b->ap_failed == BT_NO_INT)
			snprintf(buf, n, "no autopay run seen");
		else
			snprintf(buf, n, "%d failed invoice%s of its latest autopay "
				 "run", b->ap_failed, b->ap_failed == 1 ? "" : "s");
		return;
	}
	k = batches_now(f, b);
	snprintf(buf, n, "%d batch%s of tonight's (not started, failed or "
		 "held)", k, k == 1 ? "" : "es");
}

static void add_line(struct review *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_line(struct review *r, const char *fmt, ...)
{
	va_list ap;
	char buf[600];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->lines = xrealloc(r->lines, (r->n + 1) * sizeof *r->lines);
	r->lines[r->n++] = xstrdup(buf);
}

static void review_free(struct review *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->lines[i]);
	free(r->lines);
	hold_order_free(r->order);
	free(r);
}

static size_t review_nlines(void *ctx)
{
	return ((struct review *)ctx)->n;
}

static void review_line(struct app *app, void *ctx, size_t i, char *buf,
			size_t n, enum paint *p)
{
	struct review *r = ctx;

	(void)app;
	(void)p;
	snprintf(buf, n, "%s", i < r->n ? r->lines[i] : "");
}

static void on_answer(struct app *app, const struct hold_answer *a,
		      unsigned long tag)
{
	char *who = text_sanitize(a->target, (size_t)-1);

	(void)tag;
	if (!strcmp(a->outcome, "exists"))
		report_say(&ui_report, app, REPORT_OUTCOME, "exists: %s is held "
			   "already: %s", who, a->detail);
	else
		report_say(&ui_report, app, REPORT_OUTCOME, "%s: %s: %s", who,
			   a->outcome, a->detail);
	free(who);
}

static void review_answer(struct app *app, void *ctx, bool yes,
			  const char *typed)
{
	struct review *r = ctx;
	const struct screen_slot *top = screen_top(app);
	char err[300];
	size_t sent;

	(void)typed;
	if (hold_order_answer(app, r->order, yes, yes ? "confirmed with y"
			      : "cancelled by the operator", &ui_report, err,
			      sizeof err) == 0) {
		if (!yes) {
			screen_message(app, "cancelled: no hold placed");
		} else {
			sent = hold_order_send(app, r->order, NULL, 0, &ui_report,
					       on_answer, NULL, 0);
			screen_message_all(app, "hold: %zu of %zu sent; the answers "
					   "follow", sent,
					   hold_order_count(r->order));
		}
	}
	if (yes && top && top->s == &screen_hold_dialog &&
	    ((struct hold_form *)top->st)->id == r->form_id)
		screen_pop(app);
	review_free(r);
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* "YYYY-MM-DD" (the shard checks the date itself). */
static bool day_ok(const char *d)
{
	if (strlen(d) != 10)
		return false;
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? d[i] != '-' : d[i] < '0' || d[i] > '9')
			return false;
	return true;
}

/* Check the form: -1 with f->error, and the cursor on the field at fault. */
static int form_check(struct hold_form *f, struct hold_expiry *ex)
{
	const char *pt = opt(&f->ed[F_TYPE]), *mod = opt(&f->ed[F_MODULE]);
	const char *from = opt(&f->ed[F_FROM]), *to = opt(&f->ed[F_TO]);

	if (blank(f->ed[F_REASON].text)) {
		snprintf(f->error, sizeof f->error, "a hold needs a reason: type it");
		f->focus = F_REASON;
		return -1;
	}
	if (hold_expiry_parse(f->ed[F_EXPIRY].text, ex, f->error,
			      sizeof f->error) < 0) {
		f->focus = F_EXPIRY;
		return -1;
	}
	if (f->invoices && (pt || mod)) {
		snprintf(f->error, sizeof f->error, "an autopay invoice has no "
			 "payment type or module: leave them empty");
		f->focus = pt ? F_TYPE : F_MODULE;
		return -1;
	}
	if ((from && !day_ok(from)) || (to && !day_ok(to))) {
		snprintf(f->error, sizeof f->error, "a business day is YYYY-MM-DD "
			 "(empty: open-ended)");
		f->focus = from && !day_ok(from) ? F_FROM : F_TO;
		return -1;
	}
	if (from && to && strcmp(from, to) > 0) {
		snprintf(f->error, sizeof f->error, "the range ends before it "
			 "starts: %.10s is after %.10s", from, to);
		f->focus = F_TO;
		return -1;
	}
	return 0;
}

static const struct snapshot *snap_of(const struct app *app, int shard)
{
	return shard >= 0 && (size_t)shard < app->view.nsnaps
		? app->view.snaps[shard] : NULL;
}

/* The review of a hold on every biller of t[0]'s shard: one call, whose
 * expiry is read on UTC's clock (the billers' zones differ). */
static void review_shard(struct app *app, struct hold_form *f,
			 struct review *r, const struct hold_expiry *ex,
			 struct hold_call *call, char *iso, size_t isz)
{
	const struct target *t = &f->t[0];
	const struct snapshot *s = snap_of(app, t->shard);
	struct zone_ctx zc = { NULL, 0 };
	int64_t now = app->now != BT_NO_TIME ? app->now : wall_ms();
	int64_t at = hold_expiry_at(ex, now, zone_offset, &zc);
	char *shard = text_sanitize(t->shard_name, (size_t)-1);
	size_t billers = 0;
	long items = 0;

	for (size_t i = 0; s && i < s->nbillers; i++) {
		const struct biller *b = snapshot_biller(s, i);

		if (b->is_demo)
			continue;
		billers++;
		if (!f->invoices)
			items += batches_now(f, b);
		else if (b->ap_failed != BT_NO_INT)
			items += b->ap_failed;
	}
	add_line(r, "Hold %s of EVERY biller of shard %s:", f->invoices ?
		 "autopay_invoice" : "batch_close", shard);
	add_line(r, "  %zu biller%s now, and any added later; it selects %ld %s "
		 "now", billers, billers == 1 ? "" : "s", items, f->invoices ?
		 (items == 1 ? "failed invoice of their latest autopay runs"
		  : "failed invoices of their latest autopay runs")
		 : (items == 1 ? "batch of tonight's (not started, failed or held)"
		    : "batches of tonight's (not started, failed or held)"));
	if (at != INT64_MIN) {
		char utc[24];

		fmt_iso_ms(iso, isz, at);
		hold_expiry_clock(utc, sizeof utc, at, now, 0);
		add_line(r, "    expires %s UTC (%s; a shard-wide hold's clock is "
			 "UTC)", utc, iso);
	}
	*call = (struct hold_call){
		.shard = t->shard, .op = HOLD_PLACE, .target = NULL,
		.expires_iso = at != INT64_MIN ? iso : NULL,
		.words = "every biller of the shard",
	};
	free(shard);
}

/* The review lines of each listed biller, and its call. */
static bool review_billers(struct app *app, struct hold_form *f,
			   struct review *r, const struct hold_expiry *ex,
			   struct hold_call *calls, char (*iso)[FMT_ISO_MAX])
{
	bool guessed = false;

	add_line(r, "Hold %s of %zu biller%s%s:", f->invoices ? "autopay_invoice"
		 : "batch_close", f->n, f->n == 1 ? "" : "s",
		 f->more ? " (more marked: not these)" : "");
	for (size_t i = 0; i < f->n; i++) {
		const struct target *t = &f->t[i];
		struct zone_ctx zc = { zone_of(f, t), t->offset_now };
		int64_t now = app->now != BT_NO_TIME ? app->now : wall_ms();
		int64_t at = hold_expiry_at(ex, now, zone_offset, &zc);
		char *name = text_sanitize(t->name, (size_t)-1);
		char *id = text_escape(t->biller_id);
		char *shard = text_sanitize(t->shard_name, (size_t)-1);
		char *zone = text_sanitize(t->zone, (size_t)-1);
		char now_words[120], clock[24], utc[24];

		holds_now(app, f, t, now_words, sizeof now_words);
		add_line(r, "  %s (%s) on shard %s: holds %s now", name, id,
			 shard, now_words);
		if (at != INT64_MIN) {
			if (ex->kind == HOLD_EXPIRY_CLOCK && !(zc.z && zc.z->read))
				guessed = true;
			fmt_iso_ms(iso[i], sizeof iso[i], at);
			hold_expiry_clock(clock, sizeof clock, at, now,
					  zone_offset(at, &zc));
			hold_expiry_clock(utc, sizeof utc, at, now, 0);
			add_line(r, "    expires %s %s = %s UTC (%s)", clock, zone, utc,
				 iso[i]);
		}
		calls[i] = (struct hold_call){
			.shard = t->shard, .op = HOLD_PLACE, .target = t->biller_id,
			.expires_iso = at != INT64_MIN ? iso[i] : NULL,
			.words = t->name,
		};
		free(name);
		free(id);
		free(shard);
		free(zone);
	}
	return guessed;
}

/* Freeze the form into words and calls; -1 (f->error says why) when it
 * cannot be sent as it is. */
static int review_open(struct app *app, struct hold_form *f)
{
	struct hold_expiry ex;
	struct review *r;
	struct hold_call *calls;
	char iso[MAX_TARGETS][FMT_ISO_MAX], why[400];
	const char *kind = f->invoices ? "autopay_invoice" : "batch_close";
	const char *pt = opt(&f->ed[F_TYPE]), *mod = opt(&f->ed[F_MODULE]);
	const char *from = opt(&f->ed[F_FROM]), *to = opt(&f->ed[F_TO]);
	size_t ncalls = f->shard_wide ? 1 : f->n;
	char *reason;
	bool guessed = false;

	if (form_check(f, &ex) < 0)
		return -1;
	if (f->shard_wide && hold_order_checking_biller(app, f->t[0].shard, NULL,
							why, sizeof why)) {
		snprintf(f->error, sizeof f->error, "%s", why);
		return -1;
	}
	r = xcalloc(1, sizeof *r);
	r->form_id = f->id;
	calls = xcalloc(ncalls, sizeof *calls);
	reason = text_sanitize(f->ed[F_REASON].text, (size_t)-1);
	if (f->shard_wide)
		review_shard(app, f, r, &ex, calls, iso[0], sizeof iso[0]);
	else
		guessed = review_billers(app, f, r, &ex, calls, iso);
	for (size_t i = 0; i < ncalls; i++) {
		calls[i].hold_kind = kind;
		calls[i].payment_type = pt;
		calls[i].module = mod;
		calls[i].day_from = from;
		calls[i].day_to = to;
	}
	add_line(r, "Payment type: %s   Module: %s", pt ? pt : "any",
		 mod ? mod : "any");
	add_line(r, "Business days: %s to %s", from ? from : "any",
		 to ? to : "any (open-ended)");
	add_line(r, "Expiry: %s", ex.kind == HOLD_EXPIRY_NONE ? "none (until "
		 "released)" : "at its expiry a hold does not release itself: it "
		 "shows as due for release");
	if (guessed)
		add_line(r, "(the zone's offsets have not come from the shard: "
			 "the offset of now was used)");
	add_line(r, "Reason: %s", reason);
	add_line(r, "Held batches do not start; held invoices are not rerun.");
	r->order = hold_order_freeze(app, f->screen, f->ed[F_REASON].text, calls,
				     ncalls);
	free(calls);
	free(reason);
	if (!confirm_open(app, &(struct confirm){
			.title = f->shard_wide ? "Place a hold on a whole shard"
				 : "Place a hold",
			.expect = f->shard_wide ? f->t[0].shard_name : NULL,
			.nlines = review_nlines, .line = review_line,
			.answer = review_answer, .ctx = r,
			.prompt = f->shard_wide ? "type the shard's name and Enter "
				  "to place it (audited first); anything else "
				  "cancels" : "y places it (audited first); any "
				  "other key cancels" })) {
		review_free(r);
		snprintf(f->error, sizeof f->error, "a dialog is open already");
		return -1;
	}
	return 0;
}

/* --- the form ----------------------------------------------------------------- */

static void draw_who(const struct hold_form *f, int y, attr_t at)
{
	char listed[80], wide[120];

	if (f->n == 1)
		snprintf(listed, sizeof listed, "this biller");
	else
		snprintf(listed, sizeof listed, "the %zu marked billers", f->n);
	snprintf(wide, sizeof wide, "every biller of shard %s",
		 f->n ? f->t[0].shard_name : "?");
	draw_fmt(y, 20, COLS - 21, at, "%s   (Space: %s)",
		 f->shard_wide ? wide : listed, f->shard_wide ? listed : wide);
}

/* Only the billers of one shard may become "every biller of it". */
static void toggle_who(struct hold_form *f)
{
	for (size_t i = 1; i < f->n; i++)
		if (f->t[i].shard != f->t[0].shard) {
			snprintf(f->error, sizeof f->error, "the marked billers are "
				 "on more than one shard: mark those of one shard "
				 "to hold every biller of it");
			return;
		}
	if (f->n)
		f->shard_wide = !f->shard_wide;
}

static void form_draw(struct app *app, void *st)
{
	struct hold_form *f = st;
	int y = 3;

	erase();
	draw_header(app);
	draw_text(2, 1, COLS - 2, "Place a hold", draw_attr(PAINT_HEADER) | A_BOLD,
		  0);
	for (size_t i = 0; i < f->n && y < LINES - 12; i++, y++)
		draw_fmt(y, 3, COLS - 4, A_NORMAL, "%s (%s, shard %s, %s)",
			 f->t[i].name, f->t[i].biller_id, f->t[i].shard_name,
			 f->t[i].zone);
	if (f->n == 0)
		draw_text(y++, 3, COLS - 4, "(none of the marked billers is in the "
			  "latest data)", draw_attr(PAINT_DIM), 0);
	y++;
	for (int i = 0; i < F__COUNT; i++, y++) {
		attr_t at = f->focus == (enum field)i ? A_BOLD : A_NORMAL;

		draw_fmt(y, 1, 18, at, "%s %s:", f->focus == (enum field)i ? ">" : " ",
			 labels[i]);
		if (i == F_WHO)
			draw_who(f, y, at);
		else if (i == F_KIND)
			draw_fmt(y, 20, COLS - 21, at, "%s   (Space: %s)",
				 f->invoices ? "autopay_invoice" : "batch_close",
				 f->invoices ? "batch_close" : "autopay_invoice");
		else
			lineedit_draw(&f->ed[i], y, 20, COLS - 21, "", at);
	}
	y++;
	draw_text(y++, 3, COLS - 4, "Payment type, module: empty is any.  Days: "
		  "YYYY-MM-DD, empty is open-ended.  Expiry: 4h, 90m, 1h30m, 2d, "
		  "06:00 (the biller's clock), empty: none.",
		  draw_attr(PAINT_DIM), 0);
	if (f->error[0])
		draw_text(y + 1, 3, COLS - 4, f->error, draw_attr(PAINT_FAILED), 0);
	draw_statusbar(app, "Tab/Down next field  Up previous  Enter review  "
		       "Esc cancel");
}

static bool form_key(struct app *app, void *st, enum action act, int key)
{
	struct hold_form *f = st;

	(void)act;
	app->dirty = true;
	switch (key) {
	case 27:
		screen_pop(app);
		screen_message(app, "no hold placed");
		return true;
	case '\t':
	case KEY_DOWN:
		f->focus = (enum field)((f->focus + 1) % F__COUNT);
		return true;
	case KEY_BTAB:
	case KEY_UP:
		f->focus = (enum field)((f->focus + F__COUNT - 1) % F__COUNT);
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		f->error[0] = '\0';
		if (!f->n)
			snprintf(f->error, sizeof f->error, "nothing to hold");
		else
			review_open(app, f);
		return true;
	}
	if (f->focus == F_KIND || f->focus == F_WHO) {
		if (key != ' ' && key != KEY_LEFT && key != KEY_RIGHT)
			return true;
		f->error[0] = '\0';
		if (f->focus == F_KIND)
			f->invoices = !f->invoices;
		else
			toggle_who(f);
		return true;
	}
	lineedit_key(&f->ed[f->focus], key);
	return true;
}

const struct screen screen_hold_dialog = {
	.name = "generic",	/* a form: its keys are its own */
	.state_size = sizeof(struct hold_form),
	.enter = form_enter,
	.leave = form_leave,
	.draw = form_draw,
	.key = form_key,
};
