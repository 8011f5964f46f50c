/*
 * test_view_chunks.c - a new snapshot of the same billers is walked chunk
 * by chunk (core/view.c, refresh_chunks): the billers of a chunk the merge
 * shared with the last snapshot are not looked at, those of a chunk it
 * copied are, and the rows and totals are a full rebuild's.
 *
 * One shard of 1,003 billers (the last chunk not full), each with one
 * close running well inside its window, made and merged as the poller
 * does (every biller in a home of its own, snapshot_merge).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/snapshot.h"
#include "core/view.h"
#include "fixtures.h"

#define T0 fx_utc(2026, 3, 10, 2, 0)
#define NB 1003

/* What each biller's close is doing. */
struct model {
	enum batch_state st[NB];
	int attempts[NB];
	uint64_t names_id;
};

/* The billers marked in only (all of them: NULL), as a poll reads them. */
static struct snapshot *make_part(const struct model *m, const bool *only,
				  int64_t now)
{
	struct snapshot *s = fx_snapshot(0, "eu1", now, 1000);
	char id[32], bid[40];

	for (int j = 0; j < NB; j++) {
		struct biller *b;
		struct batch *x;

		if (only && !only[j])
			continue;
		snprintf(id, sizeof id, "eu1-%04d", j);
		b = fx_add_biller(s, id, id, "UTC", j % 3);
		b->home = s->arena;
		x = fx_add_batch(s, m->st[j], T0 - FX_MIN(10), T0 + FX_MIN(35),
				 T0 - FX_MIN(10),
				 m->st[j] == BATCH_CLOSED ? now : BT_NO_TIME);
		snprintf(bid, sizeof bid, "%s/0", id);
		x->batch_id = fx_str(s, bid);
		x->attempts = m->attempts[j];
	}
	fx_seal(s);
	s->names_id = m->names_id;
	return s;
}

static void init(struct view *v)
{
	struct config cfg;

	config_defaults(&cfg);
	view_init(v, 1, &cfg);
	config_free(&cfg);
}

/* The rows and totals of v against a rebuild from scratch of the same
 * snapshot at now. */
static void expect_full(struct view *v, int64_t now)
{
	struct view ref;

	init(&ref);
	view_set_snapshot(&ref, 0, v->snaps[0]);
	view_rebuild(&ref, now);
	view_retime(v, 0, v->nrows);
	assert_int_equal(v->nrows, ref.nrows);
	assert_memory_equal(&v->totals, &ref.totals, sizeof v->totals);
	for (size_t i = 0; i < v->nrows; i++) {
		const struct row *a = view_row(v, i), *b = view_row(&ref, i);

		assert_ptr_equal(a->b, b->b);
		assert_int_equal(a->ev.status, b->ev.status);
		assert_ptr_equal(a->ev.focus, b->ev.focus);
		assert_int_equal(a->ev.time_left, b->ev.time_left);
		assert_int_equal(a->acted, b->acted);
	}
	view_free(&ref);
}

/* A poll of the billers marked in which, merged into v's snapshot. */
static void poll(struct view *v, const struct model *m, const bool *which,
		 int64_t now)
{
	struct snapshot *s = snapshot_merge(v->snaps[0], make_part(m, which, now));

	view_set_snapshot(v, 0, s);
	snapshot_unref(s);
}

/* One biller of 1,003 fails: the merge copies its chunk and shares the
 * other 125; the view looks at that chunk's billers alone, and the one
 * that failed shows failed, in the totals too. */
static void test_one_change_visits_one_chunk(void **state)
{
	struct model *m = calloc(1, sizeof *m);
	bool which[NB] = { false };
	struct view v;
	struct view_why w0;
	int64_t now = T0;
	long r;

	(void)state;
	assert_non_null(m);
	for (int j = 0; j < NB; j++)
		m->st[j] = BATCH_RUNNING;
	m->names_id = snapshot_names_id_new();
	init(&v);
	{
		struct snapshot *s = make_part(m, NULL, now);

		view_set_snapshot(&v, 0, s);
		snapshot_unref(s);
	}
	view_rebuild(&v, now);
	assert_int_equal(v.totals.by_status[BS_FAILED], 0);

	now += FX_SEC(1);
	m->st[500] = BATCH_FAILED;
	which[500] = true;
	poll(&v, m, which, now);
	w0 = v.why;
	view_rebuild(&v, now);
	print_message("one change of %d: %zu billers visited, %zu in shared "
		      "chunks\n", NB, v.why.visited - w0.visited,
		      v.why.shared - w0.shared);
	/* What it shows first (a walk that skips too much fails here),
	 * then what it cost. */
	assert_int_equal(v.totals.by_status[BS_FAILED], 1);
	r = view_find(&v, 0, "eu1-0500");
	assert_true(r >= 0);
	assert_int_equal(view_row(&v, (size_t)r)->ev.status, BS_FAILED);
	assert_ptr_equal(view_row(&v, (size_t)r)->b, snapshot_biller(v.snaps[0], 500));
	expect_full(&v, now);
	assert_int_equal(v.why.changed - w0.changed, 1);
	assert_true(v.why.visited - w0.visited <= BILLER_CHUNK);
	assert_true(v.why.visited - w0.visited >= 1);
	assert_int_equal(v.why.shared - w0.shared + v.why.visited - w0.visited, NB);

	/* The last chunk, not full, and the first, at once: a new attempt
	 * (the same input, kept) and a close that finished. */
	now += FX_SEC(1);
	memset(which, 0, sizeof which);
	m->attempts[1001]++;
	m->st[3] = BATCH_CLOSED;
	which[1001] = which[3] = true;
	poll(&v, m, which, now);
	w0 = v.why;
	view_rebuild(&v, now);
	assert_true(v.why.visited - w0.visited <= 2 * BILLER_CHUNK);
	assert_int_equal(v.why.kept - w0.kept, 1);
	assert_int_equal(v.why.changed - w0.changed, 1);
	r = view_find(&v, 0, "eu1-1001");
	assert_true(r >= 0);
	assert_int_equal(view_row(&v, (size_t)r)->b->batches[0].attempts, 1);
	assert_ptr_equal(view_row(&v, (size_t)r)->b, snapshot_biller(v.snaps[0], 1001));
	r = view_find(&v, 0, "eu1-0003");
	assert_true(r >= 0);
	assert_int_equal(view_row(&v, (size_t)r)->ev.status, BS_CLOSED);
	expect_full(&v, now);

	/* A poll that changed nothing shares every chunk. */
	now += FX_SEC(1);
	memset(which, 0, sizeof which);
	poll(&v, m, which, now);
	w0 = v.why;
	view_rebuild(&v, now);
	assert_int_equal(v.why.visited - w0.visited, 0);
	expect_full(&v, now);
	view_free(&v);
	free(m);
}

/* A new snapshot of other billers (a names_id of its own) is not walked
 * by chunks: every biller is looked at. */
static void test_other_billers_visit_all(void **state)
{
	struct model *m = calloc(1, sizeof *m);
	struct view v;
	struct view_why w0;
	struct snapshot *s;

	(void)state;
	assert_non_null(m);
	for (int j = 0; j < NB; j++)
		m->st[j] = BATCH_RUNNING;
	m->names_id = snapshot_names_id_new();
	init(&v);
	s = make_part(m, NULL, T0);
	view_set_snapshot(&v, 0, s);
	snapshot_unref(s);
	view_rebuild(&v, T0);
	m->names_id = snapshot_names_id_new();
	s = make_part(m, NULL, T0 + FX_SEC(1));
	view_set_snapshot(&v, 0, s);
	snapshot_unref(s);
	w0 = v.why;
	view_rebuild(&v, T0 + FX_SEC(1));
	assert_int_equal(v.why.visited - w0.visited, NB);
	assert_int_equal(v.why.shared - w0.shared, 0);
	expect_full(&v, T0 + FX_SEC(1));
	view_free(&v);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_change_visits_one_chunk),
		cmocka_unit_test(test_other_billers_visit_all),
	};

	if (!fx_utf8_locale())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
