/*
 * history.c - the schedule of the history reads (history.h).
 *
 * Per shard: when the next read is due and whether one is in flight.  A
 * read is one job on the query worker, queued behind whatever the
 * operator asked for, so a slow history read never delays a poll (the
 * poller has its own session) and at most one is queued per shard.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/xalloc.h"
#include "data/history.h"
#include "data/log.h"
#include "query/query_history.h"

struct shard_sched {
	int64_t due;		/* mono ms; 0: at once */
	bool inflight;
	char error[200];
};

struct history_reader {
	const struct config *cfg;
	int kind;
	size_t n;
	struct shard_sched *s;
};

struct history_reader *history_reader_new(size_t nshards,
					  const struct config *cfg, int kind)
{
	struct history_reader *r = xcalloc(1, sizeof *r);

	r->cfg = cfg;
	r->kind = kind;
	r->n = nshards;
	r->s = xcalloc(nshards ? nshards : 1, sizeof *r->s);
	return r;
}

void history_reader_free(struct history_reader *r)
{
	if (!r)
		return;
	free(r->s);
	free(r);
}

void history_tick(struct history_reader *r, struct shard_query **queries,
		  int64_t mono, int64_t shard_now)
{
	/* Enough closes per biller for 30 business days of a few payment
	 * types; a biller with more keeps its latest. */
	int cap = r->cfg->history_days * 8;

	if (!queries || shard_now == BT_NO_TIME)
		return;
	for (size_t i = 0; i < r->n; i++) {
		struct shard_sched *s = &r->s[i];

		if (s->inflight || mono < s->due || !queries[i])
			continue;
		s->inflight = true;
		shard_query_submit(queries[i],
				   query_history_job(r->kind, (int)i,
						     r->cfg->history_days, cap,
						     shard_now));
	}
}

struct fc_history *history_done(struct history_reader *r, struct sq_job *job,
				int64_t mono, int *shard)
{
	int64_t every = (int64_t)r->cfg->history_interval * 1000;
	struct fc_history *h = query_history_take(job);
	struct shard_sched *s;

	*shard = job->shard;
	if (job->shard < 0 || (size_t)job->shard >= r->n) {
		fc_history_unref(h);
		sq_job_free(job);
		return NULL;
	}
	s = &r->s[job->shard];
	s->inflight = false;
	if (h) {
		s->due = mono + every;
		s->error[0] = 0;
		log_msg(LOG_INFO, "shard %d: history of %zu closes read in %lld ms",
			job->shard, fc_history_closes(h), (long long)job->ms);
	} else {
		s->due = mono + (every < HISTORY_RETRY_MS ? every : HISTORY_RETRY_MS);
		snprintf(s->error, sizeof s->error, "%s",
			 job->error[0] ? job->error : "not read");
		log_msg(LOG_INFO, "shard %d: history not read: %s", job->shard,
			s->error);
	}
	sq_job_free(job);
	return h;
}

const char *history_error(const struct history_reader *r, size_t shard)
{
	return r && shard < r->n ? r->s[shard].error : "";
}
