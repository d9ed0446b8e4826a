// SPDX-License-Identifier: GPL-2.0
/*
 * Xen vNVDIMM frontend: host persistent memory that the toolstack mapped
 * into this guest (xl's iomem=) becomes an nvdimm region and /dev/pmemN.
 *
 * The backend directory of each "vpmem" device names one range in hex:
 * "gfn" and "nr-frames". The range is checked against this guest's own
 * address space, then every frame must be really there before libnvdimm
 * may touch it: Xen refuses a PV guest's mapping of a frame it was not
 * given, which would oops inside ioremap, so a PV guest asks first; in a
 * PVH guest an unmapped frame reads as all ones and drops writes, so one
 * word per frame is read (and an all-ones word written and restored).
 * Any refusal goes to the backend as a xenbus error and one log line.
 */
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/libnvdimm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/pm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "range.h"

struct xen_pmem {
	struct xen_pmem_range range;
	struct resource res;
	struct nvdimm_bus_descriptor bus_desc;
	struct nvdimm_bus *bus;
};

/* The regions of this guest, for the duplicate and overlap checks. */
static DEFINE_MUTEX(xen_pmem_lock);
static struct xen_pmem_range xen_pmem_taken[XEN_PMEM_MAX_REGIONS];
static unsigned int xen_pmem_nr_taken;

static bool xen_pmem_has_ram(u64 start, u64 size)
{
	return region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) != REGION_DISJOINT;
}

static int xen_pmem_read_frames(struct xenbus_device *dev, const char *key, u64 *frames)
{
	char *text = xenbus_read(XBT_NIL, dev->otherend, key, NULL);
	int err;

	if (IS_ERR(text)) {
		xenbus_dev_fatal(dev, PTR_ERR(text), "reading %s/%s", dev->otherend, key);
		return PTR_ERR(text);
	}
	err = xen_pmem_parse_frames(text, frames);
	if (err)
		xenbus_dev_fatal(dev, err, "malformed %s \"%.32s\"", key, text);
	kfree(text);
	return err;
}

static int xen_pmem_no_pte(pte_t *pte, unsigned long addr, void *data)
{
	return 0;
}

/* PV: may this guest map every frame? Ask Xen one scratch PTE at a time. */
static int xen_pmem_pv_permitted(struct xenbus_device *dev, const struct xen_pmem_range *r)
{
	struct vm_struct *area = get_vm_area(PAGE_SIZE, VM_IOREMAP);
	unsigned long va;
	u64 pfn;
	int err;

	if (!area)
		return -ENOMEM;
	va = (unsigned long)area->addr;
	err = apply_to_page_range(&init_mm, va, PAGE_SIZE, xen_pmem_no_pte, NULL);
	for (pfn = r->gfn; !err && pfn < r->gfn + r->nr; pfn++) {
		/* libnvdimm maps the pfn, which must stand for the same mfn. */
		if (pfn_to_mfn(pfn) != pfn) {
			err = -EXDEV;
			xenbus_dev_fatal(dev, err, "frame %llx is not identity mapped", pfn);
			break;
		}
		err = HYPERVISOR_update_va_mapping(va, mfn_pte(pfn, PAGE_KERNEL_RO), 0);
		if (err)
			xenbus_dev_fatal(dev, err, "Xen refuses frame %llx: no iomem permission",
					 pfn);
		cond_resched();
	}
	HYPERVISOR_update_va_mapping(va, __pte(0), UVMF_INVLPG | UVMF_ALL);
	free_vm_area(area);
	return err;
}

/* PVH: is every frame backed by memory? */
static int xen_pmem_hvm_backed(struct xenbus_device *dev, const struct xen_pmem_range *r)
{
	void *base = memremap(PFN_PHYS(r->gfn), PFN_PHYS(r->nr), MEMREMAP_WB);
	u64 i, word;
	int err = 0;

	if (!base)
		return -ENOMEM;
	for (i = 0; i < r->nr; i++) {
		u64 *p = base + PFN_PHYS(i);

		if (!(i % XEN_PMEM_ALIGN_FRAMES))
			cond_resched();
		word = READ_ONCE(*p);
		if (word != ~0ULL)
			continue;
		WRITE_ONCE(*p, 0);
		word = READ_ONCE(*p);
		WRITE_ONCE(*p, ~0ULL);
		if (word) {
			err = -ENXIO;
			xenbus_dev_fatal(dev, err, "frame %llx is not mapped: no iomem= for it",
					 r->gfn + i);
			break;
		}
	}
	memunmap(base);
	return err;
}

static int xen_pmem_register(struct xenbus_device *dev, struct xen_pmem *pm)
{
	struct nd_region_desc ndr = {};
	int nid;
	int err;

	pm->res.name = "Persistent Memory (Xen)";
	pm->res.start = PFN_PHYS(pm->range.gfn);
	pm->res.end = pm->res.start + PFN_PHYS(pm->range.nr) - 1;
	pm->res.flags = IORESOURCE_MEM;
	pm->res.desc = IORES_DESC_PERSISTENT_MEMORY;
	err = insert_resource(&iomem_resource, &pm->res);
	if (err) {
		xenbus_dev_fatal(dev, err, "%pR conflicts with another resource", &pm->res);
		return err;
	}
	pm->bus_desc.provider_name = "xen-pmem";
	pm->bus_desc.module = THIS_MODULE;
	pm->bus = nvdimm_bus_register(&dev->dev, &pm->bus_desc);
	if (!pm->bus) {
		err = -ENOMEM;
		goto out_res;
	}
	nid = phys_to_target_node(pm->res.start);
	ndr.res = &pm->res;
	ndr.numa_node = numa_map_to_online_node(nid);
	ndr.target_node = nid;
	set_bit(ND_REGION_PAGEMAP, &ndr.flags);
	if (!nvdimm_pmem_region_create(pm->bus, &ndr)) {
		err = -ENXIO;
		goto out_bus;
	}
	return 0;
out_bus:
	nvdimm_bus_unregister(pm->bus);
out_res:
	release_resource(&pm->res);
	xenbus_dev_fatal(dev, err, "registering %pR with libnvdimm", &pm->res);
	return err;
}

/* Errors were reported to the backend: probe itself succeeds, unconnected. */
static int xen_pmem_probe(struct xenbus_device *dev, const struct xenbus_device_id *id)
{
	const struct xen_pmem_space space = {
		.phys_bits = boot_cpu_data.x86_phys_bits,
		.has_ram = xen_pmem_has_ram,
		.taken = xen_pmem_taken,
		.nr_taken = xen_pmem_nr_taken,
	};
	enum xen_pmem_verdict verdict;
	struct xen_pmem *pm;
	int err;

	pm = devm_kzalloc(&dev->dev, sizeof(*pm), GFP_KERNEL);
	if (!pm)
		return -ENOMEM;
	if (xen_pmem_read_frames(dev, "gfn", &pm->range.gfn) ||
	    xen_pmem_read_frames(dev, "nr-frames", &pm->range.nr))
		return 0;

	mutex_lock(&xen_pmem_lock);
	verdict = xen_pmem_check(&pm->range, &space);
	if (verdict != XEN_PMEM_OK) {
		xenbus_dev_fatal(dev, xen_pmem_verdict_errno(verdict),
				 "gfn %llx nr-frames %llx: %s", pm->range.gfn,
				 pm->range.nr, xen_pmem_verdict_str(verdict));
		goto out;
	}
	if (xen_pv_domain())
		err = xen_pmem_pv_permitted(dev, &pm->range);
	else
		err = xen_pmem_hvm_backed(dev, &pm->range);
	if (err || xen_pmem_register(dev, pm))
		goto out;
	xen_pmem_taken[xen_pmem_nr_taken++] = pm->range;
	dev_set_drvdata(&dev->dev, pm);
	xenbus_switch_state(dev, XenbusStateConnected);
	dev_info(&dev->dev, "%pR: host persistent memory\n", &pm->res);
out:
	mutex_unlock(&xen_pmem_lock);
	return 0;
}

static void xen_pmem_remove(struct xenbus_device *dev)
{
	struct xen_pmem *pm = dev_get_drvdata(&dev->dev);
	unsigned int i;

	if (!pm)
		return;
	nvdimm_bus_unregister(pm->bus);
	release_resource(&pm->res);
	mutex_lock(&xen_pmem_lock);
	for (i = 0; i < xen_pmem_nr_taken; i++) {
		if (xen_pmem_taken[i].gfn == pm->range.gfn) {
			xen_pmem_taken[i] = xen_pmem_taken[--xen_pmem_nr_taken];
			break;
		}
	}
	mutex_unlock(&xen_pmem_lock);
}

/*
 * Save, restore and migration would carry the region's frame numbers to
 * another time or host, where they name other memory. Refusing the first
 * step of every system sleep transition makes the toolstack's suspend
 * request fail while the guest runs on.
 */
static int xen_pmem_prepare(struct device *dev)
{
	struct xen_pmem *pm = dev_get_drvdata(dev);

	if (!pm)
		return 0;
	dev_err(dev, "%pR is host persistent memory: refusing to suspend (save, migration, hibernation)\n",
		&pm->res);
	return -EBUSY;
}

static const struct dev_pm_ops xen_pmem_pm_ops = {
	.prepare = xen_pmem_prepare,
};

static const struct xenbus_device_id xen_pmem_ids[] = {
	{ "vpmem" },
	{ "" }
};

static struct xenbus_driver xen_pmem_driver = {
	.ids = xen_pmem_ids,
	.probe = xen_pmem_probe,
	.remove = xen_pmem_remove,
	.driver.pm = &xen_pmem_pm_ops,
};

static int __init xen_pmem_init(void)
{
	if (!xen_domain() || xen_initial_domain())
		return -ENODEV;
	return xenbus_register_frontend(&xen_pmem_driver);
}
module_init(xen_pmem_init);

MODULE_DESCRIPTION("Xen vNVDIMM frontend: host persistent memory as /dev/pmem");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:vpmem");
