/*
 * test_seen.c - the "new since" marks (src/core/seen.c) on a fake clock:
 * nothing is new at start; a change is new until `c`; keys pressed close
 * together hold the reference still, and the last key before a quiet
 * minute becomes it; a new failure flashes for a few seconds and stops
 * by itself; billers of two shards with the same id are two billers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/seen.h"

#define S 1000	/* a second of the fake clock */

static struct seen_mark look(struct seen *s, const char *id,
			     enum biller_status st, int64_t t)
{
	return seen_observe(s, 0, id, st, t);
}

static void test_start_is_not_new(void **state)
{
	struct seen s;

	(void)state;
	seen_init(&s, 100 * S, 0);
	assert_false(look(&s, "a", BS_FAILED, 100 * S).changed);
	assert_false(look(&s, "a", BS_FAILED, 100 * S).flash);
	assert_false(look(&s, "b", BS_RUNNING, 101 * S).changed);
	assert_false(look(&s, "b", BS_RUNNING, 150 * S).changed);
	seen_free(&s);
}

static void test_change_until_c(void **state)
{
	struct seen s;
	struct seen_mark m;

	(void)state;
	seen_init(&s, 0, 0);
	look(&s, "a", BS_RUNNING, 1 * S);
	m = look(&s, "a", BS_CLOSED, 10 * S);
	assert_true(m.changed);
	assert_false(m.flash);		/* only failures flash */
	assert_true(look(&s, "a", BS_CLOSED, 500 * S).changed);
	seen_mark_all(&s, 600 * S, 12345);
	assert_int_equal(s.ref_wall, 12345);
	assert_false(look(&s, "a", BS_CLOSED, 601 * S).changed);
	seen_free(&s);
}

static void test_keys_and_quiet_minute(void **state)
{
	struct seen s;

	(void)state;
	seen_init(&s, 0, 0);
	look(&s, "a", BS_RUNNING, 1 * S);
	look(&s, "b", BS_RUNNING, 1 * S);
	/* The operator works at 10 s..30 s, then leaves. */
	for (int t = 10; t <= 30; t += 5)
		seen_key(&s, t * S, t * S + 7);
	/* a fails at 40 s, while they are away. */
	assert_true(look(&s, "a", BS_FAILED, 40 * S).changed);
	/* A minute after their last key, that key is the reference: a
	 * change after it stays marked, one before it is seen. */
	assert_false(seen_tick(&s, 89 * S));
	assert_true(seen_tick(&s, 90 * S));
	assert_int_equal(s.ref_mono, 30 * S);
	assert_int_equal(s.ref_wall, 30 * S + 7);
	assert_false(seen_tick(&s, 91 * S));
	assert_true(look(&s, "a", BS_FAILED, 91 * S).changed);
	/* They come back at 300 s and press keys: the mark stays while they
	 * read (keys less than a minute apart do not move it). */
	for (int t = 300; t <= 340; t += 20) {
		seen_key(&s, t * S, 0);
		assert_true(look(&s, "a", BS_FAILED, t * S).changed);
	}
	/* b changes while they work (before their last key), c after it. */
	assert_true(look(&s, "b", BS_CLOSED, 335 * S).changed);
	look(&s, "c", BS_RUNNING, 1 * S);
	assert_true(look(&s, "c", BS_CLOSED, 345 * S).changed);
	/* A quiet minute after 340 s: what came before it is seen, what
	 * came after the last key is still new. */
	assert_true(seen_tick(&s, 400 * S));
	assert_false(look(&s, "a", BS_FAILED, 400 * S).changed);
	assert_false(look(&s, "b", BS_CLOSED, 400 * S).changed);
	assert_true(look(&s, "c", BS_CLOSED, 400 * S).changed);
	seen_free(&s);
}

static void test_flash_stops(void **state)
{
	struct seen s;

	(void)state;
	seen_init(&s, 0, 0);
	look(&s, "a", BS_RUNNING, 1 * S);
	assert_true(look(&s, "a", BS_FAILED, 20 * S).flash);
	assert_true(look(&s, "a", BS_FAILED, 24 * S).flash);
	assert_false(look(&s, "a", BS_FAILED, 25 * S).flash);
	assert_false(look(&s, "a", BS_FAILED, 3600 * S).flash);
	/* Failed again after a rerun: it flashes again. */
	look(&s, "a", BS_RUNNING, 4000 * S);
	assert_true(look(&s, "a", BS_FAILED, 4001 * S).flash);
	seen_free(&s);
}

static void test_shards_and_many(void **state)
{
	struct seen s;
	char id[32];

	(void)state;
	seen_init(&s, 0, 0);
	seen_observe(&s, 0, "same", BS_RUNNING, S);
	seen_observe(&s, 1, "same", BS_RUNNING, S);
	assert_true(seen_observe(&s, 1, "same", BS_FAILED, 2 * S).changed);
	assert_false(seen_observe(&s, 0, "same", BS_RUNNING, 2 * S).changed);
	/* Enough billers to grow the table several times. */
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "b-%d", i);
		seen_observe(&s, 0, id, BS_SCHEDULED, 3 * S);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "b-%d", i);
		assert_int_equal(seen_observe(&s, 0, id, i % 7 ? BS_SCHEDULED
					      : BS_RUNNING, 4 * S).changed,
				 i % 7 == 0);
	}
	assert_true(seen_observe(&s, 1, "same", BS_FAILED, 5 * S).changed);
	seen_free(&s);
}

/* A fleet's worth: 100 shards of 1,000 billers with the same ids, every
 * one its own entry (a change marks that biller alone), in a table at
 * most 7/8 full rather than half (16-byte entries: 21 bytes a biller). */
static void test_fleet(void **state)
{
	struct seen s;
	char id[32];
	size_t marked = 0;

	(void)state;
	seen_init(&s, 0, 0);
	for (int sh = 0; sh < 100; sh++)
		for (int i = 0; i < 1000; i++) {
			snprintf(id, sizeof id, "B-%05d", i);
			seen_observe(&s, sh, id, BS_SCHEDULED, S);
		}
	assert_int_equal(s.used, 100000);
	assert_true(s.cap <= 131072);
	for (int sh = 0; sh < 100; sh++)
		for (int i = 0; i < 1000; i++) {
			bool ch = (sh * 1000 + i) % 13 == 0;

			snprintf(id, sizeof id, "B-%05d", i);
			marked += seen_observe(&s, sh, id, ch ? BS_FAILED
					       : BS_SCHEDULED, 2 * S).changed;
		}
	assert_int_equal(marked, (100000 + 12) / 13);
	for (int sh = 0; sh < 100; sh++)
		for (int i = 0; i < 1000; i++) {
			struct seen_mark m;

			snprintf(id, sizeof id, "B-%05d", i);
			m = seen_lookup(&s, sh, id, 3 * S);
			assert_int_equal(m.changed, (sh * 1000 + i) % 13 == 0);
			assert_int_equal(m.flash, m.changed);
		}
	assert_false(seen_lookup(&s, 100, "B-00000", 3 * S).changed);
	seen_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_is_not_new),
		cmocka_unit_test(test_change_until_c),
		cmocka_unit_test(test_keys_and_quiet_minute),
		cmocka_unit_test(test_flash_stops),
		cmocka_unit_test(test_shards_and_many),
		cmocka_unit_test(test_fleet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
