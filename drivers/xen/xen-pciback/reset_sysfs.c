// SPDX-License-Identifier: GPL-2.0
/*
 * pciback's reset attributes:
 *   /sys/bus/pci/drivers/pciback/do_flr        write a BDF to reset that device
 *   /sys/bus/pci/devices/BDF/pciback_reset     what do_flr would do, or why not
 *   /sys/bus/pci/devices/BDF/pciback_no_reset  1: export it even unreset
 * libxl writes do_flr before it assigns a device and after it removes one.
 */
#define pr_fmt(fmt) "xen-pciback: " fmt

#include <linux/ctype.h>
#include <linux/minmax.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "reset.h"

/* Up to @max hex digits; returns the end, or NULL if there are none or too many. */
static const char *xen_pcibk_hex(const char *p, int max, unsigned int *val)
{
	int n;

	*val = 0;
	for (n = 0; isxdigit(p[n]); n++) {
		if (n == max)
			return NULL;
		*val = *val << 4 | hex_to_bin(p[n]);
	}
	return n ? p + n : NULL;
}

/*
 * Accepts what libxl writes, "%04x:%02x:%02x.%01x", and the same without the
 * domain, each with or without a trailing newline. Nothing else: no spaces,
 * no "0x", no more fields.
 */
int xen_pcibk_parse_bdf(const char *buf, size_t count, unsigned int *domain,
			unsigned int *bus, unsigned int *devfn)
{
	unsigned int f[4], slot, func;
	char s[16];
	const char *p = s, *colon;
	int i, nf;

	if (count && buf[count - 1] == '\n')
		count--;
	if (!count || count >= sizeof(s) || memchr(buf, '\0', count))
		return -EINVAL;
	memcpy(s, buf, count);
	s[count] = '\0';

	colon = strchr(s, ':');
	nf = colon && strchr(colon + 1, ':') ? 4 : 3;
	for (i = 0; i < nf; i++) {
		static const int width[] = { 4, 2, 2, 1 };
		int w = width[i + 4 - nf];

		p = xen_pcibk_hex(p, w, &f[i]);
		if (!p)
			return -EINVAL;
		if (i == nf - 1)
			break;
		if (*p++ != (i == nf - 2 ? '.' : ':'))
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	slot = f[nf - 2];
	func = f[nf - 1];
	if (slot > 0x1f || func > 7)
		return -EINVAL;
	*domain = nf == 4 ? f[0] : 0;
	*bus = f[nf - 3];
	*devfn = PCI_DEVFN(slot, func);
	return 0;
}

static ssize_t do_flr_store(struct device_driver *drv, const char *buf, size_t count)
{
	unsigned int domain, bus, devfn;
	struct pci_dev *dev;
	int err;

	err = xen_pcibk_parse_bdf(buf, count, &domain, &bus, &devfn);
	if (err) {
		pr_warn_ratelimited("do_flr: \"%*pE\" is not a PCI address (DDDD:BB:DD.F)\n",
				    (int)min_t(size_t, count, 32), buf);
		return err;
	}
	dev = pci_get_domain_bus_and_slot(domain, bus, devfn);
	if (!dev) {
		pr_warn_ratelimited("do_flr: no PCI device %04x:%02x:%02x.%u\n", domain, bus,
				    PCI_SLOT(devfn), PCI_FUNC(devfn));
		return -ENODEV;
	}
	err = xen_pcibk_do_flr(dev);
	pci_dev_put(dev);
	return err ?: count;
}
static DRIVER_ATTR_WO(do_flr);

static struct attribute *xen_pcibk_reset_drv_attrs[] = {
	&driver_attr_do_flr.attr,
	NULL,
};

static const struct attribute_group xen_pcibk_reset_drv_group = {
	.attrs = xen_pcibk_reset_drv_attrs,
};

const struct attribute_group *xen_pcibk_reset_drv_groups[] = {
	&xen_pcibk_reset_drv_group,
	NULL,
};

static ssize_t pciback_reset_show(struct device *d, struct device_attribute *attr, char *buf)
{
	struct xen_pcibk_reset_plan *plan;
	ssize_t len;

	plan = kmalloc(sizeof(*plan), GFP_KERNEL);
	if (!plan)
		return -ENOMEM;
	xen_pcibk_reset_plan(to_pci_dev(d), plan);
	len = xen_pcibk_reset_show(plan, buf);
	xen_pcibk_reset_release(plan);
	kfree(plan);
	return len;
}
static DEVICE_ATTR_ADMIN_RO(pciback_reset);

static ssize_t pciback_no_reset_show(struct device *d, struct device_attribute *attr,
				     char *buf)
{
	struct xen_pcibk_state st;
	int err = xen_pcibk_get_state(to_pci_dev(d), &st);

	return err ?: sysfs_emit(buf, "%d\n", st.no_reset);
}

static ssize_t pciback_no_reset_store(struct device *d, struct device_attribute *attr,
				      const char *buf, size_t count)
{
	bool no_reset;
	int err = kstrtobool(buf, &no_reset);

	if (!err)
		err = xen_pcibk_set_no_reset(to_pci_dev(d), no_reset);
	if (!err && no_reset)
		pci_notice(to_pci_dev(d), "will be exported without the reset it may need\n");
	return err ?: count;
}
static DEVICE_ATTR_ADMIN_RW(pciback_no_reset);

static struct attribute *xen_pcibk_reset_dev_attrs[] = {
	&dev_attr_pciback_reset.attr,
	&dev_attr_pciback_no_reset.attr,
	NULL,
};

static const struct attribute_group xen_pcibk_reset_dev_group = {
	.attrs = xen_pcibk_reset_dev_attrs,
};

const struct attribute_group *xen_pcibk_reset_dev_groups[] = {
	&xen_pcibk_reset_dev_group,
	NULL,
};
