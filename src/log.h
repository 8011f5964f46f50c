/*
 * log.h - the diagnostics log (-l FILE, -v).
 *
 * stdout is the screen while curses runs, so diagnostics go to a file, and
 * only when one was asked for.  Safe to call from any thread.  Never pass it
 * a connection string or a key.
 */
#ifndef BT_LOG_H
#define BT_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Open path for appending (mode 0600); level is the most verbose to keep.
 * Returns -1 with errno set when it cannot be opened. */
int log_open(const char *path, enum log_level level);
void log_close(void);
/* The log's file descriptor, or -1 when there is no log. */
int log_fileno(void);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
