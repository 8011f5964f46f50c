/*
 * shard_query.c - the per-shard query worker (see shard_query.h).
 *
 * Queue:  the UI appends to `queue` under the lock and writes a byte to the
 * worker's control pipe; the worker pops one job, runs it with no lock
 * held, appends it to `done` under the lock and writes to the UI's wake
 * pipe.  Connections are opened when a job first needs one and dropped
 * when they fail (the next job reconnects) or when they have sat unused
 * for query_idle_timeout: while someone only watches the grid, a shard
 * sees one session, its poller's.  Through a transaction pooler (pooler =
 * transaction) each job is its own transaction with its own SET LOCAL
 * timeouts, and read jobs' read-only guard (pgconn.c, pooled_exec()).
 *
 * The thread is as lazy as its sessions: the first job starts it, and it
 * returns once it has no job and no session left open (query_idle_timeout
 * after its last job, or at once when its connect failed).  A fleet that
 * is only watched has no query worker threads at all; the next job starts
 * one again (joining the old one first, which has returned by then).
 */
#include "autoconf.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data/log.h"
#include "data/pgconn.h"
#include "data/shard_query.h"
#include "data/thread_util.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

struct shard_query {
	int index;
	char *name, *dsn;
	const struct config *cfg;
	int wake_fd;
	int ctl[2];
	pthread_t thread;
	bool started;		/* shard_query_start() was called */
	bool running;		/* a worker thread is up (under lock) */
	bool joinable;		/* thread has not been joined (under lock) */

	/* The worker's own. */
	struct pgconn ro, rw;
	int64_t ro_used, rw_used;	/* mono_ms() when each last ended a job */
	struct pgconn_cancel *cancel;	/* shared by ro and rw: one helper
					 * thread stuck in a cancel at most */

	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool stopping;
	int finished;
	unsigned next_id;
	unsigned busy;
	struct sq_job *queue, *done;	/* FIFO lists */
};

static void append(struct sq_job **list, struct sq_job *job)
{
	job->next = NULL;
	while (*list)
		list = &(*list)->next;
	*list = job;
}

static void finish(struct shard_query *q, struct sq_job *job)
{
	pthread_mutex_lock(&q->lock);
	append(&q->done, job);
	q->busy--;
	pthread_mutex_unlock(&q->lock);
	pipe_poke(q->wake_fd, 0);
}

/* Run one job; returns false when asked to stop. */
static bool run_job(struct shard_query *q, struct sq_job *job)
{
	struct pgconn *c = job->write ? &q->rw : &q->ro;
	int64_t start = mono_ms();
	bool sent, dead, stop;
	int r;

	if (job->write && q->cfg->readonly) {
		job->status = SQ_REFUSED;
		snprintf(job->error, sizeof job->error,
			 "read-only: batchtop opens no session that can write");
		return true;
	}
	if (!c->conn) {
		r = pgconn_open(c, job->error, sizeof job->error);
		if (r < 0) {
			job->status = SQ_REFUSED;
			snprintf(job->error, sizeof job->error, "stopping");
			return false;
		}
		if (r > 0) {
			job->status = SQ_ERROR;	/* nothing was sent */
			return true;
		}
	}
	job->backend_pid = PQbackendPID(c->conn);
	job->res = pgconn_exec(c, job->sql, job->nparams,
			       (const char *const *)job->params, job->error,
			       sizeof job->error, &sent, &dead, &stop);
	job->ms = mono_ms() - start;
	*(job->write ? &q->rw_used : &q->ro_used) = mono_ms();
	if (job->res) {
		job->status = SQ_OK;
		if (job->digest)
			job->digest(job);
		return true;
	}
	memcpy(job->sqlstate, c->sqlstate, sizeof job->sqlstate);
	/* A server error is an answer: the statement was rolled back.  A lost
	 * answer to a write leaves its effect unknown. */
	if (dead || stop)
		job->status = job->write && sent ? SQ_UNKNOWN : SQ_ERROR;
	else
		job->status = SQ_ERROR;
	if (dead)
		pgconn_close(c);
	log_msg(job->status == SQ_UNKNOWN ? LOG_WARN : LOG_INFO,
		"shard %s: job %u (%s) %s: %s", q->name, job->id,
		job->write ? "write" : "read",
		job->status == SQ_UNKNOWN ? "outcome unknown" : "failed",
		job->error);
	return !stop;
}

/* Close what has been idle for query_idle_timeout; returns when the next
 * open session falls idle (monotonic ms), or 0 when none is open. */
static int64_t close_idle(struct shard_query *q)
{
	struct { struct pgconn *c; int64_t used; const char *what; } s[] = {
		{ &q->ro, q->ro_used, "read" }, { &q->rw, q->rw_used, "write" },
	};
	int64_t idle_ms = (int64_t)q->cfg->query_idle_timeout * 1000;
	int64_t now = mono_ms(), next = 0;

	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
		int64_t at = s[i].used + idle_ms;

		if (!s[i].c->conn)
			continue;
		if (at <= now) {
			log_msg(LOG_INFO, "shard %s: closing the idle %s session",
				q->name, s[i].what);
			pgconn_close(s[i].c);
		} else if (!next || at < next) {
			next = at;
		}
	}
	return next;
}

/* No session is open: end the thread unless a job has come in since the
 * queue was looked at (true: it has ended, its last act under the lock).
 * The cancel slot stays, for the next thread of this worker. */
static bool idle_exit(struct shard_query *q)
{
	bool idle;

	pthread_mutex_lock(&q->lock);
	idle = !q->queue;
	if (idle) {
		log_msg(LOG_DEBUG, "shard %s: query worker idle: thread ends",
			q->name);
		q->finished = 1;
		q->running = false;
		pthread_cond_signal(&q->done_cond);
	}
	pthread_mutex_unlock(&q->lock);
	return idle;
}

static void *worker_main(void *arg)
{
	struct shard_query *q = arg;

	for (;;) {
		struct sq_job *job;

		pthread_mutex_lock(&q->lock);
		job = q->queue;
		if (job)
			q->queue = job->next;
		pthread_mutex_unlock(&q->lock);
		if (!job) {
			/* Without `woken`, a submit's byte would not end the
			 * wait: the job would sit until the timeout. */
			bool woken = false;
			int64_t until = close_idle(q);

			if (!until && idle_exit(q))
				return NULL;
			if (!until)
				continue;	/* a job came in meanwhile */
			if (pgconn_wait(q->ctl[0], -1, 0, until, &woken) < 0)
				break;
			continue;
		}
		if (!run_job(q, job)) {
			finish(q, job);
			break;
		}
		finish(q, job);
	}
	pgconn_close(&q->ro);
	pgconn_close(&q->rw);
	pthread_mutex_lock(&q->lock);
	/* Whatever is still queued was never sent. */
	while (q->queue) {
		struct sq_job *job = q->queue;

		q->queue = job->next;
		job->status = SQ_REFUSED;
		snprintf(job->error, sizeof job->error, "batchtop is stopping");
		append(&q->done, job);
		q->busy--;
	}
	q->finished = 1;
	q->running = false;
	pthread_cond_signal(&q->done_cond);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct shard_query *shard_query_new(int index, const struct shard_conf *sc,
				    const struct config *cfg, int wake_fd)
{
	struct shard_query *q = xcalloc(1, sizeof *q);

	q->index = index;
	q->name = xstrdup(sc->name);
	q->dsn = xstrdup(sc->dsn);
	q->cfg = cfg;
	q->wake_fd = wake_fd;
	q->ctl[0] = q->ctl[1] = -1;
	q->ro = (struct pgconn){ .name = q->name, .dsn = q->dsn, .cfg = cfg,
				 .readonly = true, .pooled = sc->pooled,
				 .ctl_fd = -1, .cancel_slot = &q->cancel };
	q->rw = (struct pgconn){ .name = q->name, .dsn = q->dsn, .cfg = cfg,
				 .readonly = false, .pooled = sc->pooled,
				 .ctl_fd = -1, .cancel_slot = &q->cancel };
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->done_cond, NULL);
	return q;
}

int shard_query_start(struct shard_query *q)
{
	q->started = true;
	return 0;
}

/* Under q->lock: a thread for the queue, unless one is up.  One that has
 * returned (running false) is joined first: it did nothing after its last
 * unlock, so the join is immediate.  False when none could be started. */
static bool ensure_thread(struct shard_query *q)
{
	if (q->running)
		return true;
	/* The control pipe too waits for the first job: two descriptors
	 * per shard that a fleet only watched never opens. */
	if (q->ctl[0] < 0) {
		if (pipe2(q->ctl, O_CLOEXEC | O_NONBLOCK) < 0)
			return false;
		q->ro.ctl_fd = q->rw.ctl_fd = q->ctl[0];
	}
	if (q->joinable) {
		pthread_join(q->thread, NULL);
		q->joinable = false;
	}
	q->finished = 0;
	if (thread_spawn(&q->thread, worker_main, q) != 0) {
		q->finished = 1;
		return false;
	}
	q->running = q->joinable = true;
	return true;
}

unsigned shard_query_submit(struct shard_query *q, struct sq_job *job)
{
	unsigned id;

	pthread_mutex_lock(&q->lock);
	id = ++q->next_id;
	if (id == 0)
		id = ++q->next_id;
	job->id = id;
	job->shard = q->index;
	job->status = SQ_PENDING;
	if (!q->started || q->stopping) {
		job->status = SQ_REFUSED;
		snprintf(job->error, sizeof job->error, "batchtop is stopping");
		append(&q->done, job);
		pthread_mutex_unlock(&q->lock);
		pipe_poke(q->wake_fd, 0);
		return id;
	}
	if (!ensure_thread(q)) {
		job->status = SQ_REFUSED;
		snprintf(job->error, sizeof job->error,
			 "no thread could be started for the query");
		append(&q->done, job);
		pthread_mutex_unlock(&q->lock);
		pipe_poke(q->wake_fd, 0);
		return id;
	}
	append(&q->queue, job);
	q->busy++;
	pthread_mutex_unlock(&q->lock);
	pipe_poke(q->ctl[1], 0);
	return id;
}

void shard_query_cancel(struct shard_query *q, int kind)
{
	struct sq_job **pp, *cancelled = NULL;

	pthread_mutex_lock(&q->lock);
	for (pp = &q->queue; *pp;) {
		struct sq_job *j = *pp;

		if (j->kind == kind) {
			*pp = j->next;
			j->status = SQ_CANCELLED;
			append(&cancelled, j);
			q->busy--;
		} else {
			pp = &j->next;
		}
	}
	while (cancelled) {
		struct sq_job *j = cancelled;

		cancelled = j->next;
		append(&q->done, j);
	}
	pthread_mutex_unlock(&q->lock);
}

struct sq_job *shard_query_take(struct shard_query *q)
{
	struct sq_job *job;

	pthread_mutex_lock(&q->lock);
	job = q->done;
	if (job)
		q->done = job->next;
	pthread_mutex_unlock(&q->lock);
	if (job)
		job->next = NULL;
	return job;
}

unsigned shard_query_busy(struct shard_query *q)
{
	unsigned n;

	pthread_mutex_lock(&q->lock);
	n = q->busy;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void shard_query_stop(struct shard_query *q)
{
	if (!q->started)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_mutex_unlock(&q->lock);
	pipe_poke(q->ctl[1], 'q');
}

void shard_query_free(struct shard_query *q, int wait_ms)
{
	struct sq_job *job;
	bool joinable;

	if (!q)
		return;
	shard_query_stop(q);
	pthread_mutex_lock(&q->lock);
	joinable = q->joinable;	/* no new thread after stopping */
	pthread_mutex_unlock(&q->lock);
	if (joinable && !thread_join_within(q->thread, &q->lock, &q->done_cond,
					    &q->finished, wait_ms)) {
		log_msg(LOG_WARN, "shard %s: query worker did not stop in time",
			q->name);
		return;
	}
	pgconn_cancel_release(&q->cancel);
	while ((job = shard_query_take(q)))
		sq_job_free(job);
	while (q->queue) {
		job = q->queue;
		q->queue = job->next;
		sq_job_free(job);
	}
	if (q->ctl[0] >= 0)
		close(q->ctl[0]);
	if (q->ctl[1] >= 0)
		close(q->ctl[1]);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->done_cond);
	free(q->name);
	explicit_bzero(q->dsn, strlen(q->dsn));
	free(q->dsn);
	free(q);
}
