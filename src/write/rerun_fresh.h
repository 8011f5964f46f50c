/*
 * rerun_fresh.h - the requests batchtop has just been told about, shown
 * until a poll carries them (UI thread only).
 *
 * request_rerun answers with the new request's id at once, but the grid's
 * RERUN column and the biller detail draw the pollers' snapshots, which
 * learn of the request only at the next poll (poll_interval, unless the
 * shard sends NOTIFY).  rerun.c notes each request the shard named
 * (created, duplicate, or found open by a re-read); drawing asks here
 * first.  An entry is forgotten as soon as the batch's snapshot shows that
 * request or a newer one, so the shard's own word wins the moment it is
 * known.  Batch closes only: invoices are not in the snapshot.
 */
#ifndef BT_RERUN_FRESH_H
#define BT_RERUN_FRESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

struct rerun_fresh {
	long long request_id;
	char status[16];	/* "pending" or "running" */
	int attempt;		/* the attempt the rerun will be; 0 unknown */
	int64_t at;		/* wall-clock ms when batchtop heard it */
};

/* Note that the shard named request_id (status: "pending", "running") for
 * the batch.  Returns the attempt the rerun will be (the batch's attempts
 * so far plus one, from the latest snapshot), 0 when not known. */
int rerun_fresh_note(struct app *app, int shard, const char *batch_id,
		     long long request_id, const char *status);
/* The noted request of the batch while no snapshot shows it (NULL: none,
 * or the snapshot knows it already). */
const struct rerun_fresh *rerun_fresh_request(const struct app *app,
					      int shard, const char *batch_id);
/* The same for a batch of a snapshot: its noted request when the batch
 * does not show it (or a newer one) yet. */
struct batch;
const struct rerun_fresh *rerun_fresh_over(int shard, const struct batch *t);
/* "request 4711 pending, attempt 2 (13:20:05 UTC; not polled yet)" for
 * the detail; false (buf "") when there is nothing fresh. */
bool rerun_fresh_words(const struct app *app, int shard, const char *batch_id,
		       char *buf, size_t n);
/* Once per loop turn: forget what the snapshots now carry; true when
 * something was forgotten. */
bool rerun_fresh_tick(const struct app *app);
/* Forget everything (at exit). */
void rerun_fresh_clear(void);

#endif
