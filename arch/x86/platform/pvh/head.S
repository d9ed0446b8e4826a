/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PVH entry, the assembly half: only what C cannot do.
 *
 * Xen, QEMU, Firecracker and cloud-hypervisor enter here (the physical
 * address in the PHYS32_ENTRY note) in 32-bit flat protected mode, paging
 * off, with %ebx holding the physical address of struct hvm_start_info.
 * Build page tables that map the low 4 GiB one to one and the kernel at
 * its link address, enter long mode, let pvh_boot() (boot.c) check the
 * start info and fill boot_params, and jump to the native 64-bit entry,
 * startup_64, with %rsi pointing at them.
 *
 * The kernel must be loaded at its link address: Xen 4.17 has no
 * PHYS32_RELOC note, so nothing here relocates.
 */
#include <linux/elfnote.h>
#include <linux/init.h>
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/page_types.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>
#include <xen/interface/elfnote.h>

#define PA(sym)			((sym) - __START_KERNEL_map)

#define LARGE_SHIFT		21	/* 2 MiB pages */
#define PT_TABLE		0x003	/* present, writable: next level */
#define PT_LARGE		0x083	/* present, writable, 2 MiB page */

#define IDENT_PDS		4	/* 4 page directories: 4 GiB */
#define KERNEL_PDPT_SLOT	510	/* __START_KERNEL_map: PML4 511, PDPT 510 */
#define PVH_TABLE_PAGES		(1 + 1 + IDENT_PDS + 1)
#define PVH_STACK_SIZE		(4 * PAGE_SIZE)

	__HEAD
	.code32
SYM_CODE_START_LOCAL(pvh_entry)
	cld
	lgdt	PA(pvh_gdt_desc)
	movl	$__KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	$PA(pvh_stack_end), %esp

	/* The loader zeroed .bss, but the tables must not depend on it. */
	movl	$PA(pvh_pml4), %edi
	movl	$(PVH_TABLE_PAGES * PAGE_SIZE / 4), %ecx
	xorl	%eax, %eax
	rep stosl

	/* Low 4 GiB, one to one, in 2 MiB pages: 2048 page directory entries. */
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$LARGE_SHIFT, %eax
	orl	$PT_LARGE, %eax
	movl	%eax, PA(pvh_pd_ident)(, %ecx, 8)
	incl	%ecx
	cmpl	$(IDENT_PDS * 512), %ecx
	jb	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$PAGE_SHIFT, %eax
	addl	$(PA(pvh_pd_ident) + PT_TABLE), %eax
	movl	%eax, PA(pvh_pdpt_ident)(, %ecx, 8)
	incl	%ecx
	cmpl	$IDENT_PDS, %ecx
	jb	2b

	/* The first 1 GiB again at __START_KERNEL_map: share the first PD. */
	movl	$(PA(pvh_pd_ident) + PT_TABLE), PA(pvh_pdpt_kernel) + 8 * KERNEL_PDPT_SLOT
	movl	$(PA(pvh_pdpt_ident) + PT_TABLE), PA(pvh_pml4)
	movl	$(PA(pvh_pdpt_kernel) + PT_TABLE), PA(pvh_pml4) + 8 * 511

	/* Long mode: PAE, the tables, EFER.LME, then paging on. */
	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$PA(pvh_pml4), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$(X86_CR0_PG | X86_CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$__KERNEL_CS, $PA(.Lpvh_long_mode)

	.code64
.Lpvh_long_mode:
	/* Running at the physical address; C runs at the link address. */
	movq	$pvh_stack_end, %rsp
	movl	%ebx, %edi
	movq	$pvh_boot, %rax
	ANNOTATE_RETPOLINE_SAFE
	call	*%rax

	/* %rax: physical address of boot_params, as startup_64 wants in %rsi. */
	movq	%rax, %rsi
	movq	$PA(startup_64), %rax
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rax
SYM_CODE_END(pvh_entry)

	.section ".init.data", "aw"
	.balign	8
SYM_DATA_START_LOCAL(pvh_gdt)
	.quad	0
	/* Base 0, limit 4 GiB; access 0x9b code or 0x93 data; G, then D or L. */
	.quad	0x00cf9b000000ffff	/* __KERNEL32_CS: 32-bit code */
	.quad	0x00af9b000000ffff	/* __KERNEL_CS: 64-bit code */
	.quad	0x00cf93000000ffff	/* __KERNEL_DS: data */
SYM_DATA_END_LABEL(pvh_gdt, SYM_L_LOCAL, pvh_gdt_end)

SYM_DATA_START_LOCAL(pvh_gdt_desc)
	.word	pvh_gdt_end - pvh_gdt - 1
	.long	PA(pvh_gdt)
SYM_DATA_END(pvh_gdt_desc)

	/* Used until startup_64 has its own; .bss is cleared only after. */
	.section ".bss..page_aligned", "aw"
	.balign	PAGE_SIZE
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
SYM_DATA_START_LOCAL(pvh_stack)
	.skip	PVH_STACK_SIZE
SYM_DATA_END_LABEL(pvh_stack, SYM_L_LOCAL, pvh_stack_end)

	ELFNOTE(Xen, XEN_ELFNOTE_PHYS32_ENTRY, _ASM_PTR PA(pvh_entry))
