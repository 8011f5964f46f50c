/*
 * action_report.h - how an action (a rerun, a plan) tells the operator
 * what happened without knowing how it is shown.
 *
 * The actions (rerun.c, rerun_order.c, plan.c) run on the UI thread but
 * include no curses and call no ui_*: every word they have for the user
 * goes through the report their caller passed in.  The TUI's report
 * (ui_report.h) puts the text in the status bar; a test may collect it.
 */
#ifndef BT_ACTION_REPORT_H
#define BT_ACTION_REPORT_H

struct app;

enum report_level {
	REPORT_INFO,	/* a passing note: shown for a few seconds */
	REPORT_OUTCOME,	/* an outcome or a refusal: it stays longer */
};

struct action_report {
	void (*message)(struct app *app, enum report_level level,
			const char *text);
};

/* Format and hand a message to r (nothing when r or r->message is NULL). */
void report_say(const struct action_report *r, struct app *app,
		enum report_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
