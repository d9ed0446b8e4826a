// SPDX-License-Identifier: GPL-2.0
/*
 * The MTRRs of a Xen PV guest, for PAT.
 *
 * Xen owns the MTRRs and hides them from PV guests. Left alone,
 * mtrr_type_lookup() then says "no MTRRs", and PAT makes every write-back
 * request for memory that is not RAM uncached-minus: pmem is mapped
 * uncached. Treating "no MTRRs" as write-back everywhere is wrong for a PV
 * dom0 (upstream's 90b926e68f50, reverted by f9f57da2c2d1): the MTRRs exist
 * there, Xen programmed them from the firmware's, and MMIO they make
 * uncached must stay uncached in the kernel's bookkeeping, or a later
 * uncached ioremap() of it collides with a write-back mapping and fails.
 * So hand the MTRR code the real ranges:
 *
 * - dom0 reads the variable ranges with XENPF_read_memtype;
 * - a domU has no MTRRs of its own and only the memory and MMIO it was
 *   given: write-back everywhere. The host's MTRRs still apply to every
 *   access in hardware.
 */

#define pr_fmt(fmt) "xen: mtrr: " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/pfn.h>
#include <linux/processor.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>

#include <asm/e820/types.h>
#include <asm/mtrr.h>
#include <asm/xen/hypercall.h>

#include <xen/interface/platform.h>
#include <xen/xen.h>

#include "mtrr.h"
#include "xen-ops.h"

/* The valid bit of an MTRRphysMask MSR. */
#define XEN_MTRR_MASK_VALID	BIT(11)

static const char *const xen_mtrr_type_names[] = {
	[MTRR_TYPE_UNCACHABLE]	= "uncachable",
	[MTRR_TYPE_WRCOMB]	= "write-combining",
	[MTRR_TYPE_WRTHROUGH]	= "write-through",
	[MTRR_TYPE_WRPROT]	= "write-protect",
	[MTRR_TYPE_WRBACK]	= "write-back",
};

const char *xen_mtrr_type_name(unsigned int type)
{
	if (type < ARRAY_SIZE(xen_mtrr_type_names) && xen_mtrr_type_names[type])
		return xen_mtrr_type_names[type];
	return NULL;
}

/*
 * Turn one register as Xen reports it into the MSR layout mtrr_state keeps.
 * Xen derives the size from the mask, so only naturally aligned powers of
 * two can be represented; anything else, or a reserved type, or a range
 * past the CPU's physical address width, is refused.
 */
int xen_mtrr_var_range(const struct xen_mtrr_reg *reg, unsigned int phys_bits,
		       struct mtrr_var_range *var)
{
	u64 limit, base, mask;

	memset(var, 0, sizeof(*var));
	if (phys_bits <= PAGE_SHIFT || phys_bits > 52)
		return -EINVAL;
	limit = BIT_ULL(phys_bits - PAGE_SHIFT);
	if (!reg->nr_mfns)
		return 0;	/* a free register */
	if (!xen_mtrr_type_name(reg->type))
		return -EINVAL;
	if (!is_power_of_2(reg->nr_mfns) || (reg->mfn & (reg->nr_mfns - 1)))
		return -EINVAL;
	if (reg->mfn >= limit || reg->nr_mfns > limit - reg->mfn)
		return -EINVAL;

	base = PFN_PHYS(reg->mfn);
	mask = ~(PFN_PHYS(reg->nr_mfns) - 1) & (PFN_PHYS(limit) - 1);
	var->base_lo = lower_32_bits(base) | reg->type;
	var->base_hi = upper_32_bits(base);
	var->mask_lo = lower_32_bits(mask) | XEN_MTRR_MASK_VALID;
	var->mask_hi = upper_32_bits(mask);
	return 0;
}

/* Is [start, end) inside the union of the ranges? */
static bool xen_mtrr_covers(const struct xen_mtrr_reg *regs, unsigned int n,
			    u64 start, u64 end)
{
	while (start < end) {
		u64 next = start;
		unsigned int i;

		for (i = 0; i < n; i++) {
			u64 base = PFN_PHYS(regs[i].mfn);
			u64 top = base + PFN_PHYS(regs[i].nr_mfns);

			if (base <= start && start < top)
				next = max(next, top);
		}
		if (next == start)
			return false;
		start = next;
	}
	return true;
}

/*
 * Xen does not report the default type. Firmware never runs RAM uncached,
 * so if some host RAM above the fixed-range first MiB lies outside every
 * variable range, the default type is write-back (QEMU's SeaBIOS lays the
 * MTRRs out so). Otherwise take uncached, the default of firmware that
 * covers RAM with write-back ranges, as most servers' does.
 */
u8 xen_mtrr_default_type(const struct xen_mtrr_reg *regs, unsigned int n,
			 const struct e820_table *host)
{
	unsigned int i;

	for (i = 0; i < host->nr_entries; i++) {
		const struct e820_entry *e = &host->entries[i];
		u64 start = max_t(u64, e->addr, SZ_1M);
		u64 end = e->addr + e->size;

		if (e->type != E820_TYPE_RAM || start >= end)
			continue;
		if (!xen_mtrr_covers(regs, n, start, end))
			return MTRR_TYPE_WRBACK;
	}
	return MTRR_TYPE_UNCACHABLE;
}

static struct xen_mtrr_reg xen_mtrr_regs[MTRR_MAX_VAR_RANGES] __initdata;
static struct mtrr_var_range xen_mtrr_vars[MTRR_MAX_VAR_RANGES] __initdata;

/* The variable ranges Xen reports: how many, or -errno. */
static int __init xen_mtrr_read(void)
{
	struct xen_platform_op op = { .cmd = XENPF_read_memtype };
	unsigned int n;
	int ret;

	for (n = 0; n < MTRR_MAX_VAR_RANGES; n++) {
		op.u.read_memtype.reg = n;
		ret = HYPERVISOR_platform_op(&op);
		/* Xen says EINVAL for the first register past its count. */
		if (ret == -EINVAL)
			break;
		if (ret)
			return ret;
		xen_mtrr_regs[n].mfn = op.u.read_memtype.mfn;
		xen_mtrr_regs[n].nr_mfns = op.u.read_memtype.nr_mfns;
		xen_mtrr_regs[n].type = op.u.read_memtype.type;
	}
	return n;
}

static bool xen_mtrr_installed __ro_after_init;

static void __init xen_mtrr_dom0(const struct e820_table *host)
{
	unsigned int i, used = 0;
	u8 def_type;
	int n;

	n = xen_mtrr_read();
	if (n <= 0) {
		pr_info("Xen reports no MTRRs (%d); memory types as without MTRRs\n", n);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct xen_mtrr_reg *reg = &xen_mtrr_regs[i];

		if (xen_mtrr_var_range(reg, boot_cpu_data.x86_phys_bits,
				       &xen_mtrr_vars[i])) {
			pr_warn("MTRR %u from Xen (mfn %#llx, %#llx frames, type %u) is not a range an MTRR can hold; memory types as without MTRRs\n",
				i, reg->mfn, reg->nr_mfns, reg->type);
			return;
		}
		used += !!reg->nr_mfns;
	}
	def_type = xen_mtrr_default_type(xen_mtrr_regs, n, host);
	mtrr_overwrite_state(xen_mtrr_vars, n, def_type);
	xen_mtrr_installed = true;
	pr_info("%u of %d variable ranges in use, default type %s (%s)\n",
		used, n, xen_mtrr_type_name(def_type),
		def_type == MTRR_TYPE_WRBACK ? "host RAM outside them" :
					      "they cover host RAM");
}

/**
 * xen_init_mtrr - give the MTRR code the memory types of this PV guest
 * @host: the host's memory map (dom0), or NULL (a domU)
 *
 * Before mtrr_bp_init(), so that PAT's first lookups see them.
 */
void __init xen_init_mtrr(const struct e820_table *host)
{
	if (host) {
		xen_mtrr_dom0(host);
	} else {
		mtrr_overwrite_state(NULL, 0, MTRR_TYPE_WRBACK);
		xen_mtrr_installed = true;
	}
}

/* What mtrr_type_lookup() now answers from, for tests and bug reports. */
static int xen_mtrr_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < MTRR_MAX_VAR_RANGES; i++) {
		const struct mtrr_var_range *var = &mtrr_state.var_ranges[i];
		u64 base, mask;

		if (!(var->mask_lo & XEN_MTRR_MASK_VALID))
			continue;
		base = ((u64)var->base_hi << 32 | var->base_lo) & PAGE_MASK;
		mask = ((u64)var->mask_hi << 32 | var->mask_lo) & PAGE_MASK;
		seq_printf(m, "%u base %#llx mask %#llx %s\n", i, base, mask,
			   xen_mtrr_type_name(var->base_lo & 0xff) ?: "?");
	}
	seq_printf(m, "default %s\n", xen_mtrr_type_name(mtrr_state.def_type) ?: "?");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_mtrr);

static int __init xen_mtrr_debugfs(void)
{
	if (xen_mtrr_installed)
		debugfs_create_file("xen_mtrr", 0400, arch_debugfs_dir, NULL,
				    &xen_mtrr_fops);
	return 0;
}
late_initcall(xen_mtrr_debugfs);
