# shellcheck shell=bash
# lib.sh - helpers for the end-to-end tests: the real batchtop binary in a
# private tmux server, driven with send-keys and read with capture-pane.
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_init grid tmux            # bt_init, a server, the tools it needs
#   e2e_world conf east=a -- --speed 120 --billers 12
#                                 # shard db in $a, $BT_TMP/conf, simulator
#   e2e_start 120 40 -c "$BT_TMP/conf"
#   e2e_wait 20 'FAILED'          # a regex on the screen
#   e2e_keys q; e2e_wait_exit 5 0
#
# Each test has its own tmux socket (-L), so tests run in parallel.

. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

: "${BATCHTOP_BIN:=./batchtop}"
: "${BATCHTOP_SIM:=./batchtop-sim}"
E2E_SOCK=

e2e_tmux() {
	tmux -L "$E2E_SOCK" -f /dev/null "$@"
}

# e2e_dsn DB USER [EXTRA]: a connection string for the test server.
e2e_dsn() {
	printf 'host=%s dbname=%s user=%s%s' "$PGHOST" "$1" "$2" "${3:+ $3}"
}

# e2e_init NAME TOOL...: name the test (bt_init), require a server and
# each TOOL on PATH; a missing one is an error, never a skip.
e2e_init() {
	local tool
	bt_init "$1"
	shift
	bt_require_pg
	for tool in "$@"; do
		command -v "$tool" >/dev/null || bt_bail "$tool is not installed"
	done
}

# e2e_shards VAR[=NAME]...: a fresh shard database for each, its name in
# $VAR (NAME defaults to VAR).
e2e_shards() {
	local spec db
	for spec in "$@"; do
		db=$(bt_mkshard "${spec#*=}") || bt_bail "cannot create shard ${spec#*=}"
		printf -v "${spec%%=*}" '%s' "$db"
	done
}

# The [batchtop] lines every test config starts from: short timeouts, so
# that a dead shard shows within seconds.
E2E_CONF_DEFAULTS=("poll_interval = 1" "stale_after = 4" "query_timeout = 2"
	"connect_timeout = 2" "backoff_max = 2")

# e2e_conf FILE NAME:DSN... [-- LINE...]: write a config into $BT_TMP, one
# [shard.NAME] per NAME:DSN.  The LINEs before the first "[section]" one go
# into [batchtop] (a key of E2E_CONF_DEFAULTS replaces its default); the
# rest follow the shards as they are.
e2e_conf() {
	local f=$BT_TMP/$1 arg line i shards=() opts=()
	shift
	while [[ $# -gt 0 && $1 != -- ]]; do
		shards+=("$1")
		shift
	done
	[[ ${1:-} == -- ]] && shift
	while [[ $# -gt 0 && $1 != \[* ]]; do
		opts+=("$1")
		shift
	done
	{
		echo '[batchtop]'
		for line in "${E2E_CONF_DEFAULTS[@]}"; do
			for i in "${!opts[@]}"; do
				if [[ ${opts[i]%% =*} == "${line%% =*}" ]]; then
					line=${opts[i]}
					unset 'opts[i]'
				fi
			done
			printf '%s\n' "$line"
		done
		for line in "${opts[@]}"; do
			[[ -n $line ]] && printf '%s\n' "$line"
		done
		for arg in "${shards[@]}"; do
			printf '\n[shard.%s]\ndsn = %s\n' "${arg%%:*}" "${arg#*:}"
		done
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >"$f"
}

# e2e_world CONF LABEL=VAR... [-- SIM-ARGS...]: the usual world: a fresh
# shard per LABEL=VAR (its database in $VAR), CONF reading them all as
# bt_viewer, and, given SIM-ARGS, the simulator on them until the test ends.
e2e_world() {
	local conf=$1 var shards=() dbs=()
	shift
	while [[ $# -gt 0 && $1 != -- ]]; do
		var=${1#*=}
		e2e_shards "$var"
		shards+=("${1%%=*}:$(e2e_dsn "${!var}" bt_viewer)")
		dbs+=("${!var}")
		shift
	done
	e2e_conf "$conf" "${shards[@]}"
	if [[ ${1:-} == -- ]]; then
		shift
		e2e_sim_on "${dbs[@]}" -- "$@"
	fi
}

# e2e__sim_args DB... -- ARGS...: the simulator's arguments (a --shard
# as postgres for each DB, then ARGS) in E2E_SIM_ARGS.
e2e__sim_args() {
	E2E_SIM_ARGS=()
	while [[ $# -gt 0 && $1 != -- ]]; do
		E2E_SIM_ARGS+=(--shard "$(e2e_dsn "$1" postgres)")
		shift
	done
	shift
	E2E_SIM_ARGS+=("$@")
}

# e2e_sim_on DB... -- ARGS...: the simulator on DBs in the background.
e2e_sim_on() {
	e2e__sim_args "$@"
	e2e_sim "${E2E_SIM_ARGS[@]}"
}

# e2e_seed DB... -- ARGS...: run the simulator on DBs to its end (give it a
# --duration); a failure ends the test.
e2e_seed() {
	e2e__sim_args "$@"
	"$BATCHTOP_SIM" "${E2E_SIM_ARGS[@]}" >>"$BT_TMP/sim.log" 2>&1 ||
		bt_bail "cannot seed: $(tail -3 "$BT_TMP/sim.log")"
}

# e2e_kinds DB...: install public.e2e_biller(ID, KIND, DEMO, NAME, PRIO,
# ERROR, MESSAGE) in each DB: it adds a biller whose one batch tonight makes
# it KIND (closed, closed_late, running, at_risk, late, failed, scheduled),
# from the server's now() and a 45-minute window; a failed batch carries
# ERROR and MESSAGE.  Deadlines are far enough away that nothing changes
# status while a test runs.
e2e_kinds() {
	local db
	for db in "$@"; do
		bt_psql "$db" >/dev/null <<'SQL' || bt_bail "cannot create e2e_biller in $db"
create or replace function public.e2e_biller(p_id text, p_kind text,
	p_demo boolean, p_name text, p_prio int, p_error text, p_message text)
returns void language plpgsql as $$
declare
	s timestamptz; f timestamptz; st text; err text;
begin
	case p_kind
	when 'closed' then s := now() - interval '30 min'; f := now() - interval '10 min'; st := 'closed';
	when 'closed_late' then s := now() - interval '60 min'; f := now() - interval '5 min'; st := 'closed';
	when 'running' then s := now() - interval '5 min'; st := 'running';
	when 'at_risk' then s := now() - interval '40 min'; st := 'running';
	when 'late' then s := now() - interval '50 min'; st := 'running';
	when 'failed' then s := now() - interval '20 min'; st := 'failed'; err := p_error;
	when 'scheduled' then s := now() + interval '10 min'; st := 'scheduled';
	end case;
	insert into batchtop.biller values (p_id, p_name, 'America/Chicago', p_prio, p_demo);
	insert into batchtop.batch_close (batch_id, biller_id, business_day, payment_type,
		module, scheduled_at, deadline_at, started_at, finished_at, status,
		attempts, error_class, error_message, updated_at)
	values (p_id || '-1', p_id, current_date, 'card', 'autopay', s,
		s + interval '45 min', case when st <> 'scheduled' then s end, f, st,
		case when st = 'scheduled' then 0 else 1 end, err,
		case when err is not null then p_message end, now());
end $$;
SQL
	done
}

# e2e_nr_key: a fresh New Relic key in $NR_FAKE_KEY (exported, for the
# fake) and in the key file $BT_TMP/nrkey, mode 0600.
e2e_nr_key() {
	NR_FAKE_KEY="NRAK-E2E$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	export NR_FAKE_KEY
	printf '%s\n' "$NR_FAKE_KEY" >"$BT_TMP/nrkey"
	chmod 600 "$BT_TMP/nrkey"
}

# e2e_fake_nr [OPTION...]: tests/fake_newrelic.py (given OPTIONs) on a free
# port of 127.0.0.1 until the test ends, wanting $NR_FAKE_KEY; its
# host:port in $E2E_NR, its pid in $E2E_NR_PID.  Proxies are unset, so
# that batchtop talks to it directly.
e2e_fake_nr() {
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	python3 "$BT_SRCDIR/tests/fake_newrelic.py" --port 0 \
		--port-file "$BT_TMP/nrport" "$@" >"$BT_TMP/nr.log" 2>&1 &
	E2E_NR_PID=$!
	bt_bg_kill "$E2E_NR_PID"
	bt_wait_for 10 test -s "$BT_TMP/nrport" ||
		bt_bail "the fake New Relic did not start: $(cat "$BT_TMP/nr.log")"
	E2E_NR=127.0.0.1:$(cat "$BT_TMP/nrport")
}

# e2e_nr_mode MODE: what the fake answers from now on (see its --mode).
e2e_nr_mode() {
	python3 -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/control", data=("{\"mode\": \"%s\"}" % sys.argv[2]).encode(), method="POST"))' "http://$E2E_NR" "$1" ||
		bt_bail "cannot switch the fake New Relic to $1"
}

# e2e_locked DB TABLE MODE: a granted lock of MODE is held on TABLE.
e2e_locked() {
	[[ $(bt_psql "$1" -v t="$2" -v m="$3" <<'SQL'
SELECT count(*) FROM pg_catalog.pg_locks l
	JOIN pg_catalog.pg_class c ON c.oid = l.relation
	WHERE c.relname = :'t' AND l.mode = :'m' AND l.granted
SQL
) -ge 1 ]]
}

# e2e_sim ARGS...: run the simulator in the background until the test ends.
e2e_sim() {
	"$BATCHTOP_SIM" "$@" >>"$BT_TMP/sim.log" 2>&1 &
	local pid=$!
	bt_bg_kill "$pid"
	E2E_SIM_PID=$pid
}

# e2e_start COLS ROWS ARGS...: start batchtop in a fresh tmux server.  When
# it exits, the pane prints "EXIT:<status>" and stays open.  $E2E_ENV may
# hold extra NAME=VALUE words for its environment.
e2e_start() {
	local cols=$1 rows=$2 q=
	shift 2
	E2E_STARTS=$(( ${E2E_STARTS:-0} + 1 ))
	E2E_SOCK="bt-${BT_TEST:-e2e}-$$-$E2E_STARTS"
	bt_on_exit "tmux -L '$E2E_SOCK' kill-server 2>/dev/null"
	# Every run logs (and, while curses runs, its stderr goes there too):
	# a failing check shows the end of it.
	E2E_LOG=$BT_TMP/batchtop-$E2E_STARTS.log
	printf -v q '%q ' "$BATCHTOP_BIN" -l "$E2E_LOG" "$@"
	e2e_tmux new-session -d -s main -x "$cols" -y "$rows" \
		"env LC_ALL=C.UTF-8 TERM=xterm-256color ${E2E_ENV:-} $q; echo EXIT:\$?; sleep 600"
	e2e_tmux set-option -t main -g status off >/dev/null
	e2e_tmux resize-window -t main -x "$cols" -y "$rows" >/dev/null 2>&1 || true
}

e2e_screen() {
	e2e_tmux capture-pane -p -t main
}

e2e_keys() {
	e2e_tmux send-keys -t main "$@"
}

e2e_resize() {
	e2e_tmux resize-window -t main -x "$1" -y "$2"
}

# e2e_pid: the batchtop process in the pane.
e2e_pid() {
	local shell_pid
	shell_pid=$(e2e_tmux display-message -p -t main '#{pane_pid}')
	pgrep -P "$shell_pid" -f batchtop | head -1
}

e2e__match() {
	e2e_screen | grep -Eq -- "$1"
}

# e2e_wait SECONDS ERE [DESC]: pass when the screen matches within the time.
e2e_wait() {
	local desc=${3:-screen shows /$2/}
	if bt_wait_for "$1" e2e__match "$2"; then
		bt_pass "$desc"
		return 0
	fi
	bt_fail "$desc" "screen after $1 s:" "$(e2e_screen)" "$(e2e_log_tail)"
	return 1
}

# The last warnings and errors batchtop logged (sanitizer reports included).
e2e_log_tail() {
	[[ -n ${E2E_LOG:-} && -s $E2E_LOG ]] || return 0
	printf 'batchtop log (%s), last lines other than info/debug:\n' "$E2E_LOG"
	grep -v ' \(info\|debug\) ' "$E2E_LOG" | tail -n 15
}

e2e__nomatch() {
	! e2e_screen | grep -Eq -- "$1"
}

# e2e_wait_gone SECONDS ERE [DESC]: pass when the screen stops matching.
e2e_wait_gone() {
	local desc=${3:-screen no longer shows /$2/}
	if bt_wait_for "$1" e2e__nomatch "$2"; then
		bt_pass "$desc"
		return 0
	fi
	bt_fail "$desc" "screen after $1 s:" "$(e2e_screen)"
	return 1
}

# e2e_expect_absent ERE DESC: the screen does not match right now.
e2e_expect_absent() {
	if e2e_screen | grep -Eq -- "$1"; then
		bt_fail "$2" "screen:" "$(e2e_screen)"
	else
		bt_pass "$2"
	fi
}

# e2e_selected: the line drawn selected (on white: nothing else is),
# without its escapes.
e2e_selected() {
	e2e_tmux capture-pane -e -p -t main | grep -aE $'\e\\[([0-9;]*;)?47m' |
		head -1 | sed 's/\x1b\[[0-9;]*m//g'
}

e2e__selected_matches() {
	e2e_selected | grep -Eq -- "$1"
}

# e2e_wait_selected SECONDS ERE DESC: pass when the selected line matches.
e2e_wait_selected() {
	if bt_wait_for "$1" e2e__selected_matches "$2"; then
		bt_pass "$3"
	else
		bt_fail "$3" "selected: $(e2e_selected)" "$(e2e_screen)" "$(e2e_log_tail)"
	fi
}

# e2e_wait_exit SECONDS STATUS: batchtop exited with STATUS.
e2e_wait_exit() {
	e2e_wait "$1" "^EXIT:$2\$" "batchtop exited with status $2"
}
