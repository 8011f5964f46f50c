/*
 * ui.c - terminal set-up and restore, signals, the screen stack and the
 * event loop.
 *
 * Signal handlers only set flags (or, for crashes, restore the terminal
 * with async-signal-safe calls and re-raise).  The loop polls stdin and
 * the wake pipe with a timeout that ends at the next whole second of shard
 * time, so countdowns tick on the second and data never waits for a key.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>

#include "write/action_loop.h"
#include "write/note_order.h"
#include "ui/confirm.h"
#include "ui/draw.h"
#include "ui/keymap.h"
#include "data/log.h"
#include "ui/screen.h"
#include "core/timefmt.h"
#include "ui/ui.h"
#include "core/xalloc.h"

/* News after this long without any is taken at once (take_snapshots). */
#define UI_SNAPSHOT_MS 1000

static volatile sig_atomic_t got_quit_signal;
static volatile sig_atomic_t curses_active;
static struct termios saved_tio;
static int saved_tio_ok;
/* Escape sequences to undo curses, captured while it is up, so the crash
 * handler can write them without calling into curses. */
static char restore_seq[256];
static size_t restore_len;
/* stderr while curses owns the terminal points at the log (or /dev/null):
 * a library that prints would otherwise scroll the screen. */
static int saved_stderr = -1;

static void stderr_divert(void)
{
	int fd = log_fileno();
	int null = -1;

	if (fd < 0)
		fd = null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	fflush(stderr);
	saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (saved_stderr >= 0)
		dup2(fd, STDERR_FILENO);
	if (null >= 0)
		close(null);
}

/* Async-signal-safe: the crash handler uses it too. */
static void stderr_restore(void)
{
	if (saved_stderr < 0)
		return;
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
}

static void on_quit_signal(int sig)
{
	got_quit_signal = sig;
}

static void on_crash(int sig)
{
	if (curses_active) {
		ssize_t n = write(STDOUT_FILENO, restore_seq, restore_len);

		(void)n;
		if (saved_tio_ok)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	}
	stderr_restore();	/* so a sanitizer's report is seen */
	signal(sig, SIG_DFL);
	raise(sig);
}

void ui_signals_install(void)
{
	struct sigaction sa;
	static const int quit_sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
	static const int crash_sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit_signal;
	for (size_t i = 0; i < sizeof quit_sigs / sizeof quit_sigs[0]; i++)
		sigaction(quit_sigs[i], &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof crash_sigs / sizeof crash_sigs[0]; i++)
		sigaction(crash_sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void add_seq(const char *cap)
{
	char *s = tigetstr((char *)cap);
	size_t len;

	if (!s || s == (char *)-1)
		return;
	len = strlen(s);
	if (restore_len + len < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, len);
		restore_len += len;
	}
}

/* Keys as terminals send them whether or not the terminfo entry says so:
 * inside tmux or screen with TERM=xterm-256color, Home is ESC [ 1 ~, which
 * that entry does not know, so curses would hand over Esc, '[', '1', '~'.
 * Each sequence curses does not know yet is taught it (define_key), for
 * the keys batchtop binds; a sequence the entry already has is left as it
 * is.  Both cursor modes are covered: ESC [ x (normal) and ESC O x (keypad
 * transmit, which keypad() turns on).  The keypad's digits (ESC O p to
 * ESC O y in application mode) are left alone: a plan's count is typed
 * with them. */
static void define_missing_keys(void)
{
	static const struct {
		const char *seq;
		int key;
	} extra[] = {
		{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END },	/* tmux, screen, linux */
		{ "\033[7~", KEY_HOME }, { "\033[8~", KEY_END },	/* rxvt */
		{ "\033OH", KEY_HOME }, { "\033OF", KEY_END },	/* xterm, keypad mode */
		{ "\033[H", KEY_HOME }, { "\033[F", KEY_END },	/* xterm, normal mode */
		{ "\033[5~", KEY_PPAGE }, { "\033[6~", KEY_NPAGE },
		{ "\033[2~", KEY_IC }, { "\033[3~", KEY_DC },
		{ "\033[A", KEY_UP }, { "\033[B", KEY_DOWN },
		{ "\033[C", KEY_RIGHT }, { "\033[D", KEY_LEFT },
		{ "\033OA", KEY_UP }, { "\033OB", KEY_DOWN },
		{ "\033OC", KEY_RIGHT }, { "\033OD", KEY_LEFT },
		{ "\033OM", KEY_ENTER },				/* keypad Enter */
	};

	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
		if (key_defined(extra[i].seq) == 0)
			define_key(extra[i].seq, extra[i].key);
}

static void ui_restore(void)
{
	if (!curses_active)
		return;
	curses_active = 0;
	endwin();
	stderr_restore();
}

static void ui_start(void)
{
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		saved_tio_ok = 1;
	if (!initscr())
		fatal("cannot initialise the terminal");
	/* What endwin() would undo, in its order: attributes, keypad
	 * transmit mode (else the shell gets ESC O A for Up after a crash),
	 * the cursor, the alternate screen. */
	add_seq("sgr0");
	add_seq("rmkx");
	add_seq("cnorm");
	add_seq("rmcup");
	curses_active = 1;
	stderr_divert();
	fatal_set_cleanup(ui_restore);
	atexit(ui_restore);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	define_missing_keys();
	nodelay(stdscr, TRUE);
	/* Without it, doupdate() stops every few lines to poll stdin for a
	 * key that would cut the update short, writing out what it has so
	 * far first: a frame went out as dozens of 12-byte writes (80 a
	 * second and 43 polls at 20 shards, strace), each one a wake-up of
	 * the terminal too.  A frame here is a few hundred bytes; a key is
	 * read after it, within the same turn of the loop. */
	typeahead(-1);
	set_escdelay(50);
	curs_set(0);
	leaveok(stdscr, TRUE);
}

/* The screen of the help action, given to ui_run(). */
static const struct screen *help_screen;

/* --- the loop ------------------------------------------------------------- */

static void drain_wake(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

/* --- quitting ------------------------------------------------------------ */

/* The counts are read again at every draw: the plan keeps sending while
 * the question is up. */
static size_t quit_nlines(void *ctx)
{
	(void)ctx;
	return 1;
}

static void quit_line(struct app *app, void *ctx, size_t i, char *buf, size_t n,
		      enum paint *p)
{
	char what[160];

	(void)app;
	(void)ctx;
	(void)i;
	if (!actions_undone_words(what, sizeof what))
		snprintf(what, sizeof what, "nothing is left undone now");
	snprintf(buf, n, "%s: quit anyway? y/N", what);
	*p = PAINT_WARN;
}

static void quit_answer(struct app *app, void *ctx, bool yes, const char *typed)
{
	(void)ctx;
	(void)typed;
	/* No stays without a word: the plan's line says what goes on. */
	if (yes)
		app->quit = true;
}

/* The quit action: at once when nothing is left undone; else ask, because
 * what is still waiting would never be sent. */
static void quit_request(struct app *app)
{
	struct confirm c;
	char what[160];

	if (!actions_undone_words(what, sizeof what)) {
		app->quit = true;
		return;
	}
	memset(&c, 0, sizeof c);
	c.title = "Quit batchtop?";
	c.prompt = "y: quit; what is left is recorded as abandoned in the audit "
		   "log.  Any other key: stay";
	c.nlines = quit_nlines;
	c.line = quit_line;
	c.answer = quit_answer;
	if (!confirm_open(app, &c))
		screen_message(app, "cannot ask now: close this dialog first");
}

static const char *signal_word(int sig)
{
	switch (sig) {
	case SIGTERM: return "stopped by SIGTERM";
	case SIGHUP: return "stopped by SIGHUP (the terminal went away)";
	case SIGINT: return "stopped by SIGINT";
	case SIGQUIT: return "stopped by SIGQUIT";
	default: return "stopped by a signal";
	}
}

static void handle_key(struct app *app, int ch)
{
	const struct screen_slot *top = screen_top(app);
	const struct screen *s = top->s;
	enum action act;

	if (ch == KEY_RESIZE) {
		for (int i = 0; i < app->depth; i++)
			if (app->stack[i].s->resize)
				app->stack[i].s->resize(app, app->stack[i].st);
		app->dirty = true;
		return;
	}
	act = keymap_lookup(app->km, s->name, ch);
	app->dirty = true;
	if (s->key && s->key(app, top->st, act, ch))
		return;
	switch (act) {
	case ACT_QUIT:
		quit_request(app);
		break;
	case ACT_HELP:
		if (s != help_screen)
			screen_push(app, help_screen, s);
		break;
	case ACT_BACK:
		screen_pop(app);
		break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		break;
	case ACT_REFRESH:
		for (size_t i = 0; i < app->npollers; i++)
			shard_poller_refresh(app->pollers[i]);
		/* New Relic too: after a rejected key this is how the user
		 * says "try again now" without waiting for the slow retry. */
		app_newrelic_refresh(app);
		screen_message(app, app->nr ? "polling every shard and New Relic now"
				       : "polling every shard now");
		break;
	default:
		break;
	}
}

static void draw(struct app *app)
{
	const struct screen_slot *top = screen_top(app);

	if (!draw_too_small())
		top->s->draw(app, top->st);
	wnoutrefresh(stdscr);
	doupdate();
	app->dirty = false;
}

/* A fleet's pollers publish a hundred snapshots a second: the first news
 * after a quiet spell (UI_SNAPSHOT_MS) is taken at once, a burst's with
 * the next second's tick (tick: this turn is one), so the view is rebuilt
 * and the screen drawn once a second with the countdowns, not once per
 * shard's poll (four times a second before: each rebuild walks the
 * shards with news, each draw the screen; bench-fleet).  True when news
 * was taken; *deferred when some waits for the tick. */
static bool take_snapshots(struct app *app, int64_t *at, bool tick,
			   bool *deferred)
{
	*deferred = false;
	if (!tick && app->mono - *at < UI_SNAPSHOT_MS) {
		*deferred = app_snapshots_waiting(app);
		return false;
	}
	if (!app_collect_snapshots(app))
		return false;
	*at = app->mono;
	return true;
}

/* Once a minute in the debug log (-vv): what the rebuilds of the minute
 * were asked to do, so that their cost can be told by its causes
 * (core/view.h, view.why; core/forecast.h, fc_memo_counts). */
struct rebuild_counts {
	int64_t at;		/* mono ms of the last line */
	size_t rebuilds;
	struct view_why why;
	struct fc_memo_counts fc;
};

static void log_rebuild_counts(const struct app *app, struct rebuild_counts *c)
{
	const struct view *v = &app->view;
	struct fc_memo_counts fc = fc_memo_counts(v->fc.memo);

	if (app->mono - c->at < 60000)
		return;
	if (c->at)
		log_msg(LOG_DEBUG, "view: %zu rebuilds in %lld s; evaluations: "
			"%zu of every biller, %zu changed, %zu due; %zu kept "
			"(same input); billers of new snapshots: %zu looked at, "
			"%zu in shared chunks; forecasts: %llu remembered, %llu new to "
			"the memo, %llu run out; until_above: %llu remembered, "
			"%llu made",
			(size_t)v->rebuilds - c->rebuilds,
			(long long)(app->mono - c->at) / 1000,
			v->why.all - c->why.all, v->why.changed - c->why.changed,
			v->why.time - c->why.time, v->why.kept - c->why.kept,
			v->why.visited - c->why.visited,
			v->why.shared - c->why.shared,
			(unsigned long long)(fc.hits - c->fc.hits),
			(unsigned long long)(fc.absent - c->fc.absent),
			(unsigned long long)(fc.expired - c->fc.expired),
			(unsigned long long)(fc.above_hits - c->fc.above_hits),
			(unsigned long long)(fc.above - c->fc.above));
	c->at = app->mono;
	c->rebuilds = v->rebuilds;
	c->why = v->why;
	c->fc = fc;
}

/* Milliseconds to the next second of the clock the screen shows. */
static int to_next_second(const struct app *app)
{
	int64_t wait = 1000 - ((app->now != BT_NO_TIME ? app->now : app->mono) % 1000);

	return wait <= 0 || wait > 1000 ? 1000 : (int)wait;
}

int ui_run(struct app *app, const struct screen *root,
	   const struct screen *help)
{
	struct rebuild_counts counts = { 0 };
	int64_t last_second = BT_NO_TIME;
	int64_t last_full_repaint;
	int64_t snapshots_at = INT64_MIN / 2;	/* when news was last taken */
	/* A wake-up from a worker may carry news no generation counter shows
	 * (a finished New Relic log request): the screens get an update. */
	bool woken = false;

	setlocale(LC_ALL, "");
	ui_start();
	draw_init(app);
	app->mono = mono_ms();
	last_full_repaint = app->mono;
	app_on_job(JOB_RERUN, actions_on_job);
	app_on_job(JOB_REQUESTS, actions_on_job);
	app_on_job(JOB_HOLD, actions_on_job);
	app_on_job(JOB_NOTE, note_order_on_job);
	help_screen = help;
	/* The screens read only the rows they draw, and bring those to now
	 * (a fleet's 100,000 countdowns were a cache miss each, every
	 * rebuild). */
	app->view.retime_on_read = true;
	screen_push(app, root, NULL);

	while (!app->quit && !got_quit_signal) {
		bool changed = app_collect_others(app), deferred = false;
		int64_t second;
		struct pollfd pfd[2] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = app->wake[0], .events = POLLIN },
		};

		app->mono = mono_ms();
		app->now = view_now(&app->view, app->mono);
		second = (app->now != BT_NO_TIME ? app->now : app->mono) / 1000;
		if (take_snapshots(app, &snapshots_at, second != last_second,
				   &deferred))
			changed = true;
		actions_tick(app);	/* re-reads due, bulk plan releases */

		app->now = view_now(&app->view, app->mono);
		second = (app->now != BT_NO_TIME ? app->now : app->mono) / 1000;
		/* A wake-up that was only a poller's is taken with its
		 * snapshot, soon. */
		if (woken && !deferred)
			changed = true;
		if (changed || second != last_second) {
			const struct screen_slot *top = screen_top(app);

			view_rebuild(&app->view, app->now);
			log_rebuild_counts(app, &counts);
			if (top->s->update)
				top->s->update(app, top->st);
			last_second = second;
			app->dirty = true;
		}
		if (app->message[0] && app->mono >= app->message_until) {
			app->message[0] = '\0';
			app->dirty = true;
		}
		/* A stray write to the terminal never stays for long. */
		if (app->mono - last_full_repaint > 5 * 60 * 1000) {
			clearok(curscr, TRUE);
			last_full_repaint = app->mono;
			app->dirty = true;
		}
		if (app->dirty)
			draw(app);

		if (poll(pfd, 2, to_next_second(app) + 1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			drain_wake(app->wake[0]);
		woken = pfd[1].revents != 0;
		for (;;) {
			int ch = getch();

			if (ch == ERR)
				break;
			handle_key(app, ch);
			if (app->quit)
				break;
		}
	}
	/* Whatever the way out, what is left undone is recorded (before the
	 * screens go: a dialog's leave may audit its own no). */
	app->exit_note = actions_abandon(app, got_quit_signal
					 ? signal_word(got_quit_signal) : "quit");
	screen_pop_all(app);
	actions_shutdown();
	ui_restore();
	/* Killed by a signal: say so in the status, as a shell would. */
	return got_quit_signal ? 128 + got_quit_signal : BT_EXIT_OK;
}
