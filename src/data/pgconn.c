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

#include "data/log.h"
#include "data/pgconn.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/xalloc.h"

/* One line of a libpq message, trimmed, without the "connection to server
 * ... failed:" preamble (the health line names the shard already) and the
 * "ERROR:"/"FATAL:" tags.  In place; returns the start. */
static char *reason_line(char *line)
{
	char *end, *f;

	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	if (!strncmp(line, "connection to server ", 21) &&
	    (f = strstr(line, " failed:")) != NULL) {
		line = f + 8;
		while (*line == ' ')
			line++;
	}
	if (!strncmp(line, "ERROR:", 6) || !strncmp(line, "FATAL:", 6)) {
		line += 6;
		while (*line == ' ')
			line++;
	}
	return line;
}

/* libpq glues the messages of every host it tried (and a tab-indented hint
 * under some) into one text: each becomes a part of one line, joined with
 * "; " (a hint with " "), and a part said twice is said once. */
void pgconn_reason(char *dst, size_t n, const char *prefix, const char *msg)
{
	char copy[480], joined[560];
	size_t j = 0;
	char *save = NULL, *tok;

	snprintf(copy, sizeof copy, "%s", msg ? msg : "");
	joined[0] = '\0';
	for (tok = strtok_r(copy, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		bool hint = *tok == '\t' || *tok == ' ';
		char *line = reason_line(tok);

		if (!*line || (j && strstr(joined, line)))
			continue;
		j += (size_t)snprintf(joined + j, sizeof joined - j, "%s%s",
				      !j ? "" : hint ? " " : "; ", line);
		if (j >= sizeof joined)
			break;
	}
	if (j > sizeof joined - 1)
		j = sizeof joined - 1;
	/* "fe_sendauth: no password supplied" tells a user nothing about where
	 * libpq looked; never the password itself. */
	if (strstr(joined, "no password supplied"))
		snprintf(joined + j, sizeof joined - j, " (put it in ~/.pgpass, or "
			 "the file PGPASSFILE names, or password= in the dsn)");
	snprintf(copy, sizeof copy, "%s%s%s", prefix, *prefix && *joined ? ": " : "",
		 joined);
	text_sanitize_into(dst, n, copy, (size_t)-1);
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

/* What the DSN says, for the settings we add. */
struct dsn_info {
	const char *options, *host, *hostaddr, *port;
	PQconninfoOption *opts;
};

static bool dsn_parse(const struct pgconn *c, struct dsn_info *d)
{
	char *errmsg = NULL;

	memset(d, 0, sizeof *d);
	d->opts = PQconninfoParse(c->dsn, &errmsg);
	/* errmsg may quote the DSN, password and all: never show it. */
	PQfreemem(errmsg);
	for (PQconninfoOption *o = d->opts; o && o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "options"))
			d->options = o->val;
		else if (!strcmp(o->keyword, "host"))
			d->host = o->val;
		else if (!strcmp(o->keyword, "hostaddr"))
			d->hostaddr = o->val;
		else if (!strcmp(o->keyword, "port"))
			d->port = o->val;
	}
	return d->opts != NULL;
}

/* Our settings go after the user's own options, so both apply.  Through
 * a transaction pooler none: PgBouncer refuses a startup packet with
 * options it does not know, and a session setting would not follow the
 * client from one server connection to the next anyway; pooled_exec() sets
 * them per transaction instead. */
static char *session_options(const struct pgconn *c, const struct dsn_info *d)
{
	const char *user_opts = d->options ? d->options : "";
	int t = c->cfg->query_timeout * 1000;

	if (c->pooled)
		return *user_opts ? xstrdup(user_opts) : NULL;

	return xasprintf("%s%s-c statement_timeout=%d -c lock_timeout=%d"
			 " -c idle_in_transaction_session_timeout=%d -c jit=off%s",
			 user_opts, *user_opts ? " " : "", t, t, t * 2,
			 c->readonly ? " -c default_transaction_read_only=on" : "");
}

/* Look the host names up ourselves, with the connect deadline (see
 * pgconn_resolve.c).  Returns what pgconn_resolve() does. */
static int resolve(const struct pgconn *c, const struct dsn_info *d,
		   int64_t deadline, struct pgconn_addrs *a, char *reason,
		   size_t n)
{
	const char *hosts = d->host ? d->host : getenv("PGHOST");
	const char *ports = d->port ? d->port : getenv("PGPORT");
	const char *env_addr = getenv("PGHOSTADDR");

	memset(a, 0, sizeof *a);
	if (d->hostaddr || (env_addr && *env_addr))
		return 0;	/* the user gave the addresses */
	return pgconn_resolve(hosts, ports, c->ctl_fd, deadline, a, reason, n);
}

/* A SQL_ASCII database holds bytes, not characters: asked for UTF8, the
 * server refuses a whole result for one byte that is not UTF-8 ("invalid
 * byte sequence").  Take its bytes as they are (the sanitizer makes them
 * safe to draw) by using its own encoding on the client side. */
static int match_sql_ascii(struct pgconn *c, char *reason, size_t n)
{
	const char *enc = PQparameterStatus(c->conn, "server_encoding");
	bool sent, dead, stop;
	PGresult *res;

	if (!enc || strcmp(enc, "SQL_ASCII"))
		return 0;
	res = pgconn_exec(c, "SET client_encoding TO 'SQL_ASCII'", 0, NULL,
			  reason, n, &sent, &dead, &stop);
	if (res) {
		PQclear(res);
		log_msg(LOG_INFO, "shard %s: the database is SQL_ASCII: reading"
			" its bytes as they are", c->name);
		return 0;
	}
	pgconn_close(c);
	return stop ? -1 : 1;
}

int pgconn_open(struct pgconn *c, char *reason, size_t n)
{
	char ctimeout[16];
	char *options;
	struct dsn_info d;
	struct pgconn_addrs a;
	int64_t deadline;
	int r;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	pgconn_close(c);
	if (!dsn_parse(c, &d)) {
		snprintf(reason, n, "dsn of [shard.%s] is not a valid libpq "
			 "connection string", c->name);
		return 1;
	}
	deadline = mono_ms() + c->cfg->connect_timeout * 1000;
	r = resolve(c, &d, deadline, &a, reason, n);
	if (r) {
		PQconninfoFree(d.opts);
		return r;
	}
	options = session_options(c, &d);
	PQconninfoFree(d.opts);
	snprintf(ctimeout, sizeof ctimeout, "%d", c->cfg->connect_timeout);
	{
		const char *kw[16] = {
			"dbname", "application_name", "connect_timeout",
			"keepalives", "keepalives_idle", "keepalives_interval",
			"keepalives_count", "client_encoding", "options",
		};
		const char *val[16] = {
			c->dsn, "batchtop", ctimeout, "1", "30", "10", "3",
			"UTF8", options,
		};
		int k = options ? 9 : 8;

		/* After dbname (the DSN), so these override its own. */
		if (a.used) {
			kw[k] = "host";
			val[k++] = a.host;
			kw[k] = "hostaddr";
			val[k++] = a.hostaddr;
			if (a.port) {
				kw[k] = "port";
				val[k++] = a.port;
			}
		}
		kw[k] = NULL;
		val[k] = NULL;
		c->conn = PQconnectStartParams(kw, val, 1);
	}
	free(options);
	pgconn_addrs_free(&a);
	if (!c->conn) {
		snprintf(reason, n, "out of memory starting a connection");
		return 1;
	}
	PQsetNoticeProcessor(c->conn, on_notice, c);
	while (PQstatus(c->conn) != CONNECTION_BAD) {
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
		/* PgBouncer's answer to our startup options. */
		bool pooler = !c->pooled && strstr(PQerrorMessage(c->conn),
					"unsupported startup parameter");

		pgconn_reason(reason, n, "", PQerrorMessage(c->conn));
		if (pooler) {
			size_t len = strlen(reason);

			snprintf(reason + len, n - len, " (a transaction pooler?"
				 " set pooler = transaction in [shard.%s])",
				 c->name);
		}
		pgconn_close(c);
		return 1;
	}
	return match_sql_ascii(c, reason, n);
}

/* Wait for more of the answer until deadline.  0: input read; -1: the
 * statement is abandoned (reason, *dead, *stop set): stopped, timed out
 * (and cancelled, boundedly) or the connection was lost. */
static int wait_answer(struct pgconn *c, int64_t deadline, char *reason,
		       size_t n, bool *dead, bool *stop)
{
	int r = pgconn_wait(c->ctl_fd, PQsocket(c->conn), POLLIN, deadline, NULL);

	if (r < 0) {
		*stop = true;
		*dead = true;
		return -1;
	}
	if (r == 0) {
		struct pgconn_cancel **slot = c->cancel_slot
			? c->cancel_slot : &c->own_cancel;
		int secs = c->cfg->query_timeout + PGCONN_SLACK_MS / 1000;

		switch (pgconn_cancel_bounded(slot, c->conn, c->ctl_fd,
					      PGCONN_CANCEL_MS)) {
		case PGCONN_CANCEL_STOP:
			*stop = true;
			snprintf(reason, n, "stopping");
			break;
		case PGCONN_CANCEL_SENT:
			snprintf(reason, n, "no answer in %d s: query "
				 "cancelled", secs);
			break;
		case PGCONN_CANCEL_TIMEOUT:
			snprintf(reason, n, "no answer in %d s, nor to the"
				 " cancel in %d s: connection dropped",
				 secs, PGCONN_CANCEL_MS / 1000);
			break;
		case PGCONN_CANCEL_BUSY:
			snprintf(reason, n, "no answer in %d s (an earlier"
				 " cancel is still unanswered): connection"
				 " dropped", secs);
			break;
		default:
			snprintf(reason, n, "no answer in %d s (cancel "
				 "failed): connection dropped", secs);
			break;
		}
		*dead = true;
		return -1;
	}
	if (!PQconsumeInput(c->conn)) {
		pgconn_reason(reason, n, "connection lost", PQerrorMessage(c->conn));
		*dead = true;
		return -1;
	}
	return 0;
}

/* A failed result: its SQLSTATE kept, its message in reason. */
static void failed(struct pgconn *c, const PGresult *res, char *reason,
		   size_t n, bool *dead)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
	pgconn_reason(reason, n, "query failed", PQresultErrorMessage(res));
	if (PQstatus(c->conn) == CONNECTION_BAD)
		*dead = true;
}

/* Through a transaction pooler the statement is the second of a pipeline
 * of unnamed extended-protocol statements ending in one Sync: the first
 * sets, with set_config(..., true) = SET LOCAL, the timeouts and (for a
 * read-only connection) transaction_read_only.  Up to the Sync it is one
 * implicit transaction, so PgBouncer keeps us on one server connection
 * for both, the settings end with it, an error rolls all of it back, and
 * it costs one round trip like a plain statement.  Unnamed statements
 * only: a named one would live on a server connection we may not get
 * again. */
static PGresult *pooled_exec(struct pgconn *c, const char *sql, int nparams,
			     const char *const *params, int t, int64_t deadline,
			     char *reason, size_t n, bool *dead, bool *stop)
{
	char set[400];
	int idx = 0;
	PGresult *answer = NULL, *err = NULL;

	snprintf(set, sizeof set, "SELECT set_config('statement_timeout', '%d',"
		 " true), set_config('lock_timeout', '%d', true), set_config("
		 "'idle_in_transaction_session_timeout', '%d', true), "
		 "set_config('jit', 'off', true)%s", t, t, t * 2,
		 c->readonly ? ", set_config('transaction_read_only', 'on', true)"
			     : "");
	if (!PQenterPipelineMode(c->conn) ||
	    !PQsendQueryParams(c->conn, set, 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQsendQueryParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0) ||
	    !PQpipelineSync(c->conn)) {
		pgconn_reason(reason, n, "cannot send query", PQerrorMessage(c->conn));
		*dead = true;
		return NULL;
	}
	for (;;) {
		while (!PQisBusy(c->conn)) {
			PGresult *res = PQgetResult(c->conn);
			ExecStatusType st;

			if (!res) {	/* the end of one statement's results */
				idx++;
				continue;
			}
			st = PQresultStatus(res);
			if (st == PGRES_PIPELINE_SYNC) {
				PQclear(res);
				goto done;
			}
			if (st == PGRES_FATAL_ERROR && !err) {
				err = res;
			} else if (idx == 1 && !answer && (st == PGRES_TUPLES_OK ||
						      st == PGRES_COMMAND_OK)) {
				answer = res;
			} else {
				PQclear(res);
			}
		}
		if (wait_answer(c, deadline, reason, n, dead, stop) < 0) {
			PQclear(answer);
			PQclear(err);
			return NULL;
		}
	}
done:
	/* An error anywhere, the commit at the Sync included, undid it all. */
	if (err || !answer) {
		if (err)
			failed(c, err, reason, n, dead);
		else
			snprintf(reason, n, "no result");
		PQclear(err);
		PQclear(answer);
		answer = NULL;
	}
	if (!PQexitPipelineMode(c->conn))
		*dead = true;
	return answer;
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
	if (c->pooled) {
		/* Part of it may have gone out even if sending failed. */
		*sent = true;
		return pooled_exec(c, sql, nparams, params,
				   c->cfg->query_timeout * 1000, deadline,
				   reason, n, dead, stop);
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
		while (!PQisBusy(c->conn)) {
			PGresult *res = PQgetResult(c->conn);

			if (!res)
				goto done;
			PQclear(last);
			last = res;
		}
		if (wait_answer(c, deadline, reason, n, dead, stop) < 0) {
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
		failed(c, last, reason, n, dead);
		PQclear(last);
		return NULL;
	}
	return last;
}

/* The pipeline of pooled_exec() on any connection: its SET LOCALs make a
 * statement_timeout shorter than the session's hold for this statement
 * alone, in its own (read-only, for a read-only connection) transaction. */
PGresult *pgconn_exec_within(struct pgconn *c, int timeout_ms, const char *sql,
			     int nparams, const char *const *params,
			     char *reason, size_t n, bool *dead, bool *stop)
{
	*dead = false;
	*stop = false;
	c->sqlstate[0] = '\0';
	if (!c->conn) {
		snprintf(reason, n, "not connected");
		*dead = true;
		return NULL;
	}
	return pooled_exec(c, sql, nparams, params, timeout_ms,
			   mono_ms() + timeout_ms + PGCONN_SLACK_MS, reason, n,
			   dead, stop);
}
