/*
 * test_plan.c - the pure parts of the staged bulk rerun (src/plan.c):
 * the order, the in-flight cap per shard, following a request through the
 * polls, the estimate, and the marks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "plan.h"

#define MIN(m) ((int64_t)(m) * 60000)

static struct plan_item item(int shard, const char *batch, int prio,
			     int64_t deadline)
{
	struct plan_item it;

	memset(&it, 0, sizeof it);
	it.shard = shard;
	it.shard_name = (char *)"s";
	it.batch_id = (char *)batch;
	it.biller_id = (char *)batch;
	it.biller_name = (char *)batch;
	it.priority = prio;
	it.deadline = deadline;
	it.median_ms = BT_NO_TIME;
	it.state = PI_WAITING;
	return it;
}

static void test_order(void **state)
{
	struct plan_item v[6] = {
		item(0, "e", 3, MIN(10)),
		item(1, "a", BT_NO_INT, MIN(1)),
		item(0, "b", 1, BT_NO_TIME),
		item(2, "c", 1, MIN(30)),
		item(1, "d", 1, MIN(20)),
		item(0, "f", 3, MIN(5)),
	};
	const char *want[6] = { "d", "c", "b", "f", "e", "a" };

	(void)state;
	plan_sort(v, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(v[i].batch_id, want[i]);
}

/* Release like plan_tick does, then finish requests one at a time: the
 * cap holds on every shard at every step, and everything gets sent. */
static void test_cap(void **state)
{
	struct plan_item v[9];
	const int cap = 2;
	int sent = 0, steps = 0;
	long last[3] = { -1, -1, -1 };

	(void)state;
	for (int i = 0; i < 9; i++) {
		static char names[9][8];

		snprintf(names[i], sizeof names[i], "b%d", i);
		v[i] = item(i % 3, names[i], 1 + i % 2, MIN(i));
	}
	plan_sort(v, 9);
	while (sent < 9 && steps++ < 100) {
		for (int s = 0; s < 3; s++) {
			long k;

			while ((k = plan_next(v, 9, s, cap)) >= 0) {
				/* Within a shard, items go in plan order. */
				assert_true(k > last[s]);
				last[s] = k;
				v[k].state = PI_SENDING;
				sent++;
			}
			assert_true(plan_inflight(v, 9, s) <= cap);
		}
		/* The first in-flight item answers, runs, then is done. */
		for (int i = 0; i < 9; i++) {
			if (v[i].state == PI_SENDING) {
				v[i].state = PI_PENDING;
				v[i].request_id = 100 + i;
				plan_observe(&v[i], 100 + i, "running");
				assert_int_equal(v[i].state, PI_RUNNING);
				plan_observe(&v[i], 100 + i, "done");
				assert_int_equal(v[i].state, PI_DONE);
				break;
			}
		}
	}
	assert_int_equal(sent, 9);
	for (int s = 0; s < 3; s++) {
		assert_int_equal(plan_next(v, 9, s, cap), -1);	/* none waits */
		assert_true(plan_inflight(v, 9, s) <= cap);
	}
}

static void test_observe(void **state)
{
	struct plan_item it = item(0, "x", 1, MIN(1));

	(void)state;
	it.state = PI_PENDING;
	it.request_id = 7;
	plan_observe(&it, 5, "done");		/* an older request: not ours */
	assert_int_equal(it.state, PI_PENDING);
	plan_observe(&it, 0, "");		/* the poll has not seen it */
	assert_int_equal(it.state, PI_PENDING);
	plan_observe(&it, 7, "queued-somewhere");	/* unknown: still in flight */
	assert_int_equal(it.state, PI_PENDING);
	assert_true(plan_state_inflight(it.state));
	plan_observe(&it, 7, "failed");
	assert_int_equal(it.state, PI_FAILED);
	assert_true(plan_state_final(it.state));

	it.state = PI_RUNNING;
	plan_observe(&it, 9, "pending");	/* a newer one: ours ended */
	assert_int_equal(it.state, PI_DONE);

	/* Sending and unknown wait for their answer, not for the poll. */
	it.state = PI_UNKNOWN;
	plan_observe(&it, 7, "done");
	assert_int_equal(it.state, PI_UNKNOWN);
	assert_true(plan_state_inflight(PI_UNKNOWN));
	assert_false(plan_state_inflight(PI_WAITING));
	assert_false(plan_state_inflight(PI_CANCELLED));
}

static void test_makespan(void **state)
{
	struct plan_item v[4] = {
		item(0, "a", 1, 0), item(0, "b", 1, 0), item(0, "c", 1, 0),
		item(1, "d", 1, 0),
	};

	(void)state;
	v[0].median_ms = MIN(10);
	v[1].median_ms = MIN(10);
	v[2].median_ms = MIN(10);
	assert_int_equal(plan_makespan(v, 4, 0, 2, MIN(5)), MIN(20));
	assert_int_equal(plan_makespan(v, 4, 0, 1, MIN(5)), MIN(30));
	assert_int_equal(plan_makespan(v, 4, 0, 3, MIN(5)), MIN(10));
	/* Unknown median: the default. */
	assert_int_equal(plan_makespan(v, 4, 1, 2, MIN(5)), MIN(5));
	/* Finished items take no time. */
	v[0].state = PI_DONE;
	assert_int_equal(plan_makespan(v, 4, 0, 1, MIN(5)), MIN(20));
}

static void test_marks(void **state)
{
	(void)state;
	assert_int_equal(plan_mark_count(), 0);
	assert_true(plan_mark_toggle(0, "b1"));
	assert_true(plan_mark_toggle(1, "b1"));	/* another shard */
	assert_true(plan_is_marked(0, "b1"));
	assert_true(plan_is_marked(1, "b1"));
	assert_false(plan_is_marked(2, "b1"));
	assert_int_equal(plan_mark_count(), 2);
	assert_false(plan_mark_toggle(0, "b1"));
	assert_false(plan_is_marked(0, "b1"));
	assert_int_equal(plan_mark_count(), 1);
	plan_marks_clear();
	assert_int_equal(plan_mark_count(), 0);
	plan_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_observe),
		cmocka_unit_test(test_makespan),
		cmocka_unit_test(test_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
