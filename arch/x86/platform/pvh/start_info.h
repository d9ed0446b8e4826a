/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PVH start info, checked and turned into boot_params. Pure: it reads
 * the loader's structures through @map, so KUnit can feed it crafted ones.
 */
#ifndef __X86_PLATFORM_PVH_START_INFO_H
#define __X86_PLATFORM_PVH_START_INFO_H

#include <linux/linkage.h>
#include <linux/types.h>
#include <asm/bootparam.h>
#include <xen/interface/hvm/start_info.h>

/* What the parser may refuse, each with a message in pvh_si_why(). */
enum pvh_si_error {
	PVH_SI_OK,
	PVH_SI_BAD_MAGIC,
	PVH_SI_OVERLAPS_KERNEL,
	PVH_SI_NO_MEMMAP,
	PVH_SI_MEMMAP_UNMAPPED,
	PVH_SI_MEMMAP_OVERLAPS,
	PVH_SI_ENTRY_WRAPS,
	PVH_SI_NO_RAM,
	PVH_SI_MODLIST_UNMAPPED,
	PVH_SI_MODLIST_OVERLAPS,
	PVH_SI_MODULE_WRAPS,
	PVH_SI_MODULE_OVERLAPS,
	PVH_SI_CMDLINE_UNMAPPED,
	PVH_SI_CMDLINE_OVERLAPS,
	PVH_SI_NR_ERRORS
};

/* Where the parser runs: how to reach physical memory, what not to overlap. */
struct pvh_si_env {
	u64 kernel_start, kernel_end;	/* the loaded image, physical */
	u64 si_pa;			/* where the start info itself is */
	/* A pointer to [pa, pa + len), or NULL if it is not mapped. */
	const void *(*map)(const struct pvh_si_env *env, u64 pa, u64 len);
	void *priv;
	bool memmap_by_hypercall;	/* Xen: a v0 or empty memmap is fine */
};

/*
 * Where memory map entries past boot_params' table go, and what the parser
 * accepted but the kernel should say: counts, and the first odd type seen.
 */
struct pvh_si_extra {
	struct boot_e820_entry *e820_ext;	/* room for SETUP_E820_EXT data */
	u32 e820_ext_max;			/* entries it holds */
	u32 e820_ext_entries;			/* entries written there */
	u32 dropped_entries;			/* past both: no room in the kernel */
	u32 empty_entries;			/* dropped: size 0 */
	u32 unknown_types;			/* kept as reserved */
	u32 first_unknown_type;
	u32 reserved_set;			/* nonzero reserved field, ignored */
	bool empty_initramfs;			/* module 0 of size 0, ignored */
};

/* The loader is Xen (boot loader ID 9) or another VMM, taken as QEMU (0xb). */
#define PVH_LOADER_XEN		0x9
#define PVH_LOADER_QEMU		0xb

enum pvh_si_error pvh_si_to_boot_params(const struct hvm_start_info *si,
					const struct pvh_si_env *env,
					u8 loader, struct boot_params *bp,
					struct pvh_si_extra *extra);
const char *pvh_si_why(enum pvh_si_error err);
void pvh_reserve_legacy_hole(struct boot_params *bp, struct pvh_si_extra *extra);

/* Called by head.S: returns the physical address of boot_params. */
asmlinkage unsigned long pvh_boot(u32 si_pa, u32 load_offset);

#endif
