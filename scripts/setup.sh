# scripts/setup.sh - shared by scripts/demo and scripts/check (sourced).
#
# bt_install_missing  installs the Debian packages batchtop needs that are
#                     not installed yet (apt-get; as root, or through sudo)
# bt_build [FLAGS]    bootstrap, configure with FLAGS, make
#
# The package list is the README's "What it needs"; keep the two in step.

BT_PACKAGES=(
	build-essential autoconf automake autoconf-archive pkg-config
	libncurses-dev libpq-dev libcurl4-openssl-dev libcjson-dev libinih-dev
	libcmocka-dev clang libclang-rt-dev
	postgresql postgresql-contrib pgbouncer
	tmux python3 python3-prometheus-client locales procps tzdata htop
	chromium python3-html5lib libxml2-utils
)

bt_say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

bt_install_missing() {
	local missing=() p sudo=()
	for p in "${BT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	if [[ $EUID -ne 0 ]]; then
		command -v sudo >/dev/null || { bt_say "need root (or sudo) to install: ${missing[*]}"; return 1; }
		sudo=(sudo)
	fi
	bt_say "installing ${missing[*]}"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

bt_build() {
	if [[ ! -x configure || configure.ac -nt configure || Makefile.am -nt Makefile.in ]]; then
		./bootstrap >/dev/null 2>&1 || ./bootstrap
	fi
	if [[ ! -f Makefile || ! -f config.status || "$(sed -n 's/^ac_cs_config=//p' config.status)" != "'$*'" ]]; then
		./configure -q "$@"
	fi
	make -j"$(nproc)" >/dev/null || make
}
