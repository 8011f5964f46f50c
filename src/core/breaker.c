/*
 * breaker.c - one shard's circuit breaker (see breaker.h).  The window is
 * a ring of the last outcomes; seen counts up to the window and stays
 * there, failed is kept in step as slots are overwritten.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "core/breaker.h"

void breaker_init(struct breaker *b)
{
	memset(b, 0, sizeof *b);
	b->state = BREAKER_CLOSED;
}

static int window_of(const struct breaker_rules *r)
{
	if (r->window < 1)
		return 1;
	return r->window > BREAKER_WINDOW_MAX ? BREAKER_WINDOW_MAX : r->window;
}

static void remember(struct breaker *b, const struct breaker_rules *r,
		     bool failed)
{
	int w = window_of(r);

	if (b->head >= w)
		b->head = 0;
	if (b->seen == w && b->ring[b->head])
		b->failed--;	/* the oldest leaves the window */
	else if (b->seen < w)
		b->seen++;
	b->ring[b->head] = failed;
	b->head = (b->head + 1) % w;
	if (failed)
		b->failed++;
	b->run = failed ? b->run + 1 : 0;
}

static enum breaker_event open_now(struct breaker *b,
				   const struct breaker_rules *r,
				   enum breaker_cause cause, int count, int of,
				   int64_t now_ms)
{
	b->state = BREAKER_OPEN;
	b->cause = cause;
	b->cause_count = count;
	b->cause_of = of;
	b->retry_at = now_ms + r->pause_ms;
	b->trial_out = false;
	b->trips++;
	return BREAKER_OPENED;
}

enum breaker_event breaker_record(struct breaker *b,
				  const struct breaker_rules *r, bool failed,
				  bool trial, int64_t now_ms)
{
	int w = window_of(r);

	if (b->state == BREAKER_HALF_OPEN && trial) {
		if (failed)
			return open_now(b, r, BREAKER_BY_TRIAL, 1, 1, now_ms);
		/* A fresh start: what failed before the pause is over. */
		memset(b->ring, 0, sizeof b->ring);
		b->seen = b->failed = b->head = b->run = 0;
		b->state = BREAKER_CLOSED;
		b->trial_out = false;
		return BREAKER_RECLOSED;
	}
	if (b->state != BREAKER_CLOSED)
		return BREAKER_NO_CHANGE;	/* sent before it opened */
	remember(b, r, failed);
	if (!failed)
		return BREAKER_NO_CHANGE;
	if (r->consecutive > 0 && b->run >= r->consecutive)
		return open_now(b, r, BREAKER_BY_RUN, b->run, b->run, now_ms);
	if (r->rate_pct > 0 && b->seen >= w &&
	    (long)b->failed * 100 >= (long)r->rate_pct * w)
		return open_now(b, r, BREAKER_BY_RATE, b->failed, w, now_ms);
	return BREAKER_NO_CHANGE;
}

enum breaker_event breaker_poll(struct breaker *b, int64_t now_ms)
{
	if (b->state != BREAKER_OPEN || now_ms < b->retry_at)
		return BREAKER_NO_CHANGE;
	b->state = BREAKER_HALF_OPEN;
	b->trial_out = false;
	return BREAKER_HALF_OPENED;
}

bool breaker_may_send(const struct breaker *b)
{
	return b->state == BREAKER_CLOSED ||
	       (b->state == BREAKER_HALF_OPEN && !b->trial_out);
}

bool breaker_sent(struct breaker *b)
{
	if (b->state != BREAKER_HALF_OPEN || b->trial_out)
		return false;
	b->trial_out = true;
	return true;
}

void breaker_trial_void(struct breaker *b)
{
	if (b->state == BREAKER_HALF_OPEN)
		b->trial_out = false;
}

void breaker_wait_words(int64_t ms, char *buf, size_t n)
{
	long long s = ms <= 0 ? 0 : (ms + 999) / 1000;

	if (s < 60)
		snprintf(buf, n, "%llds", s);
	else if (s < 3600 && s % 60 == 0)
		snprintf(buf, n, "%lldm", s / 60);
	else if (s < 3600)
		snprintf(buf, n, "%lldm %02llds", s / 60, s % 60);
	else
		snprintf(buf, n, "%lldh %02lldm", s / 3600, s / 60 % 60);
}

void breaker_words(const struct breaker *b, const char *shard, int64_t now_ms,
		   char *buf, size_t n)
{
	char wait[32], why[80];

	if (!n)
		return;
	buf[0] = '\0';
	if (b->state == BREAKER_HALF_OPEN) {
		snprintf(buf, n, "%s: breaker half-open, %s", shard, b->trial_out
			 ? "one trial request out" : "one trial request next");
		return;
	}
	if (b->state != BREAKER_OPEN)
		return;
	if (b->cause == BREAKER_BY_TRIAL)
		snprintf(why, sizeof why, "open again: the trial request failed");
	else if (b->cause == BREAKER_BY_RATE)
		snprintf(why, sizeof why, "open after %d of the last %d failed",
			 b->cause_count, b->cause_of);
	else
		snprintf(why, sizeof why, "open after %d failures in a row",
			 b->cause_count);
	breaker_wait_words(b->retry_at - now_ms, wait, sizeof wait);
	snprintf(buf, n, "%s: breaker %s, retry in %s", shard, why, wait);
}
