/*
 * pgconn.c - connect, run and wait, each with a deadline, for threads that
 * talk to shards.  See pgconn.h.
 */
#include "autoconf.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pgconn.h"
#include "text.h"
#include "timefmt.h"
#include "xalloc.h"

void pgconn_reason(char *dst, size_t n, const char *prefix, const char *msg)
{
	char line[400], joined[480];
	size_t j = 0;

	for (size_t i = 0; msg && msg[i] && j + 1 < sizeof line; i++) {
		char ch = msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t'
				  ? ' ' : msg[i];
		if (ch == ' ' && (j == 0 || line[j - 1] == ' '))
			continue;
		line[j++] = ch;
	}
	while (j && line[j - 1] == ' ')
		j--;
	line[j] = '\0';
	/* libpq names the socket or host first; the health line names the
	 * shard already, and the reason is what matters. */
	if (!strncmp(line, "connection to server ", 21)) {
		char *f = strstr(line, " failed: ");

		if (f)
			memmove(line, f + 9, strlen(f + 9) + 1);
	}
	if (!strncmp(line, "ERROR: ", 7))
		memmove(line, line + 7, strlen(line + 7) + 1);
	if (!strncmp(line, "FATAL: ", 7))
		memmove(line, line + 7, strlen(line + 7) + 1);
	snprintf(joined, sizeof joined, "%s%s%s", prefix,
		 *prefix && *line ? ": " : "", line);
	text_sanitize_into(dst, n, joined, (size_t)-1);
}

int pgconn_wait(int ctl_fd, int fd, short events, int64_t deadline,
		bool *woken)
{
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = ctl_fd, .events = POLLIN },
			{ .fd = fd, .events = events },
		};
		int64_t left = deadline - mono_ms();
		int nfds = fd >= 0 ? 2 : 1, n;

		if (left < 0)
			left = 0;
		n = poll(pfd, (nfds_t)nfds, (int)(left > 60000 ? 60000 : left));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (pfd[0].revents) {
			char buf[16];
			ssize_t got = read(ctl_fd, buf, sizeof buf);
			bool other = false;

			for (ssize_t i = 0; i < got; i++) {
				if (buf[i] == 'q')
					return -1;
				other = true;
			}
			if (other && woken) {
				*woken = true;
				return 0;
			}
		}
		if (fd >= 0 && pfd[1].revents)
			return 1;
		if (mono_ms() >= deadline)
			return 0;
	}
}

void pgconn_close(struct pgconn *c)
{
	if (c->conn)
		PQfinish(c->conn);
	c->conn = NULL;
}

/* Server NOTICEs and WARNINGs go to the log: libpq's default prints them
 * on stderr, which is the screen. */
static void on_notice(void *arg, const char *msg)
{
	const struct pgconn *c = arg;
	char line[200];

	pgconn_reason(line, sizeof line, "", msg);
	log_msg(LOG_INFO, "shard %s: server says: %s", c->name, line);
}

/* Our settings go after the user's own options, so both apply. */
static char *session_options(const struct pgconn *c, bool *bad_dsn)
{
	char *errmsg = NULL;
	PQconninfoOption *opts = PQconninfoParse(c->dsn, &errmsg);
	const char *user_opts = "";
	int t = c->cfg->query_timeout * 1000;
	char *out;

	*bad_dsn = opts == NULL;
	/* errmsg may quote the DSN, password and all: never show it. */
	PQfreemem(errmsg);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "options") && o->val)
			user_opts = o->val;
	out = xasprintf("%s%s-c statement_timeout=%d -c lock_timeout=%d"
			" -c idle_in_transaction_session_timeout=%d -c jit=off%s",
			user_opts, *user_opts ? " " : "", t, t, t * 2,
			c->readonly ? " -c default_transaction_read_only=on" : "");
	PQconninfoFree(opts);
	return out;
}

int pgconn_open(struct pgconn *c, char *reason, size_t n)
{
	char ctimeout[16];
	char *options;
	bool bad_dsn;
	int64_t deadline;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	pgconn_close(c);
	options = session_options(c, &bad_dsn);
	if (bad_dsn) {
		free(options);
		snprintf(reason, n, "dsn of [shard.%s] is not a valid libpq "
			 "connection string", c->name);
		return 1;
	}
	snprintf(ctimeout, sizeof ctimeout, "%d", c->cfg->connect_timeout);
	{
		const char *const kw[] = {
			"dbname", "application_name", "connect_timeout",
			"keepalives", "keepalives_idle", "keepalives_interval",
			"keepalives_count", "client_encoding", "options", NULL
		};
		const char *const val[] = {
			c->dsn, "batchtop", ctimeout, "1", "30", "10", "3",
			"UTF8", options, NULL
		};
		c->conn = PQconnectStartParams(kw, val, 1);
	}
	free(options);
	if (!c->conn) {
		snprintf(reason, n, "out of memory starting a connection");
		return 1;
	}
	PQsetNoticeProcessor(c->conn, on_notice, c);
	deadline = mono_ms() + c->cfg->connect_timeout * 1000;
	while (PQstatus(c->conn) != CONNECTION_BAD) {
		int r;

		if (st == PGRES_POLLING_OK || st == PGRES_POLLING_FAILED)
			break;
		r = pgconn_wait(c->ctl_fd, PQsocket(c->conn),
				st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
				deadline, NULL);
		if (r < 0) {
			pgconn_close(c);
			return -1;
		}
		if (r == 0) {
			pgconn_close(c);
			snprintf(reason, n, "no answer to connect in %d s",
				 c->cfg->connect_timeout);
			return 1;
		}
		st = PQconnectPoll(c->conn);
	}
	if (PQstatus(c->conn) != CONNECTION_OK) {
		pgconn_reason(reason, n, "", PQerrorMessage(c->conn));
		pgconn_close(c);
		return 1;
	}
	return 0;
}

PGresult *pgconn_exec(struct pgconn *c, const char *sql, int nparams,
		      const char *const *params, char *reason, size_t n,
		      bool *sent, bool *dead, bool *stop)
{
	PGresult *last = NULL;
	int64_t deadline = mono_ms() + c->cfg->query_timeout * 1000 +
			   PGCONN_SLACK_MS;

	*sent = false;
	*dead = false;
	*stop = false;
	c->sqlstate[0] = '\0';
	if (!c->conn) {
		snprintf(reason, n, "not connected");
		*dead = true;
		return NULL;
	}
	if (!PQsendQueryParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0)) {
		/* Part of it may have gone out before the failure. */
		*sent = true;
		pgconn_reason(reason, n, "cannot send query", PQerrorMessage(c->conn));
		*dead = true;
		return NULL;
	}
	*sent = true;
	for (;;) {
		int r;

		while (!PQisBusy(c->conn)) {
			PGresult *res = PQgetResult(c->conn);

			if (!res)
				goto done;
			PQclear(last);
			last = res;
		}
		r = pgconn_wait(c->ctl_fd, PQsocket(c->conn), POLLIN, deadline, NULL);
		if (r < 0) {
			*stop = true;
			*dead = true;
			PQclear(last);
			return NULL;
		}
		if (r == 0) {
			char errbuf[256];
			PGcancel *cancel = PQgetCancel(c->conn);

			if (cancel) {
				PQcancel(cancel, errbuf, sizeof errbuf);
				PQfreeCancel(cancel);
			}
			snprintf(reason, n, "no answer in %d s: query cancelled",
				 c->cfg->query_timeout + PGCONN_SLACK_MS / 1000);
			*dead = true;
			PQclear(last);
			return NULL;
		}
		if (!PQconsumeInput(c->conn)) {
			pgconn_reason(reason, n, "connection lost",
				      PQerrorMessage(c->conn));
			*dead = true;
			PQclear(last);
			return NULL;
		}
	}
done:
	if (!last) {
		snprintf(reason, n, "no result");
		return NULL;
	}
	if (PQresultStatus(last) != PGRES_TUPLES_OK &&
	    PQresultStatus(last) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(last, PG_DIAG_SQLSTATE);

		snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
		pgconn_reason(reason, n, "query failed", PQresultErrorMessage(last));
		if (PQstatus(c->conn) == CONNECTION_BAD)
			*dead = true;
		PQclear(last);
		return NULL;
	}
	return last;
}
