/*
 * actions.h - every user action batchtop knows, declared once.
 *
 * ACTIONS(X) expands X(ENUM, "name", "help text") for each action.  From this
 * one list come the enum (ACT_*), the names accepted in keymap files and the
 * lines of the help screen, so the three can never disagree.
 */
#ifndef BT_ACTIONS_H
#define BT_ACTIONS_H

#define ACTIONS(X) \
	X(NONE,        "none",        "Do nothing (unbinds a key)") \
	X(QUIT,        "quit",        "Quit (asks first while a plan or request is unfinished)") \
	X(HELP,        "help",        "Show the keys of this screen") \
	X(BACK,        "back",        "Close this screen / clear the filter") \
	X(REDRAW,      "redraw",      "Repaint the whole terminal") \
	X(UP,          "up",          "Move the selection up") \
	X(DOWN,        "down",        "Move the selection down") \
	X(PAGE_UP,     "page-up",     "Move up one page") \
	X(PAGE_DOWN,   "page-down",   "Move down one page") \
	X(HOME,        "home",        "Jump to the first row") \
	X(END,         "end",         "Jump to the last row") \
	X(SORT_NEXT,   "sort-next",   "Cycle the sort key") \
	X(SORT_REVERSE,"sort-reverse","Reverse the sort order") \
	X(FILTER,      "filter",      "Filter rows by text") \
	X(TOGGLE_DEMO, "toggle-demo", "Show or hide demo billers") \
	X(REFRESH,     "refresh",     "Poll every shard now") \
	X(OPEN,        "open",        "Open the selected biller or line") \
	X(LOGS,        "logs",        "Logs of the selected biller or batch") \
	X(MISSED,      "missed",      "Closes that missed the hour") \
	X(AUTOPAY,     "autopay",     "Failed autopay invoices on every shard") \
	X(RERUN,       "rerun",       "Rerun the selected (or marked) items") \
	X(MARK,        "mark",        "Mark or unmark the selected row") \
	X(MARK_FAILED, "mark-failed", "Mark every failed non-demo biller") \
	X(MARK_ALL,    "mark-all",    "Mark every row shown (again: unmark them)") \
	X(BULK_RERUN,  "bulk-rerun",  "Rerun the marked billers as a staged plan") \
	X(PLAN_PAUSE,  "plan-pause",  "Pause or resume the bulk rerun plan") \
	X(PLAN_CANCEL, "plan-cancel", "Cancel the rest of the bulk rerun plan") \
	X(SEARCH,      "search",      "Search forward for text") \
	X(SEARCH_NEXT, "search-next", "Next match") \
	X(SEARCH_PREV, "search-prev", "Previous match") \
	X(FOLLOW,      "follow",      "Follow new lines as they are written") \
	X(WRAP,        "wrap",        "Wrap long lines, or scroll them sideways") \
	X(LEVEL,       "level",       "Cycle the lowest level shown") \
	X(SAVE,        "save",        "Write the lines in view to a file") \
	X(LEFT,        "left",        "Scroll left") \
	X(RIGHT,       "right",       "Scroll right") \
	X(PERIOD,      "period",      "Cycle tonight, 7 and 30 business days") \
	X(GROUP,       "group",       "Cycle grouping: payment type, module, biller") \
	X(FREEZE,      "freeze",      "Hold the display still (Z or Esc resumes)") \
	X(HANDOFF,     "handoff-report", "Write the night's handoff report to a file") \
	X(HOLD,        "hold",        "Place a hold on the selected (or marked) billers") \
	X(HOLDS,       "holds",       "Every hold of every shard") \
	X(RELEASE,     "release",     "Release the marked holds as a staged plan") \
	X(WRITE_OFF,   "write-off",   "Write off the invoices the marked holds keep back") \
	X(FORECAST,    "forecast",    "The night ahead: closes predicted running, predicted misses") \
	X(ACKNOWLEDGE, "acknowledge", "Acknowledge the selected (or marked) failures on their shard") \
	X(NOTE,        "note",        "Add a note on the selected biller or batch") \
	X(MARK_SEEN,   "mark-seen",   "Mark every change seen (clears the new-since marks)")

enum action {
#define BT_ACTION_ENUM(e, name, help) ACT_##e,
	ACTIONS(BT_ACTION_ENUM)
#undef BT_ACTION_ENUM
	ACT__COUNT
};

/* The keymap name of an action ("sort-next"); never NULL. */
const char *action_name(enum action a);
/* Its one-line help text; never NULL. */
const char *action_help(enum action a);
/* Look an action up by keymap name; returns -1 when there is none. */
int action_from_name(const char *name);

#endif
