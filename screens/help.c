/*
 * help.c - the keys of the screen underneath, generated from the active
 * keymap (so a user's own bindings are what it shows), and what the
 * statuses mean.
 */
#include "autoconf.h"

#include <stdio.h>

#include <curses.h>

#include "ui/draw.h"
#include "ui/keymap.h"
#include "screens/screens.h"

#define HELP_MAX_BINDINGS 128

static struct {
	long top;
	const char *of;		/* the screen whose keys are shown */
} h;

static const char *const legend[] = {
	"",
	"Status of a biller (demo billers are never counted):",
	"  FAILED       a batch failed: rerun it before the payment file",
	"  LATE         a batch that has not closed is past its deadline",
	"  AT RISK      a running batch has used more than at_risk_pct of its window",
	"  running      closing, inside its window",
	"  sched        not started yet",
	"  closed late  all closed, one after its deadline (missed the file)",
	"  closed       all closed in time",
	"  other words  a status batchtop does not know, shown as the shard sent it",
	"",
	"SHARD name ~2m: that shard's data is 2 minutes old (see the health line).",
	"Times come from the shards' clocks; LOCAL is the biller's own time zone.",
};

static void help_enter(struct app *app, void *st, const void *arg)
{
	const struct screen *below = arg;	/* the screen whose keys */

	(void)app;
	(void)st;
	h.top = 0;
	h.of = below ? below->name : "generic";
}

static void help_draw(struct app *app, void *st)
{
	struct binding b[HELP_MAX_BINDINGS];
	size_t n = keymap_bindings(app->km, h.of, b, HELP_MAX_BINDINGS);
	long lines = (long)n + (long)(sizeof legend / sizeof legend[0]);
	int rows = LINES - 4;
	char key[32], title[80];

	(void)st;
	if (n > HELP_MAX_BINDINGS)
		n = HELP_MAX_BINDINGS;
	lines = (long)n + (long)(sizeof legend / sizeof legend[0]);
	if (h.top > lines - rows)
		h.top = lines - rows;
	if (h.top < 0)
		h.top = 0;
	erase();
	draw_header(app);
	snprintf(title, sizeof title, "Keys of the %s screen", h.of);
	move(2, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	draw_text(2, 0, COLS, title, draw_attr(PAINT_HEADER), 0);
	for (int i = 0; i < rows; i++) {
		long k = h.top + i;

		if (k < (long)n) {
			keymap_key_name(b[k].key, key, sizeof key);
			draw_text(3 + i, 2, 12, key, A_BOLD, 0);
			draw_text(3 + i, 15, 14, action_name(b[k].action), 0, 0);
			draw_text(3 + i, 30, COLS - 30, action_help(b[k].action), 0, 0);
		} else if (k - (long)n < (long)(sizeof legend / sizeof legend[0])) {
			draw_text(3 + i, 0, COLS, legend[k - (long)n], 0, 0);
		}
	}
	draw_statusbar(app, "Up/Down scroll  q or Esc back  (keys from the active keymap)");
}

static bool help_key(struct app *app, void *st, enum action act, int key)
{
	(void)st;
	switch (act) {
	case ACT_UP: h.top--; return true;
	case ACT_DOWN: h.top++; return true;
	case ACT_PAGE_UP: h.top -= LINES - 5; return true;
	case ACT_PAGE_DOWN: h.top += LINES - 5; return true;
	case ACT_HOME: h.top = 0; return true;
	case ACT_HELP: return true;
	default: return false;
	}
}

const struct screen screen_help = {
	.name = "help",
	.enter = help_enter,
	.draw = help_draw,
	.key = help_key,
};
