/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PV vPMU (arch/x86/xen/vpmu/) as the rest of arch/x86/xen calls it.
 */
#ifndef __XEN_PMU_H
#define __XEN_PMU_H

#include <linux/interrupt.h>
#include <linux/types.h>

/*
 * The paravirt hooks. The MSR ones return true for a PMU register, which
 * they have then read or written (*err set as the _safe accessors do).
 */
bool pmu_msr_read(unsigned int msr, u64 *val, int *err);
bool pmu_msr_write(unsigned int msr, u32 low, u32 high, int *err);
unsigned long long xen_read_pmc(int counter);

/* A new LAPIC LVTPC value: to the shared page, and to Xen outside a PMI */
int pmu_apic_update(u32 val);

/* CPUID leaf 0xa, capped at the counters Xen emulates for PV guests */
void xen_pmu_cpuid_0a(u32 *eax, u32 *edx);

/* Xen took CPU 0's page, so smp_pv binds VIRQ_XENPMU for every CPU. */
extern bool is_xen_pmu;
irqreturn_t xen_pmu_irq_handler(int irq, void *dev_id);

/* Registration of a vCPU's page: bring-up, teardown, suspend, resume */
#ifdef CONFIG_XEN_HAVE_VPMU
void xen_pmu_init(int cpu);
void xen_pmu_finish(int cpu);
#else
/* HVM-only kernels have no PV vPMU to register. */
static inline void xen_pmu_init(int cpu)
{
}

static inline void xen_pmu_finish(int cpu)
{
}
#endif

#endif /* __XEN_PMU_H */
