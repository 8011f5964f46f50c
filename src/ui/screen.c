/*
 * screen.c - the stack of screens and the status-bar message (see screen.h).
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/timefmt.h"
#include "core/xalloc.h"
#include "ui/screen.h"

bool screen_push(struct app *app, const struct screen *s, const void *arg)
{
	struct screen_slot *slot;

	if (app->depth >= APP_MAX_SCREENS)
		return false;
	slot = &app->stack[app->depth++];
	slot->s = s;
	slot->st = s->state_size ? xcalloc(1, s->state_size) : NULL;
	if (s->enter)
		s->enter(app, slot->st, arg);
	if (s->update)
		s->update(app, slot->st);
	app->dirty = true;
	return true;
}

static void leave_top(struct app *app)
{
	struct screen_slot *slot = &app->stack[app->depth - 1];

	if (slot->s->leave)
		slot->s->leave(app, slot->st);
	/* Its message goes to the screen that opened it. */
	if (app->message_depth == app->depth && app->depth > 1) {
		app->message_depth--;
		app->message_screen = app->stack[app->depth - 2].s;
	}
	free(slot->st);
	slot->st = NULL;
	slot->s = NULL;
	app->depth--;
}

/* ui_run() pushes the grid (or, with --wallboard, the board) first, and
 * it stays at the bottom: screen_pop() never takes the last one. */
void screen_pop(struct app *app)
{
	struct screen_slot *slot;

	if (app->depth <= 1)
		return;
	leave_top(app);
	slot = &app->stack[app->depth - 1];
	if (slot->s->update)
		slot->s->update(app, slot->st);
	app->dirty = true;
}

void screen_pop_all(struct app *app)
{
	while (app->depth > 0)
		leave_top(app);
}

const struct screen_slot *screen_top(const struct app *app)
{
	return app->depth ? &app->stack[app->depth - 1] : NULL;
}

const struct screen_slot *screen_below(const struct app *app)
{
	return app->depth >= 2 ? &app->stack[app->depth - 2] : NULL;
}

const struct screen_slot *screen_find(const struct app *app,
				      const struct screen *s)
{
	for (int i = app->depth - 1; i >= 0; i--)
		if (app->stack[i].s == s)
			return &app->stack[i];
	return NULL;
}

static void message(struct app *app, int depth, const char *fmt, va_list ap)
{
	vsnprintf(app->message, sizeof app->message, fmt, ap);
	app->message_until = mono_ms() + 4000;
	app->message_depth = depth;
	app->message_screen = depth > 0 ? app->stack[depth - 1].s : NULL;
	app->dirty = true;
}

bool screen_other_instance(const struct app *app, const struct screen *s,
			   const void *st)
{
	for (int i = 0; i < app->depth; i++)
		if (app->stack[i].s == s && app->stack[i].st != st)
			return true;
	return false;
}

void screen_message(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(app, app->depth, fmt, ap);
	va_end(ap);
}

void screen_message_all(struct app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message(app, 0, fmt, ap);
	va_end(ap);
}

const char *screen_message_shown(const struct app *app)
{
	if (!app->message[0] || app->mono >= app->message_until)
		return NULL;
	/* Depth 0: every screen's (or made before any screen was up). */
	if (app->message_depth && (app->message_depth != app->depth ||
				   app->stack[app->depth - 1].s != app->message_screen))
		return NULL;
	return app->message;
}
