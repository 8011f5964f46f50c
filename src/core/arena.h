/*
 * arena.h - memory that lives as long as one snapshot.
 *
 * A poller carves every string and array of a snapshot out of one arena
 * and the last snapshot_unref() frees it in one go.  Not thread-safe: an
 * arena is filled by one thread before the snapshot is published, and
 * only read after.
 */
#ifndef BT_ARENA_H
#define BT_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/* A new arena with one reference. */
struct arena *arena_new(void);
/* A new arena with one reference and room for n bytes, in one malloc
 * block: for what is allocated once and whose size is known (a biller's
 * records, core/snapshot.h).  Allocate the 16-aligned blocks first and the
 * strings after, and n bytes is enough; past n it grows as any arena. */
struct arena *arena_new_sized(size_t n);
/* A number no other arena of this process has had, for life: two
 * references to the same biller home are the same records (core/view_sig.c). */
uint64_t arena_serial(const struct arena *a);
/* Another reference: snapshots of one shard share arenas (core/snapshot.h). */
struct arena *arena_ref(struct arena *a);
/* Drop a reference; the last one frees every chunk. */
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);		/* 16-byte aligned */
char *arena_alloc_bytes(struct arena *a, size_t n);	/* unaligned: text */
/* The bytes handed out so far, and the bytes of its chunks: equal in a
 * sized arena that was sized right. */
size_t arena_used(const struct arena *a);
size_t arena_room(const struct arena *a);
/* Its references now (for tests: another thread may change it). */
int arena_refs(const struct arena *a);
const char *arena_strdup(struct arena *a, const char *s);
/* Sanitize untrusted text (NULL gives "") into the arena. */
const char *arena_sanitize(struct arena *a, const char *s, size_t len);
/* A byte-exact copy of len bytes (an identifier) plus a NUL. */
const char *arena_memdup(struct arena *a, const char *s, size_t len);

/*
 * Interning: one sanitized copy of each distinct value of a low-cardinality
 * column (zones, payment types, modules, statuses), kept in the table's own
 * arena, which snapshots take references to (intern_arena()).  Filled by
 * one thread; the strings it returns never move or change, so readers of
 * earlier snapshots may use them while it grows.
 */
struct intern;

struct intern *intern_new(void);
/* Drops the table's reference to its arena; snapshots keep theirs. */
void intern_free(struct intern *t);
struct arena *intern_arena(const struct intern *t);
size_t intern_count(const struct intern *t);
/* The sanitized, interned copy of s (NULL and "" give ""); past the table's
 * bound the copy goes to fallback instead. */
const char *intern_sanitize(struct intern *t, struct arena *fallback,
			    const char *s, size_t len);
/* Has the table reached its bound?  Past it, intern_sanitize() and
 * intern_exact() copy new values into their fallback instead. */
bool intern_full(const struct intern *t);
/* One 16-aligned copy of each distinct n bytes (compared byte for byte; a
 * struct of pointers to the table's own strings, say: core/snapshot.h's
 * struct batch_kind), in the table's arena, for as long as any snapshot
 * holds it; NULL past the table's bound (the caller keeps its own copy).
 * What the bytes point to must live as long as the table: interned
 * strings or literals, never a copy in a fallback. */
const void *intern_blob(struct intern *t, const void *p, size_t n);
size_t intern_blobs(const struct intern *t);
/* The interned byte-exact copy of s, not sanitized (a name that is a key,
 * such as a shard's); past the bound, a copy in fallback. */
const char *intern_exact(struct intern *t, struct arena *fallback,
			 const char *s);

#endif
