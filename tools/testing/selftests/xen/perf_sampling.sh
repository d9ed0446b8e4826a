#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# perf itself in this guest: "perf stat -e task-clock" counts the time of
# perf_hot, "perf record -e cpu-clock" puts most samples in its hot
# function, and (without a PMU) "perf stat -e cycles" says not supported.
# Where the CPU under Xen has a PMU (xst.hwpmu=1, Xen on KVM), perf stat
# -e instructions:u of perf_hot -n 50 must be within 1% of the count the
# launcher measured on the host (xst.instr=).
# The launcher puts Debian's perf in the initramfs and says so (xst.perf=1).
dir=$(dirname "$0")
hot=$dir/perf_hot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$dir/xst.sh"

echo "TAP version 13"
if ! command -v perf >/dev/null; then
	if [ "$(arg perf)" = 1 ]; then
		echo "1..1"
		result fail "perf is in this initramfs (xst.perf=1)"
		exit 1
	fi
	echo "1..0 # SKIP no perf in this initramfs (the launcher did not add it)"
	exit 4
fi
echo "1..3"

# perf stat -x, writes CSV to stderr: value,unit,event,...
perf stat -x, -e task-clock -o "$tmp/stat" -- "$hot" 0.4 || true
msec=$(awk -F, '$3 == "task-clock" { printf "%d", $1 }' "$tmp/stat")
echo "# task-clock over 0.4 s of perf_hot: ${msec:-nothing} msec"
if [ -n "$msec" ] && [ "$msec" -ge 200 ] && [ "$msec" -le 1000 ]; then
	result ok "perf stat -e task-clock counts the program's time"
else
	sed 's/^/# /' "$tmp/stat"
	result fail "perf stat -e task-clock counts the program's time"
fi

perf record -q -e cpu-clock -F 499 -o "$tmp/data" -- "$hot" 1 2>"$tmp/rec.err"
perf report -i "$tmp/data" --stdio --sort sym 2>/dev/null >"$tmp/report"
samples=$(sed -n "s/^# Samples: \([0-9]*\) .*cpu-clock.*/\1/p" "$tmp/report")
pct=$(awk '/xst_hot_loop/ { sub("%", "", $1); printf "%d", $1 }' "$tmp/report")
echo "# perf record: ${samples:-0} samples, ${pct:-0}% in xst_hot_loop"
if [ "${samples:-0}" -ge 50 ] && [ "${pct:-0}" -ge 50 ]; then
	result ok "perf record -e cpu-clock: samples land in xst_hot_loop"
else
	sed 's/^/# /' "$tmp/rec.err" "$tmp/report" | head -n 30
	result fail "perf record -e cpu-clock: samples land in xst_hot_loop"
fi

if [ "$(arg hwpmu)" = 1 ]; then
	want=$(arg instr)
	perf stat -x, -e instructions:u -o "$tmp/instr" -- "$hot" -n 50 || true
	got=$(awk -F, '$3 ~ /^instructions/ { printf "%d", $1 }' "$tmp/instr")
	echo "# instructions:u of perf_hot -n 50: ${got:-none}, host ${want:-unknown}"
	within='BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= w / 100) }'
	if [ -n "$got" ] && [ -n "$want" ] && awk -v g="$got" -v w="$want" "$within"; then
		result ok "perf stat -e instructions: within 1% of the host's count"
	else
		result fail "perf stat -e instructions: within 1% of the host's count"
	fi
else
	perf stat -x, -e cycles -o "$tmp/cycles" -- "$hot" 0.1 || true
	if grep -q '^<not supported>,,cycles' "$tmp/cycles"; then
		result ok "perf stat -e cycles: not supported without a PMU"
	else
		sed 's/^/# /' "$tmp/cycles"
		result fail "perf stat -e cycles: not supported without a PMU"
	fi
fi
exit $failed
