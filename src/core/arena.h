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

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);		/* 16-byte aligned */
const char *arena_strdup(struct arena *a, const char *s);
/* Sanitize untrusted text (NULL gives "") into the arena. */
const char *arena_sanitize(struct arena *a, const char *s, size_t len);
/* A byte-exact copy of len bytes (an identifier) plus a NUL. */
const char *arena_memdup(struct arena *a, const char *s, size_t len);

#endif
