/*
 * text.h - the one sanitizer for untrusted text, and display-width helpers.
 *
 * Every string that comes from a shard, New Relic or libpq passes through
 * text_sanitize() before it is stored for drawing.  The result is valid
 * UTF-8 with no C0/C1 controls, no DEL and no bidi overrides, so it can be
 * handed to curses as it is.  The width helpers work on sanitized text only.
 */
#ifndef BT_TEXT_H
#define BT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Sanitize len bytes of src (len == (size_t)-1: up to the NUL) into a new
 * NUL-terminated string; the caller frees it.  src may be NULL (returns ""). */
char *text_sanitize(const char *src, size_t len);

/* The same into dst (at most dstsz bytes including the NUL, never splitting
 * a character); returns the bytes written, not counting the NUL. */
size_t text_sanitize_into(char *dst, size_t dstsz, const char *src, size_t len);

/* Display columns of sanitized UTF-8 text. */
int text_width(const char *s);

/* Write s into dst fitted to exactly cols display columns: cut (ending with
 * "~" when something was cut) or padded with spaces.  right != 0 aligns
 * right.  Returns the bytes written, not counting the NUL.  dst must hold
 * at least cols * 4 + 1 bytes. */
size_t text_fit(char *dst, size_t dstsz, const char *s, int cols, int right);

/* Case-insensitive (ASCII and Latin letters folded simply) substring test. */
bool text_contains_ci(const char *hay, const char *needle);

#endif
