/*
 * test_zones.c - a server's zone names parsed once (zone_names_new()) and
 * the short list the deltas send (query_zones_short_of()).
 *
 * The parsed names must give the short list that the literal itself gave
 * (query_zones_short(), which the integration test test_delta checks
 * against a real server): the same names, in the same order, quoted the
 * same way, for quoted and bare elements, NULLs and names too long for a
 * zone, and zones in another case than the server's.
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
#include "core/xalloc.h"
#include "query/query_zones.h"
#include "fixtures.h"

#define T0 FX_HOUR(500000)

/* Billers in zones, one each; a zone "-" is a biller whose zone the
 * shard did not know. */
static struct snapshot *zoned(const char *const *zone, size_t n)
{
	struct snapshot *s = fx_snapshot(0, "s", T0, 0);
	char id[16];

	for (size_t i = 0; i < n; i++) {
		struct biller *b;

		snprintf(id, sizeof id, "b%zu", i);
		b = fx_add_biller(s, id, id, zone[i], 1);
		if (!strcmp(zone[i], "-"))
			b->tz_known = false;
	}
	return fx_seal(s);
}

static void test_parse(void **state)
{
	char longname[300];
	char *lit;
	struct zone_names *z;

	(void)state;
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	lit = xmalloc(400);
	snprintf(lit, 400, "{utc,\"europe/paris\",NULL,\"a\\\"b\",%s,\"NULL\","
		 "asia/tokyo}", longname);
	z = zone_names_new(lit);
	assert_non_null(z);
	assert_ptr_equal(z->all, lit);
	/* NULL and the one too long are left out; a quoted "NULL" is a
	 * name; in byte order of the lower-cased text. */
	assert_int_equal(z->n, 5);
	assert_string_equal(z->name[0], "a\"b");
	assert_string_equal(z->name[1], "asia/tokyo");
	assert_string_equal(z->name[2], "europe/paris");
	assert_string_equal(z->name[3], "NULL");
	assert_string_equal(z->name[4], "utc");
	zone_names_free(z);
	assert_null(zone_names_new(NULL));
	zone_names_free(NULL);
}

static void test_empty(void **state)
{
	struct zone_names *z = zone_names_new(xstrdup("{}"));
	static const char *const zone[] = { "UTC" };
	struct snapshot *s = zoned(zone, 1);
	char *out;

	(void)state;
	assert_int_equal(z->n, 0);
	out = query_zones_short_of(s, z);
	assert_string_equal(out, "{}");
	free(out);
	out = query_zones_short_of(s, NULL);
	assert_string_equal(out, "{}");
	free(out);
	zone_names_free(z);
	snapshot_unref(s);
}

/* The short list from the parsed names is the one from the literal. */
static void test_short_same_as_literal(void **state)
{
	static const char all[] = "{america/chicago,\"america/new_york\","
				  "asia/tokyo,\"europe/paris\",utc}";
	static const char *const zone[] = {
		"Europe/Paris", "UTC", "utc", "Mars/Olympus", "-",
		"America/New_York", "europe/paris", "Asia/Tokyo", "",
	};
	struct snapshot *s = zoned(zone, sizeof zone / sizeof zone[0]);
	struct zone_names *z = zone_names_new(xstrdup(all));
	char *a = query_zones_short(s, all), *b = query_zones_short_of(s, z);

	(void)state;
	/* Each zone once, lower-cased, in byte order; Mars is no zone of
	 * the server's, "-" not known to the shard, "" none. */
	assert_string_equal(a, "{\"america/new_york\",\"asia/tokyo\","
			    "\"europe/paris\",\"utc\"}");
	assert_string_equal(b, a);
	free(a);
	free(b);
	zone_names_free(z);
	snapshot_unref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_short_same_as_literal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
