// SPDX-License-Identifier: GPL-2.0
/*
 * dom0's control of Xen's vPMU: /sys/hypervisor/pmu/pmu_mode (off, self,
 * hv, all) and pmu_features (a number, or names joined by ','). Words
 * that are not exactly a mode or known features are refused before Xen
 * sees them; Xen's own refusals come back as its errno, each with a line.
 */
#define pr_fmt(fmt) "xen_pmu: " fmt

#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <asm/xen/hypercall.h>
#include <xen/xen.h>

#include "vpmu.h"

/*
 * Xen without vpmu=on (or on a CPU it has no vPMU for) answers every
 * operation with -EOPNOTSUPP: reads then show the mode and features in
 * effect, off and none.
 */
static int vpmu_sysfs_get(unsigned int op, u64 *val)
{
	struct xen_pmu_params p = {
		.version = { XENPMU_VER_MAJ, XENPMU_VER_MIN },
	};
	int err = HYPERVISOR_xenpmu_op(op, &p);

	if (err == -EOPNOTSUPP) {
		*val = 0;
		return 0;
	}
	*val = p.val;
	return err;
}

static int vpmu_sysfs_set(unsigned int op, const char *what, u64 val)
{
	struct xen_pmu_params p = {
		.version = { XENPMU_VER_MAJ, XENPMU_VER_MIN },
		.val = val,
	};
	int err = HYPERVISOR_xenpmu_op(op, &p);

	if (err == -EOPNOTSUPP)
		pr_warn_ratelimited("%s: Xen offers no vPMU (boot it with vpmu=on)\n",
				    what);
	else if (err)
		pr_warn_ratelimited("%s: Xen refused 0x%llx (%d)\n", what, val,
				    err);
	return err;
}

static ssize_t pmu_mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	const char *name;
	u64 mode;
	int err = vpmu_sysfs_get(XENPMU_mode_get, &mode);

	if (err)
		return err;
	name = vpmu_mode_name(mode);
	if (!name)
		return sysfs_emit(buf, "unknown (0x%llx)\n", mode);
	return sysfs_emit(buf, "%s\n", name);
}

static ssize_t pmu_mode_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	u64 mode;
	int err;

	if (vpmu_mode_parse(buf, &mode)) {
		pr_warn_ratelimited("pmu_mode: not off, self, hv or all\n");
		return -EINVAL;
	}
	err = vpmu_sysfs_set(XENPMU_mode_set, "pmu_mode", mode);
	return err ? err : count;
}

static ssize_t pmu_features_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	u64 features;
	int err = vpmu_sysfs_get(XENPMU_feature_get, &features);

	return err ? err : sysfs_emit(buf, "0x%llx\n", features);
}

static ssize_t pmu_features_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	u64 features;
	int err;

	if (vpmu_features_parse(buf, &features)) {
		pr_warn_ratelimited("pmu_features: not a mask of %#x, nor bts, ipc_only, arch_only joined by ','\n",
				    XENPMU_FEATURES_KNOWN);
		return -EINVAL;
	}
	err = vpmu_sysfs_set(XENPMU_feature_set, "pmu_features", features);
	return err ? err : count;
}

static struct kobj_attribute pmu_mode_attr = __ATTR_RW(pmu_mode);
static struct kobj_attribute pmu_features_attr = __ATTR_RW(pmu_features);

static struct attribute *vpmu_attrs[] = {
	&pmu_mode_attr.attr,
	&pmu_features_attr.attr,
	NULL,
};

static const struct attribute_group vpmu_group = {
	.attrs = vpmu_attrs,
};

static int __init vpmu_sysfs_init(void)
{
	struct kobject *dir;
	int err;

	/*
	 * Modes and features are host-wide: only dom0 sets them, and Xen
	 * refuses xenpmu_op to a PVH dom0 (it has a virtual LAPIC).
	 */
	if (!xen_pv_domain() || !xen_initial_domain() || !hypervisor_kobj)
		return 0;
	dir = kobject_create_and_add("pmu", hypervisor_kobj);
	if (!dir)
		return -ENOMEM;
	err = sysfs_create_group(dir, &vpmu_group);
	if (err)
		kobject_put(dir);
	return err;
}
device_initcall(vpmu_sysfs_init);
