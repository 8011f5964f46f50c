# shellcheck shell=bash
# lib.sh - helpers for batchtop's integration and end-to-end tests (bash).
#
# A test script sources this file, names itself, and asks for a server:
#
#   . "$(dirname "$0")/lib.sh"
#   bt_init contract          # test name, temp dir, cleanup at exit
#   bt_require_pg             # skip (77) without PGHOST, see below
#   db=$(bt_mkshard main)     # a fresh database with the shard contract
#   bt_psql "$db" -c 'select count(*) from batchtop.biller'
#   bt_expect_eq "one biller" 1 "$(bt_psql "$db" -c '...')"
#   bt_done                   # exit 0, or 1 when a check failed
#
# The server comes from the usual libpq variables (PGHOST, PGPORT, PGUSER),
# which `eval "$(scripts/pg-env start)"` sets.  Without PGHOST a test is
# skipped (exit 77), unless BATCHTOP_REQUIRE_PG=1, which makes it fail.
# Databases made by bt_mkshard carry the test name and the shell's pid, so
# tests running in parallel never share one; they are dropped at exit
# (set BATCHTOP_KEEP=1 to keep them for a post-mortem).
#
# Files: the source tree is $srcdir (Automake sets it; during distcheck it
# is read-only), the build tree is the current directory, and scratch files
# go to $BT_TMP, a private temp directory removed at exit.
#
# Results are printed TAP-style ("ok 3 - ...", "not ok 4 - ..." followed by
# "#" lines of diagnostics), which Automake keeps in the test's .log file.

BT_SRCDIR=${srcdir:-${top_srcdir:-$(dirname "${BASH_SOURCE[0]}")/../..}}
BT_SRCDIR=$(cd "$BT_SRCDIR" && pwd)
BT_NCHECK=0
BT_NFAIL=0
BT_CLEANUP=()

: "${PGUSER:=postgres}"
export PGUSER

# The PostgreSQL programs: $BATCHTOP_PGBIN (pg-env exports it), else the
# newest server under /usr/lib/postgresql, else whatever is on PATH.
bt__find_pgbin() {
	if [[ -n ${BATCHTOP_PGBIN:-} && -x $BATCHTOP_PGBIN/psql ]]; then
		printf '%s\n' "$BATCHTOP_PGBIN"
		return
	fi
	local d
	# shellcheck disable=SC2012 # version-sorted, and these names are plain
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [[ -n $d && -x $d/psql ]]; then
		printf '%s\n' "$d"
		return
	fi
	d=$(command -v psql 2>/dev/null) && dirname "$d"
}
BT_PGBIN=$(bt__find_pgbin)
BT_PSQL=${BT_PGBIN:+$BT_PGBIN/}psql

# bt_init NAME: set the test name (used in database names), make $BT_TMP
# and arrange for cleanup on every exit path.
bt_init() {
	BT_TEST=$(printf '%s' "${1:-$(basename "$0" .test)}" | tr -c 'A-Za-z0-9_' '_' | tr '[:upper:]' '[:lower:]')
	BT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bt-$BT_TEST.XXXXXX") || { echo "Bail out! mktemp failed"; exit 99; }
	: >"$BT_TMP/shards"
	trap bt__cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# bt_on_exit CMD: run CMD (a string, eval'd) at exit.  Call it from the
# test's own shell, not from inside $( ).
bt_on_exit() {
	BT_CLEANUP+=("$1")
}

# bt_bg_kill PID: kill a background process at exit if it still runs.
bt_bg_kill() {
	bt_on_exit "kill $1 2>/dev/null; wait $1 2>/dev/null"
}

bt__cleanup() {
	local rc=$? cmd db
	trap - EXIT
	for cmd in "${BT_CLEANUP[@]}"; do
		eval "$cmd" || true
	done
	if [[ -n ${BT_TMP:-} && -f $BT_TMP/shards ]]; then
		if [[ ${BATCHTOP_KEEP:-0} == 1 ]]; then
			sed 's/^/# kept database: /' "$BT_TMP/shards"
		else
			while read -r db; do
				[[ -n $db ]] || continue
				bt__admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
			done <"$BT_TMP/shards"
		fi
	fi
	[[ -n ${BT_TMP:-} ]] && rm -rf -- "$BT_TMP"
	exit "$rc"
}

# bt_psql DB [psql args...]: quiet, unaligned, tuples only, stop on error.
bt_psql() {
	local db=$1
	shift
	"$BT_PSQL" -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"
}

bt__admin() {
	bt_psql "${PGDATABASE:-postgres}" "$@"
}

# bt_require_pg: make sure there is a server to talk to.
bt_require_pg() {
	if [[ -z ${PGHOST:-} ]]; then
		if [[ ${BATCHTOP_REQUIRE_PG:-0} == 1 ]]; then
			echo "Bail out! BATCHTOP_REQUIRE_PG=1 but PGHOST is not set;" \
				"start a server with: eval \"\$(scripts/pg-env start)\""
			exit 1
		fi
		echo "1..0 # SKIP PGHOST is not set (eval \"\$(scripts/pg-env start)\" to run this test)"
		exit 77
	fi
	if [[ ! -x $BT_PSQL ]] && ! command -v "$BT_PSQL" >/dev/null; then
		echo "Bail out! psql not found"
		exit 1
	fi
	local err
	if ! err=$(bt__admin -c 'select 1' 2>&1 >/dev/null); then
		echo "Bail out! cannot connect to PostgreSQL at PGHOST=$PGHOST PGPORT=${PGPORT:-5432} as $PGUSER:"
		printf '%s\n' "$err" | sed 's/^/# /'
		exit 1
	fi
}

# bt_mkshard NAME: create a database unique to this test run, load the
# shard contract from the source tree, let the batchtop roles connect.
# Prints the database's name; returns non-zero (with diagnostics on stderr)
# on failure.
bt_mkshard() {
	local name db err
	name=$(printf '%s' "${1:-shard}" | tr -c 'A-Za-z0-9_' '_' | tr '[:upper:]' '[:lower:]')
	db="bt_${BT_TEST:-test}_$$_$name"
	db=${db:0:63}
	printf '%s\n' "$db" >>"$BT_TMP/shards"
	if ! err=$(bt__admin -c "CREATE DATABASE \"$db\"" 2>&1) ||
	   ! err=$(bt_psql "$db" -f "$BT_SRCDIR/sql/contract.sql" 2>&1) ||
	   ! err=$(bt_psql "$db" -c "GRANT CONNECT ON DATABASE \"$db\" TO batchtop_viewer, batchtop_operator" 2>&1); then
		printf 'bt_mkshard %s: %s\n' "$db" "$err" >&2
		return 1
	fi
	printf '%s\n' "$db"
}

# bt_dropshard DB: drop it now rather than at exit.
bt_dropshard() {
	bt__admin -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
}

# bt_wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds;
# returns non-zero when the time runs out.
bt_wait_for() {
	local limit=$1 tries
	shift
	tries=$(( ${limit%.*} * 10 + 1 ))
	while (( tries-- > 0 )); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# --- results ---------------------------------------------------------------

bt_pass() {
	BT_NCHECK=$((BT_NCHECK + 1))
	echo "ok $BT_NCHECK - $1"
}

# bt_fail DESC [DETAIL...]: a failed check; details are printed as comments.
bt_fail() {
	BT_NCHECK=$((BT_NCHECK + 1))
	BT_NFAIL=$((BT_NFAIL + 1))
	echo "not ok $BT_NCHECK - $1"
	shift
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

# bt_check DESC CMD...: passes when CMD succeeds (its output is shown if not).
bt_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		bt_pass "$desc"
	else
		bt_fail "$desc" "command: $*" "$out"
	fi
}

bt_expect_eq() {
	if [[ $3 == "$2" ]]; then
		bt_pass "$1"
	else
		bt_fail "$1" "expected: $2" "got:      $3"
	fi
}

# bt_expect_match DESC ERE TEXT
bt_expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		bt_pass "$1"
	else
		bt_fail "$1" "expected to match: $2" "got: $3"
	fi
}

bt_note() {
	printf '# %s\n' "$*"
}

# bt_bail MSG: the test cannot go on (Automake: hard error).
bt_bail() {
	echo "Bail out! $*"
	exit 99
}

# bt_done: print the plan and exit 0, or 1 when any check failed.
bt_done() {
	echo "1..$BT_NCHECK"
	if (( BT_NFAIL > 0 )); then
		echo "# $BT_NFAIL of $BT_NCHECK checks failed"
		exit 1
	fi
	exit 0
}
