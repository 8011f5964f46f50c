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
#include "ui/listcursor.h"
#include "screens/screens.h"

#define HELP_MAX_BINDINGS 128

/* One instance of the screen (its state_size bytes). */
struct help_st {
	struct listcursor view;	/* top: the first line shown */
	const char *of;		/* the screen whose keys are shown */
};

#define NLEGEND (sizeof legend / sizeof legend[0])

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
	struct help_st *h = st;
	const struct screen *below = arg;	/* the screen whose keys */

	(void)app;
	h->of = below ? below->name : "generic";
}

static int body_rows(void)
{
	return LINES - 4;	/* header 2, title, status */
}

/* The lines: the bindings, then the legend. */
static size_t help_lines(const struct app *app, const struct help_st *h,
			 struct binding *b, size_t *nb)
{
	size_t n = keymap_bindings(app->km, h->of, b, HELP_MAX_BINDINGS);

	if (n > HELP_MAX_BINDINGS)
		n = HELP_MAX_BINDINGS;
	*nb = n;
	return n + NLEGEND;
}

static void help_draw(struct app *app, void *st)
{
	struct help_st *h = st;
	struct binding b[HELP_MAX_BINDINGS];
	size_t n, lines = help_lines(app, h, b, &n);
	int rows = body_rows();
	char key[32], title[80];
	static const struct key_hint hints[] = {
		{ ACT_DOWN, "scroll" }, { ACT_END, "bottom" }, { ACT_HOME, "top" },
		{ ACT_BACK, "back" },
	};

	/* A scroll, not a selection: top is the line kept in view. */
	h->view.sel = h->view.top;
	listcursor_clamp(&h->view, lines, rows);
	erase();
	draw_header(app);
	snprintf(title, sizeof title, "Keys of the %s screen", h->of);
	move(2, 0);
	attrset(draw_attr(PAINT_HEADER));
	hline(' ', COLS);
	draw_text(2, 0, COLS, title, draw_attr(PAINT_HEADER), 0);
	for (int i = 0; i < rows; i++) {
		long k = h->view.top + i;

		if (k < (long)n) {
			keymap_key_name(b[k].key, key, sizeof key);
			draw_text(3 + i, 2, 12, key, A_BOLD, 0);
			draw_text(3 + i, 15, 14, action_name(b[k].action), 0, 0);
			draw_text(3 + i, 30, COLS - 30, action_help(b[k].action), 0, 0);
		} else if (k - (long)n < (long)NLEGEND) {
			draw_text(3 + i, 0, COLS, legend[k - (long)n], 0, 0);
		}
	}
	draw_footer(app, "help", hints, sizeof hints / sizeof hints[0]);
}

static bool help_key(struct app *app, void *st, enum action act, int key)
{
	struct help_st *h = st;
	struct binding b[HELP_MAX_BINDINGS];
	size_t n, lines = help_lines(app, h, b, &n);
	long page = body_rows() > 1 ? body_rows() - 1 : 1;

	(void)key;
	switch (act) {
	case ACT_UP: h->view.top--; break;
	case ACT_DOWN: h->view.top++; break;
	case ACT_PAGE_UP: h->view.top -= page; break;
	case ACT_PAGE_DOWN: h->view.top += page; break;
	case ACT_HOME: h->view.top = 0; break;
	case ACT_END: h->view.top = (long)lines; break;	/* clamped: the last page */
	case ACT_HELP: return true;
	default: return false;
	}
	h->view.sel = h->view.top;
	listcursor_clamp(&h->view, lines, body_rows());
	return true;
}

const struct screen screen_help = {
	.name = "help",
	.state_size = sizeof(struct help_st),
	.enter = help_enter,
	.draw = help_draw,
	.key = help_key,
};
