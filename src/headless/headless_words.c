/*
 * headless_words.c - the words and numbers every headless format shares
 * (see headless_words.h).
 */
#include "autoconf.h"

#include <stdio.h>
#include <time.h>

#include "app/app.h"
#include "headless/headless_words.h"

bool headless_every_shard_read(const struct app *app)
{
	for (size_t i = 0; i < app->npollers; i++)
		if (app->health[i].state != SHARD_OK)
			return false;
	return true;
}

/* --- words for states and statuses -------------------------------------- */

const char *headless_state_token(enum shard_state s)
{
	switch (s) {
	case SHARD_OK: return "ok";
	case SHARD_FAILING: return "stale";
	case SHARD_DOWN: return "down";
	case SHARD_CONNECTING: break;
	}
	return "connecting";
}

/* What --check and the table say about a source that was not read. */
const char *headless_state_words(enum shard_state s)
{
	switch (s) {
	case SHARD_OK: return "ok";
	case SHARD_FAILING: return "stale";
	case SHARD_DOWN: return "down";
	case SHARD_CONNECTING: break;
	}
	return "not answering";
}

const char *headless_status_token(enum biller_status s)
{
	static const char *const tokens[BS__COUNT] = {
		[BS_FAILED] = "failed", [BS_LATE] = "late",
		[BS_AT_RISK] = "at_risk", [BS_OTHER] = "unknown",
		[BS_RUNNING] = "running", [BS_SCHEDULED] = "scheduled",
		[BS_CLOSED_LATE] = "closed_late", [BS_CLOSED] = "closed",
		[BS_NONE] = "no_close", [BS_HELD] = "held",
	};

	return (unsigned)s < BS__COUNT ? tokens[s] : "unknown";
}

const char *headless_batch_state_token(enum batch_state s)
{
	switch (s) {
	case BATCH_SCHEDULED: return "scheduled";
	case BATCH_RUNNING: return "running";
	case BATCH_CLOSED: return "closed";
	case BATCH_FAILED: return "failed";
	case BATCH_HELD: return "held";
	case BATCH_OTHER: break;
	}
	return "other";
}

/* --- the numbers every format shares ------------------------------------- */

int headless_success_permille(const struct totals *t)
{
	long ok = t->by_status[BS_CLOSED];
	long decided = ok + t->by_status[BS_CLOSED_LATE] + t->by_status[BS_LATE] +
		       t->by_status[BS_FAILED];

	return decided ? (int)(ok * 1000 / decided) : -1;
}

/* Whether the biller's focus batch has a deadline that still matters, and
 * the times the formats print: ms to the deadline of a biller that has not
 * closed (negative: past it), and by how much it is or was late. */
static bool open_status(enum biller_status s)
{
	return s != BS_CLOSED && s != BS_CLOSED_LATE && s != BS_NONE &&
	       s != BS_HELD;
}

bool headless_has_deadline(const struct row *r)
{
	return r->ev.focus && r->ev.focus->deadline_at != BT_NO_TIME;
}

bool headless_time_left(const struct row *r, int64_t now, int64_t *ms)
{
	if (!open_status(r->ev.status) || !headless_has_deadline(r) || now == BT_NO_TIME)
		return false;
	*ms = r->ev.time_left;
	return true;
}

bool headless_late_by(const struct row *r, int64_t now, int64_t *ms)
{
	int64_t left;

	if (r->ev.status == BS_CLOSED_LATE) {
		*ms = r->ev.time_left;
		return true;
	}
	if (headless_time_left(r, now, &left) && left < 0) {
		*ms = -left;
		return true;
	}
	return false;
}
