/*
 * model.c - snapshots, their arena, and the status rules of a biller.
 *
 * The arena is a list of chunks; everything a snapshot points to is carved
 * out of it and freed in one go when the last reference is dropped.
 *
 * The status rules (batchtop(1), "STATUS"): failed if any batch failed;
 * late if any batch that has not closed is past its deadline; at risk if a
 * running batch has used more than at_risk_pct of its window; then a status
 * batchtop does not know, running, scheduled; closed late if all closed but
 * one finished after its deadline (it missed the payment file); closed.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "text.h"
#include "xalloc.h"

#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

const char *arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	char *d = arena_alloc(a, len + 1);

	memcpy(d, s, len + 1);
	return d;
}

const char *arena_memdup(struct arena *a, const char *s, size_t len)
{
	char *d = arena_alloc(a, len + 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

const char *arena_sanitize(struct arena *a, const char *s, size_t len)
{
	char stack[512];
	char *buf;
	size_t need;
	const char *out;

	if (!s)
		return "";
	if (len == (size_t)-1)
		len = strlen(s);
	/* Every input byte becomes at most one U+FFFD: 3 bytes. */
	need = len * 3 + 1;
	buf = need <= sizeof stack ? stack : xmalloc(need);
	text_sanitize_into(buf, need, s, len);
	out = arena_strdup(a, buf);
	if (buf != stack)
		free(buf);
	return out;
}

struct snapshot *snapshot_new(int shard_index, const char *shard)
{
	struct snapshot *s = xcalloc(1, sizeof *s);

	s->refs = 1;
	s->arena = arena_new();
	s->shard_index = shard_index;
	s->shard = arena_strdup(s->arena, shard);
	s->server_now = BT_NO_TIME;
	return s;
}

struct snapshot *snapshot_ref(struct snapshot *s)
{
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void snapshot_unref(struct snapshot *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(s->billers);
	free(s->batches);
	arena_free(s->arena);
	free(s);
}

enum batch_state batch_state_from_text(const char *status)
{
	if (!status)
		return BATCH_OTHER;
	if (!strcmp(status, "scheduled"))
		return BATCH_SCHEDULED;
	if (!strcmp(status, "running"))
		return BATCH_RUNNING;
	if (!strcmp(status, "closed"))
		return BATCH_CLOSED;
	if (!strcmp(status, "failed"))
		return BATCH_FAILED;
	return BATCH_OTHER;
}

void biller_summarize(struct biller *b)
{
	const struct batch *err = NULL;
	int errfailed = 0;

	b->n_closed = 0;
	b->attempts_max = BT_NO_INT;
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];
		int failed = t->state == BATCH_FAILED;

		if (t->state == BATCH_CLOSED)
			b->n_closed++;
		if (t->attempts != BT_NO_INT &&
		    (b->attempts_max == BT_NO_INT || t->attempts > b->attempts_max))
			b->attempts_max = t->attempts;
		if (!t->error_class[0])
			continue;
		/* A failed batch's error outranks an old error on a batch
		 * that has since recovered; then the most recent wins. */
		if (!err || failed > errfailed ||
		    (failed == errfailed && t->updated_at > err->updated_at)) {
			err = t;
			errfailed = failed;
		}
	}
	b->last_error_class = err ? err->error_class : "";
}

static int window_permille(const struct batch *t, int64_t now)
{
	int64_t window, used, pm;

	if (t->deadline_inf < 0 && now != BT_NO_TIME)
		return 1000;		/* a deadline that has always passed */
	if (t->scheduled_at == BT_NO_TIME || t->deadline_at == BT_NO_TIME ||
	    now == BT_NO_TIME)
		return 0;
	window = t->deadline_at - t->scheduled_at;
	used = now - t->scheduled_at;
	if (window <= 0)
		return now >= t->deadline_at ? 1000 : 0;
	if (used <= 0)
		return 0;
	pm = used * 1000 / window;
	return pm > 9999 ? 9999 : (int)pm;
}

/* Earlier deadline first; '-infinity' is the earliest, and a missing
 * deadline (or 'infinity') counts as the latest. */
static int deadline_before(const struct batch *a, const struct batch *b)
{
	if (!b)
		return 1;
	if (a->deadline_inf < 0 || b->deadline_inf < 0)
		return a->deadline_inf < 0 && b->deadline_inf >= 0;
	if (a->deadline_at == BT_NO_TIME)
		return 0;
	return b->deadline_at == BT_NO_TIME || a->deadline_at < b->deadline_at;
}

/* Is t's deadline past at now?  'infinity' never is, '-infinity' always. */
static int deadline_passed(const struct batch *t, int64_t now)
{
	if (t->deadline_inf)
		return t->deadline_inf < 0;
	return t->deadline_at != BT_NO_TIME && now != BT_NO_TIME &&
	       t->deadline_at <= now;
}

void biller_eval(const struct biller *b, int64_t now, int at_risk_pct,
		 struct biller_eval *out)
{
	const struct batch *failed = NULL, *late = NULL, *risk = NULL;
	const struct batch *other = NULL, *running = NULL, *sched = NULL;
	const struct batch *closed_late = NULL, *closed = NULL;
	int risk_pm = -1;

	out->status = BS_NONE;
	out->focus = NULL;
	out->time_left = 0;
	out->permille = 0;

	for (size_t i = 0; i < b->nbatches; i++) {
		const struct batch *t = &b->batches[i];
		int open = t->state != BATCH_CLOSED && t->state != BATCH_FAILED;
		int pm;

		if (t->state == BATCH_FAILED && deadline_before(t, failed))
			failed = t;
		if (open && deadline_passed(t, now) && deadline_before(t, late))
			late = t;
		switch (t->state) {
		case BATCH_RUNNING:
			pm = window_permille(t, now);
			if (pm > at_risk_pct * 10 && pm > risk_pm) {
				risk = t;
				risk_pm = pm;
			}
			if (deadline_before(t, running))
				running = t;
			break;
		case BATCH_SCHEDULED:
			if (!sched || t->scheduled_at < sched->scheduled_at)
				sched = t;
			break;
		case BATCH_OTHER:
			if (deadline_before(t, other))
				other = t;
			break;
		case BATCH_CLOSED:
			if (t->finished_at != BT_NO_TIME &&
			    t->deadline_at != BT_NO_TIME &&
			    t->finished_at > t->deadline_at &&
			    (!closed_late || t->finished_at - t->deadline_at >
				 closed_late->finished_at - closed_late->deadline_at))
				closed_late = t;
			if (!closed || t->finished_at > closed->finished_at)
				closed = t;
			break;
		case BATCH_FAILED:
			break;
		}
	}

	if (failed) {
		out->status = BS_FAILED;
		out->focus = failed;
	} else if (late) {
		out->status = BS_LATE;
		out->focus = late;
	} else if (risk) {
		out->status = BS_AT_RISK;
		out->focus = risk;
	} else if (other) {
		out->status = BS_OTHER;
		out->focus = other;
	} else if (running) {
		out->status = BS_RUNNING;
		out->focus = running;
	} else if (sched) {
		out->status = BS_SCHEDULED;
		out->focus = sched;
	} else if (closed_late) {
		out->status = BS_CLOSED_LATE;
		out->focus = closed_late;
		out->time_left = closed_late->finished_at - closed_late->deadline_at;
		out->permille = 1000;
		return;
	} else if (closed) {
		out->status = BS_CLOSED;
		out->focus = closed;
		out->permille = 1000;
		return;
	} else {
		return;
	}
	out->permille = window_permille(out->focus, now);
	out->time_left = out->focus->deadline_at == BT_NO_TIME
				 ? 0 : out->focus->deadline_at - now;
}

const char *biller_status_label(enum biller_status s)
{
	static const char *const labels[BS__COUNT] = {
		[BS_FAILED] = "FAILED",
		[BS_LATE] = "LATE",
		[BS_AT_RISK] = "AT RISK",
		[BS_OTHER] = "UNKNOWN",
		[BS_RUNNING] = "running",
		[BS_SCHEDULED] = "sched",
		[BS_CLOSED_LATE] = "closed late",
		[BS_CLOSED] = "closed",
		[BS_NONE] = "no close",
	};

	return (unsigned)s < BS__COUNT ? labels[s] : "?";
}

int biller_autopay_pct(const struct biller *b)
{
	if (b->ap_payments == BT_NO_INT || b->ap_failed == BT_NO_INT ||
	    b->ap_payments <= 0 || b->ap_failed < 0)
		return -1;
	if (b->ap_failed >= b->ap_payments)
		return 100;
	return (int)((int64_t)b->ap_failed * 100 / b->ap_payments);
}
