/*
 * joblines.c - the log viewer's ring buffer (see joblines.h).
 *
 * The ring is an array of cap slots with the oldest line at v[head].
 * Appending a newer line drops the oldest when full; prepending an older
 * one only happens while there is room.  A chunk that belongs among the
 * held lines is merged through a scratch array and the newest cap lines
 * are copied back with head at 0.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/joblines.h"
#include "core/text.h"
#include "core/xalloc.h"

/* FNV-1a over the texts that make a New Relic line what it is. */
static int64_t content_hash(const char *level, const char *batch,
			    const char *msg)
{
	const char *parts[3] = { level, batch, msg };
	uint64_t h = 1469598103934665603ULL;

	for (int i = 0; i < 3; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			h ^= *p;
			h *= 1099511628211ULL;
		}
		h ^= 0xff;	/* so "a","b" differs from "ab","" */
		h *= 1099511628211ULL;
	}
	return (int64_t)(h >> 1);
}

void log_line_init(struct log_line *l, enum lb_source src, int64_t ts,
		   int64_t id, const char *level, const char *batch_id,
		   const char *message)
{
	char *lv = text_sanitize(level, (size_t)-1);
	char *ba = text_sanitize(batch_id, (size_t)-1);
	char *ms = text_sanitize(message, (size_t)-1);
	size_t nl = strlen(lv) + 1, nb = strlen(ba) + 1, nm = strlen(ms) + 1;
	char *block = xmalloc(nl + nb + nm);

	memcpy(block, lv, nl);
	memcpy(block + nl, ba, nb);
	memcpy(block + nl + nb, ms, nm);
	free(lv);
	free(ba);
	free(ms);
	l->ts = ts;
	l->src = (unsigned char)src;
	l->level_text = block;
	l->batch_id = block + nl;
	l->message = block + nl + nb;
	l->level = (unsigned char)lb_level_from_text(l->level_text);
	l->id = src == LB_NR ? content_hash(l->level_text, l->batch_id, l->message)
			     : id;
}

void log_line_clear(struct log_line *l)
{
	free(l->level_text);	/* the block holds all three */
	memset(l, 0, sizeof *l);
}

int log_line_cmp(const struct log_line *a, const struct log_line *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

enum lb_level lb_level_from_text(const char *s)
{
	static const struct {
		const char *name;
		enum lb_level level;
	} names[] = {
		{ "trace", LB_DEBUG }, { "debug", LB_DEBUG }, { "fine", LB_DEBUG },
		{ "info", LB_INFO }, { "notice", LB_INFO },
		{ "warn", LB_WARN }, { "warning", LB_WARN },
		{ "error", LB_ERROR }, { "err", LB_ERROR }, { "fatal", LB_ERROR },
		{ "critical", LB_ERROR }, { "crit", LB_ERROR },
		{ "alert", LB_ERROR }, { "emerg", LB_ERROR },
		{ "emergency", LB_ERROR }, { "panic", LB_ERROR },
		{ "severe", LB_ERROR },
	};

	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].level;
	return LB_INFO;
}

const char *lb_level_filter_name(enum lb_level min)
{
	static const char *const names[LB__LEVELS] = {
		[LB_DEBUG] = "debug+", [LB_INFO] = "info+",
		[LB_WARN] = "warn+", [LB_ERROR] = "error",
	};

	return (unsigned)min < LB__LEVELS ? names[min] : "?";
}

/* --- the ring --------------------------------------------------------------- */

struct joblines *joblines_new(size_t cap)
{
	struct joblines *b = xcalloc(1, sizeof *b);

	if (cap < 1)
		cap = 1;
	b->cap = cap;
	b->v = xcalloc(cap, sizeof *b->v);
	return b;
}

void joblines_clear(struct joblines *b)
{
	for (size_t i = 0; i < b->len; i++)
		log_line_clear(&b->v[(b->head + i) % b->cap]);
	b->head = b->len = 0;
	b->dropped = 0;
	b->gen++;
}

void joblines_free(struct joblines *b)
{
	if (!b)
		return;
	joblines_clear(b);
	free(b->v);
	free(b);
}

const struct log_line *joblines_at(const struct joblines *b, size_t i)
{
	return &b->v[(b->head + i) % b->cap];
}

static struct log_line *slot(struct joblines *b, size_t i)
{
	return &b->v[(b->head + i) % b->cap];
}

static void push_back(struct joblines *b, struct log_line *l)
{
	if (b->len == b->cap) {
		log_line_clear(&b->v[b->head]);
		b->head = (b->head + 1) % b->cap;
		b->len--;
		b->dropped++;
	}
	*slot(b, b->len) = *l;
	b->len++;
}

static int cmp_lines(const void *a, const void *b)
{
	return log_line_cmp(a, b);
}

/* Sort the chunk and drop lines that appear twice in it; returns the
 * count left at the front of lines. */
static size_t sort_unique(struct log_line *lines, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return 0;
	qsort(lines, n, sizeof *lines, cmp_lines);
	for (size_t i = 1; i < n; i++) {
		if (log_line_cmp(&lines[k], &lines[i]) == 0)
			log_line_clear(&lines[i]);
		else
			lines[++k] = lines[i];
	}
	return k + 1;
}

/* The general case: merge through a scratch array, keep the newest cap. */
static size_t merge_among(struct joblines *b, struct log_line *in, size_t n)
{
	size_t total = 0, i = 0, j = 0, taken = 0, start;
	struct log_line *tmp = xmalloc((b->len + n) * sizeof *tmp);
	unsigned char *from_in = xmalloc(b->len + n);

	while (i < b->len || j < n) {
		int c = j == n ? -1 : i == b->len ? 1 : log_line_cmp(slot(b, i), &in[j]);

		if (c == 0) {
			log_line_clear(&in[j++]);	/* held already */
			continue;
		}
		from_in[total] = c > 0;
		tmp[total++] = c < 0 ? *slot(b, i++) : in[j++];
	}
	start = total > b->cap ? total - b->cap : 0;
	for (size_t k = 0; k < start; k++)
		log_line_clear(&tmp[k]);	/* the oldest make room */
	for (size_t k = start; k < total; k++)
		taken += from_in[k];
	b->dropped += start;
	memcpy(b->v, tmp + start, (total - start) * sizeof *tmp);
	b->head = 0;
	b->len = total - start;
	free(from_in);
	free(tmp);
	return taken;
}

size_t joblines_merge(struct joblines *b, struct log_line *lines, size_t n)
{
	size_t taken = 0;

	n = sort_unique(lines, n);
	if (n == 0)
		return 0;
	if (b->len == 0 || log_line_cmp(&lines[0], slot(b, b->len - 1)) > 0) {
		/* All newer: append, the oldest making room. */
		for (size_t i = 0; i < n; i++)
			push_back(b, &lines[i]);
		taken = n < b->cap ? n : b->cap;
	} else if (log_line_cmp(&lines[n - 1], slot(b, 0)) < 0) {
		/* All older: prepend while there is room, newest first. */
		size_t i = n;

		while (i > 0 && b->len < b->cap) {
			i--;
			b->head = (b->head + b->cap - 1) % b->cap;
			b->v[b->head] = lines[i];
			b->len++;
			taken++;
		}
		while (i > 0) {
			log_line_clear(&lines[--i]);
			b->dropped++;
		}
	} else {
		taken = merge_among(b, lines, n);
	}
	b->gen++;
	return taken;
}

size_t joblines_lower_bound(const struct joblines *b, const struct log_line *key)
{
	size_t lo = 0, hi = b->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (log_line_cmp(joblines_at(b, mid), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
