/*
 * listcursor.c - the one list cursor (see listcursor.h).
 */
#include "autoconf.h"

#include "ui/listcursor.h"

void listcursor_clamp(struct listcursor *c, size_t n, int page)
{
	long rows = (long)n;

	if (c->sel >= rows)
		c->sel = rows - 1;
	if (c->sel < 0)
		c->sel = 0;
	if (page <= 0) {
		c->top = 0;
		return;
	}
	if (c->top > c->sel)
		c->top = c->sel;
	if (c->sel >= c->top + page)
		c->top = c->sel - page + 1;
	if (c->top > rows - page)
		c->top = rows - page;
	if (c->top < 0)
		c->top = 0;
}

void listcursor_move(struct listcursor *c, long delta, size_t n, int page)
{
	c->sel += delta;
	listcursor_clamp(c, n, page);
}

bool listcursor_key(struct listcursor *c, enum action act, size_t n, int page)
{
	long step = page > 1 ? page - 1 : 1;

	switch (act) {
	case ACT_UP: listcursor_move(c, -1, n, page); return true;
	case ACT_DOWN: listcursor_move(c, 1, n, page); return true;
	case ACT_PAGE_UP:
		c->top -= step;
		listcursor_move(c, -step, n, page);
		return true;
	case ACT_PAGE_DOWN:
		c->top += step;
		listcursor_move(c, step, n, page);
		return true;
	case ACT_HOME: c->sel = 0; c->top = 0; listcursor_clamp(c, n, page); return true;
	case ACT_END: c->sel = (long)n; listcursor_clamp(c, n, page); return true;
	default: return false;
	}
}
