// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the range checks of the Xen pmem frontend, one row per range a
 * backend might announce, against a made-up guest: 46 physical address
 * bits, RAM in [0, 4 GiB) and [8 GiB, 9 GiB), and one region already
 * registered at 16 GiB, 256 MiB long. Then the frontend's answer to each
 * pair of backend and frontend states. xen_pmem.c includes this file, so
 * that its helpers can stay static.
 */
#include <kunit/test.h>

#define GIB		(SZ_1G / SZ_4K)	/* in frames */
#define MIB		(SZ_1M / SZ_4K)
#define TOP		BIT_ULL(34)	/* frames in 46 bits */
#define R16		(16 * GIB)	/* the registered region */

static bool fake_meets(u64 start, u64 size, u64 from, u64 to)
{
	return start < to && from < start + size;
}

static bool fake_has_ram(u64 start, u64 size)
{
	return fake_meets(start, size, 0, SZ_4G) ||
	       fake_meets(start, size, 8ULL * SZ_1G, 9ULL * SZ_1G);
}

static bool fake_has_pmem(u64 start, u64 size)
{
	return fake_meets(start, size, PFN_PHYS(R16), PFN_PHYS(R16 + 256 * MIB));
}

static const struct xen_pmem_space fake_space = {
	.phys_bits = 46,
	.has_ram = fake_has_ram,
	.has_pmem = fake_has_pmem,
};

struct range_case {
	const char *name;
	struct xen_pmem_range r;
	enum xen_pmem_verdict want;
};

static const struct range_case range_cases[] = {
	{ "between RAM blocks", { 4 * GIB, 256 * MIB }, XEN_PMEM_OK },
	{ "right after the region", { R16 + 256 * MIB, 2 * MIB }, XEN_PMEM_OK },
	{ "last 2 MiB of the space", { TOP - 2 * MIB, 2 * MIB }, XEN_PMEM_OK },
	{ "zero size", { 4 * GIB, 0 }, XEN_PMEM_ZERO_SIZE },
	{ "start off by a frame", { 4 * GIB + 1, 2 * MIB }, XEN_PMEM_MISALIGNED },
	{ "start 1 MiB aligned", { 4 * GIB + MIB, 2 * MIB }, XEN_PMEM_MISALIGNED },
	{ "size not whole 2 MiB", { 4 * GIB, 3 * MIB }, XEN_PMEM_MISALIGNED },
	{ "starts at the top", { TOP, 2 * MIB }, XEN_PMEM_BEYOND_PHYS },
	{ "ends past the top", { TOP - 2 * MIB, 4 * MIB }, XEN_PMEM_BEYOND_PHYS },
	{ "sum wraps u64", { TOP, ~0ULL - 511 }, XEN_PMEM_BEYOND_PHYS },
	{ "start plus size wraps u64", { 4 * GIB, ~0ULL - 511 }, XEN_PMEM_BEYOND_PHYS },
	{ "huge frame number", { ~0ULL - 511, 2 * MIB }, XEN_PMEM_BEYOND_PHYS },
	{ "at frame 0", { 0, 2 * MIB }, XEN_PMEM_OVERLAPS_RAM },
	{ "tail in low RAM", { 4 * GIB - 2 * MIB, 4 * MIB }, XEN_PMEM_OVERLAPS_RAM },
	{ "covers high RAM", { 7 * GIB, 4 * GIB }, XEN_PMEM_OVERLAPS_RAM },
	{ "the same region", { R16, 256 * MIB }, XEN_PMEM_OVERLAPS_PMEM },
	{ "inside the region", { R16 + 2 * MIB, 2 * MIB }, XEN_PMEM_OVERLAPS_PMEM },
	{ "tail in the region", { R16 - 2 * MIB, 4 * MIB }, XEN_PMEM_OVERLAPS_PMEM },
	{ "covers the region", { 15 * GIB, 2 * GIB }, XEN_PMEM_OVERLAPS_PMEM },
	{ "last 2 MiB before the region", { R16 - 2 * MIB, 2 * MIB }, XEN_PMEM_OK },
};

static void range_case_desc(const struct range_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(range, range_cases, range_case_desc);

static void xen_pmem_check_table(struct kunit *test)
{
	const struct range_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test, xen_pmem_check(&c->r, &fake_space), c->want,
			    "gfn %llx nr %llx: got \"%s\", want \"%s\"", c->r.gfn, c->r.nr,
			    xen_pmem_verdict_str(xen_pmem_check(&c->r, &fake_space)),
			    xen_pmem_verdict_str(c->want));
}

static void xen_pmem_errnos(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xen_pmem_verdict_errno(XEN_PMEM_OK), 0);
	KUNIT_EXPECT_EQ(test, xen_pmem_verdict_errno(XEN_PMEM_ZERO_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_pmem_verdict_errno(XEN_PMEM_MISALIGNED), -EINVAL);
	KUNIT_EXPECT_EQ(test, xen_pmem_verdict_errno(XEN_PMEM_BEYOND_PHYS), -ERANGE);
	KUNIT_EXPECT_EQ(test, xen_pmem_verdict_errno(XEN_PMEM_OVERLAPS_RAM), -EBUSY);
	KUNIT_EXPECT_EQ(test, xen_pmem_verdict_errno(XEN_PMEM_OVERLAPS_PMEM), -EBUSY);
}

struct parse_case {
	const char *text;
	int err;
	u64 frames;
};

static const struct parse_case parse_cases[] = {
	{ "100000", 0, 0x100000 },
	{ "10000", 0, 0x10000 },
	{ "aBc", 0, 0xabc },
	{ "0", 0, 0 },
	{ "ffffffffffffffff", 0, ~0ULL },
	{ "", -EINVAL },
	{ "0x100000", -EINVAL },
	{ "+100", -EINVAL },
	{ "-1", -EINVAL },
	{ " 100", -EINVAL },
	{ "100 ", -EINVAL },
	{ "100\n", -EINVAL },
	{ "12g", -EINVAL },
	{ "1ffffffffffffffff", -EINVAL },
};

static void parse_case_desc(const struct parse_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\"", c->text);
}

KUNIT_ARRAY_PARAM(parse, parse_cases, parse_case_desc);

static void xen_pmem_parse_table(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	u64 frames = 0x5a5a;
	int err = xen_pmem_parse_frames(c->text, &frames);

	KUNIT_EXPECT_EQ(test, err, c->err);
	KUNIT_EXPECT_EQ(test, frames, c->err ? 0x5a5a : c->frames);
}

struct step_case {
	enum xenbus_state backend, frontend;
	bool has_region;
	enum xen_pmem_step want;
	bool sleeping;
};

static const struct step_case step_cases[] = {
	/* xen-pmem offers the range in InitWait; a hand-written backend says Connected */
	{ XenbusStateInitWait, XenbusStateInitialising, false, XEN_PMEM_CONNECT },
	{ XenbusStateConnected, XenbusStateInitialising, false, XEN_PMEM_CONNECT },
	/* once connected, or refused (Closing), the offer is not taken twice */
	{ XenbusStateInitWait, XenbusStateConnected, true, XEN_PMEM_STAY },
	{ XenbusStateConnected, XenbusStateConnected, true, XEN_PMEM_STAY },
	{ XenbusStateConnected, XenbusStateClosing, false, XEN_PMEM_STAY },
	{ XenbusStateConnected, XenbusStateClosed, false, XEN_PMEM_STAY },
	/* the backend has not written its keys yet */
	{ XenbusStateInitialising, XenbusStateInitialising, false, XEN_PMEM_STAY },
	{ XenbusStateUnknown, XenbusStateInitialising, false, XEN_PMEM_STAY },
	/* detach: a frontend with a region gives it up, whatever its state */
	{ XenbusStateClosing, XenbusStateConnected, true, XEN_PMEM_RELEASE },
	{ XenbusStateClosed, XenbusStateConnected, true, XEN_PMEM_RELEASE },
	{ XenbusStateClosing, XenbusStateClosing, true, XEN_PMEM_RELEASE },
	/* closing without a region: never connected, or refused */
	{ XenbusStateClosing, XenbusStateInitialising, false, XEN_PMEM_CLOSE },
	{ XenbusStateClosing, XenbusStateClosing, false, XEN_PMEM_CLOSE },
	{ XenbusStateClosed, XenbusStateClosing, false, XEN_PMEM_CLOSE },
	{ XenbusStateClosing, XenbusStateClosed, false, XEN_PMEM_STAY },
	{ XenbusStateClosed, XenbusStateClosed, false, XEN_PMEM_STAY },
	/* states this device never uses */
	{ XenbusStateReconfiguring, XenbusStateConnected, true, XEN_PMEM_STAY },
	{ XenbusStateReconfigured, XenbusStateConnected, true, XEN_PMEM_STAY },
	{ XenbusStateInitialised, XenbusStateInitialising, false, XEN_PMEM_STAY },
	/* a save under way, which this device let start: the offer waits */
	{ XenbusStateInitWait, XenbusStateInitialising, false, XEN_PMEM_STAY, true },
	{ XenbusStateConnected, XenbusStateInitialising, false, XEN_PMEM_STAY, true },
	/* letting go or closing needs no wait */
	{ XenbusStateClosing, XenbusStateConnected, true, XEN_PMEM_RELEASE, true },
	{ XenbusStateClosing, XenbusStateInitialising, false, XEN_PMEM_CLOSE, true },
	{ XenbusStateClosed, XenbusStateClosed, false, XEN_PMEM_STAY, true },
};

static void step_case_desc(const struct step_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "backend %s, frontend %s, %s%s",
		 xenbus_strstate(c->backend), xenbus_strstate(c->frontend),
		 c->has_region ? "region" : "no region", c->sleeping ? ", sleeping" : "");
}

KUNIT_ARRAY_PARAM(step, step_cases, step_case_desc);

static void xen_pmem_step_table(struct kunit *test)
{
	const struct step_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xen_pmem_next_step(c->backend, c->frontend, c->has_region,
						 c->sleeping), c->want);
}

static struct kunit_case xen_pmem_cases[] = {
	KUNIT_CASE_PARAM(xen_pmem_check_table, range_gen_params),
	KUNIT_CASE(xen_pmem_errnos),
	KUNIT_CASE_PARAM(xen_pmem_parse_table, parse_gen_params),
	KUNIT_CASE_PARAM(xen_pmem_step_table, step_gen_params),
	{}
};

static struct kunit_suite xen_pmem_suite = {
	.name = "xen-pmem",
	.test_cases = xen_pmem_cases,
};

kunit_test_suite(xen_pmem_suite);
