// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the PV vPMU's register map, against shared pages built
 * here the way Xen 4.17 lays them out for Intel and AMD.
 */
#include <kunit/test.h>
#include <linux/perf_event.h>
#include <asm/msr-index.h>
#include <asm/perf_event.h>
#include <asm/ptrace.h>

#include "vpmu.h"

#define NONE (-1)

struct classify_case {
	u32 msr;
	int kind;		/* enum vpmu_reg_kind, or NONE */
	unsigned int index;
};

/* Architectural perfmon v4, 4 counters, 3 fixed */
static const struct classify_case intel_cases[] = {
	{ MSR_P6_EVNTSEL0, VPMU_REG_CONTROL, 0 },
	{ MSR_P6_EVNTSEL0 + 3, VPMU_REG_CONTROL, 3 },
	{ MSR_P6_EVNTSEL0 + 4, NONE },
	{ MSR_IA32_PERFCTR0, VPMU_REG_COUNTER, 0 },
	{ MSR_IA32_PERFCTR0 + 3, VPMU_REG_COUNTER, 3 },
	{ MSR_IA32_PERFCTR0 + 4, NONE },
	{ MSR_IA32_PMC0, VPMU_REG_COUNTER, 0 },
	{ MSR_IA32_PMC0 + 3, VPMU_REG_COUNTER, 3 },
	{ MSR_IA32_PMC0 + 4, NONE },
	{ MSR_CORE_PERF_FIXED_CTR0, VPMU_REG_FIXED, 0 },
	{ MSR_CORE_PERF_FIXED_CTR0 + 2, VPMU_REG_FIXED, 2 },
	{ MSR_CORE_PERF_FIXED_CTR0 + 3, NONE },
	{ MSR_CORE_PERF_FIXED_CTR_CTRL, VPMU_REG_FIXED_CTRL },
	{ MSR_CORE_PERF_GLOBAL_STATUS, VPMU_REG_GLOBAL_STATUS },
	{ MSR_CORE_PERF_GLOBAL_CTRL, VPMU_REG_GLOBAL_CTRL },
	{ MSR_CORE_PERF_GLOBAL_OVF_CTRL, VPMU_REG_GLOBAL_OVF_CTRL },
	{ MSR_IA32_DS_AREA, VPMU_REG_DS_AREA },
	{ MSR_IA32_PEBS_ENABLE, VPMU_REG_PEBS_ENABLE },
	{ MSR_IA32_TSC, NONE },
	{ MSR_IA32_PERFCTR0 - 1, NONE },
	{ MSR_K7_EVNTSEL0, NONE },
	{ MSR_F15H_PERF_CTR, NONE },
};

/* Core performance counter extension: six pairs, K7 names alias 0-3 */
static const struct classify_case amd_core_cases[] = {
	{ MSR_F15H_PERF_CTL, VPMU_REG_CONTROL, 0 },
	{ MSR_F15H_PERF_CTR, VPMU_REG_COUNTER, 0 },
	{ MSR_F15H_PERF_CTL + 10, VPMU_REG_CONTROL, 5 },
	{ MSR_F15H_PERF_CTR + 10, VPMU_REG_COUNTER, 5 },
	{ MSR_F15H_PERF_CTL + 12, NONE },
	{ MSR_F15H_PERF_CTR + 12, NONE },
	{ MSR_K7_EVNTSEL0, VPMU_REG_CONTROL, 0 },
	{ MSR_K7_EVNTSEL0 + 3, VPMU_REG_CONTROL, 3 },
	{ MSR_K7_PERFCTR0, VPMU_REG_COUNTER, 0 },
	{ MSR_K7_PERFCTR0 + 3, VPMU_REG_COUNTER, 3 },
	{ MSR_K7_PERFCTR0 + 4, NONE },
	{ MSR_F15H_PERF_CTL - 1, NONE },
	{ MSR_P6_EVNTSEL0, NONE },
	{ MSR_CORE_PERF_GLOBAL_CTRL, NONE },
};

/* Before the extension: four K7 pairs, nothing at the F15H MSRs */
static const struct classify_case amd_k7_cases[] = {
	{ MSR_K7_EVNTSEL0, VPMU_REG_CONTROL, 0 },
	{ MSR_K7_EVNTSEL0 + 3, VPMU_REG_CONTROL, 3 },
	{ MSR_K7_PERFCTR0, VPMU_REG_COUNTER, 0 },
	{ MSR_K7_PERFCTR0 + 3, VPMU_REG_COUNTER, 3 },
	{ MSR_K7_PERFCTR0 + 4, NONE },
	{ MSR_F15H_PERF_CTL, NONE },
	{ MSR_F15H_PERF_CTR, NONE },
};

static void check_classify(struct kunit *test, const struct vpmu_layout *l,
			   const struct classify_case *c, size_t n)
{
	struct vpmu_reg reg;
	size_t i;

	for (i = 0; i < n; i++, c++) {
		bool hit = vpmu_classify(l, c->msr, &reg);

		KUNIT_EXPECT_EQ_MSG(test, hit, c->kind != NONE, "MSR 0x%x",
				    c->msr);
		if (!hit || c->kind == NONE)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, (int)reg.kind, c->kind, "MSR 0x%x",
				    c->msr);
		KUNIT_EXPECT_EQ_MSG(test, reg.index, c->index, "MSR 0x%x",
				    c->msr);
	}
}

/* CPUID.0AH: EAX version 7:0, counters 15:8; EDX fixed counters 4:0 */
#define CPUID_0A_EAX(version, counters) ((version) | (counters) << 8)

static void vpmu_test_classify_intel(struct kunit *test)
{
	struct vpmu_layout l;

	vpmu_layout_intel(&l, CPUID_0A_EAX(4, 4), 3);
	KUNIT_EXPECT_EQ(test, l.counters, 4U);
	KUNIT_EXPECT_EQ(test, l.fixed, 3U);
	check_classify(test, &l, intel_cases, ARRAY_SIZE(intel_cases));
}

static void vpmu_test_layout_intel_limits(struct kunit *test)
{
	struct vpmu_layout l;

	/* Version 1 has no fixed counters, whatever EDX holds. */
	vpmu_layout_intel(&l, CPUID_0A_EAX(1, 2), 3);
	KUNIT_EXPECT_EQ(test, l.counters, 2U);
	KUNIT_EXPECT_EQ(test, l.fixed, 0U);
	/* Xen traps event selects 0-3 and fixed counters 0-2 for PV. */
	vpmu_layout_intel(&l, CPUID_0A_EAX(5, 8), 4);
	KUNIT_EXPECT_EQ(test, l.counters, 4U);
	KUNIT_EXPECT_EQ(test, l.fixed, 3U);
	KUNIT_EXPECT_FALSE(test, vpmu_classify(&l, MSR_P6_EVNTSEL0 + 4,
					       &(struct vpmu_reg){}));
	KUNIT_EXPECT_FALSE(test, vpmu_classify(&l, MSR_CORE_PERF_FIXED_CTR0 + 3,
					       &(struct vpmu_reg){}));
	/* No perfmon leaf at all (Xen hides it without a vPMU) */
	vpmu_layout_intel(&l, 0, 0);
	KUNIT_EXPECT_EQ(test, l.counters, 0U);
	KUNIT_EXPECT_FALSE(test, vpmu_classify(&l, MSR_P6_EVNTSEL0,
					       &(struct vpmu_reg){}));
}

/* What perf sees of CPUID leaf 0xa in a PV guest */
static void vpmu_test_cpuid_0a(struct kunit *test)
{
	static const struct {
		u32 eax, edx, want_eax, want_edx;
	} t[] = {
		/* 8 counters (no SMT), 4 fixed: Xen traps 4 and 3 */
		{ CPUID_0A_EAX(5, 8) | 0x30 << 16, 0x8604,
		  CPUID_0A_EAX(5, 4) | 0x30 << 16, 0x8603 },
		/* Within the limits: untouched */
		{ CPUID_0A_EAX(4, 4) | 0x30 << 16, 0x603,
		  CPUID_0A_EAX(4, 4) | 0x30 << 16, 0x603 },
		{ CPUID_0A_EAX(2, 2), 0, CPUID_0A_EAX(2, 2), 0 },
		/* No vPMU: Xen's empty leaf */
		{ 0, 0, 0, 0 },
	};
	unsigned int i;
	u32 eax, edx;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		eax = t[i].eax;
		edx = t[i].edx;
		vpmu_cpuid_0a_limit(&eax, &edx);
		KUNIT_EXPECT_EQ_MSG(test, eax, t[i].want_eax, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, edx, t[i].want_edx, "case %u", i);
	}
}

static void vpmu_test_classify_amd(struct kunit *test)
{
	struct vpmu_layout l;

	vpmu_layout_amd(&l, true);
	KUNIT_EXPECT_EQ(test, l.counters, 6U);
	check_classify(test, &l, amd_core_cases, ARRAY_SIZE(amd_core_cases));
	vpmu_layout_amd(&l, false);
	KUNIT_EXPECT_EQ(test, l.counters, 4U);
	check_classify(test, &l, amd_k7_cases, ARRAY_SIZE(amd_k7_cases));
}

/* A page as Xen fills it: banks right after the vendor context */
static struct xen_pmu_data *intel_page(struct kunit *test,
				       const struct vpmu_layout *l)
{
	struct xen_pmu_data *d = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct xen_pmu_intel_ctxt *c;

	KUNIT_ASSERT_NOT_NULL(test, d);
	c = &d->pmu.c.intel;
	c->fixed_counters = sizeof(*c);
	c->arch_counters = sizeof(*c) + l->fixed * sizeof(u64);
	d->pmu.pmu_flags = PMU_CACHED;
	return d;
}

/* The layout most tests use: 4 counters and 3 fixed, and its page */
static struct xen_pmu_data *intel_4_3_page(struct kunit *test,
					   struct vpmu_layout *l)
{
	vpmu_layout_intel(l, CPUID_0A_EAX(4, 4), 3);
	return intel_page(test, l);
}

static u64 *intel_fixed(struct xen_pmu_data *d, unsigned int i)
{
	struct xen_pmu_intel_ctxt *c = &d->pmu.c.intel;

	return (u64 *)((char *)c + c->fixed_counters) + i;
}

static struct xen_pmu_cntr_pair *intel_pair(struct xen_pmu_data *d,
					    unsigned int i)
{
	struct xen_pmu_intel_ctxt *c = &d->pmu.c.intel;

	return (struct xen_pmu_cntr_pair *)((char *)c + c->arch_counters) + i;
}

static u64 read_msr_from(struct kunit *test, const struct vpmu_layout *l,
			 struct xen_pmu_data *d, u32 msr)
{
	struct vpmu_reg reg;
	u64 val = ~0ULL;

	KUNIT_EXPECT_TRUE_MSG(test, vpmu_classify(l, msr, &reg), "MSR 0x%x",
			      msr);
	KUNIT_EXPECT_EQ_MSG(test, vpmu_ctxt_read(l, d, &reg, &val), 0,
			    "MSR 0x%x", msr);
	return val;
}

static void expect_msr(struct kunit *test, const struct vpmu_layout *l,
		       struct xen_pmu_data *d, u32 msr, u64 want)
{
	KUNIT_EXPECT_EQ_MSG(test, read_msr_from(test, l, d, msr), want,
			    "MSR 0x%x", msr);
}

static int write_msr_to(const struct vpmu_layout *l, struct xen_pmu_data *d,
			u32 msr, u64 val)
{
	struct vpmu_reg reg;

	if (!vpmu_classify(l, msr, &reg))
		return -ENOENT;
	return vpmu_ctxt_write(l, d, &reg, val);
}

static void vpmu_test_intel_context(struct kunit *test)
{
	struct xen_pmu_intel_ctxt *c;
	struct xen_pmu_data *d;
	struct vpmu_layout l;
	unsigned int i;

	d = intel_4_3_page(test, &l);
	c = &d->pmu.c.intel;
	for (i = 0; i < l.fixed; i++)
		*intel_fixed(d, i) = 0xf00 + i;
	for (i = 0; i < l.counters; i++) {
		intel_pair(d, i)->counter = 0xc00 + i;
		intel_pair(d, i)->control = 0xe00 + i;
	}
	c->global_ctrl = 0x70000000f;
	c->fixed_ctrl = 0x333;
	c->ds_area = 0xffff888000001000;

	for (i = 0; i < l.fixed; i++)
		expect_msr(test, &l, d, MSR_CORE_PERF_FIXED_CTR0 + i, 0xf00ULL + i);
	for (i = 0; i < l.counters; i++) {
		expect_msr(test, &l, d, MSR_IA32_PERFCTR0 + i, 0xc00ULL + i);
		expect_msr(test, &l, d, MSR_IA32_PMC0 + i, 0xc00ULL + i);
		expect_msr(test, &l, d, MSR_P6_EVNTSEL0 + i, 0xe00ULL + i);
	}
	expect_msr(test, &l, d, MSR_CORE_PERF_GLOBAL_CTRL, 0x70000000fULL);
	expect_msr(test, &l, d, MSR_CORE_PERF_FIXED_CTR_CTRL, 0x333ULL);
	expect_msr(test, &l, d, MSR_IA32_DS_AREA, 0xffff888000001000ULL);
	expect_msr(test, &l, d, MSR_IA32_PEBS_ENABLE, 0ULL);
	/* Xen refuses PEBS for PV: faults as on a CPU without it */
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_IA32_PEBS_ENABLE, 1),
			-EPERM);
	KUNIT_EXPECT_EQ(test, c->pebs_enable, 0ULL);
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_IA32_PEBS_ENABLE, 0), 0);

	/* A write lands in its own slot and nowhere else. */
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_IA32_PMC0 + 2,
					   0xfffffff00000), 0);
	KUNIT_EXPECT_EQ(test, intel_pair(d, 2)->counter, 0xfffffff00000ULL);
	KUNIT_EXPECT_EQ(test, intel_pair(d, 2)->control, 0xe02ULL);
	KUNIT_EXPECT_EQ(test, intel_pair(d, 1)->counter, 0xc01ULL);
	KUNIT_EXPECT_EQ(test, intel_pair(d, 3)->counter, 0xc03ULL);
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_P6_EVNTSEL0 + 3,
					   0x43003c), 0);
	KUNIT_EXPECT_EQ(test, intel_pair(d, 3)->control, 0x43003cULL);
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_CORE_PERF_FIXED_CTR0 + 1,
					   5), 0);
	KUNIT_EXPECT_EQ(test, *intel_fixed(d, 1), 5ULL);
	KUNIT_EXPECT_EQ(test, *intel_fixed(d, 0), 0xf00ULL);
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_CORE_PERF_GLOBAL_CTRL, 0),
			0);
	KUNIT_EXPECT_EQ(test, c->global_ctrl, 0ULL);
}

static void vpmu_test_intel_overflow(struct kunit *test)
{
	struct xen_pmu_intel_ctxt *c;
	struct xen_pmu_data *d;
	struct vpmu_layout l;
	u64 both = BIT_ULL(0) | BIT_ULL(1) | BIT_ULL(3) | BIT_ULL(32);

	d = intel_4_3_page(test, &l);
	c = &d->pmu.c.intel;
	c->global_status = both;
	expect_msr(test, &l, d, MSR_CORE_PERF_GLOBAL_STATUS, both);

	/* Acknowledge counters 0 and 1: only their bits go. */
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_CORE_PERF_GLOBAL_OVF_CTRL,
					   BIT_ULL(0) | BIT_ULL(1)), 0);
	KUNIT_EXPECT_EQ(test, c->global_status, BIT_ULL(3) | BIT_ULL(32));
	KUNIT_EXPECT_EQ(test, c->global_ovf_ctrl, BIT_ULL(0) | BIT_ULL(1));
	/* Then the fixed counter's and counter 3's */
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_CORE_PERF_GLOBAL_OVF_CTRL,
					   BIT_ULL(3) | BIT_ULL(32)), 0);
	KUNIT_EXPECT_EQ(test, c->global_status, 0ULL);

	/* Status itself is read-only, as on hardware. */
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_CORE_PERF_GLOBAL_STATUS,
					   ~0ULL), -EPERM);
	KUNIT_EXPECT_EQ(test, c->global_status, 0ULL);
}

/*
 * Serving the page: whenever Xen has the context cached, not only inside
 * the handler (Xen caches it before the guest can take the PMI).
 */
static void vpmu_test_page_is_pmu(struct kunit *test)
{
	struct xen_pmu_data *d = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_FALSE(test, vpmu_page_is_pmu(NULL));
	KUNIT_EXPECT_FALSE(test, vpmu_page_is_pmu(d));
	d->pmu.pmu_flags = PMU_SAMPLE_PV | PMU_SAMPLE_USER;
	KUNIT_EXPECT_FALSE(test, vpmu_page_is_pmu(d));
	d->pmu.pmu_flags |= PMU_CACHED;
	KUNIT_EXPECT_TRUE(test, vpmu_page_is_pmu(d));
}

/*
 * The checks of Xen 4.17's core2_vpmu_verify() for 4 counters, 3 fixed
 * ones 48 bits wide: reserved bits of the global registers, AnyThread
 * (bit 2 of each fixed counter's field), event select bits 63:32, 21 and
 * 19, and PEBS.
 */
static bool intel_xen_takes(struct xen_pmu_data *d,
			    const struct vpmu_layout *l)
{
	struct xen_pmu_intel_ctxt *c = &d->pmu.c.intel;
	u64 counters = 0xfULL | 0x7ULL << 32;
	unsigned int i;

	if (c->pebs_enable || c->global_ctrl & ~counters ||
	    c->global_ovf_ctrl & ~(counters | 3ULL << 62) ||
	    c->fixed_ctrl & ~0xbbbULL)
		return false;
	for (i = 0; i < l->fixed; i++)
		if (*intel_fixed(d, i) >> 48)
			return false;
	for (i = 0; i < l->counters; i++)
		if (intel_pair(d, i)->control &
		    (~0xffffffffULL | BIT_ULL(21) | BIT_ULL(19)))
			return false;
	return true;
}

/* A refused context is made one Xen takes, with every counter stopped. */
static void vpmu_test_quiesce_intel(struct kunit *test)
{
	struct vpmu_layout l;
	struct xen_pmu_data *d = intel_4_3_page(test, &l);
	struct xen_pmu_intel_ctxt *c = &d->pmu.c.intel;
	u64 ctrls[VPMU_MAX_COUNTERS] = {};
	unsigned int i;

	c->global_ctrl = 0x70000000f;
	c->fixed_ctrl = 0x777;		/* AnyThread on each */
	c->pebs_enable = 1;
	c->ds_area = 0xffff888000002000;
	for (i = 0; i < l.fixed; i++)
		*intel_fixed(d, i) = 0xfffffff00000 + i;
	for (i = 0; i < l.counters; i++) {
		intel_pair(d, i)->counter = 0x1000 + i;
		intel_pair(d, i)->control = 0x43003c | BIT_ULL(21);
	}
	KUNIT_ASSERT_FALSE(test, intel_xen_takes(d, &l));

	vpmu_ctxt_quiesce(&l, d, ctrls);
	KUNIT_EXPECT_TRUE(test, intel_xen_takes(d, &l));
	KUNIT_EXPECT_EQ(test, c->global_ctrl, 0ULL);
	KUNIT_EXPECT_EQ(test, c->ds_area, 0ULL);
	for (i = 0; i < l.counters; i++) {
		KUNIT_EXPECT_EQ(test, intel_pair(d, i)->control, 0ULL);
		/* Counts are left as they were: perf reads them on. */
		KUNIT_EXPECT_EQ(test, intel_pair(d, i)->counter, 0x1000ULL + i);
	}
	for (i = 0; i < l.fixed; i++)
		KUNIT_EXPECT_EQ(test, *intel_fixed(d, i), 0xfffffff00000ULL + i);
}

/* A page as Xen fills it for AMD: counters, then event selects */
static struct xen_pmu_data *amd_page(struct kunit *test,
				     const struct vpmu_layout *l, u64 **ctr,
				     u64 **ctl)
{
	struct xen_pmu_data *d = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct xen_pmu_amd_ctxt *c;

	KUNIT_ASSERT_NOT_NULL(test, d);
	c = &d->pmu.c.amd;
	c->counters = sizeof(*c);
	c->ctrls = sizeof(*c) + l->counters * sizeof(u64);
	*ctr = (u64 *)((char *)c + c->counters);
	*ctl = (u64 *)((char *)c + c->ctrls);
	return d;
}

/* Xen 4.17's amd_vpmu_load(): reserved bits as Xen read them at boot */
#define AMD_RSVD_MASK	(~(BIT_ULL(42) - 1) | 0xfULL << 36 | BIT_ULL(21) | \
			 BIT_ULL(19))

static bool amd_xen_takes(const u64 *ctl, const u64 *xen_rsvd, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if ((ctl[i] & AMD_RSVD_MASK) != xen_rsvd[i])
			return false;
	return true;
}

/*
 * AMD: perf left a select with a reserved bit flipped; the selects Xen
 * handed over come back, disabled, and Xen's check passes again.
 */
static void vpmu_test_quiesce_amd(struct kunit *test)
{
	u64 xen_rsvd[4], handed[VPMU_MAX_COUNTERS] = {};
	struct xen_pmu_data *d;
	struct vpmu_layout l;
	u64 *ctl, *ctr;
	unsigned int i;

	vpmu_layout_amd(&l, false);
	d = amd_page(test, &l, &ctr, &ctl);
	for (i = 0; i < l.counters; i++) {
		xen_rsvd[i] = i & 1 ? BIT_ULL(40) << 2 : 0;
		ctl[i] = xen_rsvd[i] | 0x530076 | ARCH_PERFMON_EVENTSEL_ENABLE;
		ctr[i] = 0x7000 + i;
	}
	KUNIT_ASSERT_TRUE(test, amd_xen_takes(ctl, xen_rsvd, l.counters));
	vpmu_ctxt_save_controls(&l, d, handed);
	ctl[2] |= BIT_ULL(21);
	KUNIT_ASSERT_FALSE(test, amd_xen_takes(ctl, xen_rsvd, l.counters));

	vpmu_ctxt_quiesce(&l, d, handed);
	KUNIT_EXPECT_TRUE(test, amd_xen_takes(ctl, xen_rsvd, l.counters));
	for (i = 0; i < l.counters; i++) {
		KUNIT_EXPECT_EQ(test, ctl[i], xen_rsvd[i] | 0x130076);
		KUNIT_EXPECT_EQ(test, ctr[i], 0x7000ULL + i);
	}
}

struct bank_case {
	const char *what;
	u32 fixed_counters, arch_counters;
	u32 msr;
	int err;
};

/* Bytes from .c.intel to the end of the page */
#define INTEL_ROOM (PAGE_SIZE - offsetof(struct xen_pmu_data, pmu.c))

/* Offsets from Xen that must not be followed */
static const struct bank_case bank_cases[] = {
	{ "as Xen lays it out", 64, 88, MSR_IA32_PERFCTR0 + 3, 0 },
	{ "pairs past the page", 64, PAGE_SIZE, MSR_IA32_PERFCTR0, -EPROTO },
	{ "last control 8 bytes past the end", 64, INTEL_ROOM - 7 * 8,
	  MSR_P6_EVNTSEL0 + 3, -EPROTO },
	{ "its counter just fits", 64, INTEL_ROOM - 7 * 8,
	  MSR_IA32_PERFCTR0 + 3, 0 },
	{ "bank inside the context", 64, 8, MSR_IA32_PERFCTR0, -EPROTO },
	{ "unaligned bank", 64, 89, MSR_IA32_PERFCTR0, -EPROTO },
	{ "fixed bank at 4 GiB", 0xffffffff, 88, MSR_CORE_PERF_FIXED_CTR0,
	  -EPROTO },
	{ "global registers need no bank", 0, 0, MSR_CORE_PERF_GLOBAL_CTRL, 0 },
};

static void vpmu_test_bad_banks(struct kunit *test)
{
	const struct bank_case *bc;
	struct xen_pmu_data *d;
	struct vpmu_layout l;
	struct vpmu_reg reg;
	u64 val;

	d = intel_4_3_page(test, &l);
	for (bc = bank_cases; bc < bank_cases + ARRAY_SIZE(bank_cases); bc++) {
		d->pmu.c.intel.fixed_counters = bc->fixed_counters;
		d->pmu.c.intel.arch_counters = bc->arch_counters;
		KUNIT_ASSERT_TRUE(test, vpmu_classify(&l, bc->msr, &reg));
		KUNIT_EXPECT_EQ_MSG(test, vpmu_ctxt_read(&l, d, &reg, &val),
				    bc->err, "%s", bc->what);
		KUNIT_EXPECT_EQ_MSG(test, vpmu_ctxt_write(&l, d, &reg, 1),
				    bc->err, "%s", bc->what);
	}
}

static void vpmu_test_amd_context(struct kunit *test)
{
	struct xen_pmu_amd_ctxt *c;
	struct xen_pmu_data *d;
	struct vpmu_layout l;
	u64 *ctr, *ctl;
	unsigned int i;

	vpmu_layout_amd(&l, true);
	d = amd_page(test, &l, &ctr, &ctl);
	c = &d->pmu.c.amd;
	for (i = 0; i < l.counters; i++) {
		ctr[i] = 0xa00 + i;
		ctl[i] = 0xb00 + i;
	}
	for (i = 0; i < l.counters; i++) {
		expect_msr(test, &l, d, MSR_F15H_PERF_CTR + 2 * i, 0xa00ULL + i);
		expect_msr(test, &l, d, MSR_F15H_PERF_CTL + 2 * i, 0xb00ULL + i);
	}
	/* The K7 names reach the same slots. */
	expect_msr(test, &l, d, MSR_K7_PERFCTR0 + 2, 0xa02ULL);
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_K7_EVNTSEL0 + 1, 0x530076),
			0);
	KUNIT_EXPECT_EQ(test, ctl[1], 0x530076ULL);
	expect_msr(test, &l, d, MSR_F15H_PERF_CTL + 2, 0x530076ULL);
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_F15H_PERF_CTR + 10, 7), 0);
	KUNIT_EXPECT_EQ(test, ctr[5], 7ULL);
	KUNIT_EXPECT_EQ(test, ctl[5], 0xb05ULL);
	KUNIT_EXPECT_EQ(test, ctr[4], 0xa04ULL);

	c->ctrls = PAGE_SIZE - 16;
	KUNIT_EXPECT_EQ(test, write_msr_to(&l, d, MSR_F15H_PERF_CTL + 10, 1),
			-EPROTO);
}

struct rdpmc_case {
	bool amd;
	u32 ecx;
	int err;
	int kind;
	u32 msr;
};

static const struct rdpmc_case rdpmc_cases[] = {
	{ false, 1, 0, VPMU_REG_COUNTER, MSR_IA32_PERFCTR0 + 1 },
	{ false, 3, 0, VPMU_REG_COUNTER, MSR_IA32_PERFCTR0 + 3 },
	{ false, 4, -EINVAL },
	{ false, BIT(30) | 2, 0, VPMU_REG_FIXED, MSR_CORE_PERF_FIXED_CTR0 + 2 },
	{ false, BIT(30) | 3, -EINVAL },
	{ true, 5, 0, VPMU_REG_COUNTER, MSR_F15H_PERF_CTR + 10 },
	{ true, 6, -EINVAL },
	{ true, BIT(30), -EINVAL },
};

static void vpmu_test_rdpmc(struct kunit *test)
{
	const struct rdpmc_case *rc;
	struct vpmu_layout intel, amd, *l;
	struct vpmu_reg reg;

	vpmu_layout_intel(&intel, CPUID_0A_EAX(4, 4), 3);
	vpmu_layout_amd(&amd, true);
	for (rc = rdpmc_cases; rc < rdpmc_cases + ARRAY_SIZE(rdpmc_cases);
	     rc++) {
		l = rc->amd ? &amd : &intel;
		KUNIT_EXPECT_EQ_MSG(test, vpmu_rdpmc_reg(l, rc->ecx, &reg),
				    rc->err, "ecx 0x%x", rc->ecx);
		if (rc->err)
			continue;
		KUNIT_EXPECT_EQ(test, (int)reg.kind, rc->kind);
		KUNIT_EXPECT_EQ(test, vpmu_reg_msr(l, &reg), rc->msr);
	}
	vpmu_layout_amd(&amd, false);
	KUNIT_ASSERT_EQ(test, vpmu_rdpmc_reg(&amd, 2, &reg), 0);
	KUNIT_EXPECT_EQ(test, vpmu_reg_msr(&amd, &reg), MSR_K7_PERFCTR0 + 2);
}

struct sample_case {
	const char *what;
	bool dom0;
	domid_t domain;
	u64 flags;
	u8 cpl;
	unsigned int state;
	bool user;
};

/* perf's cpumode for it: PERF_RECORD_MISC_HYPERVISOR */
#define XEN_SAMPLE (PERF_GUEST_ACTIVE | PERF_GUEST_HYPERVISOR)

static const struct sample_case sample_cases[] = {
	{ "domU user", false, DOMID_SELF, PMU_SAMPLE_PV | PMU_SAMPLE_USER, 3,
	  0, true },
	{ "domU kernel (ring 3 in PV)", false, DOMID_SELF, PMU_SAMPLE_PV, 3,
	  0, false },
	{ "dom0 own kernel", true, DOMID_SELF, PMU_SAMPLE_PV, 3, 0, false },
	{ "dom0 own user", true, DOMID_SELF, PMU_SAMPLE_PV | PMU_SAMPLE_USER,
	  3, 0, true },
	{ "Xen, in hv mode", true, DOMID_XEN, 0, 0, XEN_SAMPLE, false },
	{ "Xen, user flags set", true, DOMID_XEN, PMU_SAMPLE_PV |
	  PMU_SAMPLE_USER, 3, XEN_SAMPLE, false },
	{ "Xen's idle loop", true, DOMID_IDLE, PMU_SAMPLE_PV | PMU_SAMPLE_USER,
	  3, XEN_SAMPLE, false },
	{ "Xen, seen by a domU", false, DOMID_XEN, 0, 0, 0, false },
	{ "PV domain 3, user", true, 3, PMU_SAMPLE_PV | PMU_SAMPLE_USER, 3,
	  PERF_GUEST_ACTIVE | PERF_GUEST_USER, true },
	{ "PV domain 3, kernel", true, 3, PMU_SAMPLE_PV, 3,
	  PERF_GUEST_ACTIVE, false },
	{ "HVM domain 5, ring 3", true, 5, 0, 3,
	  PERF_GUEST_ACTIVE | PERF_GUEST_USER, true },
	{ "HVM domain 5, ring 0", true, 5, 0, 0, PERF_GUEST_ACTIVE, false },
	{ "reserved domain id", true, 0x7ff5, 0, 0, PERF_GUEST_ACTIVE,
	  false },
};

static void vpmu_test_samples(struct kunit *test)
{
	struct xen_pmu_data *d = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	const struct sample_case *sc;
	struct pt_regs regs;

	KUNIT_ASSERT_NOT_NULL(test, d);
	for (sc = sample_cases; sc < sample_cases + ARRAY_SIZE(sample_cases);
	     sc++) {
		d->domain_id = sc->domain;
		d->pmu.pmu_flags = PMU_CACHED | sc->flags;
		d->pmu.r.regs.cpl = sc->cpl;
		d->pmu.r.regs.cs = 0xe033;
		d->pmu.r.regs.ip = 0xffffffff81000000 + sc->cpl;
		d->pmu.r.regs.sp = 0x7ffd0000 + sc->domain;
		KUNIT_EXPECT_EQ_MSG(test, vpmu_sample_state(d, sc->dom0),
				    sc->state, "%s", sc->what);
		vpmu_sample_regs(d, &regs);
		KUNIT_EXPECT_EQ_MSG(test, user_mode(&regs), sc->user, "%s",
				    sc->what);
		/* Xen's idle loop has no IP to give. */
		KUNIT_EXPECT_EQ_MSG(test, regs.ip, sc->domain == DOMID_IDLE ? 0UL :
				    0xffffffff81000000UL + sc->cpl, "%s", sc->what);
		KUNIT_EXPECT_EQ(test, vpmu_sample_ip(d), regs.ip);
		/* Xen's stack pointer is not a guest's to see. */
		KUNIT_EXPECT_EQ_MSG(test, regs.sp, vpmu_sample_in_xen(d) ? 0UL :
				    0x7ffd0000UL + sc->domain, "%s", sc->what);
	}
}

struct word_case {
	const char *in;
	int err;
	u64 val;
};

static const struct word_case mode_cases[] = {
	{ "off", 0, XENPMU_MODE_OFF },
	{ "self\n", 0, XENPMU_MODE_SELF },
	{ "hv", 0, XENPMU_MODE_HV },
	{ "all\n", 0, XENPMU_MODE_ALL },
	{ "", -EINVAL },
	{ "\n", -EINVAL },
	{ "sel", -EINVAL },
	{ "selfish", -EINVAL },
	{ "Self", -EINVAL },
	{ "self\n\n", -EINVAL },
	{ " self", -EINVAL },
	{ "1", -EINVAL },
	{ "self,hv", -EINVAL },
};

static const struct word_case feature_cases[] = {
	{ "0", 0, 0 },
	{ "0x7", 0, 7 },
	{ "7\n", 0, 7 },
	{ "2", 0, XENPMU_FEATURE_IPC_ONLY },
	{ "bts", 0, XENPMU_FEATURE_INTEL_BTS },
	{ "ipc_only\n", 0, XENPMU_FEATURE_IPC_ONLY },
	{ "ipc_only,arch_only", 0,
	  XENPMU_FEATURE_IPC_ONLY | XENPMU_FEATURE_ARCH_ONLY },
	{ "0x8", -EINVAL },
	{ "-1", -EINVAL },
	{ "99999999999999999999999", -EINVAL },
	{ "7x", -EINVAL },
	{ "", -EINVAL },
	{ "\n", -EINVAL },
	{ "bts,", -EINVAL },
	{ ",bts", -EINVAL },
	{ "bts,,ipc_only", -EINVAL },
	{ "ipc", -EINVAL },
	{ "BTS", -EINVAL },
};

static void vpmu_test_sysfs_words(struct kunit *test)
{
	const struct word_case *w;
	u64 val;

	for (w = mode_cases; w < mode_cases + ARRAY_SIZE(mode_cases); w++) {
		val = 99;
		KUNIT_EXPECT_EQ_MSG(test, vpmu_mode_parse(w->in, &val), w->err,
				    "mode '%s'", w->in);
		if (!w->err)
			KUNIT_EXPECT_EQ(test, val, w->val);
	}
	for (w = feature_cases; w < feature_cases + ARRAY_SIZE(feature_cases);
	     w++) {
		val = 99;
		KUNIT_EXPECT_EQ_MSG(test, vpmu_features_parse(w->in, &val),
				    w->err, "features '%s'", w->in);
		if (!w->err)
			KUNIT_EXPECT_EQ(test, val, w->val);
	}
	KUNIT_EXPECT_STREQ(test, vpmu_mode_name(XENPMU_MODE_HV), "hv");
	KUNIT_EXPECT_NULL(test, vpmu_mode_name(3));
	KUNIT_EXPECT_NULL(test, vpmu_mode_name(8));
}

static struct kunit_case vpmu_test_cases[] = {
	KUNIT_CASE(vpmu_test_classify_intel),
	KUNIT_CASE(vpmu_test_layout_intel_limits),
	KUNIT_CASE(vpmu_test_cpuid_0a),
	KUNIT_CASE(vpmu_test_classify_amd),
	KUNIT_CASE(vpmu_test_intel_context),
	KUNIT_CASE(vpmu_test_intel_overflow),
	KUNIT_CASE(vpmu_test_page_is_pmu),
	KUNIT_CASE(vpmu_test_quiesce_intel),
	KUNIT_CASE(vpmu_test_quiesce_amd),
	KUNIT_CASE(vpmu_test_bad_banks),
	KUNIT_CASE(vpmu_test_amd_context),
	KUNIT_CASE(vpmu_test_rdpmc),
	KUNIT_CASE(vpmu_test_samples),
	KUNIT_CASE(vpmu_test_sysfs_words),
	{}
};

static struct kunit_suite vpmu_test_suite = {
	.name = "xen-pv-vpmu",
	.test_cases = vpmu_test_cases,
};

kunit_test_suite(vpmu_test_suite);
