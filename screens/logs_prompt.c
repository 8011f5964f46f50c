/*
 * logs_prompt.c - the log viewer's two prompts (see logs.h): / searches,
 * s saves the lines in view to a file (asking before it replaces one).
 * Both edit their text with the one line editor (ui/lineedit.h).
 *
 * The search is kept sanitized, as the lines are, so what is found is
 * what is shown.  The matching lines are found once per view (hits, by
 * position in vis) and again only when the view or the search changes;
 * n and N step through them, the status bar counts them and every match
 * in a drawn line is shown reversed.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/logs.h"
#include "screens/logs_lines.h"
#include "ui/draw.h"
#include "ui/screen.h"
#include "core/text.h"
#include "core/xalloc.h"

void logs_prompt_open(struct logs_st *L, enum logs_prompt p)
{
	L->prompt = p;
	lineedit_init(&L->edit, NULL, 0);
}

/* --- matches --------------------------------------------------------------------- */

static bool line_matches(const struct logs_st *L, size_t i)
{
	const struct log_line *l = logs_vis_line(L, i);

	return text_contains_ci(l->message, L->search) ||
	       text_contains_ci(l->batch_id, L->search) ||
	       text_contains_ci(l->level_text, L->search);
}

/* Find the matching lines again if the view or the search changed. */
static void find_hits(struct logs_st *L)
{
	if (L->hits_valid && L->hits_gen == L->vis_gen &&
	    L->hits_level == L->vis_level)
		return;
	L->hits = xrealloc(L->hits, (L->nvis + 1) * sizeof *L->hits);
	L->nhits = 0;
	for (size_t i = 0; L->search && i < L->nvis; i++)
		if (line_matches(L, i))
			L->hits[L->nhits++] = i;
	L->hits_gen = L->vis_gen;
	L->hits_level = L->vis_level;
	L->hits_valid = true;
}

/* The first hit at or after position at (nhits when none). */
static size_t hit_from(const struct logs_st *L, size_t at)
{
	size_t lo = 0, hi = L->nhits;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (L->hits[mid] < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void logs_search(struct app *app, struct logs_st *L, int dir)
{
	size_t cur = L->lc.sel > 0 ? (size_t)L->lc.sel : 0, k;

	if (!L->search) {
		screen_message(app, "no search yet: / to search");
		return;
	}
	find_hits(L);
	if (!L->nhits) {
		screen_message(app, "not found: %s", L->search);
		return;
	}
	if (dir > 0) {
		k = hit_from(L, cur + 1);	/* the first one after cur */
		if (k == L->nhits) {
			k = 0;
			screen_message(app, "search wrapped");
		}
	} else {
		k = hit_from(L, cur);		/* the one before it is before cur */
		if (k == 0) {
			k = L->nhits;
			screen_message(app, "search wrapped");
		}
		k--;
	}
	L->lc.sel = (long)L->hits[k];
	L->moved = true;
	L->follow = false;
	logs_remember_cursor(L);
}

void logs_matches_text(struct logs_st *L, char *buf, size_t n)
{
	size_t k;

	buf[0] = '\0';
	if (!L->search)
		return;
	find_hits(L);
	if (!L->nhits) {
		snprintf(buf, n, "no match");
		return;
	}
	k = hit_from(L, L->lc.sel > 0 ? (size_t)L->lc.sel : 0);
	if (k < L->nhits && (long)L->hits[k] == L->lc.sel)
		snprintf(buf, n, "%zu/%zu matches", k + 1, L->nhits);
	else
		snprintf(buf, n, "%zu match%s", L->nhits, L->nhits == 1 ? "" : "es");
}

void logs_draw_marked(const struct logs_st *L, int y, int x, int cols,
		      const char *text, attr_t attr)
{
	const char *p = text, *m;
	int col = x, end = x + cols;
	size_t len;

	draw_text(y, x, cols, text, attr, 0);
	if (!L->search)
		return;
	while (col < end && (m = text_find_ci(p, L->search, &len))) {
		char *part = xstrndup(p, (size_t)(m - p));

		col += text_width(part);
		free(part);
		if (col >= end)
			break;
		part = xstrndup(m, len);
		draw_text(y, col, end - col < text_width(part) ? end - col
				  : text_width(part), part,
			  (attr ^ A_REVERSE) | A_BOLD, 0);
		col += text_width(part);
		free(part);
		p = m + len;
	}
}

void logs_search_free(struct logs_st *L)
{
	free(L->search);
	L->search = NULL;
	free(L->hits);
	L->hits = NULL;
	L->nhits = 0;
	L->hits_valid = false;
}

/* --- saving ------------------------------------------------------------------------ */

static const struct log_line *vis_at(size_t i, void *ctx)
{
	return logs_vis_line(ctx, i);
}

static void save_lines(struct app *app, struct logs_st *L, bool overwrite)
{
	int err = logs_lines_save(L->save_path, overwrite, vis_at, L, L->nvis,
				  L->batch_id);

	if (err == EEXIST && !overwrite)
		L->prompt = P_CONFIRM;	/* ask first */
	else if (err)
		screen_message(app, "cannot save to %s: %s", L->save_path,
			       strerror(err));
	else
		screen_message(app, "saved %zu lines to %s", L->nvis, L->save_path);
}

/* --- the prompts ------------------------------------------------------------------- */

static void prompt_done(struct app *app, struct logs_st *L)
{
	enum logs_prompt p = L->prompt;

	L->prompt = P_NONE;
	if (!L->edit.text[0])
		return;
	if (p == P_SEARCH) {
		logs_search_free(L);
		L->search = text_sanitize(L->edit.text, (size_t)-1);
		if (!L->search[0]) {
			logs_search_free(L);
			return;
		}
		logs_search(app, L, +1);
	} else if (p == P_SAVE) {
		snprintf(L->save_path, sizeof L->save_path, "%s", L->edit.text);
		save_lines(app, L, false);
	}
}

void logs_prompt_key(struct app *app, struct logs_st *L, int key)
{
	if (L->prompt == P_CONFIRM) {
		L->prompt = P_NONE;
		if (key == 'y' || key == 'Y')
			save_lines(app, L, true);
		else
			screen_message(app, "not saved");
		return;
	}
	switch (lineedit_key(&L->edit, key)) {
	case LE_CANCEL:
		L->prompt = P_NONE;
		break;
	case LE_ENTER:
		prompt_done(app, L);
		break;
	default:
		break;
	}
	app->dirty = true;
}

void logs_prompt_draw(const struct logs_st *L)
{
	char prefix[80], ask[LINEEDIT_MAX + 64];

	move(LINES - 1, 0);
	clrtoeol();
	switch (L->prompt) {
	case P_SEARCH:
		lineedit_draw(&L->edit, LINES - 1, 0, COLS, "search: ", A_BOLD);
		break;
	case P_SAVE:
		snprintf(prefix, sizeof prefix, "save %zu lines to file: ", L->nvis);
		lineedit_draw(&L->edit, LINES - 1, 0, COLS, prefix, A_BOLD);
		break;
	case P_CONFIRM:
		snprintf(ask, sizeof ask, "%s exists: overwrite it? (y/n)",
			 L->save_path);
		draw_text(LINES - 1, 0, COLS, ask, A_BOLD, 0);
		break;
	case P_NONE:
		break;
	}
}
