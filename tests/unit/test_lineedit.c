/*
 * test_lineedit.c - the one line editor (src/ui/lineedit.c): text goes in
 * at the cursor, UTF-8 characters stay whole under every key, the
 * deleting keys (Backspace, Del, Ctrl-U, Ctrl-K, Ctrl-W) cut what they
 * say, the length limit never keeps half a character, and Enter and Esc
 * end the editing without touching the text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <string.h>

#include "ui/lineedit.h"

#define CTRL(c) ((c) & 0x1f)

/* Type s byte by byte, as getch() hands UTF-8 over. */
static void type(struct lineedit *e, const char *s)
{
	for (; *s; s++)
		lineedit_key(e, (unsigned char)*s);
}

static void expect(const struct lineedit *e, const char *text, size_t cur)
{
	assert_string_equal(e->text, text);
	assert_int_equal(e->len, strlen(text));
	assert_int_equal(e->cur, cur);
}

static void test_insert(void **state)
{
	struct lineedit e;

	(void)state;
	lineedit_init(&e, NULL, 0);
	expect(&e, "", 0);
	assert_int_equal(lineedit_key(&e, 'a'), LE_CHANGED);
	type(&e, "bd");
	expect(&e, "abd", 3);
	assert_int_equal(lineedit_key(&e, KEY_LEFT), LE_MOVED);
	type(&e, "c");
	expect(&e, "abcd", 3);
	lineedit_key(&e, KEY_HOME);
	type(&e, ">");
	expect(&e, ">abcd", 1);
	lineedit_key(&e, CTRL('e'));
	expect(&e, ">abcd", 5);
	lineedit_key(&e, CTRL('a'));
	expect(&e, ">abcd", 0);
	lineedit_key(&e, KEY_END);
	expect(&e, ">abcd", 5);
	/* Starting text: the cursor after it. */
	lineedit_init(&e, "pay water", 0);
	expect(&e, "pay water", 9);
	/* A key that is not editing is left to the caller. */
	assert_int_equal(lineedit_key(&e, KEY_F(5)), LE_IGNORED);
	assert_int_equal(lineedit_key(&e, KEY_UP), LE_IGNORED);
	expect(&e, "pay water", 9);
}

/* é is 2 bytes, 日 3, 😀 4: Left, Right, Backspace and Del step over whole
 * characters. */
static void test_utf8_whole(void **state)
{
	struct lineedit e;

	(void)state;
	lineedit_init(&e, NULL, 0);
	type(&e, "aé日😀");
	expect(&e, "aé日😀", 10);
	lineedit_key(&e, KEY_LEFT);
	assert_int_equal(e.cur, 6);
	lineedit_key(&e, KEY_LEFT);
	assert_int_equal(e.cur, 3);
	lineedit_key(&e, CTRL('b'));
	assert_int_equal(e.cur, 1);
	lineedit_key(&e, KEY_RIGHT);
	assert_int_equal(e.cur, 3);
	lineedit_key(&e, CTRL('f'));
	assert_int_equal(e.cur, 6);
	/* Backspace takes é (before 日) whole. */
	lineedit_key(&e, KEY_LEFT);
	assert_int_equal(lineedit_key(&e, KEY_BACKSPACE), LE_CHANGED);
	expect(&e, "a日😀", 1);
	/* Del takes 日 whole. */
	assert_int_equal(lineedit_key(&e, KEY_DC), LE_CHANGED);
	expect(&e, "a😀", 1);
	lineedit_key(&e, KEY_END);
	lineedit_key(&e, 127);		/* Backspace as many terminals send it */
	expect(&e, "a", 1);
	lineedit_key(&e, CTRL('h'));
	expect(&e, "", 0);
	/* Nothing before the cursor: nothing to delete. */
	assert_int_equal(lineedit_key(&e, KEY_BACKSPACE), LE_MOVED);
	assert_int_equal(lineedit_key(&e, KEY_LEFT), LE_MOVED);
	expect(&e, "", 0);
	/* Text inserted inside a character's neighbours keeps both whole. */
	type(&e, "日本");
	lineedit_key(&e, KEY_LEFT);
	type(&e, "é");
	expect(&e, "日é本", 5);
}

static void test_cut_keys(void **state)
{
	struct lineedit e;

	(void)state;
	lineedit_init(&e, "rerun the batch now", 0);
	/* Ctrl-W: the word before the cursor (and the spaces after it). */
	assert_int_equal(lineedit_key(&e, CTRL('w')), LE_CHANGED);
	expect(&e, "rerun the batch ", 16);
	lineedit_key(&e, CTRL('w'));
	expect(&e, "rerun the ", 10);
	/* Ctrl-K: from the cursor to the end. */
	lineedit_key(&e, KEY_HOME);
	lineedit_key(&e, KEY_RIGHT);
	lineedit_key(&e, KEY_RIGHT);
	assert_int_equal(lineedit_key(&e, CTRL('k')), LE_CHANGED);
	expect(&e, "re", 2);
	/* Ctrl-U: everything before the cursor, the rest kept. */
	lineedit_init(&e, "zzzpay water", 0);
	lineedit_key(&e, KEY_HOME);
	for (int i = 0; i < 3; i++)
		lineedit_key(&e, KEY_RIGHT);
	assert_int_equal(lineedit_key(&e, CTRL('u')), LE_CHANGED);
	expect(&e, "pay water", 0);
	/* At the end, Ctrl-U clears the line. */
	lineedit_key(&e, KEY_END);
	lineedit_key(&e, CTRL('u'));
	expect(&e, "", 0);
	assert_int_equal(lineedit_key(&e, CTRL('u')), LE_MOVED);
	/* UTF-8 words are cut whole. */
	lineedit_init(&e, "café noir", 0);
	lineedit_key(&e, KEY_LEFT);
	lineedit_key(&e, KEY_LEFT);
	lineedit_key(&e, KEY_LEFT);
	lineedit_key(&e, KEY_LEFT);
	lineedit_key(&e, KEY_LEFT);
	lineedit_key(&e, CTRL('w'));
	expect(&e, " noir", 0);
}

/* At most max bytes, and never half a character: one that does not fit
 * is refused whole. */
static void test_max(void **state)
{
	struct lineedit e;

	(void)state;
	lineedit_init(&e, NULL, 4);
	type(&e, "abcdef");
	expect(&e, "abcd", 4);
	assert_int_equal(lineedit_key(&e, 'x'), LE_MOVED);
	lineedit_init(&e, NULL, 4);
	type(&e, "ab日");		/* 2 + 3 bytes: 日 does not fit */
	expect(&e, "ab", 2);
	type(&e, "é");			/* 2 + 2 fits */
	expect(&e, "abé", 4);
	/* A starting text longer than max is cut between characters. */
	lineedit_init(&e, "日本語", 7);
	expect(&e, "日本", 6);
	/* 0: as much as the buffer holds. */
	lineedit_init(&e, NULL, 0);
	for (int i = 0; i < LINEEDIT_MAX + 10; i++)
		lineedit_key(&e, 'a');
	assert_int_equal(e.len, LINEEDIT_MAX - 1);
	assert_int_equal(e.text[LINEEDIT_MAX - 1], '\0');
	/* A byte that continues no character is dropped. */
	lineedit_init(&e, "a", 0);
	assert_int_equal(lineedit_key(&e, 0xa9), LE_MOVED);
	expect(&e, "a", 1);
}

static void test_enter_esc(void **state)
{
	struct lineedit e;

	(void)state;
	lineedit_init(&e, "inv-a1", 0);
	assert_int_equal(lineedit_key(&e, '\n'), LE_ENTER);
	assert_int_equal(lineedit_key(&e, '\r'), LE_ENTER);
	assert_int_equal(lineedit_key(&e, KEY_ENTER), LE_ENTER);
	expect(&e, "inv-a1", 6);
	assert_int_equal(lineedit_key(&e, 27), LE_CANCEL);
	expect(&e, "inv-a1", 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_utf8_whole),
		cmocka_unit_test(test_cut_keys),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_enter_esc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
