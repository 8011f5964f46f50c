/*
 * action_report.c - report_say() (see action_report.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "write/action_report.h"

void report_say(const struct action_report *r, struct app *app,
		enum report_level level, const char *fmt, ...)
{
	char text[800];
	va_list ap;

	if (!r || !r->message)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	r->message(app, level, text);
}
