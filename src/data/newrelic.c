/*
 * newrelic.c - the New Relic client thread.
 *
 * Life of the thread:  loop { run the oldest logs request that is due;
 * else the errors poll if it is due; else sleep on the control pipe until
 * the next one is due }.  Requests run one at a time on one curl easy
 * handle (so the connection is kept), each bounded by a connect timeout,
 * a total timeout and a cap on the body.  A transient failure (429, 5xx,
 * TOO_MANY_REQUESTS, TIMEOUT, a transport error) is tried again after
 * 1 s, 2 s, 4 s ... up to backoff_max, +/-20% jitter; a rejected key is
 * tried again slowly (poll_interval, doubling up to NEWRELIC_AUTH_RETRY_MAX)
 * since someone may fix it without restarting us, and newrelic_refresh()
 * tries at once; a refused query waits for the next poll.  Stopping writes 'q' to the control pipe, which ends any
 * sleep at once, and sets a flag that curl's progress callback turns into
 * an abort of the transfer in flight.
 *
 * Shared state (health, the latest errors, the request slots) lives under
 * nr->lock, which is never held across I/O.  The key lives in
 * nr->http.key and in curl's header list only; every text we publish is
 * checked for it.  The transport, one request over curl, is
 * newrelic_http.c.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data/log.h"
#include "data/newrelic.h"
#include "data/newrelic_http.h"
#include "data/thread_util.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* Tries of one logs request before its error is the answer. */
#define LOGS_ATTEMPTS 3

enum req_state { REQ_FREE, REQ_QUEUED, REQ_RUNNING, REQ_DONE, REQ_CANCELLED };

struct req {
	enum req_state state;
	unsigned ticket;
	char *nrql;
	int attempts;
	int64_t due;			/* monotonic ms */
	struct newrelic_logs *result;	/* REQ_DONE */
};

struct newrelic {
	/* Set by newrelic_new(); then read-only (but for http's handle, the
	 * thread's own).  http.url and http.key are ours to free. */
	struct newrelic_http http;
	char *errors_nrql;
	char *logs_nrql;
	int poll_interval, backoff_max;
	int wake_fd;
	int ctl[2];		/* 'q' quit, 'r' refresh, 'l' a new request */
	pthread_t thread;
	int started;
	int stopping;		/* atomic: curl's progress callback reads it */

	/* The thread's own. */
	unsigned rng;
	int failures;		/* consecutive transient failures of the poll */
	int auth_failures;	/* consecutive rejections of the key */

	/* Shared, under lock. */
	pthread_mutex_t lock;
	int done;
	pthread_cond_t done_cond;
	unsigned gen;
	struct newrelic_errors *errors;
	struct newrelic_health health;
	struct req reqs[NEWRELIC_MAX_REQUESTS];
	unsigned next_ticket;
};

/* --- process-wide ------------------------------------------------------ */

int newrelic_global_init(void)
{
	return newrelic_http_global_init();
}

void newrelic_global_cleanup(void)
{
	newrelic_http_global_cleanup();
}

/* --- the thread ------------------------------------------------------------------ */

/* 1 s, 2 s, 4 s ... up to backoff_max, each +/-20%; never sooner than
 * a Retry-After asked for (itself capped at backoff_max). */
static int64_t backoff_ms(struct newrelic *nr, int failures,
			  int64_t retry_after_ms)
{
	int64_t cap = (int64_t)nr->backoff_max * 1000;
	int64_t d = 1000;
	int jitter;

	for (int i = 1; i < failures && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	jitter = (int)(rand_r(&nr->rng) % 401) - 200;	/* -20% .. +20% */
	d += d * jitter / 1000;
	if (retry_after_ms > cap)
		retry_after_ms = cap;
	return d > retry_after_ms ? d : retry_after_ms;
}

/* A rejected key: poll_interval, then doubling up to
 * NEWRELIC_AUTH_RETRY_MAX (or poll_interval if that is longer), +/-20%.
 * Slow, as the key will not fix itself in a second, but never given up:
 * a rotated key or a fixed proxy comes back without a restart. */
static int64_t auth_backoff_ms(struct newrelic *nr, int failures)
{
	int64_t cap = (int64_t)NEWRELIC_AUTH_RETRY_MAX * 1000;
	int64_t d = (int64_t)nr->poll_interval * 1000;
	int jitter;

	if (cap < d)
		cap = d;
	for (int i = 1; i < failures && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	jitter = (int)(rand_r(&nr->rng) % 401) - 200;	/* -20% .. +20% */
	return d + d * jitter / 1000;
}

static void errors_free(struct newrelic_errors *e)
{
	for (size_t i = 0; i < e->ncounts; i++)
		free(e->counts[i].biller_id);
	free(e->counts);
	free(e->warning);
	free(e);
}

void newrelic_errors_unref(struct newrelic_errors *e)
{
	if (e && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
		errors_free(e);
}

static int cmp_biller(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ng_count *)elem)->biller_id);
}

int64_t newrelic_errors_count(const struct newrelic_errors *e,
			      const char *biller_id)
{
	const struct ng_count *c;

	if (!e || !biller_id || !e->ncounts)
		return 0;
	c = bsearch(biller_id, e->counts, e->ncounts, sizeof *e->counts,
		    cmp_biller);
	return c ? c->count : 0;
}

/* Publish the outcome of one errors poll: errs on success (NULL keeps
 * the last good one), the reason otherwise. */
static void publish(struct newrelic *nr, struct newrelic_errors *errs,
		    enum newrelic_state state, const char *reason,
		    int64_t retry_mono, bool key_rejected)
{
	struct newrelic_errors *old = NULL;
	int64_t now = mono_ms();

	pthread_mutex_lock(&nr->lock);
	if (errs) {
		old = nr->errors;
		nr->errors = errs;
	}
	if (nr->health.state != state)
		nr->health.since_mono = now;
	nr->health.state = state;
	nr->health.retry_mono = retry_mono;
	nr->health.key_rejected = key_rejected;
	if (state == NEWRELIC_OK) {
		nr->health.last_ok_mono = now;
		nr->health.polls_ok++;
		nr->health.reason[0] = '\0';
	} else {
		nr->health.polls_failed++;
		snprintf(nr->health.reason, sizeof nr->health.reason, "%s",
			 reason ? reason : "");
	}
	nr->gen++;
	pthread_mutex_unlock(&nr->lock);
	newrelic_errors_unref(old);
	pipe_poke(nr->wake_fd, 0);
}

/* One errors poll; returns when the next one is due, or -1 to stop. */
static int64_t poll_errors(struct newrelic *nr)
{
	struct ng_response r;
	int64_t start = mono_ms(), now, after;

	if (newrelic_http_query(&nr->http, nr->errors_nrql, NG_FACET_COUNTS, &r, &after) < 0)
		return -1;
	now = mono_ms();
	switch (r.status) {
	case NG_OK: {
		struct newrelic_errors *e = xcalloc(1, sizeof *e);

		e->refs = 1;
		e->fetched_mono = now;
		e->fetched_wall = wall_ms();
		e->counts = r.counts;
		e->ncounts = r.ncounts;
		e->warning = r.warning;
		r.counts = NULL;
		r.ncounts = 0;
		r.warning = NULL;
		if (e->warning)
			log_msg(LOG_WARN, "newrelic: %s", e->warning);
		log_msg(LOG_DEBUG, "newrelic: %zu billers with errors in %lld ms",
			e->ncounts, (long long)(now - start));
		nr->failures = 0;
		nr->auth_failures = 0;
		publish(nr, e, NEWRELIC_OK, NULL, INT64_MIN, false);
		ng_response_free(&r);
		return now + (int64_t)nr->poll_interval * 1000;
	}
	case NG_RETRY: {
		int64_t next = now + backoff_ms(nr, ++nr->failures, after);

		log_msg(LOG_WARN, "newrelic: %s (try %d, again in %lld ms)",
			r.message, nr->failures, (long long)(next - now));
		publish(nr, NULL, NEWRELIC_ERROR, r.message, next, false);
		ng_response_free(&r);
		return next;
	}
	case NG_AUTH: {
		int64_t next = now + auth_backoff_ms(nr, ++nr->auth_failures);

		log_msg(LOG_ERROR, "newrelic: %s (try %d, again in %lld s or on"
			" refresh)", r.message, nr->auth_failures,
			(long long)((next - now) / 1000));
		nr->failures = 0;
		publish(nr, NULL, NEWRELIC_ERROR, r.message, next, true);
		ng_response_free(&r);
		return next;
	}
	case NG_QUERY:
	case NG_BAD:
		break;
	}
	log_msg(LOG_WARN, "newrelic: %s", r.message);
	nr->failures = 0;
	{
		int64_t next = now + (int64_t)nr->poll_interval * 1000;

		publish(nr, NULL, NEWRELIC_ERROR, r.message, next, false);
		ng_response_free(&r);
		return next;
	}
}

/* Run the logs request q (marked REQ_RUNNING by next_due()).  Returns -1
 * when stopping. */
static int run_logs(struct newrelic *nr, struct req *q)
{
	struct ng_response r;
	struct newrelic_logs *l;
	int64_t after;

	if (newrelic_http_query(&nr->http, q->nrql, NG_LOG_LINES, &r, &after) < 0)
		return -1;
	pthread_mutex_lock(&nr->lock);
	q->attempts++;
	if (q->state == REQ_CANCELLED) {
		free(q->nrql);
		memset(q, 0, sizeof *q);
		pthread_mutex_unlock(&nr->lock);
		ng_response_free(&r);
		return 0;
	}
	if (r.status == NG_RETRY && q->attempts < LOGS_ATTEMPTS) {
		q->state = REQ_QUEUED;
		q->due = mono_ms() + backoff_ms(nr, q->attempts, after);
		pthread_mutex_unlock(&nr->lock);
		log_msg(LOG_WARN, "newrelic: logs: %s (try %d)", r.message,
			q->attempts);
		ng_response_free(&r);
		return 0;
	}
	l = xcalloc(1, sizeof *l);
	l->ok = r.status == NG_OK;
	if (l->ok) {
		l->lines = r.lines;
		l->nlines = r.nlines;
		l->warning = r.warning;
		r.lines = NULL;
		r.nlines = 0;
		r.warning = NULL;
	} else {
		l->error = r.message;
		r.message = NULL;
	}
	q->result = l;
	q->state = REQ_DONE;
	pthread_mutex_unlock(&nr->lock);
	if (!l->ok)
		log_msg(LOG_WARN, "newrelic: logs: %s", l->error);
	ng_response_free(&r);
	pipe_poke(nr->wake_fd, 0);
	return 0;
}

/* Sleep on the control pipe until the deadline (monotonic ms).  Returns -1
 * to stop; sets *refresh when asked to poll now. */
static int wait_ctl(struct newrelic *nr, int64_t deadline, int *refresh)
{
	for (;;) {
		struct pollfd pfd = { .fd = nr->ctl[0], .events = POLLIN };
		int64_t left = deadline - mono_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (n < 0 && errno != EINTR)
			return 0;
		if (n > 0) {
			char buf[16];
			ssize_t got = read(nr->ctl[0], buf, sizeof buf);

			for (ssize_t i = 0; i < got; i++) {
				if (buf[i] == 'q')
					return -1;
				if (buf[i] == 'r')
					*refresh = 1;
			}
			return 0;	/* something changed: look again */
		}
	}
}

/* The queued request that is due first (lowest ticket among the due). */
static struct req *next_due(struct newrelic *nr, int64_t now, int64_t *soonest)
{
	struct req *pick = NULL;

	pthread_mutex_lock(&nr->lock);
	for (int i = 0; i < NEWRELIC_MAX_REQUESTS; i++) {
		struct req *q = &nr->reqs[i];

		if (q->state != REQ_QUEUED)
			continue;
		if (q->due <= now && (!pick || q->ticket < pick->ticket))
			pick = q;
		if (q->due < *soonest)
			*soonest = q->due;
	}
	if (pick)
		pick->state = REQ_RUNNING;
	pthread_mutex_unlock(&nr->lock);
	return pick;
}

static void *newrelic_main(void *arg)
{
	struct newrelic *nr = arg;
	int64_t poll_due = mono_ms();

	if (newrelic_http_open(&nr->http) < 0) {
		log_msg(LOG_ERROR, "newrelic: cannot set up libcurl");
		publish(nr, NULL, NEWRELIC_ERROR, "cannot set up libcurl",
			INT64_MIN, false);
		goto out;
	}
	{
		char *shown = newrelic_url_redact(nr->http.url);

		log_msg(LOG_INFO, "newrelic: polling %s every %d s", shown,
			nr->poll_interval);
		free(shown);
	}
	for (;;) {
		int64_t now = mono_ms();
		int64_t soonest = poll_due;
		struct req *q;
		int refresh = 0;

		if (__atomic_load_n(&nr->stopping, __ATOMIC_ACQUIRE))
			break;
		q = next_due(nr, now, &soonest);
		if (q) {
			if (run_logs(nr, q) < 0)
				break;
			continue;
		}
		if (now >= poll_due) {
			poll_due = poll_errors(nr);
			if (poll_due < 0)
				break;
			continue;
		}
		if (wait_ctl(nr, soonest, &refresh) < 0)
			break;
		if (refresh) {
			/* The user asked: try now, and back off afresh. */
			nr->failures = 0;
			nr->auth_failures = 0;
			poll_due = mono_ms();
		}
	}
out:
	newrelic_http_close(&nr->http);
	pthread_mutex_lock(&nr->lock);
	nr->done = 1;
	pthread_cond_signal(&nr->done_cond);
	pthread_mutex_unlock(&nr->lock);
	return NULL;
}

/* --- the UI side ------------------------------------------------------------------ */

struct newrelic *newrelic_new(const struct newrelic_conf *c, int wake_fd,
			      char **err)
{
	struct newrelic *nr;
	char *key, *msg;

	*err = NULL;
	msg = newrelic_conf_check(c);
	if (msg) {
		*err = msg;
		return NULL;
	}
	key = newrelic_load_key(c, err);
	if (!key)
		return NULL;
	nr = xcalloc(1, sizeof *nr);
	nr->http = (struct newrelic_http){
		.account_id = c->account_id,
		.url = xstrdup(newrelic_url(c)),
		.key = key,
		.insecure = c->allow_insecure_endpoint,
		.nrql_timeout = c->nrql_timeout,
		.connect_timeout_ms = c->connect_timeout_ms,
		.request_timeout_ms = c->request_timeout_ms,
		.max_response_bytes = c->max_response_bytes,
		.stopping = &nr->stopping,
	};
	nr->errors_nrql = xstrdup(newrelic_errors_nrql(c));
	nr->logs_nrql = xstrdup(newrelic_logs_nrql(c));
	nr->poll_interval = c->poll_interval;
	nr->backoff_max = c->backoff_max;
	nr->wake_fd = wake_fd;
	nr->rng = (unsigned)mono_ms() ^ (unsigned)getpid();
	nr->next_ticket = 1;
	nr->ctl[0] = nr->ctl[1] = -1;
	if (pipe2(nr->ctl, O_CLOEXEC | O_NONBLOCK) < 0) {
		*err = xasprintf("cannot create a pipe: %s", strerror(errno));
		nr->ctl[0] = nr->ctl[1] = -1;
		newrelic_free(nr, 0);
		return NULL;
	}
	pthread_mutex_init(&nr->lock, NULL);
	pthread_cond_init(&nr->done_cond, NULL);
	nr->health.state = NEWRELIC_STARTING;
	nr->health.since_mono = mono_ms();
	nr->health.last_ok_mono = INT64_MIN;
	nr->health.retry_mono = INT64_MIN;
	nr->health.stale_after_ms = 2 * (int64_t)c->poll_interval * 1000 +
				    c->request_timeout_ms;
	return nr;
}

int newrelic_start(struct newrelic *nr)
{
	if (thread_spawn(&nr->thread, newrelic_main, nr) != 0)
		return -1;
	nr->started = 1;
	return 0;
}

void newrelic_refresh(struct newrelic *nr)
{
	pipe_poke(nr->ctl[1], 'r');
}

void newrelic_stop(struct newrelic *nr)
{
	__atomic_store_n(&nr->stopping, 1, __ATOMIC_RELEASE);
	pipe_poke(nr->ctl[1], 'q');
}

void newrelic_free(struct newrelic *nr, int wait_ms)
{
	if (!nr)
		return;
	if (nr->started) {
		newrelic_stop(nr);
		if (!thread_join_within(nr->thread, &nr->lock, &nr->done_cond,
					&nr->done, wait_ms)) {
			/* Stuck where no callback reaches (a DNS lookup):
			 * leave it, and the key, to the process exit. */
			log_msg(LOG_WARN, "newrelic: thread did not stop in time");
			return;
		}
	}
	if (nr->ctl[0] >= 0) {
		pthread_mutex_destroy(&nr->lock);
		pthread_cond_destroy(&nr->done_cond);
		close(nr->ctl[0]);
		close(nr->ctl[1]);
	}
	newrelic_errors_unref(nr->errors);
	for (int i = 0; i < NEWRELIC_MAX_REQUESTS; i++) {
		free(nr->reqs[i].nrql);
		newrelic_logs_free(nr->reqs[i].result);
	}
	free(nr->http.url);
	free(nr->errors_nrql);
	free(nr->logs_nrql);
	explicit_bzero(nr->http.key, strlen(nr->http.key));
	free(nr->http.key);
	free(nr);
}

unsigned newrelic_read(struct newrelic *nr, struct newrelic_errors **errs,
		       struct newrelic_health *health)
{
	unsigned gen;

	pthread_mutex_lock(&nr->lock);
	if (errs) {
		*errs = nr->errors;
		if (*errs)
			__atomic_add_fetch(&(*errs)->refs, 1, __ATOMIC_RELAXED);
	}
	if (health)
		*health = nr->health;
	gen = nr->gen;
	pthread_mutex_unlock(&nr->lock);
	return gen;
}

char *newrelic_health_text(const struct newrelic_health *h, int64_t now_mono,
			   char *buf, size_t n)
{
	char age[32];

	switch (h->state) {
	case NEWRELIC_STARTING:
		snprintf(buf, n, "starting");
		break;
	case NEWRELIC_OK:
		if (h->last_ok_mono != INT64_MIN &&
		    now_mono - h->last_ok_mono > h->stale_after_ms)
			snprintf(buf, n, "stale (%s)",
				 fmt_age(age, sizeof age, now_mono - h->last_ok_mono));
		else
			snprintf(buf, n, "ok");
		break;
	case NEWRELIC_ERROR:
		if (h->retry_mono != INT64_MIN && h->retry_mono > now_mono)
			snprintf(buf, n, "error: %s (retry in %s)", h->reason,
				 fmt_age(age, sizeof age, h->retry_mono - now_mono));
		else
			snprintf(buf, n, "error: %s", h->reason);
		break;
	}
	return buf;
}

unsigned newrelic_request_logs(struct newrelic *nr, const char *biller_id,
			       const char *batch_id, int64_t since_ms,
			       char **err)
{
	struct nrql_vars v = {
		.biller_id = biller_id, .batch_id = batch_id,
		.since_ms = since_ms, .has_since = 1,
	};
	char *nrql = nrql_expand(nr->logs_nrql, &v, err);
	unsigned ticket = 0;

	if (!nrql)
		return 0;
	pthread_mutex_lock(&nr->lock);
	for (int i = 0; i < NEWRELIC_MAX_REQUESTS; i++) {
		struct req *q = &nr->reqs[i];

		if (q->state != REQ_FREE)
			continue;
		ticket = nr->next_ticket++;
		if (nr->next_ticket == 0)
			nr->next_ticket = 1;
		q->state = REQ_QUEUED;
		q->ticket = ticket;
		q->nrql = nrql;
		q->attempts = 0;
		q->due = mono_ms();
		q->result = NULL;
		break;
	}
	pthread_mutex_unlock(&nr->lock);
	if (!ticket) {
		free(nrql);
		*err = xasprintf("%d New Relic log requests are already waiting",
				 NEWRELIC_MAX_REQUESTS);
		return 0;
	}
	pipe_poke(nr->ctl[1], 'l');
	return ticket;
}

static struct req *find_ticket(struct newrelic *nr, unsigned ticket)
{
	for (int i = 0; ticket && i < NEWRELIC_MAX_REQUESTS; i++)
		if (nr->reqs[i].state != REQ_FREE && nr->reqs[i].ticket == ticket)
			return &nr->reqs[i];
	return NULL;
}

struct newrelic_logs *newrelic_take_logs(struct newrelic *nr, unsigned ticket)
{
	struct newrelic_logs *l = NULL;
	struct req *q;

	pthread_mutex_lock(&nr->lock);
	q = find_ticket(nr, ticket);
	if (q && q->state == REQ_DONE) {
		l = q->result;
		free(q->nrql);
		memset(q, 0, sizeof *q);
	}
	pthread_mutex_unlock(&nr->lock);
	return l;
}

void newrelic_cancel_logs(struct newrelic *nr, unsigned ticket)
{
	struct req *q;

	pthread_mutex_lock(&nr->lock);
	q = find_ticket(nr, ticket);
	if (q && q->state == REQ_RUNNING) {
		q->state = REQ_CANCELLED;	/* the thread frees it */
	} else if (q && q->state != REQ_CANCELLED) {
		newrelic_logs_free(q->result);
		free(q->nrql);
		memset(q, 0, sizeof *q);
	}
	pthread_mutex_unlock(&nr->lock);
}

void newrelic_logs_free(struct newrelic_logs *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nlines; i++) {
		free(l->lines[i].level);
		free(l->lines[i].message);
		free(l->lines[i].batch_id);
	}
	free(l->lines);
	free(l->error);
	free(l->warning);
	free(l);
}
