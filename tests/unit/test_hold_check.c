/*
 * test_hold_check.c - when a poll can settle a hold call whose answer was
 * lost (write/hold_order.c hold_check_settles): only with holds read by a
 * poll that began after the loss, and from a replica only once what it
 * had replayed reaches past the loss.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/snapshot.h"
#include "data/shard_health.h"
#include "write/hold_order.h"

static const int64_t LOST = 1000000;	/* the loss, monotonic ms */

static struct snapshot snap(int64_t taken, bool holds_read)
{
	struct snapshot s;

	memset(&s, 0, sizeof s);
	s.taken_mono = taken;
	s.holds_read = holds_read;
	return s;
}

static struct shard_health health(bool on_replica, int64_t lag, int64_t poll)
{
	struct shard_health h;

	memset(&h, 0, sizeof h);
	h.replica = on_replica;
	h.on_replica = on_replica;
	h.replica_lag_ms = lag;
	h.poll_ms = poll;
	return h;
}

static void test_primary(void **state)
{
	struct snapshot before = snap(LOST - 1, true), after = snap(LOST + 1, true);
	struct snapshot unread = snap(LOST + 5000, false);
	struct shard_health h = health(false, BT_NO_TIME, 40);

	(void)state;
	assert_false(hold_check_settles(NULL, &h, LOST));
	assert_false(hold_check_settles(&before, &h, LOST));
	assert_false(hold_check_settles(&unread, &h, LOST));
	assert_true(hold_check_settles(&after, &h, LOST));
	assert_true(hold_check_settles(&after, NULL, LOST));
}

/* A replica 30 s behind: a poll 10 s after the loss shows the primary as
 * it was 20 s before the loss, which cannot say what the call did. */
static void test_lagging_replica(void **state)
{
	struct snapshot soon = snap(LOST + 10000, true);
	struct snapshot later = snap(LOST + 31000, true);
	struct shard_health lag = health(true, 30000, 50);
	struct shard_health unknown = health(true, BT_NO_TIME, 50);
	struct shard_health caught_up = health(true, 0, 50);

	(void)state;
	assert_false(hold_check_settles(&soon, &lag, LOST));
	assert_false(hold_check_settles(&soon, &unknown, LOST));
	assert_true(hold_check_settles(&later, &lag, LOST));
	assert_true(hold_check_settles(&soon, &caught_up, LOST));
	/* The poll's own time counts too: within it, not yet. */
	struct snapshot edge = snap(LOST + 30040, true);
	assert_false(hold_check_settles(&edge, &lag, LOST));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primary),
		cmocka_unit_test(test_lagging_replica),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
