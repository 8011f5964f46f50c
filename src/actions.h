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
	X(QUIT,        "quit",        "Quit batchtop") \
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
	X(REFRESH,     "refresh",     "Poll every shard now")

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
