/*
 * thread_util.c - pipe pokes, bounded joins and detached tasks (see
 * thread_util.h).
 */
#include "autoconf.h"

/* The sanitizers replace malloc: mallopt(), malloc_trim() and
 * mallinfo2() are glibc's (malloc_trim would walk a heap that is not
 * there). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#undef HAVE_MALLOPT
#undef HAVE_MALLOC_TRIM
#undef HAVE_MALLINFO2
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#undef HAVE_MALLOPT
#undef HAVE_MALLOC_TRIM
#undef HAVE_MALLINFO2
#endif
#endif

#if defined(HAVE_MALLOPT) || defined(HAVE_MALLOC_TRIM)
#include <malloc.h>
#endif
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "data/thread_util.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* glibc gives threads arenas of their own (up to 8 per core), and what a
 * poller frees stays in its arena for the next poller that lands there:
 * at 100 shards that was a third of the RSS (296 MB with them, 214 MB
 * without, bench-fleet 100 x 1,000).  The pollers hold no allocator lock
 * for long (a poll is a few mallocs per row), so they share one.  Set
 * before any thread: a thread that allocated before it (the log writer,
 * made first) keeps an arena of its own, and the pollers made after are
 * dealt out over every arena there is (61 MB of the heap in a second
 * arena, bench-fleet 100 x 1,000). */
static void one_arena(void)
{
#if defined(HAVE_MALLOPT) && defined(M_ARENA_MAX)
	mallopt(M_ARENA_MAX, 1);
#endif
}

void thread_one_malloc_arena(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, one_arena);
}

/* The heap's free pages are resident until they are handed back: glibc
 * returns on its own only the top of the heap.  The trims after each full
 * poll (shard_poller.c) run while the other shards' results and the first
 * snapshots are still alive; once they settle, half the heap was free and
 * resident (bench-fleet 20 x 1,000: heap 56.4 MB, 29.3 MB of it free; RSS
 * 72.7 MB, and 46.7 MB with this trim every 10 s).  So one trim at most
 * every interval for the whole process, by whichever thread asks first
 * after it: the walk holds the one arena's lock for 1-5 ms, and no lock
 * of batchtop's. */
bool thread_malloc_trim(void)
{
#ifdef HAVE_MALLOC_TRIM
	malloc_trim(0);
	return true;
#else
	return false;
#endif
}

bool thread_malloc_trim_every(int64_t interval_ms, struct heap_figures *f)
{
#ifdef HAVE_MALLOC_TRIM
	static int64_t last;	/* atomic; mono ms of the last trim */
	int64_t now = mono_ms(), was = __atomic_load_n(&last, __ATOMIC_RELAXED);

	if (f)
		*f = (struct heap_figures){ 0 };
	if ((was && now - was < interval_ms) ||
	    !__atomic_compare_exchange_n(&last, &was, now, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return false;
#ifdef HAVE_MALLINFO2
	if (f) {	/* a walk of every free chunk: only when asked */
		struct mallinfo2 mi = mallinfo2();

		f->heap = mi.arena;
		f->free = mi.fordblks;
		f->mapped = mi.hblkhd;
	}
#endif
	malloc_trim(0);
	if (f)
		f->trim_ms = mono_ms() - now;
	return true;
#else
	(void)interval_ms;
	if (f)
		*f = (struct heap_figures){ 0 };
	return false;
#endif
}

int thread_ms_left(int64_t deadline)
{
	int64_t left = deadline - mono_ms();

	if (left <= 0)
		return 0;
	return left > 3600000 ? 3600000 : (int)left;
}

bool thread_join_within(pthread_t thread, pthread_mutex_t *lock,
			pthread_cond_t *cond, const int *done, int wait_ms)
{
	struct timespec ts;
	int finished;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(lock);
	while (!*done)
		if (pthread_cond_timedwait(cond, lock, &ts))
			break;
	finished = *done;
	pthread_mutex_unlock(lock);
	if (!finished) {
		pthread_detach(thread);
		return false;
	}
	pthread_join(thread, NULL);
	return true;
}

int thread_spawn(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	static const int async_sigs[] = {
		SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGCONT,
		SIGTTIN, SIGTTOU, SIGALRM, SIGUSR1, SIGUSR2, SIGCHLD, SIGPIPE,
	};
	sigset_t block, old;
	pthread_attr_t attr;
	int rc;

	if (pthread_attr_init(&attr) != 0)
		return -1;
	/* Unset, each thread reserves the process's stack limit (8 MiB):
	 * a fleet's 100 pollers would map 800 MiB.  Too small for a libc
	 * that wants more is an error here, not a crash later. */
	rc = pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE);
	if (rc != 0) {
		pthread_attr_destroy(&attr);
		return rc;
	}
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof async_sigs / sizeof async_sigs[0]; i++)
		sigaddset(&block, async_sigs[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(thread, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return rc;
}

void pipe_poke(int fd, char c)
{
	ssize_t n;

	if (fd < 0)
		return;
	n = write(fd, &c, 1);
	(void)n;
}

struct thread_task {
	pthread_mutex_t lock;
	int refs;		/* the caller's and the thread's */
	bool done;		/* run has returned */
	int done_fd;
	void (*run)(void *arg);
	void (*drop)(void *arg);
	void *arg;
};

static void task_unref(struct thread_task *t)
{
	int left;

	pthread_mutex_lock(&t->lock);
	left = --t->refs;
	pthread_mutex_unlock(&t->lock);
	if (left)
		return;
	if (t->drop)
		t->drop(t->arg);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static void *task_main(void *p)
{
	struct thread_task *t = p;

	t->run(t->arg);
	pthread_mutex_lock(&t->lock);
	t->done = true;
	pthread_mutex_unlock(&t->lock);
	pipe_poke(t->done_fd, 'x');
	task_unref(t);
	return NULL;
}

struct thread_task *thread_task_start(void (*run)(void *arg),
				      void (*drop)(void *arg), void *arg,
				      int done_fd)
{
	struct thread_task *t = xcalloc(1, sizeof *t);
	pthread_t thread;

	pthread_mutex_init(&t->lock, NULL);
	t->refs = 2;
	t->done_fd = done_fd;
	t->run = run;
	t->drop = drop;
	t->arg = arg;
	if (thread_spawn(&thread, task_main, t) != 0) {
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	pthread_detach(thread);
	return t;
}

bool thread_task_done(struct thread_task *t)
{
	bool done;

	pthread_mutex_lock(&t->lock);
	done = t->done;
	pthread_mutex_unlock(&t->lock);
	return done;
}

void thread_task_release(struct thread_task *t)
{
	if (t)
		task_unref(t);
}
