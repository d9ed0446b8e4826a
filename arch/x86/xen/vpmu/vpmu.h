/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV vPMU's pure logic: which MSRs are PMU registers, where each one
 * lives in the page Xen shares during a PMI, who a sample belongs to, and
 * the sysfs words for modes and features. No hypercalls here, so KUnit
 * can run all of it against a page it builds itself.
 */
#ifndef _XEN_VPMU_VPMU_H
#define _XEN_VPMU_VPMU_H

#include <linux/types.h>
#include <xen/interface/xenpmu.h>

struct pt_regs;

enum vpmu_vendor {
	VPMU_VENDOR_NONE,
	VPMU_VENDOR_INTEL,
	VPMU_VENDOR_AMD,
};

/* The PMU as the guest's perf driver programs it */
struct vpmu_layout {
	enum vpmu_vendor vendor;
	unsigned int counters;		/* general purpose */
	unsigned int fixed;		/* Intel fixed-function */
	/* AMD: first event select and counter MSR, and the step between */
	u32 amd_ctl, amd_ctr, amd_step;
	bool amd_k7_alias;		/* the four K7 MSRs name counters 0-3 */
};

enum vpmu_reg_kind {
	VPMU_REG_COUNTER,
	VPMU_REG_CONTROL,
	VPMU_REG_FIXED,
	VPMU_REG_FIXED_CTRL,
	VPMU_REG_GLOBAL_CTRL,
	VPMU_REG_GLOBAL_STATUS,
	VPMU_REG_GLOBAL_OVF_CTRL,
	VPMU_REG_DS_AREA,
	VPMU_REG_PEBS_ENABLE,
};

struct vpmu_reg {
	enum vpmu_reg_kind kind;
	unsigned int index;		/* counters only */
};

void vpmu_cpuid_0a_limit(u32 *eax, u32 *edx);
void vpmu_layout_intel(struct vpmu_layout *l, u32 cpuid_0a_eax,
		       u32 cpuid_0a_edx);
void vpmu_layout_amd(struct vpmu_layout *l, bool perfctr_core);
bool vpmu_classify(const struct vpmu_layout *l, u32 msr,
		   struct vpmu_reg *reg);

/*
 * Access to the context Xen cached in the page: 0, or -EPROTO when Xen's
 * bank offsets point outside the page, -EPERM for a read-only register
 * or a value Xen refuses (PEBS), -EINVAL for a counter the layout does
 * not have.
 */
bool vpmu_page_is_pmu(const struct xen_pmu_data *d);
int vpmu_ctxt_read(const struct vpmu_layout *l, struct xen_pmu_data *d,
		   const struct vpmu_reg *reg, u64 *val);
int vpmu_ctxt_write(const struct vpmu_layout *l, struct xen_pmu_data *d,
		    const struct vpmu_reg *reg, u64 val);
/* Event selects, as many as VPMU_MAX_COUNTERS */
#define VPMU_MAX_COUNTERS	6
void vpmu_ctxt_save_controls(const struct vpmu_layout *l,
			     struct xen_pmu_data *d, u64 *ctrls);
void vpmu_ctxt_quiesce(const struct vpmu_layout *l, struct xen_pmu_data *d,
		       const u64 *ctrls);
/* RDPMC's ECX to a register, and to the MSR that reads it outside a PMI */
int vpmu_rdpmc_reg(const struct vpmu_layout *l, u32 ecx,
		   struct vpmu_reg *reg);
u32 vpmu_reg_msr(const struct vpmu_layout *l, const struct vpmu_reg *reg);

/* A sample: perf's guest state (PERF_GUEST_*) and the registers */
bool vpmu_sample_in_xen(const struct xen_pmu_data *d);
unsigned int vpmu_sample_state(const struct xen_pmu_data *d, bool dom0);
unsigned long vpmu_sample_ip(const struct xen_pmu_data *d);
void vpmu_sample_regs(const struct xen_pmu_data *d, struct pt_regs *regs);

/* /sys/hypervisor/pmu words; parsers return 0 or -EINVAL */
int vpmu_mode_parse(const char *buf, u64 *mode);
const char *vpmu_mode_name(u64 mode);
int vpmu_features_parse(const char *buf, u64 *features);

#endif
