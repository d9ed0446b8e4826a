// SPDX-License-Identifier: GPL-2.0
/*
 * PVH boot, the C half: called by head.S on its own page tables (low
 * memory identity mapped, the kernel at its link address, wherever in
 * physical memory the loader put it), before startup_64 or startup_32 and
 * before .bss is cleared. Checks the start info, fills boot_params, and
 * returns their physical address for the native entry.
 */
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/processor.h>
#include <linux/slab.h>
#include <linux/static_call.h>
#include <asm/e820/types.h>
#include <asm/sections.h>
#include <asm/setup.h>
#include <asm/xen/cpuid.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/hypercall.h>
#include <xen/xen.h>

#include "start_info.h"
#include "../../xen/xen-ops.h"

/* All must outlive the .bss clear of x86_64_start_kernel or startup_32. */
struct hvm_start_info pvh_start_info __initdata;
static struct boot_params pvh_boot_params __initdata;
static struct pvh_si_extra pvh_extra __initdata;

/*
 * A memory map longer than boot_params' table goes on as SETUP_E820_EXT
 * setup_data, which setup_arch() reads; as much as the kernel's own E820
 * table can take. It is init data: pvh_report_start_info() moves it out
 * before init memory is freed.
 */
#define PVH_E820_EXT_MAX	(E820_MAX_ENTRIES - E820_MAX_ENTRIES_ZEROPAGE)

static struct {
	struct setup_data hdr;
	struct boot_e820_entry entries[PVH_E820_EXT_MAX];
} __packed pvh_e820_ext __initdata;

/* What head.S maps one to one, and where it maps the kernel's image. */
#ifdef CONFIG_X86_64
#define PVH_IDENTITY_LIMIT	(4ULL << 30)
#define PVH_LINK_BASE		__START_KERNEL_map
#else
#define PVH_IDENTITY_LIMIT	((u64)__PAGE_OFFSET)
#define PVH_LINK_BASE		__PAGE_OFFSET
#endif

#define PVH_DEBUG_PORT		0xe9	/* Xen HVM and QEMU isa-debugcon */

static void __init pvh_puts(const char *s)
{
	while (*s)
		outb(*s++, PVH_DEBUG_PORT);
}

static void __init pvh_puthex(u64 v)
{
	int shift;

	pvh_puts("0x");
	for (shift = 60; shift >= 0; shift -= 4)
		outb("0123456789abcdef"[(v >> shift) & 0xf], PVH_DEBUG_PORT);
}

/*
 * Nothing but port 0xe9 exists yet, and without a start info there is no
 * command line to say otherwise: print there, then stop this vCPU for good.
 */
static void __init __noreturn pvh_halt(u32 si_pa, const char *why)
{
	pvh_puts("Linux PVH boot: start info at ");
	pvh_puthex(si_pa);
	pvh_puts(": ");
	pvh_puts(why);
	pvh_puts("; halting\n");
	for (;;)
		asm volatile("cli; hlt");
}

static const void *__init pvh_map_identity(const struct pvh_si_env *env, u64 pa, u64 len)
{
	if (!pa || pa >= PVH_IDENTITY_LIMIT || len > PVH_IDENTITY_LIMIT - pa)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

/* Where head.S found the kernel, relative to its link address. */
static u32 pvh_load_offset __initdata;

static u64 __init pvh_pa(const void *p)
{
	return (u64)((uintptr_t)p - PVH_LINK_BASE) + pvh_load_offset;
}

/*
 * Everything here runs before KASAN has a shadow: compare the CPUID
 * signature by hand rather than through memcmp(), which KASAN checks.
 */
static bool __init pvh_on_xen(void)
{
	u32 base, eax, ebx, ecx, edx;

	if (!IS_ENABLED(CONFIG_XEN_PVH))
		return false;
	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		eax = base;
		ecx = 0;
		native_cpuid(&eax, &ebx, &ecx, &edx);
		/* Xen's leaves 1 and 2 must exist too. */
		if (ebx == XEN_CPUID_SIGNATURE_EBX && ecx == XEN_CPUID_SIGNATURE_ECX &&
		    edx == XEN_CPUID_SIGNATURE_EDX && eax - base >= 2)
			return true;
	}
	return false;
}

/*
 * The first hypercall would pick vmcall or vmmcall through the CPU vendor
 * code in arch/x86/kernel/cpu/, which KASAN instruments. Pick it here from
 * CPUID leaf 0, the same way: vmmcall on AMD and Hygon.
 */
static void __init pvh_pick_hypercall(void)
{
	u32 eax = 0, ebx, ecx = 0, edx;

	native_cpuid(&eax, &ebx, &ecx, &edx);
	if ((ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163) ||	/* AuthenticAMD */
	    (ebx == 0x6f677948 && edx == 0x6e65476e && ecx == 0x656e6975))	/* HygonGenuine */
		static_call_update_early(xen_hypercall, xen_hypercall_amd);
	else
		static_call_update_early(xen_hypercall, xen_hypercall_intel);
}

asmlinkage unsigned long __init pvh_boot(u32 si_pa, u32 load_offset)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)si_pa;
	bool xen = pvh_on_xen();
	struct pvh_si_env env;
	u32 ext_len;

	pvh_load_offset = load_offset;
	env = (struct pvh_si_env){
		.kernel_start = pvh_pa(_text),
		.kernel_end = pvh_pa(_end),
		.si_pa = si_pa,
		.map = pvh_map_identity,
		.memmap_by_hypercall = xen,
	};
	enum pvh_si_error err;

	if (!pvh_map_identity(&env, si_pa, sizeof(*si)))
		pvh_halt(si_pa, "start info is outside the early map");
	pvh_extra.e820_ext = pvh_e820_ext.entries;
	pvh_extra.e820_ext_max = PVH_E820_EXT_MAX;
	err = pvh_si_to_boot_params(si, &env, xen ? PVH_LOADER_XEN : PVH_LOADER_QEMU,
				    &pvh_boot_params, &pvh_extra);
	if (err)
		pvh_halt(si_pa, pvh_si_why(err));
	memcpy(&pvh_start_info, si, si->version ? sizeof(*si) :
	       offsetof(struct hvm_start_info, memmap_paddr));

	if (xen) {
		pvh_pick_hypercall();
		/* xen_start_flags and the PVH domain type. */
		xen_pvh_init(&pvh_boot_params);
		/* A PVH dom0 may get no memmap: ask the hypervisor for it. */
		if (!pvh_boot_params.e820_entries)
			mem_map_via_hcall(&pvh_boot_params);
		if (!pvh_boot_params.e820_entries)
			pvh_halt(si_pa, "Xen gave no memory map");
	}
	pvh_reserve_legacy_hole(&pvh_boot_params, &pvh_extra);
	if (pvh_extra.e820_ext_entries) {
		ext_len = pvh_extra.e820_ext_entries * sizeof(struct boot_e820_entry);
		pvh_e820_ext.hdr.type = SETUP_E820_EXT;
		pvh_e820_ext.hdr.len = ext_len;
		pvh_boot_params.hdr.setup_data = pvh_pa(&pvh_e820_ext);
	}
	return pvh_pa(&pvh_boot_params);
}

/*
 * What the start info had that the kernel took in its own way, said once
 * printk works. And the SETUP_E820_EXT data, still linked from boot_params
 * for /sys/kernel/boot_params and kexec, moves out of init memory.
 */
static int __init pvh_report_start_info(void)
{
	struct pvh_si_extra *x = &pvh_extra;
	struct setup_data *kept;
	size_t len;

	if (x->unknown_types)
		pr_warn("PVH: memory map: %u entries of unknown type kept as reserved (first: type %#x)\n",
			x->unknown_types, x->first_unknown_type);
	if (x->reserved_set)
		pr_warn("PVH: memory map: ignored the nonzero reserved field of %u entries\n",
			x->reserved_set);
	if (x->empty_entries)
		pr_warn("PVH: memory map: dropped %u entries of size 0\n", x->empty_entries);
	if (x->dropped_entries)
		pr_warn("PVH: memory map: dropped its last %u entries: the kernel's E820 table is full\n",
			x->dropped_entries);
	if (x->empty_initramfs)
		pr_warn("PVH: first module (initramfs) has size 0: booting without one\n");
	/* The stub made the list: the buffer is its only node. */
	if (!x->e820_ext_entries || boot_params.hdr.setup_data != __pa_symbol(&pvh_e820_ext))
		return 0;

	pr_info("PVH: memory map: %u entries past boot_params' table passed as SETUP_E820_EXT\n",
		x->e820_ext_entries);
	len = sizeof(pvh_e820_ext.hdr) + pvh_e820_ext.hdr.len;
	kept = kmemdup(&pvh_e820_ext, len, GFP_KERNEL);
	boot_params.hdr.setup_data = kept ? __pa(kept) : 0;
	return 0;
}
early_initcall(pvh_report_start_info);
