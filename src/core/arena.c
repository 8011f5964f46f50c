/*
 * arena.c - a list of chunks; everything a snapshot points to is carved
 * out of it and freed in one go when the last reference is dropped.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/text.h"
#include "core/xalloc.h"

#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;
};

struct arena *arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		c = xmalloc(sizeof *c + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

const char *arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	char *d = arena_alloc(a, len + 1);

	memcpy(d, s, len + 1);
	return d;
}

const char *arena_memdup(struct arena *a, const char *s, size_t len)
{
	char *d = arena_alloc(a, len + 1);

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

const char *arena_sanitize(struct arena *a, const char *s, size_t len)
{
	char stack[512];
	char *buf;
	size_t need;
	const char *out;

	if (!s)
		return "";
	if (len == (size_t)-1)
		len = strlen(s);
	/* Every input byte becomes at most one U+FFFD: 3 bytes. */
	need = len * 3 + 1;
	buf = need <= sizeof stack ? stack : xmalloc(need);
	text_sanitize_into(buf, need, s, len);
	out = arena_strdup(a, buf);
	if (buf != stack)
		free(buf);
	return out;
}
