/*
 * joblines.h - the log viewer's lines: a bounded ring buffer kept in time
 * order, fed from two sources.
 *
 * Lines come in chunks from the shard's batchtop.job_log (newest page
 * first, then older pages, then new lines while following) and from New
 * Relic Logs (whenever an answer arrives), so a chunk may belong before,
 * after or among the lines already held.  joblines_merge() sorts a chunk and
 * merges it in, keeping at most cap lines: when there is no room the
 * oldest go first, and a line older than everything held in a full buffer
 * is not taken.  A chunk entirely newer (or, while there is room, entirely
 * older) than the buffer costs O(chunk); one that interleaves costs
 * O(held + chunk).
 *
 * Order: time, then source (the shard before New Relic), then id (the
 * shard's log_id; for New Relic, a hash of the line).  A line whose
 * source, time and id are already held is a duplicate and is dropped, so
 * asking New Relic again for an overlapping period adds only what is new.
 *
 * Every string goes through text_sanitize() in log_line_init().  The
 * buffer belongs to the UI thread; nothing here does I/O.
 */
#ifndef BT_LOGBUF_H
#define BT_LOGBUF_H

#include <stddef.h>
#include <stdint.h>

enum lb_source { LB_DB, LB_NR };

/* Levels as the filter sees them; a level text nobody knows is LB_INFO. */
enum lb_level { LB_DEBUG, LB_INFO, LB_WARN, LB_ERROR, LB__LEVELS };

struct log_line {
	int64_t ts;		/* epoch microseconds */
	int64_t id;		/* LB_DB: log_id; LB_NR: hash of the text */
	unsigned char src;	/* enum lb_source */
	unsigned char level;	/* enum lb_level */
	char *level_text;	/* as sent, sanitized ("" when missing) */
	char *batch_id;		/* sanitized, "" when none */
	char *message;		/* sanitized */
};

/* Fill *l with sanitized copies (one allocation; NULL strings are "").
 * For LB_NR the id is computed from the texts and `id` is ignored. */
void log_line_init(struct log_line *l, enum lb_source src, int64_t ts,
		   int64_t id, const char *level, const char *batch_id,
		   const char *message);
/* Free what log_line_init() allocated. */
void log_line_clear(struct log_line *l);

/* <0, 0, >0 in the buffer's order; 0 means the same line. */
int log_line_cmp(const struct log_line *a, const struct log_line *b);

/* "error", "ERROR", "fatal", "warning", ... to a level (case-insensitive). */
enum lb_level lb_level_from_text(const char *s);
/* "debug+", "info+", "warn+", "error". */
const char *lb_level_filter_name(enum lb_level min);

struct joblines {
	struct log_line *v;	/* cap slots; the oldest line is v[head] */
	size_t cap, head, len;
	unsigned gen;		/* changes whenever the lines do */
	size_t dropped;		/* lines let go for want of room */
};

/* A buffer of at most cap (>= 1) lines; free with joblines_free(). */
struct joblines *joblines_new(size_t cap);
void joblines_free(struct joblines *b);
void joblines_clear(struct joblines *b);

/* Line i, 0 being the oldest; i < b->len. */
const struct log_line *joblines_at(const struct joblines *b, size_t i);

/* Merge n lines (any order) into b.  Takes the lines' strings: the ones
 * kept now belong to b, the others (duplicates, no room) are freed; the
 * array itself stays the caller's.  Returns how many were taken in. */
size_t joblines_merge(struct joblines *b, struct log_line *lines, size_t n);

/* Index of the first line not before key (b->len when there is none). */
size_t joblines_lower_bound(const struct joblines *b, const struct log_line *key);

#endif
