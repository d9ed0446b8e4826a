/* SPDX-License-Identifier: GPL-2.0 */
/* The pure parts of arch/x86/xen/mtrr.c, for its KUnit test. */
#ifndef _XEN_MTRR_H
#define _XEN_MTRR_H

#include <linux/types.h>

struct e820_table;
struct mtrr_var_range;

/* One variable MTRR as XENPF_read_memtype reports it. */
struct xen_mtrr_reg {
	u64 mfn;
	u64 nr_mfns;		/* 0: the register is free */
	u32 type;
};

const char *xen_mtrr_type_name(unsigned int type);
int xen_mtrr_var_range(const struct xen_mtrr_reg *reg, unsigned int phys_bits,
		       struct mtrr_var_range *var);
u8 xen_mtrr_default_type(const struct xen_mtrr_reg *regs, unsigned int n,
			 const struct e820_table *host);

#endif
