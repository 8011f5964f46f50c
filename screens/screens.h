/*
 * screens.h - the screens of screens/, one file and one const table each
 * (struct screen, ui/screen.h).
 */
#ifndef BT_SCREENS_H
#define BT_SCREENS_H

#include <stdbool.h>

#include "ui/screen.h"
#include "ui/ui.h"

extern const struct screen screen_grid;
extern const struct screen screen_help;
extern const struct screen screen_wallboard;	/* --wallboard */
extern const struct screen screen_biller;	/* Enter on the grid */
extern const struct screen screen_logs;		/* l */
extern const struct screen screen_missed;	/* m */
extern const struct screen screen_autopay;	/* a: failed autopay invoices */
extern const struct screen screen_hold_dialog;	/* h: place a hold */
extern const struct screen screen_holds;	/* H: every hold of every shard */
extern const struct screen screen_release_dialog;	/* u on the holds */
extern const struct screen screen_forecast;	/* f: the night ahead */

/* A and n (screens/note_dialog.c): prompt for the text, then write an
 * acknowledgement of the failed batches of billers (only: of that batch
 * alone) or a note on b (only: on that batch) through note_order.h. */
struct batch;
struct biller;
void note_dialog_ack(struct app *app, const char *screen,
		     const struct biller *const *billers, size_t nb,
		     const struct batch *only);
void note_dialog_note(struct app *app, const char *screen,
		      const struct biller *b, const struct batch *only);
/* The same from the biller detail, for its batch batch_id (raw; NULL or
 * gone: the biller): A acknowledges that batch when it failed, else every
 * failure of b; n notes it.  b NULL: says the biller is gone. */
void note_dialog_detail(struct app *app, bool ack, const struct biller *b,
			const char *batch_id);


#endif
