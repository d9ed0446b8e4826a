// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the vmtrace ring: sizes Xen may report, positions that
 * wrap, a reader that falls a buffer behind, bad positions, and the
 * option writes that would put Xen or the count out of step.
 */
#include <kunit/test.h>
#include <asm/msr-index.h>

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
		{ false, MSR_IA32_RTIT_OUTPUT_MASK, 0, 0, false },
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

static struct kunit_case vmtrace_ring_test_cases[] = {
	KUNIT_CASE(vmtrace_ring_test_sizes),
	KUNIT_CASE(vmtrace_ring_test_wrap),
	KUNIT_CASE(vmtrace_ring_test_overrun),
	KUNIT_CASE(vmtrace_ring_test_bad_position),
	KUNIT_CASE(vmtrace_ring_test_options),
	{}
};

static struct kunit_suite vmtrace_ring_test_suite = {
	.name = "xen-vmtrace-ring",
	.test_cases = vmtrace_ring_test_cases,
};

kunit_test_suite(vmtrace_ring_test_suite);
