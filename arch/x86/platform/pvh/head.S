/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PVH entry, the assembly half: only what C cannot do.
 *
 * Xen, QEMU, Firecracker and cloud-hypervisor enter here (the physical
 * address in the PHYS32_ENTRY note) in 32-bit flat protected mode, paging
 * off, with %ebx holding the physical address of struct hvm_start_info.
 * Map the kernel at its link address and low memory one to one, let
 * pvh_boot() (boot.c) check the start info and fill boot_params, and go
 * to the kernel's native entry with %esi pointing at them:
 *
 * - 64-bit: 4-level tables mapping the low 4 GiB one to one and the
 *   kernel's 1 GiB link range onto where it was loaded, long mode, then
 *   startup_64. The loader may place the kernel away from its link
 *   address, in steps of the PHYS32_RELOC note's alignment (2 MiB pages
 *   need no more): every physical address here is the link-time one plus
 *   the load offset in %ebp, and startup_64 relocates itself.
 * - 32-bit: one page directory of 4 MiB pages mapping memory below
 *   PAGE_OFFSET one to one and PAGE_OFFSET up onto physical 0, paging on
 *   for the C, then off again: startup_32 wants it off. startup_32 runs
 *   only at its link address, so the kernel publishes no PHYS32_RELOC
 *   note and refuses any other.
 */
#include <linux/elfnote.h>
#include <linux/init.h>
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/boot.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/page_types.h>
#include <asm/pgtable_types.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <xen/interface/elfnote.h>

#ifdef CONFIG_X86_64
#define PA(sym)			((sym) - __START_KERNEL_map)
#else
#define PA(sym)			((sym) - __PAGE_OFFSET)
#endif

/* Xen's public elfnote.h from 4.20 on; 4.17 ignores notes it lacks. */
#define XEN_ELFNOTE_PHYS32_RELOC	19
/* The image's last byte: the kernel's 1 GiB map must end below 4 GiB. */
#define PVH_RELOC_MAX		((3 << 30) - 1)

#define LARGE_SHIFT		21	/* 2 MiB pages */
#define PT_TABLE		(_PAGE_PRESENT | _PAGE_RW)		/* next level */
#define PT_LARGE		(_PAGE_PRESENT | _PAGE_RW | _PAGE_PSE)	/* large page */

#ifdef CONFIG_X86_64
#define IDENT_PDS		4	/* 4 page directories: 4 GiB */
#define KERNEL_PDPT_SLOT	510	/* __START_KERNEL_map: PML4 511, PDPT 510 */
#define PVH_TABLE_PAGES		(1 + 1 + IDENT_PDS + 1 + 1)
#else
#define PSE_SHIFT		22	/* 4 MiB pages, without PAE */
#define IDENT_PDES		(__PAGE_OFFSET >> PSE_SHIFT)
#define PVH_TABLE_PAGES		1
#endif
#define PVH_STACK_SIZE		(2 * PAGE_SIZE)	/* pvh_boot() and its callees: well under 1 KiB */

	__HEAD
	.code32
SYM_CODE_START_LOCAL(pvh_entry)
	cld
	/*
	 * Where are we? That takes a call, and there is no stack yet: the
	 * start info's first word serves as one for the call, then gets its
	 * value back.
	 */
	movl	(%ebx), %edx
	leal	4(%ebx), %esp
	call	1f
1:	popl	%ebp
	movl	%edx, (%ebx)
	subl	$PA(1b), %ebp			/* the load offset */

#ifdef CONFIG_X86_64
	/* Only where the PHYS32_RELOC note allows, as a loader may not check. */
	leal	PA(pvh_misaligned_msg)(%ebp), %esi
	testl	$((1 << LARGE_SHIFT) - 1), %ebp
	jnz	.Lpvh_refuse
	leal	PA(pvh_below_msg)(%ebp), %esi
	leal	PA(_text)(%ebp), %eax
	cmpl	$LOAD_PHYSICAL_ADDR, %eax
	jb	.Lpvh_refuse
	leal	PA(pvh_above_msg)(%ebp), %esi
	movl	$(PA(_end) - 1), %eax
	addl	%ebp, %eax			/* a carry: it crosses 4 GiB */
	jc	.Lpvh_refuse
	cmpl	$PVH_RELOC_MAX, %eax
	ja	.Lpvh_refuse
#else
	leal	PA(pvh_moved_msg)(%ebp), %esi
	testl	%ebp, %ebp
	jnz	.Lpvh_refuse
#endif

	leal	PA(pvh_gdt)(%ebp), %eax
	movl	%eax, PA(pvh_gdt_desc) + 2(%ebp)
	lgdt	PA(pvh_gdt_desc)(%ebp)
	movl	$__BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	leal	PA(pvh_stack_end)(%ebp), %esp

	/* The image holds zeroes here, but the tables must not depend on it. */
	leal	PA(pvh_tables)(%ebp), %edi
	movl	$(PVH_TABLE_PAGES * PAGE_SIZE / 4), %ecx
	xorl	%eax, %eax
	rep stosl

#ifdef CONFIG_X86_64

	/* Low 4 GiB, one to one, in 2 MiB pages: 2048 page directory entries. */
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$LARGE_SHIFT, %eax
	orl	$PT_LARGE, %eax
	movl	%eax, PA(pvh_pd_ident)(%ebp, %ecx, 8)
	incl	%ecx
	cmpl	$(IDENT_PDS * 512), %ecx
	jb	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$PAGE_SHIFT, %eax
	leal	(PA(pvh_pd_ident) + PT_TABLE)(%ebp, %eax), %eax
	movl	%eax, PA(pvh_pdpt_ident)(%ebp, %ecx, 8)
	incl	%ecx
	cmpl	$IDENT_PDS, %ecx
	jb	2b

	/* 1 GiB at __START_KERNEL_map onto [load offset, + 1 GiB). */
	xorl	%ecx, %ecx
3:	movl	%ecx, %eax
	shll	$LARGE_SHIFT, %eax
	leal	PT_LARGE(%ebp, %eax), %eax
	movl	%eax, PA(pvh_pd_kernel)(%ebp, %ecx, 8)
	incl	%ecx
	cmpl	$512, %ecx
	jb	3b
	leal	(PA(pvh_pd_kernel) + PT_TABLE)(%ebp), %eax
	movl	%eax, PA(pvh_pdpt_kernel) + 8 * KERNEL_PDPT_SLOT(%ebp)
	leal	(PA(pvh_pdpt_ident) + PT_TABLE)(%ebp), %eax
	movl	%eax, PA(pvh_pml4)(%ebp)
	leal	(PA(pvh_pdpt_kernel) + PT_TABLE)(%ebp), %eax
	movl	%eax, PA(pvh_pml4) + 8 * 511(%ebp)

	/* Long mode: PAE, the tables, EFER.LME, then paging on. */
	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	leal	PA(pvh_pml4)(%ebp), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(X86_CR0_PG | X86_CR0_PE), %eax
	movl	%eax, %cr0
	leal	PA(.Lpvh_long_mode)(%ebp), %eax
	pushl	$__KERNEL_CS
	pushl	%eax
	lret
#else
	/* Below PAGE_OFFSET one to one, then PAGE_OFFSET up onto 0. */
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	cmpl	$IDENT_PDES, %ecx
	jb	2f
	subl	$IDENT_PDES, %eax
2:	shll	$PSE_SHIFT, %eax
	orl	$PT_LARGE, %eax
	movl	%eax, PA(pvh_tables)(, %ecx, 4)
	incl	%ecx
	cmpl	$(PAGE_SIZE / 4), %ecx
	jb	1b

	movl	%cr4, %eax
	orl	$X86_CR4_PSE, %eax
	movl	%eax, %cr4
	movl	$PA(pvh_tables), %eax
	movl	%eax, %cr3
	movl	%cr0, %eax
	orl	$(X86_CR0_PG | X86_CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$__BOOT_CS, $.Lpvh_paged
#endif

.Lpvh_refuse:
	/* Placed where it cannot map itself: say so (%esi) where C would. */
	movw	$0xe9, %dx
4:	lodsb
	testb	%al, %al
	jz	5f
	outb	%al, %dx
	jmp	4b
5:	cli
	hlt
	jmp	5b

#ifdef CONFIG_X86_64
	.code64
.Lpvh_long_mode:
	/*
	 * Running at the physical address; C runs at the link address.
	 * What pvh_boot() calls may use __pa(), so phys_base holds the load
	 * offset until startup_64, which adds its own finding to it.
	 */
	movl	%ebp, %ebp
	movq	$pvh_stack_end, %rsp
	movq	%rbp, phys_base(%rip)
	/*
	 * C built with the stack protector reads its canary at %gs:40: point
	 * GS at zeroes rather than wherever the loader left it.
	 */
	movl	$MSR_GS_BASE, %ecx
	movq	$pvh_canary_area, %rax
	movq	%rax, %rdx
	shrq	$32, %rdx
	wrmsr
	movl	%ebx, %edi
	movl	%ebp, %esi
	movq	$pvh_boot, %rax
	ANNOTATE_RETPOLINE_SAFE
	call	*%rax
	movq	$0, phys_base(%rip)

	/* %rax: physical address of boot_params, as startup_64 wants in %rsi. */
	movq	%rax, %rsi
	leaq	PA(startup_64)(%rbp), %rax
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rax
#else
.Lpvh_paged:
	/* At the link address now, as the C is built for. */
	movl	$pvh_stack_end, %esp
	/*
	 * C built with the stack protector reads its canary at
	 * %fs:__stack_chk_guard: a flat FS reads the variable's boot copy,
	 * zero in the image, rather than whatever the loader left.
	 */
	movl	$__BOOT_DS, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	pushl	%ebp
	pushl	%ebx
	call	pvh_boot

	/* %eax: physical address of boot_params, as startup_32 wants in %esi. */
	movl	%eax, %esi
	ljmp	$__BOOT_CS, $PA(.Lpvh_one_to_one)
.Lpvh_one_to_one:
	movl	%cr0, %eax
	andl	$~X86_CR0_PG, %eax
	movl	%eax, %cr0
	movl	%cr4, %eax
	andl	$~X86_CR4_PSE, %eax
	movl	%eax, %cr4
	ljmp	$__BOOT_CS, $PA(startup_32)
#endif
SYM_CODE_END(pvh_entry)

	.section ".init.data", "aw"
	.balign	8
SYM_DATA_START_LOCAL(pvh_gdt)
	.quad	0
	/*
	 * Flat 4 GiB (limit 0xfffff in 4 KiB units, G = 0x8000), present
	 * ring 0 code (0x9b) or data (0x93), 32-bit (D = 0x4000) or 64-bit
	 * (L = 0x2000). 64-bit: GDT_ENTRY_KERNEL32_CS, _KERNEL_CS, _KERNEL_DS;
	 * 32-bit: GDT_ENTRY_BOOT_CS and _BOOT_DS, at 2 and 3 too, the
	 * selectors startup_32 is entered with.
	 */
#ifdef CONFIG_X86_64
	.quad	GDT_ENTRY(0xc09b, 0, 0xfffff)
	.quad	GDT_ENTRY(0xa09b, 0, 0xfffff)
#else
	.quad	0
	.quad	GDT_ENTRY(0xc09b, 0, 0xfffff)
#endif
	.quad	GDT_ENTRY(0xc093, 0, 0xfffff)
SYM_DATA_END_LABEL(pvh_gdt, SYM_L_LOCAL, pvh_gdt_end)

SYM_DATA_START_LOCAL(pvh_gdt_desc)
	.word	pvh_gdt_end - pvh_gdt - 1
	.long	0				/* the GDT's address, set at entry */
SYM_DATA_END(pvh_gdt_desc)

#ifdef CONFIG_X86_64
/* GS for the C that runs before startup_64 sets up the per-CPU area. */
SYM_DATA_START_LOCAL(pvh_canary_area)
	.skip	64
SYM_DATA_END(pvh_canary_area)
#endif

SYM_DATA_LOCAL(pvh_misaligned_msg,
	.asciz "Linux PVH boot: loaded at an offset that is not 2 MiB aligned; halting\n")
SYM_DATA_LOCAL(pvh_below_msg,
	.asciz "Linux PVH boot: loaded below its link address; halting\n")
SYM_DATA_LOCAL(pvh_above_msg,
	.asciz "Linux PVH boot: loaded past its PHYS32_RELOC maximum; halting\n")
SYM_DATA_LOCAL(pvh_moved_msg,
	.asciz "Linux PVH boot: a 32-bit kernel runs only at its link address; halting\n")

	/*
	 * Used until the native entry has its own, then freed with the rest
	 * of init memory: zeroes in the image, not .bss kept for good.
	 */
	.section ".init.data", "aw"
	.balign	PAGE_SIZE
SYM_DATA_START_LOCAL(pvh_tables)
#ifdef CONFIG_X86_64
SYM_DATA_START_LOCAL(pvh_pml4)
	.skip	PAGE_SIZE
SYM_DATA_END(pvh_pml4)
SYM_DATA_START_LOCAL(pvh_pdpt_ident)
	.skip	PAGE_SIZE
SYM_DATA_END(pvh_pdpt_ident)
SYM_DATA_START_LOCAL(pvh_pd_ident)
	.skip	IDENT_PDS * PAGE_SIZE
SYM_DATA_END(pvh_pd_ident)
SYM_DATA_START_LOCAL(pvh_pdpt_kernel)
	.skip	PAGE_SIZE
SYM_DATA_END(pvh_pdpt_kernel)
SYM_DATA_START_LOCAL(pvh_pd_kernel)
	.skip	PAGE_SIZE
SYM_DATA_END(pvh_pd_kernel)
#else
	.skip	PAGE_SIZE			/* the page directory */
#endif
SYM_DATA_END(pvh_tables)
SYM_DATA_START_LOCAL(pvh_stack)
	.skip	PVH_STACK_SIZE
SYM_DATA_END_LABEL(pvh_stack, SYM_L_LOCAL, pvh_stack_end)

	ELFNOTE(Xen, XEN_ELFNOTE_PHYS32_ENTRY, _ASM_PTR PA(pvh_entry))
#ifdef CONFIG_X86_64
	/*
	 * Where a loader may put the kernel instead: at a multiple of
	 * CONFIG_PHYSICAL_ALIGN from the link address up, and low enough
	 * that it and its 1 GiB map stay below 4 GiB, in 32-bit entries.
	 */
	ELFNOTE(Xen, XEN_ELFNOTE_PHYS32_RELOC,
		.long CONFIG_PHYSICAL_ALIGN; .long LOAD_PHYSICAL_ADDR; .long PVH_RELOC_MAX)
#endif
