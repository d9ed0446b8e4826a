// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the vmtrace ring: sizes Xen may report, positions that
 * wrap, a reader that falls a buffer behind, bad positions, the count
 * after a RESET, and the option requests Xen would refuse or that would
 * put it out of step. Also the domctl version search, against the
 * answers each Xen release gives.
 */
#include <kunit/test.h>
#include <asm/msr-index.h>

#include "abi.h"
#include "ring.h"

#define FRAMES	16
#define SIZE	(FRAMES * PAGE_SIZE)

static void vmtrace_ring_test_sizes(struct kunit *test)
{
	static const u64 bad[] = { 0, 3, 12, VMTRACE_MAX_FRAMES * 2,
				   1ULL << 63 };
	struct vmtrace_ring r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, vmtrace_ring_init(&r, bad[i]),
				    -EPROTO, "%llu frames", bad[i]);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_init(&r, 1), 0);
	KUNIT_EXPECT_EQ(test, r.size, (u64)PAGE_SIZE);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_init(&r, VMTRACE_MAX_FRAMES), 0);
	KUNIT_EXPECT_EQ(test, r.size, VMTRACE_MAX_FRAMES * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vmtrace_ring_reset(&r, r.size), -EPROTO);
}

static void expect_unread(struct kunit *test, struct vmtrace_ring *r,
			  u64 at, u64 len)
{
	u64 got_at, got_len;

	vmtrace_ring_unread(r, &got_at, &got_len);
	KUNIT_EXPECT_EQ(test, got_at, at);
	KUNIT_EXPECT_EQ(test, got_len, len);
}

/* Attached at 1000: the reader sees only what follows, across the wrap. */
static void vmtrace_ring_test_wrap(struct kunit *test)
{
	struct vmtrace_ring r;

	KUNIT_ASSERT_EQ(test, vmtrace_ring_init(&r, FRAMES), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_reset(&r, 1000), 0);
	expect_unread(test, &r, 1000, 0);

	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, 5000), 0);
	KUNIT_EXPECT_EQ(test, r.head, 4000ULL);
	expect_unread(test, &r, 1000, 4000);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_consume(&r, 4000), 0);
	expect_unread(test, &r, 5000, 0);

	/* Up to 100 bytes short of the end, then wrapped to 100 */
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, SIZE - 100), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, 100), 0);
	KUNIT_EXPECT_EQ(test, r.head, 4000ULL + SIZE - 100 - 5000 + 200);
	/* Two pieces: to the end, then from the start */
	expect_unread(test, &r, 5000, SIZE - 5000);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_consume(&r, SIZE - 5000), 0);
	expect_unread(test, &r, 0, 100);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_consume(&r, 100), 0);
	expect_unread(test, &r, 100, 0);
	KUNIT_EXPECT_EQ(test, r.lost, 0ULL);

	/* The same position again: nothing new */
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, 100), 0);
	expect_unread(test, &r, 100, 0);
}

/* A reader a full buffer behind loses the oldest bytes, counted. */
static void vmtrace_ring_test_overrun(struct kunit *test)
{
	struct vmtrace_ring r;

	KUNIT_ASSERT_EQ(test, vmtrace_ring_init(&r, FRAMES), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_reset(&r, 0), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, SIZE / 2), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, SIZE - 8), 0);
	KUNIT_EXPECT_EQ(test, r.lost, 0ULL);
	/* 8 + 4096 more: the first 4096 of the unread bytes are gone. */
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, r.head, (u64)SIZE + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, r.lost, (u64)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, r.head - r.tail, (u64)SIZE);
	/* What is left starts where Xen writes next, the oldest byte. */
	expect_unread(test, &r, PAGE_SIZE, SIZE - PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vmtrace_ring_consume(&r, SIZE + 1), -EINVAL);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_consume(&r, SIZE), 0);
	expect_unread(test, &r, PAGE_SIZE, 0);
}

static void vmtrace_ring_test_bad_position(struct kunit *test)
{
	struct vmtrace_ring r, before;

	KUNIT_ASSERT_EQ(test, vmtrace_ring_init(&r, FRAMES), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_reset(&r, 64), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, 128), 0);
	before = r;
	KUNIT_EXPECT_EQ(test, vmtrace_ring_advance(&r, SIZE), -EPROTO);
	KUNIT_EXPECT_EQ(test, vmtrace_ring_advance(&r, ~0ULL), -EPROTO);
	KUNIT_EXPECT_EQ(test, memcmp(&r, &before, sizeof(r)), 0);
	KUNIT_EXPECT_EQ(test, vmtrace_ring_consume(&r, 65), -EINVAL);
	KUNIT_EXPECT_EQ(test, vmtrace_ring_consume(&r, 64), 0);
}

/*
 * RESET: Xen restarts at offset 0 with the vCPU paused; by the first POLL
 * the vCPU wrote 3000 bytes, all of them offered, the first PSB included.
 */
static void vmtrace_ring_test_restart(struct kunit *test)
{
	struct vmtrace_ring r;

	KUNIT_ASSERT_EQ(test, vmtrace_ring_init(&r, FRAMES), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_reset(&r, 5000), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, 9000), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, SIZE - 1), 0);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, 3 * PAGE_SIZE), 0);
	KUNIT_EXPECT_NE(test, r.lost, 0ULL);

	vmtrace_ring_restart(&r);
	KUNIT_ASSERT_EQ(test, vmtrace_ring_advance(&r, 3000), 0);
	KUNIT_EXPECT_EQ(test, r.head, 3000ULL);
	KUNIT_EXPECT_EQ(test, r.tail, 0ULL);
	KUNIT_EXPECT_EQ(test, r.lost, 0ULL);
	expect_unread(test, &r, 0, 3000);
}

/* Which option requests reach Xen, with RTIT_CTL at ctl */
static void vmtrace_ring_test_options(struct kunit *test)
{
	static const struct {
		bool set;
		u64 key, ctl, value;
		bool refused;
	} t[] = {
		{ false, MSR_IA32_RTIT_CTL, 0, 0, false },
		{ false, MSR_IA32_RTIT_STATUS, 0, 0, false },
		{ false, MSR_IA32_RTIT_OUTPUT_MASK, 0, 0, true },
		{ false, MSR_IA32_RTIT_OUTPUT_BASE, 0, 0, true },
		{ false, 0, 0, 0, true },
		{ true, MSR_IA32_RTIT_CTL, 0, RTIT_CTL_BRANCH_EN, false },
		{ true, MSR_IA32_RTIT_CTL, RTIT_CTL_TRACEEN,
		  RTIT_CTL_TRACEEN | RTIT_CTL_TSC_EN, false },
		{ true, MSR_IA32_RTIT_CTL, 0, RTIT_CTL_TRACEEN, true },
		{ true, MSR_IA32_RTIT_CTL, RTIT_CTL_TRACEEN, RTIT_CTL_OS, true },
		{ true, MSR_IA32_RTIT_STATUS, 0, 0, false },
		{ true, MSR_IA32_RTIT_OUTPUT_MASK, 0, 0, true },
		{ true, MSR_IA32_RTIT_STATUS + 1, 0, 0, true },
	};
	unsigned int i;
	bool refused;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		refused = vmtrace_option_refusal(t[i].set, t[i].key, t[i].ctl,
						 t[i].value);
		KUNIT_EXPECT_EQ_MSG(test, refused, t[i].refused,
				    "%s %#llx ctl %#llx value %#llx",
				    t[i].set ? "set" : "get", t[i].key,
				    t[i].ctl, t[i].value);
	}
}

/* Xen's answers to the version probe, one per try, and the tries seen */
struct probe_script {
	const int *answers;
	unsigned int n, tries;
	u32 tried[4];
};

static int scripted_probe(void *ctx, u32 version)
{
	struct probe_script *p = ctx;

	if (p->tries >= ARRAY_SIZE(p->tried) || p->tries >= p->n)
		return -EIO;
	p->tried[p->tries] = version;
	return p->answers[p->tries++];
}

/*
 * The probe is a vmtrace op on DOMID_INVALID: ESRCH from a Xen that takes
 * the version, EACCES from one that does not.
 */
static void vmtrace_abi_test_domctl_version(struct kunit *test)
{
	static const int xen420[] = { -ESRCH };
	static const int xen418[] = { -EACCES, -ESRCH };
	static const int xen417[] = { -EACCES, -EACCES, -ESRCH };
	static const int newer[] = { -EACCES, -EACCES, -EACCES };
	static const int fault[] = { -EACCES, -EFAULT };
	static const int eperm[] = { -EPERM };
	static const struct {
		const char *xen;
		const int *answers;
		unsigned int n;
		int err;
		u32 version;
	} t[] = {
		{ "4.19 and 4.20", xen420, ARRAY_SIZE(xen420), 0, 0x17 },
		{ "4.18", xen418, ARRAY_SIZE(xen418), 0, 0x16 },
		{ "4.17", xen417, ARRAY_SIZE(xen417), 0, 0x15 },
		{ "4.21 (a new version)", newer, ARRAY_SIZE(newer), -EOPNOTSUPP, 0 },
		{ "a bad argument", fault, ARRAY_SIZE(fault), -EFAULT, 0 },
		{ "a refusal before the domain", eperm, ARRAY_SIZE(eperm), -EPERM, 0 },
	};
	static const u32 order[] = VMTRACE_DOMCTL_VERSIONS;
	struct probe_script p;
	unsigned int i, j;
	u32 version;
	int err;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		p = (struct probe_script){ .answers = t[i].answers, .n = t[i].n };
		version = 0;
		err = vmtrace_find_domctl_version(scripted_probe, &p, &version);
		KUNIT_EXPECT_EQ_MSG(test, err, t[i].err, "Xen %s", t[i].xen);
		KUNIT_EXPECT_EQ_MSG(test, version, t[i].version, "Xen %s",
				    t[i].xen);
		/* Every answer used, newest version first */
		KUNIT_EXPECT_EQ_MSG(test, p.tries, t[i].n, "Xen %s", t[i].xen);
		for (j = 0; j < p.tries; j++)
			KUNIT_EXPECT_EQ(test, p.tried[j], order[j]);
	}
}

static struct kunit_case vmtrace_ring_test_cases[] = {
	KUNIT_CASE(vmtrace_ring_test_sizes),
	KUNIT_CASE(vmtrace_ring_test_wrap),
	KUNIT_CASE(vmtrace_ring_test_overrun),
	KUNIT_CASE(vmtrace_ring_test_bad_position),
	KUNIT_CASE(vmtrace_ring_test_restart),
	KUNIT_CASE(vmtrace_ring_test_options),
	KUNIT_CASE(vmtrace_abi_test_domctl_version),
	{}
};

static struct kunit_suite vmtrace_ring_test_suite = {
	.name = "xen-vmtrace-ring",
	.test_cases = vmtrace_ring_test_cases,
};

kunit_test_suite(vmtrace_ring_test_suite);
