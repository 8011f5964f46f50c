/*
 * headless_csv.h - the collected view as CSV, one line per biller.
 */
#ifndef BT_HEADLESS_CSV_H
#define BT_HEADLESS_CSV_H

#include <stdio.h>

struct app;

/* Print it to out.  Returns 0, or -1 when out reports an error. */
int headless_csv_print(const struct app *app, FILE *out);

/* Write one CSV field (RFC 4180: quoted when it holds a comma, a quote or
 * a line break; text that a spreadsheet would take for a formula gets a
 * leading apostrophe). */
void headless_csv_field(FILE *out, const char *s);

#endif
