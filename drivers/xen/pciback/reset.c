// SPDX-License-Identifier: GPL-2.0
/*
 * pciback reset engine.
 *
 * The rules are VFIO's for a hot reset: use a reset that touches only the
 * function when the device has one; otherwise reset its hotplug slot, else
 * its bus, and only when the slot or bus can be reset, every function in
 * it is held by pciback, and no guest is using any of them. Each function
 * touched has its config space saved before and restored after.
 */
#define pr_fmt(fmt) "xen-pciback: " fmt

#include <linux/errno.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pci_hotplug.h>
#include <linux/sort.h>

#include "reset.h"

/*
 * dev->reset_methods[] lists indices into the PCI core's method table in
 * the order the core tries them. In 6.1 that table is 1 device_specific,
 * 2 acpi, 3 flr, 4 af_flr, 5 pm, 6 bus. All but "bus" reset the function
 * alone; "bus" is what this file does as a slot or bus reset instead, so
 * that its scope is checked and shown.
 */
static_assert(PCI_NUM_RESET_METHODS == 7, "PCI core reset methods changed");
static const char *const pcibk_function_methods[] = {
	[1] = "device_specific",
	[2] = "acpi",
	[3] = "flr",
	[4] = "af_flr",
	[5] = "pm",
};

int pcibk_pick_scope(u8 first_method, bool slot_ok, bool bus_ok,
		     enum pcibk_reset_scope *scope, const char **method)
{
	*method = NULL;
	if (first_method < ARRAY_SIZE(pcibk_function_methods) &&
	    pcibk_function_methods[first_method]) {
		*scope = PCIBK_RESET_FUNCTION;
		*method = pcibk_function_methods[first_method];
		return 0;
	}
	if (slot_ok) {
		*scope = PCIBK_RESET_SLOT;
		return 0;
	}
	if (bus_ok) {
		*scope = PCIBK_RESET_BUS;
		return 0;
	}
	*scope = PCIBK_RESET_REFUSED;
	return -ENOTTY;
}

int pcibk_judge_members(const struct pcibk_member *m, int n, char *why, size_t len)
{
	int i;

	for (i = 0; i < n; i++, m++) {
		if (!m->pciback && m->driver) {
			snprintf(why, len, "%s is bound to %s", m->name, m->driver);
			return -EBUSY;
		}
		if (!m->pciback) {
			snprintf(why, len, "%s has no driver, not pciback", m->name);
			return -EBUSY;
		}
		if (m->domain >= 0) {
			snprintf(why, len, "%s is assigned to domain %d", m->name, m->domain);
			return -EBUSY;
		}
	}
	return 0;
}

static void pcibk_describe(struct pcibk_member *m, struct pci_dev *dev)
{
	int domain = xen_pcibk_assigned_domain(dev);

	m->name = pci_name(dev);
	m->driver = dev->driver ? dev->driver->name : NULL;
	m->pciback = domain != -ENODEV;
	m->domain = domain >= 0 ? domain : -1;
}

static int pcibk_add_member(struct pci_dev *dev, void *data)
{
	struct pcibk_reset_plan *plan = data;
	struct pcibk_member *m;

	if (plan->nmembers == PCIBK_RESET_MAX_FUNCS) {
		plan->err = -EBUSY;
		snprintf(plan->why, sizeof(plan->why),
			 "the reset would touch more than %d functions", PCIBK_RESET_MAX_FUNCS);
		return 1;
	}
	m = &plan->members[plan->nmembers++];
	m->dev = pci_dev_get(dev);
	pcibk_describe(m, dev);
	return 0;
}

/* A slot holds the functions on its bus whose slot it is, and all below. */
static int pcibk_add_slot_member(struct pci_dev *dev, void *data)
{
	struct pcibk_reset_plan *plan = data;
	struct pci_slot *slot = plan->target->slot;
	struct pci_dev *top = dev;

	while (top->bus != slot->bus && top->bus->self)
		top = top->bus->self;
	return top->slot == slot ? pcibk_add_member(dev, data) : 0;
}

static int pcibk_member_cmp(const void *a, const void *b)
{
	const struct pcibk_member *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void pcibk_reset_plan(struct pci_dev *dev, struct pcibk_reset_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->target = pci_dev_get(dev);

	if (xen_pcibk_assigned_domain(dev) == -ENODEV) {
		plan->err = -ENODEV;
		snprintf(plan->why, sizeof(plan->why), "%s is not bound to pciback",
			 pci_name(dev));
		return;
	}
	plan->err = pcibk_pick_scope(dev->reset_methods[0],
				     !pci_probe_reset_slot(dev->slot),
				     !pci_probe_reset_bus(dev->bus),
				     &plan->scope, &plan->method);
	if (plan->err) {
		snprintf(plan->why, sizeof(plan->why),
			 "%s has no function, slot or bus reset", pci_name(dev));
		return;
	}

	switch (plan->scope) {
	case PCIBK_RESET_FUNCTION:
		pcibk_add_member(dev, plan);
		break;
	case PCIBK_RESET_SLOT:
		pci_walk_bus(dev->slot->bus, pcibk_add_slot_member, plan);
		break;
	default:
		pci_walk_bus(dev->bus, pcibk_add_member, plan);
		break;
	}
	if (plan->err)
		return;
	/* Address order: what users read, and the order locks are tried in. */
	sort(plan->members, plan->nmembers, sizeof(plan->members[0]), pcibk_member_cmp, NULL);
	plan->err = pcibk_judge_members(plan->members, plan->nmembers, plan->why,
					sizeof(plan->why));
}

void pcibk_reset_release(struct pcibk_reset_plan *plan)
{
	while (plan->nmembers)
		pci_dev_put(plan->members[--plan->nmembers].dev);
	pci_dev_put(plan->target);
	plan->target = NULL;
}

static int pcibk_reset_slot(struct pci_slot *slot)
{
	struct hotplug_slot *hp = slot->hotplug;
	int rc = -ENOTTY;

	if (!hp || !hp->ops->reset_slot || !try_module_get(hp->owner))
		return rc;
	rc = hp->ops->reset_slot(hp, false);
	module_put(hp->owner);
	return rc;
}

/* Slot and bus: save and quiesce every member, reset once, restore all. */
static int pcibk_reset_members(struct pcibk_reset_plan *plan)
{
	struct pci_dev *dev;
	int i, rc;

	for (i = 0; i < plan->nmembers; i++) {
		dev = plan->members[i].dev;
		pci_set_power_state(dev, PCI_D0);
		pci_save_state(dev);
		pci_write_config_word(dev, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
	}
	if (plan->scope == PCIBK_RESET_SLOT)
		rc = pcibk_reset_slot(plan->target->slot);
	else
		rc = pci_bridge_secondary_bus_reset(plan->target->bus->self);
	for (i = 0; i < plan->nmembers; i++)
		pci_restore_state(plan->members[i].dev);
	return rc;
}

int pcibk_reset_run(struct pcibk_reset_plan *plan)
{
	int i, locked, rc;

	if (plan->err)
		return plan->err;

	/*
	 * Bind and unbind hold the device lock, and so may pciehp or the PCI
	 * core while they wait for something we hold: never block on it.
	 */
	for (locked = 0; locked < plan->nmembers; locked++) {
		if (!pci_dev_trylock(plan->members[locked].dev)) {
			snprintf(plan->why, sizeof(plan->why), "%s is busy (locked)",
				 plan->members[locked].name);
			rc = -EBUSY;
			goto unlock;
		}
	}

	/* Nobody binds, unbinds or resets under these locks: check again. */
	for (i = 0; i < plan->nmembers; i++)
		pcibk_describe(&plan->members[i], plan->members[i].dev);
	rc = pcibk_judge_members(plan->members, plan->nmembers, plan->why,
				 sizeof(plan->why));
	if (rc)
		goto unlock;

	if (plan->scope == PCIBK_RESET_FUNCTION)
		rc = pci_reset_function_locked(plan->target);
	else
		rc = pcibk_reset_members(plan);
	if (rc)
		snprintf(plan->why, sizeof(plan->why), "the %s reset of %s failed",
			 plan->method ?: (plan->scope == PCIBK_RESET_SLOT ? "slot" : "bus"),
			 pci_name(plan->target));
unlock:
	while (locked--)
		pci_dev_unlock(plan->members[locked].dev);
	return rc;
}

static const char *pcibk_errno_name(int err)
{
	switch (err) {
	case -EBUSY:
		return "EBUSY";
	case -ENOTTY:
		return "ENOTTY";
	case -ENODEV:
		return "ENODEV";
	default:
		return "error";
	}
}

ssize_t pcibk_reset_show(const struct pcibk_reset_plan *plan, char *buf)
{
	static const char *const scope_name[] = {
		[PCIBK_RESET_SLOT] = "slot",
		[PCIBK_RESET_BUS] = "bus",
	};
	ssize_t len;
	int i;

	if (plan->err)
		return sysfs_emit(buf, "refused %s: %s\n", pcibk_errno_name(plan->err),
				  plan->why);
	len = sysfs_emit(buf, "%s", plan->method ?: scope_name[plan->scope]);
	for (i = 0; i < plan->nmembers; i++)
		len += sysfs_emit_at(buf, len, " %s", plan->members[i].name);
	return len + sysfs_emit_at(buf, len, "\n");
}
