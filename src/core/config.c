/*
 * config.c - batchtop.conf: the loader (the option table and the defaults
 * are core/config_options.c).
 *
 * Loading reads the whole file once and first refuses what inih would get
 * wrong silently: lines too long for its buffer (it splits them), NUL bytes
 * (it stops) and other control characters.  Then inih parses the text
 * through our reader; see reader() for why each line is framed.  Errors are
 * collected as the parse goes and the one with the lowest line wins, so the
 * user reads the first problem in the file; a shard section without a dsn
 * is told only when nothing else is wrong, since a mistyped "dns = ..."
 * below its header is the likelier cause and has a line of its own.
 *
 * A dsn may hold a password: it is never part of a message, and its copies
 * are wiped before they are freed.
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/xalloc.h"


/* inih reads into a buffer of INI_MAX_LINE bytes that must also hold the
 * newline and the NUL; a longer line is split into two without a word. */
#define MAX_LINE (INI_MAX_LINE - 2)

#define SHARD_NAME_MAX 32

/* A section name and option name no file can contain (see reader()). */
#define MARK "\x01"


static void wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void config_free(struct config *c)
{
	free(c->path);
	for (size_t i = 0; i < config_noptions; i++)
		if (config_options[i].type == OPT_PATH || config_options[i].type == OPT_STRING)
			free(*(char **)(void *)((char *)c + config_options[i].offset));
	for (size_t i = 0; i < c->nshards; i++) {
		free(c->shards[i].name);
		wipe_free(c->shards[i].dsn);
		wipe_free(c->shards[i].listen_dsn);
		wipe_free(c->shards[i].replica);
	}
	free(c->shards);
	memset(c, 0, sizeof *c);
}

/* The state of one parse. */
struct parse {
	struct config *c;
	const char *p, *end;	/* the text not yet handed to inih */
	int frame;		/* next line for inih: 0 "[MARK]", 1 text, 2 "MARK=" */
	int line;		/* the line of the text inih is on */

	enum { SEC_NONE, SEC_BATCHTOP, SEC_UI, SEC_NEWRELIC, SEC_SHARD,
	       SEC_BAD } sec;
	int sec_line;		/* its header's line */
	int dsn_line;		/* SEC_SHARD: where dsn was set, or 0 */
	int *opt_line;		/* per option: where it was set, or 0 */

	int err_line;		/* 0: the message names no line */
	char *err;
	/* A shard without a dsn: told only when nothing else is wrong, so a
	 * mistyped "dns =" is reported at its own line, not at the header. */
	int missing_line;
	char *missing;
};

/* Record msg (taking it) as the problem at line, unless one at an earlier
 * line is known. */
static void fail(struct parse *ps, int line, char *msg)
{
	if (ps->err != NULL && ps->err_line <= line) {
		free(msg);
		return;
	}
	free(ps->err);
	ps->err = msg;
	ps->err_line = line;
}

static struct shard_conf *cur_shard(struct parse *ps)
{
	return &ps->c->shards[ps->c->nshards - 1];
}

static void section_end(struct parse *ps)
{
	if (ps->sec == SEC_SHARD && ps->dsn_line == 0 && ps->missing == NULL) {
		ps->missing = xasprintf("[shard.%s] has no dsn",
					cur_shard(ps)->name);
		ps->missing_line = ps->sec_line;
	}
	ps->sec = SEC_NONE;
}

/* "dns", "DSN", "sdn": the letters of dsn in another order or case. */
static bool looks_like_dsn(const char *name)
{
	int seen[3] = { 0, 0, 0 };

	if (strlen(name) != 3)
		return false;
	for (int i = 0; i < 3; i++) {
		const char *at = strchr("dsn", name[i] | 0x20);

		if (at == NULL || seen[at - "dsn"]++)
			return false;
	}
	return true;
}

/* inih keeps 49 bytes of a section name: a name it cuts is too long anyway. */
static bool shard_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len >= 1 && len <= SHARD_NAME_MAX &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

static void shard_begin(struct parse *ps, const char *name)
{
	struct config *c = ps->c;

	/* Not echoed: the header may be a mistyped line of anything. */
	if (!shard_name_ok(name)) {
		fail(ps, ps->line, xasprintf("bad shard name in section "
			"header: use 1 to %d of A-Z a-z 0-9 _ -",
			SHARD_NAME_MAX));
		ps->sec = SEC_BAD;
		return;
	}
	for (size_t i = 0; i < c->nshards; i++)
		if (strcmp(c->shards[i].name, name) == 0) {
			fail(ps, ps->line, xasprintf("duplicate section "
				"[shard.%s] (first at line %d)", name,
				c->shards[i].line));
			ps->sec = SEC_BAD;
			return;
		}
	c->shards = xrealloc(c->shards, (c->nshards + 1) * sizeof *c->shards);
	c->shards[c->nshards++] = (struct shard_conf){
		.name = xstrdup(name),
		.dsn = NULL,
		.replica_max_lag = 30,
		.replica_pooled = -1,
		.line = ps->line,
	};
	ps->sec = SEC_SHARD;
	ps->dsn_line = 0;
}

static void section_begin(struct parse *ps, const char *name)
{
	section_end(ps);
	ps->sec_line = ps->line;
	if (strcmp(name, "batchtop") == 0)
		ps->sec = SEC_BATCHTOP;
	else if (strcmp(name, "ui") == 0)
		ps->sec = SEC_UI;
	else if (strcmp(name, "newrelic") == 0)
		ps->sec = SEC_NEWRELIC;
	else if (strncmp(name, "shard.", 6) == 0)
		shard_begin(ps, name + 6);
	else {
		fail(ps, ps->line, xasprintf("unknown section [%s] (sections "
			"are [batchtop], [ui], [newrelic] and [shard.NAME])", name));
		ps->sec = SEC_BAD;
	}
}

/* replica, replica_max_lag and replica_pooler; false when name is none.  A replica
 * DSN is treated like dsn: never echoed in a message. */
static bool replica_option(struct parse *ps, struct shard_conf *sh,
			   const char *name, const char *value)
{
	char *end;
	long v;

	if (strcmp(name, "replica") == 0) {
		if (sh->replica != NULL) {
			fail(ps, ps->line, xasprintf("replica is set twice in "
				"[shard.%s]", sh->name));
			return true;
		}
		if (value[0] == '\0') {
			fail(ps, ps->line, xasprintf("replica of [shard.%s] is "
				"empty", sh->name));
			return true;
		}
		sh->replica = xstrdup(value);
		return true;
	}
	if (strcmp(name, "replica_pooler") == 0) {
		if (strcmp(value, "none") == 0 || strcmp(value, "transaction") == 0)
			sh->replica_pooled = value[0] == 't';
		else
			fail(ps, ps->line, xasprintf("replica_pooler of [shard.%s]"
				" must be none or transaction", sh->name));
		return true;
	}
	if (strcmp(name, "replica_max_lag") != 0)
		return false;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || v < REPLICA_LAG_MIN ||
	    v > REPLICA_LAG_MAX)
		fail(ps, ps->line, xasprintf("replica_max_lag of [shard.%s] "
			"must be a whole number of seconds from %d to %d",
			sh->name, REPLICA_LAG_MIN, REPLICA_LAG_MAX));
	else
		sh->replica_max_lag = (int)v;
	return true;
}

/* Not the name of an unknown option: a dsn may have been typed there. */
static void shard_option(struct parse *ps, const char *name,
			 const char *value)
{
	struct shard_conf *sh = cur_shard(ps);

	/* The pooler options. */
	if (strcmp(name, "pooler") == 0) {
		if (strcmp(value, "none") == 0 || strcmp(value, "transaction") == 0)
			sh->pooled = value[0] == 't';
		else
			fail(ps, ps->line, xasprintf("pooler of [shard.%s] must be"
				" none or transaction", sh->name));
		return;
	}
	if (strcmp(name, "listen_dsn") == 0) {
		/* Not echoed: it may hold a password. */
		if (sh->listen_dsn)
			fail(ps, ps->line, xasprintf("listen_dsn is set twice in "
				"[shard.%s]", sh->name));
		else if (value[0])
			sh->listen_dsn = xstrdup(value);
		return;
	}
	if (replica_option(ps, sh, name, value))
		return;
	if (strcmp(name, "dsn") != 0) {
		fail(ps, ps->line, xasprintf("unknown option in [shard.%s]: "
			"a shard section takes dsn, pooler, listen_dsn, "
			"replica, replica_max_lag and replica_pooler%s", sh->name,
			looks_like_dsn(name) ? " (is it dsn, mistyped?)" : ""));
		return;
	}
	if (ps->dsn_line != 0) {
		fail(ps, ps->line, xasprintf("dsn is set twice in [shard.%s] "
			"(first at line %d)", sh->name, ps->dsn_line));
		return;
	}
	ps->dsn_line = ps->line;
	if (value[0] == '\0') {
		fail(ps, ps->line, xasprintf("dsn of [shard.%s] is empty",
					     sh->name));
		return;
	}
	sh->dsn = xstrdup(value);
}

static void table_option(struct parse *ps, const char *section,
			 const char *name, const char *value)
{
	const struct option_def *o = NULL;
	char *err;
	size_t i;

	for (i = 0; i < config_noptions; i++)
		if (strcmp(config_options[i].info.section, section) == 0 &&
		    strcmp(config_options[i].info.name, name) == 0) {
			o = &config_options[i];
			break;
		}
	if (o == NULL) {
		for (size_t j = 0; j < config_noptions; j++)
			if (strcmp(config_options[j].info.name, name) == 0) {
				fail(ps, ps->line, xasprintf("unknown option "
					"\"%s\" in [%s] (it belongs in [%s])",
					name, section,
					config_options[j].info.section));
				return;
			}
		fail(ps, ps->line, xasprintf("unknown option \"%s\" in [%s]",
					     name, section));
		return;
	}
	if (ps->opt_line[i] != 0) {
		fail(ps, ps->line, xasprintf("%s is set twice (first at line "
			"%d)", name, ps->opt_line[i]));
		return;
	}
	ps->opt_line[i] = ps->line;
	err = config_option_set(o, ps->c, value);
	if (err != NULL)
		fail(ps, ps->line, err);
}

static int on_ini(void *user, const char *section, const char *name,
		  const char *value)
{
	struct parse *ps = user;

	if (strcmp(name, MARK) == 0) {
		if (strcmp(section, MARK) != 0)
			section_begin(ps, section);
		return 1;
	}
	switch (ps->sec) {
	case SEC_NONE:
		fail(ps, ps->line, xasprintf("option \"%s\" is outside of "
			"any section", name));
		break;
	case SEC_BATCHTOP:
		table_option(ps, "batchtop", name, value);
		break;
	case SEC_UI:
		table_option(ps, "ui", name, value);
		break;
	case SEC_NEWRELIC:
		table_option(ps, "newrelic", name, value);
		break;
	case SEC_SHARD:
		shard_option(ps, name, value);
		break;
	case SEC_BAD:
		break;	/* its header was reported */
	}
	/* Errors are kept in ps; inih's own return is for syntax errors. */
	return 1;
}

/*
 * The inih we build against (r55 as Debian ships it) tells the handler
 * neither the line number nor that a section began, and takes an indented
 * line for the continuation of the previous value.  So each line of the
 * text reaches inih framed by two lines of our own: "[MARK]" before it,
 * which resets the section and ends any continuation, and "MARK=" after
 * it, whose handler call tells which section inih is in.  If that is not
 * MARK, the framed line was a section header: empty sections and repeated
 * headers are seen, each with its line.  Line k of the text is line 3k-1
 * for inih.
 */
static char *reader(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	const char *src;
	size_t len;

	switch (ps->frame) {
	case 0:
		if (ps->p >= ps->end)
			return NULL;
		src = "[" MARK "]\n";
		len = 4;
		break;
	case 1: {
		const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));

		src = ps->p;
		len = nl ? (size_t)(nl - ps->p) + 1 : (size_t)(ps->end - ps->p);
		ps->p += len;
		ps->line++;
		break;
	}
	default:
		src = MARK "=\n";
		len = 3;
		break;
	}
	ps->frame = (ps->frame + 1) % 3;
	if (num < 1 || len > (size_t)num - 1)
		fatal("config: a line of %zu bytes passed the length check", len);
	memcpy(str, src, len);
	str[len] = '\0';
	return str;
}

/* Refuse what inih would silently get wrong. */
static void check_text(struct parse *ps, const char *text, size_t len)
{
	int line = 1, col = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (ch == '\0') {
			fail(ps, line, xstrdup("NUL byte in line"));
			return;
		}
		if ((ch < ' ' && ch != '\t' && ch != '\r') || ch == 127) {
			fail(ps, line, xasprintf("control character 0x%02x in "
				"line", ch));
			return;
		}
		if (++col > MAX_LINE) {
			fail(ps, line, xasprintf("line longer than %d "
				"characters", MAX_LINE));
			return;
		}
	}
}

/* Payment files run at the same times every day, counted from midnight:
 * the period must divide a day. */
static void check_period(struct parse *ps)
{
	int period = ps->c->payment_file_period;

	if (86400 % period == 0)
		return;
	for (size_t i = 0; i < config_noptions; i++)
		if (strcmp(config_options[i].info.name, "payment_file_period") == 0)
			fail(ps, ps->opt_line[i], xasprintf("payment_file_period: "
				"%d does not divide a day (86400 s): use e.g. "
				"3600, 1800, 900, 60 or 36", period));
}

static int load_text(struct config *c, const char *text, size_t len,
		     const char *name, char **err)
{
	struct parse ps = { .c = c };

	c->path = xstrdup(name);
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	ps.p = text;
	ps.end = text + len;
	ps.opt_line = xcalloc(config_noptions, sizeof *ps.opt_line);
	check_text(&ps, text, len);
	if (ps.err == NULL) {
		int rc = ini_parse_stream(reader, &ps, on_ini, &ps);

		if (rc < 0)
			fatal("out of memory");
		section_end(&ps);
		if (rc > 0)
			fail(&ps, (rc + 1) / 3, xstrdup("syntax error: "
				"expected [section] or name = value"));
	}
	if (ps.err == NULL && ps.missing != NULL) {
		ps.err = ps.missing;
		ps.err_line = ps.missing_line;
		ps.missing = NULL;
	}
	if (ps.err == NULL)
		check_period(&ps);
	free(ps.missing);
	free(ps.opt_line);
	if (ps.err == NULL && c->nshards == 0) {
		ps.err = xstrdup("no [shard.NAME] section: batchtop needs at "
				 "least one shard");
		ps.err_line = 0;
	}
	if (ps.err == NULL)
		return 0;

	if (ps.err_line > 0)
		*err = xasprintf("%s:%d: %s", name, ps.err_line, ps.err);
	else
		*err = xasprintf("%s: %s", name, ps.err);
	free(ps.err);
	config_free(c);
	config_defaults(c);
	return -1;
}

int config_load_string(struct config *c, const char *text, const char *name,
		       char **err)
{
	config_defaults(c);
	return load_text(c, text, strlen(text), name, err);
}

int config_load_buffer(struct config *c, const char *text, size_t len,
		       const char *name, char **err)
{
	config_defaults(c);
	if (len > CONFIG_MAX_FILE) {
		*err = xasprintf("%s: larger than %d bytes", name,
				 CONFIG_MAX_FILE);
		return -1;
	}
	return load_text(c, text, len, name, err);
}
