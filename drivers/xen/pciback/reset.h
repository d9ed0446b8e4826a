/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pciback reset engine: pick the narrowest reset that really resets a
 * device, check that everything it touches is pciback's and idle, and run
 * it. The plan that do_flr acts on is the plan the pciback_reset attribute
 * shows.
 */
#ifndef __XEN_PCIBACK_RESET_H__
#define __XEN_PCIBACK_RESET_H__

#include <linux/pci.h>
#include <linux/sysfs.h>

enum pcibk_reset_scope {
	PCIBK_RESET_REFUSED,
	PCIBK_RESET_FUNCTION,	/* FLR, AF FLR, PM, ACPI or a device quirk */
	PCIBK_RESET_SLOT,	/* the hotplug driver's slot reset */
	PCIBK_RESET_BUS,	/* secondary bus reset of the parent bridge */
};

/* A slot or bus reset touching more functions than this is refused. */
#define PCIBK_RESET_MAX_FUNCS	32

/* One function a reset would touch, as the rules see it. */
struct pcibk_member {
	struct pci_dev *dev;	/* NULL in KUnit tests */
	const char *name;	/* "0000:01:00.1" */
	const char *driver;	/* bound driver, or NULL */
	bool pciback;		/* bound to pciback */
	int domain;		/* frontend domain using it, or -1 */
};

struct pcibk_reset_plan {
	enum pcibk_reset_scope scope;
	int err;			/* 0, or why it is refused */
	const char *method;		/* for PCIBK_RESET_FUNCTION */
	struct pci_dev *target;
	int nmembers;
	struct pcibk_member members[PCIBK_RESET_MAX_FUNCS];
	char why[96];			/* names the device in the way */
};

/* Rules, free of struct pci_dev so KUnit can drive them. */
int pcibk_pick_scope(u8 first_method, bool slot_ok, bool bus_ok,
		     enum pcibk_reset_scope *scope, const char **method);
int pcibk_judge_members(const struct pcibk_member *m, int n,
			char *why, size_t len);
int pcibk_parse_bdf(const char *buf, size_t count, unsigned int *domain,
		    unsigned int *bus, unsigned int *devfn);

/* Plan, show and run a reset of @dev; release always. */
void pcibk_reset_plan(struct pci_dev *dev, struct pcibk_reset_plan *plan);
int pcibk_reset_run(struct pcibk_reset_plan *plan);
void pcibk_reset_release(struct pcibk_reset_plan *plan);
ssize_t pcibk_reset_show(const struct pcibk_reset_plan *plan, char *buf);

/* From pciback: -ENODEV if it does not hold @dev, -ENOENT if unassigned. */
int xen_pcibk_assigned_domain(struct pci_dev *dev);

extern const struct attribute_group *xen_pcibk_reset_drv_groups[];
extern const struct attribute_group *xen_pcibk_reset_dev_groups[];

#endif
