/*
 * actions.c - names and help lines of the actions, both taken from the one
 * ACTIONS() list in actions.h and indexed by enum action.
 */
#include <string.h>

#include "ui/actions.h"

static const char *const action_names[ACT__COUNT] = {
#define BT_ACTION_NAME(e, name, help) [ACT_##e] = name,
	ACTIONS(BT_ACTION_NAME)
#undef BT_ACTION_NAME
};

static const char *const action_helps[ACT__COUNT] = {
#define BT_ACTION_HELP(e, name, help) [ACT_##e] = help,
	ACTIONS(BT_ACTION_HELP)
#undef BT_ACTION_HELP
};

const char *action_name(enum action a)
{
	if ((unsigned)a >= ACT__COUNT)
		return "?";
	return action_names[a];
}

const char *action_help(enum action a)
{
	if ((unsigned)a >= ACT__COUNT)
		return "";
	return action_helps[a];
}

int action_from_name(const char *name)
{
	for (int a = 0; a < ACT__COUNT; a++)
		if (strcmp(action_names[a], name) == 0)
			return a;
	return -1;
}
