/*
 * headless_prom.h - `--once --format prometheus`: the snapshot in the
 * Prometheus text exposition format, version 0.0.4 (what node_exporter's
 * textfile collector reads).  Used by headless.c only; the label helpers
 * are exposed for the unit tests.
 */
#ifndef BT_HEADLESS_PROM_H
#define BT_HEADLESS_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct app;

/* The longest label value written, in bytes: a status longer than this
 * (from a shard, so untrusted) is cut at a character boundary. */
#define HEADLESS_PROM_LABEL_MAX 64

/* Print every metric of app's collected view (batchtop(1), PROMETHEUS
 * METRICS).  wall_ms is the local time of the run.  Returns 0, or -1 when
 * out reports an error. */
int headless_prom_print(const struct app *app, int64_t wall_ms, FILE *out);

/* s made fit for a label value: sanitized (valid UTF-8, no controls) and
 * cut to fit dst (at most n bytes with the NUL).  Returns dst. */
char *headless_prom_label_value(char *dst, size_t n, const char *s);

/* Write a label value between its double quotes, escaped as the format
 * wants: backslash, double quote and line feed as \\, \" and \n. */
void headless_prom_escape(FILE *out, const char *s);

#endif
