/*
 * pgconn_resolve.c - look up a shard's host names with a deadline.
 *
 * libpq resolves host names with a plain getaddrinfo() inside
 * PQconnectPoll(), outside connect_timeout and deaf to our control pipe: a
 * slow resolver would stall a poller (and the quit) for as long as it
 * likes.  So names are looked up here first, each on a short-lived thread
 * of its own (all names of the list at once), waiting at most until the
 * connect deadline and watching the control pipe, and libpq gets the
 * addresses as
 * `hostaddr` beside the names in `host` (which it still uses for TLS
 * verification, Kerberos and its messages).
 *
 * A host list "a,b" becomes one entry per address ("a,a,b" with hostaddr
 * "ip1,ip2,ip3"), the port list being widened to match when it is a list.
 * Unix socket directories and numeric addresses need no lookup and are
 * passed on as they are; when the DSN gives hostaddr itself, or no host
 * name needs a lookup, nothing is changed.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/pgconn.h"
#include "data/thread_util.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* Addresses kept per name (libpq would try them all; so do we). */
#define MAX_ADDRS 8
#define MAX_HOSTS 32

/* One lookup, the arg of a thread_task (thread_util.h) that runs
 * getaddrinfo(): whichever of the waiting connect and the thread lets go
 * of it last frees it, so a lookup that outlives its deadline is simply
 * left to finish on its own.  (glibc's getaddrinfo_a() would do the same,
 * but its threads are made inside libc, out of ThreadSanitizer's sight,
 * and crash the sanitizer builds.) */
struct lookup {
	struct thread_task *task;	/* the waiter's; the thread never reads it */
	int err;			/* getaddrinfo's answer, once done */
	struct addrinfo *result;
	char name[];
};

static void lookup_run(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC,
	}, *res = NULL;

	l->err = getaddrinfo(l->name, NULL, &hints, &res);
	l->result = l->err ? NULL : res;
}

static void lookup_drop(void *arg)
{
	struct lookup *l = arg;

	if (l->result)
		freeaddrinfo(l->result);
	free(l);
}

/* A new lookup of name, running; NULL when no thread could be started. */
static struct lookup *lookup_start(const char *name)
{
	size_t len = strlen(name) + 1;
	struct lookup *l = xcalloc(1, sizeof *l + len);

	memcpy(l->name, name, len);
	l->task = thread_task_start(lookup_run, lookup_drop, l, -1);
	if (!l->task) {
		free(l);
		return NULL;
	}
	return l;
}

static bool lookup_done(struct lookup *l)
{
	return thread_task_done(l->task);
}

struct list {
	char *items[MAX_HOSTS];
	size_t n;
	char *buf;
};

static void split(struct list *l, const char *s)
{
	char *p;

	l->buf = xstrdup(s);
	l->n = 0;
	p = l->buf;
	for (;;) {
		char *comma = strchr(p, ',');

		if (l->n < MAX_HOSTS)
			l->items[l->n++] = p;
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}
}

/* A Unix socket directory, an abstract socket, or the default. */
static bool is_socket(const char *h)
{
	return !*h || h[0] == '/' || h[0] == '@';
}

static bool needs_lookup(const char *h)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (is_socket(h))
		return false;
	return inet_pton(AF_INET, h, addr) != 1 &&
	       inet_pton(AF_INET6, h, addr) != 1;
}

static void append(char **dst, const char *item)
{
	char *s = xasprintf("%s%s%s", *dst ? *dst : "", *dst ? "," : "", item);

	free(*dst);
	*dst = s;
}

/* Wait for every lookup until the deadline; -1 when asked to stop.  The
 * threads do not signal us: a look every 10 ms is plenty for a connect. */
static int wait_all(struct lookup **reqs, size_t n, int ctl_fd, int64_t deadline)
{
	for (;;) {
		size_t pending = 0;
		int64_t left;

		for (size_t i = 0; i < n; i++)
			if (reqs[i] && !lookup_done(reqs[i]))
				pending++;
		if (!pending)
			return 0;
		left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		if (pgconn_wait(ctl_fd, -1, 0, mono_ms() + (left > 10 ? 10 : left),
				NULL) < 0)
			return -1;
	}
}

int pgconn_resolve(const char *hosts, const char *ports, int ctl_fd,
		   int64_t deadline, struct pgconn_addrs *out,
		   char *reason, size_t n)
{
	struct list hl, pl = { .n = 0, .buf = NULL };
	struct lookup *reqs[MAX_HOSTS] = { 0 };
	size_t lookups = 0, kept = 0;
	int rc = 0;
	bool stop = false;

	memset(out, 0, sizeof *out);
	if (!hosts || !*hosts)
		return 0;
	split(&hl, hosts);
	if (ports && strchr(ports, ','))
		split(&pl, ports);
	for (size_t i = 0; i < hl.n; i++) {
		if (!needs_lookup(hl.items[i]))
			continue;
		reqs[i] = lookup_start(hl.items[i]);
		if (!reqs[i]) {
			snprintf(reason, n, "cannot start a host name lookup");
			rc = 1;
			goto out;
		}
		lookups++;
	}
	if (!lookups)
		goto out;
	stop = wait_all(reqs, hl.n, ctl_fd, deadline) < 0;
	for (size_t i = 0; i < hl.n && !stop; i++) {
		const char *port = pl.n ? (i < pl.n ? pl.items[i] : "") : NULL;
		char ip[INET6_ADDRSTRLEN];
		int e, naddrs = 0;

		if (!reqs[i]) {
			append(&out->host, hl.items[i]);
			/* A numeric address is its own hostaddr; an empty
			 * item makes libpq use the host (a socket). */
			append(&out->hostaddr, is_socket(hl.items[i])
					       ? "" : hl.items[i]);
			if (port)
				append(&out->port, port);
			kept++;
			continue;
		}
		if (!lookup_done(reqs[i])) {
			snprintf(reason, n, "no answer to the lookup of host "
				 "name \"%s\" in time", hl.items[i]);
			continue;
		}
		e = reqs[i]->err;	/* done: the thread writes no more */
		if (e != 0) {
			snprintf(reason, n, "cannot resolve host name \"%s\": %s",
				 hl.items[i], gai_strerror(e));
			continue;
		}
		for (struct addrinfo *a = reqs[i]->result;
		     a && naddrs < MAX_ADDRS; a = a->ai_next) {
			const void *sa = a->ai_family == AF_INET
				? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
				: (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;

			if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) ||
			    !inet_ntop(a->ai_family, sa, ip, sizeof ip))
				continue;
			append(&out->host, hl.items[i]);
			append(&out->hostaddr, ip);
			if (port)
				append(&out->port, port);
			naddrs++;
			kept++;
		}
		if (!naddrs)
			snprintf(reason, n, "host name \"%s\" has no address",
				 hl.items[i]);
	}
	if (stop)
		rc = -1;
	else if (!kept)
		rc = 1;
	else
		out->used = true;
out:
	for (size_t i = 0; i < hl.n; i++)
		if (reqs[i])
			thread_task_release(reqs[i]->task);	/* may free reqs[i] */
	free(hl.buf);
	free(pl.buf);
	if (rc)
		pgconn_addrs_free(out);
	return rc;
}

void pgconn_addrs_free(struct pgconn_addrs *a)
{
	free(a->host);
	free(a->hostaddr);
	free(a->port);
	memset(a, 0, sizeof *a);
}
