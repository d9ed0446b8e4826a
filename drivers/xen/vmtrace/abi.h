/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of Xen's domctl and sysctl ABI that vmtrace needs, from Xen's
 * public domctl.h and sysctl.h (4.17 to 4.20). Both interfaces carry a
 * version that Xen checks before anything else, refusing any other with
 * EACCES. Xen 4.18 and 4.19 each bumped the domctl version, but
 * XEN_DOMCTL_vmtrace_op, its number and the layout used here did not
 * change from 4.17 to 4.20, nor did the physinfo sysctl (0x15).
 */
#ifndef _XEN_VMTRACE_ABI_H
#define _XEN_VMTRACE_ABI_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <xen/interface/xen.h>

/* Domctl versions of Xen 4.19 and 4.20, 4.18, 4.17: newest first */
#define VMTRACE_DOMCTL_VERSIONS		{ 0x00000017, 0x00000016, 0x00000015 }
#define XEN_SYSCTL_INTERFACE_VERSION	0x00000015

#define XEN_SYSCTL_physinfo		3
#define XEN_SYSCTL_PHYSCAP_vmtrace	BIT(6)

#define XEN_DOMCTL_vmtrace_op		84
#define XEN_DOMCTL_vmtrace_enable		1
#define XEN_DOMCTL_vmtrace_disable		2
#define XEN_DOMCTL_vmtrace_reset_and_enable	3
#define XEN_DOMCTL_vmtrace_output_position	4
#define XEN_DOMCTL_vmtrace_get_option		5
#define XEN_DOMCTL_vmtrace_set_option		6

/* XENMEM_acquire_resource type of a vCPU's trace buffer (id = vCPU) */
#define XENMEM_resource_vmtrace_buf	2

struct xen_domctl_vmtrace_op {
	u32 cmd;
	u32 vcpu;
	u64 key;
	u64 value;	/* output_position: the offset Xen writes at next */
};

struct xen_domctl {
	u32 cmd;
	u32 interface_version;
	domid_t domain;
	u16 pad[3];
	union {
		struct xen_domctl_vmtrace_op vmtrace_op;
		u8 pad[128];
	} u;
};

struct xen_sysctl_physinfo {
	u32 threads_per_core;
	u32 cores_per_socket;
	u32 nr_cpus;
	u32 max_cpu_id;
	u32 nr_nodes;
	u32 max_node_id;
	u32 cpu_khz;
	u32 capabilities;	/* XEN_SYSCTL_PHYSCAP_* */
	u32 arch_capabilities;
	u32 pad;
	u64 total_pages;
	u64 free_pages;
	u64 scrub_pages;
	u64 outstanding_pages;
	u64 max_mfn;
	u32 hw_cap[8];
};

struct xen_sysctl {
	u32 cmd;
	u32 interface_version;
	union {
		struct xen_sysctl_physinfo physinfo;
		u8 pad[128];
	} u;
};

static_assert(sizeof(struct xen_domctl_vmtrace_op) == 24);
static_assert(offsetof(struct xen_domctl_vmtrace_op, value) == 16);
static_assert(offsetof(struct xen_domctl, domain) == 8);
static_assert(offsetof(struct xen_domctl, u) == 16);
static_assert(sizeof(struct xen_domctl) == 144);
static_assert(offsetof(struct xen_sysctl_physinfo, capabilities) == 28);
static_assert(offsetof(struct xen_sysctl_physinfo, hw_cap) == 80);
static_assert(sizeof(struct xen_sysctl_physinfo) == 112);
static_assert(offsetof(struct xen_sysctl, u) == 8);
static_assert(sizeof(struct xen_sysctl) == 136);

/* Sends one harmless domctl at @version: 0 or the hypercall's -errno */
typedef int (*vmtrace_domctl_probe_t)(void *ctx, u32 version);

int vmtrace_find_domctl_version(vmtrace_domctl_probe_t probe, void *ctx,
				u32 *version);

#endif
