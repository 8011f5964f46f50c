/*
 * main.c - command line, configuration, and the start and end of a run.
 *
 * Everything that can be wrong with the command line, the configuration
 * or the keymap is reported on stderr before the terminal is touched.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "keymap.h"
#include "log.h"
#include "shard_poller.h"
#include "shard_query.h"
#include "ui.h"
#include "view.h"
#include "xalloc.h"

enum { OPT_CHECK_CONFIG = 256, OPT_HELP_KEYS, OPT_HELP_CONFIG };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "readonly", no_argument, NULL, 'r' },
	{ "log", required_argument, NULL, 'l' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "help-keys", no_argument, NULL, OPT_HELP_KEYS },
	{ "help-config", no_argument, NULL, OPT_HELP_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: batchtop [OPTION]...\n"
"Watch tonight's batch closes on every billing shard, live.\n"
"\n"
"  -c, --config FILE   read FILE instead of $XDG_CONFIG_HOME/batchtop/batchtop.conf\n"
"  -r, --readonly      never open a database session that can write\n"
"  -l, --log FILE      write diagnostics to FILE (never to the screen)\n"
"  -v, --verbose       more detail in the log (give twice for debug)\n"
"      --check-config  check the configuration and keymap, print a summary, exit\n"
"      --help-keys     print the active key bindings and exit\n"
"      --help-config   print every configuration option with its default and exit\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n"
"\n"
"Exit status: 0 normal quit; 64 bad command line; 65 no terminal;\n"
"70 internal error; 78 bad configuration or keymap; 128+N killed by signal N.\n"
"See batchtop(1) for the keys and batchtop.conf(5) for the configuration.\n");
}

static void ensure_utf8_locale(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	if (!cs || strcmp(cs, "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");
}

static void print_keys(const struct keymap *km)
{
	struct binding b[256];
	char key[32];

	for (size_t s = 0; keymap_screens[s]; s++) {
		size_t n = keymap_bindings(km, keymap_screens[s], b, 256);

		if (n > 256)
			n = 256;
		printf("[%s]\n", keymap_screens[s]);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(b[i].screen, keymap_screens[s]) &&
			    strcmp(keymap_screens[s], "generic"))
				continue;	/* generic ones are listed once */
			printf("  %-12s %-14s %s\n",
			       keymap_key_name(b[i].key, key, sizeof key),
			       action_name(b[i].action), action_help(b[i].action));
		}
	}
}

static void print_config_options(void)
{
	const char *section = "";

	for (size_t i = 0; i < config_option_count(); i++) {
		const struct config_option_info *o = config_option(i);

		if (strcmp(o->section, section)) {
			section = o->section;
			printf("%s[%s]\n", i ? "\n" : "", section);
		}
		printf("  %-20s %-8s default %-6s %s", o->name, o->type,
		       *o->def ? o->def : "-", o->doc);
		if (!strcmp(o->type, "integer"))
			printf(" (%d..%d)", o->min, o->max);
		printf("\n");
	}
}

static int open_log(const char *path, int verbose)
{
	enum log_level lvl = verbose >= 2 ? LOG_DEBUG
			     : verbose == 1 ? LOG_INFO : LOG_WARN;

	if (!path)
		return 0;
	if (log_open(path, lvl) < 0) {
		fprintf(stderr, "batchtop: %s: cannot open log: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct app app;
	const char *config_path = NULL, *log_path = NULL;
	char *default_path = NULL, *err = NULL;
	int opt, verbose = 0, check_config = 0, help_keys = 0, readonly = 0;
	int status;

	ensure_utf8_locale();
	while ((opt = getopt_long(argc, argv, "c:rl:vhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'r': readonly = 1; break;
		case 'l': log_path = optarg; break;
		case 'v': verbose++; break;
		case OPT_CHECK_CONFIG: check_config = 1; break;
		case OPT_HELP_KEYS: help_keys = 1; break;
		case OPT_HELP_CONFIG: print_config_options(); return BT_EXIT_OK;
		case 'h': usage(stdout); return BT_EXIT_OK;
		case 'V': printf("batchtop %s\n", PACKAGE_VERSION); return BT_EXIT_OK;
		default: usage(stderr); return BT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "batchtop: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return BT_EXIT_USAGE;
	}

	/* config_load() fills in the defaults itself. */
	memset(&cfg, 0, sizeof cfg);
	if (!config_path)
		config_path = default_path = config_default_path();
	/* --help-keys needs no shards: without a file it shows the defaults. */
	if (help_keys && (!config_path || access(config_path, F_OK) != 0)) {
		free(default_path);
		app.km = keymap_new_default();
		print_keys(app.km);
		keymap_free(app.km);
		config_free(&cfg);
		return BT_EXIT_OK;
	}
	if (!config_path) {
		fprintf(stderr, "batchtop: no configuration: set HOME or "
			"XDG_CONFIG_HOME, or give --config FILE\n");
		config_free(&cfg);
		return BT_EXIT_CONFIG;
	}
	if (config_load(&cfg, config_path, &err) < 0) {
		fprintf(stderr, "batchtop: %s\n", err);
		free(err);
		free(default_path);
		config_free(&cfg);
		return BT_EXIT_CONFIG;
	}
	free(default_path);
	if (readonly)
		cfg.readonly = true;

	memset(&app, 0, sizeof app);
	app.cfg = &cfg;
	app.readonly = cfg.readonly;
	app.km = keymap_new_default();
	if (cfg.keymap && keymap_load_file(app.km, cfg.keymap, &err) < 0) {
		fprintf(stderr, "batchtop: %s\n", err);
		free(err);
		keymap_free(app.km);
		config_free(&cfg);
		return BT_EXIT_CONFIG;
	}
	if (help_keys) {
		print_keys(app.km);
		keymap_free(app.km);
		config_free(&cfg);
		return BT_EXIT_OK;
	}
	if (check_config) {
		printf("%s: ok, %zu shard%s:", cfg.path, cfg.nshards,
		       cfg.nshards == 1 ? "" : "s");
		for (size_t i = 0; i < cfg.nshards; i++)
			printf(" %s", cfg.shards[i].name);
		printf("\n");
		keymap_free(app.km);
		config_free(&cfg);
		return BT_EXIT_OK;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "batchtop: needs a terminal on stdin and stdout\n");
		keymap_free(app.km);
		config_free(&cfg);
		return BT_EXIT_NOTTY;
	}
	if (open_log(log_path ? log_path : cfg.log_file, verbose) < 0) {
		keymap_free(app.km);
		config_free(&cfg);
		return BT_EXIT_CONFIG;
	}

	if (pipe2(app.wake, O_CLOEXEC | O_NONBLOCK) < 0)
		fatal("pipe: %s", strerror(errno));
	ui_signals_install();
	app.npollers = cfg.nshards;
	app.pollers = xcalloc(cfg.nshards, sizeof *app.pollers);
	app.queries = xcalloc(cfg.nshards, sizeof *app.queries);
	app.health = xcalloc(cfg.nshards, sizeof *app.health);
	app.gens = xcalloc(cfg.nshards, sizeof *app.gens);
	view_init(&app.view, cfg.nshards, &cfg);
	for (size_t i = 0; i < cfg.nshards; i++) {
		app.pollers[i] = shard_poller_new((int)i, &cfg.shards[i], &cfg,
						  app.wake[1]);
		shard_poller_read(app.pollers[i], NULL, &app.health[i]);
		if (shard_poller_start(app.pollers[i]) < 0)
			fatal("cannot start the poller of shard %s", cfg.shards[i].name);
		app.queries[i] = shard_query_new((int)i, &cfg.shards[i], &cfg,
						 app.wake[1]);
		if (shard_query_start(app.queries[i]) < 0)
			fatal("cannot start the query worker of shard %s",
			      cfg.shards[i].name);
	}
	log_msg(LOG_INFO, "batchtop %s started with %zu shards%s", PACKAGE_VERSION,
		cfg.nshards, cfg.readonly ? " (read-only)" : "");

	status = ui_run(&app);

	for (size_t i = 0; i < app.npollers; i++)
		shard_poller_stop(app.pollers[i]);
	for (size_t i = 0; i < app.npollers; i++)
		shard_poller_free(app.pollers[i], 2000);
	for (size_t i = 0; i < app.npollers; i++)
		shard_query_free(app.queries[i], 2000);
	free(app.queries);
	view_free(&app.view);
	free(app.pollers);
	free(app.health);
	free(app.gens);
	keymap_free(app.km);
	close(app.wake[0]);
	close(app.wake[1]);
	log_msg(LOG_INFO, "batchtop stopped (status %d)", status);
	log_close();
	config_free(&cfg);
	return status;
}
