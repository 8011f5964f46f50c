/*
 * shard_extras.c - a v3 shard's holds and notes, read with its poll.
 *
 * The poller (shard_poller.c) asks shard_extras_due() after each poll's
 * result what else to read, and shard_poll_extras() reads it or carries
 * the last ones over.  Runs on the poller's thread, like the poll.
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "data/log.h"
#include "query/query_holds.h"
#include "query/query_notes.h"
#include "query/query_poll.h"
#include "data/shard_poller_int.h"
#include "core/hold.h"
#include "core/note.h"

/* Contract v3: what a steady poll may skip.  Holds and notes are re-read
 * on every full poll; between them, when the delta says they were updated
 * since its cursor (query_poll_moved(): the cursor's overlap and the full
 * resync bound a writer's late commit as for batches), when the last read
 * failed, and when what they show depends on what the delta re-read: an
 * active hold's counts on its batches and invoices (read while any hold is
 * active), an acknowledgement's standing on its batch (read when the biller
 * of a standing one changed).  Otherwise the last ones are kept, in the
 * arena they were parsed into, which only they use. */

static bool any_active_hold(const struct snapshot *s)
{
	for (size_t i = 0; i < s->nholds; i++)
		if (hold_active(&s->holds[i]))
			return true;
	return false;
}

/* Did delta d re-read the biller of a standing acknowledgement of base? */
static bool ack_touched(const struct snapshot *base, const struct snapshot *d)
{
	for (size_t i = 0; i < base->nnotes; i++) {
		if (!base->notes[i].open)
			continue;
		for (size_t j = 0; j < d->nbillers; j++)
			if (!strcmp(snapshot_biller(d, j)->biller_id,
				    base->notes[i].biller_id))
				return true;
	}
	return false;
}

struct extras_due shard_extras_due(struct shard_poller *p,
				    const struct snapshot *base,
				    const struct snapshot *d, const PGresult *res)
{
	struct extras_due due = { false, false };
	bool holds_moved, notes_moved;

	if (p->contract < 3)
		return due;
	if (!base)
		return (struct extras_due){ true, true };
	query_poll_moved(res, &holds_moved, &notes_moved);
	due.holds = holds_moved || !base->holds_read || any_active_hold(base);
	due.notes = notes_moved || !base->notes_read || p->notes_stale ||
		    ack_touched(base, d);
	return due;
}

/* The holds of from onto s, from keeping them alive. */
static void holds_take(struct snapshot *s, const struct snapshot *from)
{
	s->holds = from->holds;
	s->nholds = from->nholds;
	s->nholds_bad = from->nholds_bad;
	s->holds_read = from->holds_read;
	s->holds_home = from->holds_home ? from->holds_home : from->arena;
	snapshot_hold(s, s->holds_home);
}

static void notes_take(struct snapshot *s, const struct snapshot *from)
{
	s->notes = from->notes;
	s->nnotes = from->nnotes;
	s->notes_read = from->notes_read;
	s->notes_home = from->notes_home ? from->notes_home : from->arena;
	snapshot_hold(s, s->notes_home);
}

/* Contract v3: the shard's holds into s, in one more statement after the
 * poll's (query/query_holds.h), parsed into an arena of their own.  A
 * shard that cannot say what it holds fails the poll: without its holds,
 * held billers would show as failing. */
static bool read_holds(struct shard_poller *p, struct snapshot *s,
		       char *reason, size_t rn, bool *dead, bool *stop)
{
	char hours[16], limit[16];
	const char *params[2] = { hours, limit };
	struct snapshot *h = snapshot_new(p->index, p->name);
	PGresult *res;
	bool ok;

	snprintf(hours, sizeof hours, "%d", p->cfg->night_hours);
	snprintf(limit, sizeof limit, "%d", QUERY_HOLDS_LIMIT);
	res = shard_exec(p, query_holds_sql, 2, params, reason, rn, dead, stop);
	ok = res && query_holds_parse(res, h);
	if (res && !ok)
		snprintf(reason, rn, "holds: not a result");
	PQclear(res);
	if (ok && h->nholds_bad)
		log_msg(LOG_WARN, "shard %s: %zu hold rows could not be read "
			"(a missing id or an unusable time); left out", p->name,
			h->nholds_bad);
	if (ok)
		holds_take(s, h);
	snapshot_unref(h);
	return ok;
}

/* Contract v3: the night's notes onto s, after its poll (query_notes.h).
 * When they cannot be read this time, s keeps the previous snapshot's,
 * so a marker does not blink off for one failed statement; a dead
 * connection is found by the next poll. */
static void poll_notes(struct shard_poller *p, struct snapshot *s,
		       const char **params)
{
	char reason[200];
	bool dead, stop;
	struct snapshot *n = snapshot_new(p->index, p->name);
	PGresult *res;

	res = shard_exec(p, query_notes_poll_sql, 1, params, reason, sizeof reason,
		   &dead, &stop);
	p->notes_stale = !res;
	if (res) {
		query_notes_parse(res, n);
		PQclear(res);
		notes_take(s, n);
		snapshot_unref(n);
		return;
	}
	snapshot_unref(n);
	log_msg(LOG_WARN, "shard %s: notes not read: %s", p->name, reason);
	pthread_mutex_lock(&p->lock);
	if (p->snap && p->snap->notes_read)
		notes_take(s, p->snap);
	pthread_mutex_unlock(&p->lock);
}

/* The holds and notes of a v3 shard's poll: read when due, else kept. */
bool shard_poll_extras(struct shard_poller *p, struct snapshot *s,
			const struct snapshot *base, struct extras_due due,
			const char **params, char *reason, size_t rn,
			bool *dead, bool *stop)
{
	if (p->contract < 3)
		return true;
	if (due.holds) {
		if (!read_holds(p, s, reason, rn, dead, stop))
			return false;
	} else {
		holds_take(s, base);
	}
	if (due.notes)
		poll_notes(p, s, params);
	else
		notes_take(s, base);
	return true;
}
