/*
 * thread_util.h - what every background thread of batchtop does alike:
 * poke a pipe to wake someone, and be joined within a bounded time; and
 * the detached helper thread that runs a call we cannot bound.
 *
 * Every background thread of batchtop (pollers, query workers, New Relic)
 * sets a `done` flag under its lock and signals a condition as its last
 * act.  At exit the UI waits a bounded time for that: a thread stuck where
 * no stop request reaches it (a DNS lookup, a cancel that does not answer)
 * is detached and left to the process exit rather than hanging the quit.
 * The UI asks every thread to stop first and then waits for all of them
 * against one deadline, so the quit takes one bound, not one per thread.
 */
#ifndef BT_THREAD_UTIL_H
#define BT_THREAD_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* One malloc arena for every thread (see thread_util.c).  Call before the
 * first thread is made: main() does, and the pollers' start again (tests
 * start pollers without main); later calls do nothing. */
void thread_one_malloc_arena(void);

/* Milliseconds from now until deadline (monotonic ms, as mono_ms()), 0 when
 * it has passed: to join many threads against one shared deadline, after
 * asking each of them to stop. */
int thread_ms_left(int64_t deadline);

/* What malloc holds, as the debug log shows it: the main heap, the part
 * of it that is free (resident or not), what is mapped apart (blocks past
 * the mmap threshold), and how long the trim took. */
struct heap_figures {
	size_t heap, free, mapped;
	int64_t trim_ms;
};

/* Hand the heap's free pages back to the system now (malloc_trim(0)), as
 * after a result megabytes big; false where there is no such call
 * (not glibc, or a sanitizer's malloc, whose heap it would walk). */
bool thread_malloc_trim(void);

/* Hand the heap's free pages back to the system (malloc_trim) and return
 * true with *f filled in (f NULL: not gathered, which walks every free
 * chunk), unless a thread of this process did less than
 * interval_ms ago.  Any thread may call it; it takes no lock of
 * batchtop's.  Without glibc: never (the heap figures need 2.33). */
bool thread_malloc_trim_every(int64_t interval_ms, struct heap_figures *f);

/* Wait up to wait_ms for *done (read under lock), then join the thread and
 * return true; or detach it and return false. */
bool thread_join_within(pthread_t thread, pthread_mutex_t *lock,
			pthread_cond_t *cond, const int *done, int wait_ms);

/* The stack of every thread thread_spawn() starts.  What a thread needs
 * most is a libpq connect (getaddrinfo runs on a task thread of its own),
 * curl with TLS, or a snapshot being parsed: scripts/bench-fleet prints the
 * resident part of each stack mapping (/proc/PID/smaps), the most a thread
 * ever touched, and measured 28 KiB at 100 shards x 1,000, and 28 KiB in an
 * AddressSanitizer build at 20 shards.  The sanitizer builds get 1 MiB all
 * the same: TSan, and ASan with its use-after-return mode, put more on the
 * stack, and were not measured. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define THREAD_STACK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define THREAD_STACK_SANITIZED 1
#endif
#endif
#ifdef THREAD_STACK_SANITIZED
#define THREAD_STACK_SIZE (1024 * 1024)
#else
#define THREAD_STACK_SIZE (256 * 1024)
#endif

/* pthread_create with the asynchronous signals (resize, quit, hang-up,
 * terminal stop, alarms) blocked in the new thread, so the kernel delivers
 * them to the UI thread: its poll() returns at once with EINTR and a resize
 * or a quit is handled in the same turn, not a second later.  Faults
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) stay deliverable everywhere.
 * The stack is THREAD_STACK_SIZE.  Returns pthread_create's result. */
int thread_spawn(pthread_t *thread, void *(*fn)(void *), void *arg);

/* Write one byte c to a wake or control pipe (non-blocking).  A full pipe
 * already means "wake up", and fd < 0 is no pipe: neither is an error. */
void pipe_poke(int fd, char c);

/*
 * A blocking call that has no deadline of its own (getaddrinfo, PQcancel)
 * runs as a task: run(arg) on a detached thread of its own, while the
 * caller waits for it as long as it likes and may walk away.  The task is
 * shared by the caller and the thread, counted by refs: whichever lets go
 * last calls drop(arg), so a call that outlives its waiter cleans up after
 * itself when it returns, if ever.  arg's results are the caller's to read
 * once thread_task_done() says so, and the thread writes no more then.
 */
struct thread_task;

/* Start run(arg) on a detached thread; when it returns, poke done_fd (-1:
 * none), which must stay open until drop.  NULL when no thread could be
 * started: arg is then still the caller's alone, and drop is not called. */
struct thread_task *thread_task_start(void (*run)(void *arg),
				      void (*drop)(void *arg), void *arg,
				      int done_fd);
/* Whether run has returned. */
bool thread_task_done(struct thread_task *t);
/* The caller lets go of t (and, if the thread has, of arg); NULL allowed. */
void thread_task_release(struct thread_task *t);

#endif
