/*
 * test_held.c - the delta's held list (query_poll_held()) in buffers a
 * poller keeps from one poll to the next.
 *
 * The literals must be exactly what a fresh build gives, whatever was in
 * the buffers before: a longer list, then a shorter one, then none; and a
 * list no longer than the last is written in place, with no allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/snapshot.h"
#include "query/query_poll.h"
#include "fixtures.h"

#define T0 FX_HOUR(500000)

/* One biller whose three batches were updated at T0, T0 + 1 s, T0 + 2 s,
 * with odd ids, and hashed but for the second. */
static struct snapshot *held_snapshot(void)
{
	static int64_t sigs[3] = { 11, 0, -33 };
	struct snapshot *s = fx_snapshot(0, "s", T0, 0);
	struct biller *b = fx_add_biller(s, "b1", "One", "UTC", 1);
	const char *ids[3] = { "a\"1", "b\\2", "c 3" };

	for (int i = 0; i < 3; i++) {
		struct batch *t = fx_add_batch(s, BATCH_RUNNING, T0 - FX_HOUR(1),
					       T0 + FX_HOUR(1), T0 - FX_MIN(5),
					       BT_NO_TIME);

		t->batch_id = fx_str(s, ids[i]);
		t->updated_at = T0 + FX_SEC(i);
	}
	b = snapshot_biller_w(s, 0);
	b->row_sigs = sigs;
	return fx_seal(s);
}

static void test_reused(void **state)
{
	struct snapshot *s = held_snapshot();
	struct query_held h = { 0 };
	char *ids_block;

	(void)state;
	assert_int_equal(query_poll_held(s, T0, &h), 2);
	assert_string_equal(h.ids, "{\"a\\\"1\",\"c 3\"}");
	assert_string_equal(h.sigs, "{11,-33}");
	ids_block = h.ids;

	/* Shorter: in place, nothing of the longer one left behind. */
	assert_int_equal(query_poll_held(s, T0 + FX_SEC(2), &h), 1);
	assert_string_equal(h.ids, "{\"c 3\"}");
	assert_string_equal(h.sigs, "{-33}");
	assert_ptr_equal(h.ids, ids_block);

	/* None. */
	assert_int_equal(query_poll_held(s, T0 + FX_SEC(3), &h), 0);
	assert_string_equal(h.ids, "{}");
	assert_string_equal(h.sigs, "{}");

	/* And the long one again, from the same buffers. */
	assert_int_equal(query_poll_held(s, T0 - FX_SEC(1), &h), 2);
	assert_string_equal(h.ids, "{\"a\\\"1\",\"c 3\"}");
	assert_ptr_equal(h.ids, ids_block);

	query_held_free(&h);
	assert_null(h.ids);
	assert_null(h.sigs);
	/* A snapshot without one: the empty literals. */
	assert_int_equal(query_poll_held(NULL, T0, &h), 0);
	assert_string_equal(h.ids, "{}");
	query_held_free(&h);
	snapshot_unref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
