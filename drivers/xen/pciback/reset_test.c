// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pciback's reset rules: the do_flr address parser, the
 * choice of scope, and the checks on every function a reset would touch.
 */
#include <kunit/test.h>
#include <linux/pci.h>

#include "reset.h"

struct bdf_case {
	const char *in;
	int err;
	unsigned int domain, bus, devfn;
};

static const struct bdf_case bdf_cases[] = {
	{ "0000:01:00.0", 0, 0, 0x01, PCI_DEVFN(0, 0) },
	{ "0000:01:00.0\n", 0, 0, 0x01, PCI_DEVFN(0, 0) },
	{ "0000:03:1f.7", 0, 0, 0x03, PCI_DEVFN(0x1f, 7) },
	{ "00ff:fe:01.2", 0, 0xff, 0xfe, PCI_DEVFN(1, 2) },
	{ "02:01.1", 0, 0, 0x02, PCI_DEVFN(1, 1) },
	{ "0001:00:10.0", 0, 1, 0x00, PCI_DEVFN(0x10, 0) },
	{ "", -EINVAL },
	{ "\n", -EINVAL },
	{ "garbage", -EINVAL },
	{ "0000:01:00", -EINVAL },
	{ "0000:01:00.0.0", -EINVAL },
	{ "0000:01:00.0 extra", -EINVAL },
	{ "0000:01:00.0\n\n", -EINVAL },
	{ " 0000:01:00.0", -EINVAL },
	{ "0x00:01:00.0", -EINVAL },
	{ "00000:01:00.0", -EINVAL },
	{ "0000:001:00.0", -EINVAL },
	{ "0000:01:20.0", -EINVAL },
	{ "0000:01:00.8", -EINVAL },
	{ "0000:01:00.10", -EINVAL },
	{ "0000:01:0g.0", -EINVAL },
	{ "0000:01.00.0", -EINVAL },
	{ "0000:0000:01:00.0", -EINVAL },
	{ "0000:01:00.0000000000000000000000000", -EINVAL },
};

static void bdf_desc(const struct bdf_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%*pE\"", (int)strlen(c->in), c->in);
}

KUNIT_ARRAY_PARAM(bdf, bdf_cases, bdf_desc);

static void parse_bdf(struct kunit *test)
{
	const struct bdf_case *c = test->param_value;
	unsigned int domain = ~0, bus = ~0, devfn = ~0;
	int err = pcibk_parse_bdf(c->in, strlen(c->in), &domain, &bus, &devfn);

	KUNIT_ASSERT_EQ(test, err, c->err);
	if (err)
		return;
	KUNIT_EXPECT_EQ(test, domain, c->domain);
	KUNIT_EXPECT_EQ(test, bus, c->bus);
	KUNIT_EXPECT_EQ(test, devfn, c->devfn);
}

/* The parser takes a count and must not read past it. */
static void parse_bdf_counted(struct kunit *test)
{
	unsigned int domain, bus, devfn;

	KUNIT_EXPECT_EQ(test, pcibk_parse_bdf("0000:01:00.1XYZ", 12, &domain, &bus, &devfn), 0);
	KUNIT_EXPECT_EQ(test, devfn, PCI_DEVFN(0, 1));
	KUNIT_EXPECT_EQ(test, pcibk_parse_bdf("0000:01:00.1", 11, &domain, &bus, &devfn),
			-EINVAL);
}

struct scope_case {
	const char *name;
	u8 first_method;	/* dev->reset_methods[0] */
	bool slot_ok, bus_ok;
	int err;
	enum pcibk_reset_scope scope;
	const char *method;
};

static const struct scope_case scope_cases[] = {
	{ "flr beats slot and bus", 3, true, true, 0, PCIBK_RESET_FUNCTION, "flr" },
	{ "af_flr", 4, false, true, 0, PCIBK_RESET_FUNCTION, "af_flr" },
	{ "pm", 5, false, false, 0, PCIBK_RESET_FUNCTION, "pm" },
	{ "device quirk", 1, true, true, 0, PCIBK_RESET_FUNCTION, "device_specific" },
	{ "acpi _RST", 2, false, false, 0, PCIBK_RESET_FUNCTION, "acpi" },
	{ "core bus method: slot", 6, true, true, 0, PCIBK_RESET_SLOT, NULL },
	{ "no method: slot before bus", 0, true, true, 0, PCIBK_RESET_SLOT, NULL },
	{ "no method, no slot: bus", 0, false, true, 0, PCIBK_RESET_BUS, NULL },
	{ "core bus method, root bus", 6, false, false, -ENOTTY, PCIBK_RESET_REFUSED, NULL },
	{ "nothing at all", 0, false, false, -ENOTTY, PCIBK_RESET_REFUSED, NULL },
	{ "unknown method index", 7, false, true, 0, PCIBK_RESET_BUS, NULL },
};

static void scope_desc(const struct scope_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(scope, scope_cases, scope_desc);

static void pick_scope(struct kunit *test)
{
	const struct scope_case *c = test->param_value;
	enum pcibk_reset_scope scope = -1;
	const char *method = "unset";

	KUNIT_EXPECT_EQ(test, pcibk_pick_scope(c->first_method, c->slot_ok, c->bus_ok,
					       &scope, &method), c->err);
	KUNIT_EXPECT_EQ(test, scope, c->scope);
	if (c->method)
		KUNIT_EXPECT_STREQ(test, method, c->method);
	else
		KUNIT_EXPECT_NULL(test, method);
}

#define OURS(n)		{ .name = n, .driver = "pciback", .pciback = true, .domain = -1 }
#define GUEST(n, d)	{ .name = n, .driver = "pciback", .pciback = true, .domain = d }
#define OTHER(n, drv)	{ .name = n, .driver = drv, .pciback = false, .domain = -1 }
#define UNBOUND(n)	{ .name = n, .driver = NULL, .pciback = false, .domain = -1 }

struct judge_case {
	const char *name;
	struct pcibk_member m[3];
	int n, err;
	const char *why;
};

static const struct judge_case judge_cases[] = {
	{ "one idle function", { OURS("0000:01:00.0") }, 1, 0, "" },
	{ "all siblings ours", { OURS("0000:03:01.0"), OURS("0000:03:02.0") }, 2, 0, "" },
	{ "sibling bound elsewhere",
	  { OURS("0000:03:01.0"), OTHER("0000:03:02.0", "e1000e") }, 2, -EBUSY,
	  "0000:03:02.0 is bound to e1000e" },
	{ "sibling without a driver",
	  { OURS("0000:02:00.0"), UNBOUND("0000:02:00.1") }, 2, -EBUSY,
	  "0000:02:00.1 has no driver, not pciback" },
	{ "sibling in a guest",
	  { OURS("0000:02:00.0"), GUEST("0000:02:00.1", 3) }, 2, -EBUSY,
	  "0000:02:00.1 is assigned to domain 3" },
	{ "target in a guest", { GUEST("0000:01:00.0", 7) }, 1, -EBUSY,
	  "0000:01:00.0 is assigned to domain 7" },
	{ "first offender is named",
	  { OURS("0000:03:00.0"), OTHER("0000:03:01.0", "pci-stub"), GUEST("0000:03:02.0", 1) },
	  3, -EBUSY, "0000:03:01.0 is bound to pci-stub" },
};

static void judge_desc(const struct judge_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(judge, judge_cases, judge_desc);

static void judge_members(struct kunit *test)
{
	const struct judge_case *c = test->param_value;
	char why[96] = "";

	KUNIT_EXPECT_EQ(test, pcibk_judge_members(c->m, c->n, why, sizeof(why)), c->err);
	KUNIT_EXPECT_STREQ(test, why, c->why);
}

static struct kunit_case pcibk_reset_cases[] = {
	KUNIT_CASE_PARAM(parse_bdf, bdf_gen_params),
	KUNIT_CASE(parse_bdf_counted),
	KUNIT_CASE_PARAM(pick_scope, scope_gen_params),
	KUNIT_CASE_PARAM(judge_members, judge_gen_params),
	{}
};

static struct kunit_suite pcibk_reset_suite = {
	.name = "xen-pciback-reset",
	.test_cases = pcibk_reset_cases,
};

kunit_test_suite(pcibk_reset_suite);
