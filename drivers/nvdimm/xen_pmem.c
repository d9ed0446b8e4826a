// SPDX-License-Identifier: GPL-2.0
/*
 * Xen vNVDIMM frontend: host persistent memory that the toolstack mapped
 * into this guest (xl's iomem=) becomes an nvdimm region and /dev/pmemN.
 *
 * The backend directory of each "vpmem" device names one range in hex:
 * "gfn" and "nr-frames" (Documentation/admin-guide/xen-vnvdimm.rst has
 * the protocol). Nothing the backend writes is trusted. The range must be
 * non-empty, 2 MiB aligned, addressable, and clear of RAM and of the
 * persistent memory this guest registered already; the resource tree
 * knows both, so that costs the same for any size. Xen refuses a PV
 * guest's mapping of a frame the guest has no iomem permission for, and
 * such a refusal inside ioremap would oops, so a PV guest asks Xen for
 * the range's first and last frames (xl grants a range in one piece). A
 * PVH guest cannot ask without touching the data: Xen's p2m decides, and
 * a frame it does not map reads as all ones and drops writes, which harms
 * no one but this guest. Any refusal goes to the backend as a xenbus
 * error and one log line.
 */
#include <linux/blkdev.h>
#include <linux/ioport.h>
#include <linux/libnvdimm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/pm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>
#include <xen/xenbus.h>
#include <asm/pgtable_types.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

/* 2 MiB units, so that DAX can map a region with PMDs. */
#define XEN_PMEM_ALIGN_FRAMES	(SZ_2M / SZ_4K)

/* A range of guest frames (4 KiB each). */
struct xen_pmem_range {
	u64 gfn;
	u64 nr;
};

enum xen_pmem_verdict {
	XEN_PMEM_OK,
	XEN_PMEM_ZERO_SIZE,
	XEN_PMEM_MISALIGNED,
	XEN_PMEM_BEYOND_PHYS,
	XEN_PMEM_OVERLAPS_RAM,
	XEN_PMEM_OVERLAPS_PMEM,
};

/* What the guest knows of its own physical address space. */
struct xen_pmem_space {
	unsigned int phys_bits;
	/* Does [start, start + size) meet the guest's RAM? */
	bool (*has_ram)(u64 start, u64 size);
	/* Does it meet persistent memory the guest registered already? */
	bool (*has_pmem)(u64 start, u64 size);
};

/* The checks, pure so that KUnit can feed them any range and any guest. */
static enum xen_pmem_verdict xen_pmem_check(const struct xen_pmem_range *r,
					    const struct xen_pmem_space *space)
{
	u64 max_frames = 1ULL << (space->phys_bits - PAGE_SHIFT);

	if (!r->nr)
		return XEN_PMEM_ZERO_SIZE;
	if (r->gfn % XEN_PMEM_ALIGN_FRAMES || r->nr % XEN_PMEM_ALIGN_FRAMES)
		return XEN_PMEM_MISALIGNED;
	/* Both bounds are below 2^52, so the sum and the shifts cannot wrap. */
	if (r->gfn >= max_frames || r->nr > max_frames - r->gfn)
		return XEN_PMEM_BEYOND_PHYS;
	if (space->has_ram(r->gfn << PAGE_SHIFT, r->nr << PAGE_SHIFT))
		return XEN_PMEM_OVERLAPS_RAM;
	if (space->has_pmem(r->gfn << PAGE_SHIFT, r->nr << PAGE_SHIFT))
		return XEN_PMEM_OVERLAPS_PMEM;
	return XEN_PMEM_OK;
}

static const struct {
	const char *why;
	int err;
} xen_pmem_verdicts[] = {
	[XEN_PMEM_OK]			= { "usable", 0 },
	[XEN_PMEM_ZERO_SIZE]		= { "zero size", -EINVAL },
	[XEN_PMEM_MISALIGNED]		= { "not 2 MiB aligned", -EINVAL },
	[XEN_PMEM_BEYOND_PHYS]		= { "beyond the physical address space", -ERANGE },
	[XEN_PMEM_OVERLAPS_RAM]		= { "overlaps RAM", -EBUSY },
	[XEN_PMEM_OVERLAPS_PMEM]	= { "overlaps registered persistent memory", -EBUSY },
};

static const char *xen_pmem_verdict_str(enum xen_pmem_verdict v)
{
	return v < ARRAY_SIZE(xen_pmem_verdicts) ? xen_pmem_verdicts[v].why : "?";
}

static int xen_pmem_verdict_errno(enum xen_pmem_verdict v)
{
	return v < ARRAY_SIZE(xen_pmem_verdicts) ? xen_pmem_verdicts[v].err : -EINVAL;
}

/*
 * A frame number or count as the backend writes it: hex digits, nothing
 * else ("0x" and a sign are refused too, so there is one spelling).
 */
static int xen_pmem_parse_frames(const char *text, u64 *frames)
{
	size_t len = strlen(text);

	if (!len || len > 16 || strspn(text, "0123456789abcdefABCDEF") != len)
		return -EINVAL;
	return kstrtou64(text, 16, frames);
}

/* What the frontend does when it sees the backend's state. */
enum xen_pmem_step {
	XEN_PMEM_STAY,		/* nothing */
	XEN_PMEM_CONNECT,	/* read, check and register the range */
	XEN_PMEM_RELEASE,	/* remove the region unless it is held */
	XEN_PMEM_CLOSE,		/* no region: go Closed */
};

/*
 * The backend offers the range in InitWait (or already Connected, as a
 * hand-written backend may say) and takes it back with Closing or Closed.
 * Only a frontend still Initialising connects; whatever its state, one
 * with a region gives it up (a failed switch to Connected may have left
 * it Closing with one), and a Closed one without a region stays so.
 * While a system sleep transition that this device let start (@sleeping)
 * is under way, it does not connect: the region would cross a save or a
 * migration. The offer is taken once the transition is over.
 */
static enum xen_pmem_step xen_pmem_next_step(enum xenbus_state backend,
					     enum xenbus_state frontend,
					     bool has_region, bool sleeping)
{
	switch (backend) {
	case XenbusStateInitWait:
	case XenbusStateConnected:
		if (frontend == XenbusStateInitialising && !has_region && !sleeping)
			return XEN_PMEM_CONNECT;
		return XEN_PMEM_STAY;
	case XenbusStateClosing:
	case XenbusStateClosed:
		if (has_region)
			return XEN_PMEM_RELEASE;
		return frontend == XenbusStateClosed ? XEN_PMEM_STAY : XEN_PMEM_CLOSE;
	default:
		return XEN_PMEM_STAY;
	}
}

struct xen_pmem {
	struct resource res;
	struct nvdimm_bus_descriptor bus_desc;
	struct nvdimm_bus *bus;
};

/* One per vpmem device, from probe to remove; under xen_pmem_lock. */
struct xen_pmem_dev {
	struct xen_pmem *pm;	/* its region, while connected */
	bool sleeping;		/* between its ->prepare and ->complete */
};

/* One connect at a time, so that two cannot both pass the overlap check. */
static DEFINE_MUTEX(xen_pmem_lock);

static bool xen_pmem_has_ram(u64 start, u64 size)
{
	return region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) != REGION_DISJOINT;
}

static bool xen_pmem_has_pmem(u64 start, u64 size)
{
	return region_intersects(start, size, IORESOURCE_MEM,
				 IORES_DESC_PERSISTENT_MEMORY) != REGION_DISJOINT;
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

/*
 * PV: would Xen let this guest map the range's two end frames? Each is
 * mapped read-only over a scratch page's PTE, never read, and the
 * scratch page's own mapping is put back. The first end is asked for
 * write-back: unless Xen runs with mmio-relax=all it makes every MMIO
 * mapping of a PV guest uncached, which the PTE it wrote then shows.
 */
static int xen_pmem_pv_ends_permitted(struct xenbus_device *dev,
				      const struct xen_pmem_range *r)
{
	const u64 ends[] = { r->gfn, r->gfn + r->nr - 1 };
	void *scratch = vmalloc(PAGE_SIZE);
	unsigned long va = (unsigned long)scratch;
	unsigned int level = PG_LEVEL_NONE, i;
	pte_t *ptep, saved;
	int err = 0, rc;

	if (!scratch) {
		xenbus_dev_fatal(dev, -ENOMEM, "no scratch page to ask Xen about the frames");
		return -ENOMEM;
	}
	ptep = lookup_address(va, &level);
	if (!ptep || level != PG_LEVEL_4K) {
		vfree(scratch);
		xenbus_dev_fatal(dev, -EFAULT, "the scratch page has no 4K PTE (level %u)", level);
		return -EFAULT;
	}
	saved = *ptep;
	for (i = 0; i < ARRAY_SIZE(ends) && !err; i++) {
		/* libnvdimm maps the pfn, which must stand for the same mfn. */
		if (pfn_to_mfn(ends[i]) != ends[i]) {
			err = -EXDEV;
			xenbus_dev_fatal(dev, err, "frame %llx is not identity mapped", ends[i]);
			break;
		}
		err = HYPERVISOR_update_va_mapping(va, mfn_pte(ends[i], PAGE_KERNEL_RO), 0);
		if (err)
			xenbus_dev_fatal(dev, err, "Xen refuses frame %llx: no iomem permission",
					 ends[i]);
		else if (!i && (pte_flags(READ_ONCE(*ptep)) & _PAGE_PCD))
			dev_notice_once(&dev->dev, "Xen maps host persistent memory uncached here (it runs without mmio-relax=all): slow\n");
	}
	/* An error already said ends the probe; this one must end it too. */
	rc = HYPERVISOR_update_va_mapping(va, saved, UVMF_INVLPG | UVMF_ALL);
	if (rc && !err)
		xenbus_dev_fatal(dev, rc, "Xen refused to map the scratch page back");
	else if (rc)
		dev_err(&dev->dev, "Xen refused to map the scratch page back: %d\n", rc);
	vfree(scratch);
	return err ?: rc;
}

static int xen_pmem_register(struct xenbus_device *dev, struct xen_pmem *pm,
			     const struct xen_pmem_range *r)
{
	struct nd_region_desc ndr = {};
	int nid;
	int err;

	pm->res.name = "Persistent Memory (Xen)";
	pm->res.start = PFN_PHYS(r->gfn);
	pm->res.end = pm->res.start + PFN_PHYS(r->nr) - 1;
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
	/*
	 * struct pages give pmem DAX (fsdax, device-dax). Not in a PV guest:
	 * there a DAX mapping runs through Xen's page-table checks, and the
	 * test bed's fsdax test died of SIGSEGV once in four runs, cause not
	 * found. A PV guest gets /dev/pmemN without DAX.
	 */
	if (!xen_pv_domain())
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

/* Backend InitWait or Connected: check the range, register it, connect. */
static void xen_pmem_connect(struct xenbus_device *dev, struct xen_pmem_dev *xd)
{
	const struct xen_pmem_space space = {
		.phys_bits = boot_cpu_data.x86_phys_bits,
		.has_ram = xen_pmem_has_ram,
		.has_pmem = xen_pmem_has_pmem,
	};
	enum xen_pmem_verdict verdict;
	struct xen_pmem_range range;
	struct xen_pmem *pm;

	if (xen_pmem_read_frames(dev, "gfn", &range.gfn) ||
	    xen_pmem_read_frames(dev, "nr-frames", &range.nr))
		return;
	verdict = xen_pmem_check(&range, &space);
	if (verdict != XEN_PMEM_OK) {
		xenbus_dev_fatal(dev, xen_pmem_verdict_errno(verdict),
				 "gfn %llx nr-frames %llx: %s", range.gfn, range.nr,
				 xen_pmem_verdict_str(verdict));
		return;
	}
	if (xen_pv_domain() && xen_pmem_pv_ends_permitted(dev, &range))
		return;
	pm = kzalloc(sizeof(*pm), GFP_KERNEL);
	if (!pm) {
		xenbus_dev_fatal(dev, -ENOMEM, "allocating the region");
		return;
	}
	if (xen_pmem_register(dev, pm, &range)) {
		kfree(pm);
		return;
	}
	xd->pm = pm;
	xenbus_switch_state(dev, XenbusStateConnected);
	dev_info(&dev->dev, "%pR: host persistent memory\n", &pm->res);
}

/*
 * Is anything below the region in use: a disk someone has open (a mount,
 * swap, a stacked device or a plain open), or a device-dax, whose pages
 * may be mapped or pinned where no open count shows?
 */
static int xen_pmem_in_use(struct device *dev, void *unused)
{
	if (dev->devt && dev->class && !strcmp(dev->class->name, "block") &&
	    atomic_read(&dev_to_bdev(dev)->bd_openers))
		return -EBUSY;
	if (dev->bus && !strcmp(dev->bus->name, "dax") && dev->driver)
		return -EBUSY;
	return device_for_each_child(dev, NULL, xen_pmem_in_use);
}

static void xen_pmem_unregister(struct xenbus_device *dev, struct xen_pmem_dev *xd)
{
	struct xen_pmem *pm = xd->pm;

	nvdimm_bus_unregister(pm->bus);
	release_resource(&pm->res);
	xd->pm = NULL;
	dev_info(&dev->dev, "%pR: removed\n", &pm->res);
	kfree(pm);
}

/* Backend Closing or Closed: let the region go, unless it is held here. */
static void xen_pmem_release(struct xenbus_device *dev, struct xen_pmem_dev *xd)
{
	struct xen_pmem *pm = xd->pm;
	struct device *bus_dev = pm ? to_nvdimm_bus_dev(pm->bus) : NULL;

	if (bus_dev && device_for_each_child(bus_dev, NULL, xen_pmem_in_use)) {
		xenbus_dev_error(dev, -EBUSY, "%pR is in use (open disk, device-dax): not removed",
				 &pm->res);
		return;
	}
	if (pm)
		xen_pmem_unregister(dev, xd);
	xenbus_frontend_closed(dev);
}

static void xen_pmem_follow(struct xenbus_device *dev, enum xenbus_state backend_state)
{
	struct xen_pmem_dev *xd = dev_get_drvdata(&dev->dev);

	lockdep_assert_held(&xen_pmem_lock);
	switch (xen_pmem_next_step(backend_state, dev->state, !!xd->pm, xd->sleeping)) {
	case XEN_PMEM_CONNECT:
		xen_pmem_connect(dev, xd);
		break;
	case XEN_PMEM_RELEASE:
		xen_pmem_release(dev, xd);
		break;
	case XEN_PMEM_CLOSE:
		xenbus_frontend_closed(dev);
		break;
	case XEN_PMEM_STAY:
		break;
	}
}

static void xen_pmem_backend_changed(struct xenbus_device *dev,
				     enum xenbus_state backend_state)
{
	mutex_lock(&xen_pmem_lock);
	xen_pmem_follow(dev, backend_state);
	mutex_unlock(&xen_pmem_lock);
}

/* The work happens when the backend says its keys are there. */
static int xen_pmem_probe(struct xenbus_device *dev, const struct xenbus_device_id *id)
{
	struct xen_pmem_dev *xd = devm_kzalloc(&dev->dev, sizeof(*xd), GFP_KERNEL);

	if (!xd)
		return -ENOMEM;
	dev_set_drvdata(&dev->dev, xd);
	return 0;
}

static void xen_pmem_remove(struct xenbus_device *dev)
{
	struct xen_pmem_dev *xd = dev_get_drvdata(&dev->dev);

	mutex_lock(&xen_pmem_lock);
	if (xd->pm)
		xen_pmem_unregister(dev, xd);
	mutex_unlock(&xen_pmem_lock);
}

/*
 * Save, restore and migration would carry the region's frame numbers to
 * another time or host, where they name other memory. Refusing the first
 * step of every system sleep transition makes the toolstack's suspend
 * request fail while the guest runs on. A device without a region lets
 * the transition start, and then must not connect until it is over.
 */
static int xen_pmem_prepare(struct device *dev)
{
	struct xen_pmem_dev *xd = dev_get_drvdata(dev);
	int err = 0;

	mutex_lock(&xen_pmem_lock);
	if (xd->pm) {
		dev_err(dev, "%pR is host persistent memory: refusing to suspend (save, migration, hibernation)\n",
			&xd->pm->res);
		err = -EBUSY;
	} else {
		xd->sleeping = true;
	}
	mutex_unlock(&xen_pmem_lock);
	return err;
}

/* The transition is over or was cancelled: take an offer made meanwhile. */
static void xen_pmem_complete(struct device *dev)
{
	struct xenbus_device *xdev = to_xenbus_device(dev);
	struct xen_pmem_dev *xd = dev_get_drvdata(dev);

	mutex_lock(&xen_pmem_lock);
	xd->sleeping = false;
	xen_pmem_follow(xdev, xenbus_read_driver_state(xdev->otherend));
	mutex_unlock(&xen_pmem_lock);
}

static const struct dev_pm_ops xen_pmem_pm_ops = {
	.prepare = xen_pmem_prepare,
	.complete = xen_pmem_complete,
};

static const struct xenbus_device_id xen_pmem_ids[] = {
	{ "vpmem" },
	{ "" }
};

static struct xenbus_driver xen_pmem_driver = {
	.ids = xen_pmem_ids,
	.probe = xen_pmem_probe,
	.otherend_changed = xen_pmem_backend_changed,
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

static void __exit xen_pmem_exit(void)
{
	xenbus_unregister_driver(&xen_pmem_driver);
}
module_exit(xen_pmem_exit);

MODULE_DESCRIPTION("Xen vNVDIMM frontend: host persistent memory as /dev/pmem");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:vpmem");

#if IS_ENABLED(CONFIG_XEN_PMEM_KUNIT_TEST)
#include "xen_pmem_test.c"
#endif
