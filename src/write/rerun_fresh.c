/*
 * rerun_fresh.c - requests answered but not polled yet (see rerun_fresh.h).
 *
 * Data: a short list, one entry per batch (shard, raw batch id), newest
 * request only.  It stays short: an entry lives from an answer to the next
 * poll of that shard.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/timefmt.h"
#include "core/xalloc.h"
#include "write/rerun_fresh.h"

struct fresh {
	int shard;
	char *batch_id;		/* raw, as the shard sent it */
	struct rerun_fresh f;
	struct fresh *next;
};

static struct fresh *list;

static const struct batch *snap_batch(const struct app *app, int shard,
				      const char *batch_id)
{
	const struct snapshot *s;

	if (shard < 0 || (size_t)shard >= app->view.nsnaps)
		return NULL;
	s = app->view.snaps[shard];
	return snapshot_find_batch(s, batch_id);
}

/* The snapshot shows this request, or a newer one: the entry is stale. */
static bool polled(const struct app *app, const struct fresh *e)
{
	const struct batch *t = snap_batch(app, e->shard, e->batch_id);

	return t && batch_rerun_id(t) >= e->f.request_id;
}

static struct fresh *find(int shard, const char *batch_id)
{
	for (struct fresh *e = list; e; e = e->next)
		if (e->shard == shard && !strcmp(e->batch_id, batch_id))
			return e;
	return NULL;
}

int rerun_fresh_note(struct app *app, int shard, const char *batch_id,
		     long long request_id, const char *status)
{
	const struct batch *t = snap_batch(app, shard, batch_id);
	struct fresh *e;
	int attempt = t && t->attempts != BT_NO_INT && t->attempts >= 0
		      ? t->attempts + 1 : 0;

	if (request_id <= 0)
		return attempt;
	e = find(shard, batch_id);
	if (!e) {
		e = xcalloc(1, sizeof *e);
		e->shard = shard;
		e->batch_id = xstrdup(batch_id);
		e->next = list;
		list = e;
	} else if (e->f.request_id > request_id) {
		return e->f.attempt;	/* an older answer arrived late */
	}
	e->f.request_id = request_id;
	snprintf(e->f.status, sizeof e->f.status, "%s",
		 status && !strcmp(status, "running") ? "running" : "pending");
	e->f.attempt = attempt;
	e->f.at = wall_ms();
	app->dirty = true;
	return attempt;
}

const struct rerun_fresh *rerun_fresh_request(const struct app *app,
					      int shard, const char *batch_id)
{
	const struct fresh *e = list ? find(shard, batch_id) : NULL;

	return e && !polled(app, e) ? &e->f : NULL;
}

const struct rerun_fresh *rerun_fresh_over(int shard, const struct batch *t)
{
	const struct fresh *e = list ? find(shard, t->batch_id) : NULL;

	return e && batch_rerun_id(t) < e->f.request_id ? &e->f : NULL;
}

bool rerun_fresh_words(const struct app *app, int shard, const char *batch_id,
		       char *buf, size_t n)
{
	const struct rerun_fresh *f = rerun_fresh_request(app, shard, batch_id);
	char at[16], attempt[32] = "";

	buf[0] = '\0';
	if (!f)
		return false;
	fmt_clock(at, sizeof at, f->at, 0);
	if (f->attempt > 0)
		snprintf(attempt, sizeof attempt, ", attempt %d", f->attempt);
	snprintf(buf, n, "rerun: request %lld %s%s (answered %s UTC; not "
		 "polled yet)", f->request_id, f->status, attempt, at);
	return true;
}

static void drop(struct fresh **pp)
{
	struct fresh *e = *pp;

	*pp = e->next;
	free(e->batch_id);
	free(e);
}

bool rerun_fresh_tick(const struct app *app)
{
	bool dropped = false;

	for (struct fresh **pp = &list; *pp;) {
		if (polled(app, *pp)) {
			drop(pp);
			dropped = true;
		} else {
			pp = &(*pp)->next;
		}
	}
	return dropped;
}

void rerun_fresh_clear(void)
{
	while (list)
		drop(&list);
}
