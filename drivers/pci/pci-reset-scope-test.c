// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test for pci_walk_reset_scope(): which functions a slot or a bus
 * reset of a device touches, on a bus built in memory. No device is read
 * or reset; the walk looks only at how the devices hang together.
 */
#include <kunit/test.h>
#include <linux/pci.h>

/* The bed's devices, in the order a walk of the whole bus meets them. */
enum { CARD_FN0, CARD_FN1, LONE, BRIDGE, BELOW_FN0, BELOW_FN1, NO_SLOT, NDEVS };

static const char *const scope_dev_names[NDEVS] = {
	"card.0", "card.1", "lone", "bridge", "below.0", "below.1", "no-slot",
};

/*
 * A two-function card in one slot, a card alone in another, a bridge in a
 * third with two functions behind it (on its own bus, in no slot of their
 * own), and a device in no slot at all.
 */
struct scope_bed {
	struct pci_bus root, below;
	struct pci_slot card_slot, lone_slot, bridge_slot;
	struct pci_dev dev[NDEVS];
	char seen[128];
	int visits, stop_at;
};

static void scope_bed_add(struct scope_bed *bed, int i, struct pci_bus *bus,
			  struct pci_slot *slot)
{
	bed->dev[i].bus = bus;
	bed->dev[i].slot = slot;
	list_add_tail(&bed->dev[i].bus_list, &bus->devices);
}

static struct scope_bed *scope_bed_build(struct kunit *test)
{
	struct scope_bed *bed = kunit_kzalloc(test, sizeof(*bed), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bed);
	INIT_LIST_HEAD(&bed->root.devices);
	INIT_LIST_HEAD(&bed->below.devices);
	bed->card_slot.bus = &bed->root;
	bed->lone_slot.bus = &bed->root;
	bed->bridge_slot.bus = &bed->root;
	scope_bed_add(bed, CARD_FN0, &bed->root, &bed->card_slot);
	scope_bed_add(bed, CARD_FN1, &bed->root, &bed->card_slot);
	scope_bed_add(bed, LONE, &bed->root, &bed->lone_slot);
	scope_bed_add(bed, BRIDGE, &bed->root, &bed->bridge_slot);
	bed->dev[BRIDGE].subordinate = &bed->below;
	bed->below.self = &bed->dev[BRIDGE];
	scope_bed_add(bed, BELOW_FN0, &bed->below, NULL);
	scope_bed_add(bed, BELOW_FN1, &bed->below, NULL);
	scope_bed_add(bed, NO_SLOT, &bed->root, NULL);
	return bed;
}

/* Notes each device the walk hands over; non-zero at the stop_at'th. */
static int scope_bed_note(struct pci_dev *dev, void *data)
{
	struct scope_bed *bed = data;
	size_t len = strlen(bed->seen);
	int i = dev - bed->dev;

	snprintf(bed->seen + len, sizeof(bed->seen) - len, "%s%s", len ? " " : "",
		 i >= 0 && i < NDEVS ? scope_dev_names[i] : "?");
	return ++bed->visits == bed->stop_at;
}

struct scope_case {
	const char *desc;
	int target;
	bool slot;
	int stop_at;		/* 0: the walk runs to its end */
	int ret;
	const char *members;	/* in walk order */
};

static const struct scope_case scope_cases[] = {
	{ "slot of function 0: both functions", CARD_FN0, true, 0, 0, "card.0 card.1" },
	{ "slot of function 1: the same two", CARD_FN1, true, 0, 0, "card.0 card.1" },
	{ "slot of a card alone: itself", LONE, true, 0, 0, "lone" },
	{ "slot of a bridge: it and all below it", BRIDGE, true, 0, 0,
	  "bridge below.0 below.1" },
	{ "slot of a function below a bridge: none", BELOW_FN0, true, 0, -EINVAL, "" },
	{ "bus below a bridge: its functions", BELOW_FN1, false, 0, 0, "below.0 below.1" },
	{ "bus of function 0: every device on it and below", CARD_FN0, false, 0, 0,
	  "card.0 card.1 lone bridge below.0 below.1 no-slot" },
	{ "slot of a device in none: none", NO_SLOT, true, 0, -EINVAL, "" },
	{ "non-zero from the callback ends the walk", CARD_FN0, false, 2, 1,
	  "card.0 card.1" },
};

static void scope_case_desc(const struct scope_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(scope, scope_cases, scope_case_desc);

static void pci_walk_reset_scope_members(struct kunit *test)
{
	const struct scope_case *c = test->param_value;
	struct scope_bed *bed = scope_bed_build(test);
	int ret;

	bed->stop_at = c->stop_at;
	ret = pci_walk_reset_scope(&bed->dev[c->target], c->slot, scope_bed_note, bed);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	KUNIT_EXPECT_STREQ(test, bed->seen, c->members);
}

static struct kunit_case pci_reset_scope_test_cases[] = {
	KUNIT_CASE_PARAM(pci_walk_reset_scope_members, scope_gen_params),
	{}
};

static struct kunit_suite pci_reset_scope_test_suite = {
	.name = "pci_reset_scope",
	.test_cases = pci_reset_scope_test_cases,
};

kunit_test_suite(pci_reset_scope_test_suite);

MODULE_DESCRIPTION("KUnit test for pci_walk_reset_scope()");
MODULE_LICENSE("GPL");
