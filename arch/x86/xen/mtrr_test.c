// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what a Xen PV dom0 makes of the MTRRs Xen reports. One row per
 * register Xen could report, with the MSR pair it must become or the
 * refusal; then the default type guessed from the host's memory map.
 */
#include <kunit/test.h>
#include <linux/sizes.h>

#include <asm/e820/types.h>
#include <asm/mtrr.h>

#include "mtrr.h"

struct var_range_case {
	const char *name;
	struct xen_mtrr_reg reg;
	unsigned int phys_bits;
	int ret;
	struct mtrr_var_range want;
};

static const struct var_range_case var_range_cases[] = {
	{ "free register", { 0, 0, 0 }, 40, 0, { 0, 0, 0, 0 } },
	/* SeaBIOS: the 32-bit PCI hole, 2-4 GiB, uncached. */
	{ "2G-4G uncached", { 0x80000, 0x80000, MTRR_TYPE_UNCACHABLE }, 40, 0,
	  { 0x80000000, 0x00, 0x80000800, 0xff } },
	{ "0-64G write-back, 46 bits", { 0, 0x1000000, MTRR_TYPE_WRBACK }, 46, 0,
	  { 0x00000006, 0x00, 0x00000800, 0x3ff0 } },
	{ "4K write-combining at 4G", { 0x100000, 1, MTRR_TYPE_WRCOMB }, 36, 0,
	  { 0x00000001, 0x01, 0xfffff800, 0x0f } },
	{ "write-through", { 0x200, 0x200, MTRR_TYPE_WRTHROUGH }, 36, 0,
	  { 0x00200004, 0x00, 0xffe00800, 0x0f } },
	{ "write-protect", { 0x200, 0x200, MTRR_TYPE_WRPROT }, 36, 0,
	  { 0x00200005, 0x00, 0xffe00800, 0x0f } },
	{ "whole 36-bit space", { 0, 0x1000000, MTRR_TYPE_WRBACK }, 36, 0,
	  { 0x00000006, 0x00, 0x00000800, 0x00 } },
	{ "reserved type 2", { 0x80000, 0x80000, 2 }, 40, -EINVAL },
	{ "reserved type 3", { 0x80000, 0x80000, 3 }, 40, -EINVAL },
	{ "reserved type 7", { 0x80000, 0x80000, 7 }, 40, -EINVAL },
	{ "type past a byte", { 0x80000, 0x80000, 0x106 }, 40, -EINVAL },
	{ "size not a power of two", { 0x80000, 0x60000, 0 }, 40, -EINVAL },
	{ "base not aligned to size", { 0x40000, 0x80000, 0 }, 40, -EINVAL },
	{ "past the address width", { 0x1000000, 0x1000000, 6 }, 36, -EINVAL },
	{ "wider than the address width", { 0, 0x2000000, 6 }, 36, -EINVAL },
	{ "address width of a page", { 0, 1, 6 }, 12, -EINVAL },
	{ "address width past 52", { 0, 1, 6 }, 53, -EINVAL },
};

static void var_range_desc(const struct var_range_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(var_range, var_range_cases, var_range_desc);

static void xen_mtrr_test_var_range(struct kunit *test)
{
	const struct var_range_case *c = test->param_value;
	struct mtrr_var_range var;

	KUNIT_ASSERT_EQ(test, c->ret, xen_mtrr_var_range(&c->reg, c->phys_bits, &var));
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, c->want.base_lo, var.base_lo);
	KUNIT_EXPECT_EQ(test, c->want.base_hi, var.base_hi);
	KUNIT_EXPECT_EQ(test, c->want.mask_lo, var.mask_lo);
	KUNIT_EXPECT_EQ(test, c->want.mask_hi, var.mask_hi);
}

static const struct e820_table seabios_host = {
	.nr_entries = 4,
	.entries = {
		{ 0, 0x9fc00, E820_TYPE_RAM },
		{ 0xf0000, 0x10000, E820_TYPE_RESERVED },
		{ SZ_1M, 0x7fee0000 - SZ_1M, E820_TYPE_RAM },
		{ 0x7fee0000, 0x20000, E820_TYPE_RESERVED },
	},
};

static const struct e820_table server_host = {
	.nr_entries = 5,
	.entries = {
		{ 0, 0x9f000, E820_TYPE_RAM },
		{ SZ_1M, 0x6f000000 - SZ_1M, E820_TYPE_RAM },
		{ 0x6f000000, 0x1000000, E820_TYPE_ACPI },
		{ 0x80000000, 0x80000000, E820_TYPE_RESERVED },
		{ SZ_4G, SZ_4G, E820_TYPE_RAM },
	},
};

/* SeaBIOS: one uncached range over the PCI hole, write-back default. */
static void xen_mtrr_test_default_write_back(struct kunit *test)
{
	static const struct xen_mtrr_reg regs[] = {
		{ 0x80000, 0x80000, MTRR_TYPE_UNCACHABLE }, { 0, 0, 0 },
	};

	KUNIT_EXPECT_EQ(test, MTRR_TYPE_WRBACK,
			xen_mtrr_default_type(regs, ARRAY_SIZE(regs), &seabios_host));
}

/* A server's firmware: write-back ranges cover all RAM, uncached default. */
static void xen_mtrr_test_default_uncached(struct kunit *test)
{
	static const struct xen_mtrr_reg regs[] = {
		{ 0, 0x80000, MTRR_TYPE_WRBACK },		/* 0-2G */
		{ 0x100000, 0x80000, MTRR_TYPE_WRBACK },	/* 4G-6G */
		{ 0x180000, 0x80000, MTRR_TYPE_WRBACK },	/* 6G-8G */
		{ 0x6f000, 0x1000, MTRR_TYPE_UNCACHABLE },	/* ACPI tables */
	};

	KUNIT_EXPECT_EQ(test, MTRR_TYPE_UNCACHABLE,
			xen_mtrr_default_type(regs, ARRAY_SIZE(regs), &server_host));
}

/* The same server with its last RAM range uncovered: write-back default. */
static void xen_mtrr_test_default_gap_in_ram(struct kunit *test)
{
	static const struct xen_mtrr_reg regs[] = {
		{ 0, 0x80000, MTRR_TYPE_WRBACK },
		{ 0x100000, 0x80000, MTRR_TYPE_WRBACK },
	};

	KUNIT_EXPECT_EQ(test, MTRR_TYPE_WRBACK,
			xen_mtrr_default_type(regs, ARRAY_SIZE(regs), &server_host));
}

/* RAM below 1 MiB is the fixed ranges' business, not the default's. */
static void xen_mtrr_test_default_ignores_first_mib(struct kunit *test)
{
	static const struct xen_mtrr_reg regs[] = {
		{ 0x100, 0x100, MTRR_TYPE_WRBACK },
		{ 0x200, 0x200, MTRR_TYPE_WRBACK },
		{ 0x400, 0x400, MTRR_TYPE_WRBACK },
		{ 0x800, 0x800, MTRR_TYPE_WRBACK },
		{ 0x1000, 0x1000, MTRR_TYPE_WRBACK },
		{ 0x2000, 0x2000, MTRR_TYPE_WRBACK },
		{ 0x4000, 0x4000, MTRR_TYPE_WRBACK },
		{ 0x8000, 0x8000, MTRR_TYPE_WRBACK },
		{ 0x10000, 0x10000, MTRR_TYPE_WRBACK },
		{ 0x20000, 0x20000, MTRR_TYPE_WRBACK },
		{ 0x40000, 0x40000, MTRR_TYPE_WRBACK },
	};

	KUNIT_EXPECT_EQ(test, MTRR_TYPE_UNCACHABLE,
			xen_mtrr_default_type(regs, ARRAY_SIZE(regs), &seabios_host));
}

static struct kunit_case xen_mtrr_test_cases[] = {
	KUNIT_CASE_PARAM(xen_mtrr_test_var_range, var_range_gen_params),
	KUNIT_CASE(xen_mtrr_test_default_write_back),
	KUNIT_CASE(xen_mtrr_test_default_uncached),
	KUNIT_CASE(xen_mtrr_test_default_gap_in_ram),
	KUNIT_CASE(xen_mtrr_test_default_ignores_first_mib),
	{}
};

static struct kunit_suite xen_mtrr_test_suite = {
	.name = "xen-pv-mtrr",
	.test_cases = xen_mtrr_test_cases,
};

kunit_test_suite(xen_mtrr_test_suite);
