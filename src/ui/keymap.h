/*
 * keymap.h - key bindings per screen, in the user's own `bind` syntax.
 *
 * A keymap file has one statement per line:
 *     bind <screen> <key> <action>
 *     unbind <screen> <key>
 *     # comment
 * <screen> is "generic" or a screen name; a lookup tries the screen's own
 * bindings first, then generic ones.  The defaults are keymaps/default.keys,
 * compiled into the binary; a user keymap is applied on top of them.
 * Binding one key twice for the same screen within one file is an error.
 */
#ifndef BT_KEYMAP_H
#define BT_KEYMAP_H

#include <stddef.h>
#include "ui/actions.h"

struct keymap;

struct binding {
	const char *screen;
	int key;		/* a character, or a curses KEY_* code */
	enum action action;
};

/* A keymap holding the compiled-in defaults; aborts via fatal() if they do
 * not parse (a build error, caught by the unit tests). Free with keymap_free. */
struct keymap *keymap_new_default(void);
void keymap_free(struct keymap *km);

/* Apply a file / string on top.  -1 with *err = "NAME:LINE: problem". */
int keymap_load_file(struct keymap *km, const char *path, char **err);
int keymap_load_string(struct keymap *km, const char *text, const char *name,
		       char **err);

/* The action for key on screen (then generic); ACT_NONE if unbound. */
enum action keymap_lookup(const struct keymap *km, const char *screen, int key);

/* The first key that does act on screen (its own bindings first, then
 * generic ones it does not shadow); -1 when no key does. */
int keymap_key_for(const struct keymap *km, const char *screen,
		   enum action act);

/* Bindings visible on screen (its own, then generic ones not shadowed),
 * in file order, at most max; returns how many there are in all. */
size_t keymap_bindings(const struct keymap *km, const char *screen,
		       struct binding *out, size_t max);

/* "q", "<Enter>", "<Up>", "<C-l>", "<F1>", "<Space>" ... <-> key code. */
int keymap_key_from_name(const char *name);	/* -1 if not a key name */
const char *keymap_key_name(int key, char *buf, size_t bufsz);

/* The screen names a keymap may use (NULL-terminated). */
extern const char *const keymap_screens[];

#endif
