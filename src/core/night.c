/*
 * night.c - the rows of one night and what the report asks of them (see
 * night.h).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/night.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

void night_init(struct night *n, const char *const *names, size_t nshards)
{
	memset(n, 0, sizeof *n);
	n->shards = xcalloc(nshards ? nshards : 1, sizeof *n->shards);
	n->nshards = nshards;
	for (size_t i = 0; i < nshards; i++)
		n->shards[i].name = xstrdup(names[i]);
	n->generated = NIGHT_NO_TIME;
	n->payment_file_minute = 45;
	n->payment_file_period = 3600;
	n->window_minutes = 45;
}

static void free_strs(char **s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(s[i]);
}

/* Each row struct starts with its strings in one run: free them by range. */
#define FREE_RUN(row, first, last) \
	free_strs(&(row)->first, (size_t)(&(row)->last - &(row)->first) + 1)

void night_free(struct night *n)
{
	for (size_t i = 0; i < n->nshards; i++)
		free(n->shards[i].name);
	for (size_t i = 0; i < n->ncloses; i++)
		FREE_RUN(&n->closes[i], batch_id, error_message);
	for (size_t i = 0; i < n->nreruns; i++)
		FREE_RUN(&n->reruns[i], kind, result);
	for (size_t i = 0; i < n->nnotes; i++)
		FREE_RUN(&n->notes[i], biller_id, body);
	for (size_t i = 0; i < n->nholds; i++)
		FREE_RUN(&n->holds[i], biller_id, ended_how);
	for (size_t i = 0; i < n->naudit; i++)
		FREE_RUN(&n->audit[i], user, detail);
	for (size_t i = 0; i < n->nwrite_offs; i++)
		FREE_RUN(&n->write_offs[i], invoice_id, written_by);
	free(n->shards);
	free(n->closes);
	free(n->reruns);
	free(n->notes);
	free(n->holds);
	free(n->audit);
	free(n->write_offs);
	free(n->audit_path);
	memset(n, 0, sizeof *n);
}

/* Room for one more element of size sz at the end of *arr (count *cnt). */
static void *grow(void *arr, size_t *cnt, size_t sz, void **out)
{
	size_t c = *cnt;

	/* Capacity doubles at powers of two; count is all we keep. */
	if ((c & (c - 1)) == 0)
		arr = xrealloc(arr, (c ? c * 2 : 1) * sz);
	*out = (char *)arr + c * sz;
	memset(*out, 0, sz);
	*cnt = c + 1;
	return arr;
}

struct night_close *night_add_close(struct night *n)
{
	struct night_close *c;

	n->closes = grow(n->closes, &n->ncloses, sizeof *c, (void **)&c);
	c->scheduled = c->deadline = c->started = c->finished = NIGHT_NO_TIME;
	return c;
}

struct night_rerun *night_add_rerun(struct night *n)
{
	struct night_rerun *r;

	n->reruns = grow(n->reruns, &n->nreruns, sizeof *r, (void **)&r);
	r->requested = r->finished = NIGHT_NO_TIME;
	return r;
}

struct night_note *night_add_note(struct night *n)
{
	struct night_note *x;

	n->notes = grow(n->notes, &n->nnotes, sizeof *x, (void **)&x);
	x->created = NIGHT_NO_TIME;
	return x;
}

struct night_write_off *night_add_write_off(struct night *n)
{
	struct night_write_off *w;

	n->write_offs = grow(n->write_offs, &n->nwrite_offs, sizeof *w,
			     (void **)&w);
	w->written = NIGHT_NO_TIME;
	return w;
}

struct night_hold *night_add_hold(struct night *n)
{
	struct night_hold *h;

	n->holds = grow(n->holds, &n->nholds, sizeof *h, (void **)&h);
	h->placed = h->expires = h->ended = NIGHT_NO_TIME;
	return h;
}

struct night_audit *night_add_audit(struct night *n)
{
	struct night_audit *a;

	n->audit = grow(n->audit, &n->naudit, sizeof *a, (void **)&a);
	a->time = NIGHT_NO_TIME;
	return a;
}

static int cmp_time(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_close(const void *pa, const void *pb)
{
	const struct night_close *a = pa, *b = pb;
	int c = cmp_time(a->scheduled, b->scheduled);

	if (!c)
		c = a->shard - b->shard;
	return c ? c : cmp_str(a->batch_id, b->batch_id);
}

static int cmp_rerun(const void *pa, const void *pb)
{
	const struct night_rerun *a = pa, *b = pb;
	int c = cmp_time(a->requested, b->requested);

	if (!c)
		c = a->shard - b->shard;
	return c ? c : cmp_time(a->request_id, b->request_id);
}

static int cmp_note(const void *pa, const void *pb)
{
	const struct night_note *a = pa, *b = pb;
	int c = cmp_time(a->created, b->created);

	if (!c)
		c = a->shard - b->shard;
	return c ? c : cmp_time(a->note_id, b->note_id);
}

static int cmp_hold(const void *pa, const void *pb)
{
	const struct night_hold *a = pa, *b = pb;
	int c = cmp_time(a->placed, b->placed);

	if (!c)
		c = a->shard - b->shard;
	return c ? c : cmp_time(a->hold_id, b->hold_id);
}

static int cmp_write_off(const void *pa, const void *pb)
{
	const struct night_write_off *a = pa, *b = pb;
	int c = cmp_time(a->written, b->written);

	if (!c)
		c = a->shard - b->shard;
	return c ? c : strcmp(a->invoice_id, b->invoice_id);
}

/* The trail is in the order it was written; a stable sort keeps it so
 * for lines of the same millisecond. */
static int cmp_audit(const void *pa, const void *pb)
{
	const struct night_audit *a = pa, *b = pb;
	int c = cmp_time(a->time, b->time);

	return c ? c : (a < b ? -1 : a > b);
}

void night_sort(struct night *n)
{
	if (n->ncloses)
		qsort(n->closes, n->ncloses, sizeof *n->closes, cmp_close);
	if (n->nreruns)
		qsort(n->reruns, n->nreruns, sizeof *n->reruns, cmp_rerun);
	if (n->nnotes)
		qsort(n->notes, n->nnotes, sizeof *n->notes, cmp_note);
	if (n->nholds)
		qsort(n->holds, n->nholds, sizeof *n->holds, cmp_hold);
	if (n->nwrite_offs)
		qsort(n->write_offs, n->nwrite_offs, sizeof *n->write_offs,
		      cmp_write_off);
	if (n->naudit)
		qsort(n->audit, n->naudit, sizeof *n->audit, cmp_audit);
}

int64_t night_wave_start(const struct night *n)
{
	int64_t t = NIGHT_NO_TIME;

	for (size_t i = 0; i < n->ncloses; i++) {
		const struct night_close *c = &n->closes[i];
		int64_t s = c->started != NIGHT_NO_TIME ? c->started : c->scheduled;

		if (s != NIGHT_NO_TIME && (t == NIGHT_NO_TIME || s < t))
			t = s;
	}
	return t;
}

int64_t night_wave_end(const struct night *n)
{
	int64_t t = NIGHT_NO_TIME;

	for (size_t i = 0; i < n->ncloses; i++) {
		const struct night_close *c = &n->closes[i];

		if (night_close_open(c) || c->finished == NIGHT_NO_TIME)
			return NIGHT_NO_TIME;
		if (t == NIGHT_NO_TIME || c->finished > t)
			t = c->finished;
	}
	return t;
}

void night_span(const struct night *n, int64_t *from, int64_t *to)
{
	int64_t end = night_wave_end(n);

	*from = night_wave_start(n);
	*to = end != NIGHT_NO_TIME ? end : n->generated;
	/* Scheduled closes may lie ahead of the report. */
	for (size_t i = 0; i < n->ncloses; i++) {
		const struct night_close *c = &n->closes[i];

		if (c->scheduled > *to)
			*to = c->scheduled;
		if (c->finished != NIGHT_NO_TIME && c->finished > *to)
			*to = c->finished;
	}
	if (*from == NIGHT_NO_TIME)
		*from = *to;
	if (*to == NIGHT_NO_TIME || *to < *from)
		*to = *from;
}

bool night_close_open(const struct night_close *c)
{
	return !c->status || strcmp(c->status, "closed") != 0;
}

bool night_rerun_open(const struct night_rerun *r)
{
	return r->status && (!strcmp(r->status, "pending") ||
			     !strcmp(r->status, "running"));
}

bool night_hold_open(const struct night_hold *h)
{
	return h->ended == NIGHT_NO_TIME;
}

size_t night_failures(const struct night *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->ncloses; i++)
		if (n->closes[i].status && !strcmp(n->closes[i].status, "failed"))
			k++;
	return k;
}

void night_count(const struct night *n, struct night_counts *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < n->ncloses; i++) {
		c->open += night_close_open(&n->closes[i]);
		c->missed += n->closes[i].missed;
	}
	for (size_t i = 0; i < n->nreruns; i++)
		c->reruns_open += night_rerun_open(&n->reruns[i]);
	for (size_t i = 0; i < n->nholds; i++)
		c->holds_open += night_hold_open(&n->holds[i]);
}

const char *night_shard_name(const struct night *n, int shard)
{
	return shard >= 0 && (size_t)shard < n->nshards ? n->shards[shard].name
							 : "?";
}

size_t night_unreadable(const struct night *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->nshards; i++)
		k += !n->shards[i].read;
	return k;
}

void night_missed(const struct night *n, struct missed_report *r)
{
	struct missed_row *rows = xcalloc(n->ncloses * 2 + 1, sizeof *rows);
	size_t k = 0;

	/* One total row and one biller row per close: the report adds them
	 * up itself. */
	for (size_t i = 0; i < n->ncloses; i++) {
		const struct night_close *c = &n->closes[i];
		struct missed_row base = {
			.shard = c->shard,
			.shard_name = n->shards[c->shard].name,
			.bucket = MISSED_TONIGHT,
			.payment_type = c->payment_type ? c->payment_type : "",
			.module = c->module ? c->module : "",
			.name = c->name ? c->name : "",
			.closes = 1,
			.missed = c->missed,
		};

		if (c->demo)
			continue;
		rows[k++] = base;
		base.biller_id = c->biller_id ? c->biller_id : "";
		rows[k++] = base;
	}
	missed_report_build(r, rows, k, MISSED_TONIGHT, MISSED_BY_BILLER,
			    MISSED_SORT_COUNT, false);
	free(rows);
}

size_t night_payment_files(const struct night *n, int64_t from, int64_t to,
			   int64_t *out, size_t max)
{
	int64_t period = (int64_t)(n->payment_file_period > 0
				   ? n->payment_file_period : 3600) * 1000;
	size_t k = 0;
	int64_t t;

	if (from == NIGHT_NO_TIME || to == NIGHT_NO_TIME || to < from)
		return 0;
	/* The first run at or after from. */
	t = from + next_payment_file_ms(from, n->payment_file_minute,
					(int)(period / 1000));
	if (next_payment_file_ms(from - 1, n->payment_file_minute,
				 (int)(period / 1000)) == 1)
		t = from;
	for (; t <= to; t += period, k++)
		if (k < max)
			out[k] = t;
	return k;
}
