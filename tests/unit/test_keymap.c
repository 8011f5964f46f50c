/*
 * test_keymap.c - the compiled-in keymap, user keymaps over it, key names,
 * the errors with their lines, and what the help screen lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/actions.h"
#include "ui/keymap.h"
#include "core/xalloc.h"

#define NAME "u.keys"

static int setup(void **state)
{
	*state = keymap_new_default();
	return 0;
}

static int teardown(void **state)
{
	keymap_free(*state);
	return 0;
}

static void load_ok(struct keymap *km, const char *text)
{
	char *err = NULL;

	if (keymap_load_string(km, text, NAME, &err) != 0)
		fail_msg("unexpected error: %s", err);
}

static void expect_error(struct keymap *km, const char *text,
			 const char *want)
{
	char *err = NULL;

	assert_int_equal(keymap_load_string(km, text, NAME, &err), -1);
	assert_non_null(err);
	if (strcmp(err, want) != 0)
		fail_msg("got  \"%s\"\nwant \"%s\"", err, want);
	free(err);
}

static void test_defaults(void **state)
{
	struct keymap *km = *state;

	for (int s = 0; keymap_screens[s] != NULL; s++) {
		const char *screen = keymap_screens[s];

		assert_int_equal(keymap_lookup(km, screen, '?'), ACT_HELP);
		assert_int_equal(keymap_lookup(km, screen, KEY_F(1)), ACT_HELP);
		assert_int_equal(keymap_lookup(km, screen, 12), ACT_REDRAW);
		/* x is bound only on the holds screen (write-off). */
		assert_int_equal(keymap_lookup(km, screen, 'x'),
				 strcmp(screen, "holds") ? ACT_NONE : ACT_WRITE_OFF);
	}
	/* q quits on the grid only; everywhere else it goes back. */
	assert_int_equal(keymap_lookup(km, "grid", 'q'), ACT_QUIT);
	for (int s = 0; keymap_screens[s] != NULL; s++)
		if (strcmp(keymap_screens[s], "grid") &&
		    strcmp(keymap_screens[s], "wallboard"))
			assert_int_equal(keymap_lookup(km, keymap_screens[s], 'q'),
					 ACT_BACK);
	assert_int_equal(keymap_lookup(km, "grid", 's'), ACT_SORT_NEXT);
	assert_int_equal(keymap_lookup(km, "grid", 'S'), ACT_SORT_REVERSE);
	assert_int_equal(keymap_lookup(km, "logs", 's'), ACT_SAVE);
	assert_int_equal(keymap_lookup(km, "wallboard", 'q'), ACT_QUIT);
	assert_int_equal(keymap_lookup(km, "grid", KEY_PPAGE), ACT_PAGE_UP);
}

static void test_user_overrides(void **state)
{
	struct keymap *km = *state;

	load_ok(km, "# my keys\n"
		    "bind grid q refresh\n"
		    "bind generic q help\n"
		    "   bind  logs\tx  quit  \r\n"
		    "bind missed q none");
	assert_int_equal(keymap_lookup(km, "grid", 'q'), ACT_REFRESH);
	assert_int_equal(keymap_lookup(km, "logs", 'q'), ACT_HELP);
	assert_int_equal(keymap_lookup(km, "logs", 'x'), ACT_QUIT);
	assert_int_equal(keymap_lookup(km, "help", 'q'), ACT_BACK);
	assert_int_equal(keymap_lookup(km, "missed", 'q'), ACT_NONE);
	/* A second file may rebind what the first bound. */
	load_ok(km, "bind grid q quit\n");
	assert_int_equal(keymap_lookup(km, "grid", 'q'), ACT_QUIT);
}

static void test_duplicate(void **state)
{
	struct keymap *km = *state;

	expect_error(km, "bind grid x quit\n\nbind grid x help\n",
		     NAME ":3: key x is already bound for grid at line 1");
	expect_error(km, "bind grid <enter> quit\nbind grid <C-m> help\n",
		     NAME ":2: <C-m> is the same key as <Enter> in a terminal: "
		     "write <Enter>");
	expect_error(km, "bind generic <Space> quit\nbind generic <space> up\n",
		     NAME ":2: key <Space> is already bound for generic at "
		     "line 1");
	/* A failed load changes nothing. */
	expect_error(km, "bind grid q help\nbind grid q help\n",
		     NAME ":2: key q is already bound for grid at line 1");
	assert_int_equal(keymap_lookup(km, "grid", 'q'), ACT_QUIT);
	assert_int_equal(keymap_lookup(km, "grid", 'x'), ACT_NONE);
	/* The same key on two screens is fine, and so is unbind between. */
	load_ok(km, "bind grid x quit\nbind logs x help\n"
		    "unbind grid x\nbind grid x filter\n");
	assert_int_equal(keymap_lookup(km, "grid", 'x'), ACT_FILTER);
	assert_int_equal(keymap_lookup(km, "logs", 'x'), ACT_HELP);
}

static void test_errors(void **state)
{
	struct keymap *km = *state;

	expect_error(km, "\nbind grid x jump\n",
		     NAME ":2: unknown action \"jump\"");
	expect_error(km, "bind grd x quit\n",
		     NAME ":1: unknown screen \"grd\" (screens: generic, grid, "
		     "help, biller, logs, missed, autopay, wallboard, holds, forecast)");
	expect_error(km, "# c\nbind grid <Foo> quit\n",
		     NAME ":2: unknown key \"<Foo>\" (a character, or a name "
		     "such as <Enter>, <Space>, <F1>, <C-l>)");
	expect_error(km, "bind grid xy quit\n",
		     NAME ":1: unknown key \"xy\" (a character, or a name "
		     "such as <Enter>, <Space>, <F1>, <C-l>)");
	expect_error(km, "bind grid <C-i> quit\n",
		     NAME ":1: <C-i> is the same key as <Tab> in a terminal: "
		     "write <Tab>");
	expect_error(km, "bind grid <c-J> quit\n",
		     NAME ":1: <c-J> is the same key as <Enter> in a terminal: "
		     "write <Enter>");
	expect_error(km, "bind grid <C-h> quit\n",
		     NAME ":1: <C-h> is what many terminals send for Backspace: "
		     "write <Backspace>");
	expect_error(km, "bind grid x\n",
		     NAME ":1: bind takes a screen, a key and an action: "
		     "bind SCREEN KEY ACTION");
	expect_error(km, "bind grid x quit now\n",
		     NAME ":1: bind takes a screen, a key and an action: "
		     "bind SCREEN KEY ACTION");
	expect_error(km, "unbind grid\n",
		     NAME ":1: unbind takes a screen and a key: "
		     "unbind SCREEN KEY");
	expect_error(km, "unbind grid <Nope>\n",
		     NAME ":1: unknown key \"<Nope>\" (a character, or a name "
		     "such as <Enter>, <Space>, <F1>, <C-l>)");
	expect_error(km, "map grid x quit\n",
		     NAME ":1: unknown command \"map\": expected bind or unbind");
	expect_error(km, "bind grid x quit # trailing comment\n",
		     NAME ":1: bind takes a screen, a key and an action: "
		     "bind SCREEN KEY ACTION");
	expect_error(km, "bind grid \033 quit\n",
		     NAME ":1: control character 0x1b in line");
}

static void test_file(void **state)
{
	struct keymap *km = *state;
	char path[] = "/tmp/bt-test-keymap-XXXXXX";
	const char *text = "bind grid x quit\nbind grid y none\nbind grid x up\n";
	char *err = NULL;
	char *want;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	want = xasprintf("%s:3: key x is already bound for grid at line 1",
			 path);
	assert_int_equal(keymap_load_file(km, path, &err), -1);
	assert_string_equal(err, want);
	free(err);
	free(want);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, 34), 34);
	close(fd);
	assert_int_equal(keymap_load_file(km, path, &err), 0);
	assert_int_equal(keymap_lookup(km, "grid", 'x'), ACT_QUIT);
	unlink(path);

	assert_int_equal(keymap_load_file(km, "/nonexistent/k.keys", &err), -1);
	assert_string_equal(err, "/nonexistent/k.keys: cannot open: "
			    "No such file or directory");
	free(err);
	assert_int_equal(keymap_load_file(km, "/tmp", &err), -1);
	assert_string_equal(err, "/tmp: cannot read: Is a directory");
	free(err);
}

static void test_unbind(void **state)
{
	struct keymap *km = *state;

	load_ok(km, "unbind generic q\nunbind grid s\nunbind grid s\n"
		    "unbind logs <F9>\n");
	assert_int_equal(keymap_lookup(km, "logs", 'q'), ACT_NONE);
	assert_int_equal(keymap_lookup(km, "grid", 'q'), ACT_QUIT);	/* its own */
	assert_int_equal(keymap_lookup(km, "grid", 's'), ACT_NONE);
	assert_int_equal(keymap_lookup(km, "help", 'q'), ACT_BACK);
}

static void test_enter(void **state)
{
	struct keymap *km = *state;

	load_ok(km, "bind grid <Enter> refresh\n");
	assert_int_equal(keymap_lookup(km, "grid", '\n'), ACT_REFRESH);
	assert_int_equal(keymap_lookup(km, "grid", '\r'), ACT_REFRESH);
	assert_int_equal(keymap_lookup(km, "grid", KEY_ENTER), ACT_REFRESH);
	assert_int_equal(keymap_key_from_name("<Enter>"), '\n');
}

static void test_backspace(void **state)
{
	struct keymap *km = *state;

	assert_int_equal(keymap_lookup(km, "help", KEY_BACKSPACE), ACT_BACK);
	assert_int_equal(keymap_lookup(km, "help", 127), ACT_BACK);
	assert_int_equal(keymap_lookup(km, "help", 8), ACT_BACK);
	assert_int_equal(keymap_lookup(km, "grid", 127), ACT_NONE);
}

static void test_key_names(void **state)
{
	static const char *const named[] = {
		"<Enter>", "<Esc>", "<Tab>", "<Backspace>", "<Space>", "<Up>",
		"<Down>", "<Left>", "<Right>", "<PgUp>", "<PgDn>", "<Home>",
		"<End>", "<Del>", "<Ins>",
	};
	static const char *const bad[] = {
		"", "ab", "<>", "<Foo>", "<F0>", "<F13>", "<F01>", "<F1x>",
		"<C-1>", "<C-ab>", "<C->", "<Enter", "Enter>", "é", " ",
		"<C-i>", "<C-j>", "<C-m>", "<C-h>",
	};
	char buf[32], name[32];

	(void)state;
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		int key = keymap_key_from_name(named[i]);

		assert_true(key >= 0);
		assert_string_equal(keymap_key_name(key, buf, sizeof buf),
				    named[i]);
	}
	for (int n = 1; n <= 12; n++) {
		snprintf(name, sizeof name, "<F%d>", n);
		assert_int_equal(keymap_key_from_name(name), KEY_F(n));
		assert_string_equal(keymap_key_name(KEY_F(n), buf, sizeof buf),
				    name);
	}
	for (char c = 'a'; c <= 'z'; c++) {
		snprintf(name, sizeof name, "<C-%c>", c);
		if (c == 'h' || c == 'i' || c == 'j' || c == 'm') {
			assert_int_equal(keymap_key_from_name(name), -1);
			continue;
		}
		assert_int_equal(keymap_key_from_name(name), c - 'a' + 1);
		assert_string_equal(keymap_key_name(c - 'a' + 1, buf, sizeof buf),
				    name);
	}
	for (int c = '!'; c <= '~'; c++) {
		snprintf(name, sizeof name, "%c", c);
		assert_int_equal(keymap_key_from_name(name), c);
		assert_string_equal(keymap_key_name(c, buf, sizeof buf), name);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (keymap_key_from_name(bad[i]) != -1)
			fail_msg("\"%s\" should not be a key name", bad[i]);

	assert_int_equal(keymap_key_from_name("<Hash>"), '#');
	assert_int_equal(keymap_key_from_name("<hash>"), '#');
	assert_int_equal(keymap_key_from_name("<ENTER>"), '\n');
	assert_int_equal(keymap_key_from_name("<pgdn>"), KEY_NPAGE);
	assert_int_equal(keymap_key_from_name("<f5>"), KEY_F(5));
	assert_int_equal(keymap_key_from_name("<c-L>"), 12);
	assert_int_equal(keymap_key_from_name("q"), 'q');
	assert_int_equal(keymap_key_from_name("Q"), 'Q');
	assert_string_equal(keymap_key_name('\r', buf, sizeof buf), "<Enter>");
	assert_string_equal(keymap_key_name(KEY_ENTER, buf, sizeof buf),
			    "<Enter>");
	assert_string_equal(keymap_key_name(127, buf, sizeof buf),
			    "<Backspace>");
	assert_string_equal(keymap_key_name(0x1234, buf, sizeof buf),
			    "<0x1234>");
	assert_string_equal(keymap_key_name(KEY_UP, buf, 3), "<U");
	assert_string_equal(keymap_key_name('q', NULL, 0), "");
}

static void test_hash_and_comments(void **state)
{
	struct keymap *km = *state;

	load_ok(km, "#bind grid x quit\n  # indented comment\n"
		    "bind grid # filter\nbind logs <Hash> help\n\n\n");
	assert_int_equal(keymap_lookup(km, "grid", 'x'), ACT_NONE);
	assert_int_equal(keymap_lookup(km, "grid", '#'), ACT_FILTER);
	assert_int_equal(keymap_lookup(km, "logs", '#'), ACT_HELP);
	expect_error(km, "bind grid <Hash> quit\nbind grid # help\n",
		     NAME ":2: key # is already bound for grid at line 1");
}

static void test_bindings(void **state)
{
	struct keymap *km = *state;
	struct binding b[64];
	size_t n;
	size_t ngeneric = keymap_bindings(km, "generic", b, 64);
	size_t own;

	/* help: its own two, then generic ones except q. */
	n = keymap_bindings(km, "help", b, 64);
	assert_int_equal(n, 2 + ngeneric - 1);
	assert_string_equal(b[0].screen, "help");
	assert_int_equal(b[0].key, 'q');
	assert_int_equal(b[0].action, ACT_BACK);
	assert_string_equal(b[1].screen, "help");
	assert_int_equal(b[1].key, KEY_BACKSPACE);
	assert_string_equal(b[2].screen, "generic");
	assert_int_equal(b[2].key, '?');
	assert_int_equal(b[2].action, ACT_HELP);
	for (size_t i = 2; i < n; i++) {
		assert_string_equal(b[i].screen, "generic");
		assert_true(b[i].key != 'q');
	}

	/* none hides the generic binding and is not listed itself; a key
	 * rebound in a later file keeps its place. */
	own = 0;
	n = keymap_bindings(km, "grid", b, 64);
	for (size_t i = 0; i < n; i++)
		own += strcmp(b[i].screen, "grid") == 0;
	load_ok(km, "bind grid k none\nbind grid s filter\nbind grid z quit\n");
	n = keymap_bindings(km, "grid", b, 64);
	/* The grid's own q and the k set to none shadow two generic ones. */
	assert_int_equal(n, (own + 1) + ngeneric - 2);
	assert_int_equal(b[0].key, 's');
	assert_int_equal(b[0].action, ACT_FILTER);
	assert_int_equal(b[1].key, 'S');
	assert_int_equal(b[own].key, 'z');
	assert_string_equal(b[own + 1].screen, "generic");
	for (size_t i = 0; i < n; i++) {
		assert_true(b[i].key != 'k');
		assert_true(b[i].action != ACT_NONE);
	}
	assert_int_equal(keymap_lookup(km, "grid", 'k'), ACT_NONE);
	assert_int_equal(keymap_lookup(km, "logs", 'k'), ACT_UP);

	/* The count is the total even when out is short. */
	assert_int_equal(keymap_bindings(km, "grid", b, 3), n);
	assert_int_equal(keymap_bindings(km, "grid", NULL, 0), n);
	assert_int_equal(b[0].key, 's');
}

static void test_actions(void **state)
{
	(void)state;
	for (int a = 0; a < ACT__COUNT; a++) {
		assert_int_equal(action_from_name(action_name(a)), a);
		assert_true(action_help(a)[0] != '\0');
	}
	assert_string_equal(action_name(ACT_SORT_NEXT), "sort-next");
	assert_int_equal(action_from_name("nope"), -1);
	assert_string_equal(action_name(ACT__COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backspace, setup, teardown),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test_setup_teardown(test_hash_and_comments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bindings, setup, teardown),
		cmocka_unit_test(test_actions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
