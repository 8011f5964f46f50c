/*
 * screen.c - the stack of screens and the status-bar message (see screen.h).
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/timefmt.h"
#include "ui/screen.h"

/* ui_run() pushes the grid (or, with --wallboard, the board) first, and
 * it stays at the bottom: screen_pop() never takes the last one. */
const struct screen *screen_top(const struct app *app)
{
	return app->depth ? app->stack[app->depth - 1] : NULL;
}

void screen_push(struct app *app, const struct screen *s)
{
	if (app->depth >= APP_MAX_SCREENS)
		return;
	app->stack[app->depth++] = s;
	if (s->enter)
		s->enter(app);
	if (s->update)
		s->update(app);
	app->dirty = true;
}

void screen_pop(struct app *app)
{
	const struct screen *s;

	if (app->depth <= 1)
		return;
	s = app->stack[app->depth - 1];
	if (s->leave)
		s->leave(app);
	s = app->stack[--app->depth - 1];
	if (s->update)
		s->update(app);
	app->dirty = true;
}

const struct screen *screen_below(const struct app *app)
{
	return app->depth >= 2 ? app->stack[app->depth - 2] : NULL;
}

void screen_message(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->message, sizeof app->message, fmt, ap);
	va_end(ap);
	app->message_until = mono_ms() + 4000;
	app->dirty = true;
}
