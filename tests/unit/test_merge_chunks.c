/*
 * test_merge_chunks.c - the biller array in shared chunks (core/snapshot.h):
 * a merge copies only the chunks holding a changed or new biller and
 * shares the others; every home is referenced once by each chunk that
 * holds it, so it is freed exactly once, when the last snapshot showing it
 * goes (the ASan build of scripts/check finds a leak, a double free or a
 * read after free here).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/snapshot.h"

static const struct batch_kind words = { "d", "ach", "m", "running", "", "" };
static const struct batch_kind bad_words = {
	"d", "ach", "m", "", "", "status NULL",
};

/* Biller id (k) at the end of s, in a home of its own with nb batches;
 * gen tells one poll's copy of it from another's. */
static struct biller *add(struct snapshot *s, unsigned k, int nb, int gen)
{
	struct biller *b = snapshot_add_biller(s);
	struct arena *a = arena_new_sized(256);
	char id[16], name[24];

	snprintf(id, sizeof id, "b%03u", k);
	snprintf(name, sizeof name, "Biller %u", k);
	b->home = a;
	b->biller_id = arena_strdup(a, id);
	b->name = arena_strdup(a, name);
	b->timezone = "";
	b->shard = s->shard;
	b->batches = nb ? arena_alloc(a, (size_t)nb * sizeof *b->batches) : NULL;
	b->nbatches = (size_t)nb;
	for (int j = 0; j < nb; j++) {
		memset(&b->batches[j], 0, sizeof b->batches[j]);
		b->batches[j].batch_id = b->biller_id;
		/* A bad row now and then, none in the first poll's. */
		b->batches[j].kind = (gen * 3 + j) % 11 == 5 ? &bad_words : &words;
		s->nbad += batch_is_bad(&b->batches[j]);
		b->batches[j].error_message = "";
		b->batches[j].attempts = gen;
	}
	biller_summarize(b);
	s->nbatches += (size_t)nb;
	return b;
}

static struct snapshot *base_of(unsigned n)
{
	struct snapshot *s = snapshot_new(0, "m");

	for (unsigned k = 0; k < n; k++)
		add(s, k, 1, 0);
	s->names_id = snapshot_names_id_new();
	return s;
}

static size_t nchunks(const struct snapshot *s)
{
	return (s->nbillers + BILLER_CHUNK - 1) / BILLER_CHUNK;
}

/* Only the chunks with a change are new; the others are base's, and each
 * home is referenced by the chunks that hold it, no more. */
static void test_merge_copies_changed_chunks(void **state)
{
	unsigned n = BILLER_CHUNK * 6 + 3;	/* a partial last chunk */
	struct snapshot *base = base_of(n), *d;
	struct arena *carried = snapshot_biller(base, 1)->home;
	struct arena *alone = snapshot_biller(base, BILLER_CHUNK + 1)->home;
	struct arena *replaced = snapshot_biller(base, 3)->home;
	struct arena *fresh;
	size_t changed = 2 * BILLER_CHUNK + 5;
	char id[24];

	(void)state;
	d = snapshot_new(0, "m");
	fresh = add(d, 3, 2, 1)->home;
	add(d, (unsigned)changed, 1, 1);
	add(d, n, 1, 1);		/* new: appended to the partial chunk */
	d = snapshot_merge(base, d);

	assert_int_equal(d->nbillers, n + 1);
	assert_int_equal(d->nbatches, n + 1 + 1);
	for (size_t i = 0; i < nchunks(d); i++) {
		bool touched = i == 0 || i == changed / BILLER_CHUNK ||
			       i == nchunks(base) - 1;

		if (touched)
			assert_ptr_not_equal(d->chunks[i], base->chunks[i]);
		else
			assert_ptr_equal(d->chunks[i], base->chunks[i]);
	}
	/* A shared chunk: one reference for both snapshots. */
	assert_int_equal(arena_refs(alone), 1);
	/* Carried into a copied chunk: base's and d's. */
	assert_int_equal(arena_refs(carried), 2);
	/* Replaced: base's alone; the new one d's alone. */
	assert_int_equal(arena_refs(replaced), 1);
	assert_int_equal(arena_refs(fresh), 1);
	assert_ptr_equal(snapshot_biller(d, 3)->home, fresh);
	assert_int_equal(snapshot_biller(d, 3)->nbatches, 2);
	snprintf(id, sizeof id, "b%03u", n);
	assert_string_equal(snapshot_biller(d, n)->biller_id, id);
	assert_int_equal(snapshot_biller(base, 3)->nbatches, 1);

	/* base goes: the replaced block with it, the rest stay for d. */
	snapshot_unref(base);
	assert_int_equal(arena_refs(carried), 1);
	assert_int_equal(arena_refs(alone), 1);
	snprintf(id, sizeof id, "Biller %d", BILLER_CHUNK + 1);
	assert_string_equal(snapshot_biller(d, BILLER_CHUNK + 1)->name, id);
	assert_string_equal(snapshot_biller(d, 1)->biller_id, "b001");
	snapshot_unref(d);
}

/* The same biller twice in one poll: the second wins, and the first's
 * home is neither kept nor leaked. */
static void test_merge_same_biller_twice(void **state)
{
	struct snapshot *base = base_of(BILLER_CHUNK * 2), *d;
	struct arena *first, *second;

	(void)state;
	d = snapshot_new(0, "m");
	first = add(d, 5, 3, 1)->home;
	second = add(d, 5, 2, 2)->home;
	d = snapshot_merge(base, d);
	assert_int_equal(d->nbillers, BILLER_CHUNK * 2);
	assert_int_equal(d->nbatches, BILLER_CHUNK * 2 - 1 + 2);
	assert_ptr_equal(snapshot_biller(d, 5)->home, second);
	assert_int_equal(arena_refs(second), 1);
	(void)first;	/* freed with d's own table: ASan says if not */
	snapshot_unref(base);
	snapshot_unref(d);
}

/* Every home of the live snapshots referenced exactly once by each
 * distinct chunk holding it. */
static void check_refs(struct snapshot *const *live, size_t nlive)
{
	const struct biller_chunk *seen[64 * 8];
	size_t nseen = 0;

	for (size_t l = 0; l < nlive; l++)
		for (size_t i = 0; i < nchunks(live[l]); i++) {
			const struct biller_chunk *c = live[l]->chunks[i];
			bool dup = false;

			for (size_t j = 0; j < nseen && !dup; j++)
				dup = seen[j] == c;
			if (!dup) {
				assert_true(nseen < sizeof seen / sizeof *seen);
				seen[nseen++] = c;
			}
		}
	for (size_t j = 0; j < nseen; j++)
		for (unsigned k = 0; k < seen[j]->n; k++) {
			struct arena *h = seen[j]->b[k].home;
			int want = 0;

			for (size_t m = 0; m < nseen; m++)
				for (unsigned q = 0; q < seen[m]->n; q++)
					want += seen[m]->b[q].home == h;
			assert_int_equal(arena_refs(h), want);
		}
}

/* A long chain of merges, the older snapshots dropped in any order, some
 * merges dropped unpublished (a failed poll): the counts stay exact all
 * along, and freeing every snapshot frees every block. */
static void test_merge_chain_refs(void **state)
{
	struct snapshot *live[4];
	size_t nlive = 1;
	unsigned seed = 7, n = BILLER_CHUNK * 4 + 1;

	(void)state;
	live[0] = base_of(n);
	for (int gen = 1; gen <= 300; gen++) {
		struct snapshot *top = live[nlive - 1];
		struct snapshot *d = snapshot_new(0, "m");
		int nchanged = (int)(rand_r(&seed) % 6);

		for (int i = 0; i < nchanged; i++) {
			unsigned k = (unsigned)rand_r(&seed) % (n + 2);

			add(d, k, (int)(rand_r(&seed) % 4), gen);
		}
		d = snapshot_merge(top, d);
		if (rand_r(&seed) % 8 == 0) {
			snapshot_unref(d);	/* never published */
		} else {
			if (nlive == 4 || (nlive > 1 && rand_r(&seed) % 2)) {
				size_t drop = (size_t)rand_r(&seed) % (nlive - 1);

				snapshot_unref(live[drop]);
				memmove(&live[drop], &live[drop + 1],
					(nlive - drop - 1) * sizeof *live);
				nlive--;
			}
			live[nlive++] = d;
			if (d->nbillers > n)
				n = (unsigned)d->nbillers;
		}
		check_refs(live, nlive);
		for (size_t l = 0; l < nlive; l++) {
			size_t nb = 0, nbad = 0;

			for (size_t i = 0; i < live[l]->nbillers; i++) {
				const struct biller *b = snapshot_biller(live[l], i);

				nb += b->nbatches;
				for (size_t j = 0; j < b->nbatches; j++)
					nbad += batch_is_bad(&b->batches[j]);
			}
			assert_int_equal(live[l]->nbatches, nb);
			assert_int_equal(live[l]->nbad, nbad);
		}
	}
	for (size_t l = 0; l < nlive; l++)
		snapshot_unref(live[l]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_copies_changed_chunks),
		cmocka_unit_test(test_merge_same_biller_twice),
		cmocka_unit_test(test_merge_chain_refs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
