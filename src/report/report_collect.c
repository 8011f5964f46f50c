/*
 * report_collect.c - the handoff report's collector: which jobs each shard
 * gets, what their answers become, and when the night is complete (see
 * report.h).
 *
 * Per shard the meta, closes and reruns jobs go out together; when meta
 * says the shard has the v3 tables, its notes and holds follow.  A shard
 * is done when none of its jobs is outstanding; one failed job marks it
 * unreadable (its error kept) and what the others returned is kept, so
 * the report says exactly what it could not see.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "query/query_report.h"
#include "report/report.h"
#include "report/report_audit.h"
#include "write/audit.h"

/* job->ctx: the collector, the shard and the part. */
struct token {
	struct report_collect *rc;
	size_t shard;
	enum query_report_part part;
};

struct report_collect {
	const struct config *cfg;
	char *day;		/* NULL: the latest */
	int kind;
	struct night night;
	struct token (*tokens)[QREPORT__PARTS];
	unsigned *outstanding;	/* jobs out, per shard */
	bool *started, *finished_shard;
	bool finished;
	unsigned magic;
};

#define COLLECT_MAGIC 0x6e696768u

/* Collectors made and not freed (UI thread, or report_main's only one). */
static size_t live;

size_t report_collect_live(void)
{
	return live;
}

struct report_collect *report_collect_new(const struct config *cfg,
					  const char *day, int kind)
{
	struct report_collect *rc = xcalloc(1, sizeof *rc);
	const char **names = xcalloc(cfg->nshards + 1, sizeof *names);

	for (size_t i = 0; i < cfg->nshards; i++)
		names[i] = cfg->shards[i].name;
	night_init(&rc->night, names, cfg->nshards);
	free(names);
	rc->cfg = cfg;
	rc->day = day ? xstrdup(day) : NULL;
	rc->kind = kind;
	rc->magic = COLLECT_MAGIC;
	live++;
	snprintf(rc->night.day, sizeof rc->night.day, "%s", day ? day : "");
	rc->night.window_minutes = cfg->window_minutes;
	rc->night.payment_file_minute = cfg->payment_file_minute;
	rc->night.payment_file_period = cfg->payment_file_period;
	rc->tokens = xcalloc(cfg->nshards + 1, sizeof *rc->tokens);
	rc->outstanding = xcalloc(cfg->nshards + 1, sizeof *rc->outstanding);
	rc->started = xcalloc(cfg->nshards + 1, sizeof *rc->started);
	rc->finished_shard = xcalloc(cfg->nshards + 1, sizeof *rc->finished_shard);
	for (size_t i = 0; i < cfg->nshards; i++)
		for (int p = 0; p < QREPORT__PARTS; p++)
			rc->tokens[i][p] = (struct token){ rc, i,
							   (enum query_report_part)p };
	return rc;
}

static struct sq_job *job_for(struct report_collect *rc, size_t shard,
			      enum query_report_part part)
{
	struct sq_job *job = query_report_job(rc->kind, part, rc->day,
					      rc->cfg->night_hours,
					      rc->cfg->window_minutes);

	job->ctx = &rc->tokens[shard][part];
	rc->outstanding[shard]++;
	return job;
}

size_t report_collect_start(struct report_collect *rc, size_t shard,
			    struct sq_job **out, size_t max)
{
	static const enum query_report_part first[] = {
		QREPORT_META, QREPORT_CLOSES, QREPORT_RERUNS,
	};
	size_t k = 0;

	if (shard >= rc->night.nshards || rc->started[shard])
		return 0;
	rc->started[shard] = true;
	rc->night.shards[shard].read = true;	/* until a job fails */
	for (size_t i = 0; i < sizeof first / sizeof first[0] && k < max; i++)
		out[k++] = job_for(rc, shard, first[i]);
	return k;
}

struct report_collect *report_collect_of(const struct sq_job *job)
{
	const struct token *t = job ? job->ctx : NULL;

	return t && t->rc && t->rc->magic == COLLECT_MAGIC ? t->rc : NULL;
}

void report_collect_fail(struct report_collect *rc, size_t shard, const char *why)
{
	struct night_shard *s;

	if (shard >= rc->night.nshards)
		return;
	s = &rc->night.shards[shard];
	if (s->read || !*s->error)
		snprintf(s->error, sizeof s->error, "%s", why);
	s->read = false;
	rc->started[shard] = true;
	if (!rc->outstanding[shard])
		rc->finished_shard[shard] = true;
}

void report_collect_fail_late(struct report_collect *rc, size_t shard,
			      const char *why)
{
	if (shard >= rc->night.nshards || rc->finished_shard[shard])
		return;
	report_collect_fail(rc, shard, why);
	rc->finished_shard[shard] = true;
}

size_t report_collect_take(struct report_collect *rc, struct sq_job *job,
			   struct sq_job **more, size_t max)
{
	const struct token *t = job->ctx;
	struct night_shard *s = &rc->night.shards[t->shard];
	size_t k = 0;

	if (rc->finished_shard[t->shard] || rc->finished) {
		sq_job_free(job);	/* too late: the shard was given up */
		return 0;
	}

	if (rc->outstanding[t->shard])
		rc->outstanding[t->shard]--;
	if (job->status != SQ_OK) {
		report_collect_fail(rc, t->shard, *job->error ? job->error
				    : "the query was not run");
	} else if (query_report_parse(&rc->night, (int)t->shard, t->part,
				      job->res) < 0) {
		report_collect_fail(rc, t->shard, "a row did not parse");
	} else if (t->part == QREPORT_META && s->read) {
		if (s->has_notes && k < max)
			more[k++] = job_for(rc, t->shard, QREPORT_NOTES);
		if (s->has_holds && k < max)
			more[k++] = job_for(rc, t->shard, QREPORT_HOLDS);
		if (s->has_write_offs && k < max)
			more[k++] = job_for(rc, t->shard, QREPORT_WRITE_OFFS);
	}
	if (!rc->outstanding[t->shard])
		rc->finished_shard[t->shard] = true;
	sq_job_free(job);
	return k;
}

bool report_collect_done(const struct report_collect *rc)
{
	for (size_t i = 0; i < rc->night.nshards; i++)
		if (!rc->finished_shard[i])
			return false;
	return true;
}

struct night *report_collect_finish(struct report_collect *rc, int64_t now)
{
	struct night *n = &rc->night;
	int64_t from, to;

	if (rc->finished)
		return n;
	rc->finished = true;
	n->generated = now;
	/* The day the shards reported, when they agree on one. */
	if (!*n->day)
		for (size_t i = 0; i < n->nshards; i++)
			if (n->shards[i].read && *n->shards[i].day) {
				snprintf(n->day, sizeof n->day, "%s", n->shards[i].day);
				break;
			}
	night_span(n, &from, &to);
	if (from == NIGHT_NO_TIME)
		from = to = now;
	n->audit_path = audit_path(rc->cfg);
	/* An hour either side: the confirmations before the first close. */
	report_audit_read(n, n->audit_path, from - 3600000, to + 3600000);
	night_sort(n);
	return n;
}

void report_collect_free(struct report_collect *rc)
{
	if (!rc)
		return;
	rc->magic = 0;
	live--;
	night_free(&rc->night);
	free(rc->day);
	free(rc->tokens);
	free(rc->outstanding);
	free(rc->started);
	free(rc->finished_shard);
	free(rc);
}
