/*
 * test_model.c - the status rules of a biller and its window arithmetic.
 *
 * Every rule of core/biller_status.c gets a test, then every pair of rules to check the
 * precedence, then the boundaries (exactly at the deadline, exactly at the
 * at-risk threshold), the clamps of the window percentage, missing times,
 * the time-independent summary, and snapshots' reference counts.  The last
 * tests put a close window across a daylight-saving change to show that
 * the arithmetic, done in epoch milliseconds, does not notice it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/biller_status.h"
#include "fixtures.h"
#include "core/snapshot.h"
#include "core/timefmt.h"

#define PCT 75				/* the default at_risk_pct */
#define T0 fx_utc(2026, 3, 10, 2, 0)	/* an ordinary night, 02:00 UTC */
#define WIN FX_MIN(45)

/* A snapshot holding one biller "b1" with no batches yet. */
static struct snapshot *one_biller(void)
{
	struct snapshot *s = fx_snapshot(0, "eu1", T0, 0);

	fx_add_biller(s, "b1", "Acme Water", "Europe/Paris", 1);
	return s;
}

static const struct biller *sealed_biller(struct snapshot *s)
{
	fx_seal(s);
	return snapshot_biller(s, 0);
}

/* Evaluate the only biller of s at now. */
static struct biller_eval eval_at(struct snapshot *s, int64_t now)
{
	struct biller_eval ev;

	biller_eval(sealed_biller(s), now, PCT, &ev);
	return ev;
}

/* A batch of the last biller with a window of WIN starting at start. */
static struct batch *add(struct snapshot *s, enum batch_state st, int64_t start)
{
	return fx_add_batch(s, st, start, start + WIN,
			    st == BATCH_SCHEDULED ? BT_NO_TIME : start,
			    BT_NO_TIME);
}

/* --- one rule at a time -------------------------------------------------- */

static void test_no_batches(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev = eval_at(s, T0);

	assert_int_equal(ev.status, BS_NONE);
	assert_null(ev.focus);
	assert_int_equal(ev.time_left, 0);
	assert_int_equal(ev.permille, 0);
	snapshot_unref(s);
}

static void test_failed(void **state)
{
	struct snapshot *s = one_biller();
	struct batch *t = fx_add_batch(s, BATCH_FAILED, T0, T0 + WIN, T0,
				       T0 + FX_MIN(5));
	const struct batch *want = t;
	struct biller_eval ev = eval_at(s, T0 + FX_MIN(10));

	assert_int_equal(ev.status, BS_FAILED);
	assert_ptr_equal(ev.focus, want);
	assert_int_equal(ev.time_left, FX_MIN(35));
	snapshot_unref(s);
}

static void test_late_exactly_at_deadline(void **state)
{
	static const enum batch_state open[] = {
		BATCH_SCHEDULED, BATCH_RUNNING, BATCH_OTHER,
	};

	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++) {
		struct snapshot *s = one_biller();
		struct biller_eval ev;

		add(s, open[i], T0);
		/* One millisecond before the deadline it is not late yet. */
		ev = eval_at(s, T0 + WIN - 1);
		assert_int_not_equal(ev.status, BS_LATE);
		assert_int_equal(ev.time_left, 1);
		/* At the deadline it is (deadline <= now). */
		ev = eval_at(s, T0 + WIN);
		assert_int_equal(ev.status, BS_LATE);
		assert_int_equal(ev.time_left, 0);
		ev = eval_at(s, T0 + WIN + FX_SEC(90));
		assert_int_equal(ev.status, BS_LATE);
		assert_int_equal(ev.time_left, -FX_SEC(90));
		assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[0]);
		snapshot_unref(s);
	}
}

static void test_closed_and_failed_are_never_late(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev;

	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, T0 + FX_MIN(10));
	ev = eval_at(s, T0 + FX_HOUR(3));
	assert_int_equal(ev.status, BS_CLOSED);
	snapshot_unref(s);

	s = one_biller();
	fx_add_batch(s, BATCH_FAILED, T0, T0 + WIN, T0, T0 + FX_MIN(10));
	ev = eval_at(s, T0 + FX_HOUR(3));
	assert_int_equal(ev.status, BS_FAILED);
	assert_true(ev.time_left < 0);
	snapshot_unref(s);
}

/* 45 minutes is 2,700,000 ms: 75.0% is 2,025,000 ms, 75.1% is 2,027,700. */
static void test_at_risk_threshold(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev;

	add(s, BATCH_RUNNING, T0);
	ev = eval_at(s, T0 + 2025000);
	assert_int_equal(ev.permille, 750);
	assert_int_equal(ev.status, BS_RUNNING);	/* not more than 75% */
	/* Permille truncates: 75.09% is still 750 and not at risk. */
	ev = eval_at(s, T0 + 2027699);
	assert_int_equal(ev.permille, 750);
	assert_int_equal(ev.status, BS_RUNNING);
	ev = eval_at(s, T0 + 2027700);
	assert_int_equal(ev.permille, 751);
	assert_int_equal(ev.status, BS_AT_RISK);
	assert_int_equal(ev.time_left, WIN - 2027700);
	/* Just before the deadline: still at risk, not late. */
	ev = eval_at(s, T0 + WIN - 1);
	assert_int_equal(ev.status, BS_AT_RISK);
	assert_int_equal(ev.permille, 999);
	snapshot_unref(s);
}

static void test_at_risk_pct_is_a_parameter(void **state)
{
	struct snapshot *s = one_biller();
	const struct biller *b;
	struct biller_eval ev;

	add(s, BATCH_RUNNING, T0);
	b = sealed_biller(s);
	biller_eval(b, T0 + WIN / 2 + FX_MIN(1), 50, &ev);
	assert_int_equal(ev.status, BS_AT_RISK);
	biller_eval(b, T0 + WIN / 2 + FX_MIN(1), 75, &ev);
	assert_int_equal(ev.status, BS_RUNNING);
	/* At 100% nothing running is ever at risk; it goes straight to late. */
	biller_eval(b, T0 + WIN - 1, 100, &ev);
	assert_int_equal(ev.status, BS_RUNNING);
	biller_eval(b, T0 + WIN, 100, &ev);
	assert_int_equal(ev.status, BS_LATE);
	snapshot_unref(s);
}

/* Only running batches are at risk: a scheduled one that has not started
 * 80% into its window is just scheduled until its deadline. */
static void test_only_running_is_at_risk(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev;

	add(s, BATCH_SCHEDULED, T0);
	ev = eval_at(s, T0 + WIN * 8 / 10);
	assert_int_equal(ev.status, BS_SCHEDULED);
	assert_int_equal(ev.permille, 800);
	snapshot_unref(s);
}

static void test_other_running_scheduled(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev;

	add(s, BATCH_OTHER, T0);
	ev = eval_at(s, T0 + FX_MIN(1));
	assert_int_equal(ev.status, BS_OTHER);
	assert_string_equal(ev.focus->kind->status, "paused");
	snapshot_unref(s);

	s = one_biller();
	add(s, BATCH_RUNNING, T0);
	ev = eval_at(s, T0 + FX_MIN(9));
	assert_int_equal(ev.status, BS_RUNNING);
	assert_int_equal(ev.permille, 200);
	assert_int_equal(ev.time_left, FX_MIN(36));
	snapshot_unref(s);

	s = one_biller();
	add(s, BATCH_SCHEDULED, T0 + FX_MIN(30));
	ev = eval_at(s, T0);
	assert_int_equal(ev.status, BS_SCHEDULED);
	assert_int_equal(ev.permille, 0);
	assert_int_equal(ev.time_left, FX_MIN(75));
	snapshot_unref(s);
}

static void test_closed_late_and_closed(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev;

	/* On time: closed, focus on the last to finish. */
	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, T0 + FX_MIN(20));
	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, T0 + FX_MIN(30));
	ev = eval_at(s, T0 + FX_HOUR(1));
	assert_int_equal(ev.status, BS_CLOSED);
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	assert_int_equal(ev.permille, 1000);
	assert_int_equal(ev.time_left, 0);
	snapshot_unref(s);

	/* One finished after its deadline: closed late, by how much. */
	s = one_biller();
	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, T0 + FX_MIN(20));
	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, T0 + WIN + FX_SEC(65));
	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, T0 + WIN + FX_SEC(5));
	ev = eval_at(s, T0 + FX_HOUR(1));
	assert_int_equal(ev.status, BS_CLOSED_LATE);
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	assert_int_equal(ev.time_left, FX_SEC(65));	/* positive: late by */
	assert_int_equal(ev.permille, 1000);
	snapshot_unref(s);

	/* Finishing exactly at the deadline is on time. */
	s = one_biller();
	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, T0 + WIN);
	ev = eval_at(s, T0 + FX_HOUR(1));
	assert_int_equal(ev.status, BS_CLOSED);
	snapshot_unref(s);
}

/* --- precedence ------------------------------------------------------------ */

/* A batch that alone gives status `want` at T0. */
static void add_batch_for(struct snapshot *s, enum biller_status want)
{
	assert_non_null(fx_add_batch_for(s, want, T0));
}

static void test_each_maker_alone(void **state)
{
	for (int st = 0; st < BS_NONE; st++) {
		struct snapshot *s = one_biller();
		struct biller_eval ev;

		add_batch_for(s, (enum biller_status)st);
		ev = eval_at(s, T0);
		assert_int_equal(ev.status, st);
		assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[0]);
		snapshot_unref(s);
	}
}

/* Every pair, in both orders: the more urgent status wins and its batch
 * is the focus. */
static void test_precedence_pairs(void **state)
{
	for (int hi = 0; hi < BS_NONE; hi++) {
		for (int lo = hi + 1; lo < BS_NONE; lo++) {
			for (int order = 0; order < 2; order++) {
				struct snapshot *s = one_biller();
				struct biller_eval ev;

				add_batch_for(s, (enum biller_status)(order ? lo : hi));
				add_batch_for(s, (enum biller_status)(order ? hi : lo));
				ev = eval_at(s, T0);
				if ((int)ev.status != hi)
					fail_msg("%s + %s gave %s",
						 biller_status_label(hi),
						 biller_status_label(lo),
						 biller_status_label(ev.status));
				assert_ptr_equal(ev.focus,
						 &snapshot_biller(s, 0)->batches[order]);
				snapshot_unref(s);
			}
		}
	}
}

/* --- focus and time left --------------------------------------------------- */

static void test_focus_earliest_deadline(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev;

	/* Two running: the one due first decides, even if added last. */
	add(s, BATCH_RUNNING, T0);			/* due T0+45 */
	fx_add_batch(s, BATCH_RUNNING, T0, T0 + FX_MIN(20), T0, BT_NO_TIME);
	ev = eval_at(s, T0 + FX_MIN(5));
	assert_int_equal(ev.status, BS_RUNNING);
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	assert_int_equal(ev.time_left, FX_MIN(15));
	assert_int_equal(ev.permille, 250);
	snapshot_unref(s);

	/* Two late: the one late the longest. */
	s = one_biller();
	add(s, BATCH_SCHEDULED, T0);
	add(s, BATCH_RUNNING, T0 - FX_MIN(10));
	ev = eval_at(s, T0 + FX_HOUR(1));
	assert_int_equal(ev.status, BS_LATE);
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	assert_int_equal(ev.time_left, -FX_MIN(25));
	snapshot_unref(s);

	/* Two failed: the earliest deadline. */
	s = one_biller();
	fx_add_batch(s, BATCH_FAILED, T0, T0 + FX_MIN(50), T0, T0 + FX_MIN(1));
	fx_add_batch(s, BATCH_FAILED, T0, T0 + FX_MIN(40), T0, T0 + FX_MIN(2));
	ev = eval_at(s, T0 + FX_MIN(10));
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	assert_int_equal(ev.time_left, FX_MIN(30));
	snapshot_unref(s);

	/* Two scheduled: the one that starts first. */
	s = one_biller();
	add(s, BATCH_SCHEDULED, T0 + FX_MIN(40));
	add(s, BATCH_SCHEDULED, T0 + FX_MIN(10));
	ev = eval_at(s, T0);
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	assert_int_equal(ev.time_left, FX_MIN(55));
	snapshot_unref(s);

	/* At risk: the running batch furthest into its window. */
	s = one_biller();
	add(s, BATCH_RUNNING, T0 - FX_MIN(36));		/* 80% */
	fx_add_batch(s, BATCH_RUNNING, T0 - FX_MIN(9), T0 + FX_MIN(1),
		     T0 - FX_MIN(9), BT_NO_TIME);		/* 90% */
	ev = eval_at(s, T0);
	assert_int_equal(ev.status, BS_AT_RISK);
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	assert_int_equal(ev.permille, 900);
	snapshot_unref(s);
}

/* --- the window percentage ------------------------------------------------- */

static void test_permille_clamps(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev;

	/* Running before its scheduled time (started early): 0, not < 0. */
	add(s, BATCH_RUNNING, T0 + FX_MIN(10));
	ev = eval_at(s, T0);
	assert_int_equal(ev.status, BS_RUNNING);
	assert_int_equal(ev.permille, 0);
	assert_int_equal(ev.time_left, FX_MIN(55));
	/* Far past the deadline: capped at 9999. */
	ev = eval_at(s, T0 + FX_HOUR(24 * 30));
	assert_int_equal(ev.status, BS_LATE);
	assert_int_equal(ev.permille, 9999);
	snapshot_unref(s);

	/* A window of zero: nothing used until the deadline, all of it at. */
	s = one_biller();
	fx_add_batch(s, BATCH_RUNNING, T0, T0, T0, BT_NO_TIME);
	ev = eval_at(s, T0 - 1);
	assert_int_equal(ev.status, BS_RUNNING);
	assert_int_equal(ev.permille, 0);
	ev = eval_at(s, T0);
	assert_int_equal(ev.status, BS_LATE);
	assert_int_equal(ev.permille, 1000);
	snapshot_unref(s);

	/* A negative window (deadline before the schedule): no division. */
	s = one_biller();
	fx_add_batch(s, BATCH_RUNNING, T0, T0 - FX_MIN(5), T0, BT_NO_TIME);
	ev = eval_at(s, T0 - FX_MIN(10));
	assert_int_equal(ev.status, BS_RUNNING);
	assert_int_equal(ev.permille, 0);
	ev = eval_at(s, T0);
	assert_int_equal(ev.status, BS_LATE);
	assert_int_equal(ev.permille, 1000);
	snapshot_unref(s);
}

/* --- missing times ---------------------------------------------------------- */

static void test_null_times(void **state)
{
	for (int st = BATCH_SCHEDULED; st <= BATCH_OTHER; st++) {
		struct snapshot *s = one_biller();
		struct biller_eval ev;

		fx_add_batch(s, (enum batch_state)st, BT_NO_TIME, BT_NO_TIME,
			     BT_NO_TIME, BT_NO_TIME);
		ev = eval_at(s, T0);
		assert_non_null(ev.focus);
		assert_int_equal(ev.time_left, 0);
		assert_true(ev.permille == 0 || ev.permille == 1000);
		/* No deadline: never late, never closed late. */
		assert_int_not_equal(ev.status, BS_LATE);
		assert_int_not_equal(ev.status, BS_CLOSED_LATE);
		snapshot_unref(s);
	}
}

/* A deadline of 'infinity' never goes late, however late it gets; one of
 * '-infinity' has always passed.  Neither overflows the arithmetic. */
static void test_infinite_deadlines(void **state)
{
	static const enum batch_state open_states[] = {
		BATCH_SCHEDULED, BATCH_RUNNING, BATCH_OTHER,
	};

	(void)state;
	for (size_t k = 0; k < sizeof open_states / sizeof *open_states; k++) {
		struct snapshot *s = one_biller();
		struct batch *t;
		struct biller_eval ev;

		t = fx_add_batch(s, open_states[k], T0 - FX_HOUR(1), BT_NO_TIME,
				 T0 - FX_HOUR(1), BT_NO_TIME);
		t->deadline_inf = 1;
		ev = eval_at(s, T0 + FX_HOUR(24 * 365));
		assert_int_not_equal(ev.status, BS_LATE);
		assert_int_not_equal(ev.status, BS_AT_RISK);
		assert_int_equal(ev.time_left, 0);
		snapshot_unref(s);

		s = one_biller();
		t = fx_add_batch(s, open_states[k], T0, BT_NO_TIME, BT_NO_TIME,
				 BT_NO_TIME);
		t->deadline_inf = -1;
		ev = eval_at(s, T0);
		assert_int_equal(ev.status, BS_LATE);
		assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[0]);
		assert_int_equal(ev.permille, 1000);
		snapshot_unref(s);
	}
	{
		/* A failed batch is failed whatever its deadline; -infinity
		 * comes first among late ones. */
		struct snapshot *s = one_biller();
		struct batch *t;
		struct biller_eval ev;

		add(s, BATCH_RUNNING, T0 - FX_HOUR(2));		/* late */
		t = fx_add_batch(s, BATCH_RUNNING, T0, BT_NO_TIME, T0, BT_NO_TIME);
		t->deadline_inf = -1;
		ev = eval_at(s, T0);
		assert_int_equal(ev.status, BS_LATE);
		assert_int_equal(ev.focus->deadline_inf, -1);
		snapshot_unref(s);

		s = one_biller();
		t = fx_add_batch(s, BATCH_FAILED, T0, BT_NO_TIME, T0, T0);
		t->deadline_inf = 1;
		ev = eval_at(s, T0);
		assert_int_equal(ev.status, BS_FAILED);
		snapshot_unref(s);
	}
}

static void test_null_times_mixed(void **state)
{
	struct snapshot *s = one_biller();
	struct biller_eval ev;

	/* A running batch with no deadline yields to one that has one. */
	fx_add_batch(s, BATCH_RUNNING, T0, BT_NO_TIME, T0, BT_NO_TIME);
	add(s, BATCH_RUNNING, T0);
	ev = eval_at(s, T0 + FX_MIN(9));
	assert_int_equal(ev.status, BS_RUNNING);
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	snapshot_unref(s);

	/* Only the one without: running, no time left known. */
	s = one_biller();
	fx_add_batch(s, BATCH_RUNNING, T0, BT_NO_TIME, T0, BT_NO_TIME);
	ev = eval_at(s, T0 + FX_HOUR(5));
	assert_int_equal(ev.status, BS_RUNNING);
	assert_int_equal(ev.time_left, 0);
	assert_int_equal(ev.permille, 0);
	snapshot_unref(s);

	/* Closed with and without a finish time: the one with it. */
	s = one_biller();
	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, BT_NO_TIME);
	fx_add_batch(s, BATCH_CLOSED, T0, T0 + WIN, T0, T0 + FX_MIN(3));
	ev = eval_at(s, T0 + FX_HOUR(1));
	assert_int_equal(ev.status, BS_CLOSED);
	assert_ptr_equal(ev.focus, &snapshot_biller(s, 0)->batches[1]);
	snapshot_unref(s);
}

/* --- the summary ----------------------------------------------------------- */

static void test_attempts_max(void **state)
{
	struct snapshot *s = one_biller();
	const struct biller *b;

	add(s, BATCH_RUNNING, T0);
	b = sealed_biller(s);
	assert_int_equal(b->attempts_max, BT_NO_INT);
	snapshot_unref(s);

	s = one_biller();
	add(s, BATCH_RUNNING, T0)->attempts = 2;
	add(s, BATCH_RUNNING, T0)->attempts = BT_NO_INT;
	add(s, BATCH_RUNNING, T0)->attempts = 3;
	add(s, BATCH_RUNNING, T0)->attempts = 0;
	b = sealed_biller(s);
	assert_int_equal(b->attempts_max, 3);
	snapshot_unref(s);

	s = one_biller();
	add(s, BATCH_RUNNING, T0)->attempts = BT_NO_INT;
	add(s, BATCH_RUNNING, T0)->attempts = 0;
	b = sealed_biller(s);
	assert_int_equal(b->attempts_max, 0);
	snapshot_unref(s);
}

static void test_n_closed(void **state)
{
	struct snapshot *s = one_biller();

	add_batch_for(s, BS_CLOSED);
	add_batch_for(s, BS_CLOSED_LATE);
	add_batch_for(s, BS_FAILED);
	add_batch_for(s, BS_RUNNING);
	assert_int_equal(sealed_biller(s)->n_closed, 2);
	snapshot_unref(s);
}

static struct batch *with_error(struct snapshot *s, enum batch_state st,
				const char *cls, int64_t updated)
{
	struct batch *t = add(s, st, T0);

	fx_kind(t)->error_class = fx_str(s, cls);
	t->updated_at = updated;
	return t;
}

static void test_last_error_class(void **state)
{
	struct snapshot *s = one_biller();

	add(s, BATCH_RUNNING, T0);
	assert_string_equal(sealed_biller(s)->last_error_class, "");
	snapshot_unref(s);

	/* A failed batch outranks a newer error on one that recovered. */
	s = one_biller();
	with_error(s, BATCH_FAILED, "Timeout", T0 + FX_MIN(1));
	with_error(s, BATCH_CLOSED, "Deadlock", T0 + FX_MIN(9));
	assert_string_equal(sealed_biller(s)->last_error_class, "Timeout");
	snapshot_unref(s);

	/* Among failed batches, the newest. */
	s = one_biller();
	with_error(s, BATCH_FAILED, "Old", T0 + FX_MIN(1));
	with_error(s, BATCH_FAILED, "New", T0 + FX_MIN(9));
	with_error(s, BATCH_FAILED, "Mid", T0 + FX_MIN(5));
	assert_string_equal(sealed_biller(s)->last_error_class, "New");
	snapshot_unref(s);

	/* No failed batch: the newest error of any. */
	s = one_biller();
	with_error(s, BATCH_RUNNING, "Retry", T0 + FX_MIN(9));
	with_error(s, BATCH_CLOSED, "Deadlock", T0 + FX_MIN(1));
	assert_string_equal(sealed_biller(s)->last_error_class, "Retry");
	snapshot_unref(s);

	/* A failed batch with no error class does not hide another's. */
	s = one_biller();
	with_error(s, BATCH_FAILED, "", T0 + FX_MIN(9));
	with_error(s, BATCH_CLOSED, "Deadlock", T0 + FX_MIN(1));
	assert_string_equal(sealed_biller(s)->last_error_class, "Deadlock");
	snapshot_unref(s);
}

static int autopay(int payments, int failed)
{
	struct biller b;

	memset(&b, 0, sizeof b);
	b.ap_payments = payments;
	b.ap_failed = failed;
	return biller_autopay_pct(&b);
}

static void test_autopay_pct(void **state)
{
	assert_int_equal(autopay(BT_NO_INT, BT_NO_INT), -1);
	assert_int_equal(autopay(100, BT_NO_INT), -1);
	assert_int_equal(autopay(BT_NO_INT, 3), -1);
	assert_int_equal(autopay(0, 0), -1);		/* nothing to fail */
	assert_int_equal(autopay(0, 4), -1);
	assert_int_equal(autopay(-5, 1), -1);
	assert_int_equal(autopay(10, -1), -1);
	assert_int_equal(autopay(100, 0), 0);
	assert_int_equal(autopay(200, 5), 2);		/* 2.5% shows as 2 */
	assert_int_equal(autopay(3, 1), 33);
	assert_int_equal(autopay(7, 7), 100);
	assert_int_equal(autopay(7, 9), 100);		/* more failed than paid */
	assert_int_equal(autopay(2000000000, 1999999999), 99);	/* no overflow */
}

static void test_batch_state_from_text(void **state)
{
	assert_int_equal(batch_state_from_text("scheduled"), BATCH_SCHEDULED);
	assert_int_equal(batch_state_from_text("running"), BATCH_RUNNING);
	assert_int_equal(batch_state_from_text("closed"), BATCH_CLOSED);
	assert_int_equal(batch_state_from_text("failed"), BATCH_FAILED);
	assert_int_equal(batch_state_from_text("FAILED"), BATCH_OTHER);
	assert_int_equal(batch_state_from_text("running "), BATCH_OTHER);
	assert_int_equal(batch_state_from_text("paused"), BATCH_OTHER);
	assert_int_equal(batch_state_from_text(""), BATCH_OTHER);
	assert_int_equal(batch_state_from_text(NULL), BATCH_OTHER);
}

static void test_status_labels(void **state)
{
	for (int i = 0; i < BS__COUNT; i++) {
		const char *l = biller_status_label((enum biller_status)i);

		assert_non_null(l);
		assert_true(l[0] != '\0');
		/* Each is distinct, so the filter can find a status by it. */
		for (int j = 0; j < i; j++)
			assert_string_not_equal(l, biller_status_label((enum biller_status)j));
	}
	assert_string_equal(biller_status_label(BS_AT_RISK), "AT RISK");
	assert_non_null(biller_status_label(BS__COUNT));
	assert_non_null(biller_status_label((enum biller_status)-1));
	assert_non_null(biller_status_label((enum biller_status)1000));
}

/* --- snapshots and the arena ------------------------------------------------ */

static void test_snapshot_refs(void **state)
{
	char name[] = "eu1";
	struct snapshot *s = snapshot_new(3, name);

	assert_int_equal(s->refs, 1);
	assert_int_equal(s->shard_index, 3);
	assert_int_equal(s->server_now, BT_NO_TIME);
	assert_int_equal(s->nbillers, 0);
	/* The name is copied into the arena. */
	name[0] = 'X';
	assert_string_equal(s->shard, "eu1");
	assert_ptr_equal(snapshot_ref(s), s);
	assert_int_equal(s->refs, 2);
	snapshot_unref(s);
	assert_int_equal(s->refs, 1);
	snapshot_unref(s);			/* freed: valgrind checks */
	assert_null(snapshot_ref(NULL));
	snapshot_unref(NULL);
}

static void test_arena(void **state)
{
	struct arena *a = arena_new();
	const char *big;

	for (size_t n = 1; n < 100; n += 7) {
		void *p = arena_alloc(a, n);

		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xAB, n);
	}
	/* Bigger than a chunk. */
	memset(arena_alloc(a, 200 * 1024), 0, 200 * 1024);
	assert_int_equal((uintptr_t)arena_alloc(a, 3) % 16, 0);
	assert_string_equal(arena_strdup(a, "Zürich"), "Zürich");
	assert_string_equal(arena_sanitize(a, NULL, 0), "");
	assert_string_equal(arena_sanitize(a, "a\x1b[2Jb", (size_t)-1),
			    "a\xEF\xBF\xBD[2Jb");
	big = arena_sanitize(a, "abcdefghij", 3);
	assert_string_equal(big, "abc");
	arena_free(a);
	arena_free(NULL);
}


/* Interning: one sanitized copy per distinct raw value, bounded. */
static void test_intern(void **state)
{
	struct intern *t = intern_new();
	struct arena *fallback = arena_new();
	const char *a = intern_sanitize(t, fallback, "card", 4);
	char raw[16];

	(void)state;
	assert_string_equal(a, "card");
	assert_ptr_equal(intern_sanitize(t, fallback, "card!", 4), a);
	assert_ptr_equal(intern_sanitize(t, fallback, "card", (size_t)-1), a);
	assert_string_equal(intern_sanitize(t, fallback, NULL, 0), "");
	assert_string_equal(intern_sanitize(t, fallback, "", 0), "");
	/* Sanitized like every other text; keyed by the raw bytes. */
	assert_string_equal(intern_sanitize(t, fallback, "a\x1b[2J", 5),
			    "a\xEF\xBF\xBD[2J");
	assert_ptr_not_equal(intern_sanitize(t, fallback, "a?[2J", 5),
			     intern_sanitize(t, fallback, "a\x1b[2J", 5));
	/* Past the bound, values are copied, not interned. */
	for (int i = 0; i < 5000; i++) {
		snprintf(raw, sizeof raw, "v%d", i);
		assert_string_equal(intern_sanitize(t, fallback, raw, (size_t)-1), raw);
	}
	assert_int_equal(intern_count(t), 4096);
	assert_ptr_not_equal(intern_sanitize(t, fallback, "v4999", 5),
			     intern_sanitize(t, fallback, "v4999", 5));
	assert_ptr_equal(intern_sanitize(t, fallback, "card", 4), a);
	/* A snapshot's reference keeps the strings after the table goes. */
	{
		struct snapshot *s = snapshot_new(0, "x");

		snapshot_hold(s, intern_arena(t));
		snapshot_hold(s, intern_arena(t));	/* held once */
		assert_int_equal(s->nheld, 1);
		intern_free(t);
		assert_string_equal(a, "card");
		snapshot_unref(s);
	}
	arena_free(fallback);
}

/* Strings are packed byte by byte; a block is still 16-byte aligned after
 * them, and one bigger than a chunk leaves the head's room in use. */
static void test_arena_packing(void **state)
{
	struct arena *a = arena_new();
	const char *x = arena_strdup(a, "ab"), *y = arena_strdup(a, "cde");
	void *p;

	(void)state;
	assert_ptr_equal(y, x + 3);
	p = arena_alloc(a, 24);
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_int_equal(arena_used(a), 16 + 32);	/* 3 + 4 + pad, 32 */
	memset(arena_alloc(a, 1 << 20), 0, 1 << 20);
	assert_ptr_equal(arena_strdup(a, "f"), y + 4 + 9 + 32);
	assert_int_equal(arena_used(a), 16 + 32 + (1 << 20) + 2);
	assert_string_equal(x, "ab");
	assert_string_equal(y, "cde");
	arena_free(a);
}

static struct snapshot *merge_base(void)
{
	struct snapshot *s = fx_snapshot(0, "m", 1000, 1000);
	const char *ids[] = { "a", "b", "c" };

	for (int i = 0; i < 3; i++) {
		fx_add_biller(s, ids[i], ids[i], "UTC", 1)->home = s->arena;
		fx_add_batch(s, BATCH_CLOSED, 10, 20, 11, 12);
		fx_add_batch(s, BATCH_SCHEDULED, 30, 40, BT_NO_TIME, BT_NO_TIME);
	}
	for (size_t i = 0; i < s->nbillers; i++)
		biller_summarize(snapshot_biller_w(s, i));
	s->names_id = snapshot_names_id_new();
	return s;
}

/* An incremental poll's billers replace the previous snapshot's, the rest
 * shared; nothing changed shares the arrays. */
static void test_snapshot_merge(void **state)
{
	struct snapshot *base = merge_base();
	struct snapshot *d = fx_snapshot(0, "m", 2000, 2000);
	struct snapshot *r, *idle, *d2;
	const char *a_name = snapshot_biller(base, 0)->name;
	const struct batch *a_batches = snapshot_biller(base, 0)->batches;
	const struct batch *c_batches = snapshot_biller(base, 2)->batches;

	(void)state;
	fx_add_biller(d, "b", "b", "UTC", 1)->home = d->arena;
	fx_add_batch(d, BATCH_FAILED, 10, 20, 11, 12);
	fx_add_biller(d, "z", "z", "UTC", 1)->home = d->arena;
	r = snapshot_merge(base, d);
	assert_ptr_equal(r, d);
	assert_int_equal(r->nbillers, 4);
	assert_int_equal(r->nbatches, 5);
	assert_string_equal(snapshot_biller(r, 1)->biller_id, "b");
	assert_int_equal(snapshot_biller(r, 1)->nbatches, 1);
	assert_int_equal(snapshot_biller(r, 1)->batches[0].state, BATCH_FAILED);
	assert_string_equal(snapshot_biller(r, 3)->biller_id, "z");
	assert_int_equal(snapshot_biller(r, 3)->nbatches, 0);
	/* The unchanged billers' batch records are base's, not copies; the
	 * changed one's are d's. */
	assert_ptr_equal(snapshot_biller(r, 0)->batches, a_batches);
	assert_ptr_equal(snapshot_biller(r, 2)->batches, c_batches);
	assert_ptr_not_equal(snapshot_biller(r, 1)->batches, snapshot_biller(base, 1)->batches);
	assert_int_equal(snapshot_biller(base, 1)->batches[0].state, BATCH_CLOSED);
	assert_int_not_equal(r->names_id, base->names_id);	/* z is new */
	assert_int_equal(base->nbillers, 3);	/* base is not touched */
	assert_int_equal(snapshot_biller(base, 1)->nbatches, 2);
	/* The unchanged billers' strings are base's, kept alive by r. */
	snapshot_unref(base);
	assert_ptr_equal(snapshot_biller(r, 0)->name, a_name);
	assert_string_equal(snapshot_biller(r, 0)->name, "a");
	assert_string_equal(snapshot_biller(r, 2)->batches[1].kind->status, "scheduled");

	/* Nothing changed: the same arrays, the same names_id. */
	idle = fx_snapshot(0, "m", 3000, 3000);
	idle = snapshot_merge(r, idle);
	assert_ptr_equal(idle->chunks, r->chunks);
	assert_ptr_equal(snapshot_biller(idle, 2)->batches, snapshot_biller(r, 2)->batches);
	assert_int_equal(idle->names_id, r->names_id);
	assert_ptr_equal(idle->arrays_owner, r);

	/* A change that renames nobody keeps the ranking. */
	d2 = fx_snapshot(0, "m", 4000, 4000);
	fx_add_biller(d2, "c", "c", "UTC", 2)->home = d2->arena;
	d2 = snapshot_merge(idle, d2);
	assert_int_equal(d2->names_id, idle->names_id);
	assert_int_equal(snapshot_biller(d2, 2)->priority, 2);
	assert_int_equal(d2->nbatches, 3);
	snapshot_unref(r);
	snapshot_unref(idle);	/* d2 holds what it needs of both */
	assert_string_equal(snapshot_biller(d2, 1)->batches[0].kind->status, "failed");
	assert_string_equal(snapshot_biller(d2, 0)->name, "a");
	snapshot_unref(d2);
}

/* Every batch of own_biller(): no words at all. */
static const struct batch_kind no_words = { "", "", "", "", "", "" };

/* A biller of s in a home of its own, as query_poll builds one: a sized
 * block holding its strings and batch records, one reference s owns. */
static struct biller *own_biller(struct snapshot *s, const char *id,
				 const char *name, int nbatches, size_t room)
{
	struct biller *b = fx_add_biller(s, id, name, "UTC", 1);
	struct arena *a = arena_new_sized(room);
	struct batch *t = arena_alloc(a, (size_t)nbatches * sizeof *t);

	memset(t, 0, (size_t)nbatches * sizeof *t);
	b->home = a;
	b->biller_id = arena_strdup(a, id);
	b->name = arena_strdup(a, name);
	for (int j = 0; j < nbatches; j++) {
		char bid[32];

		snprintf(bid, sizeof bid, "%s-%d", id, j);
		t[j].batch_id = arena_strdup(a, bid);
		t[j].kind = &no_words;
		t[j].error_message = "";
		t[j].state = BATCH_RUNNING;
		t[j].attempts = 1;
		t[j].scheduled_at = 1000 + j;
		t[j].deadline_at = t[j].started_at = t[j].finished_at =
			t[j].updated_at = BT_NO_TIME;
	}
	b->batches = t;
	b->nbatches = (size_t)nbatches;
	s->nbatches += (size_t)nbatches;
	biller_summarize(b);
	return b;
}

/* A sized arena is exact: n bytes asked, n bytes used, one block; past
 * them it grows rather than fail. */
static void test_arena_sized(void **state)
{
	struct arena *a = arena_new_sized(32 + 6);
	void *p = arena_alloc(a, 20);

	(void)state;
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_string_equal(arena_strdup(a, "hello"), "hello");
	assert_int_equal(arena_used(a), 38);
	assert_int_equal(arena_room(a), 38);
	assert_string_equal(arena_strdup(a, "more"), "more");	/* spills */
	assert_int_equal(arena_used(a), 38 + 5);
	/* After a spill the own room is still used first; an aligned block
	 * that does not fit goes to a chunk, aligned too, and one bigger
	 * than any chunk gets its own. */
	p = arena_alloc(a, 16);
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_int_equal(arena_used(a), 38 + 16 + 16);	/* "more", padded to 16 */
	p = arena_alloc(a, 100 * 1024);
	assert_int_equal((uintptr_t)p % 16, 0);
	memset(p, 1, 100 * 1024);
	assert_true(arena_room(a) >= 38 + 5 + 16 + 100 * 1024);
	arena_free(a);
	a = arena_new_sized(0);
	assert_int_equal(arena_room(a), 0);
	assert_string_equal(arena_strdup(a, ""), "");
	assert_int_equal(arena_used(a), 1);
	arena_free(a);
	/* Filled exactly, as a biller's home is: no chunk at all. */
	a = arena_new_sized(48);
	assert_int_equal((uintptr_t)arena_alloc(a, 32) % 16, 0);
	assert_string_equal(arena_strdup(a, "fifteen bytes!"), "fifteen bytes!");
	assert_int_equal(arena_used(a), 47);
	assert_int_equal(arena_room(a), 48);
	arena_free(a);
}

/* Each biller's home is referenced once by every snapshot whose array
 * holds it: a merge adds a reference to the unchanged ones, the replaced
 * biller's block lives as long as the older snapshot, and freeing every
 * snapshot frees every block (the ASan build finds a leak or a read after
 * free here). */
static void test_biller_home_refs(void **state)
{
	struct snapshot *base = fx_snapshot(0, "m", 1000, 1000);
	struct snapshot *d, *idle, *d2;
	struct arena *ha, *hb, *hc, *hb2;

	(void)state;
	ha = own_biller(base, "a", "Alpha", 2, 512)->home;
	hb = own_biller(base, "b", "Bravo", 3, 512)->home;
	hc = own_biller(base, "c", "Charlie", 1, 512)->home;
	base->names_id = snapshot_names_id_new();
	assert_int_equal(arena_refs(ha), 1);

	d = fx_snapshot(0, "m", 2000, 2000);
	hb2 = own_biller(d, "b", "Bravo", 1, 512)->home;
	d = snapshot_merge(base, d);
	assert_int_equal(arena_refs(ha), 2);
	assert_int_equal(arena_refs(hc), 2);
	assert_int_equal(arena_refs(hb), 1);	/* base's alone */
	assert_int_equal(arena_refs(hb2), 1);	/* d's alone */
	assert_ptr_equal(snapshot_biller(d, 0)->home, ha);
	assert_ptr_equal(snapshot_biller(d, 1)->home, hb2);
	assert_int_equal(d->nbatches, 4);

	/* A poll that changed nothing shares d's array: no new reference
	 * per biller; d's array and blocks live while idle does. */
	idle = snapshot_merge(d, fx_snapshot(0, "m", 3000, 3000));
	assert_int_equal(arena_refs(ha), 2);
	snapshot_unref(d);
	snapshot_unref(base);	/* hb goes; ha and hc stay, d's */
	assert_int_equal(arena_refs(ha), 1);
	assert_int_equal(arena_refs(hc), 1);
	assert_string_equal(snapshot_biller(idle, 1)->batches[0].batch_id, "b-0");
	assert_string_equal(snapshot_biller(idle, 2)->name, "Charlie");

	/* Replacing c again, with a new biller appended: d2 does not
	 * reference the old c, which goes with idle. */
	d2 = fx_snapshot(0, "m", 4000, 4000);
	own_biller(d2, "c", "Charlie", 2, 512);
	own_biller(d2, "e", "Echo", 0, 64);
	d2 = snapshot_merge(idle, d2);
	assert_int_equal(arena_refs(hc), 1);
	assert_int_equal(arena_refs(ha), 2);
	snapshot_unref(idle);
	assert_int_equal(arena_refs(ha), 1);
	assert_int_equal(d2->nbillers, 4);
	assert_int_equal(d2->nbatches, 2 + 1 + 2);
	assert_string_equal(snapshot_biller(d2, 0)->batches[1].batch_id, "a-1");
	assert_string_equal(snapshot_biller(d2, 2)->batches[1].batch_id, "c-1");
	assert_string_equal(snapshot_biller(d2, 3)->name, "Echo");
	snapshot_unref(d2);
}

/* One index of biller ids serves a chain of merges: new billers are found
 * again by the next merge, it grows past half full, and the entries of a
 * merge that was dropped (never published) do not mislead a merge made
 * from the same base again. */
static void test_merge_index_chain(void **state)
{
	struct snapshot *base = fx_snapshot(0, "m", 1000, 1000);
	struct snapshot *d, *lost, *e;
	char id[16];

	(void)state;
	own_biller(base, "a", "A", 1, 256);
	own_biller(base, "b", "B", 1, 256);
	base->names_id = snapshot_names_id_new();
	lost = fx_snapshot(0, "m", 1500, 1500);
	own_biller(lost, "x", "X", 1, 256);
	lost = snapshot_merge(base, lost);
	assert_string_equal(snapshot_biller(lost, 2)->biller_id, "x");
	snapshot_unref(lost);	/* that poll failed: never published */

	d = fx_snapshot(0, "m", 2000, 2000);
	own_biller(d, "y", "Y", 1, 256);
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof id, "n%02d", i);
		own_biller(d, id, id, 1, 256);
	}
	own_biller(d, "b", "B2", 2, 256);
	d = snapshot_merge(base, d);
	assert_int_equal(d->nbillers, 2 + 1 + 20);
	assert_string_equal(snapshot_biller(d, 1)->name, "B2");
	assert_string_equal(snapshot_biller(d, 2)->biller_id, "y");	/* not x */

	e = fx_snapshot(0, "m", 3000, 3000);
	own_biller(e, "x", "X", 1, 256);
	own_biller(e, "y", "Y2", 1, 256);
	own_biller(e, "n13", "N13", 3, 256);
	e = snapshot_merge(d, e);
	assert_int_equal(e->nbillers, 24);
	assert_string_equal(snapshot_biller(e, 2)->name, "Y2");
	assert_string_equal(snapshot_biller(e, 3 + 13)->name, "N13");
	assert_int_equal(snapshot_biller(e, 3 + 13)->nbatches, 3);
	assert_string_equal(snapshot_biller(e, 23)->biller_id, "x");
	assert_int_equal(e->nbatches, 1 + 2 + 1 + 20 + 2 + 1);
	snapshot_unref(base);
	snapshot_unref(d);
	snapshot_unref(e);
}

/* A merge that changes one biller adds no batch record: its batch count is
 * the base's, less the changed biller's old ones, plus its new ones, and
 * the bad rows are counted the same way. */
static void test_snapshot_merge_counts(void **state)
{
	struct snapshot *base = merge_base(), *d;

	(void)state;
	fx_kind(&snapshot_biller(base, 1)->batches[0])->bad = "status NULL";
	base->nbad = 1;
	d = fx_snapshot(0, "m", 2000, 2000);
	fx_add_biller(d, "b", "b", "UTC", 1)->home = d->arena;
	fx_add_batch(d, BATCH_FAILED, 10, 20, 11, 12);
	fx_kind(fx_add_batch(d, BATCH_FAILED, 10, 20, 11, 12))->bad = "attempts 'x'";
	fx_kind(fx_add_batch(d, BATCH_FAILED, 10, 20, 11, 12))->bad = "status NULL";
	d->nbad = 2;
	d = snapshot_merge(base, d);
	assert_int_equal(d->nbatches, 7);
	assert_int_equal(d->nbad, 2);
	snapshot_unref(base);
	snapshot_unref(d);
}

/* --- daylight saving --------------------------------------------------------- */

/* The offset of zone at an instant, from the system's zone data. */
static long zone_offset(const char *zone, int64_t ms)
{
	char path[256], *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	long off = 1;

	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
	if (access(path, R_OK) != 0)
		fail_msg("%s is not installed (the tzdata package)", path);
	setenv("TZ", zone, 1);
	tzset();
	if (localtime_r(&t, &tm))
		off = tm.tm_gmtoff;
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
	return off;
}

/* The premise of a test: zone's offset is before up to change, after from
 * it on. */
static void assert_zone_change(const char *zone, int64_t change, long before,
			       long after)
{
	assert_int_equal(zone_offset(zone, change - 1), before);
	assert_int_equal(zone_offset(zone, change), after);
}

/* US clocks fall back at 06:00 UTC on 2026-11-01: 02:00 EDT becomes
 * 01:00 EST.  A close scheduled at 01:30 EDT (05:30 UTC) with a 45-minute
 * window is due at 06:15 UTC, which the wall clock calls 01:15 EST: before
 * it started.  The window is still 45 minutes. */
static void test_dst_fall_back_new_york(void **state)
{
	const int64_t sched = fx_utc(2026, 11, 1, 5, 30);
	const int64_t change = fx_utc(2026, 11, 1, 6, 0);
	const int edt = -4 * 3600, est = -5 * 3600;
	struct snapshot *s = fx_snapshot(0, "us1", sched, 0);
	struct biller_eval ev;
	char buf[16];

	assert_int_equal(sched, 1793511000LL * 1000);
	assert_zone_change("America/New_York", change, edt, est);

	fx_add_biller(s, "ny1", "Hudson Gas", "America/New_York", 1)->utc_offset_s = est;
	fx_add_batch(s, BATCH_RUNNING, sched, sched + WIN, sched, BT_NO_TIME);
	fx_seal(s);
	assert_int_equal(snapshot_biller(s, 0)->batches[0].deadline_at, fx_utc(2026, 11, 1, 6, 15));
	assert_string_equal(fmt_clock(buf, sizeof buf, sched, edt), "01:30:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, sched + WIN, est), "01:15:00");

	/* One ms before the change and at it: 30 minutes used of 45. */
	ev = eval_at(s, change - 1);
	assert_int_equal(ev.status, BS_RUNNING);
	assert_int_equal(ev.time_left, FX_MIN(15) + 1);
	assert_int_equal(ev.permille, 666);
	ev = eval_at(s, change);
	assert_int_equal(ev.status, BS_RUNNING);
	assert_int_equal(ev.time_left, FX_MIN(15));
	assert_int_equal(ev.permille, 666);
	/* At risk after 33m45s (06:03:45 UTC), late at 06:15 UTC. */
	ev = eval_at(s, change + FX_MIN(3) + FX_SEC(45));
	assert_int_equal(ev.permille, 750);
	assert_int_equal(ev.status, BS_RUNNING);
	ev = eval_at(s, change + FX_MIN(3) + FX_SEC(48));
	assert_int_equal(ev.status, BS_AT_RISK);
	ev = eval_at(s, change + FX_MIN(15) - 1);
	assert_int_equal(ev.status, BS_AT_RISK);
	assert_int_equal(ev.time_left, 1);
	ev = eval_at(s, change + FX_MIN(15));
	assert_int_equal(ev.status, BS_LATE);
	assert_int_equal(ev.time_left, 0);
	/* At 01:30 EST, when the wall clock shows the start time again, it
	 * is an hour old and 15 minutes late. */
	ev = eval_at(s, sched + FX_HOUR(1));
	assert_int_equal(ev.status, BS_LATE);
	assert_int_equal(ev.time_left, -FX_MIN(15));
	assert_int_equal(ev.permille, 1333);
	assert_string_equal(fmt_clock(buf, sizeof buf, sched + FX_HOUR(1), est),
			    "01:30:00");
	snapshot_unref(s);
}

/* London springs forward at 01:00 UTC on 2026-03-29: 01:00 GMT becomes
 * 02:00 BST.  A close at 00:30 GMT with 45 minutes is due at 02:15 BST,
 * 1h45 later on the wall clock but 45 minutes in fact. */
static void test_dst_spring_forward_london(void **state)
{
	const int64_t sched = fx_utc(2026, 3, 29, 0, 30);
	const int64_t change = fx_utc(2026, 3, 29, 1, 0);
	const int gmt = 0, bst = 3600;
	struct snapshot *s = fx_snapshot(0, "eu1", sched, 0);
	struct biller_eval ev;
	char buf[16];

	assert_int_equal(change, 1774746000LL * 1000);
	assert_zone_change("Europe/London", change, gmt, bst);

	fx_add_biller(s, "uk1", "Thames Power", "Europe/London", 2)->utc_offset_s = bst;
	fx_add_batch(s, BATCH_SCHEDULED, sched, sched + WIN, BT_NO_TIME, BT_NO_TIME);
	fx_seal(s);
	assert_string_equal(fmt_clock(buf, sizeof buf, sched, gmt), "00:30:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, sched + WIN, bst), "02:15:00");

	ev = eval_at(s, change - 1);
	assert_int_equal(ev.status, BS_SCHEDULED);
	assert_int_equal(ev.time_left, FX_MIN(15) + 1);
	assert_int_equal(ev.permille, 666);
	ev = eval_at(s, change);
	assert_int_equal(ev.time_left, FX_MIN(15));
	ev = eval_at(s, change + FX_MIN(15));
	assert_int_equal(ev.status, BS_LATE);
	/* 02:10 BST looks 1h40 after the start but is 40 minutes. */
	ev = eval_at(s, change + FX_MIN(10));
	assert_int_equal(ev.status, BS_SCHEDULED);
	assert_int_equal(ev.permille, 888);
	assert_int_equal(ev.time_left, FX_MIN(5));
	snapshot_unref(s);
}

/* fmt_clock is given the zone's offset, so the same instant reads as each
 * side of the change would show it. */
static void test_fmt_clock_offsets(void **state)
{
	const int64_t t = fx_utc(2026, 11, 1, 5, 30);
	char buf[16];

	assert_string_equal(fmt_clock(buf, sizeof buf, t, 0), "05:30:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, t, -4 * 3600), "01:30:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, t, -5 * 3600), "00:30:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, t + FX_MIN(45), -4 * 3600),
			    "02:15:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, t + FX_MIN(45), -5 * 3600),
			    "01:15:00");
	/* Half- and quarter-hour zones (India, Nepal), across midnight. */
	assert_string_equal(fmt_clock(buf, sizeof buf, t, 5 * 3600 + 1800), "11:00:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, t, 5 * 3600 + 2700), "11:15:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, fx_utc(2026, 11, 1, 18, 20),
				      5 * 3600 + 2700), "00:05:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, fx_utc(2026, 11, 1, 3, 0),
				      -9 * 3600 - 1800), "17:30:00");
	/* Before the epoch, and an offset that takes it there. */
	assert_string_equal(fmt_clock(buf, sizeof buf, 0, -5 * 3600), "19:00:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, -1000, 0), "23:59:59");
	assert_string_equal(fmt_clock(buf, sizeof buf, -FX_HOUR(25), 0), "23:00:00");
	assert_string_equal(fmt_clock(buf, sizeof buf, FX_SEC(59) + 999, 0), "00:00:59");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_batches),
		cmocka_unit_test(test_failed),
		cmocka_unit_test(test_late_exactly_at_deadline),
		cmocka_unit_test(test_closed_and_failed_are_never_late),
		cmocka_unit_test(test_at_risk_threshold),
		cmocka_unit_test(test_at_risk_pct_is_a_parameter),
		cmocka_unit_test(test_only_running_is_at_risk),
		cmocka_unit_test(test_other_running_scheduled),
		cmocka_unit_test(test_closed_late_and_closed),
		cmocka_unit_test(test_each_maker_alone),
		cmocka_unit_test(test_precedence_pairs),
		cmocka_unit_test(test_focus_earliest_deadline),
		cmocka_unit_test(test_permille_clamps),
		cmocka_unit_test(test_null_times),
		cmocka_unit_test(test_null_times_mixed),
		cmocka_unit_test(test_infinite_deadlines),
		cmocka_unit_test(test_attempts_max),
		cmocka_unit_test(test_n_closed),
		cmocka_unit_test(test_last_error_class),
		cmocka_unit_test(test_autopay_pct),
		cmocka_unit_test(test_batch_state_from_text),
		cmocka_unit_test(test_status_labels),
		cmocka_unit_test(test_snapshot_refs),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_snapshot_merge),
		cmocka_unit_test(test_arena_sized),
		cmocka_unit_test(test_biller_home_refs),
		cmocka_unit_test(test_merge_index_chain),
		cmocka_unit_test(test_arena_packing),
		cmocka_unit_test(test_snapshot_merge_counts),
		cmocka_unit_test(test_dst_fall_back_new_york),
		cmocka_unit_test(test_dst_spring_forward_london),
		cmocka_unit_test(test_fmt_clock_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
