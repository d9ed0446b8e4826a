// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the PVH start info checks: a good start info and the
 * boot_params it gives, what the ABI allows that a first reading might not
 * (long maps, odd types, empty entries, no initramfs), then one bad start
 * info per row with the exact refusal. "Physical memory" is a buffer at a made-up address, with the
 * "kernel" inside it so overlaps can be tried.
 */
#include <kunit/test.h>
#include <asm/e820/types.h>

#include "start_info.h"

#define FAKE_BASE	0x100000ULL		/* buffer's "physical" address */
#define FAKE_SIZE	0x10000
#define SI_OFF		0x0000
#define MEMMAP_OFF	0x0100
#define MODLIST_OFF	0x0400
#define CMDLINE_OFF	0x0800
#define KERNEL_OFF	0x8000			/* "kernel image": 0x8000-0xc000 */
#define KERNEL_END	0xc000
#define LONG_MAP_OFF	KERNEL_END		/* room for a long memmap: 0xc000-0x10000 */
#define INITRD_PA	0x3000000ULL
#define EXT_MAX		32

struct fake {
	u8 mem[FAKE_SIZE];
	struct pvh_si_env env;
	struct boot_params bp;
	struct pvh_si_extra extra;
	struct boot_e820_entry ext[EXT_MAX];
};

static const void *fake_map(const struct pvh_si_env *env, u64 pa, u64 len)
{
	struct fake *f = env->priv;

	if (pa < FAKE_BASE || pa - FAKE_BASE > FAKE_SIZE || len > FAKE_SIZE - (pa - FAKE_BASE))
		return NULL;
	return f->mem + (pa - FAKE_BASE);
}

static struct hvm_start_info *si_of(struct fake *f)
{
	return (void *)(f->mem + SI_OFF);
}

static struct hvm_memmap_table_entry *memmap_of(struct fake *f)
{
	return (void *)(f->mem + MEMMAP_OFF);
}

static struct hvm_modlist_entry *modlist_of(struct fake *f)
{
	return (void *)(f->mem + MODLIST_OFF);
}

/* A start info as QEMU gives it, plus a PMEM range and a "disabled" one. */
static void fake_good(struct fake *f)
{
	static const struct hvm_memmap_table_entry map[] = {
		{ 0x0, 0x9fc00, XEN_HVM_MEMMAP_TYPE_RAM },
		{ 0xf0000, 0x10000, XEN_HVM_MEMMAP_TYPE_RESERVED },
		{ 0x100000, 0xfee0000, XEN_HVM_MEMMAP_TYPE_RAM },
		{ 0xfffc0000, 0x40000, XEN_HVM_MEMMAP_TYPE_DISABLED },
		{ 0x100000000ULL, 0x10000000, XEN_HVM_MEMMAP_TYPE_PMEM },
	};
	struct hvm_start_info *si = si_of(f);

	memset(f, 0, sizeof(*f));
	f->extra.e820_ext = f->ext;
	f->extra.e820_ext_max = EXT_MAX;
	f->env = (struct pvh_si_env) {
		.kernel_start = FAKE_BASE + KERNEL_OFF,
		.kernel_end = FAKE_BASE + KERNEL_END,
		.si_pa = FAKE_BASE + SI_OFF,
		.map = fake_map,
		.priv = f,
	};
	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;
	si->nr_modules = 1;
	si->modlist_paddr = FAKE_BASE + MODLIST_OFF;
	si->cmdline_paddr = FAKE_BASE + CMDLINE_OFF;
	si->rsdp_paddr = 0xf5a00;
	si->memmap_paddr = FAKE_BASE + MEMMAP_OFF;
	si->memmap_entries = ARRAY_SIZE(map);
	memcpy(memmap_of(f), map, sizeof(map));
	modlist_of(f)->paddr = INITRD_PA;
	modlist_of(f)->size = 0x123456;
	strscpy(f->mem + CMDLINE_OFF, "console=ttyS0 quiet", 64);
}

static enum pvh_si_error parse(struct fake *f, u8 loader)
{
	return pvh_si_to_boot_params(si_of(f), &f->env, loader, &f->bp, &f->extra);
}

static void good_start_info(struct kunit *test)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct boot_params *bp;

	KUNIT_ASSERT_NOT_NULL(test, f);
	fake_good(f);
	bp = &f->bp;
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_QEMU), PVH_SI_OK);
	KUNIT_EXPECT_EQ(test, bp->e820_entries, 5);
	KUNIT_EXPECT_EQ(test, bp->e820_table[0].type, E820_TYPE_RAM);
	KUNIT_EXPECT_EQ(test, bp->e820_table[2].addr, 0x100000ULL);
	KUNIT_EXPECT_EQ(test, bp->e820_table[2].size, 0xfee0000ULL);
	KUNIT_EXPECT_EQ(test, bp->e820_table[3].type, E820_TYPE_RESERVED);
	KUNIT_EXPECT_EQ(test, bp->e820_table[4].type, E820_TYPE_PMEM);
	KUNIT_EXPECT_EQ(test, bp->e820_table[4].addr, 0x100000000ULL);
	KUNIT_EXPECT_EQ(test, bp->hdr.cmd_line_ptr, FAKE_BASE + CMDLINE_OFF);
	KUNIT_EXPECT_EQ(test, bp->ext_cmd_line_ptr, 0);
	KUNIT_EXPECT_EQ(test, bp->hdr.ramdisk_image, INITRD_PA);
	KUNIT_EXPECT_EQ(test, bp->hdr.ramdisk_size, 0x123456);
	KUNIT_EXPECT_EQ(test, bp->acpi_rsdp_addr, 0xf5a00ULL);
	KUNIT_EXPECT_EQ(test, bp->hdr.type_of_loader, 0xb0);
	KUNIT_EXPECT_EQ(test, bp->hdr.version, 0x020e);
	KUNIT_EXPECT_EQ(test, bp->hdr.hardware_subarch, X86_SUBARCH_PC);
	KUNIT_EXPECT_EQ(test, bp->hdr.setup_data, 0ULL);
	KUNIT_EXPECT_EQ(test, f->extra.e820_ext_entries, 0);
	KUNIT_EXPECT_EQ(test, f->extra.empty_entries, 0);
	KUNIT_EXPECT_EQ(test, f->extra.unknown_types, 0);
	KUNIT_EXPECT_EQ(test, f->extra.reserved_set, 0);
	KUNIT_EXPECT_FALSE(test, f->extra.empty_initramfs);

	pvh_reserve_legacy_hole(bp, &f->extra);
	KUNIT_EXPECT_EQ(test, bp->e820_entries, 6);
	KUNIT_EXPECT_EQ(test, bp->e820_table[5].addr, 0xa0000ULL);
	KUNIT_EXPECT_EQ(test, bp->e820_table[5].size, 0x60000ULL);
	KUNIT_EXPECT_EQ(test, bp->e820_table[5].type, E820_TYPE_RESERVED);
}

/* A full map with no SETUP_E820_EXT room stays as the loader gave it. */
static void legacy_hole_full_map(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, sizeof(*bp), GFP_KERNEL);
	struct pvh_si_extra no_room = { .e820_ext_max = 0 };

	KUNIT_ASSERT_NOT_NULL(test, bp);
	bp->e820_entries = ARRAY_SIZE(bp->e820_table);
	pvh_reserve_legacy_hole(bp, &no_room);
	KUNIT_EXPECT_EQ(test, bp->e820_entries, ARRAY_SIZE(bp->e820_table));
	KUNIT_EXPECT_EQ(test, no_room.e820_ext_entries, 0);
}

/* Xen may hand a version 0 start info (no memmap): the map comes by hypercall. */
static void version0_on_xen(struct kunit *test)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	fake_good(f);
	si_of(f)->version = 0;
	f->env.memmap_by_hypercall = true;
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_XEN), PVH_SI_OK);
	KUNIT_EXPECT_EQ(test, f->bp.e820_entries, 0);
	KUNIT_EXPECT_EQ(test, f->bp.hdr.type_of_loader, 0x90);
}

/* An initramfs above 4 GiB goes in the ext_ fields. */
static void initramfs_above_4g(struct kunit *test)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	fake_good(f);
	modlist_of(f)->paddr = 0x123400000ULL;
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_QEMU), PVH_SI_OK);
	KUNIT_EXPECT_EQ(test, f->bp.hdr.ramdisk_image, 0x23400000U);
	KUNIT_EXPECT_EQ(test, f->bp.ext_ramdisk_image, 0x1U);
}

/* @n RAM entries of 4 KiB, 8 KiB apart, where there is room for them. */
static void long_map(struct fake *f, u32 n)
{
	struct hvm_memmap_table_entry *e = (void *)(f->mem + LONG_MAP_OFF);
	u32 i;

	for (i = 0; i < n; i++)
		e[i] = (struct hvm_memmap_table_entry){ 0x100000 + i * 0x2000ULL, 0x1000,
							 XEN_HVM_MEMMAP_TYPE_RAM };
	si_of(f)->memmap_paddr = FAKE_BASE + LONG_MAP_OFF;
	si_of(f)->memmap_entries = n;
}

/* A server-sized map: 128 entries in boot_params, the rest for SETUP_E820_EXT. */
static void long_map_to_setup_data(struct kunit *test)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	fake_good(f);
	long_map(f, 128 + EXT_MAX);
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_QEMU), PVH_SI_OK);
	KUNIT_EXPECT_EQ(test, f->bp.e820_entries, 128);
	KUNIT_EXPECT_EQ(test, f->bp.e820_table[127].addr, 0x100000 + 127 * 0x2000ULL);
	KUNIT_EXPECT_EQ(test, f->extra.e820_ext_entries, EXT_MAX);
	KUNIT_EXPECT_EQ(test, f->ext[0].addr, 0x100000 + 128 * 0x2000ULL);
	KUNIT_EXPECT_EQ(test, f->ext[EXT_MAX - 1].addr, 0x100000 + (127 + EXT_MAX) * 0x2000ULL);
	KUNIT_EXPECT_EQ(test, f->ext[EXT_MAX - 1].size, 0x1000ULL);
	KUNIT_EXPECT_EQ(test, f->ext[EXT_MAX - 1].type, E820_TYPE_RAM);

	KUNIT_EXPECT_EQ(test, f->extra.dropped_entries, 0);

	/* The legacy hole goes after them, if there is room. */
	pvh_reserve_legacy_hole(&f->bp, &f->extra);
	KUNIT_EXPECT_EQ(test, f->extra.e820_ext_entries, EXT_MAX);

	fake_good(f);
	long_map(f, 128 + EXT_MAX - 1);
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_QEMU), PVH_SI_OK);
	pvh_reserve_legacy_hole(&f->bp, &f->extra);
	KUNIT_EXPECT_EQ(test, f->bp.e820_entries, 128);
	KUNIT_EXPECT_EQ(test, f->extra.e820_ext_entries, EXT_MAX);
	KUNIT_EXPECT_EQ(test, f->ext[EXT_MAX - 1].addr, 0xa0000ULL);
	KUNIT_EXPECT_EQ(test, f->ext[EXT_MAX - 1].type, E820_TYPE_RESERVED);

	/* Past the room, entries are dropped, as the kernel drops a BIOS's. */
	fake_good(f);
	long_map(f, 128 + EXT_MAX + 3);
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_QEMU), PVH_SI_OK);
	KUNIT_EXPECT_EQ(test, f->bp.e820_entries, 128);
	KUNIT_EXPECT_EQ(test, f->extra.e820_ext_entries, EXT_MAX);
	KUNIT_EXPECT_EQ(test, f->extra.dropped_entries, 3);
}

/* Types the kernel knows pass as they are; the rest become reserved. */
static void memmap_types(struct kunit *test)
{
	static const u32 passed[] = { E820_TYPE_RAM, E820_TYPE_RESERVED, E820_TYPE_ACPI,
				      E820_TYPE_NVS, E820_TYPE_UNUSABLE, E820_TYPE_PMEM,
				      E820_TYPE_PRAM, E820_TYPE_SOFT_RESERVED };
	static const u32 unknown[] = { 8, 0, 99, E820_TYPE_RESERVED_KERN, 0xffffffff };
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct hvm_memmap_table_entry *e;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	fake_good(f);
	e = memmap_of(f) + 1;
	for (i = 0; i < ARRAY_SIZE(passed); i++, e++)
		*e = (struct hvm_memmap_table_entry){ 0x10000000ULL + i * 0x1000, 0x1000,
						      passed[i] };
	for (i = 0; i < ARRAY_SIZE(unknown); i++, e++)
		*e = (struct hvm_memmap_table_entry){ 0x20000000ULL + i * 0x1000, 0x1000,
						      unknown[i] };
	si_of(f)->memmap_entries = 1 + ARRAY_SIZE(passed) + ARRAY_SIZE(unknown);
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_QEMU), PVH_SI_OK);
	for (i = 0; i < ARRAY_SIZE(passed); i++)
		KUNIT_EXPECT_EQ(test, f->bp.e820_table[1 + i].type, passed[i]);
	for (i = 0; i < ARRAY_SIZE(unknown); i++)
		KUNIT_EXPECT_EQ(test, f->bp.e820_table[1 + ARRAY_SIZE(passed) + i].type,
				E820_TYPE_RESERVED);
	KUNIT_EXPECT_EQ(test, f->extra.unknown_types, ARRAY_SIZE(unknown));
	KUNIT_EXPECT_EQ(test, f->extra.first_unknown_type, 8);
}

/* What the ABI allows but says nothing: accepted, and counted for a warning. */
static void memmap_quirks(struct kunit *test)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	fake_good(f);
	memmap_of(f)[1].size = 0;
	memmap_of(f)[3].size = 0;
	memmap_of(f)[0].reserved = 1;
	memmap_of(f)[2].reserved = 0x80000000;
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_QEMU), PVH_SI_OK);
	KUNIT_EXPECT_EQ(test, f->bp.e820_entries, 3);
	KUNIT_EXPECT_EQ(test, f->bp.e820_table[1].addr, 0x100000ULL);
	KUNIT_EXPECT_EQ(test, f->bp.e820_table[2].type, E820_TYPE_PMEM);
	KUNIT_EXPECT_EQ(test, f->extra.empty_entries, 2);
	KUNIT_EXPECT_EQ(test, f->extra.reserved_set, 2);
}

/* The start info @f, spoilt, boots without an initramfs: @empty says why. */
static void expect_no_initramfs(struct kunit *test, struct fake *f, bool empty)
{
	KUNIT_ASSERT_EQ(test, parse(f, PVH_LOADER_QEMU), PVH_SI_OK);
	KUNIT_EXPECT_EQ(test, f->bp.hdr.ramdisk_image, 0);
	KUNIT_EXPECT_EQ(test, f->bp.hdr.ramdisk_size, 0);
	KUNIT_EXPECT_EQ(test, f->extra.empty_initramfs, empty);
}

/* No initramfs: none listed (and no list), or the first one empty. */
static void no_initramfs(struct kunit *test)
{
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	fake_good(f);
	si_of(f)->nr_modules = 0;
	si_of(f)->modlist_paddr = 0;
	expect_no_initramfs(test, f, false);

	fake_good(f);
	modlist_of(f)->paddr = 0;
	modlist_of(f)->size = 0;
	expect_no_initramfs(test, f, true);
}

struct bad_case {
	const char *name;
	void (*spoil)(struct fake *f);
	enum pvh_si_error err;
};

static void bad_magic(struct fake *f)
{
	si_of(f)->magic ^= 1;
}

static void si_on_kernel(struct fake *f)
{
	f->env.si_pa = FAKE_BASE + KERNEL_END - 8;
}

static void no_memmap(struct fake *f)
{
	si_of(f)->memmap_entries = 0;
}

static void version0(struct fake *f)
{
	si_of(f)->version = 0;
}

static void all_entries_empty(struct fake *f)
{
	u32 i;

	for (i = 0; i < si_of(f)->memmap_entries; i++)
		memmap_of(f)[i].size = 0;
}

static void memmap_unmapped(struct fake *f)
{
	si_of(f)->memmap_paddr = 0x40000000;
}

static void memmap_on_kernel(struct fake *f)
{
	si_of(f)->memmap_paddr = FAKE_BASE + KERNEL_OFF;
}

static void memmap_on_si(struct fake *f)
{
	si_of(f)->memmap_paddr = FAKE_BASE + SI_OFF + 8;
}

static void entry_wraps(struct fake *f)
{
	memmap_of(f)[2].addr = ~0ULL - 0x1000;
}

static void no_ram(struct fake *f)
{
	memmap_of(f)[0].type = XEN_HVM_MEMMAP_TYPE_RESERVED;
	memmap_of(f)[2].type = XEN_HVM_MEMMAP_TYPE_ACPI;
}

static void modlist_unmapped(struct fake *f)
{
	si_of(f)->modlist_paddr = 0x7fff0000;
}

static void modlist_on_kernel(struct fake *f)
{
	si_of(f)->modlist_paddr = FAKE_BASE + KERNEL_OFF;
}

static void module_wraps(struct fake *f)
{
	modlist_of(f)->paddr = ~0ULL - 10;
}

static void module_on_kernel(struct fake *f)
{
	modlist_of(f)->paddr = FAKE_BASE + KERNEL_OFF - 16;
}

static void module_on_si(struct fake *f)
{
	modlist_of(f)->paddr = FAKE_BASE + SI_OFF;
}

static void module_on_cmdline(struct fake *f)
{
	modlist_of(f)->paddr = FAKE_BASE + CMDLINE_OFF + 4;
}

static void cmdline_unmapped(struct fake *f)
{
	si_of(f)->cmdline_paddr = 0x200000000ULL;
}

static void cmdline_on_memmap(struct fake *f)
{
	si_of(f)->cmdline_paddr = FAKE_BASE + MEMMAP_OFF + 16;
}

static void cmdline_unterminated(struct fake *f)
{
	si_of(f)->cmdline_paddr = FAKE_BASE + FAKE_SIZE - 8;
	memset(f->mem + FAKE_SIZE - 8, 'x', 8);
}

static const struct bad_case bad_cases[] = {
	{ "bad magic", bad_magic, PVH_SI_BAD_MAGIC },
	{ "start info on the kernel", si_on_kernel, PVH_SI_OVERLAPS_KERNEL },
	{ "no memmap, not Xen", no_memmap, PVH_SI_NO_MEMMAP },
	{ "version 0, not Xen", version0, PVH_SI_NO_MEMMAP },
	{ "every entry of size 0", all_entries_empty, PVH_SI_NO_RAM },
	{ "memmap outside the map", memmap_unmapped, PVH_SI_MEMMAP_UNMAPPED },
	{ "memmap on the kernel", memmap_on_kernel, PVH_SI_MEMMAP_OVERLAPS },
	{ "memmap on the start info", memmap_on_si, PVH_SI_MEMMAP_OVERLAPS },
	{ "entry wraps", entry_wraps, PVH_SI_ENTRY_WRAPS },
	{ "no RAM", no_ram, PVH_SI_NO_RAM },
	{ "module list outside the map", modlist_unmapped, PVH_SI_MODLIST_UNMAPPED },
	{ "module list on the kernel", modlist_on_kernel, PVH_SI_MODLIST_OVERLAPS },
	{ "initramfs wraps", module_wraps, PVH_SI_MODULE_WRAPS },
	{ "initramfs on the kernel", module_on_kernel, PVH_SI_MODULE_OVERLAPS },
	{ "initramfs on the start info", module_on_si, PVH_SI_MODULE_OVERLAPS },
	{ "initramfs on the command line", module_on_cmdline, PVH_SI_MODULE_OVERLAPS },
	{ "command line outside the map", cmdline_unmapped, PVH_SI_CMDLINE_UNMAPPED },
	{ "command line on the memmap", cmdline_on_memmap, PVH_SI_CMDLINE_OVERLAPS },
	{ "command line runs off the map", cmdline_unterminated, PVH_SI_CMDLINE_UNMAPPED },
};

static void bad_desc(const struct bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad, bad_cases, bad_desc);

static void bad_start_info(struct kunit *test)
{
	const struct bad_case *c = test->param_value;
	struct fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	fake_good(f);
	c->spoil(f);
	KUNIT_EXPECT_EQ(test, parse(f, PVH_LOADER_QEMU), c->err);
	KUNIT_EXPECT_STRNEQ(test, pvh_si_why(c->err), "unknown error");
}

static struct kunit_case pvh_start_info_cases[] = {
	KUNIT_CASE(good_start_info),
	KUNIT_CASE(legacy_hole_full_map),
	KUNIT_CASE(version0_on_xen),
	KUNIT_CASE(initramfs_above_4g),
	KUNIT_CASE(long_map_to_setup_data),
	KUNIT_CASE(memmap_types),
	KUNIT_CASE(memmap_quirks),
	KUNIT_CASE(no_initramfs),
	KUNIT_CASE_PARAM(bad_start_info, bad_gen_params),
	{}
};

static struct kunit_suite pvh_start_info_suite = {
	.name = "pvh-start-info",
	.test_cases = pvh_start_info_cases,
};

kunit_test_suite(pvh_start_info_suite);
