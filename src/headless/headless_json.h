/*
 * headless_json.h - the collected view as JSON (doc/json-format.md).
 */
#ifndef BT_HEADLESS_JSON_H
#define BT_HEADLESS_JSON_H

#include <stdio.h>

/* The "batchtop_json" field: raised only when a field changes meaning or
 * goes away (new fields may appear without it). */
#define HEADLESS_JSON_VERSION 2

struct app;

/* Print it to out.  Returns 0, or -1 when out reports an error. */
int headless_json_print(const struct app *app, FILE *out);

#endif
