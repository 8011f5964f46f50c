/*
 * test_joblines.c - the log viewer's ring buffer: time order across the two
 * sources, dropping the oldest when full, older pages while there is room,
 * chunks that interleave, duplicates, and the sanitizer on every line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "core/joblines.h"
#include "fixtures.h"

static struct log_line db(int64_t ts, int64_t id, const char *level)
{
	struct log_line l;
	char msg[32];

	snprintf(msg, sizeof msg, "db %lld", (long long)id);
	log_line_init(&l, LB_DB, ts, id, level, "b1", msg);
	return l;
}

static struct log_line nr(int64_t ts, const char *msg)
{
	struct log_line l;

	log_line_init(&l, LB_NR, ts, 0, "ERROR", "b1", msg);
	return l;
}

/* The messages held, oldest first, joined with spaces. */
static const char *held(const struct joblines *b)
{
	static char out[1024];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < b->len && n < sizeof out; i++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? "|" : "",
				      joblines_at(b, i)->message);
	return out;
}

static void test_append_in_order(void **state)
{
	struct joblines *b = joblines_new(10);
	struct log_line v[3] = { db(30, 3, "info"), db(10, 1, "info"), db(20, 2, "info") };

	assert_int_equal(joblines_merge(b, v, 3), 3);
	assert_string_equal(held(b), "db 1|db 2|db 3");
	joblines_free(b);
}

static void test_full_ring_drops_oldest(void **state)
{
	struct joblines *b = joblines_new(3);
	struct log_line v[2] = { db(1, 1, "info"), db(2, 2, "info") };
	struct log_line w[3] = { db(3, 3, "info"), db(4, 4, "info"), db(5, 5, "info") };

	joblines_merge(b, v, 2);
	assert_int_equal(joblines_merge(b, w, 3), 3);
	assert_int_equal(b->len, 3);
	assert_int_equal(b->dropped, 2);
	assert_string_equal(held(b), "db 3|db 4|db 5");
	joblines_free(b);
}

/* A chunk larger than the ring keeps only its newest lines. */
static void test_chunk_larger_than_ring(void **state)
{
	struct joblines *b = joblines_new(2);
	struct log_line v[4] = { db(1, 1, "info"), db(2, 2, "info"),
				 db(3, 3, "info"), db(4, 4, "info") };

	assert_int_equal(joblines_merge(b, v, 4), 2);
	assert_string_equal(held(b), "db 3|db 4");
	joblines_free(b);
}

/* Older pages go in front while there is room; once full, older lines
 * than everything held are not taken. */
static void test_older_pages_until_full(void **state)
{
	struct joblines *b = joblines_new(4);
	struct log_line p1[2] = { db(6, 6, "info"), db(5, 5, "info") };
	struct log_line p2[2] = { db(4, 4, "info"), db(3, 3, "info") };
	struct log_line p3[2] = { db(2, 2, "info"), db(1, 1, "info") };

	joblines_merge(b, p1, 2);
	assert_int_equal(joblines_merge(b, p2, 2), 2);
	assert_string_equal(held(b), "db 3|db 4|db 5|db 6");
	assert_int_equal(joblines_merge(b, p3, 2), 0);
	assert_string_equal(held(b), "db 3|db 4|db 5|db 6");
	joblines_free(b);
}

/* Half room: the newest of an older page are taken, the rest not. */
static void test_older_page_partly_fits(void **state)
{
	struct joblines *b = joblines_new(3);
	struct log_line p1[1] = { db(9, 9, "info") };
	struct log_line p2[3] = { db(3, 3, "info"), db(2, 2, "info"), db(1, 1, "info") };

	joblines_merge(b, p1, 1);
	assert_int_equal(joblines_merge(b, p2, 3), 2);
	assert_string_equal(held(b), "db 2|db 3|db 9");
	joblines_free(b);
}

/* New Relic's lines land among the shard's, in time order. */
static void test_merge_order_two_sources(void **state)
{
	struct joblines *b = joblines_new(10);
	struct log_line d[3] = { db(10, 1, "info"), db(20, 2, "warn"), db(30, 3, "error") };
	struct log_line n[3] = { nr(35, "nr c"), nr(15, "nr a"), nr(25, "nr b") };

	joblines_merge(b, d, 3);
	assert_int_equal(joblines_merge(b, n, 3), 3);
	assert_string_equal(held(b), "db 1|nr a|db 2|nr b|db 3|nr c");
	assert_int_equal(joblines_at(b, 1)->src, LB_NR);
	assert_int_equal(joblines_at(b, 2)->src, LB_DB);
	joblines_free(b);
}

/* The same instant: the shard's line first, then by log_id. */
static void test_ties(void **state)
{
	struct joblines *b = joblines_new(10);
	struct log_line v[3] = { nr(5, "nr"), db(5, 9, "info"), db(5, 7, "info") };

	joblines_merge(b, v, 3);
	assert_string_equal(held(b), "db 7|db 9|nr");
	joblines_free(b);
}

/* Asking New Relic again for an overlapping period adds only what is
 * new; a log_id seen twice is one line. */
static void test_duplicates(void **state)
{
	struct joblines *b = joblines_new(10);
	struct log_line a[2] = { nr(1, "x"), nr(2, "y") };
	struct log_line a2[3] = { nr(2, "y"), nr(3, "z"), nr(3, "z") };
	struct log_line d[1] = { db(2, 4, "info") };
	struct log_line d2[1] = { db(2, 4, "info") };

	joblines_merge(b, a, 2);
	assert_int_equal(joblines_merge(b, a2, 3), 1);
	assert_string_equal(held(b), "x|y|z");
	joblines_merge(b, d, 1);
	assert_int_equal(joblines_merge(b, d2, 1), 0);
	assert_string_equal(held(b), "x|db 4|y|z");
	joblines_free(b);
}

/* An interleaving chunk into a full ring whose head has wrapped: the
 * newest cap lines of the union remain, in order. */
static void test_interleave_full_wrapped(void **state)
{
	struct joblines *b = joblines_new(4);
	struct log_line v[6] = { db(10, 1, "info"), db(20, 2, "info"), db(30, 3, "info"),
				 db(40, 4, "info"), db(50, 5, "info"), db(60, 6, "info") };
	struct log_line n[3] = { nr(35, "nr35"), nr(55, "nr55"), nr(5, "nr5") };
	struct log_line key;

	joblines_merge(b, v, 4);
	joblines_merge(b, v + 4, 2);		/* head is now 2 */
	assert_int_equal(b->head, 2);
	assert_string_equal(held(b), "db 3|db 4|db 5|db 6");
	assert_int_equal(joblines_merge(b, n, 3), 1);
	assert_string_equal(held(b), "db 4|db 5|nr55|db 6");
	assert_int_equal(b->head, 0);

	memset(&key, 0, sizeof key);
	key.ts = 50;
	assert_int_equal(joblines_lower_bound(b, &key), 1);
	key.ts = 51;
	assert_int_equal(joblines_lower_bound(b, &key), 2);
	key.ts = 99;
	assert_int_equal(joblines_lower_bound(b, &key), 4);
	joblines_free(b);
}

static void test_gen_changes(void **state)
{
	struct joblines *b = joblines_new(4);
	unsigned g = b->gen;
	struct log_line v[1] = { db(1, 1, "info") };

	joblines_merge(b, v, 1);
	assert_int_not_equal(b->gen, g);
	g = b->gen;
	joblines_merge(b, v, 0);
	assert_int_equal(b->gen, g);	/* nothing new, nothing changed */
	joblines_clear(b);
	assert_int_equal(b->len, 0);
	joblines_free(b);
}

static void test_levels(void **state)
{
	assert_int_equal(lb_level_from_text("debug"), LB_DEBUG);
	assert_int_equal(lb_level_from_text("TRACE"), LB_DEBUG);
	assert_int_equal(lb_level_from_text("info"), LB_INFO);
	assert_int_equal(lb_level_from_text("Warning"), LB_WARN);
	assert_int_equal(lb_level_from_text("warn"), LB_WARN);
	assert_int_equal(lb_level_from_text("ERROR"), LB_ERROR);
	assert_int_equal(lb_level_from_text("fatal"), LB_ERROR);
	assert_int_equal(lb_level_from_text("critical"), LB_ERROR);
	assert_int_equal(lb_level_from_text("verbose-ish"), LB_INFO);
	assert_int_equal(lb_level_from_text(""), LB_INFO);
	assert_int_equal(lb_level_from_text(NULL), LB_INFO);
	assert_string_equal(lb_level_filter_name(LB_DEBUG), "debug+");
	assert_string_equal(lb_level_filter_name(LB_ERROR), "error");
}

/* Every string goes through the sanitizer. */
static void test_sanitized(void **state)
{
	struct log_line l;

	log_line_init(&l, LB_DB, 1, 1, "err\x1b[31mor", NULL,
		      "\x1b]0;pwned\x07 hi\r\n\xff");
	assert_null(strchr(l.message, '\x1b'));
	assert_null(strchr(l.message, '\x07'));
	assert_null(strchr(l.message, '\r'));
	assert_null(strchr(l.level_text, '\x1b'));
	assert_string_equal(l.batch_id, "");
	log_line_clear(&l);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_in_order),
		cmocka_unit_test(test_full_ring_drops_oldest),
		cmocka_unit_test(test_chunk_larger_than_ring),
		cmocka_unit_test(test_older_pages_until_full),
		cmocka_unit_test(test_older_page_partly_fits),
		cmocka_unit_test(test_merge_order_two_sources),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_interleave_full_wrapped),
		cmocka_unit_test(test_gen_changes),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_sanitized),
	};

	if (!fx_utf8_locale())
		return 99;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
