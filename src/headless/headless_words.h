/*
 * headless_words.h - what every headless format (table, JSON, CSV,
 * Prometheus, --check) says the same way: the words for states and
 * statuses, ISO times, and the times to and past a biller's deadline.
 * Pure: it reads the collected app (app.h) and prints nothing.
 */
#ifndef BT_HEADLESS_WORDS_H
#define BT_HEADLESS_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/biller_status.h"
#include "data/shard_poller.h"
#include "core/view.h"

struct app;

/* Whether every shard's last answer was a good one. */
bool headless_every_shard_read(const struct app *app);

/* "ok", "stale", "down", "connecting": JSON's word for a shard state. */
const char *headless_state_token(enum shard_state s);
/* "ok", "stale", "down", "not answering": what --check and the table say
 * about a source that was not read. */
const char *headless_state_words(enum shard_state s);
/* "failed", "late", "at_risk", ... "no_close": the word JSON, CSV, the
 * perfdata and the Prometheus labels use for a biller status. */
const char *headless_status_token(enum biller_status s);
/* "scheduled", "running", "closed", "failed", "other". */
const char *headless_batch_state_token(enum batch_state s);


/* Success so far tonight, in per mille: billers closed in time, of those
 * whose night is decided (closed, closed late, late or failed); -1 while
 * none is.  Non-demo billers only, like the totals. */
int headless_success_permille(const struct totals *t);

/* Whether r's focus batch has a deadline. */
bool headless_has_deadline(const struct row *r);
/* ms to the deadline of a biller that has not closed (negative: past it);
 * false when there is none to give. */
bool headless_time_left(const struct row *r, int64_t now, int64_t *ms);
/* By how much r is or was late; false when it is not. */
bool headless_late_by(const struct row *r, int64_t now, int64_t *ms);

#endif
