/*
 * listcursor.h - the one list cursor: a selected row and the first row
 * shown, for every screen that lists things (grid, detail, logs, missed,
 * autopay, help), with one rule for keeping the selection in range and
 * in view and one meaning for the movement keys.
 */
#ifndef BT_LISTCURSOR_H
#define BT_LISTCURSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/actions.h"

struct listcursor {
	long sel;	/* the selected row, 0 .. n-1 (0 when n is 0) */
	long top;	/* the first row shown */
};

/* Keep sel within n rows and in view in a page of rows (page <= 0: no
 * view to keep it in), and top no further down than a full last page. */
void listcursor_clamp(struct listcursor *c, size_t n, int page);
/* Move by delta rows (clamped). */
void listcursor_move(struct listcursor *c, long delta, size_t n, int page);
/* Up, Down, PgUp, PgDn, Home and End: move and return true; any other
 * action: false, nothing moved. */
bool listcursor_key(struct listcursor *c, enum action act, size_t n, int page);

#endif
