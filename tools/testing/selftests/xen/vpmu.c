// SPDX-License-Identifier: GPL-2.0
/*
 * perf's hardware side in a Xen guest. The launcher says what Xen was
 * given (xst.vpmu=on|off) and whether the CPU under Xen has a PMU
 * (xst.hwpmu=1; QEMU TCG has none, so Xen disables its vPMU either way).
 * Without a vPMU a PV guest says so in one line, perf offers software
 * events only, no MSR access faults, and dom0's /sys/hypervisor/pmu
 * refuses every change with a clear error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "../kselftest_harness.h"
#include "xst.h"

#define PMU_DIR "/sys/hypervisor/pmu/"
#define NO_VPMU_LINE \
	"xen_pmu: Xen offers no vPMU (it needs vpmu=on and a PMU it supports): software events only"
#define NO_PMU_LINE "PMU not available due to virtualization, using software events only."

static bool claim(const char *key, const char *want)
{
	char val[64];

	return !strcmp(cmdline_value(key, val, sizeof(val)), want);
}

static bool pv_guest(void)
{
	return claim("xst.guest=", "PV");
}

/* The kernel log, NUL-terminated (caller frees) */
static char *kernel_log(void)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int n;

	if (len <= 0)
		return NULL;
	buf = calloc(1, len + 1);
	if (!buf)
		return NULL;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int count_lines(const char *log, const char *text)
{
	const char *p;
	int n = 0;

	for (p = strstr(log, text); p; p = strstr(p + 1, text))
		n++;
	return n;
}

TEST(one_boot_line_and_no_faults)
{
	char *log = kernel_log();

	ASSERT_NE(NULL, log) TH_LOG("klogctl: %s", strerror(errno));
	EXPECT_EQ(0, count_lines(log, "unchecked MSR access"));
	EXPECT_EQ(0, count_lines(log, "WARNING: CPU:"));
	EXPECT_EQ(1, count_lines(log, "Performance Events: "));
	if (!pv_guest()) {
		/* HVM and PVH guests trap PMU MSRs: xenpmu_op is not theirs. */
		EXPECT_EQ(0, count_lines(log, "xen_pmu: "));
	} else if (claim("xst.hwpmu=", "1") && claim("xst.vpmu=", "on")) {
		EXPECT_EQ(1, count_lines(log, "xen_pmu: vPMU on: "));
		EXPECT_EQ(1, count_lines(log, "xen_pmu: "));
	} else {
		EXPECT_EQ(1, count_lines(log, NO_VPMU_LINE));
		EXPECT_EQ(1, count_lines(log, "xen_pmu: "));
		EXPECT_EQ(1, count_lines(log, NO_PMU_LINE));
	}
	free(log);
}

static int open_event(__u32 type, __u64 config)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
		.disabled = 1,
		.exclude_hv = 1,
	};

	return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

TEST(software_events_only)
{
	static const __u64 hw[] = {
		PERF_COUNT_HW_CPU_CYCLES, PERF_COUNT_HW_INSTRUCTIONS,
		PERF_COUNT_HW_CACHE_MISSES, PERF_COUNT_HW_BRANCH_INSTRUCTIONS,
	};
	long long count = 0;
	unsigned int i;
	int fd;

	if (claim("xst.hwpmu=", "1"))
		SKIP(return, "xst.hwpmu=1: the CPU has a PMU, hardware events work");
	for (i = 0; i < ARRAY_SIZE(hw); i++) {
		errno = 0;
		fd = open_event(PERF_TYPE_HARDWARE, hw[i]);
		EXPECT_EQ(-1, fd) TH_LOG("hardware event %llu opened", hw[i]);
		/* No "cpu" PMU is registered: the type itself is unknown. */
		EXPECT_EQ(ENOENT, errno) TH_LOG("hardware event %llu: %s", hw[i],
						strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	fd = open_event(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
	ASSERT_LE(0, fd) TH_LOG("task-clock: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(fd, PERF_EVENT_IOC_ENABLE, 0));
	/* Some kernel time for task-clock: system calls */
	for (i = 0; i < 20000; i++)
		getppid();
	ASSERT_EQ(0, ioctl(fd, PERF_EVENT_IOC_DISABLE, 0));
	ASSERT_EQ(sizeof(count), read(fd, &count, sizeof(count)));
	EXPECT_LT(0, count) TH_LOG("task-clock counted nothing");
	close(fd);
}

static int write_attr(const char *name, const char *val)
{
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), PMU_DIR "%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

struct pmu_write {
	const char *attr, *val;
	int err;
};

/* Xen without a usable vPMU answers every operation with EOPNOTSUPP. */
static const struct pmu_write pmu_writes[] = {
	{ "pmu_mode", "self\n", -EOPNOTSUPP },
	{ "pmu_mode", "hv", -EOPNOTSUPP },
	{ "pmu_mode", "all\n", -EOPNOTSUPP },
	{ "pmu_mode", "off\n", -EOPNOTSUPP },
	{ "pmu_mode", "s\n", -EINVAL },
	{ "pmu_mode", "Self\n", -EINVAL },
	{ "pmu_mode", "self hv\n", -EINVAL },
	{ "pmu_mode", "4\n", -EINVAL },
	{ "pmu_mode", "\n", -EINVAL },
	{ "pmu_features", "ipc_only\n", -EOPNOTSUPP },
	{ "pmu_features", "0x6\n", -EOPNOTSUPP },
	{ "pmu_features", "0x8\n", -EINVAL },
	{ "pmu_features", "bts,nope\n", -EINVAL },
	{ "pmu_features", "-1\n", -EINVAL },
};

TEST(pmu_sysfs)
{
	const struct pmu_write *w;
	char buf[64];
	unsigned int i;
	char *log;

	if (!pv_guest() || !claim("xst.dom0=", "1")) {
		/* Only a PV dom0 may call xenpmu_op for the whole host. */
		EXPECT_EQ(-ENOENT, read_text(PMU_DIR "pmu_mode", buf, sizeof(buf)));
		return;
	}
	if (claim("xst.hwpmu=", "1"))
		SKIP(return, "xst.hwpmu=1: a real vPMU takes these values");
	ASSERT_LT(0, read_text(PMU_DIR "pmu_mode", buf, sizeof(buf)));
	EXPECT_STREQ("off", buf);
	ASSERT_LT(0, read_text(PMU_DIR "pmu_features", buf, sizeof(buf)));
	EXPECT_STREQ("0x0", buf);
	for (i = 0; i < ARRAY_SIZE(pmu_writes); i++) {
		w = &pmu_writes[i];
		EXPECT_EQ(w->err, write_attr(w->attr, w->val))
			TH_LOG("write %u: '%.*s'", i, (int)strcspn(w->val, "\n"), w->val);
	}
	ASSERT_LT(0, read_text(PMU_DIR "pmu_mode", buf, sizeof(buf)));
	EXPECT_STREQ("off", buf);
	log = kernel_log();
	ASSERT_NE(NULL, log);
	EXPECT_LE(1, count_lines(log, "xen_pmu: pmu_mode: not off, self, hv or all"));
	EXPECT_LE(1, count_lines(log,
				 "xen_pmu: pmu_mode: Xen offers no vPMU (boot it with vpmu=on)"));
	EXPECT_LE(1, count_lines(log, "xen_pmu: pmu_features: not a mask of 0x7"));
	free(log);
}

TEST(pmi_counters)
{
	char buf[256];
	int n = read_text("/sys/kernel/debug/xen/pmu", buf, sizeof(buf));

	if (!pv_guest()) {
		EXPECT_EQ(-ENOENT, n);
		return;
	}
	ASSERT_LT(0, n) TH_LOG("/sys/kernel/debug/xen/pmu: %s", strerror(-n));
	if (claim("xst.hwpmu=", "1"))
		return;
	EXPECT_NE(NULL, strstr(buf, "registered 0\n"));
	EXPECT_NE(NULL, strstr(buf, "pmis 0\n"));
	EXPECT_NE(NULL, strstr(buf, "pmi_hypercalls 0\n"));
}

TEST_HARNESS_MAIN
