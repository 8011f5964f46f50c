/*
 * report_tables.c - what each table of the handoff report holds
 * (report_tables.h).  Pure: cells point into the night, nothing is
 * printed or escaped here.
 */
#include "autoconf.h"

#include <string.h>

#include "report/report_tables.h"

static struct rcell text(const char *s)
{
	return (struct rcell){ .kind = RC_TEXT, .s = s };
}

static struct rcell ident(const char *s)
{
	return (struct rcell){ .kind = RC_ID, .s = s };
}

static struct rcell when(int64_t ms)
{
	return (struct rcell){ .kind = RC_TIME, .v = ms };
}

static struct rcell num(long long v)
{
	return (struct rcell){ .kind = RC_NUM, .v = v };
}

size_t rtable_ncols(const struct rtable *t)
{
	size_t n = 1;

	for (const char *p = t->cols; *p; p++)
		n += *p == '|';
	return n;
}

/* --- shards ---------------------------------------------------------------- */

static size_t count_shards(const struct night *n)
{
	return n->nshards;
}

static bool row_shard(const struct night *n, size_t i, struct rcell *c,
		      bool *open)
{
	const struct night_shard *s = &n->shards[i];

	*open = false;
	c[0] = text(s->name);
	c[1] = s->read ? text("yes")
		       : (struct rcell){ .kind = RC_BAD, .s = s->error };
	c[2] = text(s->day);
	c[3] = text(!s->read ? "-" : s->has_notes || s->has_holds
		    ? "contract v3" : "contract v2: no holds/notes");
	return true;
}

const struct rtable report_table_shards = {
	"Shards", "Shard|Read|Business day|Notes and holds", "shard",
	row_shard, count_shards, false,
};

/* --- closes: still open, and failures --------------------------------------- */

static size_t count_closes(const struct night *n)
{
	return n->ncloses;
}

static void close_cells(const struct night *n, const struct night_close *x,
			struct rcell *c)
{
	c[0] = text(night_shard_name(n, x->shard));
	c[1] = ident(x->biller_id);
	c[2] = text(x->name);
	c[3] = ident(x->batch_id);
	c[4] = text(x->status);
	c[5] = when(x->scheduled);
	c[6] = when(x->finished);
	c[7] = num(x->attempts);
	c[8] = text(x->error_class);
	c[9] = text(x->error_message);
}

#define CLOSE_COLS "Shard|Biller|Name|Batch|Status|Scheduled|Finished|" \
	"Attempts|Error|Message"

static bool row_open(const struct night *n, size_t i, struct rcell *c,
		     bool *open)
{
	const struct night_close *x = &n->closes[i];

	if (!night_close_open(x))
		return false;
	*open = false;		/* the whole table is: no second class */
	close_cells(n, x, c);
	return true;
}

const struct rtable report_table_open = {
	"Still open", CLOSE_COLS, "open", row_open, count_closes, false,
};

static bool row_failure(const struct night *n, size_t i, struct rcell *c,
			bool *open)
{
	const struct night_close *x = &n->closes[i];

	if (strcmp(x->status, "failed") && !x->error_class && !x->error_message)
		return false;
	*open = false;
	close_cells(n, x, c);
	return true;
}

const struct rtable report_table_failures = {
	"Failures", CLOSE_COLS, "failure", row_failure, count_closes, false,
};

/* --- reruns, holds, write-offs, notes ------------------------------------------ */

static size_t count_reruns(const struct night *n)
{
	return n->nreruns;
}

static bool row_rerun(const struct night *n, size_t i, struct rcell *c,
		      bool *open)
{
	const struct night_rerun *r = &n->reruns[i];

	*open = night_rerun_open(r);
	c[0] = text(night_shard_name(n, r->shard));
	c[1] = num(r->request_id);
	c[2] = text(r->kind);
	c[3] = ident(r->target_id);
	c[4] = text(r->requested_by);
	c[5] = when(r->requested);
	c[6] = text(r->status);
	c[7] = when(r->finished);
	c[8] = text(r->result);
	c[9] = text(r->reason);
	return true;
}

const struct rtable report_table_reruns = {
	"Reruns", "Shard|Request|Kind|Target|Asked by|Asked at|Status|"
	"Finished|Result|Reason", "rerun", row_rerun, count_reruns, false,
};

static size_t count_holds(const struct night *n)
{
	return n->nholds;
}

static bool row_hold(const struct night *n, size_t i, struct rcell *c,
		     bool *open)
{
	const struct night_hold *h = &n->holds[i];

	*open = night_hold_open(h);
	c[0] = text(night_shard_name(n, h->shard));
	c[1] = num(h->hold_id);
	c[2] = ident(h->biller_id ? h->biller_id : "(every biller)");
	c[3] = text(h->kind);
	c[4] = text(h->day_from);
	c[5] = text(h->day_to);
	c[6] = text(h->reason);
	c[7] = text(h->placed_by);
	c[8] = when(h->placed);
	c[9] = h->ended == NIGHT_NO_TIME ? text("in force") : when(h->ended);
	c[10] = text(h->ended_how);
	c[11] = text(h->ended_by);
	return true;
}

const struct rtable report_table_holds = {
	"Holds", "Shard|Hold|Biller|Kind|From|To|Reason|Placed by|Placed|"
	"Ended|How|By", "hold", row_hold, count_holds, false,
};

static size_t count_write_offs(const struct night *n)
{
	return n->nwrite_offs;
}

static bool row_write_off(const struct night *n, size_t i, struct rcell *c,
			  bool *open)
{
	const struct night_write_off *w = &n->write_offs[i];

	*open = false;
	c[0] = text(night_shard_name(n, w->shard));
	c[1] = ident(w->invoice_id);
	c[2] = ident(w->biller_id);
	c[3] = num(w->hold_id);
	c[4] = text(w->reason);
	c[5] = text(w->written_by);
	c[6] = when(w->written);
	return true;
}

const struct rtable report_table_write_offs = {
	"Written off", "Shard|Invoice|Biller|Hold|Reason|Written by|When",
	"write-off", row_write_off, count_write_offs, true,
};

static size_t count_notes(const struct night *n)
{
	return n->nnotes;
}

static bool row_note(const struct night *n, size_t i, struct rcell *c,
		     bool *open)
{
	const struct night_note *x = &n->notes[i];

	*open = false;
	c[0] = text(night_shard_name(n, x->shard));
	c[1] = when(x->created);
	c[2] = ident(x->biller_id);
	c[3] = ident(x->batch_id);
	c[4] = text(x->kind);
	c[5] = text(x->author);
	c[6] = text(x->body);
	return true;
}

const struct rtable report_table_notes = {
	"Notes", "Shard|Time|Biller|Batch|Kind|Author|Text", "note",
	row_note, count_notes, false,
};

/* --- the local audit trail ----------------------------------------------------- */

static size_t count_audit(const struct night *n)
{
	return n->naudit;
}

static bool row_audit(const struct night *n, size_t i, struct rcell *c,
		      bool *open)
{
	const struct night_audit *a = &n->audit[i];

	*open = false;
	c[0] = when(a->time);
	c[1] = text(a->user);
	c[2] = text(a->event);
	c[3] = text(a->shard);
	c[4] = text(a->kind);
	c[5] = ident(a->target);
	c[6] = text(a->outcome);
	c[7] = text(a->detail && *a->detail ? a->detail : a->reason);
	return true;
}

const struct rtable report_table_audit = {
	"Audit trail (this machine)", "Time|Who|Event|Shard|Kind|Target|"
	"Outcome|Detail", "audit", row_audit, count_audit, false,
};
