/*
 * test_listcursor.c - the one list cursor (src/ui/listcursor.c): the
 * selection stays within the rows and in view, the page keys move a page
 * less one row, Home and End go to the ends, and the first row shown is
 * never further down than a full last page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ui/listcursor.h"

static void expect(const struct listcursor *c, long sel, long top)
{
	assert_int_equal(c->sel, sel);
	assert_int_equal(c->top, top);
}

static void test_empty(void **state)
{
	struct listcursor c = { 0, 0 };

	(void)state;
	listcursor_clamp(&c, 0, 10);
	expect(&c, 0, 0);
	assert_true(listcursor_key(&c, ACT_DOWN, 0, 10));
	expect(&c, 0, 0);
	assert_true(listcursor_key(&c, ACT_END, 0, 10));
	expect(&c, 0, 0);
	assert_true(listcursor_key(&c, ACT_PAGE_DOWN, 0, 10));
	expect(&c, 0, 0);
	assert_true(listcursor_key(&c, ACT_UP, 0, 10));
	expect(&c, 0, 0);
	/* A stale cursor from a longer list comes back to the start. */
	c = (struct listcursor){ 42, 40 };
	listcursor_clamp(&c, 0, 10);
	expect(&c, 0, 0);
}

static void test_end_of_list(void **state)
{
	struct listcursor c = { 0, 0 };

	(void)state;
	listcursor_key(&c, ACT_END, 25, 10);
	expect(&c, 24, 15);		/* the last row at the bottom */
	listcursor_key(&c, ACT_DOWN, 25, 10);
	expect(&c, 24, 15);		/* no further */
	listcursor_key(&c, ACT_UP, 25, 10);
	expect(&c, 23, 15);		/* still in view: no scroll */
	listcursor_key(&c, ACT_HOME, 25, 10);
	expect(&c, 0, 0);
	listcursor_key(&c, ACT_UP, 25, 10);
	expect(&c, 0, 0);		/* no further up */
	/* Down off the bottom of the page scrolls by one. */
	for (int i = 0; i < 10; i++)
		listcursor_key(&c, ACT_DOWN, 25, 10);
	expect(&c, 10, 1);
	/* The list shrinks under the cursor: the last row. */
	listcursor_clamp(&c, 5, 10);
	expect(&c, 4, 0);
}

static void test_pages(void **state)
{
	struct listcursor c = { 0, 0 };

	(void)state;
	/* A page moves 9 rows of 10, so one row stays in view. */
	listcursor_key(&c, ACT_PAGE_DOWN, 100, 10);
	expect(&c, 9, 9);
	listcursor_key(&c, ACT_PAGE_DOWN, 100, 10);
	expect(&c, 18, 18);
	listcursor_key(&c, ACT_PAGE_UP, 100, 10);
	expect(&c, 9, 9);
	listcursor_key(&c, ACT_PAGE_UP, 100, 10);
	expect(&c, 0, 0);
	listcursor_key(&c, ACT_PAGE_UP, 100, 10);
	expect(&c, 0, 0);
	/* Near the end a page stops at the last row. */
	c = (struct listcursor){ 95, 90 };
	listcursor_key(&c, ACT_PAGE_DOWN, 100, 10);
	expect(&c, 99, 90);
	/* A one-row page still moves. */
	c = (struct listcursor){ 0, 0 };
	listcursor_key(&c, ACT_PAGE_DOWN, 100, 1);
	expect(&c, 1, 1);
	/* Other actions are not the cursor's. */
	assert_false(listcursor_key(&c, ACT_RERUN, 100, 10));
	assert_false(listcursor_key(&c, ACT_FILTER, 100, 10));
	expect(&c, 1, 1);
	/* listcursor_move clamps both ways. */
	c = (struct listcursor){ 5, 0 };
	listcursor_move(&c, -50, 100, 10);
	expect(&c, 0, 0);
	listcursor_move(&c, 500, 100, 10);
	expect(&c, 99, 90);
}

/* The first row shown is never past a full last page, so the screen
 * never shows blank rows under a list that could fill them. */
static void test_top_full_last_page(void **state)
{
	struct listcursor c;

	(void)state;
	c = (struct listcursor){ 24, 24 };
	listcursor_clamp(&c, 25, 10);
	expect(&c, 24, 15);
	/* A scroll asked past the end (top moved, sel kept on it). */
	c = (struct listcursor){ 30, 30 };
	listcursor_clamp(&c, 25, 10);
	expect(&c, 24, 15);
	/* Fewer rows than the page: top is 0. */
	c = (struct listcursor){ 3, 2 };
	listcursor_clamp(&c, 4, 10);
	expect(&c, 3, 0);
	/* The page grows (a resize): top comes up to fill it. */
	c = (struct listcursor){ 24, 20 };
	listcursor_clamp(&c, 25, 20);
	expect(&c, 24, 5);
	/* A negative top (scrolled up past the start) comes back to 0. */
	c = (struct listcursor){ 0, -7 };
	listcursor_clamp(&c, 25, 10);
	expect(&c, 0, 0);
	/* No page (page <= 0): nothing to keep in view, top is 0. */
	c = (struct listcursor){ 12, 8 };
	listcursor_clamp(&c, 25, 0);
	expect(&c, 12, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_end_of_list),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_top_full_last_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
