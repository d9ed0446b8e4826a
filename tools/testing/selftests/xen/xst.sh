# SPDX-License-Identifier: GPL-2.0
# What the xen shell selftests share, as xst.h does for the C ones: the
# launcher's xst.* claims on the kernel command line, and TAP results.
# Source it; it sets n (tests so far) and failed (1 once one failed).
n=0 failed=0

# arg KEY: the value of the last xst.KEY= on the command line
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^xst\.$1=//p" | tail -n 1; }

# result ok|fail DESCRIPTION: the next TAP line
result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}
