/*
 * lineedit.h - the one line editor: every prompt of batchtop (the grid's
 * and autopay's filters, the log viewer's search and file name, a typed
 * confirmation) edits its text with these keys, and no other:
 *
 *   printable text (UTF-8)   inserted at the cursor
 *   Left, Right, Ctrl-B, Ctrl-F   move one character
 *   Home, End, Ctrl-A, Ctrl-E     move to the start, the end
 *   Backspace, Ctrl-H        delete the character before the cursor
 *   Del, Ctrl-D              delete the character under the cursor
 *   Ctrl-U                   delete everything before the cursor
 *   Ctrl-K                   delete everything from the cursor on
 *   Ctrl-W                   delete the word before the cursor
 *   Enter                    done (LE_ENTER)
 *   Esc                      give up (LE_CANCEL)
 *
 * The text is the user's own and kept as typed; whoever draws it
 * sanitizes it (lineedit_draw does).  UI thread only.
 */
#ifndef BT_LINEEDIT_H
#define BT_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_MAX 256

struct lineedit {
	char text[LINEEDIT_MAX];	/* NUL-terminated */
	size_t len;			/* bytes in text */
	size_t cur;			/* the cursor, a byte offset */
	size_t max;			/* most bytes allowed; 0: LINEEDIT_MAX - 1 */
};

enum lineedit_result {
	LE_IGNORED,	/* not an editing key: the caller may use it */
	LE_CHANGED,	/* the text changed */
	LE_MOVED,	/* only the cursor moved (or nothing could be done) */
	LE_ENTER,
	LE_CANCEL,
};

/* Start over with text (NULL: empty), at most max bytes (0: as many as
 * fit); the cursor at its end. */
void lineedit_init(struct lineedit *e, const char *text, size_t max);
enum lineedit_result lineedit_key(struct lineedit *e, int key);

/* Draw prefix and the text in width columns at (y, x), sanitized, the
 * part with the cursor in view, and the cursor as an underscore (or
 * reversed over the character under it). */
void lineedit_draw(const struct lineedit *e, int y, int x, int width,
		   const char *prefix, int attr);

#endif
