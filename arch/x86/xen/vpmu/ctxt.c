// SPDX-License-Identifier: GPL-2.0
/*
 * The PV vPMU's register map. During a PMI, Xen has copied the vCPU's
 * PMU registers into the shared page and perf's MSR accesses are served
 * from there; Xen checks and loads the result at XENPMU_flush. The bank
 * offsets come from Xen and are checked against the page on every access.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/perf_event.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/page.h>
#include <asm/perf_event.h>
#include <asm/ptrace.h>
#include <asm/segment.h>

#include "vpmu.h"

/*
 * What Xen 4.17 emulates for a PV vCPU (pv/emul-priv-op.c): event selects
 * 0-3 and fixed counters 0-2, whatever CPUID leaf 0xa says. An access past
 * them faults, so perf is shown no more (vpmu_cpuid_0a_limit()).
 */
#define VPMU_INTEL_MAX_COUNTERS	4
#define VPMU_INTEL_MAX_FIXED	3
#define VPMU_AMD_K7_COUNTERS	4
#define VPMU_AMD_CORE_COUNTERS	6
static_assert(VPMU_AMD_CORE_COUNTERS <= VPMU_MAX_COUNTERS);
static_assert(VPMU_INTEL_MAX_COUNTERS <= VPMU_MAX_COUNTERS);
/* RDPMC's ECX bit that selects Intel's fixed counters */
#define VPMU_RDPMC_FIXED	BIT(30)

/* CPUID leaf 0xa as Xen's PV MSR emulation can honour it */
void vpmu_cpuid_0a_limit(u32 *eax, u32 *edx)
{
	u32 counters = (*eax >> 8) & 0xff, fixed = *edx & 0x1f;

	if (counters > VPMU_INTEL_MAX_COUNTERS)
		*eax = (*eax & ~0xff00U) | VPMU_INTEL_MAX_COUNTERS << 8;
	if (fixed > VPMU_INTEL_MAX_FIXED)
		*edx = (*edx & ~0x1fU) | VPMU_INTEL_MAX_FIXED;
}

void vpmu_layout_intel(struct vpmu_layout *l, u32 cpuid_0a_eax,
		       u32 cpuid_0a_edx)
{
	memset(l, 0, sizeof(*l));
	l->vendor = VPMU_VENDOR_INTEL;
	l->counters = min_t(u32, (cpuid_0a_eax >> 8) & 0xff,
			    VPMU_INTEL_MAX_COUNTERS);
	/* Version 1 has no fixed counters, whatever EDX says. */
	if ((cpuid_0a_eax & 0xff) > 1)
		l->fixed = min_t(u32, cpuid_0a_edx & 0x1f,
				 VPMU_INTEL_MAX_FIXED);
}

/*
 * With the core performance counter extension, perf (and Xen) use six
 * interleaved CTL/CTR pairs and the K7 MSRs alias the first four. Xen
 * 4.17 does not show PV guests that extension, so there they always get
 * the K7 layout; the other one is for a Xen that does (its PV MSR
 * emulation has taken the F15H MSRs since 4.6).
 */
void vpmu_layout_amd(struct vpmu_layout *l, bool perfctr_core)
{
	memset(l, 0, sizeof(*l));
	l->vendor = VPMU_VENDOR_AMD;
	if (perfctr_core) {
		l->counters = VPMU_AMD_CORE_COUNTERS;
		l->amd_ctl = MSR_F15H_PERF_CTL;
		l->amd_ctr = MSR_F15H_PERF_CTR;
		l->amd_step = 2;
		l->amd_k7_alias = true;
	} else {
		l->counters = VPMU_AMD_K7_COUNTERS;
		l->amd_ctl = MSR_K7_EVNTSEL0;
		l->amd_ctr = MSR_K7_PERFCTR0;
		l->amd_step = 1;
	}
}

static bool in_bank(u32 msr, u32 first, u32 step, unsigned int n,
		    unsigned int *index)
{
	u32 off;

	if (msr < first)
		return false;
	off = msr - first;
	if (off % step || off / step >= n)
		return false;
	*index = off / step;
	return true;
}

static bool classify_amd(const struct vpmu_layout *l, u32 msr,
			 struct vpmu_reg *reg)
{
	unsigned int n = l->counters;

	if (l->amd_k7_alias) {
		if (in_bank(msr, MSR_K7_EVNTSEL0, 1, min(n, 4U), &reg->index)) {
			reg->kind = VPMU_REG_CONTROL;
			return true;
		}
		if (in_bank(msr, MSR_K7_PERFCTR0, 1, min(n, 4U), &reg->index)) {
			reg->kind = VPMU_REG_COUNTER;
			return true;
		}
	}
	if (in_bank(msr, l->amd_ctl, l->amd_step, n, &reg->index)) {
		reg->kind = VPMU_REG_CONTROL;
		return true;
	}
	if (in_bank(msr, l->amd_ctr, l->amd_step, n, &reg->index)) {
		reg->kind = VPMU_REG_COUNTER;
		return true;
	}
	return false;
}

static bool classify_intel(const struct vpmu_layout *l, u32 msr,
			   struct vpmu_reg *reg)
{
	static const struct {
		u32 msr;
		enum vpmu_reg_kind kind;
	} single[] = {
		{ MSR_CORE_PERF_FIXED_CTR_CTRL, VPMU_REG_FIXED_CTRL },
		{ MSR_CORE_PERF_GLOBAL_CTRL, VPMU_REG_GLOBAL_CTRL },
		{ MSR_CORE_PERF_GLOBAL_STATUS, VPMU_REG_GLOBAL_STATUS },
		{ MSR_CORE_PERF_GLOBAL_OVF_CTRL, VPMU_REG_GLOBAL_OVF_CTRL },
		{ MSR_IA32_DS_AREA, VPMU_REG_DS_AREA },
		{ MSR_IA32_PEBS_ENABLE, VPMU_REG_PEBS_ENABLE },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(single); i++) {
		if (msr == single[i].msr) {
			reg->kind = single[i].kind;
			reg->index = 0;
			return true;
		}
	}
	if (in_bank(msr, MSR_CORE_PERF_FIXED_CTR0, 1, l->fixed, &reg->index)) {
		reg->kind = VPMU_REG_FIXED;
		return true;
	}
	if (in_bank(msr, MSR_P6_EVNTSEL0, 1, l->counters, &reg->index)) {
		reg->kind = VPMU_REG_CONTROL;
		return true;
	}
	/* Counters have a legacy and a full-width name. */
	if (in_bank(msr, MSR_IA32_PERFCTR0, 1, l->counters, &reg->index) ||
	    in_bank(msr, MSR_IA32_PMC0, 1, l->counters, &reg->index)) {
		reg->kind = VPMU_REG_COUNTER;
		return true;
	}
	return false;
}

bool vpmu_classify(const struct vpmu_layout *l, u32 msr, struct vpmu_reg *reg)
{
	switch (l->vendor) {
	case VPMU_VENDOR_INTEL:
		return classify_intel(l, msr, reg);
	case VPMU_VENDOR_AMD:
		return classify_amd(l, msr, reg);
	default:
		return false;
	}
}

/*
 * A u64 of a bank at byte offset @bank from the vendor context, checked
 * to lie after the context's fixed part and inside the page.
 */
static u64 *bank_slot(struct xen_pmu_data *d, void *ctxt, size_t fixed_part,
		      u32 bank, unsigned int slot)
{
	size_t room = PAGE_SIZE - ((char *)ctxt - (char *)d);
	size_t at = (size_t)bank + (size_t)slot * sizeof(u64);

	if (bank < fixed_part || bank % sizeof(u64) ||
	    at + sizeof(u64) > room)
		return NULL;
	return (u64 *)((char *)ctxt + at);
}

static int intel_slot(const struct vpmu_layout *l, struct xen_pmu_data *d,
		      const struct vpmu_reg *reg, u64 **slot)
{
	struct xen_pmu_intel_ctxt *c = &d->pmu.c.intel;
	unsigned int per_pair = sizeof(struct xen_pmu_cntr_pair) / sizeof(u64);

	switch (reg->kind) {
	case VPMU_REG_FIXED_CTRL:
		*slot = &c->fixed_ctrl;
		return 0;
	case VPMU_REG_GLOBAL_CTRL:
		*slot = &c->global_ctrl;
		return 0;
	case VPMU_REG_GLOBAL_STATUS:
		*slot = &c->global_status;
		return 0;
	case VPMU_REG_GLOBAL_OVF_CTRL:
		*slot = &c->global_ovf_ctrl;
		return 0;
	case VPMU_REG_DS_AREA:
		*slot = &c->ds_area;
		return 0;
	case VPMU_REG_PEBS_ENABLE:
		*slot = &c->pebs_enable;
		return 0;
	case VPMU_REG_FIXED:
		if (reg->index >= l->fixed)
			return -EINVAL;
		*slot = bank_slot(d, c, sizeof(*c), c->fixed_counters,
				  reg->index);
		break;
	case VPMU_REG_COUNTER:
	case VPMU_REG_CONTROL:
		if (reg->index >= l->counters)
			return -EINVAL;
		*slot = bank_slot(d, c, sizeof(*c), c->arch_counters,
				  reg->index * per_pair +
				  (reg->kind == VPMU_REG_CONTROL));
		break;
	default:
		return -EINVAL;
	}
	return *slot ? 0 : -EPROTO;
}

static int amd_slot(const struct vpmu_layout *l, struct xen_pmu_data *d,
		    const struct vpmu_reg *reg, u64 **slot)
{
	struct xen_pmu_amd_ctxt *c = &d->pmu.c.amd;

	if (reg->index >= l->counters)
		return -EINVAL;
	switch (reg->kind) {
	case VPMU_REG_COUNTER:
		*slot = bank_slot(d, c, sizeof(*c), c->counters, reg->index);
		break;
	case VPMU_REG_CONTROL:
		*slot = bank_slot(d, c, sizeof(*c), c->ctrls, reg->index);
		break;
	default:
		return -EINVAL;
	}
	return *slot ? 0 : -EPROTO;
}

static int ctxt_slot(const struct vpmu_layout *l, struct xen_pmu_data *d,
		     const struct vpmu_reg *reg, u64 **slot)
{
	switch (l->vendor) {
	case VPMU_VENDOR_INTEL:
		return intel_slot(l, d, reg, slot);
	case VPMU_VENDOR_AMD:
		return amd_slot(l, d, reg, slot);
	default:
		return -EINVAL;
	}
}

/*
 * From the moment Xen caches the context (PMU_CACHED, set before the PMI
 * is delivered, so also while the guest's interrupts are off) until
 * XENPMU_flush, the page is the PMU: Xen loads it at the flush, and an
 * MSR access would reach Xen's copy only to be overwritten.
 */
bool vpmu_page_is_pmu(const struct xen_pmu_data *d)
{
	return d && (READ_ONCE(d->pmu.pmu_flags) & PMU_CACHED);
}

int vpmu_ctxt_read(const struct vpmu_layout *l, struct xen_pmu_data *d,
		   const struct vpmu_reg *reg, u64 *val)
{
	u64 *slot;
	int err = ctxt_slot(l, d, reg, &slot);

	if (!err)
		*val = READ_ONCE(*slot);
	return err;
}

int vpmu_ctxt_write(const struct vpmu_layout *l, struct xen_pmu_data *d,
		    const struct vpmu_reg *reg, u64 val)
{
	struct xen_pmu_intel_ctxt *c = &d->pmu.c.intel;
	u64 *slot;
	int err;

	/* Hardware faults such a write: status changes only through OVF_CTRL. */
	if (reg->kind == VPMU_REG_GLOBAL_STATUS)
		return -EPERM;
	/* Xen offers PV guests no PEBS and refuses a flush that enables it. */
	if (reg->kind == VPMU_REG_PEBS_ENABLE && val)
		return -EPERM;
	err = ctxt_slot(l, d, reg, &slot);
	if (err)
		return err;
	WRITE_ONCE(*slot, val);
	/* Writing 1s to OVF_CTRL acknowledges those overflows. */
	if (reg->kind == VPMU_REG_GLOBAL_OVF_CTRL)
		c->global_status &= ~val;
	return 0;
}

/* The event selects of a context Xen handed over, which it had taken */
void vpmu_ctxt_save_controls(const struct vpmu_layout *l,
			     struct xen_pmu_data *d, u64 *ctrls)
{
	struct vpmu_reg reg = { .kind = VPMU_REG_CONTROL };

	for (reg.index = 0; reg.index < l->counters; reg.index++)
		if (vpmu_ctxt_read(l, d, &reg, &ctrls[reg.index]))
			ctrls[reg.index] = 0;
}

/*
 * A context Xen refused at XENPMU_flush stays cached, and Xen drops every
 * later PMI of the vCPU. Make it one Xen takes, with every counter
 * stopped. Intel's checks pass on cleared controls. AMD's compare each
 * event select's reserved bits with Xen's own, so the selects Xen handed
 * over (@ctrls, from vpmu_ctxt_save_controls()) come back, disabled.
 * Counter values stay: perf reads them on, and Xen took them before.
 */
void vpmu_ctxt_quiesce(const struct vpmu_layout *l, struct xen_pmu_data *d,
		       const u64 *ctrls)
{
	struct xen_pmu_intel_ctxt *c = &d->pmu.c.intel;
	struct vpmu_reg reg = { .kind = VPMU_REG_CONTROL };
	u64 *slot;

	if (l->vendor == VPMU_VENDOR_INTEL) {
		c->global_ctrl = 0;
		c->global_ovf_ctrl = 0;
		c->fixed_ctrl = 0;
		c->pebs_enable = 0;
		c->ds_area = 0;
	}
	for (reg.index = 0; reg.index < l->counters; reg.index++) {
		if (ctxt_slot(l, d, &reg, &slot))
			continue;
		if (l->vendor == VPMU_VENDOR_AMD)
			*slot = ctrls[reg.index] & ~ARCH_PERFMON_EVENTSEL_ENABLE;
		else
			*slot = 0;
	}
}

int vpmu_rdpmc_reg(const struct vpmu_layout *l, u32 ecx, struct vpmu_reg *reg)
{
	if (l->vendor == VPMU_VENDOR_INTEL && (ecx & VPMU_RDPMC_FIXED)) {
		reg->kind = VPMU_REG_FIXED;
		reg->index = ecx & ~VPMU_RDPMC_FIXED;
		return reg->index < l->fixed ? 0 : -EINVAL;
	}
	reg->kind = VPMU_REG_COUNTER;
	reg->index = ecx;
	return l->vendor != VPMU_VENDOR_NONE && ecx < l->counters ? 0 : -EINVAL;
}

u32 vpmu_reg_msr(const struct vpmu_layout *l, const struct vpmu_reg *reg)
{
	if (l->vendor == VPMU_VENDOR_AMD) {
		if (reg->kind == VPMU_REG_COUNTER)
			return l->amd_ctr + reg->index * l->amd_step;
		return l->amd_ctl + reg->index * l->amd_step;
	}
	switch (reg->kind) {
	case VPMU_REG_FIXED:
		return MSR_CORE_PERF_FIXED_CTR0 + reg->index;
	case VPMU_REG_COUNTER:
		return MSR_IA32_PERFCTR0 + reg->index;
	case VPMU_REG_CONTROL:
		return MSR_P6_EVNTSEL0 + reg->index;
	default:
		return 0;
	}
}

/*
 * Whether the sampled vCPU ran user code. A PV guest kernel runs in ring 3,
 * so for PV vCPUs only Xen's flag tells; for others the CPL does.
 */
static bool sample_in_user(const struct xen_pmu_data *d)
{
	if (d->pmu.pmu_flags & PMU_SAMPLE_PV)
		return d->pmu.pmu_flags & PMU_SAMPLE_USER;
	return d->pmu.r.regs.cpl != 0;
}

/* Xen itself: its own code (DOMID_XEN) or its idle loop (DOMID_IDLE) */
bool vpmu_sample_in_xen(const struct xen_pmu_data *d)
{
	return d->domain_id == DOMID_XEN || d->domain_id == DOMID_IDLE;
}

/*
 * Only DOMID_SELF samples are this kernel's own. Samples of Xen (hv and
 * all modes) and of other domains (all mode) go to perf as guest samples,
 * so they are never charged to dom0's code, whatever their IP; Xen's are
 * marked as the hypervisor's (perf's PERF_RECORD_MISC_HYPERVISOR).
 */
unsigned int vpmu_sample_state(const struct xen_pmu_data *d, bool dom0)
{
	if (!dom0 || d->domain_id == DOMID_SELF)
		return 0;
	if (vpmu_sample_in_xen(d))
		return PERF_GUEST_ACTIVE | PERF_GUEST_HYPERVISOR;
	if (!sample_in_user(d))
		return PERF_GUEST_ACTIVE;
	return PERF_GUEST_ACTIVE | PERF_GUEST_USER;
}

/*
 * The IP of a sample. For DOMID_IDLE (self mode: Xen hands dom0 what its
 * idle vCPU's guest frame holds, not where Xen ran) there is none.
 */
unsigned long vpmu_sample_ip(const struct xen_pmu_data *d)
{
	return d->domain_id == DOMID_IDLE ? 0 : d->pmu.r.regs.ip;
}

/* Registers of a sample; none of Xen's but its IP */
void vpmu_sample_regs(const struct xen_pmu_data *d, struct pt_regs *regs)
{
	const struct xen_pmu_regs *r = &d->pmu.r.regs;
	bool xen = vpmu_sample_in_xen(d);

	memset(regs, 0, sizeof(*regs));
	regs->ip = vpmu_sample_ip(d);
	regs->sp = xen ? 0 : r->sp;
	regs->flags = xen ? X86_EFLAGS_FIXED : r->flags;
	if (!xen && sample_in_user(d)) {
		regs->cs = __USER_CS;
		regs->ss = __USER_DS;
	} else {
		regs->cs = __KERNEL_CS;
		regs->ss = __KERNEL_DS;
	}
}

static const char *const vpmu_modes[] = {
	[XENPMU_MODE_OFF] = "off",
	[XENPMU_MODE_SELF] = "self",
	[XENPMU_MODE_HV] = "hv",
	[XENPMU_MODE_ALL] = "all",
};

static const char *const vpmu_features[] = {
	"bts", "ipc_only", "arch_only",
};

/* One word, optionally followed by one newline, as echo writes it */
static size_t word_len(const char *buf)
{
	size_t n = strlen(buf);

	if (n && buf[n - 1] == '\n')
		n--;
	return n;
}

int vpmu_mode_parse(const char *buf, u64 *mode)
{
	size_t n = word_len(buf);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vpmu_modes); i++) {
		if (vpmu_modes[i] && strlen(vpmu_modes[i]) == n &&
		    !strncmp(buf, vpmu_modes[i], n)) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *vpmu_mode_name(u64 mode)
{
	return mode < ARRAY_SIZE(vpmu_modes) ? vpmu_modes[mode] : NULL;
}

static int feature_bit(const char *w, size_t n)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vpmu_features); i++)
		if (strlen(vpmu_features[i]) == n &&
		    !strncmp(w, vpmu_features[i], n))
			return i;
	return -1;
}

/* A number (0x..., or decimal) or feature names joined by ',' */
int vpmu_features_parse(const char *buf, u64 *features)
{
	size_t n = word_len(buf), i = 0;
	char num[24];
	u64 f = 0;
	int bit;

	if (!n)
		return -EINVAL;
	if (buf[0] >= '0' && buf[0] <= '9') {
		if (n >= sizeof(num))
			return -EINVAL;
		memcpy(num, buf, n);
		num[n] = '\0';
		if (kstrtou64(num, 0, &f) || f & ~(u64)XENPMU_FEATURES_KNOWN)
			return -EINVAL;
		*features = f;
		return 0;
	}
	while (i < n) {
		size_t end = i;

		while (end < n && buf[end] != ',')
			end++;
		bit = feature_bit(buf + i, end - i);
		if (bit < 0)
			return -EINVAL;
		f |= BIT_ULL(bit);
		i = end + 1;
		/* A trailing ',' names nothing. */
		if (end < n && i == n)
			return -EINVAL;
	}
	*features = f;
	return 0;
}
