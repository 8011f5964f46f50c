/*
 * test_snapshot_search.c - the filter's text of a biller
 * (biller_search_text/biller_search_has, core/snapshot.h): made when a
 * filter asks, lower-cased, with the id sanitized as it is drawn and the
 * biller's own id left byte for byte as the shard sent it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/snapshot.h"

static struct biller biller(const char *id, const char *name)
{
	struct biller b;

	memset(&b, 0, sizeof b);
	b.biller_id = id;
	b.name = name;
	b.shard = "East-1";
	b.timezone = "America/New_York";
	return b;
}

static void test_search_text(void **state)
{
	struct biller b = biller("B-NY", "Acme Power");
	char *text = biller_search_text(&b);

	(void)state;
	assert_string_equal(text, "acme power b-ny east-1 america/new_york ");
	free(text);
	assert_true(biller_search_has(&b, "acme power"));
	assert_true(biller_search_has(&b, "b-ny east"));
	assert_true(biller_search_has(&b, "new_york"));
	assert_false(biller_search_has(&b, "Acme"));	/* the caller lowers */
	assert_false(biller_search_has(&b, "west"));
}

/* An id with a control byte: the text has what is drawn, not the byte;
 * the id itself is untouched. */
static void test_search_sanitizes_id(void **state)
{
	static const char id[] = "b\x1b[2Jx";
	struct biller b = biller(id, "N");
	char *text = biller_search_text(&b);

	(void)state;
	assert_null(strchr(text, '\x1b'));
	assert_string_equal(b.biller_id, id);
	assert_false(biller_search_has(&b, "\x1b"));
	assert_true(biller_search_has(&b, "east-1"));
	free(text);
}

/* Longer than the stack buffer: the same answer. */
static void test_search_long(void **state)
{
	char name[600];
	struct biller b;

	(void)state;
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	memcpy(name + 500, "Needle", 6);
	b = biller("id", name);
	assert_true(biller_search_has(&b, "needle"));
	assert_true(biller_search_has(&b, "america/"));
	assert_false(biller_search_has(&b, "haystack"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_text),
		cmocka_unit_test(test_search_sanitizes_id),
		cmocka_unit_test(test_search_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
