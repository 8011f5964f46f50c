# shellcheck shell=bash
# lib.sh - helpers for the end-to-end tests: the real batchtop binary in a
# private tmux server, driven with send-keys and read with capture-pane.
#
#   . "$(dirname "$0")/lib.sh"
#   bt_init grid; bt_require_pg
#   db=$(bt_mkshard a)
#   e2e_sim --shard "$(e2e_dsn "$db" postgres)" --speed 120 --billers 12
#   e2e_conf conf "a:$(e2e_dsn "$db" bt_viewer)"
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

# e2e_conf FILE NAME:DSN... [-- EXTRA-LINES]: write a config into $BT_TMP.
e2e_conf() {
	local f=$BT_TMP/$1 arg
	shift
	printf '[batchtop]\npoll_interval = 1\nstale_after = 4\nquery_timeout = 2\nconnect_timeout = 2\nbackoff_max = 2\n' >"$f"
	while [[ $# -gt 0 && $1 != -- ]]; do
		arg=$1
		shift
		printf '\n[shard.%s]\ndsn = %s\n' "${arg%%:*}" "${arg#*:}" >>"$f"
	done
	[[ ${1:-} == -- ]] && shift
	for arg in "$@"; do
		printf '%s\n' "$arg" >>"$f"
	done
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

# e2e_wait_exit SECONDS STATUS: batchtop exited with STATUS.
e2e_wait_exit() {
	e2e_wait "$1" "^EXIT:$2\$" "batchtop exited with status $2"
}
