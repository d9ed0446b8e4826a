/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/xen/vmtrace: dom0's access to a domU vCPU's Intel PT buffer, which
 * Xen (4.15 and later, "vmtrace") fills while the vCPU runs.
 *
 * One open file traces one vCPU, and one vCPU is traced through one open
 * file at a time (EBUSY): ATTACH names it and learns the buffer
 * size; mmap() of that size at offset 0 maps the buffer read-only; POLL
 * follows Xen's write position and says which bytes are new and which
 * were overwritten before they were read; CONSUME hands bytes back.
 * GET_OPTION and SET_OPTION read and write Xen's trace settings.
 */
#ifndef _UAPI_XEN_VMTRACE_H
#define _UAPI_XEN_VMTRACE_H

#include <linux/ioctl.h>
#include <linux/types.h>

struct xen_vmtrace_attach {
	__u32 domid;	/* in */
	__u32 vcpu;	/* in */
	__u64 size;	/* out: bytes in the buffer, a power of two */
};

/* Positions count bytes since the last ATTACH or RESET. */
struct xen_vmtrace_poll {
	__u64 head;	/* written by the vCPU */
	__u64 tail;	/* consumed by the reader */
	__u64 lost;	/* overwritten before they were read, in total */
	__u64 at;	/* offset in the buffer of the first unread byte */
	__u64 len;	/* unread bytes there before the buffer's end */
};

/*
 * Intel PT: key is an MSR index, RTIT_CTL (0x570, whose bits perf's
 * intel_pt config mirrors) or RTIT_STATUS (0x571); Xen filters the
 * values. SET_OPTION never changes RTIT_CTL.TraceEn (ENABLE and DISABLE
 * do).
 */
struct xen_vmtrace_option {
	__u64 key;
	__u64 value;
};

#define XEN_VMTRACE_IOC_ATTACH	_IOWR(0xB8, 0x00, struct xen_vmtrace_attach)
#define XEN_VMTRACE_IOC_ENABLE	_IO(0xB8, 0x01)
#define XEN_VMTRACE_IOC_DISABLE	_IO(0xB8, 0x02)
/* Stop if tracing, empty the buffer, enable: positions restart at 0. */
#define XEN_VMTRACE_IOC_RESET	_IO(0xB8, 0x03)
#define XEN_VMTRACE_IOC_POLL	_IOR(0xB8, 0x04, struct xen_vmtrace_poll)
#define XEN_VMTRACE_IOC_CONSUME	_IOW(0xB8, 0x05, __u64)
#define XEN_VMTRACE_IOC_GET_OPTION	_IOWR(0xB8, 0x06, struct xen_vmtrace_option)
#define XEN_VMTRACE_IOC_SET_OPTION	_IOW(0xB8, 0x07, struct xen_vmtrace_option)

#endif
