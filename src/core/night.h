/*
 * night.h - one night on every shard, as the handoff report tells it.
 *
 * The report (src/report/) fills a struct night from each shard's answers
 * (query/query_report.c parses them) and the local audit trail, then
 * prints it as Markdown, HTML or JSON.  Strings are kept exactly as they
 * came (identifiers are keys; text is untrusted): every writer escapes
 * them for its own format.  Times are epoch ms, NIGHT_NO_TIME when
 * absent.  This module is pure: it holds the rows and answers questions
 * about them (the wave, what missed, what is still open).
 */
#ifndef BT_NIGHT_H
#define BT_NIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/missed_report.h"

#define NIGHT_NO_TIME INT64_MIN

struct night_close {
	int shard;
	char *batch_id, *biller_id, *name, *payment_type, *module, *status;
	char *error_class, *error_message;	/* NULL when none */
	int64_t scheduled, deadline, started, finished;
	int attempts;
	bool missed;		/* past its deadline (closed late, or not
				 * closed and the deadline passed) */
	bool demo;
};

struct night_rerun {
	int shard;
	long long request_id;
	char *kind, *target_id, *requested_by, *reason, *status, *result;
	int64_t requested, finished;
};

struct night_note {
	int shard;
	long long note_id;
	char *biller_id, *batch_id, *kind, *author, *body;
	int64_t created;
};

struct night_hold {
	int shard;
	long long hold_id;
	char *biller_id, *kind, *payment_type, *module, *day_from, *day_to;
	char *reason, *placed_by, *ended_by, *ended_how;
	int64_t placed, expires, ended;
};

/* An autopay invoice written off during the night (batchtop.write_off). */
struct night_write_off {
	int shard;
	long long hold_id;
	char *invoice_id, *biller_id, *reason, *written_by;
	int64_t written;
};

/* One line of the local audit trail that falls in the night. */
struct night_audit {
	int64_t time;
	char *user, *origin, *event, *screen, *shard, *kind, *target;
	char *reason, *outcome, *detail;
	long long request_id;		/* 0: none */
};

struct night_shard {
	char *name;
	bool read;			/* every query answered */
	char error[200];		/* why not (sanitized, never the DSN) */
	char day[16];			/* the business day it reported, or "" */
	bool has_notes, has_holds;	/* the contract v3 tables exist */
	bool has_write_offs;		/* batchtop.write_off exists */
};

struct night {
	char day[16];			/* asked for (--night), or "" for the latest */
	int64_t generated;		/* when the report was made */
	int window_minutes;		/* the deadline rule */
	int payment_file_minute, payment_file_period;
	struct night_shard *shards;
	size_t nshards;
	struct night_close *closes;
	size_t ncloses;
	struct night_rerun *reruns;
	size_t nreruns;
	struct night_note *notes;
	size_t nnotes;
	struct night_hold *holds;
	size_t nholds;
	struct night_audit *audit;
	size_t naudit;
	char *audit_path;		/* NULL: none configured */
	char audit_error[200];		/* "" when it was read (or absent) */
	struct night_write_off *write_offs;
	size_t nwrite_offs;
};

/* An empty night of nshards named shards (names copied). */
void night_init(struct night *n, const char *const *names, size_t nshards);
void night_free(struct night *n);

/* A new zeroed row at the end of its array (times NIGHT_NO_TIME). */
struct night_close *night_add_close(struct night *n);
struct night_rerun *night_add_rerun(struct night *n);
struct night_note *night_add_note(struct night *n);
struct night_hold *night_add_hold(struct night *n);
struct night_audit *night_add_audit(struct night *n);
struct night_write_off *night_add_write_off(struct night *n);

/* Sort every list into the report's order: closes by scheduled time then
 * shard and batch id, the rest by their time. */
void night_sort(struct night *n);

/* When the wave started (the first close started, else was scheduled)
 * and ended (the last finish, NIGHT_NO_TIME while a close is open). */
int64_t night_wave_start(const struct night *n);
int64_t night_wave_end(const struct night *n);
/* The span the chart and the audit cover: the wave, or from its start to
 * the report when it has not ended. */
void night_span(const struct night *n, int64_t *from, int64_t *to);

/* Still open at the end: a close not closed, a rerun pending or running,
 * a hold not ended. */
bool night_close_open(const struct night_close *c);
bool night_rerun_open(const struct night_rerun *r);
bool night_hold_open(const struct night_hold *h);
size_t night_failures(const struct night *n);

/* The summary's counts, the same in every format. */
struct night_counts {
	size_t open;		/* closes still open */
	size_t missed;		/* closes that missed their payment file */
	size_t reruns_open;	/* reruns pending or running */
	size_t holds_open;	/* holds still in force */
};
void night_count(const struct night *n, struct night_counts *c);
/* The name of shard index shard of n, "?" when out of range. */
const char *night_shard_name(const struct night *n, int shard);
/* The shards that could not be read. */
size_t night_unreadable(const struct night *n);

/* The missed report of the night (core/missed_report.c, grouped by
 * biller, most missed first) from the non-demo closes.  Free with
 * missed_report_free(). */
void night_missed(const struct night *n, struct missed_report *r);

/* The payment files (epoch ms, at payment_file_minute past each period)
 * in [from, to]: up to max of them into out; returns how many there are. */
size_t night_payment_files(const struct night *n, int64_t from, int64_t to,
			   int64_t *out, size_t max);

#endif
