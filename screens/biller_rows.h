/*
 * biller_rows.h - the biller detail's batch lines (screens/biller_rows.c),
 * private to screens/biller*.c.  UI thread only.
 */
#ifndef BT_BILLER_ROWS_H
#define BT_BILLER_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "ui/draw.h"

/* "HH:MM" of instant t at UTC offset off seconds ("-" when unknown). */
void biller_hhmm(char *buf, size_t n, int64_t t, int off);
/* How a batch is painted at now, by its state and deadline. */
enum paint biller_batch_paint(const struct batch *t, int64_t now);
/* Batch t's cells, in the columns of the headings, into buf (times at
 * UTC offset off); the error class takes the rest of the line. */
void biller_batch_row(char *buf, size_t n, const struct batch *t, int off,
		      int64_t now);
struct hold;
/* One line about hold h for the detail (times at UTC offset off): who
 * held it, since when, why, what it selects, and its expiry or that it
 * is due for release at now. */
void biller_hold_line(char *buf, size_t n, const struct hold *h, int off,
		      int64_t now);
/* Which rule judges open batch t of b and what it says, for the line
 * under its row: "forecast from 23 closes of this biller: ends 23:41
 * (p95 23:55), 35% to miss: AT RISK", or "fixed rule: at risk past 75% of
 * its window (too few closes to forecast)".  False (buf empty) for a
 * batch that is not open.  *paint gets its colour. */
bool biller_forecast_words(char *buf, size_t n, const struct app *app,
			   const struct biller *b, const struct batch *t,
			   int off, enum paint *paint);
/* One note of the detail's notes block: time (at UTC offset off), kind,
 * author, its batch, whether an acknowledgement stands, and its text. */
struct note;
void biller_note_line(char *buf, size_t n, const struct note *x, int off);
/* The column headings on row y. */
void biller_rows_headings(int y);

#endif
