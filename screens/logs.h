/*
 * logs.h - the state of one log viewer and the parts of it (private to
 * screens/logs*.c): logs.c fetches, indexes, draws and takes the keys;
 * logs_prompt.c has the search and save prompts, the matches (found,
 * counted, highlighted) and writing the lines to a file.
 */
#ifndef BT_LOGS_H
#define BT_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "app/app.h"
#include "core/joblines.h"
#include "query/query_joblog.h"
#include "ui/lineedit.h"
#include "ui/listcursor.h"

enum logs_prompt { P_NONE, P_SEARCH, P_SAVE, P_CONFIRM };

enum nr_state { NR_ABSENT, NR_LOADING, NR_OK, NR_ERROR };

/* One instance of the viewer (the screen's state_size bytes). */
struct logs_st {
	/* What is shown. */
	int shard;
	/* Raw, whole ids: they are keys for the queries and comparisons. */
	char *biller_id;
	char *batch_id;			/* "" for the whole biller */
	char *anchor;			/* open at this batch's first error */
	char *anchor_shown;		/* the same, sanitized: log lines keep
					 * their batch id sanitized */
	struct joblines *buf;

	/* The shard's lines. */
	unsigned job;			/* outstanding job id, 0: none */
	int job_shard;
	enum joblog_page job_fetch;
	bool have_newest;		/* the first page arrived */
	bool back_done;			/* no older page to fetch */
	int64_t oldest_id;		/* of the oldest line paged backwards */
	int64_t max_id;			/* highest log_id asked about */
	bool more_newer;		/* the last forward page was full */
	unsigned newer_gen;		/* shard generation of the last forward */
	int64_t newer_mono, retry_mono;
	char db_err[200];

	/* New Relic's lines. */
	enum nr_state nr;
	unsigned ticket;
	int64_t nr_since;		/* epoch ms of the next request */
	int64_t nr_next_mono;		/* follow mode: ask again then */
	char nr_msg[240];

	/* The view. */
	enum lb_level min_level;
	size_t *vis, nvis, vis_cap;
	size_t held[2];			/* lines held per source (enum lb_source) */
	unsigned vis_gen;
	enum lb_level vis_level;
	bool vis_valid;
	struct listcursor lc;		/* sel: the cursor's line */
	struct log_line cur_key;	/* ts, src, id only */
	bool has_key;
	bool moved;			/* the user moved: stop anchoring */
	bool anchored;
	bool follow, wrap;
	int hscroll;

	/* The prompts and the search. */
	enum logs_prompt prompt;
	struct lineedit edit;
	char *search;			/* sanitized (lines are); NULL: none */
	size_t *hits, nhits;		/* positions in vis of matching lines */
	unsigned hits_gen;		/* vis_gen they were found in */
	enum lb_level hits_level;
	bool hits_valid;
	char save_path[LINEEDIT_MAX];
};

/* logs.c: line i of the view; the cursor's line becomes its key. */
const struct log_line *logs_vis_line(const struct logs_st *L, size_t i);
void logs_remember_cursor(struct logs_st *L);

/* logs_prompt.c */
void logs_prompt_open(struct logs_st *L, enum logs_prompt p);
/* A key while a prompt is up (every key is the prompt's). */
void logs_prompt_key(struct app *app, struct logs_st *L, int key);
/* The prompt on the last row. */
void logs_prompt_draw(const struct logs_st *L);
/* Move to the next (dir 1) or previous (-1) matching line. */
void logs_search(struct app *app, struct logs_st *L, int dir);
/* "match 3/17", "17 matches", "no match" for the search into buf, or ""
 * when there is no search. */
void logs_matches_text(struct logs_st *L, char *buf, size_t n);
/* Draw text (sanitized) like draw_text(), with the search's matches in
 * it reversed. */
void logs_draw_marked(const struct logs_st *L, int y, int x, int cols,
		      const char *text, attr_t attr);
/* Free what the search holds. */
void logs_search_free(struct logs_st *L);

#endif
