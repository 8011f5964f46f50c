/*
 * main.c - command line, configuration, and the start and end of a run.
 *
 * Everything that can be wrong with the command line, the configuration
 * or the keymap is reported on stderr before the terminal is touched.
 */
#include "autoconf.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "app/app.h"
#include "write/audit.h"
#include "core/config.h"
#include "data/config_file.h"
#include "headless/headless.h"
#include "report/report.h"
#include "ui/keymap.h"
#include "data/log.h"
#include "data/newrelic.h"
#include "data/thread_util.h"
#include "write/rerun.h"
#include "screens/screens.h"
#include "ui/ui.h"
#include "core/xalloc.h"

enum {
	OPT_CHECK_CONFIG = 256, OPT_HELP_KEYS, OPT_HELP_CONFIG, OPT_ONCE,
	OPT_FORMAT, OPT_CHECK, OPT_WALLBOARD, OPT_KIOSK, OPT_AUDIT,
	OPT_OUTPUT, OPT_NIGHT
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
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "night", required_argument, NULL, OPT_NIGHT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: batchtop [OPTION]...\n"
"       batchtop audit [-c FILE]\n"
"       batchtop report [-c FILE] [--format md|html|json] [--output FILE]\n"
"                       [--night YYYY-MM-DD]\n"
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
"      --audit         print the audit trail of reruns and exit: a table on a\n"
"                      terminal, whole tab-separated values into a pipe\n"
"                      (the same as the subcommand `batchtop audit`)\n"
"report: write the night's handoff report (the wave, failures, reruns, holds,\n"
"notes, missed payment files, what is still open) from every shard and the\n"
"audit trail: Markdown (default), a self-contained HTML page or JSON\n"
"      --output FILE   write it to FILE (default: stdout)\n"
"      --night DAY     the business day YYYY-MM-DD (default: the latest)\n"
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
"Holds (contract v3): h hold the selected (or marked) billers, H every\n"
"hold (there: u release the marked in stages, x write off their invoices).\n"
"\n"
"Notes (grid and detail, shards of contract v3): A acknowledges the selected\n"
"(or marked) failures, n adds a note, audited first, operators only; c on\n"
"the grid marks every change seen (underlined names, \"3 new since 01:12\").\n"
"\n"
"Exit status: 0 normal quit; 64 bad command line; 65 no terminal;\n"
"70 internal error; 78 bad configuration or keymap; 128+N killed by signal N.\n"
"audit: 0 printed (bad lines are reported and skipped), 66 the audit log\n"
"cannot be read.\n"
"--once: 0 every shard read, 3 some shard could not be read (the rest is printed),\n"
"74 the output could not be written.\n"
"report: 0 written, 3 written with some shard marked unreadable, 74 not written.\n"
"--check: 0 OK, 1 WARNING (at risk, or a shard or New Relic stale or down,\n"
"or every failure acknowledged with check_acked_warning = true),\n"
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

/* The width of the terminal on fd, 0 when fd is not a terminal (audit
 * prints whole values then). */
static int terminal_width(int fd)
{
	struct winsize ws;
	const char *env;

	if (!isatty(fd))
		return 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	env = getenv("COLUMNS");
	return env && atoi(env) > 0 ? atoi(env) : 80;
}

/* batchtop audit: the audit trail (a table on a terminal, whole values into
 * a pipe).  It needs neither a terminal nor a shard; the configuration only
 * says where the trail is. */
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
	status = audit_print(path, stdout, stderr, terminal_width(STDOUT_FILENO));
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

/* What the command line asks for. */
struct opts {
	const char *config_path, *log_path, *format_name;
	int verbose, check_config, help_keys, readonly;
	int once, check, wallboard, kiosk, audit, report;
	const char *output, *night;	/* batchtop report */
	int format;			/* enum headless_format, -1 if not given */
};

/* main()'s steps return this to go on to the next, or an exit status. */
#define GO_ON (-1)

/* getopt, and the arguments after the options. */
static int parse_options(int argc, char **argv, struct opts *o)
{
	char why[128];
	int opt, status;

	memset(o, 0, sizeof *o);
	o->format = -1;
	o->check = wants_check(argc, argv);
	while ((opt = getopt_long(argc, argv, "c:rl:vhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c': o->config_path = optarg; break;
		case 'r': o->readonly = 1; break;
		case 'l': o->log_path = optarg; break;
		case 'v': o->verbose++; break;
		case OPT_CHECK_CONFIG: o->check_config = 1; break;
		case OPT_HELP_KEYS: o->help_keys = 1; break;
		case OPT_HELP_CONFIG: print_config_options(); return BT_EXIT_OK;
		case OPT_ONCE: o->once = 1; break;
		case OPT_FORMAT: o->format_name = optarg; break;
		case OPT_CHECK: o->check = 1; break;
		case OPT_WALLBOARD: o->wallboard = 1; break;
		case OPT_KIOSK: o->wallboard = o->kiosk = 1; break;
		case OPT_AUDIT: o->audit = 1; break;
		case OPT_OUTPUT: o->output = optarg; break;
		case OPT_NIGHT: o->night = optarg; break;
		case 'h': usage(stdout); return BT_EXIT_OK;
		case 'V': printf("batchtop %s\n", PACKAGE_VERSION); return BT_EXIT_OK;
		default:
			usage(stderr);
			return o->check ? fail_usage(o->check, "bad command line (see --help)")
					: BT_EXIT_USAGE;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "audit")) {
		o->audit = 1;
		optind++;
	} else if (optind < argc && !strcmp(argv[optind], "report")) {
		o->report = 1;
		optind++;
	}
	if (optind < argc) {
		snprintf(why, sizeof why, "unexpected argument \"%.64s\"",
			 argv[optind]);
		status = fail_usage(o->check, why);
		usage(stderr);
		return status;
	}
	return GO_ON;
}

/* The options that go together, and batchtop audit, which needs nothing
 * more. */
/* A business day as --night takes it: YYYY-MM-DD. */
static bool is_day(const char *s)
{
	int y, m, d, n = 0;

	return sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 &&
	       !s[n] && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* batchtop report's options; GO_ON when they are right. */
static int check_report(struct opts *o)
{
	if (!o->report) {
		if (o->output || o->night)
			return fail_usage(o->check, "--output and --night go "
					  "with batchtop report");
		return GO_ON;
	}
	if (o->once + o->check + o->wallboard + o->audit + o->check_config +
	    o->help_keys)
		return fail_usage(o->check, "report goes with no other mode");
	o->format = o->format_name ? report_format_from_name(o->format_name)
				   : REPORT_MD;
	if (o->format < 0)
		return fail_usage(0, "report --format takes md, html or json");
	if (o->night && !is_day(o->night))
		return fail_usage(0, "--night takes a day as YYYY-MM-DD");
	return GO_ON;
}

static int check_modes(struct opts *o)
{
	if (o->output || o->night || o->report)
		return check_report(o);
	if (o->format_name) {
		o->format = headless_format_from_name(o->format_name);
		if (o->format < 0 || !o->once)
			return fail_usage(o->check, o->format < 0
				? "--format takes table, json, csv or prometheus"
				: "--format goes with --once");
	}
	if (o->audit && o->check)
		return fail_usage(o->check, "audit goes with no other mode");
	if (o->audit)
		return audit_main(o->config_path, o->once + o->check + o->wallboard);
	if (o->once + o->check + o->wallboard > 1)
		return fail_usage(o->check, "--once, --check and --wallboard "
				  "exclude one another");
	if (o->check && (o->check_config || o->help_keys))
		return fail_usage(o->check, "--check goes with neither "
				  "--check-config nor --help-keys");
	return GO_ON;
}

/* After "no configuration file": what a first-time user needs to go on. */
static void how_to_start(FILE *out, bool default_path)
{
	fprintf(out,
		"To start, write %s (or give another with --config FILE).\n"
		"The smallest file that works names one shard:\n"
		"\n"
		"    [shard.main]\n"
		"    dsn = host=db.example.com dbname=billing user=oncall\n"
		"\n"
		"Every option is in 'man batchtop.conf' (batchtop --help-config "
		"lists them);\n"
		"scripts/demo in the source tree shows batchtop on demo shards.\n",
		default_path ? "that file" : "it");
}

/* The configuration file into cfg (config_load() fills in the defaults
 * itself).  --help-keys without a file shows the defaults: it needs no
 * shards. */
static int load_config(const struct opts *o, struct config *cfg)
{
	const char *path = o->config_path;
	char *default_path = NULL, *err = NULL;
	int status = GO_ON;

	if (!path)
		path = default_path = config_default_path();
	if (o->help_keys && (!path || access(path, F_OK) != 0)) {
		struct keymap *km = keymap_new_default();

		print_keys(km);
		keymap_free(km);
		status = BT_EXIT_OK;
	} else if (!path) {
		status = fail_config(o->check, "no configuration: set HOME or "
				     "XDG_CONFIG_HOME, or give --config FILE");
	} else if (config_load(cfg, path, &err) < 0) {
		bool missing = access(path, F_OK) != 0 && errno == ENOENT;

		if (missing && default_path) {
			free(err);
			err = xasprintf("no configuration file at %s", path);
		}
		status = fail_config(o->check, err);
		if (missing && !o->check)
			how_to_start(stderr, default_path != NULL);
		free(err);
	}
	free(default_path);
	/* The wallboard is read-only by construction, whatever the file says. */
	if (o->readonly || o->wallboard)
		cfg->readonly = true;
	return status;
}

/* The keymap and the [newrelic] settings, checked; --help-keys and
 * --check-config print what they found and end the run. */
static int load_rest(const struct opts *o, const struct config *cfg,
		     struct keymap **km, struct newrelic_conf *nrc)
{
	char *err = NULL, *msg;
	int status;

	*km = keymap_new_default();
	if (cfg->keymap && keymap_load_file(*km, cfg->keymap, &err) < 0) {
		status = fail_config(o->check, err);
		free(err);
		return status;
	}
	if (o->help_keys) {
		print_keys(*km);
		return BT_EXIT_OK;
	}
	newrelic_conf_from(nrc, cfg);
	if (newrelic_configured(nrc) && (err = newrelic_conf_check(nrc))) {
		msg = xasprintf("%s: [newrelic] %s", cfg->path, err);
		status = fail_config(o->check, msg);
		free(msg);
		free(err);
		return status;
	}
	if (o->check_config) {
		printf("%s: ok, %zu shard%s:", cfg->path, cfg->nshards,
		       cfg->nshards == 1 ? "" : "s");
		for (size_t i = 0; i < cfg->nshards; i++)
			printf(" %s", cfg->shards[i].name);
		printf("\n");
		return BT_EXIT_OK;
	}
	return GO_ON;
}

/* --once and --check: no terminal involved; stdout is the data, stderr
 * the rest.  New Relic's health is one more source when configured. */
static int run_headless(const struct opts *o, const struct config *cfg,
			const struct newrelic_conf *nrc)
{
	const char *log_path = o->log_path ? o->log_path : cfg->log_file;
	const struct newrelic_conf *nr = newrelic_configured(nrc) ? nrc : NULL;
	char *msg;
	int status;

	if (open_log(log_path, o->verbose) < 0) {
		if (!o->check)
			return BT_EXIT_CONFIG;
		msg = xasprintf("%s: cannot open the log", log_path);
		status = headless_check_unknown(msg, stdout, stderr);
		free(msg);
		return status;
	}
	if (o->check)
		return headless_check(cfg, nr, stdout, stderr);
	return headless_once(cfg, nr, (enum headless_format)
			     (o->format < 0 ? HEADLESS_TABLE : o->format),
			     stdout, stderr);
}

/* batchtop report: the night into a file or stdout; no terminal. */
static int run_report(const struct opts *o, const struct config *cfg)
{
	if (open_log(o->log_path ? o->log_path : cfg->log_file, o->verbose) < 0)
		return BT_EXIT_CONFIG;
	return report_main(cfg, (enum report_format)o->format, o->output,
			   o->night, stderr);
}

/* The dashboard, from the terminal check to the last thread stopped.
 * Signal handlers go in before any thread starts; a New Relic key that
 * cannot be read stops us before the terminal is touched. */
static int run_tui(const struct opts *o, struct config *cfg, struct keymap *km,
		   const struct newrelic_conf *nrc)
{
	struct app app;
	char *err = NULL;
	int status;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "batchtop: needs a terminal on stdin and stdout\n");
		return BT_EXIT_NOTTY;
	}
	if (open_log(o->log_path ? o->log_path : cfg->log_file, o->verbose) < 0)
		return BT_EXIT_CONFIG;
	ui_signals_install();
	if (app_open(&app, cfg, km, APP_TUI,
		     newrelic_configured(nrc) ? nrc : NULL, &err) < 0) {
		fprintf(stderr, "batchtop: %s\n", err);
		free(err);
		return BT_EXIT_CONFIG;
	}
	app.wallboard = o->wallboard;
	app.kiosk = o->kiosk;
	log_msg(LOG_INFO, "batchtop %s started with %zu shards%s%s", PACKAGE_VERSION,
		cfg->nshards, cfg->readonly ? " (read-only)" : "",
		app.kiosk ? " as a kiosk wallboard"
		: app.wallboard ? " as a wallboard" : "");
	rerun_init(&app);
	status = ui_run(&app, app.wallboard ? &screen_wallboard : &screen_grid,
			&screen_help);
	if (app.exit_note) {
		fputs(app.exit_note, stderr);
		free(app.exit_note);
	}
	rerun_shutdown();
	app_close(&app);
	log_msg(LOG_INFO, "batchtop stopped (status %d)", status);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct config cfg;
	struct keymap *km = NULL;
	struct newrelic_conf nrc;
	int status;

	thread_one_malloc_arena();	/* before the first thread */
	ensure_utf8_locale();
	memset(&cfg, 0, sizeof cfg);
	status = parse_options(argc, argv, &o);
	if (status == GO_ON)
		status = check_modes(&o);
	if (status == GO_ON)
		status = load_config(&o, &cfg);
	if (status == GO_ON)
		status = load_rest(&o, &cfg, &km, &nrc);
	if (status == GO_ON)
		status = o.report ? run_report(&o, &cfg)
			 : o.once || o.check ? run_headless(&o, &cfg, &nrc)
			 : run_tui(&o, &cfg, km, &nrc);
	/* The one way out: every step above has stopped what it started. */
	log_close();
	keymap_free(km);
	config_free(&cfg);
	return status;
}
