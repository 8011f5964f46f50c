/*
 * test_ahead.c - the night ahead (src/core/night.c): the closes predicted
 * running minute by minute on each shard, and the predicted misses, from
 * a view's snapshots and histories; demo billers and passed deadlines
 * left out, closes without history counted apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fixtures.h"
#include "core/arena.h"
#include "core/config.h"
#include "core/hold.h"
#include "core/ahead.h"
#include "core/view.h"

#define T0 fx_utc(2026, 11, 20, 23, 0)

/* Five past closes of biller id, each `minutes` long, a minute late. */
static void past(struct fc_history *h, const char *id, int minutes)
{
	static const char *const days[] = { "2026-11-13", "2026-11-16", "2026-11-17",
					    "2026-11-18", "2026-11-19" };

	for (int d = 0; d < 5; d++)
		fc_history_add(h, id, days[d], "ach", "close", FX_MIN(1), FX_MIN(minutes));
}

struct fixture {
	struct view v;
	struct batch *slow;	/* b1: will miss */
};

static void setup(struct fixture *f, int nshards)
{
	struct config cfg;
	struct snapshot *s = fx_snapshot(0, "east", T0, 1000);
	struct fc_history *h = fc_history_new(0, T0 - FX_MIN(5));

	config_defaults(&cfg);
	view_init(&f->v, (size_t)nshards, &cfg);
	config_free(&cfg);

	past(h, "b1", 40);
	past(h, "b2", 10);
	past(h, "b3", 40);
	fc_history_finish(h);
	/* b1: running 10 minutes, 20 left to its deadline, takes 40: misses. */
	fx_add_biller(s, "b1", "Slow Water", "UTC", 1);
	fx_add_batch(s, BATCH_RUNNING, T0 - FX_MIN(10), T0 + FX_MIN(20),
		     T0 - FX_MIN(10), BT_NO_TIME);
	/* b2: due in 5 minutes, a minute late as always, 10 minutes long. */
	fx_add_biller(s, "b2", "Quick Gas", "UTC", 2);
	fx_add_batch(s, BATCH_SCHEDULED, T0 + FX_MIN(5), T0 + FX_MIN(50),
		     BT_NO_TIME, BT_NO_TIME);
	/* b3: as slow as b1, but a demo biller. */
	fx_add_biller(s, "b3", "Demo Biller 3", "UTC", 5)->is_demo = true;
	fx_add_batch(s, BATCH_RUNNING, T0 - FX_MIN(10), T0 + FX_MIN(20),
		     T0 - FX_MIN(10), BT_NO_TIME);
	/* b5: late already (its deadline passed): LATE, not "will miss";
	 * it has no closes of its own, and has run longer than any of its
	 * module's, so it runs on for their median (40) from now. */
	fx_add_biller(s, "b5", "Late Sewer", "UTC", 3);
	fx_add_batch(s, BATCH_RUNNING, T0 - FX_MIN(50), T0 - FX_MIN(5),
		     T0 - FX_MIN(50), BT_NO_TIME);
	past(h, "b5", 40);	/* ignored: the history is finished */
	view_set_snapshot(&f->v, 0, fx_seal(s));
	f->slow = &snapshot_biller(f->v.snaps[0], 0)->batches[0];
	snapshot_unref(s);
	view_set_history(&f->v, 0, h);
	fc_history_unref(h);
	if (nshards < 2)
		return;
	/* Shard 1 has no history read yet: its b4 has no forecast. */
	s = fx_snapshot(1, "west", T0, 1000);
	fx_add_biller(s, "b4", "New Biller", "UTC", 3);
	fx_add_batch(s, BATCH_RUNNING, T0 - FX_MIN(1), T0 + FX_MIN(44),
		     T0 - FX_MIN(1), BT_NO_TIME);
	view_set_snapshot(&f->v, 1, fx_seal(s));
	snapshot_unref(s);
}

static void test_counts_the_misses(void **state)
{
	struct fixture f;

	(void)state;
	setup(&f, 1);
	assert_int_equal(ahead_count_misses(&f.v, T0), 1);
	/* Once its deadline has passed it is LATE, no longer "will miss". */
	assert_int_equal(ahead_count_misses(&f.v, T0 + FX_MIN(21)), 0);
	assert_int_equal(ahead_count_misses(&f.v, BT_NO_TIME), 0);
	view_free(&f.v);
}

static void test_minute_by_minute(void **state)
{
	struct fixture f;
	struct ahead n;

	(void)state;
	setup(&f, 1);
	ahead_build(&n, &f.v, T0 + FX_SEC(30), FX_MIN(1));
	assert_true(n.from == T0);
	assert_true(n.step == FX_MIN(1));
	/* b1 runs to its p50 finish, 30 minutes from T0; b2 from 6 to 16;
	 * b5 to 40 minutes from now (T0 + 0:30). */
	assert_int_equal(n.nrows, 41);
	assert_int_equal(ahead_running(&n, 0, 0), 2);
	assert_int_equal(ahead_running(&n, 5, 0), 2);
	assert_int_equal(ahead_running(&n, 6, 0), 3);
	assert_int_equal(ahead_running(&n, 15, 0), 3);
	assert_int_equal(ahead_running(&n, 16, 0), 2);
	assert_int_equal(ahead_running(&n, 29, 0), 2);
	assert_int_equal(ahead_running(&n, 30, 0), 1);
	assert_int_equal(ahead_running(&n, 40, 0), 1);
	assert_int_equal(n.peak, 3);
	/* b1, b2 and b5 are counted; the demo biller is not. */
	assert_int_equal(n.counted, 3);
	assert_int_equal(n.unforecast, 0);
	assert_int_equal(n.nmisses, 1);
	assert_ptr_equal(n.misses[0].t, f.slow);
	assert_true(n.misses[0].p_miss > 0.9);
	assert_true(n.misses[0].eta_p50 == T0 + FX_MIN(30));
	ahead_free(&n);
	view_free(&f.v);
}

static void test_shards_apart(void **state)
{
	struct fixture f;
	struct ahead n;

	(void)state;
	setup(&f, 2);
	ahead_build(&n, &f.v, T0, FX_MIN(1));
	assert_int_equal(n.nshards, 2);
	for (size_t r = 0; r < n.nrows; r++)
		assert_int_equal(ahead_running(&n, r, 1), 0);
	assert_int_equal(ahead_running(&n, 10, 0), 3);
	assert_int_equal(n.unforecast, 1);
	assert_int_equal(n.nmisses, 1);
	ahead_free(&n);
	/* No clock yet: an empty night. */
	ahead_build(&n, &f.v, BT_NO_TIME, FX_MIN(1));
	assert_int_equal(n.nrows, 0);
	assert_int_equal(n.nmisses, 0);
	ahead_free(&n);
	view_free(&f.v);
}

/* The view keeps the count per biller (totals.misses, what the header
 * and the wallboard show): the same as the count afresh, and counted
 * again when a deadline passes, when the forecast's answer runs out and
 * when a new snapshot comes, even for a held close, which the biller's
 * own evaluation never looks at again (its status waits for a release). */
static void test_view_keeps_the_count(void **state)
{
	struct fixture f;
	struct snapshot *s;
	struct hold *hd;

	(void)state;
	setup(&f, 1);
	view_rebuild(&f.v, T0);
	assert_int_equal(f.v.totals.misses, 1);
	assert_int_equal(ahead_count_misses(&f.v, T0), 1);
	/* b6: held, due at 0:01 and 40 minutes long against 0:08: it will
	 * miss until its deadline passes at 0:08. */
	s = fx_snapshot(0, "east", T0, 1001);
	fx_add_biller(s, "b6", "Held Power", "UTC", 4);
	fx_add_batch(s, BATCH_SCHEDULED, T0 + FX_MIN(1), T0 + FX_MIN(8),
		     BT_NO_TIME, BT_NO_TIME);
	hd = arena_alloc(s->arena, sizeof *hd);
	memset(hd, 0, sizeof *hd);
	hd->hold_id = 1;
	hd->kind = HOLD_BATCH_CLOSE;
	hd->biller_id = fx_str(s, "b6");
	hd->placed_at = T0;
	hd->expires_at = hd->ended_at = BT_NO_TIME;
	s->holds = hd;
	s->nholds = 1;
	s->holds_read = true;
	view_set_snapshot(&f.v, 0, fx_seal(s));
	snapshot_unref(s);
	/* A new snapshot: b1 is gone, b6 is new. */
	view_rebuild(&f.v, T0 + FX_SEC(1));
	assert_int_equal(view_row(&f.v, 0)->ev.status, BS_HELD);
	assert_int_equal(ahead_count_misses(&f.v, T0 + FX_SEC(1)), 1);
	assert_int_equal(f.v.totals.misses, 1);
	for (int64_t now = T0 + FX_SEC(2); now < T0 + FX_MIN(10); now += FX_SEC(7)) {
		view_rebuild(&f.v, now);
		assert_int_equal(f.v.totals.misses, (int)ahead_count_misses(&f.v, now));
	}
	/* Its deadline passed without a new evaluation of b6. */
	assert_int_equal(f.v.totals.misses, 0);
	assert_int_equal(view_row(&f.v, 0)->ev.status, BS_HELD);
	view_rebuild(&f.v, BT_NO_TIME);
	assert_int_equal(f.v.totals.misses, 0);
	view_free(&f.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_the_misses),
		cmocka_unit_test(test_minute_by_minute),
		cmocka_unit_test(test_shards_apart),
		cmocka_unit_test(test_view_keeps_the_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
