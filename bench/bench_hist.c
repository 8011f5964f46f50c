/*
 * bench_hist.c - what the forecasts' close histories of a fleet cost.
 *
 * Builds the histories of 100 shards x 1,000 billers as a history read
 * would (core/forecast.h): one or two payment types a biller, 20 business
 * days of closes, one a day (every seventh biller nine), one in fifty with
 * no duration, twelve modules, six reruns for every fifth biller; all
 * drawn from a fixed seed.  With --fleet, shards shaped as
 * scripts/bench-fleet seeds them instead (batchtop-sim --history-days 2:
 * two business days, one to three of its ten payment type and module
 * pairs a biller, one close a pair a day, a rerun for 7% of closes).
 * Prints the heap they hold once finished (mallinfo2: what malloc handed
 * out; fc_history_bytes: what they asked for), a digest of every answer
 * they give
 * (pick, wider, reruns, recent, for billers and modules that exist and
 * some that do not), so two builds can be shown to answer alike, and the
 * cost of one fc_history_pick().  Exits 0; not part of make check.
 */
#include "autoconf.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/forecast.h"

#ifndef SHARDS
#define SHARDS 100
#endif
#define BILLERS 1000
#ifndef DAYS
#define DAYS 20
#endif
/* More than any biller has (9 a day): recent answers are whole. */
#define RECENT_MAX (16 * DAYS)
#ifndef PICKS
#define PICKS 2000000
#endif

static unsigned long long rng = 88172645463325252ull;

static unsigned r32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static const char *const types[] = { "ach", "card", "wire" };
static bool fleet;

static void biller_id(char *id, size_t size, int b, int s)
{
	if (fleet)	/* bench-fleet's shards are copies of one template */
		snprintf(id, size, "bfl_tmpl-b%03d", b + 1);
	else
		snprintf(id, size, "biller-%05d-%d", b, s);
}

static const char *const fleet_mods[] = {
	"autopay", "paperless", "ivr", "walk-in", "portal",
};

static void module_name(char *mod, size_t size, int i)
{
	if (fleet && i < 5)
		snprintf(mod, size, "%s", fleet_mods[i]);
	else
		snprintf(mod, size, "mod%d", i);
}

/* A shard as batchtop-sim seeds bench-fleet's template (sim/seed.c). */
static struct fc_history *fleet_shard(int s)
{
	struct fc_history *h = fc_history_new(s, 1000);
	char id[32], day[16];

	for (int b = 0; b < BILLERS; b++) {
		unsigned w = r32() % 100;
		int np = w < 35 ? 1 : w < 75 ? 2 : 3, pair[3];

		for (int k = 0; k < np; k++) {
			int again;

			do {
				pair[k] = (int)(r32() % 10);
				again = 0;
				for (int j = 0; j < k; j++)
					again |= pair[j] == pair[k];
			} while (again);
		}
		biller_id(id, sizeof id, b, s);
		for (int d = 2; d >= 1; d--)
			for (int k = 0; k < np; k++) {
				const char *type = pair[k] % 2 ? "ach" : "card";
				int64_t delay = (int64_t)(r32() % 120000);
				int64_t dur = (int64_t)(60000 + r32() % 3000000);

				snprintf(day, sizeof day, "2026-11-%02d", 10 + d);
				fc_history_add(h, id, day, type,
					       fleet_mods[pair[k] / 2], delay, dur);
				if (r32() % 100 < 7)
					fc_history_add_rerun(h, id, type,
							     dur * 13 / 10);
			}
	}
	fc_history_finish(h);
	return h;
}

static struct fc_history *one_shard(int s)
{
	struct fc_history *h;
	char id[32], mod[16], day[8];

	if (fleet)
		return fleet_shard(s);
	h = fc_history_new(s, 1000);
	for (int b = 0; b < BILLERS; b++) {
		int nt = 1 + (int)(r32() % 2), per = b % 7 == 0 ? 9 : 1;

		biller_id(id, sizeof id, b, s);
		snprintf(mod, sizeof mod, "mod%d", b % 12);
		for (int t = 0; t < nt; t++)
			for (int d = DAYS; d >= 1; d--)
				for (int k = 0; k < per; k++) {
					int64_t delay = (int64_t)(r32() % 600000) - 60000;
					int64_t dur = r32() % 50 == 0 ? -1
						: (int64_t)(60000 + r32() % 3000000);

					snprintf(day, sizeof day, "-%d", d);
					fc_history_add(h, id, day, types[t], mod,
						       delay, dur);
				}
		for (int k = 0; b % 5 == 0 && k < 6; k++)
			fc_history_add_rerun(h, id, "ach", 30000 + r32() % 600000);
	}
	fc_history_finish(h);
	return h;
}

static unsigned long long mix(unsigned long long x, const struct fc_dist *d)
{
	for (size_t i = 0; i < d->n; i++)
		x = x * 1000003 + (unsigned long long)d->ms[i];
	return x;
}

static unsigned long long answers(struct fc_history **h)
{
	unsigned long long digest = 0;
	char id[32], mod[16];

	for (int s = 0; s < SHARDS; s++)
		for (int b = 0; b < BILLERS + 3; b++)
			for (int t = 0; t < 3; t++) {
				struct fc_dist dur, delay, w, rr, recent;
				static fc_ms ms[RECENT_MAX];
				enum fc_source src, ws;
				unsigned long long x;

				biller_id(id, sizeof id, b, s);
				module_name(mod, sizeof mod, (b + t) % 14);
				src = fc_history_pick(h[s], id, types[t], mod,
						      (size_t)(b % 40), &dur, &delay);
				ws = fc_history_wider(h[s], src, id, types[t], mod,
						      (size_t)(b % 40), &w);
				if (!fc_history_reruns(h[s], id, types[t], &rr))
					rr.n = 0;
				recent.n = fc_history_recent(h[s], id, types[t], ms,
							     RECENT_MAX);
				recent.ms = ms;
				x = (unsigned long long)src * 31 + ws;
				x = mix(mix(mix(mix(mix(x, &dur), &delay), &w), &rr),
					&recent);
				digest ^= x + (digest << 6) + (digest >> 2);
			}
	return digest;
}

/* The bytes malloc has handed out (0 where glibc cannot say). */
static size_t heap_used(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;	/* big blocks are mmapped */
#else
	return 0;
#endif
}

int main(int argc, char **argv)
{
	static struct fc_history *h[SHARDS];
	size_t before = heap_used(), after, sum = 0;
	struct fc_dist dur, delay;
	static char ids[BILLERS][32];
	double best = 0;
	size_t bytes = 0;

	fleet = argc > 1 && !strcmp(argv[1], "--fleet");
	for (int s = 0; s < SHARDS; s++) {
		h[s] = one_shard(s);
		bytes += fc_history_bytes(h[s]);
	}
	after = heap_used();
	printf("histories of %d shards x %d billers (%zu closes a shard): "
	       "%.1f MB of heap, %.1f KB a shard (fc_history_bytes %.1f KB)\n",
	       SHARDS, BILLERS, fc_history_closes(h[0]),
	       (double)(after - before) / 1e6,
	       (double)(after - before) / SHARDS / 1e3,
	       (double)bytes / SHARDS / 1e3);
	printf("answers digest: %llx\n", answers(h));
	/* The ids made beforehand; the least of three rounds (a loaded
	 * machine only ever adds). */
	for (int b = 0; b < BILLERS; b++)
		biller_id(ids[b], sizeof ids[b], b, 7);
	for (int round = 0; round < 3; round++) {
		double t0 = now_ns(), ns;

		for (int i = 0; i < PICKS; i++)
			sum += fc_history_pick(h[7], ids[(i * 7) % BILLERS], "ach",
					       "mod1", 3, &dur, &delay);
		ns = (now_ns() - t0) / PICKS;
		if (round == 0 || ns < best)
			best = ns;
	}
	printf("fc_history_pick: %.0f ns a call [%zu]\n", best, sum % 10);
	for (int s = 0; s < SHARDS; s++)
		fc_history_unref(h[s]);
	return 0;
}
