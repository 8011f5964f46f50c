/*
 * report_svg.h - the timeline of the HTML report (report_svg.c says what
 * each mark is).
 */
#ifndef BT_REPORT_SVG_H
#define BT_REPORT_SVG_H

#include <stdio.h>

#include "core/night.h"

/* Print the night's timeline as one <svg> element. */
void report_svg(const struct night *n, FILE *out);

#endif
