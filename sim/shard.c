/*
 * shard.c - connections, query helpers, bulk inserts and the job_log
 * buffer of one shard (see shard.h).
 *
 * log_id has no default in the contract, so the simulator picks ids itself:
 * it reads max(log_id) when it connects and counts up in memory; after any
 * failed transaction it reads the maximum again.
 */
#include "shard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define RECONNECT_SECONDS 2.0
/* Parameters per statement in bulk inserts (the protocol allows 65535). */
#define BULK_MAX_PARAMS 20000

void shard_init(struct shard *s, int number, const char *dsn)
{
	memset(s, 0, sizeof *s);
	s->number = number;
	s->dsn = dsn;
	s->next_log_id = 1;
}

static void clear_logs(struct shard *s)
{
	for (size_t i = 0; i < s->nlogs; i++) {
		free(s->logs[i].biller_id);
		free(s->logs[i].batch_id);
		free(s->logs[i].message);
	}
	s->nlogs = 0;
}

void shard_free(struct shard *s)
{
	shard_disconnect(s);
	clear_logs(s);
	free(s->logs);
	free(s->reruns);
	for (size_t i = 0; i < s->nwarned; i++)
		free(s->warned[i]);
	free(s->warned);
	free(s->db);
	free(s->last_error);
	memset(s, 0, sizeof *s);
}

const char *shard_label(const struct shard *s)
{
	static char buf[160];

	if (s->db)
		snprintf(buf, sizeof buf, "shard %d (%s)", s->number, s->db);
	else
		snprintf(buf, sizeof buf, "shard %d", s->number);
	return buf;
}

bool shard_is_up(const struct shard *s)
{
	return s->conn != NULL;
}

void shard_disconnect(struct shard *s)
{
	if (s->conn) {
		PQfinish(s->conn);
		s->conn = NULL;
	}
	clear_logs(s);
	s->retry_at = sim_now() + RECONNECT_SECONDS;
}

/* The first line of a libpq message, without its newline. */
static const char *one_line(const char *msg)
{
	static char buf[512];
	size_t n;

	snprintf(buf, sizeof buf, "%s", msg ? msg : "");
	buf[strcspn(buf, "\n")] = '\0';
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

/* Report a failed statement, but the same message at most every 10 s:
 * a broken shard must not flood the terminal four times a second. */
static void report_error(struct shard *s, const char *msg)
{
	double now = sim_now();

	if (s->last_error && strcmp(s->last_error, msg) == 0 && now < s->last_error_at + 10.0) {
		s->repeats++;
		return;
	}
	if (s->repeats)
		sim_warn("%s: (last message repeated %ld times)", shard_label(s), s->repeats);
	sim_warn("%s: %s", shard_label(s), msg);
	free(s->last_error);
	s->last_error = sim_xstrdup(msg);
	s->last_error_at = now;
	s->repeats = 0;
}

/* After a failed statement: was it the connection? */
static void check_connection(struct shard *s)
{
	if (s->conn && PQstatus(s->conn) == CONNECTION_BAD) {
		sim_warn("%s: connection lost; reconnecting every %.0f s",
			 shard_label(s), RECONNECT_SECONDS);
		shard_disconnect(s);
	}
}

PGresult *shard_query(struct shard *s, const char *sql, int nparams,
		      const char *const *params)
{
	PGresult *res;
	ExecStatusType st;

	if (!s->conn)
		return NULL;
	res = PQexecParams(s->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	report_error(s, one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn)));
	PQclear(res);
	check_connection(s);
	return NULL;
}

bool shard_exec(struct shard *s, const char *sql, int nparams,
		const char *const *params)
{
	PGresult *res = shard_query(s, sql, nparams, params);

	PQclear(res);
	return res != NULL;
}

bool shard_begin(struct shard *s)
{
	return shard_exec(s, "BEGIN", 0, NULL);
}

bool shard_commit(struct shard *s)
{
	return shard_exec(s, "COMMIT", 0, NULL);
}

void shard_rollback(struct shard *s)
{
	clear_logs(s);
	if (!s->conn)
		return;
	PQclear(PQexec(s->conn, "ROLLBACK"));
	check_connection(s);
	if (s->conn)
		shard_reload_log_id(s);
}

bool shard_reload_log_id(struct shard *s)
{
	PGresult *res = shard_query(s,
		"SELECT coalesce(max(log_id), 0) + 1 FROM batchtop.job_log", 0, NULL);

	if (!res)
		return false;
	s->next_log_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

bool shard_connect(struct shard *s)
{
	/* Ours first: the DSN, expanded in place of dbname, overrides them. */
	const char *const keys[] = {
		"connect_timeout", "application_name", "dbname", NULL,
	};
	const char *const vals[] = { "5", "batchtop-sim", s->dsn, NULL };
	PGresult *res;

	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
		char *msg = sim_xasprintf("cannot connect: %s",
			one_line(s->conn ? PQerrorMessage(s->conn) : "out of memory"));

		report_error(s, msg);
		free(msg);
		shard_disconnect(s);
		return false;
	}
	res = shard_query(s, "SELECT current_database(), "
			  "to_regclass('batchtop.batch_close') IS NOT NULL, "
			  "to_regprocedure('batchtop.batch_hold(text)') IS NOT NULL", 0, NULL);
	if (!res) {
		shard_disconnect(s);
		return false;
	}
	free(s->db);
	s->db = sim_xstrdup(PQgetvalue(res, 0, 0));
	if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		PQclear(res);
		report_error(s, "there is no batchtop schema here; load sql/contract.sql first");
		shard_disconnect(s);
		return false;
	}
	s->holds = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	PQclear(res);
	if (!shard_reload_log_id(s)) {
		shard_disconnect(s);
		return false;
	}
	if (s->ever_connected)
		sim_warn("%s: connected again", shard_label(s));
	else
		sim_debug("%s: connected", shard_label(s));
	s->ever_connected = true;
	return true;
}

/* Append to a growing string. */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sbuf_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sbuf_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->p = sim_xrealloc(b->p, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* sql with its first "%s" replaced by what; the caller frees it. */
static char *splice(const char *sql, const char *what)
{
	const char *hole = strstr(sql, "%s");

	if (!hole)
		return sim_xstrdup(sql);
	return sim_xasprintf("%.*s%s%s", (int)(hole - sql), sql, what, hole + 2);
}

static bool bulk_chunk(struct shard *s, const char *sql_fmt, const struct rows *t,
		       size_t first, size_t count)
{
	struct sbuf values = { 0 };
	char *sql;
	bool ok;
	int param = 1;

	for (size_t r = 0; r < count; r++) {
		sbuf_add(&values, "%s(", r ? "," : "");
		for (int c = 0; c < t->ncols; c++)
			sbuf_add(&values, "%s$%d", c ? "," : "", param++);
		sbuf_add(&values, ")");
	}
	sql = splice(sql_fmt, values.p);
	ok = shard_exec(s, sql, (int)(count * (size_t)t->ncols),
			(const char *const *)t->vals + first * (size_t)t->ncols);
	free(sql);
	free(values.p);
	return ok;
}

bool shard_bulk(struct shard *s, const char *sql_fmt, const struct rows *t)
{
	size_t n = rows_count(t);
	size_t per = BULK_MAX_PARAMS / (size_t)(t->ncols > 0 ? t->ncols : 1);

	for (size_t first = 0; first < n; first += per) {
		size_t count = n - first < per ? n - first : per;

		if (!bulk_chunk(s, sql_fmt, t, first, count))
			return false;
	}
	return true;
}

void shard_log(struct shard *s, const char *biller_id, const char *batch_id,
	       const char *level, const char *fmt, ...)
{
	va_list ap;
	int n;
	struct log_line *l;

	if (s->nlogs == s->caplogs) {
		s->caplogs = s->caplogs ? s->caplogs * 2 : 32;
		s->logs = sim_xrealloc(s->logs, s->caplogs * sizeof *s->logs);
	}
	l = &s->logs[s->nlogs++];
	l->biller_id = biller_id ? sim_xstrdup(biller_id) : NULL;
	l->batch_id = batch_id ? sim_xstrdup(batch_id) : NULL;
	l->level = level;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	l->message = sim_xmalloc(n > 0 ? (size_t)n + 1 : 1);
	va_start(ap, fmt);
	vsnprintf(l->message, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
	va_end(ap);
}

bool shard_flush_logs(struct shard *s)
{
	struct rows t;
	bool ok;

	if (s->nlogs == 0)
		return true;
	rows_init(&t, 5);
	for (size_t i = 0; i < s->nlogs; i++) {
		rows_addf(&t, "%lld", (long long)(s->next_log_id + (int64_t)i));
		rows_add(&t, s->logs[i].biller_id);
		rows_add(&t, s->logs[i].batch_id);
		rows_add(&t, s->logs[i].level);
		rows_add(&t, s->logs[i].message);
	}
	ok = shard_bulk(s,
		"INSERT INTO batchtop.job_log "
		"(log_id, logged_at, biller_id, batch_id, level, message) "
		"SELECT v.id::bigint, clock_timestamp(), v.biller, v.batch, v.level, v.msg "
		"FROM (VALUES %s) AS v(id, biller, batch, level, msg) ORDER BY v.id::bigint",
		&t);
	rows_free(&t);
	if (ok)
		s->next_log_id += (int64_t)s->nlogs;
	clear_logs(s);
	return ok;
}
