# Shared paths and helpers for the harness scripts. Source it; don't run it.
# shellcheck shell=bash

# Debian's own tools first: checkpatch's helpers need Debian's python3 modules.
# XS_PATH replaces it (harness/fresh-machine runs the build on a PATH of
# the packages harness/setup installs, and nothing else).
# /usr/lib/ccache first: gcc and clang through the compiler cache.
export PATH=${XS_PATH:-/usr/lib/ccache:/usr/sbin:/usr/bin:/sbin:/bin:$PATH}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Paths under this clone are hashed relative to it, so a fresh clone (CI)
# reuses the objects an earlier clone compiled; the cache outlives both.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$ROOT}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-25G}
OUT=${XS_OUT:-$ROOT/out}
BASE_TARBALL=${XS_BASE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
LINUX=$OUT/linux          # git repo: tag "base" is the pristine unpack, branch "series" ours
KBUILD=${XS_KBUILD:-$OUT/build}   # O= for the kernel the modes boot
# XS_KERNEL=debug or kasan: the modes boot that kernel (harness/build
# --debug, --kasan) and write their results under the mode's name with
# "-debug" or "-kasan" appended. XS_DOMU_KERNEL: the same for the guests
# a dom0 starts (a KASAN guest under a debug dom0: 6.1 cannot boot KASAN
# as a PV dom0; "test" is the series' test kernel, out/build).
KVARIANT=${XS_KERNEL:+-$XS_KERNEL}
[ -z "${XS_KERNEL:-}" ] || KBUILD=${XS_KBUILD:-$OUT/build-$XS_KERNEL}
DOMU_KBUILD=$KBUILD
if [ -n "${XS_DOMU_KERNEL:-}" ]; then
	DOMU_KBUILD=$OUT/build-$XS_DOMU_KERNEL
	[ "$XS_DOMU_KERNEL" != test ] || DOMU_KBUILD=$OUT/build
	KVARIANT=$KVARIANT-domu-$XS_DOMU_KERNEL
fi
RESULTS=${XS_RESULTS:-$OUT/results} # where the modes write
HARNESS=$ROOT/harness
JOBS=${XS_JOBS:-$(nproc)}

# Fixed identity and date for generated commits, so the same inputs give the
# same commit ids on every machine.
XS_AUTHOR_NAME=${XS_AUTHOR_NAME:-Xen Series Maintainers}
XS_AUTHOR_EMAIL=${XS_AUTHOR_EMAIL:-xen-series@lists.example.org}
XS_DATE=${XS_DATE:-2026-01-01T00:00:00+0000}

XS_T0=${XS_T0:-$(date +%s)}
export XS_T0

# Folders of the repo that hold files at kernel paths (overlaid on the base).
KERNEL_DIRS="arch block certs crypto drivers fs include init ipc kernel lib mm net
scripts security sound tools usr virt Documentation"

# XS_KSELFTESTS=COLLECTION:TEST,... makes every kernel a mode boots run only
# those kselftests (init's xst.kselftests=); KUnit still runs.
xst_only() {
	[ -z "${XS_KSELFTESTS:-}" ] || echo "xst.kselftests=$XS_KSELFTESTS"
}

# xst_modules ROLE [KBUILD]: the series' modules a kernel has, for init to
# load first and unload last (xst.modules=). xen-vmtrace loads in every Xen
# domain (a domU's open gets EPERM), xen-pciback in dom0 only, xen_pmem in
# domUs only.
xst_modules() {
	local m list= mods="xen-vmtrace xen_pmem"
	[ "$1" = dom0 ] && mods="xen-pciback xen-vmtrace"
	for m in $mods; do
		[ -z "$(find "${2:-$KBUILD}/modroot" -name "$m.ko" 2>/dev/null)" ] ||
			list="$list${list:+:}$m"
	done
	[ -z "$list" ] || echo "xst.modules=$list"
}

stage() {
	printf '[%4ds] == %s\n' $(($(date +%s) - XS_T0)) "$*"
}

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# Run a long command with its output in a log; print a progress line every
# 30 s and the log's tail if it fails.
run_logged() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 &
	local pid=$! start
	start=$(date +%s)
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		if (( ($(date +%s) - start) % 30 < 2 && $(date +%s) - start >= 2 )); then
			printf '[%4ds]    ... %s (%ds, %s)\n' $(($(date +%s) - XS_T0)) \
				"$(basename "$log" .log)" $(($(date +%s) - start)) \
				"$(tail -n 1 "$log" | cut -c1-60)"
			sleep 1
		fi
	done
	if ! wait "$pid"; then
		tail -n 40 "$log" >&2
		die "$* failed; full log: $log"
	fi
}

# make for the kernel tree. Debian's llvm (the clang matrix entry needs it)
# puts LLVMgold in binutils' plugin folder, so every plain nm and ar loads
# libLLVM first: 80 ms a call, and Kbuild runs nm on every object
# (check-local-export), a third of the CPU of a build from ccache.
# gcc-nm and gcc-ar load gcc's own LTO plugin instead, and nothing else.
kmake() {
	make NM=gcc-nm AR=gcc-ar "$@"
}

# gc.auto=0: the unpack writes 80000 loose objects, and the first commit
# would pack them all in a detached git gc, a minute of CPU taken from the
# build running beside it.
linux_git() {
	git -C "$LINUX" -c core.excludesFile=/dev/null -c advice.detachedHead=false \
		-c gc.auto=0 "$@"
}
