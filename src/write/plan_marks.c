/*
 * plan_marks.c - the marks on the grid (see plan_marks.h).
 *
 * Data: a small array of (shard, raw biller id), in marking order.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "write/plan_marks.h"
#include "core/xalloc.h"

struct mark {
	int shard;
	char *biller_id;
};

static struct mark *marks;
static size_t nmarks, capmarks;

static long mark_find(int shard, const char *biller_id)
{
	for (size_t i = 0; i < nmarks; i++)
		if (marks[i].shard == shard && !strcmp(marks[i].biller_id, biller_id))
			return (long)i;
	return -1;
}

static void mark_add(int shard, const char *biller_id)
{
	if (nmarks == capmarks) {
		capmarks = capmarks ? capmarks * 2 : 16;
		marks = xrealloc(marks, capmarks * sizeof *marks);
	}
	marks[nmarks].shard = shard;
	marks[nmarks].biller_id = xstrdup(biller_id);
	nmarks++;
}

bool plan_mark_toggle(int shard, const char *biller_id)
{
	long i = mark_find(shard, biller_id);

	if (i < 0) {
		mark_add(shard, biller_id);
		return true;
	}
	free(marks[i].biller_id);
	marks[i] = marks[--nmarks];
	return false;
}

bool plan_is_marked(int shard, const char *biller_id)
{
	return nmarks && mark_find(shard, biller_id) >= 0;
}

size_t plan_mark_count(void)
{
	return nmarks;
}

void plan_marks_clear(void)
{
	for (size_t i = 0; i < nmarks; i++)
		free(marks[i].biller_id);
	nmarks = 0;
}

static bool has_failed(const struct biller *b)
{
	for (size_t i = 0; i < b->nbatches; i++)
		if (b->batches[i].state == BATCH_FAILED)
			return true;
	return false;
}

size_t plan_mark_failed(struct app *app)
{
	for (size_t s = 0; s < app->view.nsnaps; s++) {
		const struct snapshot *snap = app->view.snaps[s];

		for (size_t i = 0; snap && i < snap->nbillers; i++) {
			const struct biller *b = snapshot_biller(snap, i);

			if (!b->is_demo && has_failed(b) &&
			    mark_find(b->shard_index, b->biller_id) < 0)
				mark_add(b->shard_index, b->biller_id);
		}
	}
	return nmarks;
}

bool plan_mark_get(size_t i, int *shard, const char **biller_id)
{
	if (i >= nmarks)
		return false;
	*shard = marks[i].shard;
	*biller_id = marks[i].biller_id;
	return true;
}

void plan_marks_free(void)
{
	plan_marks_clear();
	free(marks);
	marks = NULL;
	capmarks = 0;
}
