/*
 * breaker.h - the circuit breaker of one shard in a staged plan: pure
 * state, no I/O, no clock (the caller passes monotonic ms).
 *
 *   closed     requests go; each outcome is recorded.  It opens when the
 *              last `consecutive` outcomes all failed, or when the window
 *              is full (at least `window` outcomes since it last closed)
 *              and rate_pct percent or more of the last `window` failed.
 *   open       nothing is sent for pause_ms.  Outcomes of requests sent
 *              before it opened change nothing.
 *   half-open  exactly one request (the trial) may go; its success closes
 *              the breaker (a fresh start: no run, an empty window), its
 *              failure opens it again for another pause.  A trial that
 *              ends with no outcome (refused, never sent) lets the next
 *              request be the trial.
 *
 * What counts is the caller's: plan_breaker.c counts a failed request and
 * one whose answer was lost (an unknown outcome is never a success) as
 * failures, a done one as a success, and a refusal as neither.
 */
#ifndef BT_BREAKER_H
#define BT_BREAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BREAKER_WINDOW_MAX 1000

struct breaker_rules {
	int consecutive;	/* failures in a row that open it; 0: no such rule */
	int rate_pct;		/* percent failed of the window that opens it; 0: none */
	int window;		/* outcomes the rate is taken over, 1..BREAKER_WINDOW_MAX */
	int64_t pause_ms;	/* open this long before the trial */
};

enum breaker_state { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };

/* What a call changed, for the caller's audit line and message. */
enum breaker_event {
	BREAKER_NO_CHANGE,
	BREAKER_OPENED,		/* closed -> open, or a failed trial: open again */
	BREAKER_HALF_OPENED,	/* the pause is over: one trial may go */
	BREAKER_RECLOSED,	/* the trial succeeded */
};

/* Why it opened last. */
enum breaker_cause { BREAKER_BY_RUN, BREAKER_BY_RATE, BREAKER_BY_TRIAL };

struct breaker {
	enum breaker_state state;
	enum breaker_cause cause;
	int run;		/* failures in a row since the last success */
	int seen, failed;	/* outcomes in the window, failures among them */
	int head;		/* next slot of ring */
	bool ring[BREAKER_WINDOW_MAX];	/* the window: true = failed */
	int cause_count, cause_of;	/* opened after cause_count (of cause_of) */
	int64_t retry_at;	/* open: when it half-opens */
	bool trial_out;		/* half-open: the trial has been sent */
	int trips;		/* times it opened */
};

void breaker_init(struct breaker *b);
/* The outcome of one request (failed or not).  trial: it was the
 * half-open trial; any other outcome counts only while closed. */
enum breaker_event breaker_record(struct breaker *b,
				  const struct breaker_rules *r, bool failed,
				  bool trial, int64_t now_ms);
/* Open and the pause over at now_ms: half-open. */
enum breaker_event breaker_poll(struct breaker *b, int64_t now_ms);
/* Whether one more request may be sent now. */
bool breaker_may_send(const struct breaker *b);
/* A request was sent: true when it is the trial. */
bool breaker_sent(struct breaker *b);
/* The trial ended without an outcome (or was not sent after all): the
 * next request may be the trial. */
void breaker_trial_void(struct breaker *b);
/* "east: breaker open after 5 failures in a row, retry in 2m", "east:
 * breaker half-open, one trial request"; "" when closed. */
void breaker_words(const struct breaker *b, const char *shard, int64_t now_ms,
		   char *buf, size_t n);
/* A wait in words: "45s", "2m", "1m 30s", "1h 05m" (rounded up to the
 * second). */
void breaker_wait_words(int64_t ms, char *buf, size_t n);

#endif
