// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pciback's reset rules: the do_flr address parser, the
 * choice of scope, the checks on every function a reset would touch, and
 * what do_flr and a device's return do: reset, defer, nothing or refuse,
 * whether a device is exported, and how often a busy reset is retried.
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
	int err = xen_pcibk_parse_bdf(c->in, strlen(c->in), &domain, &bus, &devfn);

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

	KUNIT_EXPECT_EQ(test, xen_pcibk_parse_bdf("0000:01:00.1XYZ", 12, &domain, &bus, &devfn), 0);
	KUNIT_EXPECT_EQ(test, devfn, PCI_DEVFN(0, 1));
	KUNIT_EXPECT_EQ(test, xen_pcibk_parse_bdf("0000:01:00.1", 11, &domain, &bus, &devfn),
			-EINVAL);
}

struct scope_case {
	const char *name;
	bool slot_ok, bus_ok;
	int err;
	enum xen_pcibk_reset_scope scope;
};

static const struct scope_case scope_cases[] = {
	{ "slot before bus", true, true, 0, XEN_PCIBK_RESET_SLOT },
	{ "slot only", true, false, 0, XEN_PCIBK_RESET_SLOT },
	{ "bus only", false, true, 0, XEN_PCIBK_RESET_BUS },
	{ "neither", false, false, -ENOTTY, XEN_PCIBK_RESET_REFUSED },
};

static void scope_desc(const struct scope_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(scope, scope_cases, scope_desc);

static void pick_scope(struct kunit *test)
{
	const struct scope_case *c = test->param_value;
	enum xen_pcibk_reset_scope scope = -1;

	KUNIT_EXPECT_EQ(test, xen_pcibk_pick_scope(c->slot_ok, c->bus_ok, &scope), c->err);
	KUNIT_EXPECT_EQ(test, scope, c->scope);
}

#define MEMBER(n, drv, ours, dom, dirty) \
	{ .name = n, .driver = drv, .pciback = ours, \
	  .st = { .domain = dom, .needs_reset = dirty } }
#define OURS(n)		MEMBER(n, "pciback", true, -1, false)
#define DIRTY(n)	MEMBER(n, "pciback", true, -1, true)
#define GUEST(n, d)	MEMBER(n, "pciback", true, d, true)
#define OTHER(n, drv)	MEMBER(n, drv, false, -1, false)
#define UNBOUND(n)	MEMBER(n, NULL, false, -1, false)

struct judge_case {
	const char *name;
	struct xen_pcibk_member m[3];
	int n, err;
	const char *why;
};

static const struct judge_case judge_cases[] = {
	{ "one idle function", { OURS("0000:01:00.0") }, 1, 0, "" },
	{ "all siblings ours", { OURS("0000:03:01.0"), DIRTY("0000:03:02.0") }, 2, 0, "" },
	{ "sibling bound elsewhere",
	  { OURS("0000:03:01.0"), OTHER("0000:03:02.0", "e1000e") }, 2, -EBUSY,
	  "0000:03:02.0 is bound to e1000e" },
	{ "sibling without a driver",
	  { OURS("0000:02:00.0"), UNBOUND("0000:02:00.1") }, 2, -EBUSY,
	  "0000:02:00.1 has no driver, not pciback" },
	{ "sibling in a guest: wait",
	  { OURS("0000:02:00.0"), GUEST("0000:02:00.1", 3) }, 2, -EAGAIN,
	  "0000:02:00.1 is assigned to domain 3" },
	{ "target in a guest: wait", { GUEST("0000:01:00.0", 7) }, 1, -EAGAIN,
	  "0000:01:00.0 is assigned to domain 7" },
	{ "a refusal beats a wait, whatever the order",
	  { GUEST("0000:03:00.0", 1), OURS("0000:03:01.0"), OTHER("0000:03:02.0", "pci-stub") },
	  3, -EBUSY, "0000:03:02.0 is bound to pci-stub" },
	{ "the first guest is named",
	  { OURS("0000:03:00.0"), GUEST("0000:03:01.0", 4), GUEST("0000:03:02.0", 5) },
	  3, -EAGAIN, "0000:03:01.0 is assigned to domain 4" },
	{ "another driver's device, whatever its flags",
	  { OURS("0000:03:00.0"), MEMBER("0000:03:01.0", "e1000e", false, -1, true) },
	  2, -EBUSY, "0000:03:01.0 is bound to e1000e" },
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

	KUNIT_EXPECT_EQ(test, xen_pcibk_judge_members(c->m, c->n, why, sizeof(why)), c->err);
	KUNIT_EXPECT_STREQ(test, why, c->why);
}

struct action_case {
	const char *name;
	bool pending;		/* a device's return, not a do_flr write */
	int plan_err;
	bool needs_reset;	/* the target's */
	enum xen_pcibk_action action;
	bool held_with_own_reset;
};

static const struct action_case action_cases[] = {
	/* do_flr: a clean function needs nothing, whatever its set */
	{ "do_flr, free set, clean: nothing", false, 0, false, XEN_PCIBK_NOTHING },
	{ "do_flr, free set, dirty", false, 0, true, XEN_PCIBK_RESET_NOW },
	/* libxl at teardown, before pciback has the device back */
	{ "do_flr, held, dirty: deferred", false, -EAGAIN, true, XEN_PCIBK_DEFER },
	/* libxl at create, the sibling already assigned */
	{ "do_flr, sibling held, clean: nothing", false, -EAGAIN, false, XEN_PCIBK_NOTHING },
	{ "do_flr, sibling elsewhere, dirty", false, -EBUSY, true, XEN_PCIBK_REFUSE },
	{ "do_flr, sibling elsewhere, clean: nothing", false, -EBUSY, false, XEN_PCIBK_NOTHING },
	{ "do_flr, no reset", false, -ENOTTY, true, XEN_PCIBK_REFUSE },
	{ "do_flr, not pciback's", false, -ENODEV, false, XEN_PCIBK_REFUSE },
	{ "do_flr, not pciback's, whatever it says", false, -ENODEV, true, XEN_PCIBK_REFUSE },
	/* an SR-IOV VF in a guest, its PF bound to its own driver */
	{ "do_flr, held VF with FLR, PF elsewhere", false, -EBUSY, true, XEN_PCIBK_DEFER, true },
	{ "do_flr, held, own reset, clean", false, -EAGAIN, false, XEN_PCIBK_NOTHING, true },
	/* a pending reset, tried at each return */
	{ "return, set whole, target dirty", true, 0, true, XEN_PCIBK_RESET_NOW },
	{ "return, target clean (its own reset on return)", true, 0, false, XEN_PCIBK_NOTHING },
	{ "return, sibling still held", true, -EAGAIN, true, XEN_PCIBK_DEFER },
	{ "return, clean and held", true, -EAGAIN, false, XEN_PCIBK_NOTHING },
	{ "return, sibling elsewhere", true, -EBUSY, true, XEN_PCIBK_REFUSE },
	{ "return, unbound from pciback", true, -ENODEV, true, XEN_PCIBK_REFUSE },
	/* the held VF again, tried when another device comes back first */
	{ "return, held VF with FLR, PF elsewhere: its return does it", true, -EBUSY, true,
	  XEN_PCIBK_NOTHING, true },
	{ "return, held, own reset, set whole: its return does it", true, -EAGAIN, true,
	  XEN_PCIBK_NOTHING, true },
};

static void action_desc(const struct action_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(action, action_cases, action_desc);

static void pick_action(struct kunit *test)
{
	const struct action_case *c = test->param_value;

	if (c->pending)
		KUNIT_EXPECT_EQ(test, xen_pcibk_pending_action(c->plan_err, c->needs_reset,
							       c->held_with_own_reset),
				c->action);
	else
		KUNIT_EXPECT_EQ(test, xen_pcibk_flr_action(c->plan_err, c->needs_reset,
							   c->held_with_own_reset),
				c->action);
}

struct export_case {
	const char *name;
	bool resetting, assigned, needs_reset, no_reset;
	enum xen_pcibk_export verdict;
};

static const struct export_case export_cases[] = {
	{ "reset since its last guest", false, false, false, false, XEN_PCIBK_EXPORT },
	{ "a guest left state in it", false, false, true, false, XEN_PCIBK_EXPORT_UNRESET },
	{ "dirty, the admin opted it out", false, false, true, true, XEN_PCIBK_EXPORT },
	{ "clean, opted out", false, false, false, true, XEN_PCIBK_EXPORT },
	{ "another guest has it", false, true, true, false, XEN_PCIBK_EXPORT_TAKEN },
	{ "another guest has it, opted out", false, true, true, true, XEN_PCIBK_EXPORT_TAKEN },
	{ "a reset runs on it", true, false, true, false, XEN_PCIBK_EXPORT_WAIT },
	{ "a reset runs, opted out: still waits", true, false, false, true,
	  XEN_PCIBK_EXPORT_WAIT },
};

static void export_desc(const struct export_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(export, export_cases, export_desc);

static void export_verdict(struct kunit *test)
{
	const struct export_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xen_pcibk_export_verdict(c->resetting, c->assigned, c->needs_reset,
						       c->no_reset),
			c->verdict);
}

/* A set found locked is tried again, soon and then slowly, never given up. */
struct busy_case {
	const char *name;
	int busy;
	unsigned int ms;
};

static const struct busy_case busy_cases[] = {
	{ "not busy: no retry", 0, 0 },
	{ "first busy try", 1, 100 },
	{ "still passing by", 49, 100 },
	{ "50 tries: once a second", 50, 1000 },
	{ "long after: still once a second", 5000, 1000 },
	{ "counter at its limit", INT_MAX, 1000 },
};

static void busy_desc(const struct busy_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(busy, busy_cases, busy_desc);

static void busy_delay(struct kunit *test)
{
	const struct busy_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xen_pcibk_busy_delay_ms(c->busy), c->ms);
}

static struct kunit_case xen_pcibk_reset_cases[] = {
	KUNIT_CASE_PARAM(parse_bdf, bdf_gen_params),
	KUNIT_CASE(parse_bdf_counted),
	KUNIT_CASE_PARAM(pick_scope, scope_gen_params),
	KUNIT_CASE_PARAM(judge_members, judge_gen_params),
	KUNIT_CASE_PARAM(pick_action, action_gen_params),
	KUNIT_CASE_PARAM(export_verdict, export_gen_params),
	KUNIT_CASE_PARAM(busy_delay, busy_gen_params),
	{}
};

static struct kunit_suite xen_pcibk_reset_suite = {
	.name = "xen-pciback-reset",
	.test_cases = xen_pcibk_reset_cases,
};

kunit_test_suite(xen_pcibk_reset_suite);
