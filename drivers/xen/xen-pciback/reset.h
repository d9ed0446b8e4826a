/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resetting what guests give back, and do_flr.
 *
 * A device that has been in a guest "needs a reset", and pciback does not
 * export it again before it has had one. The reset is the PCI core's: a
 * reset of the function alone when the core has one for it, else
 * pci_reset_bus() of its slot or bus, which resets every function there
 * (the device's "set"). A set is reset only when all of it is pciback's and
 * no guest holds any of it; until then the reset is pending, and it is done
 * when the last member comes back.
 */
#ifndef __XEN_PCIBACK_RESET_H__
#define __XEN_PCIBACK_RESET_H__

#include <linux/pci.h>
#include <linux/sysfs.h>

enum xen_pcibk_reset_scope {
	XEN_PCIBK_RESET_REFUSED,
	XEN_PCIBK_RESET_FUNCTION,	/* the core's reset of the function alone */
	XEN_PCIBK_RESET_SLOT,		/* pci_reset_bus(): the hotplug slot */
	XEN_PCIBK_RESET_BUS,		/* pci_reset_bus(): the secondary bus */
};

/* A slot or bus reset touching more functions than this is refused. */
#define XEN_PCIBK_RESET_MAX_FUNCS	32

/* What pciback knows of a device it holds. */
struct xen_pcibk_state {
	int domain;		/* the frontend domain using it, or -1 */
	bool needs_reset;	/* given to a guest since it was last reset */
	bool no_reset;		/* the admin lets it be exported without one */
};

/* One function a reset would touch, as the rules see it. */
struct xen_pcibk_member {
	struct pci_dev *dev;	/* NULL in KUnit tests */
	const char *name;	/* "0000:01:00.1" */
	const char *driver;	/* bound driver, or NULL */
	bool pciback;		/* bound to pciback: st is valid */
	struct xen_pcibk_state st;
};

struct xen_pcibk_reset_plan {
	struct pci_dev *target;
	struct xen_pcibk_state st;	/* the target's */
	bool function_ok;	/* the core would reset the target alone now */
	enum xen_pcibk_reset_scope scope;	/* of the set: slot, bus or none */
	int err;		/* for the set: 0, -EAGAIN (a guest holds a member), why not */
	enum xen_pcibk_reset_scope done;	/* what reset ran */
	int nmembers;
	struct xen_pcibk_member members[XEN_PCIBK_RESET_MAX_FUNCS];
	struct pci_dev *devs[XEN_PCIBK_RESET_MAX_FUNCS];	/* the members', to claim */
	char why[96];		/* names the device in the way */
};

/* What to do with a do_flr write, or with a reset pending for a device. */
enum xen_pcibk_action {
	XEN_PCIBK_RESET_NOW,
	XEN_PCIBK_DEFER,	/* when the member a guest holds comes back */
	XEN_PCIBK_NOTHING,	/* nothing in the set needs a reset */
	XEN_PCIBK_REFUSE,	/* cannot be reset while things stay as they are */
};

/* Whether pciback gives a device to the guest that asks for it. */
enum xen_pcibk_export {
	XEN_PCIBK_EXPORT,
	XEN_PCIBK_EXPORT_WAIT,		/* a reset touches it: ask again when it ends */
	XEN_PCIBK_EXPORT_TAKEN,		/* another guest has it */
	XEN_PCIBK_EXPORT_UNRESET,	/* it needs a reset first: refused, logged */
};

/* Rules, free of struct pci_dev so KUnit can drive them. */
enum xen_pcibk_export xen_pcibk_export_verdict(bool resetting, bool assigned,
					       bool needs_reset, bool no_reset);
int xen_pcibk_pick_scope(bool slot_ok, bool bus_ok, enum xen_pcibk_reset_scope *scope);
int xen_pcibk_judge_members(const struct xen_pcibk_member *m, int n,
			    char *why, size_t len);
enum xen_pcibk_action xen_pcibk_flr_action(int plan_err, bool target_needs_reset,
					   bool held_with_own_reset);
enum xen_pcibk_action xen_pcibk_pending_action(int plan_err, bool target_needs_reset,
					       bool held_with_own_reset);
unsigned int xen_pcibk_busy_delay_ms(int busy);
int xen_pcibk_parse_bdf(const char *buf, size_t count, unsigned int *domain,
			unsigned int *bus, unsigned int *devfn);

/* The plan do_flr acts on and pciback_reset shows; release always. */
void xen_pcibk_reset_plan(struct pci_dev *dev, struct xen_pcibk_reset_plan *plan);
void xen_pcibk_reset_release(struct xen_pcibk_reset_plan *plan);
ssize_t xen_pcibk_reset_show(const struct xen_pcibk_reset_plan *plan, char *buf);

/* do_flr of @dev: reset now, defer, or refuse with a log line. */
int xen_pcibk_do_flr(struct pci_dev *dev);
/* From pcistub_put_pci_dev(): pciback released @dev, reset by its own reset or not. */
void xen_pcibk_reset_returned(struct pci_dev *dev, bool function_reset_done);
/* From pcistub_remove(): @dev leaves pciback; say so if its reset still waits. */
void xen_pcibk_reset_leaving(struct pci_dev *dev);
/* At module exit, after the driver is gone: drop what is still pending. */
void xen_pcibk_reset_exit(void);

/*
 * From pci_stub.c. A reset claims every function it touches: it runs only
 * if each is pciback's and free, and until it ends none is exported (export
 * waits) or unbound (unbind waits). No lock is held across the reset, so
 * the core's own locks are never taken under one of pciback's.
 */
int xen_pcibk_get_state(struct pci_dev *dev, struct xen_pcibk_state *st);
int xen_pcibk_claim(struct pci_dev *const *devs, int n);
void xen_pcibk_unclaim(struct pci_dev *const *devs, int n, int rc);
int xen_pcibk_set_no_reset(struct pci_dev *dev, bool no_reset);

extern const struct attribute_group *xen_pcibk_reset_drv_groups[];
extern const struct attribute_group *xen_pcibk_reset_dev_groups[];

#endif
