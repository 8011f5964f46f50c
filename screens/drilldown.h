/*
 * drilldown.h - how other screens open the drill-down screens (biller
 * detail, log viewer; screens/biller.c and screens/logs.c) and what they
 * can ask of them.  UI thread only.
 */
#ifndef BT_DRILLDOWN_H
#define BT_DRILLDOWN_H

#include "app/app.h"
#include "core/arena.h"
#include "core/snapshot.h"
#include "core/biller_status.h"

/* Push the detail of biller_id on shard (an index into app->pollers): a
 * new instance, even when a detail is already on the stack. */
void biller_screen_open(struct app *app, int shard, const char *biller_id);

/* The batch under the cursor of the topmost detail on the stack, from the
 * snapshot that detail shows; NULL when no detail is open or the biller
 * has no batch tonight.  Valid until the next update of the screen (the next loop
 * turn): copy what must live longer. */
const struct batch *biller_screen_selected(const struct app *app);

/*
 * Push the log viewer.  With batch_id, it shows that batch's lines only;
 * without (NULL), every line of the biller.  It opens at the first error
 * of open_at_batch (NULL or "": of any batch shown).
 */
void logs_screen_open(struct app *app, int shard, const char *biller_id,
		      const char *batch_id, const char *open_at_batch);

/* The biller of a shard's latest snapshot in app->view, or NULL; valid
 * until the view's snapshots are next replaced. */
const struct biller *drilldown_find_biller(const struct app *app, int shard,
					   const char *biller_id);

#endif
