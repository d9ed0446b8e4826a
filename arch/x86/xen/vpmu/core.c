// SPDX-License-Identifier: GPL-2.0
/*
 * perf in a Xen PV guest (dom0 included): per-vCPU registration of the
 * page Xen shares for PMU state, the PMI (VIRQ_XENPMU) and the paravirt
 * MSR, RDPMC and LVTPC hooks that serve perf from that page during a PMI.
 *
 * A PMI costs one hypercall: XENPMU_flush, which hands the edited context
 * back to Xen and unmasks the interrupt. While Xen has the context cached
 * (from before the PMI is delivered until the flush), PMU registers are
 * read and written in the page; LVTPC writes made during the PMI only go
 * to the page too. Xen loads both at the flush.
 *
 * A vCPU's page, once registered, is never freed: suspend unregisters
 * every CPU's page while their PMI handlers may still run, and the next
 * registration of the CPU takes the same page again.
 *
 * HVM and PVH guests have a virtual LAPIC; Xen refuses them xenpmu_op and
 * traps their PMU MSRs instead, so nothing here runs for them.
 */
#define pr_fmt(fmt) "xen_pmu: " fmt

#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/interrupt.h>
#include <linux/percpu.h>
#include <linux/perf_event.h>
#include <linux/seq_file.h>
#include <linux/stddef.h>
#include <asm/xen/hypercall.h>
#include <xen/page.h>
#include <xen/xen-ops.h>
#include <xen/xen.h>

#include "../../events/perf_event.h"
#include "../debugfs.h"
#include "../pmu.h"
#include "vpmu.h"

/* The layouts of include/xen/interface/xenpmu.h, as Xen 4.17 builds them */
static_assert(sizeof(struct xen_pmu_params) == 24);
static_assert(offsetof(struct xen_pmu_params, val) == 8);
static_assert(offsetof(struct xen_pmu_params, vcpu) == 16);
static_assert(sizeof(struct xen_pmu_amd_ctxt) == 8);
static_assert(sizeof(struct xen_pmu_cntr_pair) == 16);
static_assert(sizeof(struct xen_pmu_intel_ctxt) == 64);
static_assert(offsetof(struct xen_pmu_intel_ctxt, global_ctrl) == 8);
static_assert(offsetof(struct xen_pmu_intel_ctxt, global_status) == 24);
static_assert(offsetof(struct xen_pmu_intel_ctxt, debugctl) == 56);
static_assert(sizeof(struct xen_pmu_regs) == 32);
static_assert(offsetof(struct xen_pmu_regs, cs) == 24);
static_assert(offsetof(struct xen_pmu_regs, cpl) == 28);
static_assert(sizeof(struct xen_pmu_arch) == 208);
static_assert(offsetof(struct xen_pmu_arch, pmu_flags) == 64);
static_assert(offsetof(struct xen_pmu_arch, l) == 72);
static_assert(offsetof(struct xen_pmu_arch, c) == 80);
static_assert(sizeof(struct xen_pmu_data) == 224);
static_assert(offsetof(struct xen_pmu_data, domain_id) == 8);
static_assert(offsetof(struct xen_pmu_data, pmu) == 16);

struct vpmu_cpu {
	struct xen_pmu_data *page;	/* registered with Xen, or NULL */
	struct xen_pmu_data *kept;	/* this CPU's page, once allocated */
	bool in_pmi;
	u64 ctrls[VPMU_MAX_COUNTERS];	/* event selects Xen handed the PMI */
};

/* For the benchmark: hypercalls per PMI (the design allows one) */
struct vpmu_stats {
	u64 pmis;
	u64 pmi_hypercalls;
	u64 flush_errors;
	u64 quiesced;
	u64 bad_context;
};

static DEFINE_PER_CPU(struct vpmu_cpu, vpmu_cpu);
static DEFINE_PER_CPU(struct vpmu_stats, vpmu_stats);
static struct vpmu_layout vpmu_layout __read_mostly;

/* CPU 0 registered: the other vCPUs try too, and smp_pv binds the VIRQ. */
bool is_xen_pmu __read_mostly;

static int vpmu_op(unsigned int op, struct xen_pmu_params *p)
{
	if (this_cpu_read(vpmu_cpu.in_pmi))
		this_cpu_inc(vpmu_stats.pmi_hypercalls);
	return HYPERVISOR_xenpmu_op(op, p);
}

static void vpmu_params(struct xen_pmu_params *p, u64 val, u32 vcpu)
{
	memset(p, 0, sizeof(*p));
	p->version.maj = XENPMU_VER_MAJ;
	p->version.min = XENPMU_VER_MIN;
	p->val = val;
	p->vcpu = vcpu;
}

/* This CPU's page, if Xen has the context cached; preemption is off */
static struct xen_pmu_data *vpmu_cached_page(void)
{
	struct xen_pmu_data *d = READ_ONCE(this_cpu_ptr(&vpmu_cpu)->page);

	return vpmu_page_is_pmu(d) ? d : NULL;
}

static void vpmu_bad_context(int err)
{
	this_cpu_inc(vpmu_stats.bad_context);
	pr_warn_once("Xen's PMU context is unusable (%d): using the MSRs\n",
		     err);
}

/* Serve a PMU register from the cached context; false: use the MSR */
static bool vpmu_cached_access(const struct vpmu_reg *reg, u64 *val,
			       bool write, int *err)
{
	struct xen_pmu_data *d;
	int rc;

	/* Callers may be preemptible (perf probing counters at init). */
	preempt_disable();
	d = vpmu_cached_page();
	if (!d) {
		preempt_enable();
		return false;
	}
	rc = write ? vpmu_ctxt_write(&vpmu_layout, d, reg, *val) :
		     vpmu_ctxt_read(&vpmu_layout, d, reg, val);
	preempt_enable();
	if (rc == -EPROTO) {
		vpmu_bad_context(rc);
		return false;
	}
	/* What the register itself would do: a read-only one faults. */
	if (rc && err)
		*err = -EIO;
	else if (err)
		*err = 0;
	return true;
}

bool pmu_msr_read(unsigned int msr, u64 *val, int *err)
{
	struct vpmu_reg reg;

	if (!is_xen_pmu || !vpmu_classify(&vpmu_layout, msr, &reg))
		return false;
	if (vpmu_cached_access(&reg, val, false, err))
		return true;
	*val = err ? native_read_msr_safe(msr, err) : native_read_msr(msr);
	return true;
}

bool pmu_msr_write(unsigned int msr, u32 low, u32 high, int *err)
{
	u64 val = (u64)high << 32 | low;
	struct vpmu_reg reg;

	if (!is_xen_pmu || !vpmu_classify(&vpmu_layout, msr, &reg))
		return false;
	if (vpmu_cached_access(&reg, &val, true, err))
		return true;
	if (err)
		*err = native_write_msr_safe(msr, low, high);
	else
		native_write_msr(msr, low, high);
	return true;
}

unsigned long long xen_read_pmc(int counter)
{
	struct vpmu_reg reg;
	u64 val = 0;
	int err;

	/* Without a vPMU perf has no hardware counters to read. */
	if (!is_xen_pmu || vpmu_rdpmc_reg(&vpmu_layout, counter, &reg))
		return 0;
	if (vpmu_cached_access(&reg, &val, false, NULL))
		return val;
	val = native_read_msr_safe(vpmu_reg_msr(&vpmu_layout, &reg), &err);
	return err ? 0 : val;
}

int pmu_apic_update(u32 val)
{
	struct vpmu_cpu *vc = this_cpu_ptr(&vpmu_cpu);
	struct xen_pmu_data *d = READ_ONCE(vc->page);

	if (!d)
		return -ENODEV;
	WRITE_ONCE(d->pmu.l.lapic_lvtpc, val);
	/* Inside a PMI, XENPMU_flush loads it. */
	if (vc->in_pmi)
		return 0;
	return vpmu_op(XENPMU_lvtpc_set, NULL);
}

/* perf asks these while it builds a sample, i.e. inside our PMI */
/* The page of the PMI this CPU is handling, or NULL */
static struct xen_pmu_data *vpmu_pmi_page(void)
{
	struct vpmu_cpu *vc = this_cpu_ptr(&vpmu_cpu);

	return vc->in_pmi ? READ_ONCE(vc->page) : NULL;
}

static unsigned int vpmu_guest_state(void)
{
	struct xen_pmu_data *d = vpmu_pmi_page();

	/* Outside a PMI (software events) the page is stale. */
	return d ? vpmu_sample_state(d, true) : 0;
}

static unsigned long vpmu_guest_ip(void)
{
	struct xen_pmu_data *d = vpmu_pmi_page();

	return d ? vpmu_sample_ip(d) : 0;
}

static struct perf_guest_info_callbacks vpmu_guest_cbs = {
	.state = vpmu_guest_state,
	.get_ip = vpmu_guest_ip,
};

/*
 * Xen refused the context perf left (e.g. a control bit it does not allow)
 * and keeps it cached, which would drop every later PMI of this vCPU:
 * stop the counters in the page and flush again. perf's events on this
 * CPU stop counting; the vCPU's PMU keeps working.
 */
static int vpmu_flush_refused(struct vpmu_cpu *vc, struct xen_pmu_data *d,
			      int err)
{
	this_cpu_inc(vpmu_stats.flush_errors);
	/* Unregistered meanwhile (suspend): nothing of Xen's to recover */
	if (READ_ONCE(vc->page) != d)
		return err;
	vpmu_ctxt_quiesce(&vpmu_layout, d, vc->ctrls);
	err = vpmu_op(XENPMU_flush, NULL);
	if (!err)
		this_cpu_inc(vpmu_stats.quiesced);
	pr_warn_ratelimited("CPU%d: Xen refused the PMU context at XENPMU_flush; %s\n",
			    smp_processor_id(), err ?
			    "it refused the stopped one too, no more PMIs here" :
			    "counters stopped");
	return err;
}

irqreturn_t xen_pmu_irq_handler(int irq, void *dev_id)
{
	struct vpmu_cpu *vc = this_cpu_ptr(&vpmu_cpu);
	struct xen_pmu_data *d = READ_ONCE(vc->page);
	irqreturn_t ret = IRQ_NONE;
	struct pt_regs regs;
	int err;

	if (!d)
		return IRQ_NONE;
	this_cpu_inc(vpmu_stats.pmis);
	vc->in_pmi = true;
	vpmu_ctxt_save_controls(&vpmu_layout, d, vc->ctrls);
	vpmu_sample_regs(d, &regs);
	if (x86_pmu.handle_irq && x86_pmu.handle_irq(&regs))
		ret = IRQ_HANDLED;
	err = vpmu_op(XENPMU_flush, NULL);
	if (err)
		err = vpmu_flush_refused(vc, d, err);
	vc->in_pmi = false;
	return err ? IRQ_NONE : ret;
}

static void __init vpmu_layout_init(void)
{
	u32 eax, ebx, ecx, edx;

	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		vpmu_layout_amd(&vpmu_layout,
				boot_cpu_has(X86_FEATURE_PERFCTR_CORE));
		break;
	case X86_VENDOR_INTEL:
	case X86_VENDOR_CENTAUR:
	case X86_VENDOR_ZHAOXIN:
		cpuid(0xa, &eax, &ebx, &ecx, &edx);
		vpmu_layout_intel(&vpmu_layout, eax, edx);
		break;
	default:
		break;
	}
}

static void vpmu_report(unsigned int cpu, int err)
{
	if (cpu)
		pr_warn("CPU%u: no vPMU, XENPMU_init failed (%d)\n", cpu, err);
	else if (err == -EOPNOTSUPP)
		pr_info("Xen offers no vPMU (it needs vpmu=on and a PMU it supports): software events only\n");
	else if (err == -EINVAL)
		pr_warn("Xen refused vPMU ABI %u.%u: software events only\n",
			XENPMU_VER_MAJ, XENPMU_VER_MIN);
	else
		pr_warn("XENPMU_init failed (%d): software events only\n", err);
}

void xen_pmu_init(int cpu)
{
	struct vpmu_cpu *vc = per_cpu_ptr(&vpmu_cpu, cpu);
	struct xen_pmu_data *page = vc->kept;
	struct xen_pmu_params p;
	int err;

	/* Registration is PV-only; the other vCPUs follow CPU 0's outcome. */
	if (!xen_pv_domain() || (cpu && !is_xen_pmu))
		return;
	if (page) {
		/* Nothing stale (PMU_CACHED) from before the CPU went down */
		clear_page(page);
	} else {
		page = (struct xen_pmu_data *)get_zeroed_page(GFP_KERNEL);
		if (!page) {
			pr_warn("CPU%d: no memory for the vPMU page\n", cpu);
			return;
		}
	}
	vpmu_params(&p, virt_to_gfn(page), xen_vcpu_nr(cpu));
	err = vpmu_op(XENPMU_init, &p);
	if (err) {
		if (!vc->kept)
			free_page((unsigned long)page);
		vpmu_report(cpu, err);
		return;
	}
	vc->kept = page;
	vc->in_pmi = false;
	WRITE_ONCE(vc->page, page);
	if (cpu || is_xen_pmu)
		return;

	vpmu_layout_init();
	if (xen_initial_domain())
		perf_register_guest_info_callbacks(&vpmu_guest_cbs);
	is_xen_pmu = true;
	pr_info("vPMU on: %u counters, %u fixed\n", vpmu_layout.counters,
		vpmu_layout.fixed);
}

/*
 * Unregister @cpu's page. It stays allocated: the CPU's PMI handler may
 * still be reading it (suspend finishes every CPU from one), and Xen may
 * still hold it when it refuses XENPMU_finish (a bad version or argument:
 * Xen returns before it lets go), in which case it is not used again.
 */
void xen_pmu_finish(int cpu)
{
	struct vpmu_cpu *vc = per_cpu_ptr(&vpmu_cpu, cpu);
	struct xen_pmu_params p;
	int err;

	if (!vc->page)
		return;
	WRITE_ONCE(vc->page, NULL);
	vpmu_params(&p, 0, xen_vcpu_nr(cpu));
	err = vpmu_op(XENPMU_finish, &p);
	if (err) {
		pr_warn("CPU%d: XENPMU_finish failed (%d): its page stays Xen's\n",
			cpu, err);
		vc->kept = NULL;
	}
}

/* CPUID leaf 0xa in a PV guest: no more counters than Xen emulates */
void xen_pmu_cpuid_0a(u32 *eax, u32 *edx)
{
	vpmu_cpuid_0a_limit(eax, edx);
}

static int vpmu_stats_show(struct seq_file *m, void *v)
{
	struct vpmu_stats sum = {};
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct vpmu_stats *s = per_cpu_ptr(&vpmu_stats, cpu);

		sum.pmis += READ_ONCE(s->pmis);
		sum.pmi_hypercalls += READ_ONCE(s->pmi_hypercalls);
		sum.flush_errors += READ_ONCE(s->flush_errors);
		sum.quiesced += READ_ONCE(s->quiesced);
		sum.bad_context += READ_ONCE(s->bad_context);
	}
	seq_printf(m, "registered %d\npmis %llu\npmi_hypercalls %llu\n",
		   is_xen_pmu, sum.pmis, sum.pmi_hypercalls);
	seq_printf(m, "flush_errors %llu\nquiesced %llu\nbad_context %llu\n",
		   sum.flush_errors, sum.quiesced, sum.bad_context);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vpmu_stats);

/* /sys/kernel/debug/xen/pmu, next to the other Xen files when there are */
static int __init vpmu_debugfs_init(void)
{
	struct dentry *xen;

	if (!xen_pv_domain())
		return 0;
	if (IS_ENABLED(CONFIG_XEN_DEBUG_FS))
		xen = xen_init_debugfs();
	else
		xen = debugfs_create_dir("xen", NULL);
	debugfs_create_file("pmu", 0400, xen, NULL, &vpmu_stats_fops);
	return 0;
}
late_initcall(vpmu_debugfs_init);
