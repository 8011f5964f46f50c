/*
 * bench_merge.c - what one delta merge costs the client: snapshot_merge()
 * of a poll that changed a few billers into the previous snapshot, and the
 * snapshot_unref() of the one it replaced, in CPU time.
 *
 * The fleet's shape (scripts/bench-fleet): NSHARDS shards of NBILLERS
 * billers with about 3.4 batches each, each biller in a home block of its
 * own, as a poll makes them; each merge brings NCHANGED re-read billers.
 * The shards are merged round-robin, as a hundred pollers do, so that a
 * shard's records are out of the cache when its next poll comes, as they
 * are in the client.  Setting up each delta is not timed.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/snapshot.h"

#define NSHARDS 100
#define NBILLERS 1000
#define NCHANGED 19
#define ROUNDS 60

static double thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static const struct batch_kind kind = {
	"2026-12-01", "ach", "payfile", "closed", "", "",
};

/* Biller number k of shard s as a poll would make it: a home of its own
 * holding its id, name and batch records. */
static void fill_biller(struct biller *b, struct snapshot *s, unsigned k,
			unsigned gen)
{
	size_t nb = 3 + (k % 5 == 0) * 2;	/* 3.4 on average */
	struct arena *a = arena_new_sized(nb * sizeof(struct batch) + 96);
	char id[32], name[32];

	memset(b, 0, sizeof *b);
	b->home = a;
	b->batches = arena_alloc(a, nb * sizeof *b->batches);
	snprintf(id, sizeof id, "b-%04u", k);
	snprintf(name, sizeof name, "Biller %u", k);
	b->biller_id = arena_strdup(a, id);
	b->name = arena_strdup(a, name);
	b->timezone = "UTC";
	b->shard = s->shard;
	b->shard_index = s->shard_index;
	b->known = b->tz_known = true;
	b->nbatches = nb;
	for (size_t j = 0; j < nb; j++) {
		struct batch *t = &b->batches[j];

		memset(t, 0, sizeof *t);
		t->batch_id = b->biller_id;
		t->kind = &kind;
		t->error_message = "";
		t->state = BATCH_CLOSED;
		t->scheduled_at = (int64_t)(gen * 1000 + j);
		t->deadline_at = t->started_at = t->finished_at =
			t->updated_at = t->scheduled_at;
		t->attempts = 1;
	}
	biller_summarize(b);
	s->nbatches += nb;
}

static struct snapshot *full(int shard)
{
	char name[16];
	struct snapshot *s;

	snprintf(name, sizeof name, "shard-%02d", shard);
	s = snapshot_new(shard, name);
	for (unsigned k = 0; k < NBILLERS; k++)
		fill_biller(snapshot_add_biller(s), s, k, 0);
	s->names_id = snapshot_names_id_new();
	return s;
}

static struct snapshot *delta(const struct snapshot *base, unsigned gen,
			      unsigned *seed)
{
	struct snapshot *d = snapshot_new(base->shard_index, base->shard);

	d->delta = true;
	for (unsigned i = 0; i < NCHANGED; i++)
		fill_biller(snapshot_add_biller(d), d, (unsigned)rand_r(seed) % NBILLERS, gen);
	d->nchanged = d->nbillers;
	return d;
}

int main(void)
{
	static struct snapshot *snap[NSHARDS];
	double merge_us = 0, unref_us = 0;
	unsigned seed = 10;
	size_t n = 0;

	for (int i = 0; i < NSHARDS; i++)
		snap[i] = full(i);
	for (unsigned r = 1; r <= ROUNDS; r++) {
		for (int i = 0; i < NSHARDS; i++) {
			struct snapshot *d = delta(snap[i], r, &seed);
			double t0 = thread_cpu_us(), t1, t2;

			d = snapshot_merge(snap[i], d);
			t1 = thread_cpu_us();
			snapshot_unref(snap[i]);
			t2 = thread_cpu_us();
			merge_us += t1 - t0;
			unref_us += t2 - t1;
			snap[i] = d;
			n++;
		}
	}
	for (int i = 0; i < NSHARDS; i++) {
		if (snap[i]->nbillers != NBILLERS) {
			fprintf(stderr, "bench_merge: shard %d has %zu billers\n",
				i, snap[i]->nbillers);
			return 1;
		}
		snapshot_unref(snap[i]);
	}
	printf("bench_merge: %d shards x %d billers, %d changed per merge, "
	       "%zu merges: merge %.1f us + unref of the replaced %.1f us = "
	       "%.1f us CPU per merge\n", NSHARDS, NBILLERS, NCHANGED, n,
	       merge_us / (double)n, unref_us / (double)n,
	       (merge_us + unref_us) / (double)n);
	return 0;
}
