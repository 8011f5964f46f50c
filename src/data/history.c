/*
 * history.c - reading a shard's close history on its poller's connection,
 * and the UI's note of how the last read went (history.h).
 *
 * The query and its parsing are query/query_history.c; this file only
 * says when, with which bounds, and on which connection.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/xalloc.h"
#include "data/history.h"
#include "query/query_history.h"

int history_timeout_ms(const struct config *cfg)
{
	int s = cfg->poll_interval < cfg->query_timeout ? cfg->poll_interval
							: cfg->query_timeout;

	return (s > 0 ? s : 1) * 1000;
}

int64_t history_next_due(const struct config *cfg, bool ok, int64_t mono)
{
	int64_t every = (int64_t)cfg->history_interval * 1000;

	if (!ok && every > HISTORY_RETRY_MS)
		every = HISTORY_RETRY_MS;
	return mono + every;
}

struct fc_history *history_read(struct pgconn *c, const struct config *cfg,
				int shard, int64_t read_at, char *reason,
				size_t rn, bool *dead, bool *stop)
{
	char d[16], k[16];
	const char *params[2] = { d, k };
	struct fc_history *h;
	PGresult *res;

	/* Enough closes per biller for 30 business days of a few payment
	 * types; a biller with more keeps its latest. */
	snprintf(d, sizeof d, "%d", cfg->history_days);
	snprintf(k, sizeof k, "%d", cfg->history_days * 8);
	res = pgconn_exec_within(c, history_timeout_ms(cfg), query_history_sql,
				 2, params, reason, rn, dead, stop);
	if (!res)
		return NULL;
	h = query_history_parse(res, shard, read_at, NULL);
	PQclear(res);
	return h;
}

struct history_reader {
	size_t n;
	char (*error)[200];
	bool *took;		/* a read of the shard ended, once at least */
};

struct history_reader *history_reader_new(size_t nshards)
{
	struct history_reader *r = xcalloc(1, sizeof *r);

	r->n = nshards;
	r->error = xcalloc(nshards ? nshards : 1, sizeof *r->error);
	r->took = xcalloc(nshards ? nshards : 1, sizeof *r->took);
	return r;
}

void history_reader_free(struct history_reader *r)
{
	if (!r)
		return;
	free(r->error);
	free(r->took);
	free(r);
}

void history_took(struct history_reader *r, size_t shard, const char *error)
{
	if (!r || shard >= r->n)
		return;
	snprintf(r->error[shard], sizeof r->error[shard], "%s", error ? error : "");
	r->took[shard] = true;
}

bool history_answered(const struct history_reader *r, size_t shard)
{
	return r && shard < r->n && r->took[shard];
}

const char *history_error(const struct history_reader *r, size_t shard)
{
	return r && shard < r->n ? r->error[shard] : "";
}
