/*
 * snapshot.h - what one poll of one shard saw, as an immutable snapshot.
 *
 * A poller thread builds a struct snapshot from one query result, then
 * publishes it; from then on nobody writes to it.  Readers take a reference
 * (snapshot_ref) and drop it when done (snapshot_unref), so the UI can keep
 * drawing an old snapshot while a poller publishes the next one, with no
 * lock held while drawing.  Every string lives in the snapshot's arena, in
 * the home block of the biller it belongs to (struct biller), in an arena
 * the snapshot holds a reference to (held[]: the shard's interned strings
 * and batch words, its holds and notes), or is a literal.
 *
 * An incremental poll (query_poll.h) parses only the billers that changed
 * and snapshot_merge() makes the next snapshot from the previous one: the
 * billers that did not change keep their records: the chunks of the
 * biller array that hold none that changed are shared (struct
 * biller_chunk), their batches and strings too (not copied, re-parsed or
 * re-sanitized), and when nothing changed the whole table of chunks is
 * shared.  Each biller's home holds
 * only that biller, so memory follows the billers the published snapshots
 * show, not the number of polls since the last full one.
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
struct biller_index;
struct hold;
struct note;

#define BT_NO_TIME INT64_MIN
#define BT_NO_INT INT32_MIN

enum batch_state {
	BATCH_SCHEDULED,
	BATCH_RUNNING,
	BATCH_CLOSED,
	BATCH_FAILED,
	BATCH_OTHER,	/* a status batchtop does not know: shown as it is */
	BATCH_HELD,	/* contract v3: not started because a hold selects it */
};

/* The latest batchtop.rerun_request of a batch: few batches have one, so
 * the record points to it (NULL: none) rather than carrying it. */
struct batch_rerun {
	const char *status;		/* pending, running, done, failed, ... */
	const char *by;			/* its requested_by ("" when NULL) */
	int64_t at;			/* its requested_at, or BT_NO_TIME */
	int64_t id;			/* its request_id */
};

/* What a batch is and where it stands, in words: the columns with few
 * distinct values.  Batches share one copy of each combination, interned
 * per shard (query_poll.c, intern_blob() in core/arena.h): one pointer in
 * each batch record instead of six.  Every field is a string, never NULL. */
struct batch_kind {
	const char *business_day;
	const char *payment_type;
	const char *module;
	const char *status;		/* the text as the shard sent it */
	const char *error_class;	/* "" when NULL */
	/* "" for a well-formed row; else what was wrong with it, raw values
	 * quoted and sanitized ("started_at 'infinity'; status NULL").  The
	 * row is kept, shown as it is, and counted in snapshot.nbad. */
	const char *bad;
};

/* Fields ordered widest first, with no padding hole: there are hundreds
 * of thousands of these at fleet scale (the _Static_assert below). */
struct batch {
	const char *batch_id;
	/* Its words (above); shared with other batches: never written
	 * through.  A fixture may point it at a literal. */
	const struct batch_kind *kind;
	const char *error_message;	/* "" when NULL */
	/* Its latest rerun request; NULL when none (batch_rerun_*() below
	 * read it as "", BT_NO_TIME and 0). */
	const struct batch_rerun *rerun;
	int64_t scheduled_at;
	int64_t deadline_at;		/* effective: given, or scheduled + window */
	int64_t started_at, finished_at, updated_at;
	int attempts;			/* BT_NO_INT when NULL */
	/* 1 + the minute of the day of scheduled_at in the biller's zone
	 * (batch_local_sched() writes it "HH:MM"); 0 when the zone is
	 * unknown. */
	uint16_t local_min;
	enum batch_state state : 8;
	bool deadline_given : 1;	/* deadline_at was set, not derived */
	signed char deadline_inf : 2;	/* +1 'infinity', -1 '-infinity', else 0 */
};

/* 80 bytes on LP64 (136 with the words in each record, 96 with its
 * biller's id, which the biller that holds it has: a batch is reached
 * through its biller, or batch_iter_biller(); 88 with the local time as
 * text): grow it only knowing it costs a copy of every batch of the
 * fleet (about 187,000 at 100 shards x 1,000 billers in bench-fleet's
 * night, 8 bytes = 1.5 MB). */
_Static_assert(sizeof(void *) != 8 || sizeof(struct batch) == 80,
	       "struct batch grew: see the comment above it");

#define BATCH_LOCAL_SCHED_LEN 6
/* The local scheduled time, "HH:MM" into out, or "" when the zone is
 * unknown; returns out. */
static inline const char *batch_local_sched(const struct batch *t,
					    char out[BATCH_LOCAL_SCHED_LEN])
{
	unsigned m = t->local_min ? t->local_min - 1u : 0u;

	if (!t->local_min || m >= 24 * 60) {
		out[0] = '\0';
		return out;
	}
	out[0] = (char)('0' + m / 600);
	out[1] = (char)('0' + m / 60 % 10);
	out[2] = ':';
	out[3] = (char)('0' + m % 60 / 10);
	out[4] = (char)('0' + m % 10);
	out[5] = '\0';
	return out;
}

/* t->local_min of "HH:MM" (0 for anything else: NULL, "", a malformed
 * text). */
static inline uint16_t batch_local_min_of(const char *hhmm)
{
	const char *s = hhmm;
	unsigned h, m;

	if (!s || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ':' || s[3] < '0' || s[3] > '5' || s[4] < '0' ||
	    s[4] > '9' || s[5])
		return 0;
	h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
	return h < 24 ? (uint16_t)(1 + h * 60 + m) : 0;
}

static inline const char *batch_rerun_status(const struct batch *t)
{
	return t->rerun ? t->rerun->status : "";
}

static inline const char *batch_rerun_by(const struct batch *t)
{
	return t->rerun ? t->rerun->by : "";
}

static inline int64_t batch_rerun_at(const struct batch *t)
{
	return t->rerun ? t->rerun->at : BT_NO_TIME;
}

static inline int64_t batch_rerun_id(const struct batch *t)
{
	return t->rerun ? t->rerun->id : 0;
}

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
	/* Tonight's, by scheduled time: in home (or in a block the
	 * snapshot owns, for a literal fixture), shared by every later
	 * snapshot in which this biller did not change. */
	struct batch *batches;
	size_t nbatches;
	/* The shard's hash of each batch's whole row (query_poll.h), for the
	 * rows updated within poll_overlap of the poll, else 0; NULL when
	 * none has one.  Only the poller reads it (query_poll_held()). */
	const int64_t *row_sigs;
	/* Facts that do not depend on the time of day. */
	int n_closed;
	int attempts_max;		/* BT_NO_INT if no batch says */
	const char *last_error_class;	/* of the latest failed batch, or "" */
	int ap_payments, ap_failed;	/* latest autopay run, BT_NO_INT if none */
	int64_t ap_run_at;
	/* The block that holds this biller's own strings and batch records,
	 * sized for them alone (NULL: literals, or the snapshot's own arena).
	 * Reference-counted: every snapshot whose biller array holds this
	 * biller holds one reference (snapshot_unref() drops it), so a
	 * biller no snapshot shows any more is freed at once. */
	struct arena *home;
	/* arena_serial(home), set by biller_summarize() (0: none, or home
	 * set after it): the view's signature of the biller (view_sig.c)
	 * and the forecast memo read it with no cache miss into home. */
	uint64_t home_serial;
	/* The latest updated_at of its batches that have a row hash
	 * (row_sigs), BT_NO_TIME when none; set by biller_summarize().  The
	 * poller's held list (query_poll_held()) skips a biller older than
	 * its cursor without reading its batches. */
	int64_t sig_latest;
};

/* 128 bytes on LP64 (136 with the filter's search text pointer, whose
 * text was ~50 bytes more in every biller's home, made by every poll):
 * there are 1,000 per shard in every chunk table (below). */
_Static_assert(sizeof(void *) != 8 || sizeof(struct biller) == 128,
	       "struct biller grew: see the comment above it");

/*
 * The biller array, in chunks of BILLER_CHUNK records shared between the
 * snapshots of a shard: a merge copies only the chunks holding a biller
 * that changed and takes one reference to each of the others, instead of
 * copying every record and taking a reference to every biller's home
 * (19 of 1,000 billers change in a poll; bench/bench_merge.c).  A chunk
 * holds one reference to own (the arena of the snapshot that made it, or
 * NULL) and one to each of its billers' homes that is not own; the last
 * snapshot to drop the chunk drops those.  Read biller i with
 * snapshot_biller(); only the thread building a snapshot, before it is
 * merged or published, adds or writes billers (snapshot_add_biller(),
 * snapshot_biller_w()).
 */
#define BILLER_CHUNK 8
#define CHUNK_SIG_UNSET INT64_MAX

struct biller_chunk {
	int refs;			/* atomic */
	unsigned n;			/* records in use */
	struct arena *own;
	struct biller b[BILLER_CHUNK];
};

struct snapshot {
	int refs;			/* atomic */
	int shard_index;
	const char *shard;
	int64_t server_now;		/* the shard's clock when it answered */
	int64_t taken_mono;		/* our monotonic clock at that moment */
	/* nbillers records in chunks[i / BILLER_CHUNK] (above); room for
	 * chunks_cap chunk pointers. */
	struct biller_chunk **chunks;
	size_t nbillers, chunks_cap;
	/* Beside each chunk, the latest sig_latest of its billers
	 * (BT_NO_TIME: none has a row hash; CHUNK_SIG_UNSET: not worked out,
	 * snapshot_chunks_summarize()).  The poller's held list
	 * (query_poll_held()) reads this array, a kilobyte at 1,000 billers,
	 * instead of every chunk: the chunks lie apart in the heap, a cache
	 * and TLB miss each.  Shared with chunks (arrays_owner). */
	int64_t *chunk_sigs;
	/* There is no flat array of every batch: a biller's batches are its
	 * own (struct biller), in the arena of the poll that last read it.
	 * Walk snapshot_biller(s, i)->batches[j]; nbatches is the total. */
	size_t nbatches;
	size_t nbad;			/* batches with a bad row */
	struct arena *arena;
	/* References to other arenas this snapshot's strings live in (not
	 * the billers' homes: each biller record holds its own). */
	struct arena **held;
	size_t nheld;
	/* When chunks is another snapshot's table (a poll that changed
	 * nothing), a reference to it; NULL when it is ours. */
	struct snapshot *arrays_owner;
	/* Equal in two snapshots: the same billers, in the same order, with
	 * the same names and ids, so the name ranking (core/view.c) still
	 * holds.  0 means unknown (always rank again). */
	uint64_t names_id;
	/* How the poll read it: incrementally, how many rows came back, how
	 * many billers it re-read (all of them for a full poll). */
	bool delta;
	size_t rows_read;
	size_t nchanged;
	/* Contract v3 (core/hold.h): the shard's active holds and those
	 * ended recently, oldest first; holds_read is false for a shard that
	 * offers no holds (contract v2 or older). */
	struct hold *holds;
	size_t nholds;
	size_t nholds_bad;		/* rows dropped: values did not parse */
	bool holds_read;
	/* Contract v3 (core/note.h): the night's notes and every standing
	 * acknowledgement, sorted by biller_id then note_id; in notes_home
	 * (held) or the snapshot's arena.  notes_read: the shard offers
	 * notes and they were read (false: none to show, not "none"). */
	struct note *notes;
	size_t nnotes;
	struct arena *notes_home;
	bool notes_read;
	/* The arena the holds live in (held), when not the snapshot's own:
	 * a steady poll that did not re-read them keeps the last ones. */
	struct arena *holds_home;
	/* Where each biller id is in billers, for the next merge
	 * (snapshot.c); NULL until a merge makes one.  The poller's. */
	struct biller_index *index;
};

/* Biller i of s (i < s->nbillers). */
static inline const struct biller *snapshot_biller(const struct snapshot *s,
						   size_t i)
{
	return &s->chunks[i / BILLER_CHUNK]->b[i % BILLER_CHUNK];
}

/* The same, to write: only while s is being built (above). */
static inline struct biller *snapshot_biller_w(struct snapshot *s, size_t i)
{
	return &s->chunks[i / BILLER_CHUNK]->b[i % BILLER_CHUNK];
}

/* A new zeroed biller at the end of s, being built; its home (if any)
 * is then s's to drop. */
struct biller *snapshot_add_biller(struct snapshot *s);

/* Work out s->chunk_sigs where unset: by the thread that built s, once
 * its billers are summarized (biller_summarize()) and before it is
 * published.  A chunk table shared with an older snapshot is not
 * written. */
void snapshot_chunks_summarize(struct snapshot *s);

/* A new empty snapshot owning a new arena, with one reference. */
struct snapshot *snapshot_new(int shard_index, const char *shard);
struct snapshot *snapshot_ref(struct snapshot *s);
void snapshot_unref(struct snapshot *s);

/* Hold a reference to arena a (NULL or already held: nothing). */
void snapshot_hold(struct snapshot *s, struct arena *a);
/* A names_id no snapshot has had yet. */
uint64_t snapshot_names_id_new(void);
/* Give full-poll snapshot s the names_id of base when both have the same
 * billers, names and order; a new one otherwise. */
void snapshot_names_from(struct snapshot *s, const struct snapshot *base);
/* The next snapshot from base and d, a snapshot of the billers that
 * changed (each complete): returns d, whose billers are now base's with
 * d's replacing those with the same id and new ones appended.  Costs a
 * copy of the chunks that hold a changed or new biller (and a reference
 * to each of their other billers' homes) and a reference to each other
 * chunk; nothing is copied per batch or string, and nothing at all when
 * d has no biller.  base is not modified. */
struct snapshot *snapshot_merge(const struct snapshot *base,
				struct snapshot *d);

/* Was t's row malformed (t->kind->bad says how)? */
static inline bool batch_is_bad(const struct batch *t)
{
	return t->kind->bad && t->kind->bad[0];
}

/* The batch of s with this id (compared byte for byte), or NULL. */
const struct batch *snapshot_find_batch(const struct snapshot *s,
					const char *batch_id);

/* Every batch of a snapshot, biller by biller:
 *	struct batch_iter it = { s, 0, 0 };
 *	for (const struct batch *t; (t = batch_iter_next(&it)); ) ... */
struct batch_iter {
	const struct snapshot *s;	/* NULL: no batch */
	size_t biller, batch;
};

static inline const struct batch *batch_iter_next(struct batch_iter *it)
{
	while (it->s && it->biller < it->s->nbillers) {
		const struct biller *b = snapshot_biller(it->s, it->biller);

		if (it->batch < b->nbatches)
			return &b->batches[it->batch++];
		it->biller++;
		it->batch = 0;
	}
	return NULL;
}

/* The biller of the batch batch_iter_next() last returned: a batch
 * record does not name its biller (8 bytes in each of them). */
static inline const struct biller *batch_iter_biller(const struct batch_iter *it)
{
	return snapshot_biller(it->s, it->biller);
}

/* The serial of b's home block (b->home not NULL): the one kept in b
 * when it was summarized with that home, else read from the home. */
uint64_t biller_home_serial(const struct biller *b);

/* Map a status text to a state (unknown text: BATCH_OTHER). */
enum batch_state batch_state_from_text(const char *status);

/* Biller b's text for the filter: "name id shard zone ", each followed
 * by a space, lower-cased (ASCII), the id sanitized as it is drawn; made
 * when a filter asks (not kept in every biller's home by every poll).
 * The caller frees it. */
char *biller_search_text(const struct biller *b);
/* Does that text contain needle (lower-cased by the caller)? */
bool biller_search_has(const struct biller *b, const char *needle);

/* Fill the time-independent biller facts from its batches (and
 * home_serial from its home). */
void biller_summarize(struct biller *b);

#endif
