/*
 * config_file.h - finding and reading the config file.
 *
 * The parsing is core/config.c's; this is the part that touches the file
 * system and the environment.
 */
#ifndef BT_CONFIG_FILE_H
#define BT_CONFIG_FILE_H

#include "core/config.h"

/* Load path on top of the defaults, as config_load_buffer() does with its
 * contents.  A file that cannot be opened or read, or is larger than
 * CONFIG_MAX_FILE, is an error naming path. */
int config_load(struct config *c, const char *path, char **err);

/* $XDG_CONFIG_HOME/batchtop/batchtop.conf (or ~/.config/...); caller frees.
 * NULL when neither an absolute XDG_CONFIG_HOME nor HOME is set. */
char *config_default_path(void);

#endif
