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

/* A shard of 21 billers (three chunks, the last short): biller k's one
 * batch updated at T0 + k s, hashed for every third biller only. */
static int64_t chunk_sigs[21];

static struct snapshot *chunked_snapshot(void)
{
	struct snapshot *s = fx_snapshot(0, "s", T0, 0);

	for (int k = 0; k < 21; k++) {
		char id[8];
		struct batch *t;

		snprintf(id, sizeof id, "b%02d", k);
		fx_add_biller(s, id, id, "UTC", 1);
		t = fx_add_batch(s, BATCH_RUNNING, T0 - FX_HOUR(1),
				 T0 + FX_HOUR(1), T0 - FX_MIN(5), BT_NO_TIME);
		snprintf(id, sizeof id, "t%02d", k);
		t->batch_id = fx_str(s, id);
		t->updated_at = T0 + FX_SEC(k);
		chunk_sigs[k] = k % 3 == 0 ? 100 + k : 0;
		snapshot_biller_w(s, (size_t)k)->row_sigs = &chunk_sigs[k];
	}
	return fx_seal(s);
}

/* The held list of s from every cursor around its updates, as one text. */
static void all_lists(const struct snapshot *s, char *out, size_t n)
{
	struct query_held h = { 0 };
	size_t len = 0;

	for (int from = -1; from <= 22; from++) {
		query_poll_held(s, T0 + FX_SEC(from), &h);
		len += (size_t)snprintf(out + len, n - len, "%s%s;", h.ids,
					h.sigs);
		assert_true(len < n);
	}
	query_held_free(&h);
}

/* A chunk whose billers were hashed before the cursor is passed over
 * whole: the lists are those of the biller-by-biller walk, for every
 * cursor, and after a merge whose copied chunk has a newer row. */
static void test_chunks_passed_over(void **state)
{
	static char walk[4096], chunked[4096];
	struct snapshot *s = chunked_snapshot(), *d;
	struct batch *t;

	(void)state;
	all_lists(s, walk, sizeof walk);
	snapshot_chunks_summarize(s);
	assert_int_equal(s->chunk_sigs[0], T0 + FX_SEC(6));
	assert_int_equal(s->chunk_sigs[2], T0 + FX_SEC(18));
	all_lists(s, chunked, sizeof chunked);
	assert_string_equal(chunked, walk);
	assert_non_null(strstr(walk, "\"t18\""));

	/* b01 (first chunk) re-read with a row hashed at T0 + 30 s: its
	 * chunk is copied, and must not keep the old chunk's latest. */
	d = fx_snapshot(0, "s", T0, 0);
	fx_add_biller(d, "b01", "b01", "UTC", 1);
	t = fx_add_batch(d, BATCH_RUNNING, T0 - FX_HOUR(1), T0 + FX_HOUR(1),
			 T0 - FX_MIN(5), BT_NO_TIME);
	t->batch_id = fx_str(d, "t01");
	t->updated_at = T0 + FX_SEC(30);
	chunk_sigs[1] = 77;
	snapshot_biller_w(d, 0)->row_sigs = &chunk_sigs[1];
	fx_seal(d);
	d = snapshot_merge(s, d);
	assert_ptr_equal(d->chunks[1], s->chunks[1]);	/* shared, set */
	snapshot_chunks_summarize(d);
	assert_int_equal(d->chunk_sigs[0], T0 + FX_SEC(30));
	assert_int_equal(d->chunk_sigs[1], T0 + FX_SEC(15));
	{
		struct query_held h = { 0 };

		assert_int_equal(query_poll_held(d, T0 + FX_SEC(25), &h), 1);
		assert_string_equal(h.ids, "{\"t01\"}");
		assert_string_equal(h.sigs, "{77}");
		query_held_free(&h);
	}
	snapshot_unref(d);
	snapshot_unref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused),
		cmocka_unit_test(test_chunks_passed_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
