/*
 * log.h - the diagnostics log (-l FILE, -v).
 *
 * stdout is the screen while curses runs, so diagnostics go to a file, and
 * only when one was asked for.  Safe to call from any thread, and never
 * waits on the disk: lines are queued (at most LOG_QUEUE_LINES; beyond
 * that they are dropped and counted, and the log says "N log lines
 * dropped") and written by a thread of the log's own.  Never pass it a
 * connection string or a key.
 */
#ifndef BT_LOG_H
#define BT_LOG_H

#include <stdbool.h>

#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Lines the queue holds by default. */
#define LOG_QUEUE_LINES 4096

/* Open path for appending (mode 0600); level is the most verbose to keep.
 * Returns -1 with errno set when it cannot be opened. */
int log_open(const char *path, enum log_level level);
/* Write what is queued (waiting at most 2 s for the disk) and close. */
void log_close(void);
/* Wait (at most 2 s) until every line logged so far is written; the
 * process exit does this too. */
void log_flush(void);
/* The queue's size in lines, for tests: before log_open() only. */
void log_set_queue_lines(size_t n);
/* How long the writer gathers the lines that follow a first one before
 * it writes them (ms). */
#define LOG_GATHER_MS 100
/* Lines dropped and not yet reported in the log. */
unsigned long log_dropped(void);
/* The log's file descriptor, or -1 when there is no log. */
int log_fileno(void);
/* Would a line at level be written?  For a figure that costs something
 * to gather (data/thread_util.c's heap walk), asked before gathering it. */
bool log_wants(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
