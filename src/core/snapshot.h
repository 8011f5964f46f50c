/*
 * snapshot.h - what one poll of one shard saw, as an immutable snapshot.
 *
 * A poller thread builds a struct snapshot from one query result, then
 * publishes it; from then on nobody writes to it.  Readers take a reference
 * (snapshot_ref) and drop it when done (snapshot_unref), so the UI can keep
 * drawing an old snapshot while a poller publishes the next one, with no
 * lock held while drawing.  Every string lives in the snapshot's arena.
 *
 * Identifiers (batch_id, biller_id) are kept byte for byte as the shard
 * sent them: they are keys for every query, write, lookup and comparison,
 * and two ids that differ only in a zero-width character are two ids.
 * They are sanitized only when drawn (draw_text() does it; text_escape()
 * shows what sanitizing would hide).  Every other string went through
 * text_sanitize().
 *
 * Times are epoch milliseconds from the shard's own clock; BT_NO_TIME is a
 * NULL in the database, or a value that cannot be used (then the batch is
 * marked bad).  A deadline of 'infinity' is BT_NO_TIME with deadline_inf
 * +1: it never goes late; '-infinity' has deadline_inf -1: it has always
 * passed, so a batch that has not closed is late.
 */
#ifndef BT_SNAPSHOT_H
#define BT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

#define BT_NO_TIME INT64_MIN
#define BT_NO_INT INT32_MIN

enum batch_state {
	BATCH_SCHEDULED,
	BATCH_RUNNING,
	BATCH_CLOSED,
	BATCH_FAILED,
	BATCH_OTHER,	/* a status batchtop does not know: shown as it is */
};

struct batch {
	const char *batch_id;
	const char *biller_id;
	const char *business_day;
	const char *payment_type;
	const char *module;
	const char *status;		/* the text as the shard sent it */
	const char *error_class;	/* "" when NULL */
	const char *error_message;	/* "" when NULL */
	char local_sched[8];		/* "HH:MM" in the biller's zone, or "" */
	enum batch_state state;
	int attempts;			/* BT_NO_INT when NULL */
	bool deadline_given;		/* deadline_at was set, not derived */
	int64_t scheduled_at;
	int64_t deadline_at;		/* effective: given, or scheduled + window */
	int deadline_inf;		/* +1 'infinity', -1 '-infinity', else 0 */
	int64_t started_at, finished_at, updated_at;
	/* "" for a well-formed row; else what was wrong with it, raw values
	 * quoted and sanitized ("started_at 'infinity'; status NULL").  The
	 * row is kept, shown as it is, and counted in snapshot.nbad. */
	const char *bad;
	/* The latest batchtop.rerun_request of this batch (treat NULL as ""). */
	const char *rerun_status;	/* pending, running, done, failed, ...;
					 * "" when none */
	const char *rerun_by;		/* its requested_by, "" when none */
	int64_t rerun_at;		/* its requested_at, BT_NO_TIME when none */
	int64_t rerun_id;		/* its request_id, 0 when none */
};

struct biller {
	const char *biller_id;
	const char *name;		/* "" when the biller row is missing */
	const char *timezone;
	const char *shard;		/* the shard's configured name */
	int shard_index;
	int priority;			/* BT_NO_INT when unknown */
	bool is_demo;
	bool known;			/* a batchtop.biller row exists */
	bool tz_known;			/* the shard recognised the zone */
	int utc_offset_s;		/* the zone's offset now, if tz_known */
	struct batch *batches;		/* tonight's, by scheduled time */
	size_t nbatches;
	/* Facts that do not depend on the time of day. */
	int n_closed;
	int attempts_max;		/* BT_NO_INT if no batch says */
	const char *last_error_class;	/* of the latest failed batch, or "" */
	int ap_payments, ap_failed;	/* latest autopay run, BT_NO_INT if none */
	int64_t ap_run_at;
	/* Lower-cased "name id shard zone" for the text filter. */
	const char *search;
};

struct snapshot {
	int refs;			/* atomic */
	int shard_index;
	const char *shard;
	int64_t server_now;		/* the shard's clock when it answered */
	int64_t taken_mono;		/* our monotonic clock at that moment */
	struct biller *billers;
	size_t nbillers;
	struct batch *batches;
	size_t nbatches;
	size_t nbad;			/* batches with a bad row */
	struct arena *arena;
};

/* A new empty snapshot owning a new arena, with one reference. */
struct snapshot *snapshot_new(int shard_index, const char *shard);
struct snapshot *snapshot_ref(struct snapshot *s);
void snapshot_unref(struct snapshot *s);

/* Was t's row malformed (t->bad says how)? */
static inline bool batch_is_bad(const struct batch *t)
{
	return t->bad && t->bad[0];
}

/* Map a status text to a state (unknown text: BATCH_OTHER). */
enum batch_state batch_state_from_text(const char *status);

/* Fill the time-independent biller facts from its batches. */
void biller_summarize(struct biller *b);

#endif
