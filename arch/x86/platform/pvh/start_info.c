// SPDX-License-Identifier: GPL-2.0
/*
 * Check a PVH start info and fill boot_params from it.
 *
 * Runs before the kernel has its own page tables, so it reads only through
 * env->map, keeps no state, and reports a refusal as a code whose message
 * the caller can print on whatever console exists then.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/e820/types.h>
#include <asm/setup.h>

#include "start_info.h"

static const char *const pvh_si_messages[PVH_SI_NR_ERRORS] = {
	[PVH_SI_OK]		  = "ok",
	[PVH_SI_BAD_MAGIC]	  = "bad magic: not a PVH start info",
	[PVH_SI_OVERLAPS_KERNEL]  = "start info overlaps the kernel",
	[PVH_SI_NO_MEMMAP]	  = "no memory map",
	[PVH_SI_MEMMAP_UNMAPPED]  = "memory map is outside the early map",
	[PVH_SI_MEMMAP_OVERLAPS]  = "memory map overlaps the kernel or start info",
	[PVH_SI_ENTRY_WRAPS]	  = "memory map entry wraps past 2^64",
	[PVH_SI_NO_RAM]		  = "memory map has no RAM",
	[PVH_SI_MODLIST_UNMAPPED] = "module list is outside the early map",
	[PVH_SI_MODLIST_OVERLAPS] = "module list overlaps the kernel or start info",
	[PVH_SI_MODULE_WRAPS]	  = "first module (initramfs) wraps past 2^64",
	[PVH_SI_MODULE_OVERLAPS]  = "first module (initramfs) overlaps the kernel or boot data",
	[PVH_SI_CMDLINE_UNMAPPED] = "command line is outside the early map",
	[PVH_SI_CMDLINE_OVERLAPS] = "command line overlaps the kernel or start info",
};

const char *pvh_si_why(enum pvh_si_error err)
{
	return err < PVH_SI_NR_ERRORS ? pvh_si_messages[err] : "unknown error";
}

/* Regions the loader handed over; none may overlap another. */
struct pvh_regions {
	u64 start[6], end[6];
	int n;
};

static bool pvh_claim(struct pvh_regions *r, u64 start, u64 len)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (start < r->end[i] && r->start[i] < start + len)
			return false;
	r->start[r->n] = start;
	r->end[r->n++] = start + len;
	return true;
}

/*
 * Start info memmap types are E820 types, plus Xen's 6 (disabled). Types
 * the kernel does not know are kept as reserved, as a BIOS map's would be,
 * and never passed on raw: 128 is the kernel's own "reserved by kernel".
 */
static u32 pvh_e820_type(u32 type, bool *known)
{
	*known = true;
	switch (type) {
	case E820_TYPE_RAM:
	case E820_TYPE_RESERVED:
	case E820_TYPE_ACPI:
	case E820_TYPE_NVS:
	case E820_TYPE_UNUSABLE:
	case E820_TYPE_PMEM:
	case E820_TYPE_PRAM:
	case E820_TYPE_SOFT_RESERVED:
		return type;
	case XEN_HVM_MEMMAP_TYPE_DISABLED:
		return E820_TYPE_RESERVED;
	default:
		*known = false;
		return E820_TYPE_RESERVED;
	}
}

/* The n-th kept entry: boot_params' table first, then the SETUP_E820_EXT room. */
static struct boot_e820_entry *pvh_e820_slot(struct boot_params *bp,
					     struct pvh_si_extra *extra, u32 n)
{
	if (n < ARRAY_SIZE(bp->e820_table))
		return &bp->e820_table[n];
	n -= ARRAY_SIZE(bp->e820_table);
	return n < extra->e820_ext_max ? &extra->e820_ext[n] : NULL;
}

static enum pvh_si_error pvh_memmap(const struct hvm_start_info *si,
				    const struct pvh_si_env *env,
				    struct pvh_regions *claimed, struct boot_params *bp,
				    struct pvh_si_extra *extra)
{
	const struct hvm_memmap_table_entry *e;
	u64 len = (u64)si->memmap_entries * sizeof(*e);
	struct boot_e820_entry *out;
	bool ram = false, known;
	u32 i, kept = 0;

	e = env->map(env, si->memmap_paddr, len);
	if (!e)
		return PVH_SI_MEMMAP_UNMAPPED;
	if (!pvh_claim(claimed, si->memmap_paddr, len))
		return PVH_SI_MEMMAP_OVERLAPS;

	for (i = 0; i < si->memmap_entries; i++, e++) {
		/* Says nothing: Xen's own tools may write such entries. */
		if (!e->size) {
			extra->empty_entries++;
			continue;
		}
		if (e->addr + e->size < e->addr)
			return PVH_SI_ENTRY_WRAPS;
		/* Reserved for Xen to give a meaning later: not ours to refuse. */
		extra->reserved_set += e->reserved != 0;
		/* What the kernel's E820 table cannot hold, as from a BIOS. */
		out = pvh_e820_slot(bp, extra, kept);
		if (!out) {
			extra->dropped_entries++;
			continue;
		}
		kept++;
		out->addr = e->addr;
		out->size = e->size;
		out->type = pvh_e820_type(e->type, &known);
		if (!known && !extra->unknown_types++)
			extra->first_unknown_type = e->type;
		ram |= out->type == E820_TYPE_RAM;
	}
	if (!ram)
		return PVH_SI_NO_RAM;
	bp->e820_entries = min_t(u32, kept, ARRAY_SIZE(bp->e820_table));
	extra->e820_ext_entries = kept - bp->e820_entries;
	return PVH_SI_OK;
}

static enum pvh_si_error pvh_cmdline(const struct hvm_start_info *si,
				     const struct pvh_si_env *env,
				     struct pvh_regions *claimed, struct boot_params *bp)
{
	const char *c;
	u64 len;

	if (!si->cmdline_paddr)
		return PVH_SI_OK;
	/* The kernel copies at most COMMAND_LINE_SIZE - 1 bytes of it. */
	for (len = 0; len < COMMAND_LINE_SIZE; len++) {
		c = env->map(env, si->cmdline_paddr + len, 1);
		if (!c)
			return PVH_SI_CMDLINE_UNMAPPED;
		if (!*c)
			break;
	}
	if (!pvh_claim(claimed, si->cmdline_paddr, len + 1))
		return PVH_SI_CMDLINE_OVERLAPS;
	bp->hdr.cmd_line_ptr = lower_32_bits(si->cmdline_paddr);
	bp->ext_cmd_line_ptr = upper_32_bits(si->cmdline_paddr);
	return PVH_SI_OK;
}

/*
 * The first module is the initramfs; the kernel has no use for others. One
 * of size 0 is no initramfs: the kernel boots on without, as it would from
 * a boot loader given an empty file.
 */
static enum pvh_si_error pvh_initramfs(const struct hvm_start_info *si,
				       const struct pvh_si_env *env,
				       struct pvh_regions *claimed, struct boot_params *bp,
				       struct pvh_si_extra *extra)
{
	const struct hvm_modlist_entry *m;

	if (!si->nr_modules)
		return PVH_SI_OK;
	m = env->map(env, si->modlist_paddr, sizeof(*m));
	if (!m)
		return PVH_SI_MODLIST_UNMAPPED;
	if (!pvh_claim(claimed, si->modlist_paddr, sizeof(*m)))
		return PVH_SI_MODLIST_OVERLAPS;
	if (!m->size) {
		extra->empty_initramfs = true;
		return PVH_SI_OK;
	}
	if (m->paddr + m->size < m->paddr)
		return PVH_SI_MODULE_WRAPS;
	if (!pvh_claim(claimed, m->paddr, m->size))
		return PVH_SI_MODULE_OVERLAPS;
	bp->hdr.ramdisk_image = lower_32_bits(m->paddr);
	bp->ext_ramdisk_image = upper_32_bits(m->paddr);
	bp->hdr.ramdisk_size = lower_32_bits(m->size);
	bp->ext_ramdisk_size = upper_32_bits(m->size);
	return PVH_SI_OK;
}

/*
 * A PC has ROMs and video memory in 640 KiB - 1 MiB, and the kernel expects
 * the memory map to say so; PVH loaders need not. Mark it reserved, as a
 * PC's firmware would: in boot_params or after the SETUP_E820_EXT entries,
 * unless both are full.
 */
void pvh_reserve_legacy_hole(struct boot_params *bp, struct pvh_si_extra *extra)
{
	struct boot_e820_entry *e;

	e = pvh_e820_slot(bp, extra, bp->e820_entries + extra->e820_ext_entries);
	if (!e)
		return;
	if (bp->e820_entries < ARRAY_SIZE(bp->e820_table))
		bp->e820_entries++;
	else
		extra->e820_ext_entries++;
	e->addr = ISA_START_ADDRESS;
	e->size = ISA_END_ADDRESS - ISA_START_ADDRESS;
	e->type = E820_TYPE_RESERVED;
}

enum pvh_si_error pvh_si_to_boot_params(const struct hvm_start_info *si,
					const struct pvh_si_env *env,
					u8 loader, struct boot_params *bp,
					struct pvh_si_extra *extra)
{
	struct pvh_regions claimed = { .n = 0 };
	enum pvh_si_error err;
	bool has_memmap;

	if (si->magic != XEN_HVM_START_MAGIC_VALUE)
		return PVH_SI_BAD_MAGIC;
	memset(bp, 0, sizeof(*bp));
	/* The caller's room for SETUP_E820_EXT stays; the findings start over. */
	*extra = (struct pvh_si_extra){
		.e820_ext = extra->e820_ext,
		.e820_ext_max = extra->e820_ext_max,
	};
	pvh_claim(&claimed, env->kernel_start, env->kernel_end - env->kernel_start);
	/* Version 0 ends before memmap_paddr. */
	if (!pvh_claim(&claimed, env->si_pa, si->version ? sizeof(*si) :
		       offsetof(struct hvm_start_info, memmap_paddr)))
		return PVH_SI_OVERLAPS_KERNEL;

	has_memmap = si->version >= 1 && si->memmap_entries;
	if (has_memmap)
		err = pvh_memmap(si, env, &claimed, bp, extra);
	else
		err = env->memmap_by_hypercall ? PVH_SI_OK : PVH_SI_NO_MEMMAP;
	if (!err)
		err = pvh_cmdline(si, env, &claimed, bp);
	if (!err)
		err = pvh_initramfs(si, env, &claimed, bp, extra);
	if (err)
		return err;

	bp->acpi_rsdp_addr = si->rsdp_paddr;
	/* Protocol 2.14 has every field filled here (acpi_rsdp_addr last). */
	bp->hdr.version = 0x020e;
	bp->hdr.type_of_loader = loader << 4;
	bp->hdr.hardware_subarch = X86_SUBARCH_PC;
	return PVH_SI_OK;
}
