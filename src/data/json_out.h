/*
 * json_out.h - a cJSON tree printed into a string of our own.
 *
 * The audit trail (one JSON object a line), the NerdGraph request body and
 * `--once --format json` all end the same way: print the tree, free it,
 * die on a full heap, and hand back a copy the caller frees with free()
 * (cJSON's own buffer belongs to whatever allocator hooks cJSON has).
 * Kept in data because core may not include cJSON.h.
 */
#ifndef BT_JSON_OUT_H
#define BT_JSON_OUT_H

#include <cJSON.h>

/* root on one line, without a newline; root is deleted.  The caller frees
 * the text.  what names the text in the out-of-memory message. */
char *json_out_line(cJSON *root, const char *what);
/* The same, indented over several lines, for people to read. */
char *json_out_pretty(cJSON *root, const char *what);

#endif
