#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xen-vmtrace-perf (tools/xen/), the recorder that turns a guest vCPU's
# Intel PT trace into a perf.data file:
# - against /dev/xen/vmtrace it stops with the device's refusal (the test
#   bed's Xen has no vmtrace; a domU may not trace) and leaves no file;
# - bad arguments and an empty trace are refused;
# - with Debian's perf in the initramfs (xst.perf=1): perf's Intel PT
#   decoder reads what it writes from raw trace bytes, packet by packet,
#   across AUXTRACE records, and reports the trace's overflow.
# The trace bytes are Intel PT packets written here (PSB, TSC, CBR,
# PSBEND, PAD, OVF); a real trace needs VMX with Intel PT.
dir=$(dirname "$0")
rec=$dir/xen-vmtrace-perf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$dir/xst.sh"
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
# check NAME COMMAND...: ok when the command succeeds, else its log
check() {
	name=$1
	shift
	if "$@" >"$tmp/check.log" 2>&1; then
		result ok "$name"
	else
		sed 's/^/# /' "$tmp/check.log" | head -n 20
		result fail "$name"
	fi
}

# refused WANT_RC WANT_TEXT ARGS...: exit status, message, no file left
refused() {
	want_rc=$1 want=$2
	shift 2
	rm -f "$tmp/out.data"
	"$rec" "$@" -o "$tmp/out.data" >"$tmp/err" 2>&1
	rc=$?
	echo "# xen-vmtrace-perf $*: exit $rc: $(head -n 1 "$tmp/err")"
	[ "$rc" = "$want_rc" ] && grep -q "$want" "$tmp/err" &&
		[ ! -e "$tmp/out.data" ]
}

refused_each_mode() {
	refused "$@" && refused "$@" -u && refused "$@" -k
}

# Intel PT packets, as octal escapes (busybox printf has no \x)
PSB='\002\202\002\202\002\202\002\202\002\202\002\202\002\202\002\202'
TSC='\031\001\002\003\004\005\006\007'
CBR='\002\003\040\000'
PSBEND='\002\043'
OVF='\002\363'
PAD5='\000\000\000\000\000'

# a trace of UNIT bytes (printf FORMAT) repeated 2^DOUBLINGS times
repeat() {
	printf "$1" >"$2"
	i=0
	while [ $i -lt "$3" ]; do
		cat "$2" "$2" >"$2.x" && mv "$2.x" "$2"
		i=$((i + 1))
	done
}

echo "TAP version 13"
echo "1..7"

if [ "$(arg hv)" != xen ]; then
	want="No such file"
elif [ "$(arg dom0)" != 1 ]; then
	want="Operation not permitted"
elif [ "$(arg vmtrace)" != 1 ]; then
	want="Operation not supported"
fi
if [ -z "${want:-}" ]; then
	skip "recording refused by the device" "xst.vmtrace=1: this Xen can trace"
else
	# -u and -k reach the device too: a recorder without them says usage
	check "recording stops with the device's refusal ($want), no file (all modes, -u, -k)" \
		refused_each_mode 1 "/dev/xen/vmtrace: $want" -d 1 -v 0
fi

check "bad arguments: usage, exit 2" sh -c "
	'$rec' -d x -v 0 2>/dev/null; [ \$? = 2 ] || exit 1
	'$rec' -d 1 2>/dev/null; [ \$? = 2 ] || exit 1
	'$rec' -d 1 -v 0 -u -k 2>/dev/null; [ \$? = 2 ] || exit 1
	'$rec' -r /dev/null -u 2>/dev/null; [ \$? = 2 ] || exit 1
	'$rec' -r /dev/null -d 1 -v 0 2>/dev/null; [ \$? = 2 ]"

: >"$tmp/empty.pt"
check "an empty trace is refused, no file" refused 1 "no trace bytes" -r "$tmp/empty.pt"

if ! command -v perf >/dev/null; then
	for t in "perf decodes every packet" "perf reports the overflow" \
		 "perf reads a trace split over AUXTRACE records" \
		 "perf decodes across record boundaries without errors"; do
		if [ "$(arg perf)" = 1 ]; then
			result fail "$t: perf is missing though xst.perf=1"
		else
			skip "$t" "no perf in this initramfs"
		fi
	done
	exit $failed
fi

printf "$PSB$TSC$CBR$PSBEND$PAD5$OVF$PSB$PSBEND" >"$tmp/small.pt"
"$rec" -r "$tmp/small.pt" -o "$tmp/small.data" 2>"$tmp/rec.err"
perf report -D -i "$tmp/small.data" >"$tmp/dump" 2>/dev/null
# offset and packet of each line perf's dump decoded
sed -n 's/^\.  \([0-9a-f]\{8\}\):.* \([A-Z][A-Z]*\)\( .*\)*$/\1 \2/p' "$tmp/dump" \
	>"$tmp/packets"
cat >"$tmp/want" <<EOF
00000000 PSB
00000010 TSC
00000018 CBR
0000001c PSBEND
00000023 OVF
00000025 PSB
00000035 PSBEND
EOF
check "perf decodes every packet at its offset (55 bytes, AUXTRACE_INFO intel_pt)" sh -c "
	{ cmp '$tmp/want' '$tmp/packets' || { sed 's/^/decoded: /' '$tmp/packets'; false; }; } &&
	grep -q 'PERF_RECORD_AUXTRACE_INFO type: 1' '$tmp/dump' &&
	grep -q 'Intel Processor Trace data: size 56 bytes' '$tmp/dump' &&
	grep -q '55 bytes of trace in 1 records, 0 lost' '$tmp/rec.err'"

perf script --itrace=e -i "$tmp/small.data" >"$tmp/errors" 2>/dev/null
check "perf reports the trace's one overflow" sh -c "
	[ \$(grep -c 'code 7: Overflow packet' '$tmp/errors') = 1 ] &&
	[ \$(grep -c 'instruction trace error' '$tmp/errors') = 1 ]"

# 32-byte units: 8192 of them fill four records of 64 KiB exactly.
repeat "$PSB$PSBEND$PAD5$PAD5\000\000\000\000" "$tmp/aligned.pt" 13
"$rec" -r "$tmp/aligned.pt" -o "$tmp/aligned.data" 2>/dev/null
perf report -D -i "$tmp/aligned.data" >"$tmp/dump" 2>/dev/null
grep 'PERF_RECORD_AUXTRACE size' "$tmp/dump" |
	sed 's/.*size: \([^ ]*\)  offset: \([^ ]*\) .*/\1 \2/' >"$tmp/records"
printf '0x10000 0\n0x10000 0x10000\n0x10000 0x20000\n0x10000 0x30000\n' >"$tmp/want"
check "perf reads 256 KiB as four AUXTRACE records in order, 8192 PSBs" sh -c "
	cmp '$tmp/want' '$tmp/records' &&
	[ \$(grep -c ' PSB\$' '$tmp/dump') = 8192 ] &&
	[ \$(grep -c ' PSBEND\$' '$tmp/dump') = 8192 ]"

# 40-byte units: packets straddle the 64 KiB record boundaries.
repeat "$PSB$TSC$CBR$PSBEND$PAD5$PAD5" "$tmp/split.pt" 12
"$rec" -r "$tmp/split.pt" -o "$tmp/split.data" 2>/dev/null
perf report -D -i "$tmp/split.data" 2>/dev/null |
	sed -n 's/.*Intel Processor Trace data: size \([0-9]*\) bytes/\1/p' >"$tmp/sizes"
perf script --itrace=e -i "$tmp/split.data" >"$tmp/errors" 2>&1
echo $? >"$tmp/script.rc"
# perf read all 163840 bytes (64 KiB, 64 KiB, 32 KiB) and found no error
check "perf decodes packets split across records without errors" sh -c "
	[ \$(wc -c <'$tmp/split.pt') = 163840 ] &&
	[ \"\$(tr '\\n' ' ' <'$tmp/sizes')\" = '65536 65536 32768 ' ] &&
	[ \$(cat '$tmp/script.rc') = 0 ] &&
	! grep -q 'instruction trace error' '$tmp/errors'"
exit $failed
