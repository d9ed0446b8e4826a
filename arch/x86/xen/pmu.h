/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV vPMU (arch/x86/xen/vpmu/) as the rest of arch/x86/xen calls it:
 * per-vCPU setup and teardown, the VIRQ_XENPMU handler, and the paravirt
 * MSR, RDPMC and LVTPC hooks.
 */
#ifndef __XEN_PMU_H
#define __XEN_PMU_H

#include <linux/interrupt.h>
#include <linux/types.h>

/* Xen accepted CPU 0's registration: the other vCPUs register too. */
extern bool is_xen_pmu;

irqreturn_t xen_pmu_irq_handler(int irq, void *dev_id);
#ifdef CONFIG_XEN_HAVE_VPMU
void xen_pmu_init(int cpu);
void xen_pmu_finish(int cpu);
#else
static inline void xen_pmu_init(int cpu) {}
static inline void xen_pmu_finish(int cpu) {}
#endif
/* true: a PMU MSR, handled (*err as the _safe accessors set it) */
bool pmu_msr_read(unsigned int msr, u64 *val, int *err);
bool pmu_msr_write(unsigned int msr, u32 low, u32 high, int *err);
/* A new LAPIC LVTPC value */
int pmu_apic_update(u32 val);
unsigned long long xen_read_pmc(int counter);

#endif /* __XEN_PMU_H */
