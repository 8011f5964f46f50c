/*
 * plan_marks.h - the marks on the grid (Space, *): the billers a bulk
 * plan (plan.h) is built from.  UI thread only; the ids are raw.
 */
#ifndef BT_PLAN_MARKS_H
#define BT_PLAN_MARKS_H

#include <stdbool.h>
#include <stddef.h>

struct app;

/* Toggle; returns whether it is marked now. */
bool plan_mark_toggle(int shard, const char *biller_id);
bool plan_is_marked(int shard, const char *biller_id);
size_t plan_mark_count(void);
/* Mark i (in marking order): false past the last.  The id lives until
 * the marks change. */
bool plan_mark_get(size_t i, int *shard, const char **biller_id);
void plan_marks_clear(void);
/* Mark every failed non-demo biller of the latest snapshots; returns how
 * many are marked now. */
size_t plan_mark_failed(struct app *app);
/* Forget the marks and their memory (at exit). */
void plan_marks_free(void);

#endif
