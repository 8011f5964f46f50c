/*
 * query_poll.c - the poll query and the snapshot built from its rows (see
 * query_poll.h).  Runs on the poller threads: nothing here touches shared
 * state; a snapshot is built whole before it is published.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query/query_deadline.h"
#include "query/query_poll.h"
#include "query/query_row.h"
#include "core/sqltime.h"
#include "core/text.h"
#include "core/xalloc.h"

/* The row's signature: a hash of its whole text, every column of the
 * table or view, computed the same way by the poll that reads it and the
 * delta that asks whether it is still the one held (query_poll_held()).
 * Only for the rows updated after `from`, those the next delta's overlap
 * reaches: hashing every row of a full poll would cost more than it saves. */
#define POLL_SIG(t, from) \
	"CASE WHEN " t ".updated_at > " from \
	" THEN hashtextextended(" t "::text, 0) END"
/* In a full poll: $4 is poll_overlap, and a second for the clocks' ms. */
#define POLL_SIG_FULL "now() - ($4::int + 1) * interval '1 second'"

/* The billers, each with its zone's offset and its latest autopay run
 * (looked up once per biller, not per batch); `filter` restricts them.
 * Zones are matched against $3, the zone names the server knows (read once
 * per connection: pg_timezone_names reads every zone file, ~40 ms;
 * lower-cased, each once, so at most one matches), not cast, so a zone the
 * server does not know gives NULLs instead of failing the whole poll; the
 * match ignores case, as PostgreSQL does. */
#define POLL_BILLERS(filter) \
	"bl AS (SELECT b.biller_id, b.name, b.timezone, b.priority," \
	"   b.is_demo, tz.name AS tzname," \
	"   extract(epoch FROM (now() AT TIME ZONE tz.name)" \
	"     - (now() AT TIME ZONE 'UTC'))::int AS utc_offset_s," \
	"   ap.payments AS ap_payments, ap.failed AS ap_failed," \
	"   ap.run_at AS ap_run_at" \
	" FROM batchtop.biller b" \
	" LEFT JOIN unnest($3::text[]) tz(name)" \
	"   ON tz.name = lower(b.timezone)" \
	" LEFT JOIN LATERAL (SELECT r.payments, r.failed, r.run_at" \
	"   FROM batchtop.autopay_run r WHERE r.biller_id = b.biller_id" \
	"   ORDER BY r.run_at DESC LIMIT 1) ap ON true" filter ")"

/* One row per batch of tonight (each with its latest rerun request,
 * looked up for tonight's batches only), or per biller without one;
 * `filter` restricts the batches. */
#define POLL_COLUMNS(sigfrom) \
	" coalesce(bl.biller_id, bc.biller_id) AS biller_id," \
	" bl.biller_id IS NOT NULL AS known," \
	" bl.name, bl.timezone, bl.priority, bl.is_demo," \
	" bl.tzname IS NOT NULL AS tz_known, bl.utc_offset_s," \
	" bc.batch_id, bc.business_day::text AS business_day," \
	" bc.payment_type, bc.module, bc.status, bc.attempts," \
	" bc.error_class, bc.error_message," \
	" " SQLTIME_MS("bc.scheduled_at") " AS scheduled_ms," \
	" " SQLTIME_MS(QUERY_DEADLINE("bc.", "$2")) " AS deadline_ms," \
	" bc.deadline_at IS NOT NULL AS deadline_given," \
	" " SQLTIME_MS("bc.started_at") " AS started_ms," \
	" " SQLTIME_MS("bc.finished_at") " AS finished_ms," \
	" " SQLTIME_MS("bc.updated_at") " AS updated_ms," \
	" CASE WHEN bl.tzname IS NOT NULL THEN" \
	"   to_char(bc.scheduled_at AT TIME ZONE bl.tzname, 'HH24:MI') END" \
	"   AS local_sched," \
	" bl.ap_payments, bl.ap_failed," \
	" " SQLTIME_MS("bl.ap_run_at") " AS ap_run_ms," \
	" rq.request_id AS rr_id, rq.status AS rr_status," \
	" rq.requested_by AS rr_by," \
	" " SQLTIME_MS("rq.requested_at") " AS rr_at_ms," \
	" " POLL_SIG("bc", sigfrom) " AS row_sig"
#define POLL_FROM(filter) \
	" FROM bl" \
	" FULL JOIN (SELECT * FROM batchtop.batch_close" \
	"   WHERE scheduled_at >= now() - $1::int * interval '1 hour'" \
	"     AND scheduled_at <= now() + $1::int * interval '1 hour'" filter ") bc" \
	"   ON bc.biller_id = bl.biller_id" \
	" LEFT JOIN LATERAL (SELECT q.request_id, q.status, q.requested_by," \
	"   q.requested_at FROM batchtop.rerun_request q" \
	"   WHERE q.kind = 'batch_close' AND q.target_id = bc.batch_id" \
	"   ORDER BY q.requested_at DESC NULLS LAST, q.request_id DESC LIMIT 1) rq" \
	"   ON bc.batch_id IS NOT NULL"

#define POLL_NOW_MS " (extract(epoch FROM now()) * 1000)::bigint AS now_ms"

/* The full poll: every biller, every batch of tonight, the server clock.
 * $1 night_hours, $2 window_minutes, $3 the zone names, $4 poll_overlap. */
const char query_poll_sql[] =
	"WITH " POLL_BILLERS("")
	" SELECT" POLL_NOW_MS "," POLL_COLUMNS(POLL_SIG_FULL) POLL_FROM("")
	" ORDER BY 2, bc.scheduled_at, bc.batch_id";

/* The incremental poll (contract v2): the billers with a batch, a rerun
 * request of a batch or an autopay run updated after the cursor ($4, epoch
 * ms), re-read whole as in the full poll, every lookup an index scan; and
 * always one row with the server clock, so a poll in which nothing changed
 * reads one row of NULLs but now_ms.  A batch the client holds as it is
 * ($5 its ids, $6 their signatures: query_poll_held()) is no change: the
 * cursor's overlap re-reads the rows of the last poll_overlap seconds, and
 * only those that are new or changed since the client read them count.
 * NOT IN, not NOT EXISTS: a hashed subplan, each row hashed once (neither
 * list holds a NULL), and only a row whose id is held (<> ALL first: a
 * row's hash is its whole text, ~4 us).  Rerun requests and autopay runs keep the plain
 * overlap: they change a few times a night, batches every second. */
#define POLL_CURSOR "to_timestamp($4::bigint / 1000.0)"
#define POLL_DELTA(moved) \
	"WITH ch AS (SELECT c.biller_id FROM batchtop.batch_close c" \
	"   WHERE c.updated_at > " POLL_CURSOR \
	"     AND (c.batch_id <> ALL ($5::text[])" \
	"       OR (c.batch_id, hashtextextended(c::text, 0)) NOT IN" \
	"         (SELECT * FROM unnest($5::text[], $6::bigint[])))" \
	" UNION SELECT c.biller_id FROM batchtop.rerun_request q" \
	"   JOIN batchtop.batch_close c ON c.batch_id = q.target_id" \
	"   WHERE q.kind = 'batch_close' AND q.updated_at > " POLL_CURSOR \
	" UNION SELECT r.biller_id FROM batchtop.autopay_run r" \
	"   WHERE r.updated_at > " POLL_CURSOR ")," \
	" " POLL_BILLERS(" WHERE b.biller_id IN (SELECT biller_id FROM ch)") "," \
	" d AS (SELECT" POLL_COLUMNS(POLL_CURSOR) ", bc.scheduled_at AS d_sched" \
	POLL_FROM(" AND biller_id IN (SELECT biller_id FROM ch)") ")" \
	" SELECT" POLL_NOW_MS moved ", d.* FROM (SELECT 1) one LEFT JOIN d ON true" \
	" ORDER BY d.biller_id, d.d_sched, d.batch_id"
const char query_poll_delta_sql[] = POLL_DELTA("");
/* Contract v3: whether a hold or a note was updated after the cursor, an
 * index probe each (hold_updated_at_idx, note_updated_at_idx), so that a
 * steady poll reads them only when they moved (query_poll_moved()). */
const char query_poll_delta3_sql[] = POLL_DELTA(
	", EXISTS (SELECT 1 FROM batchtop.hold h"
	"   WHERE h.updated_at > " POLL_CURSOR ") AS holds_moved,"
	" EXISTS (SELECT 1 FROM batchtop.note n"
	"   WHERE n.updated_at > " POLL_CURSOR ") AS notes_moved");

/* The same delta through the shard's batchtop.poll_delta() (doc/contract.md,
 * sql/contract.sql): its plans are kept by the server for the session, so
 * a steady poll costs it one short statement's parse and no planning; the
 * function returns the rows of query_poll_delta3_sql, the sort is here. */
const char query_poll_delta_fn_sql[] =
	"SELECT * FROM batchtop.poll_delta($1::int, $2::int, $3::text[],"
	" $4::bigint, $5::text[], $6::bigint[])"
	" ORDER BY biller_id, d_sched, batch_id";

/* And through poll_delta_since(), which reads the sessions' activity
 * before its delta's snapshot is taken (sql/contract.sql): still one
 * statement, so it goes through a transaction pooler as poll_delta does. */
const char query_poll_delta_since_sql[] =
	"SELECT * FROM batchtop.poll_delta_since($1::int, $2::int, $3::text[],"
	" $4::bigint, $5::text[], $6::bigint[])"
	" ORDER BY biller_id, d_sched, batch_id";

/* The zone names the server knows, lower-cased (PostgreSQL finds a zone
 * whatever its case, so the lower-cased name is as good a name), each
 * once, in byte order, which poll_delta() searches, as array literals of
 * QUERY_POLL_ZONE_PART names a row, in order (query_poll_zones() joins
 * them: one 22 KB value would grow libpq's input buffer of the connection
 * from 16 to 32 KB for good); and in every row whether the shard says
 * which contract version it offers (a v1 shard cannot) and whether it has
 * poll_delta() and poll_delta_since(). */
#define QUERY_POLL_ZONE_PART "200"
const char query_poll_zones_sql[] =
	"SELECT array_agg(n ORDER BY n)::text,"
	" to_regprocedure('batchtop.contract_version()') IS NOT NULL,"
	" to_regprocedure('batchtop.poll_delta(integer, integer, text[],"
	"   bigint, text[], bigint[])') IS NOT NULL,"
	" to_regprocedure('batchtop.poll_delta_since(integer, integer, text[],"
	"   bigint, text[], bigint[])') IS NOT NULL"
	" FROM (SELECT n, (row_number() OVER (ORDER BY n) - 1)"
	"     / " QUERY_POLL_ZONE_PART " AS part"
	"   FROM (SELECT DISTINCT lower(name) COLLATE \"C\" AS n"
	"     FROM pg_timezone_names) z) k"
	" GROUP BY part ORDER BY part";

/* The zones of the shard's billers, each text once, as the shard holds it
 * and as lower() makes it (the poll's match), for the short list of a
 * new connection (query_zones_setup()): a full poll needs every name only
 * for a biller whose zone that list lacks. */
const char query_poll_biller_zones_sql[] =
	"SELECT DISTINCT timezone, lower(timezone) FROM batchtop.biller";

const char query_poll_version_sql[] = "SELECT batchtop.contract_version()";

enum col {
	C_NOW, C_BILLER_ID, C_KNOWN, C_NAME, C_TZ, C_PRIORITY, C_IS_DEMO,
	C_TZ_KNOWN, C_UTC_OFFSET, C_BATCH_ID, C_BUSINESS_DAY, C_PAYMENT_TYPE,
	C_MODULE, C_STATUS, C_ATTEMPTS, C_ERROR_CLASS, C_ERROR_MESSAGE,
	C_SCHEDULED, C_DEADLINE, C_DEADLINE_GIVEN, C_STARTED, C_FINISHED,
	C_UPDATED, C_LOCAL_SCHED, C_AP_PAYMENTS, C_AP_FAILED, C_AP_RUN,
	C_RR_ID, C_RR_STATUS, C_RR_BY, C_RR_AT, C_ROW_SIG,
	C__COUNT
};

static const char *const col_names[C__COUNT] = {
	"now_ms", "biller_id", "known", "name", "timezone", "priority",
	"is_demo", "tz_known", "utc_offset_s", "batch_id", "business_day",
	"payment_type", "module", "status", "attempts", "error_class",
	"error_message", "scheduled_ms", "deadline_ms", "deadline_given",
	"started_ms", "finished_ms", "updated_ms", "local_sched",
	"ap_payments", "ap_failed", "ap_run_ms",
	"rr_id", "rr_status", "rr_by", "rr_at_ms", "row_sig",
};

static const char *val(struct qrow *q, const int *cols, enum col c)
{
	return qrow_text_at(q, cols[c]);
}

/* What was wrong with one row, as "col 'raw'; col NULL", for batch.bad. */
struct badness {
	char text[300];
	size_t len;
};

static void bad_add(struct badness *bad, const char *col, const char *raw)
{
	char clean[64], name[32];
	size_t n = strlen(col);

	/* The table's column: "started_ms" is started_at. */
	if (n > 3 && !strcmp(col + n - 3, "_ms"))
		snprintf(name, sizeof name, "%.*s_at", (int)(n - 3), col);
	else
		snprintf(name, sizeof name, "%s", col);
	col = name;
	if (raw)
		text_sanitize_into(clean, sizeof clean, raw, (size_t)-1);
	bad->len += text_printf(bad->text + bad->len, sizeof bad->text - bad->len,
				raw ? "%s%s '%s'" : "%s%s NULL",
				bad->len ? "; " : "", col, raw ? clean : "");
}

/* A time; with bad (a batch's own columns), anything but a finite time or
 * an allowed NULL is noted there.  Infinities give BT_NO_TIME and *inf. */
static int64_t val_time_inf(struct qrow *q, const int *cols, enum col c,
			    struct badness *bad, bool required, int *inf)
{
	int64_t v = BT_NO_TIME;
	enum sqltime k = qrow_time_at(q, cols[c], &v);

	if (inf)
		*inf = k == SQLTIME_INF ? 1 : k == SQLTIME_NEG_INF ? -1 : 0;
	if (k == SQLTIME_FINITE)
		return v;
	if (bad && ((k == SQLTIME_NULL && required) ||
		    (k != SQLTIME_NULL && !inf) || k == SQLTIME_BAD))
		bad_add(bad, col_names[c], val(q, cols, c));
	return BT_NO_TIME;
}

static int64_t val_time(struct qrow *q, const int *cols, enum col c,
			struct badness *bad, bool required)
{
	return val_time_inf(q, cols, c, bad, required, NULL);
}

/* An int of the model (BT_NO_INT for NULL); one that does not parse or
 * does not fit is noted in bad. */
static int val_int(struct qrow *q, const int *cols, enum col c,
		   struct badness *bad)
{
	const char *s = val(q, cols, c);
	struct qrow one = qrow_at(q->res, q->row);
	int64_t v;

	if (!s)
		return BT_NO_INT;
	v = qrow_int_at(&one, cols[c], BT_NO_INT);
	if (one.bad || v <= BT_NO_INT || v > INT32_MAX) {
		if (bad)
			bad_add(bad, col_names[c], s);
		return BT_NO_INT;
	}
	return (int)v;
}

static int val_bool(struct qrow *q, const int *cols, enum col c)
{
	return qrow_bool_at(q, cols[c], false);
}

static const char *val_text(struct arena *a, struct qrow *q, const int *cols,
			    enum col c)
{
	const char *s = val(q, cols, c);

	if (!s)
		return "";
	return arena_sanitize(a, s, qrow_len_at(q, cols[c]));
}

/* A text of a column with few distinct values: one copy per shard. */
static const char *val_common(struct intern *in, struct arena *a,
			      struct qrow *q, const int *cols, enum col c)
{
	const char *s = val(q, cols, c);

	if (!in)
		return val_text(a, q, cols, c);
	return intern_sanitize(in, a, s, s ? qrow_len_at(q, cols[c]) : 0);
}

/* An identifier: byte for byte (core/snapshot.h). */
static const char *val_id(struct arena *a, struct qrow *q, const int *cols,
			  enum col c)
{
	const char *s = val(q, cols, c);

	if (!s)
		return "";
	return arena_memdup(a, s, qrow_len_at(q, cols[c]));
}

/* The bytes of a column's sanitized copy with its NUL; 0 for a NULL,
 * which is the literal "". */
static size_t text_room(struct qrow *q, const int *cols, enum col c)
{
	const char *v = val(q, cols, c);

	return v ? text_sanitized_len(v, qrow_len_at(q, cols[c])) + 1 : 0;
}

static size_t id_room(struct qrow *q, const int *cols, enum col c)
{
	return val(q, cols, c) ? qrow_len_at(q, cols[c]) + 1 : 0;
}

static size_t round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/* What one biller's rows [from, to) hold: they size its home block. */
struct biller_rows {
	const PGresult *r;
	int from, to;
	size_t nbatches, nreruns, nsigs;
};

/* The bytes of the biller's home: its records first (16-aligned), then
 * its strings; interned ones take none, nor do their batches' words
 * (struct batch_kind).  A bad row's note and words, or a value past the
 * intern table's bound, spill into a small extra chunk. */
static size_t biller_room(struct biller_rows *g, const int *cols,
			  const char *shard, bool interned)
{
	struct qrow q0 = qrow_at(g->r, g->from);
	size_t strs, name = text_room(&q0, cols, C_NAME);

	strs = id_room(&q0, cols, C_BILLER_ID) + name;
	if (!interned)
		strs += strlen(shard) + 1 + text_room(&q0, cols, C_TZ);
	for (int i = g->from; i < g->to; i++) {
		struct qrow q = qrow_at(g->r, i);

		if (!val(&q, cols, C_BATCH_ID))
			continue;
		g->nbatches++;
		g->nreruns += val(&q, cols, C_RR_ID) != NULL;
		g->nsigs += val(&q, cols, C_ROW_SIG) != NULL;
		strs += id_room(&q, cols, C_BATCH_ID) +
			text_room(&q, cols, C_ERROR_MESSAGE);
		if (!interned)
			strs += text_room(&q, cols, C_BUSINESS_DAY) +
				text_room(&q, cols, C_PAYMENT_TYPE) +
				text_room(&q, cols, C_MODULE) +
				text_room(&q, cols, C_STATUS) +
				text_room(&q, cols, C_ERROR_CLASS) +
				text_room(&q, cols, C_RR_STATUS) +
				text_room(&q, cols, C_RR_BY) +
				/* its own words, 16-aligned after text */
				sizeof(struct batch_kind) + 15;
	}
	return round16(g->nbatches * sizeof(struct batch)) +
	       round16(g->nreruns * sizeof(struct batch_rerun)) +
	       (g->nsigs ? round16(g->nbatches * sizeof(int64_t)) : 0) + strs;
}

/* The biller of rows g, as the snapshot's next, in a home of its own;
 * *rr: room there for the rerun requests of its batches. */
static struct biller *add_biller(struct snapshot *s, struct biller_rows *g,
				 const int *cols, int index, struct intern *in,
				 struct batch_rerun **rr)
{
	struct biller *b = snapshot_add_biller(s);
	struct qrow q0 = qrow_at(g->r, g->from);
	struct qrow *q = &q0;
	struct arena *a = arena_new_sized(biller_room(g, cols, s->shard,
						      in != NULL));

	b->home = a;
	/* The records first, while the block is aligned (arena.h). */
	if (g->nbatches)
		b->batches = arena_alloc(a, g->nbatches * sizeof *b->batches);
	*rr = g->nreruns ? arena_alloc(a, g->nreruns * sizeof **rr) : NULL;
	if (g->nsigs) {
		int64_t *sigs = arena_alloc(a, g->nbatches * sizeof *sigs);

		memset(sigs, 0, g->nbatches * sizeof *sigs);
		b->row_sigs = sigs;
	}
	b->biller_id = val_id(a, q, cols, C_BILLER_ID);
	b->known = val_bool(q, cols, C_KNOWN);
	b->name = val_text(a, q, cols, C_NAME);
	b->timezone = val_common(in, a, q, cols, C_TZ);
	b->priority = val_int(q, cols, C_PRIORITY, NULL);
	b->is_demo = val_bool(q, cols, C_IS_DEMO);
	b->tz_known = val_bool(q, cols, C_TZ_KNOWN);
	b->utc_offset_s = val_int(q, cols, C_UTC_OFFSET, NULL);
	if (b->utc_offset_s == BT_NO_INT) {
		b->utc_offset_s = 0;
		b->tz_known = false;
	}
	/* Not s->shard: the biller outlives s in later snapshots. */
	b->shard = in ? intern_exact(in, a, s->shard) : arena_strdup(a, s->shard);
	b->shard_index = index;
	b->ap_payments = val_int(q, cols, C_AP_PAYMENTS, NULL);
	b->ap_failed = val_int(q, cols, C_AP_FAILED, NULL);
	b->ap_run_at = val_time(q, cols, C_AP_RUN, NULL, false);
	return b;
}

/* The rerun request of row q, or NULL; rr is the next free one. */
static const struct batch_rerun *add_rerun(struct batch_rerun *rr,
					   struct arena *a, struct qrow *q,
					   const int *cols, struct intern *in)
{
	int64_t id = val_time(q, cols, C_RR_ID, NULL, false);

	if (!val(q, cols, C_RR_ID))
		return NULL;
	rr->id = id == BT_NO_TIME ? 0 : id;
	rr->status = val_common(in, a, q, cols, C_RR_STATUS);
	rr->by = val_common(in, a, q, cols, C_RR_BY);
	rr->at = val_time(q, cols, C_RR_AT, NULL, false);
	return rr;
}

/* The words of row q: one copy per shard of each combination, in the
 * intern table when every word is one of its own and the row is not bad
 * (a bad row's note is its own), else in a, the biller's home. */
static const struct batch_kind *row_kind(struct arena *a, struct qrow *q,
					 const int *cols, struct intern *in,
					 const struct badness *bad)
{
	struct batch_kind k, *copy;
	const struct batch_kind *shared = NULL;

	k.business_day = val_common(in, a, q, cols, C_BUSINESS_DAY);
	k.payment_type = val_common(in, a, q, cols, C_PAYMENT_TYPE);
	k.module = val_common(in, a, q, cols, C_MODULE);
	k.status = val_common(in, a, q, cols, C_STATUS);
	k.error_class = val_common(in, a, q, cols, C_ERROR_CLASS);
	k.bad = bad->len ? arena_strdup(a, bad->text) : "";
	/* Not full after the last word: every word came from the table. */
	if (in && !bad->len && !intern_full(in))
		shared = intern_blob(in, &k, sizeof k);
	if (shared)
		return shared;
	copy = arena_alloc(a, sizeof *copy);
	*copy = k;
	return copy;
}

/* The batch of row q, as b's next, in b's home; rr: room for its rerun. */
static void add_batch(struct snapshot *s, struct biller *b,
		      struct batch_rerun *rr, struct qrow *q, const int *cols,
		      struct intern *in)
{
	struct batch *t = &b->batches[b->nbatches];
	struct arena *a = b->home;
	const char *ls = val(q, cols, C_LOCAL_SCHED);
	struct badness bad = { .len = 0 };
	int64_t sig;
	int inf = 0;

	bad.text[0] = '\0';
	memset(t, 0, sizeof *t);
	t->batch_id = val_id(a, q, cols, C_BATCH_ID);
	if (!val(q, cols, C_STATUS))
		bad_add(&bad, col_names[C_STATUS], NULL);
	t->state = batch_state_from_text(val(q, cols, C_STATUS));
	t->attempts = val_int(q, cols, C_ATTEMPTS, &bad);
	t->error_message = val_text(a, q, cols, C_ERROR_MESSAGE);
	t->scheduled_at = val_time(q, cols, C_SCHEDULED, &bad, true);
	t->deadline_given = val_bool(q, cols, C_DEADLINE_GIVEN);
	/* An infinite deadline is legal when it was given; one derived from
	 * an unusable scheduled_at is not. */
	t->deadline_at = val_time_inf(q, cols, C_DEADLINE,
				      t->deadline_given ? &bad : NULL, false,
				      t->deadline_given ? &inf : NULL);
	t->deadline_inf = (signed char)inf;
	t->started_at = val_time(q, cols, C_STARTED, &bad, false);
	t->finished_at = val_time(q, cols, C_FINISHED, &bad, false);
	t->updated_at = val_time(q, cols, C_UPDATED, &bad, false);
	t->rerun = add_rerun(rr, a, q, cols, in);
	sig = val_time(q, cols, C_ROW_SIG, NULL, false);
	if (b->row_sigs && sig != BT_NO_TIME)
		((int64_t *)b->row_sigs)[b->nbatches] = sig;
	t->local_min = batch_local_min_of(ls);
	t->kind = row_kind(a, q, cols, in, &bad);
	if (bad.len)
		s->nbad++;
	b->nbatches++;
	s->nbatches++;
}

/* The biller of rows g and its batches. */
static void add_rows(struct snapshot *s, struct biller_rows *g,
		     const int *cols, int index, struct intern *in)
{
	struct batch_rerun *rr;
	struct biller *b = add_biller(s, g, cols, index, in, &rr);

	for (int i = g->from; i < g->to; i++) {
		struct qrow q = qrow_at(g->r, i);

		if (!val(&q, cols, C_BATCH_ID))
			continue;
		add_batch(s, b, rr, &q, cols, in);
		if (b->batches[b->nbatches - 1].rerun)
			rr++;
	}
	biller_summarize(b);
}

/* The end of the rows of the biller whose first row is from. */
static int biller_end(const PGresult *r, const int *cols, int from,
		      int nrows)
{
	struct qrow q = qrow_at(r, from);
	const char *id = val(&q, cols, C_BILLER_ID);
	int to = from + 1;

	for (; to < nrows; to++) {
		struct qrow n = qrow_at(r, to);
		const char *nid = val(&n, cols, C_BILLER_ID);

		if (!val(&n, cols, C_KNOWN) || strcmp(id ? id : "",
						      nid ? nid : ""))
			break;
	}
	return to;
}

struct snapshot *query_poll_snapshot(const PGresult *r, int index,
				     const char *shard, int64_t taken_mono,
				     struct intern *in)
{
	struct snapshot *s = snapshot_new(index, shard);
	int cols[C__COUNT];
	int nrows = PQntuples(r);

	for (int c = 0; c < C__COUNT; c++)
		cols[c] = PQfnumber(r, col_names[c]);
	s->taken_mono = taken_mono;
	s->rows_read = (size_t)nrows;
	if (in)
		snapshot_hold(s, intern_arena(in));
	if (nrows > 0) {
		struct qrow q0 = qrow_at(r, 0);

		s->server_now = val_time(&q0, cols, C_NOW, NULL, false);
	}
	for (int i = 0; i < nrows;) {
		struct qrow q = qrow_at(r, i);
		struct biller_rows g = { r, i, 0, 0, 0, 0 };

		/* The clock row of an incremental poll that found nothing. */
		if (!val(&q, cols, C_KNOWN)) {
			i++;
			continue;
		}
		g.to = biller_end(r, cols, i, nrows);
		add_rows(s, &g, cols, index, in);
		i = g.to;
	}
	s->nchanged = s->nbillers;
	return s;
}

/* A growing string, for the held literals. */
struct lit {
	char *s;
	size_t len, cap;
};

static void lit_addc(struct lit *b, char c)
{
	if (b->len + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->s = xrealloc(b->s, b->cap);
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

static void lit_adds(struct lit *b, const char *s)
{
	while (*s)
		lit_addc(b, *s++);
}

/* s as an element of an array literal: quoted, \ and " escaped. */
static void held_elem(struct lit *b, const char *s)
{
	lit_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			lit_addc(b, '\\');
		lit_addc(b, *s);
	}
	lit_addc(b, '"');
}

size_t query_poll_held(const struct snapshot *s, int64_t from_ms,
		       struct query_held *h)
{
	struct lit bi = { h->ids, 0, h->ids_cap }, bs = { h->sigs, 0, h->sigs_cap };
	size_t n = 0;

	lit_addc(&bi, '{');
	lit_addc(&bs, '{');
	for (size_t i = 0; s && i < s->nbillers; i++) {
		const struct biller *b;

		/* Most chunks: nothing hashed since the cursor in any of
		 * its billers, known without reading the chunk (a cache
		 * miss each: snapshot.h, chunk_sigs); the same test for a
		 * biller, without a cache miss into its batches. */
		if (i % BILLER_CHUNK == 0) {
			int64_t latest = s->chunk_sigs[i / BILLER_CHUNK];

			if (latest != CHUNK_SIG_UNSET &&
			    (latest == BT_NO_TIME || latest < from_ms)) {
				i += BILLER_CHUNK - 1;	/* the last may be short */
				continue;
			}
		}
		b = snapshot_biller(s, i);
		if (!b->row_sigs || b->sig_latest == BT_NO_TIME ||
		    b->sig_latest < from_ms)
			continue;
		for (size_t j = 0; j < b->nbatches; j++) {
			const struct batch *t = &b->batches[j];
			char num[24];

			if (!b->row_sigs[j] || t->updated_at == BT_NO_TIME ||
			    t->updated_at < from_ms)
				continue;
			if (n++) {
				lit_addc(&bi, ',');
				lit_addc(&bs, ',');
			}
			held_elem(&bi, t->batch_id);
			snprintf(num, sizeof num, "%lld", (long long)b->row_sigs[j]);
			lit_adds(&bs, num);
		}
	}
	lit_addc(&bi, '}');
	lit_addc(&bs, '}');
	h->ids = bi.s;
	h->ids_cap = bi.cap;
	h->sigs = bs.s;
	h->sigs_cap = bs.cap;
	return n;
}

void query_held_free(struct query_held *h)
{
	free(h->ids);
	free(h->sigs);
	*h = (struct query_held){ NULL, NULL, 0, 0 };
}

int64_t query_poll_horizon(const PGresult *res)
{
	int c = PQfnumber(res, "horizon_ms");

	/* On one row, whichever the sort put where. */
	for (int i = 0; c >= 0 && i < PQntuples(res); i++) {
		struct qrow q = qrow_at(res, i);
		int64_t v;

		if (!qrow_text_at(&q, c))
			continue;
		v = qrow_int_at(&q, c, BT_NO_TIME);
		return q.bad ? BT_NO_TIME : v;
	}
	return BT_NO_TIME;
}

void query_poll_moved(const PGresult *res, bool *holds, bool *notes)
{
	int hc = PQfnumber(res, "holds_moved"), nc = PQfnumber(res, "notes_moved");
	struct qrow q = qrow_at(res, 0);
	bool one = PQntuples(res) > 0;

	/* Not asked, or no answer: read them, which is always right. */
	*holds = !one || hc < 0 || qrow_bool_at(&q, hc, true);
	*notes = !one || nc < 0 || qrow_bool_at(&q, nc, true);
}

char *query_poll_zones(const PGresult *res)
{
	int rows = PQntuples(res);
	size_t len = 0, at = 0;
	char *out;

	if (rows < 1 || PQnfields(res) < 1)
		return NULL;
	/* Each part is "{a,b,...}"; together "{a,...,z}". */
	for (int r = 0; r < rows; r++) {
		size_t l = (size_t)PQgetlength(res, r, 0);
		const char *v = PQgetvalue(res, r, 0);

		if (PQgetisnull(res, r, 0) || l < 2 || v[0] != '{' ||
		    v[l - 1] != '}')
			return NULL;
		len += l;
	}
	out = xmalloc(len + 1);
	out[at++] = '{';
	for (int r = 0; r < rows; r++) {
		size_t l = (size_t)PQgetlength(res, r, 0) - 2;

		if (r && l && at > 1)
			out[at++] = ',';
		memcpy(out + at, PQgetvalue(res, r, 0) + 1, l);
		at += l;
	}
	out[at++] = '}';
	out[at] = '\0';
	return out;
}

/* The flags are in every row; the first says them. */
static bool zones_flag(const PGresult *res, int col)
{
	struct qrow q = qrow_at(res, 0);

	return PQntuples(res) >= 1 && PQnfields(res) > col &&
	       qrow_bool_at(&q, col, false);
}

bool query_poll_has_version(const PGresult *res)
{
	return zones_flag(res, 1);
}

bool query_poll_has_delta_fn(const PGresult *res)
{
	return zones_flag(res, 2);
}

bool query_poll_has_delta_since(const PGresult *res)
{
	return zones_flag(res, 3);
}

int query_poll_version(const PGresult *res)
{
	struct qrow q = qrow_at(res, 0);
	int64_t v;

	if (PQntuples(res) != 1)
		return 1;
	v = qrow_int_at(&q, 0, 1);
	return q.bad || v < 1 || v > 1000 ? 1 : (int)v;
}
