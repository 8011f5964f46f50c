/*
 * fixtures.h - snapshots, billers and batches built in memory, without a
 * database, for the unit tests and the benchmark.
 *
 * Build a snapshot the way the shard poller does after a query: add a
 * biller, then its batches, then the next biller (a biller's batches are
 * contiguous in the snapshot's batch array), and finish with fx_seal(),
 * which computes what the poller computes once the rows are read: the
 * summary of every biller.  Strings live in
 * the snapshot's arena; snapshot_unref() frees everything.
 *
 * The arrays grow as things are added, so a pointer returned by fx_add_*
 * is valid until the next fx_add_* on the same snapshot.
 */
#ifndef BT_TEST_FIXTURES_H
#define BT_TEST_FIXTURES_H

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/biller_status.h"
#include "core/snapshot.h"
#include "core/xalloc.h"

/* Set the UTF-8 locale batchtop runs in (glibc always has C.UTF-8); false,
 * having said so, when there is none: the test cannot mean anything then,
 * which is a failure, not a skip. */
static inline bool fx_utf8_locale(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL)
		return true;
	fprintf(stderr, "no C.UTF-8 locale\n");
	return false;
}

#define FX_SEC(n) ((int64_t)(n) * 1000)
#define FX_MIN(n) ((int64_t)(n) * 60 * 1000)
#define FX_HOUR(n) ((int64_t)(n) * 3600 * 1000)

/* Epoch ms of a UTC date and time, with no time-zone library involved
 * (the days-from-civil count of the proleptic Gregorian calendar). */
static inline int64_t fx_utc(int y, int mon, int d, int h, int min)
{
	int64_t era, yoe, doy, doe, days;

	y -= mon <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return ((days * 24 + h) * 60 + min) * 60 * 1000;
}

/* Whether an array holding n items is full, and its room once grown: it
 * starts with 8 and doubles, so the count alone says when to grow. */
static inline int fx_full(size_t n)
{
	return n == 0 || (n >= 8 && (n & (n - 1)) == 0);
}

static inline size_t fx_room(size_t n)
{
	return n == 0 ? 8 : n * 2;
}

/* An empty snapshot of shard `index` called `shard`. */
static inline struct snapshot *fx_snapshot(int index, const char *shard,
					   int64_t server_now, int64_t taken_mono)
{
	struct snapshot *s = snapshot_new(index, shard);

	s->server_now = server_now;
	s->taken_mono = taken_mono;
	return s;
}

static inline const char *fx_str(struct snapshot *s, const char *text)
{
	return arena_strdup(s->arena, text);
}

/* The words of a fixture's batch, which it may change: each batch of a
 * fixture has its own (fx_add_batch), unlike a poll's, which share them. */
static inline struct batch_kind *fx_kind(const struct batch *t)
{
	return (struct batch_kind *)(uintptr_t)t->kind;
}

/* Give t a rerun request (id, status) by "ops", in s's arena. */
static inline void fx_rerun(struct snapshot *s, struct batch *t,
			    long long id, const char *status)
{
	struct batch_rerun *r = arena_alloc(s->arena, sizeof *r);

	r->id = id;
	r->status = fx_str(s, status);
	r->by = fx_str(s, "ops");
	r->at = BT_NO_TIME;
	t->rerun = r;
}

/* A known biller in a known zone at UTC, with no autopay run yet; the
 * caller may change any field before fx_seal(). */
static inline struct biller *fx_add_biller(struct snapshot *s, const char *id,
					   const char *name, const char *zone,
					   int priority)
{
	struct biller *b;

	b = snapshot_add_biller(s);
	b->biller_id = fx_str(s, id);
	b->name = fx_str(s, name);
	b->timezone = fx_str(s, zone);
	b->shard = s->shard;
	b->shard_index = s->shard_index;
	b->priority = priority;
	b->known = true;
	b->tz_known = true;
	b->ap_payments = BT_NO_INT;
	b->ap_failed = BT_NO_INT;
	b->ap_run_at = BT_NO_TIME;
	b->last_error_class = "";
	b->attempts_max = BT_NO_INT;
	return b;
}

/* The status text a shard would send for a state. */
static inline const char *fx_status_text(enum batch_state st)
{
	static const char *const text[] = {
		[BATCH_SCHEDULED] = "scheduled",
		[BATCH_RUNNING] = "running",
		[BATCH_CLOSED] = "closed",
		[BATCH_FAILED] = "failed",
		[BATCH_OTHER] = "paused",
		[BATCH_HELD] = "held",
	};

	return text[st];
}

static inline int64_t fx_latest(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* A batch of the last biller added.  Times are epoch ms or BT_NO_TIME; the
 * batch gets no error, no attempt count, and updated_at = its latest time. */
static inline struct batch *fx_add_batch(struct snapshot *s, enum batch_state st,
					 int64_t scheduled, int64_t deadline,
					 int64_t started, int64_t finished)
{
	struct biller *b;
	struct batch *t;
	struct batch_kind *k;
	char id[32];

	if (s->nbillers == 0) {
		fprintf(stderr, "fixtures: a batch needs a biller first\n");
		abort();
	}
	/* Every batch of the snapshot in one block of its arena, as a poll
	 * makes them: the block moves as it grows, and the billers' views
	 * into it with it (the old block stays in the arena, unused). */
	if (fx_full(s->nbatches)) {
		struct batch *all = arena_alloc(s->arena, fx_room(s->nbatches) *
						sizeof *all);
		size_t off = 0;

		for (size_t i = 0; i < s->nbillers; i++) {
			struct biller *o = snapshot_biller_w(s, i);

			if (o->nbatches)
				memcpy(all + off, o->batches,
				       o->nbatches * sizeof *all);
			o->batches = all + off;
			off += o->nbatches;
		}
	}
	b = snapshot_biller_w(s, s->nbillers - 1);
	/* The block starts at the first biller's batches (it had a batch,
	 * or the block was made while it was the only biller). */
	if (b->nbatches == 0)
		b->batches = snapshot_biller(s, 0)->batches + s->nbatches;
	t = &b->batches[b->nbatches];
	s->nbatches++;
	b->nbatches++;
	memset(t, 0, sizeof *t);
	snprintf(id, sizeof id, "%s-%zu", s->shard, s->nbatches);
	t->batch_id = fx_str(s, id);
	k = arena_alloc(s->arena, sizeof *k);
	k->business_day = fx_str(s, "2026-11-01");
	k->payment_type = fx_str(s, "ach");
	k->module = fx_str(s, "close");
	k->status = fx_str(s, fx_status_text(st));
	k->error_class = "";
	k->bad = "";
	t->kind = k;
	t->error_message = "";
	t->state = st;
	t->attempts = BT_NO_INT;
	t->deadline_given = true;
	t->scheduled_at = scheduled;
	t->deadline_at = deadline;
	t->started_at = started;
	t->finished_at = finished;
	t->updated_at = fx_latest(fx_latest(scheduled, started), finished);
	if (b->tz_known && scheduled != BT_NO_TIME) {
		/* What the shard computes with AT TIME ZONE, at today's offset. */
		int64_t min = scheduled / 60000 + b->utc_offset_s / 60;
		int64_t day = ((min % 1440) + 1440) % 1440;

		t->local_min = (uint16_t)(1 + day);
	}
	return t;
}

/* A batch of the last biller that alone makes it `want` at now, for the
 * default at_risk_pct (75) and window (45 minutes).  BS_NONE adds none. */
static inline struct batch *fx_add_batch_for(struct snapshot *s,
					     enum biller_status want, int64_t now)
{
	const int64_t win = FX_MIN(45), ago = now - FX_HOUR(2);

	switch (want) {
	case BS_FAILED:
		return fx_add_batch(s, BATCH_FAILED, now - FX_MIN(10),
				    now + FX_MIN(35), now - FX_MIN(10),
				    now - FX_MIN(2));
	case BS_LATE:		/* never started, due 15 minutes ago */
		return fx_add_batch(s, BATCH_SCHEDULED, now - FX_HOUR(1),
				    now - FX_HOUR(1) + win, BT_NO_TIME, BT_NO_TIME);
	case BS_AT_RISK:	/* 90% of its window used */
		return fx_add_batch(s, BATCH_RUNNING, now - win * 9 / 10,
				    now + win / 10, now - win * 9 / 10, BT_NO_TIME);
	case BS_OTHER:
		return fx_add_batch(s, BATCH_OTHER, now - FX_MIN(1),
				    now - FX_MIN(1) + win, now - FX_MIN(1), BT_NO_TIME);
	case BS_RUNNING:	/* 10% used */
		return fx_add_batch(s, BATCH_RUNNING, now - win / 10,
				    now + win * 9 / 10, now - win / 10, BT_NO_TIME);
	case BS_SCHEDULED:
		return fx_add_batch(s, BATCH_SCHEDULED, now + FX_MIN(30),
				    now + FX_MIN(30) + win, BT_NO_TIME, BT_NO_TIME);
	case BS_CLOSED_LATE:	/* finished 15 minutes after its deadline */
		return fx_add_batch(s, BATCH_CLOSED, ago, ago + win, ago,
				    ago + FX_HOUR(1));
	case BS_CLOSED:
		return fx_add_batch(s, BATCH_CLOSED, ago, ago + win, ago,
				    ago + FX_MIN(5));
	case BS_HELD:		/* the shard says so: no hold needed */
		return fx_add_batch(s, BATCH_HELD, now - FX_MIN(10),
				    now + FX_MIN(35), BT_NO_TIME, BT_NO_TIME);
	case BS_NONE:
	case BS__COUNT:
		break;
	}
	return NULL;
}

/* What the poller does after the last row: the summaries. */
static inline struct snapshot *fx_seal(struct snapshot *s)
{
	for (size_t i = 0; i < s->nbillers; i++)
		biller_summarize(snapshot_biller_w(s, i));
	return s;
}

#endif
