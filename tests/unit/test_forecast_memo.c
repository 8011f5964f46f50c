/*
 * test_forecast_memo.c - the forecast memo's table (core/forecast_memo.c):
 * what a fleet-sized memo costs.  test_forecast.c checks its answers
 * against forecast_miss() itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/forecast.h"

/* Open closes at 100 shards x 1,000 billers (heaptrack's run). */
#define FLEET_OPEN 187000

/* Sized as the view sizes it (core/view.c): made with 4,096 slots, then
 * asked for two slots per open close. */
static void test_bytes_at_fleet_size(void **state)
{
	struct fc_memo *m = fc_memo_new(4096);

	(void)state;
	assert_non_null(m);
	fc_memo_reserve(m, 2 * FLEET_OPEN);
	print_message("memo: %zu slots, %zu bytes for %d open closes\n",
		      fc_memo_slots(m), fc_memo_bytes(m), FLEET_OPEN);
	assert_true(fc_memo_slots(m) >= 2 * FLEET_OPEN);
	/* 32 bytes a slot, 2 more for forecast_until_above()'s answers. */
	assert_true(fc_memo_bytes(m) < (size_t)15 * 1000 * 1000);
	assert_int_equal(fc_memo_bytes(NULL), 0);
	fc_memo_free(m);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_at_fleet_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
