/* SPDX-License-Identifier: MIT */
/*
 * Xen's virtual PMU interface (HYPERVISOR_xenpmu_op, hypercall 40), as Xen
 * 4.17 defines it in public/pmu.h and public/arch-x86/pmu.h. Only x86
 * Linux uses it: the vendor contexts below are the x86 ones.
 *
 * A PV vCPU registers one page holding a struct xen_pmu_data. When a
 * counter overflows, Xen copies the vCPU's PMU state into the page, sets
 * PMU_CACHED and raises VIRQ_XENPMU; the guest works on the copy and hands
 * it back with XENPMU_flush.
 */
#ifndef __XEN_PUBLIC_XENPMU_H__
#define __XEN_PUBLIC_XENPMU_H__

/*
 * Like Xen's public headers, this one stands alone: scripts/xen-hypercalls.sh
 * preprocesses it before any generated header exists. The layout checks are
 * in arch/x86/xen/vpmu/core.c.
 */
#include <linux/types.h>
#include <xen/interface/xen.h>

/* Checked by Xen: a major it does not know gets -EINVAL. */
#define XENPMU_VER_MAJ		0
#define XENPMU_VER_MIN		1

/* Operations (the first argument of HYPERVISOR_xenpmu_op) */
#define XENPMU_mode_get		0	/* also returns Xen's version */
#define XENPMU_mode_set		1
#define XENPMU_feature_get	2
#define XENPMU_feature_set	3
#define XENPMU_init		4	/* val: frame of the shared page */
#define XENPMU_finish		5
#define XENPMU_lvtpc_set	6	/* load the page's lapic_lvtpc */
#define XENPMU_flush		7	/* load the page's context, end the PMI */

/* Who the hypervisor samples (XENPMU_mode_*): exactly one bit, or none */
#define XENPMU_MODE_OFF		0
#define XENPMU_MODE_SELF	0x1	/* each guest its own vCPUs */
#define XENPMU_MODE_HV		0x2	/* dom0 also samples Xen */
#define XENPMU_MODE_ALL		0x4	/* dom0 samples everything */

/* Restrictions and extras (XENPMU_feature_*) */
#define XENPMU_FEATURE_INTEL_BTS	0x1
#define XENPMU_FEATURE_IPC_ONLY		0x2	/* cycles, instructions */
#define XENPMU_FEATURE_ARCH_ONLY	0x4	/* architectural events */
#define XENPMU_FEATURES_KNOWN	(XENPMU_FEATURE_INTEL_BTS | \
				 XENPMU_FEATURE_IPC_ONLY | \
				 XENPMU_FEATURE_ARCH_ONLY)

struct xen_pmu_params {
	struct {
		u32 maj;
		u32 min;
	} version;		/* in: the guest's; mode_get: Xen's */
	u64 val;		/* mode, features, or frame number */
	u32 vcpu;		/* init and finish: which vCPU */
	u32 pad;
};

/* AMD: one bank of counters and one of controls, at offsets from .c.amd */
struct xen_pmu_amd_ctxt {
	u32 counters;
	u32 ctrls;
	u64 regs[];
};

/* Intel: one general purpose counter and its event select */
struct xen_pmu_cntr_pair {
	u64 counter;
	u64 control;
};

/* Intel: fixed counters and counter pairs at offsets from .c.intel */
struct xen_pmu_intel_ctxt {
	u32 fixed_counters;
	u32 arch_counters;
	u64 global_ctrl;
	u64 global_ovf_ctrl;
	u64 global_status;
	u64 fixed_ctrl;
	u64 ds_area;
	u64 pebs_enable;
	u64 debugctl;
	u64 regs[];
};

/* Where the sample was taken (written by Xen, read by the guest) */
struct xen_pmu_regs {
	u64 ip;
	u64 sp;
	u64 flags;
	u16 cs;
	u16 ss;
	u8 cpl;
	u8 pad[3];
};

/* xen_pmu_arch.pmu_flags */
#define PMU_CACHED	0x1	/* the context below is the live one */
#define PMU_SAMPLE_USER	0x2	/* a PV vCPU was in user mode */
#define PMU_SAMPLE_REAL	0x4	/* an HVM vCPU was in real mode */
#define PMU_SAMPLE_PV	0x8	/* the sampled vCPU is PV */

#define XENPMU_REGS_PAD_SZ	64
#define XENPMU_CTXT_PAD_SZ	128

struct xen_pmu_arch {
	union {
		struct xen_pmu_regs regs;
		u8 pad[XENPMU_REGS_PAD_SZ];
	} r;
	u64 pmu_flags;
	union {
		u32 lapic_lvtpc;	/* Xen loads only its mask bit */
		u64 pad;
	} l;
	union {
		struct xen_pmu_amd_ctxt amd;
		struct xen_pmu_intel_ctxt intel;
		u8 pad[XENPMU_CTXT_PAD_SZ];
	} c;
};

/* The shared page */
struct xen_pmu_data {
	u32 vcpu_id;
	u32 pcpu_id;		/* a domU sees its vcpu_id here */
	domid_t domain_id;	/* DOMID_SELF, DOMID_XEN or another domain */
	u8 pad[6];
	struct xen_pmu_arch pmu;
};

#endif /* __XEN_PUBLIC_XENPMU_H__ */
