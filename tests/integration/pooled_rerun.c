/*
 * pooled_rerun.c - N query workers, each its own session through a
 * transaction pooler (pooler = transaction), send the same rerun request
 * at once, the way the rerun action does (query_rerun_request_job on the
 * write session).  Used by pgbouncer.test to show a rerun through
 * PgBouncer is still exactly-once.
 *
 *   BT_POOLED_DSN='host=... dbname=... user=bt_operator' \
 *       pooled_rerun N TARGET_KIND TARGET BY
 *
 * The DSN comes from the environment, not argv, so it is not in ps.
 * Prints one line per worker, "outcome request_id" or "error: reason";
 * exits 0 when every job got an answer, 1 otherwise, 2 on bad usage.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "data/shard_query.h"
#include "query/query_rerun.h"

#define MAX_WORKERS 32
#define WAIT_MS 30000

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	const char *dsn = getenv("BT_POOLED_DSN");
	struct shard_query *q[MAX_WORKERS];
	struct shard_conf sc = { .name = (char *)"pooled", .line = 1,
				 .pooled = true };
	struct config cfg;
	int wake[2], n, rc = 0;

	if (argc != 5 || !dsn || (n = atoi(argv[1])) < 1 || n > MAX_WORKERS) {
		fprintf(stderr, "usage: BT_POOLED_DSN=... pooled_rerun N "
			"TARGET_KIND TARGET BY (N 1..%d)\n", MAX_WORKERS);
		return 2;
	}
	config_defaults(&cfg);
	cfg.query_timeout = 10;
	sc.dsn = (char *)dsn;
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return 2;
	for (int i = 0; i < n; i++) {
		q[i] = shard_query_new(0, &sc, &cfg, wake[1]);
		if (shard_query_start(q[i]) < 0)
			return 2;
	}
	for (int i = 0; i < n; i++)
		shard_query_submit(q[i], query_rerun_request_job(0,
				   argv[2], argv[3], argv[4], "pooled_rerun"));
	for (int i = 0; i < n; i++) {
		int64_t end = now_ms() + WAIT_MS;
		struct sq_job *j;

		while (!(j = shard_query_take(q[i])) && now_ms() < end)
			usleep(10000);
		if (!j) {
			printf("error: no answer in %d ms\n", WAIT_MS);
			rc = 1;
			continue;
		}
		if (j->status == SQ_OK) {
			struct rerun_outcome o;

			query_rerun_outcome(j->res, &o);
			printf("%s %lld\n", o.outcome ? o.outcome : "(null)",
			       (long long)o.request_id);
		} else {
			printf("error: %s\n", j->error);
			rc = 1;
		}
		sq_job_free(j);
	}
	for (int i = 0; i < n; i++)
		shard_query_free(q[i], 5000);
	config_free(&cfg);
	return rc;
}
