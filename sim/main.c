/*
 * main.c - batchtop-sim: the command line, signals and the main loop.
 *
 * Every ~250 ms each shard gets one transaction: due closes start, running
 * closes finish or fail, the rerun queue moves, and the job_log lines of
 * all that are written.  A shard that is down is retried every couple of
 * seconds while the others go on.  SIGINT and SIGTERM only set a flag; the
 * loop notices it, finishes the shard it is on and exits.
 */
#ifdef HAVE_CONFIG_H
#include "autoconf.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advance.h"
#include "night.h"
#include "rerun.h"
#include "seed.h"
#include "shard.h"
#include "sim.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define TICK_SECONDS 0.25
#define EXIT_USAGE 64

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fputs(
"usage: batchtop-sim --shard DSN [--shard DSN ...] [options]\n"
"\n"
"Plays a multi-shard billing platform for batchtop's demo and tests: seeds\n"
"each shard's batchtop schema with billers, tonight's batch closes, autopay\n"
"failures and past business days, then advances the closes (scheduled,\n"
"running, closed or failed) and works the rerun queue, in compressed time.\n"
"Tonight and the past days follow one model: each biller's closes are due at\n"
"its local schedule (the 23:00 wave of each time zone; tonight's quiet hours\n"
"between the zones' waves left out), their deadline is the :45 file run 15\n"
"to 45 minutes later, and a close starts after a short delay and takes a\n"
"time set by the biller's size, stretched when more than 4 closes of the\n"
"shard are due within 10 minutes of it, with noise and a few slow outliers.\n"
"\n"
"  -s, --shard DSN          a libpq connection string (key=value or URI);\n"
"                           repeat for each shard, at least one.  Ids are\n"
"                           prefixed with the database name, so give each\n"
"                           shard its own database name\n"
"  -b, --billers N          billers per shard (default 40)\n"
"      --seed S             random seed; the same seed seeds the same data\n"
"                           (default 1)\n"
"      --speed X            time compression (default 60: the 45-minute\n"
"                           close window lasts 45 s, the night 6 to 11\n"
"                           minutes)\n"
"      --duration SECONDS   stop after that long (default: until SIGINT or\n"
"                           SIGTERM)\n"
"      --history-days D     past business days of finished closes to seed\n"
"                           (default 14; weekends skipped, and the days\n"
"                           less than 48 hours behind, whose evenings could\n"
"                           fall within night_hours of tonight)\n"
"      --fail-rate F        fraction of tonight's closes that fail, 0..1\n"
"                           (default 0.15)\n"
"      --file-period SECONDS  real seconds from one payment-file run to the\n"
"                           next (default 3600 / speed: 60 at speed 60);\n"
"                           tonight's deadlines are the :45 runs of this\n"
"                           clock, counted from midnight UTC, as batchtop's\n"
"                           payment_file_period counts them\n"
"      --fail-reruns N      every rerun request on the Nth --shard (1 = the\n"
"                           first) fails, as on a shard in trouble; the\n"
"                           others fail at random as usual (default: none)\n"
"      --nights N           nights to play (default 1); 0 plays one after\n"
"                           another: when a night is over (every close\n"
"                           finished, no rerun open, its last deadline\n"
"                           passed), the next business day's closes are\n"
"                           scheduled and the night that ended is moved a\n"
"                           day back, out of batchtop's \"tonight\"\n"
"      --reset              empty the batchtop tables of every shard first\n"
"      --no-seed            seed nothing; only advance what is there\n"
"  -v, --verbose            report every transition on stderr\n"
"  -h, --help               show this help\n"
"  -V, --version            show the version\n"
"\n"
"All timestamps come from the server's clock.  A shard that goes down is\n"
"retried every 2 s.  Exit status: 0 when stopped, 1 when a shard was never\n"
"reachable, 64 on a bad command line.\n", out);
}

static _Noreturn void bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void bad_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "batchtop-sim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'batchtop-sim --help'.\n");
	exit(EXIT_USAGE);
}

static double parse_double(const char *s, const char *what, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "batchtop-sim: %s must be a number from %g to %g, not '%s'\n",
			what, lo, hi, s);
		exit(EXIT_USAGE);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct sim_config *cfg)
{
	enum { OPT_SEED = 256, OPT_SPEED, OPT_DURATION, OPT_HISTORY, OPT_FAIL,
	       OPT_RESET, OPT_NO_SEED, OPT_FILE_PERIOD, OPT_NIGHTS,
	       OPT_FAIL_RERUNS };
	static const struct option longopts[] = {
		{ "shard", required_argument, NULL, 's' },
		{ "billers", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "history-days", required_argument, NULL, OPT_HISTORY },
		{ "fail-rate", required_argument, NULL, OPT_FAIL },
		{ "file-period", required_argument, NULL, OPT_FILE_PERIOD },
		{ "nights", required_argument, NULL, OPT_NIGHTS },
		{ "fail-reruns", required_argument, NULL, OPT_FAIL_RERUNS },
		{ "reset", no_argument, NULL, OPT_RESET },
		{ "no-seed", no_argument, NULL, OPT_NO_SEED },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*cfg = (struct sim_config){
		.billers = 40, .seed = 1, .speed = 60, .history_days = 14, .fail_rate = 0.15,
		.nights = 1,
	};
	cfg->dsns = sim_xmalloc((size_t)argc * sizeof *cfg->dsns);
	while ((c = getopt_long(argc, argv, "s:b:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg->dsns[cfg->nshards++] = optarg;
			break;
		case 'b':
			cfg->billers = (int)parse_double(optarg, "--billers", 1, 9999);
			break;
		case OPT_SEED: {
			char *end;

			errno = 0;
			cfg->seed = strtoull(optarg, &end, 0);
			if (errno || end == optarg || *end)
				bad_usage("--seed must be a whole number, not '%s'", optarg);
			break;
		}
		case OPT_SPEED:
			cfg->speed = parse_double(optarg, "--speed", 0.01, 100000);
			break;
		case OPT_DURATION:
			cfg->duration = parse_double(optarg, "--duration", 0, 1e9);
			break;
		case OPT_HISTORY:
			cfg->history_days = (int)parse_double(optarg, "--history-days", 0, 366);
			break;
		case OPT_FAIL:
			cfg->fail_rate = parse_double(optarg, "--fail-rate", 0, 1);
			break;
		case OPT_FILE_PERIOD:
			cfg->file_period = parse_double(optarg, "--file-period", 1, 86400);
			break;
		case OPT_NIGHTS:
			cfg->nights = (int)parse_double(optarg, "--nights", 0, 10000);
			break;
		case OPT_FAIL_RERUNS:
			cfg->fail_reruns = (int)parse_double(optarg, "--fail-reruns", 1, 9999);
			break;
		case OPT_RESET:
			cfg->reset = true;
			break;
		case OPT_NO_SEED:
			cfg->no_seed = true;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("batchtop-sim %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			fprintf(stderr, "Try 'batchtop-sim --help'.\n");
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (cfg->nshards == 0)
		bad_usage("at least one --shard DSN is needed");
	if (cfg->fail_reruns > cfg->nshards)
		bad_usage("--fail-reruns %d: there are only %d shards", cfg->fail_reruns,
			  cfg->nshards);
	if (cfg->file_period == 0)
		cfg->file_period = 3600.0 / cfg->speed;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* One transaction of work on one shard. */
static void tick(struct shard *s, const struct sim_config *cfg)
{
	PGresult *res;
	double server_now;
	bool ok;
	/* What a rolled-back transaction did not do is not counted. */
	struct shard_counts counts = s->counts;
	long finished = s->finished_this_run, failed = s->failed_this_run;

	if (!shard_begin(s))
		return;
	res = shard_query(s, "SELECT extract(epoch FROM now())::float8", 0, NULL);
	if (!res) {
		shard_rollback(s);
		return;
	}
	server_now = strtod(PQgetvalue(res, 0, 0), NULL);
	PQclear(res);
	ok = advance_start_due(s, cfg) && advance_finish_running(s, cfg) &&
	     rerun_finish(s, cfg, server_now) && rerun_pickup(s, cfg, server_now) &&
	     night_next_if_over(s, cfg) && shard_flush_logs(s) && shard_commit(s);
	if (!ok) {
		shard_rollback(s);
		s->counts = counts;
		s->finished_this_run = finished;
		s->failed_this_run = failed;
	}
}

static void sleep_until(double when)
{
	double left = when - sim_now();
	struct timespec ts;

	if (left <= 0 || stop_requested)
		return;
	ts.tv_sec = (time_t)left;
	ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);	/* a signal cuts it short, which is the point */
}

int main(int argc, char **argv)
{
	struct sim_config cfg;
	struct shard *shards;
	double start, next;
	int status = 0;

	parse_args(argc, argv, &cfg);
	sim_set_verbose(cfg.verbose);
	install_signals();

	shards = sim_xmalloc((size_t)cfg.nshards * sizeof *shards);
	for (int i = 0; i < cfg.nshards; i++)
		shard_init(&shards[i], i + 1, cfg.dsns[i]);

	start = next = sim_now();
	while (!stop_requested) {
		if (cfg.duration > 0 && sim_now() - start >= cfg.duration)
			break;
		for (int i = 0; i < cfg.nshards && !stop_requested; i++) {
			struct shard *s = &shards[i];

			if (!shard_is_up(s) && (sim_now() < s->retry_at || !shard_connect(s)))
				continue;
			if (!s->prepared) {
				s->prepared = seed_prepare(s, &cfg);
				if (!s->prepared)
					continue;
			}
			tick(s, &cfg);
		}
		next += TICK_SECONDS;
		if (next < sim_now())
			next = sim_now();
		sleep_until(next);
	}

	for (int i = 0; i < cfg.nshards; i++) {
		struct shard *s = &shards[i];

		if (!s->ever_connected) {
			sim_warn("%s: never reachable", shard_label(s));
			status = 1;
		} else {
			sim_warn("%s: %ld started, %ld closed, %ld failed, reruns %ld done / %ld failed",
				 shard_label(s), s->counts.started, s->counts.closed, s->counts.failed,
				 s->counts.reruns_done, s->counts.reruns_failed);
		}
		shard_free(s);
	}
	free(shards);
	free(cfg.dsns);
	return status;
}
