// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/vmtrace where Xen cannot trace: every entry point refuses with
 * the documented errno and one log line, and xl cannot create a domain
 * with a trace buffer. The test bed (QEMU TCG) has no VMX, so Xen 4.17
 * reports no vmtrace capability. On hardware with VMX and Intel PT the
 * launcher says xst.vmtrace=1 and the refusal tests skip.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "../kselftest_harness.h"
#include "xst.h"

#define DEV "/dev/xen/vmtrace"
#define NO_VMTRACE_LINE \
	"xen_vmtrace: Xen reports no vmtrace (it needs VMX with Intel PT)"

static bool claim(const char *key, const char *want)
{
	char val[64];

	return !strcmp(cmdline_value(key, val, sizeof(val)), want);
}

static int open_errno(void)
{
	int fd = open(DEV, O_RDONLY);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno;
}

static int log_count(const char *text)
{
	int len = klogctl(10, NULL, 0), n = 0;
	char *buf, *p;

	if (len <= 0)
		return -1;
	buf = calloc(1, len + 1);
	if (!buf || klogctl(3, buf, len) < 0) {
		free(buf);
		return -1;
	}
	for (p = strstr(buf, text); p; p = strstr(p + 1, text))
		n++;
	free(buf);
	return n;
}

TEST(who_may_open)
{
	if (!claim("xst.hv=", "xen")) {
		EXPECT_EQ(ENOENT, open_errno()) TH_LOG("not a Xen guest");
		return;
	}
	if (!claim("xst.dom0=", "1")) {
		/* Tracing another domain is dom0's alone. */
		EXPECT_EQ(EPERM, open_errno());
		return;
	}
	if (claim("xst.vmtrace=", "1"))
		SKIP(return, "xst.vmtrace=1: this Xen can trace");
	/* Three tries, one line: the check refuses without a domctl. */
	EXPECT_EQ(EOPNOTSUPP, open_errno());
	EXPECT_EQ(EOPNOTSUPP, open_errno());
	EXPECT_EQ(EOPNOTSUPP, open_errno());
	EXPECT_EQ(1, log_count(NO_VMTRACE_LINE));
	EXPECT_EQ(1, log_count("xen_vmtrace: "));
}

/* A dom0 process without CAP_SYS_ADMIN is refused before any check. */
TEST(unprivileged_caller)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[2];
	int status;
	pid_t pid;

	if (!claim("xst.hv=", "xen") || !claim("xst.dom0=", "1"))
		SKIP(return, "not a Xen dom0 (xst.dom0=1)");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (syscall(SYS_capget, &hdr, caps))
			_exit(100);
		caps[0].effective &= ~(1u << CAP_SYS_ADMIN);
		caps[0].permitted &= ~(1u << CAP_SYS_ADMIN);
		if (syscall(SYS_capset, &hdr, caps))
			_exit(101);
		_exit(open_errno());
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
}

/* Xen 4.17 without VMX refuses a domain with a trace buffer; xl says so. */
TEST(xl_refuses_trace_buffer)
{
	FILE *f;
	int rc;

	if (!claim("xst.dom0=", "1") || access("/xst/domu/vmlinux", R_OK))
		SKIP(return, "no xl and guest kernel here (xen-pv-dom0 has them)");
	if (claim("xst.vmtrace=", "1"))
		SKIP(return, "xst.vmtrace=1: this Xen can trace");
	/* The same domain without a trace buffer builds (paused): control */
	f = fopen("/tmp/vmt.cfg", "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "name = \"vmt\"\ntype = \"pvh\"\n"
		   "kernel = \"/xst/domu/vmlinux\"\nmemory = 64\n");
	fclose(f);
	ASSERT_EQ(0, system("xl create -p /tmp/vmt.cfg >/tmp/vmt.log 2>&1"));
	ASSERT_EQ(0, system("xl destroy vmt >>/tmp/vmt.log 2>&1"));

	f = fopen("/tmp/vmt.cfg", "a");
	ASSERT_NE(NULL, f);
	fprintf(f, "vmtrace_buf_kb = 64\n");
	fclose(f);
	rc = system("xl create -p /tmp/vmt.cfg >/tmp/vmt.log 2>&1");
	ASSERT_TRUE(WIFEXITED(rc));
	EXPECT_NE(0, WEXITSTATUS(rc)) {
		(void)!system("xl destroy vmt >/dev/null 2>&1");
	}
	/* Xen refused to build it (EINVAL), and nothing is left behind. */
	EXPECT_EQ(0, system("grep -q 'domain creation fail: Invalid argument' /tmp/vmt.log"));
	EXPECT_NE(0, system("xl domid vmt >/dev/null 2>&1"));
	(void)!system("sed 's/^/# xl: /' /tmp/vmt.log | tail -n 3");
}

TEST_HARNESS_MAIN
