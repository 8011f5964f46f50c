/*
 * grid_draw.h - the grid screen's state, shared by its two files: grid.c
 * (what the user does) and grid_draw.c (columns, cells and drawing).
 * Private to the grid; nothing else includes it.
 */
#ifndef BT_GRID_DRAW_H
#define BT_GRID_DRAW_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/seen.h"
#include "core/view.h"
#include "ui/lineedit.h"
#include "ui/listcursor.h"

enum gcol {
	GC_STATUS, GC_NAME, GC_SHARD, GC_MARK, GC_ACK, GC_RERUN, GC_TZ, GC_PRIO,
	GC_CLOSED, GC_SCHED, GC_BAR, GC_LEFT, GC_ETA, GC_ATT, GC_ERR, GC_AP, GC_NR, GC__COUNT
};

/* The rows as they were when the user pressed Z: a copy of the view's
 * rows and a reference to each snapshot they point into, so they stay
 * valid while the pollers hand over new ones. */
struct grid_frozen {
	bool on;
	int64_t since_mono;
	struct snapshot **snaps;
	size_t nsnaps;
	struct row *rows;
	size_t nrows;
	struct totals totals;
};

struct grid {
	struct listcursor cur;
	/* Until the user moves the selection it stays on the first, most
	 * urgent row, and so it does after an action on the top row; once
	 * moved by hand it follows the same biller.  Home (and a new filter)
	 * go back to the top. */
	bool moved;
	bool has_sel;
	int sel_shard;
	char *sel_id;		/* raw, whole: it is a key */
	bool editing;
	struct lineedit edit;
	char saved[LINEEDIT_MAX];
	bool told_readonly_marks;
	struct grid_frozen fz;
	int width[GC__COUNT];	/* 0: column not shown */
	/* What changed since the operator last looked (core/seen.h): set
	 * up at the first update; the rows on screen observed at every
	 * one, every row once a second (grid_seen_update). */
	struct seen seen;
	struct seen_rows seen_rows;	/* the marks of the live rows */
	bool seen_ready;
	size_t nnew;		/* rows shown marked new */
	int64_t seen_all_second;	/* when every row was, mono s */
};

/* The rows the grid shows: the frozen copy, or the live view's; how
 * many, and row i of them (i below that). */
size_t grid_nrows(const struct app *app, const struct grid *g);
const struct row *grid_row(const struct app *app, const struct grid *g, size_t i);
/* Rows of the body: the terminal less two header lines, the headings and
 * the status bar. */
int grid_body_rows(void);
void grid_draw_all(struct app *app, struct grid *g);
/* Observe the live rows' statuses (grid_update) and count the new ones:
 * those on screen every time, all of them once a second. */
void grid_seen_update(struct app *app, struct grid *g);

#endif
