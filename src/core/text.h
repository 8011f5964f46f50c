/*
 * text.h - the one sanitizer for untrusted text, and display-width helpers.
 *
 * Every string that comes from a shard, New Relic or libpq passes through
 * text_sanitize() before it is stored for drawing.  The result is valid
 * UTF-8 with no C0/C1 controls, no DEL and no bidi overrides, so it can be
 * handed to curses as it is.  The width helpers work on sanitized text only.
 *
 * What becomes what: TAB a space; other C0 controls, DEL, C1 controls,
 * noncharacters and U+2028/U+2029 U+FFFD; invalid UTF-8 one U+FFFD per
 * maximal invalid subsequence; bidi controls and invisible format
 * characters (U+061C, U+00AD, U+180E, U+200B-U+200F, U+202A-U+202E,
 * U+2060-U+206F, U+FEFF, U+FFF9-U+FFFB, tags) are removed.
 *
 * The sanitizer does not depend on the locale and is safe from any thread.
 * text_width() and text_fit() use wcwidth() under the process's UTF-8
 * LC_CTYPE and belong to the UI thread.
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

/* The bytes text_sanitize() would return, not counting the NUL (to size
 * a block before filling it, core/arena.h). */
size_t text_sanitized_len(const char *src, size_t len);

/* Display columns of sanitized UTF-8 text. */
int text_width(const char *s);

/* The bytes (at least 1) and display columns of the one character at s,
 * sanitized text with *s != '\0'; for wrapping and sideways scrolling. */
size_t text_char_width(const char *s, int *cols);

/* Write s into dst fitted to exactly cols display columns: cut (the last
 * column is then "~", padded before it when a wide character would not
 * fit whole) or padded with spaces.  right != 0 aligns right.  Returns the
 * bytes written, not counting the NUL.  With dst of at least cols * 4 + 1
 * bytes the result is exactly cols columns; a smaller dst is never
 * overrun, but the result may then be narrower. */
size_t text_fit(char *dst, size_t dstsz, const char *s, int cols, int right);

/* Case-insensitive (ASCII and Latin letters folded simply) substring test. */
bool text_contains_ci(const char *hay, const char *needle);
/* Where needle (not empty) first occurs in hay by the same folding, and
 * in *len (may be NULL) how many bytes of hay it covers; NULL when it does
 * not occur. */
const char *text_find_ci(const char *hay, const char *needle, size_t *len);

/* --- identifiers ---------------------------------------------------------
 * Ids are kept as the shard sent them (they are keys); these show them.
 * text_needs_escape() is true when sanitizing would change s (a zero-width
 * or bidi character, a control, invalid UTF-8...), so two ids that differ
 * only there would look the same on screen.  text_escape() spells every
 * such character out: a code point as "<U+200B>", each byte of invalid
 * UTF-8 as "<0xFF>"; the rest is copied.  Caller frees. */
bool text_needs_escape(const char *s);
char *text_escape(const char *s);

/* Is s valid UTF-8?  text_utf8_repair(): a copy with each maximal invalid
 * subsequence replaced by U+FFFD and nothing else changed (caller frees). */
bool text_utf8_valid(const char *s);
/* The bytes of the one valid UTF-8 character at s (n bytes left), or 0 when
 * what starts there is not one (invalid, overlong, a surrogate, cut short). */
size_t text_utf8_char(const char *s, size_t n);
char *text_utf8_repair(const char *s);

/* --- fixed buffers --------------------------------------------------------- */
/* The length of s[0..len) without a UTF-8 character cut short at its end. */
size_t text_utf8_trim(const char *s, size_t len);
/* snprintf that, when it must cut, cuts only at a character boundary;
 * returns the bytes written. */
size_t text_printf(char *dst, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
