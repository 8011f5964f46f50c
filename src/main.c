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
#include "audit.h"
#include "config.h"
#include "headless.h"
#include "keymap.h"
#include "log.h"
#include "newrelic.h"
#include "rerun.h"
#include "shard_poller.h"
#include "shard_query.h"
#include "thread_util.h"
#include "timefmt.h"
#include "ui.h"
#include "view.h"
#include "xalloc.h"

enum {
	OPT_CHECK_CONFIG = 256, OPT_HELP_KEYS, OPT_HELP_CONFIG, OPT_ONCE,
	OPT_FORMAT, OPT_CHECK, OPT_WALLBOARD, OPT_KIOSK, OPT_AUDIT
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "readonly", no_argument, NULL, 'r' },
	{ "log", required_argument, NULL, 'l' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "help-keys", no_argument, NULL, OPT_HELP_KEYS },
	{ "help-config", no_argument, NULL, OPT_HELP_CONFIG },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "wallboard", no_argument, NULL, OPT_WALLBOARD },
	{ "kiosk", no_argument, NULL, OPT_KIOSK },
	{ "audit", no_argument, NULL, OPT_AUDIT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: batchtop [OPTION]...\n"
"       batchtop audit [-c FILE]\n"
"Watch tonight's batch closes on every billing shard, live.\n"
"\n"
"  -c, --config FILE   read FILE instead of $XDG_CONFIG_HOME/batchtop/batchtop.conf\n"
"  -r, --readonly      never open a database session that can write\n"
"  -l, --log FILE      write diagnostics to FILE (never to the screen)\n"
"  -v, --verbose       more detail in the log (give twice for debug)\n"
"      --check-config  check the configuration and keymap, print a summary, exit\n"
"      --help-keys     print the active key bindings and exit\n"
"      --help-config   print every configuration option with its default and exit\n"
"      --wallboard     a read-only board for a TV: large numbers, the billers\n"
"                      that need attention, no action keys (q quits)\n"
"      --kiosk         the wallboard, and q asks before it quits (implies --wallboard)\n"
"      --once          poll every shard once, print the snapshot, exit (no terminal)\n"
"      --format FMT    what --once prints: table (default), json, csv or prometheus\n"
"      --check         poll once, print one line for a monitor (a Nagios plugin),\n"
"                      exit 0/1/2/3\n"
"      --audit         print the audit trail of reruns as a table and exit\n"
"                      (the same as the subcommand `batchtop audit`)\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n"
"\n"
"Reruns (grid): r rerun the selected biller's failed batches, Space mark,\n"
"* mark every failed biller, R rerun the marked as a staged plan, p pause\n"
"and C cancel it, a failed autopay invoices (there: / filter, Space mark,\n"
"r rerun, s sort).  They need the batchtop_operator role, never happen\n"
"with --readonly, and are logged to $XDG_STATE_HOME/batchtop/audit.log\n"
"(or audit_log) before they are sent.  q goes back; on the grid it quits,\n"
"asking first while a plan has batches waiting or a request has no answer\n"
"(those are then recorded as abandoned).  --help-keys lists every key.\n"
"\n"
"Exit status: 0 normal quit; 64 bad command line; 65 no terminal;\n"
"70 internal error; 78 bad configuration or keymap; 128+N killed by signal N.\n"
"audit: 0 printed (bad lines are reported and skipped), 66 the audit log\n"
"cannot be read.\n"
"--once: 0 every shard read, 3 some shard could not be read (the rest is printed),\n"
"74 the output could not be written.\n"
"--check: 0 OK, 1 WARNING (at risk, or a shard or New Relic stale or down),\n"
"2 CRITICAL (failed or late; non-demo billers only), 3 UNKNOWN (no shard\n"
"answered, or a bad configuration or command line).\n"
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

/* batchtop audit: the audit trail as a table.  It needs neither a terminal
 * nor a shard; the configuration only says where the trail is. */
static int audit_main(const char *config_path, int other_modes)
{
	struct config cfg;
	char *default_path = NULL, *err = NULL, *path;
	int status;

	if (other_modes) {
		fprintf(stderr, "batchtop: audit goes with no other mode\n");
		return BT_EXIT_USAGE;
	}
	memset(&cfg, 0, sizeof cfg);
	if (!config_path)
		config_path = default_path = config_default_path();
	if (config_path && (!default_path || access(config_path, F_OK) == 0)) {
		if (config_load(&cfg, config_path, &err) < 0) {
			fprintf(stderr, "batchtop: %s\n", err);
			free(err);
			free(default_path);
			config_free(&cfg);
			return BT_EXIT_CONFIG;
		}
	} else {
		config_defaults(&cfg);
	}
	free(default_path);
	path = audit_path(&cfg);
	status = audit_print(path, stdout, stderr);
	free(path);
	config_free(&cfg);
	return status;
}

/* With --check, a run that cannot even start still speaks the plugin
 * language: "BATCHTOP UNKNOWN: why" on stdout, which the agent reads, and
 * exit 3; the message goes to stderr as always. */
static int fail_usage(int check, const char *why)
{
	if (check)
		return headless_check_unknown(why, stdout, stderr);
	fprintf(stderr, "batchtop: %s\n", why);
	return BT_EXIT_USAGE;
}

static int fail_config(int check, const char *why)
{
	if (check)
		return headless_check_unknown(why, stdout, stderr);
	fprintf(stderr, "batchtop: %s\n", why);
	return BT_EXIT_CONFIG;
}

/* Whether --check is on the command line, looked for before getopt so that
 * even an unknown option next to it gives UNKNOWN. */
static int wants_check(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--check"))
			return 1;
	return 0;
}

/* The [newrelic] options, as the client takes them (strings stay cfg's). */
static void newrelic_conf_from(struct newrelic_conf *nc, const struct config *cfg)
{
	newrelic_conf_defaults(nc);
	nc->account_id = cfg->nr_account_id;
	nc->region = cfg->nr_region;
	nc->endpoint = cfg->nr_endpoint;
	nc->api_key_file = cfg->nr_api_key_file;
	nc->allow_insecure_endpoint = cfg->nr_allow_insecure;
	nc->poll_interval = cfg->nr_poll_interval;
	nc->errors_nrql = cfg->nr_errors_nrql;
	nc->logs_nrql = cfg->nr_logs_nrql;
}

/* How long the quit waits for background threads, all together. */
#define STOP_WAIT_MS 2000

int main(int argc, char **argv)
{
	int64_t stop_deadline;
	struct config cfg;
	struct app app;
	const char *config_path = NULL, *log_path = NULL;
	char *default_path = NULL, *err = NULL;
	int opt, verbose = 0, check_config = 0, help_keys = 0, readonly = 0;
	int once = 0, check = 0, wallboard = 0, kiosk = 0, format = -1;
	int audit = 0;
	const char *format_name = NULL;
	char why[128];
	struct newrelic_conf nrc;
	const struct newrelic_conf *nr;
	int status;

	ensure_utf8_locale();
	check = wants_check(argc, argv);
	while ((opt = getopt_long(argc, argv, "c:rl:vhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'r': readonly = 1; break;
		case 'l': log_path = optarg; break;
		case 'v': verbose++; break;
		case OPT_CHECK_CONFIG: check_config = 1; break;
		case OPT_HELP_KEYS: help_keys = 1; break;
		case OPT_HELP_CONFIG: print_config_options(); return BT_EXIT_OK;
		case OPT_ONCE: once = 1; break;
		case OPT_FORMAT: format_name = optarg; break;
		case OPT_CHECK: check = 1; break;
		case OPT_WALLBOARD: wallboard = 1; break;
		case OPT_KIOSK: wallboard = kiosk = 1; break;
		case OPT_AUDIT: audit = 1; break;
		case 'h': usage(stdout); return BT_EXIT_OK;
		case 'V': printf("batchtop %s\n", PACKAGE_VERSION); return BT_EXIT_OK;
		default:
			usage(stderr);
			return check ? fail_usage(check, "bad command line (see --help)")
				     : BT_EXIT_USAGE;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "audit")) {
		audit = 1;
		optind++;
	}
	if (optind < argc) {
		snprintf(why, sizeof why, "unexpected argument \"%.64s\"",
			 argv[optind]);
		status = fail_usage(check, why);
		usage(stderr);
		return status;
	}
	if (format_name) {
		format = headless_format_from_name(format_name);
		if (format < 0 || !once)
			return fail_usage(check, format < 0
				? "--format takes table, json, csv or prometheus"
				: "--format goes with --once");
	}
	if (audit && check)
		return fail_usage(check, "audit goes with no other mode");
	if (audit)
		return audit_main(config_path, once + check + wallboard);
	if (once + check + wallboard > 1)
		return fail_usage(check, "--once, --check and --wallboard exclude "
				  "one another");
	if (check && (check_config || help_keys))
		return fail_usage(check, "--check goes with neither --check-config "
				  "nor --help-keys");

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
		config_free(&cfg);
		return fail_config(check, "no configuration: set HOME or "
				   "XDG_CONFIG_HOME, or give --config FILE");
	}
	if (config_load(&cfg, config_path, &err) < 0) {
		status = fail_config(check, err);
		free(err);
		free(default_path);
		config_free(&cfg);
		return status;
	}
	free(default_path);
	/* The wallboard is read-only by construction, whatever the file says. */
	if (readonly || wallboard)
		cfg.readonly = true;

	memset(&app, 0, sizeof app);
	app.cfg = &cfg;
	app.readonly = cfg.readonly;
	app.wallboard = wallboard;
	app.kiosk = kiosk;
	app.km = keymap_new_default();
	if (cfg.keymap && keymap_load_file(app.km, cfg.keymap, &err) < 0) {
		status = fail_config(check, err);
		free(err);
		keymap_free(app.km);
		config_free(&cfg);
		return status;
	}
	if (help_keys) {
		print_keys(app.km);
		keymap_free(app.km);
		config_free(&cfg);
		return BT_EXIT_OK;
	}
	newrelic_conf_from(&nrc, &cfg);
	if (newrelic_configured(&nrc) && (err = newrelic_conf_check(&nrc))) {
		char *msg = xasprintf("%s: [newrelic] %s", cfg.path, err);

		status = fail_config(check, msg);
		free(msg);
		free(err);
		keymap_free(app.km);
		config_free(&cfg);
		return status;
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
	if (once || check) {
		/* No terminal involved: stdout is the data, stderr the rest. */
		keymap_free(app.km);
		if (open_log(log_path ? log_path : cfg.log_file, verbose) < 0) {
			if (check) {
				char *msg = xasprintf("%s: cannot open the log",
						      log_path ? log_path : cfg.log_file);

				status = headless_check_unknown(msg, stdout, stderr);
				free(msg);
			} else {
				status = BT_EXIT_CONFIG;
			}
			config_free(&cfg);
			return status;
		}
		/* New Relic's health is one more source when configured. */
		nr = newrelic_configured(&nrc) ? &nrc : NULL;
		status = once ? headless_once(&cfg, nr, (enum headless_format)
					      (format < 0 ? HEADLESS_TABLE : format),
					      stdout, stderr)
			      : headless_check(&cfg, nr, stdout, stderr);
		log_close();
		config_free(&cfg);
		return status;
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
	/* New Relic: curl is set up before any thread starts; a key that
	 * cannot be read stops us here, before the terminal is touched. */
	if (newrelic_configured(&nrc)) {
		if (newrelic_global_init() < 0)
			fatal("cannot initialise libcurl");
		app.nr = newrelic_new(&nrc, app.wake[1], &err);
		if (!app.nr) {
			fprintf(stderr, "batchtop: %s: [newrelic] %s\n", cfg.path, err);
			free(err);
			newrelic_global_cleanup();
			close(app.wake[0]);
			close(app.wake[1]);
			keymap_free(app.km);
			log_close();
			config_free(&cfg);
			return BT_EXIT_CONFIG;
		}
		app.nr_health = xcalloc(1, sizeof *app.nr_health);
		app.nr_gen = newrelic_read(app.nr, NULL, app.nr_health);
	}
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
	if (app.nr && newrelic_start(app.nr) < 0)
		fatal("cannot start the New Relic client");
	log_msg(LOG_INFO, "batchtop %s started with %zu shards%s%s", PACKAGE_VERSION,
		cfg.nshards, cfg.readonly ? " (read-only)" : "",
		app.kiosk ? " as a kiosk wallboard"
		: app.wallboard ? " as a wallboard" : "");

	rerun_init(&app);
	status = ui_run(&app);
	if (app.exit_note) {
		fputs(app.exit_note, stderr);
		free(app.exit_note);
		app.exit_note = NULL;
	}
	rerun_shutdown();

	/* Ask every thread to stop before waiting for any, then wait for
	 * them all against one deadline: shards stuck where no stop request
	 * reaches cost the quit STOP_WAIT_MS in all, not that much each. */
	for (size_t i = 0; i < app.npollers; i++) {
		shard_poller_stop(app.pollers[i]);
		shard_query_stop(app.queries[i]);
	}
	if (app.nr)
		newrelic_stop(app.nr);
	stop_deadline = mono_ms() + STOP_WAIT_MS;
	for (size_t i = 0; i < app.npollers; i++)
		shard_poller_free(app.pollers[i], thread_ms_left(stop_deadline));
	for (size_t i = 0; i < app.npollers; i++)
		shard_query_free(app.queries[i], thread_ms_left(stop_deadline));
	if (app.nr) {
		newrelic_free(app.nr, thread_ms_left(stop_deadline));
		newrelic_errors_unref(app.nr_errs);
		free(app.nr_health);
		newrelic_global_cleanup();
	}
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
