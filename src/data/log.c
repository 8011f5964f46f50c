/*
 * log.c - the diagnostics log: a bounded in-memory queue of formatted
 * lines, written to the file by a thread of its own.
 *
 * log_msg() is called from every thread, the UI's included, so it must
 * never wait on the disk: it formats the line, and under the lock (held
 * for a few pointer moves, never across I/O) appends it to a ring of at
 * most `cap` lines.  The writer thread takes the whole ring at once and
 * writes it with the lock released.  When the ring is full the line is
 * dropped and counted; the writer adds "N log lines dropped" after the
 * lines it took, which is exactly where the dropped ones belonged (the
 * ring stays full, dropping everything, until the writer takes it).
 * Woken by the first line, the writer gathers the lines that follow for
 * GATHER_MS before it writes them, so that a busy log costs a few
 * wake-ups a second rather than one a line.
 * log_flush() waits (bounded) until every line queued before it is
 * written; log_close() and the process exit flush first.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data/log.h"
#include "data/thread_util.h"
#include "core/xalloc.h"

/* The longest line kept (longer ones are cut). */
#define LINE_MAX_BYTES 2048
/* How long closing or exiting waits for the disk. */
#define FLUSH_WAIT_MS 2000
/* How long the writer gathers lines after the first before it writes
 * (LOG_GATHER_MS, log.h): with -vv every poller logs each poll, and a
 * wake-up per line was a hundred a second at 100 shards.  A flush or
 * close cuts it short. */
#define GATHER_MS LOG_GATHER_MS

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_wake = PTHREAD_COND_INITIALIZER;	/* writer */
static pthread_cond_t log_idle = PTHREAD_COND_INITIALIZER;	/* flushers */
static pthread_cond_t log_done_cond = PTHREAD_COND_INITIALIZER;
/* Read without the lock by log_msg()'s early exit, hence atomics. */
static int log_max = LOG_INFO;
static int log_fd = -1;
static size_t log_cap = LOG_QUEUE_LINES;
static char **ring;		/* log_cap slots, count used from head */
static size_t head, count;
static unsigned long dropped;
static uint64_t queued, written;	/* lines ever queued / written */
static bool stopping;
static bool gathering;		/* the writer is gathering: no signal */
static int flushers;		/* log_flush() calls waiting */
static int writer_done;
static pthread_t writer;
static bool writer_started;

static void stamp(char *buf, size_t n, enum log_level level)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03ldZ %s ", when, ts.tv_nsec / 1000000L,
		 names[level]);
}

static void write_all(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len > 0) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;		/* a full or broken disk: nothing to do */
		s += n;
		len -= (size_t)n;
	}
}

/* Under log_lock: wait GATHER_MS for more lines, unless someone flushes
 * or closes, or the ring is half full. */
static void gather(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += GATHER_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	gathering = true;
	while (!stopping && !flushers && count < log_cap / 2)
		if (pthread_cond_timedwait(&log_wake, &log_lock, &ts))
			break;
	gathering = false;
}

static void *writer_main(void *arg)
{
	char **batch = xcalloc(log_cap + 1, sizeof *batch);

	(void)arg;
	pthread_mutex_lock(&log_lock);
	for (;;) {
		size_t n = 0;
		int fd;

		while (!count && !stopping)
			pthread_cond_wait(&log_wake, &log_lock);
		if (!count && stopping)
			break;
		gather();
		while (count) {
			batch[n++] = ring[head];
			head = (head + 1) % log_cap;
			count--;
		}
		if (dropped) {
			char s[64], line[160];

			stamp(s, sizeof s, LOG_WARN);
			snprintf(line, sizeof line, "%s%lu log lines dropped (the"
				 " log could not keep up)\n", s, dropped);
			batch[n++] = xstrdup(line);
			dropped = 0;
		}
		fd = log_fd;
		pthread_mutex_unlock(&log_lock);
		for (size_t i = 0; i < n; i++) {
			write_all(fd, batch[i]);
			free(batch[i]);
		}
		pthread_mutex_lock(&log_lock);
		written += n;
		pthread_cond_broadcast(&log_idle);
	}
	writer_done = 1;
	pthread_cond_broadcast(&log_idle);
	pthread_cond_signal(&log_done_cond);
	pthread_mutex_unlock(&log_lock);
	free(batch);
	return NULL;
}

static void log_atexit(void)
{
	log_flush();
}

void log_set_queue_lines(size_t lines)
{
	pthread_mutex_lock(&log_lock);
	if (!ring && lines > 0)
		log_cap = lines;
	pthread_mutex_unlock(&log_lock);
}

int log_open(const char *path, enum log_level level)
{
	static bool atexit_done;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	log_close();
	pthread_mutex_lock(&log_lock);
	ring = xcalloc(log_cap, sizeof *ring);
	head = count = 0;
	dropped = 0;
	stopping = false;
	writer_done = 0;
	__atomic_store_n(&log_fd, fd, __ATOMIC_RELAXED);
	__atomic_store_n(&log_max, (int)level, __ATOMIC_RELAXED);
	if (pthread_create(&writer, NULL, writer_main, NULL) != 0) {
		free(ring);
		ring = NULL;
		__atomic_store_n(&log_fd, -1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&log_lock);
		close(fd);
		errno = EAGAIN;
		return -1;
	}
	writer_started = true;
	pthread_mutex_unlock(&log_lock);
	if (!atexit_done) {
		atexit_done = true;
		atexit(log_atexit);
	}
	return 0;
}

void log_close(void)
{
	int fd;

	pthread_mutex_lock(&log_lock);
	if (!writer_started) {
		pthread_mutex_unlock(&log_lock);
		return;
	}
	writer_started = false;
	stopping = true;
	pthread_cond_signal(&log_wake);
	pthread_mutex_unlock(&log_lock);
	if (!thread_join_within(writer, &log_lock, &log_done_cond, &writer_done,
				FLUSH_WAIT_MS))
		return;		/* stuck on the disk: left to the exit */
	pthread_mutex_lock(&log_lock);
	fd = log_fd;
	__atomic_store_n(&log_fd, -1, __ATOMIC_RELAXED);
	/* Lines logged after the writer's last look. */
	for (; count; count--, head = (head + 1) % log_cap)
		free(ring[head]);
	free(ring);
	ring = NULL;
	pthread_mutex_unlock(&log_lock);
	close(fd);
}

void log_flush(void)
{
	struct timespec ts;
	uint64_t want;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += FLUSH_WAIT_MS / 1000;
	pthread_mutex_lock(&log_lock);
	want = queued;
	flushers++;
	pthread_cond_signal(&log_wake);		/* no gathering now */
	while (ring && !writer_done && written < want)
		if (pthread_cond_timedwait(&log_idle, &log_lock, &ts))
			break;
	flushers--;
	pthread_mutex_unlock(&log_lock);
}

unsigned long log_dropped(void)
{
	unsigned long n;

	pthread_mutex_lock(&log_lock);
	n = dropped;
	pthread_mutex_unlock(&log_lock);
	return n;
}

int log_fileno(void)
{
	int fd;

	pthread_mutex_lock(&log_lock);
	fd = log_fd;
	pthread_mutex_unlock(&log_lock);
	return fd;
}

bool log_wants(enum log_level level)
{
	return (int)level <= __atomic_load_n(&log_max, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&log_fd, __ATOMIC_RELAXED) >= 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LINE_MAX_BYTES];
	size_t len;
	va_list ap;
	bool room;

	if ((int)level > __atomic_load_n(&log_max, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&log_fd, __ATOMIC_RELAXED) < 0)
		return;
	stamp(line, sizeof line, level);
	len = strlen(line);
	va_start(ap, fmt);
	vsnprintf(line + len, sizeof line - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(line);
	line[len] = '\n';
	line[len + 1] = '\0';

	pthread_mutex_lock(&log_lock);
	room = ring && count < log_cap;
	if (room) {
		ring[(head + count) % log_cap] = xstrdup(line);
		count++;
		queued++;
		if (!gathering || count >= log_cap / 2)
			pthread_cond_signal(&log_wake);
	} else if (ring) {
		dropped++;
	}
	pthread_mutex_unlock(&log_lock);
}
