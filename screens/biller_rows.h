/*
 * biller_rows.h - the biller detail's batch lines (screens/biller_rows.c),
 * private to screens/biller*.c.  UI thread only.
 */
#ifndef BT_BILLER_ROWS_H
#define BT_BILLER_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "ui/draw.h"

/* "HH:MM" of instant t at UTC offset off seconds ("-" when unknown). */
void biller_hhmm(char *buf, size_t n, int64_t t, int off);
/* How a batch is painted at now, by its state and deadline. */
enum paint biller_batch_paint(const struct batch *t, int64_t now);
/* Batch t's cells, in the columns of the headings, into buf (times at
 * UTC offset off); the error class takes the rest of the line. */
void biller_batch_row(char *buf, size_t n, const struct batch *t, int off,
		      int64_t now);
/* One note of the detail's notes block: time (at UTC offset off), kind,
 * author, its batch, whether an acknowledgement stands, and its text. */
struct note;
void biller_note_line(char *buf, size_t n, const struct note *x, int off);
/* The column headings on row y. */
void biller_rows_headings(int y);

#endif
