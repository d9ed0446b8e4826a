// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/vmtrace where Xen cannot trace: every entry point refuses with
 * the documented errno and one log line, and xl cannot create a domain
 * with a trace buffer. The test bed (QEMU TCG) has no VMX, so Xen 4.17
 * reports no vmtrace capability. On hardware with VMX and Intel PT the
 * launcher says xst.vmtrace=1 and the refusal tests skip.
 * Also: where the recorder (tools/xen/xen-vmtrace-perf) resumes after lost
 * trace bytes, which needs no Xen.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "../kselftest_harness.h"
#include "../../../xen/pt-resync.h"
#include "xst.h"

#define DEV "/dev/xen/vmtrace"
#define NO_VMTRACE_LINE \
	"xen_vmtrace: Xen reports no vmtrace (it needs VMX with Intel PT)"
/* Xen 4.17's: found after Xen refused 4.19's and 4.18's */
#define DOMCTL_417_LINE "xen_vmtrace: Xen takes domctl interface version 0x15"

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
	/*
	 * Three tries, two lines: the domctl version, probed newest first,
	 * is found once; the capability check refuses without a vmtrace op.
	 */
	EXPECT_EQ(EOPNOTSUPP, open_errno());
	EXPECT_EQ(EOPNOTSUPP, open_errno());
	EXPECT_EQ(EOPNOTSUPP, open_errno());
	EXPECT_EQ(1, log_count(DOMCTL_417_LINE));
	EXPECT_EQ(1, log_count(NO_VMTRACE_LINE));
	EXPECT_EQ(2, log_count("xen_vmtrace: "));
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

/* The recorder's resync after a gap: decoding restarts at a PSB only. */
TEST(psb_resync)
{
	static const unsigned char psb[PT_PSB_LEN] = {
		2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82,
		2, 0x82, 2, 0x82, 2, 0x82, 2, 0x82,
	};
	unsigned char buf[256];
	bool found;

	/* A PSB first: nothing to drop */
	memcpy(buf, psb, sizeof(psb));
	EXPECT_EQ(0, pt_resync_drop(buf, sizeof(psb), &found));
	EXPECT_TRUE(found);

	/* The tail of a packet (a TIP and 02 82 pairs short of a PSB) first */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x0d;
	memcpy(buf + 40, psb, 14);
	memcpy(buf + 61, psb, sizeof(psb));
	EXPECT_EQ(61, pt_resync_drop(buf, 100, &found));
	EXPECT_TRUE(found);

	/* No PSB: all but the 15 bytes that may begin one are dropped */
	EXPECT_EQ(61 - 15, pt_resync_drop(buf, 61, &found));
	EXPECT_FALSE(found);
	EXPECT_EQ(0, pt_resync_drop(buf, 15, &found));
	EXPECT_FALSE(found);

	/* A PSB the next drain completes: found in what was kept back */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 90, psb, sizeof(psb));
	EXPECT_EQ(100 - 15, pt_resync_drop(buf, 100, &found));
	EXPECT_FALSE(found);
	EXPECT_EQ(5, pt_resync_drop(buf + 85, 30, &found));
	EXPECT_TRUE(found);
}

TEST_HARNESS_MAIN
