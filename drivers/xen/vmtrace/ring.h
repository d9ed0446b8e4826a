/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bookkeeping of a vmtrace buffer. Xen reports only where it will write
 * next; it wraps at the end of the buffer and does not stop. The ring
 * turns successive positions into byte counts: it assumes fewer than one
 * buffer of trace between two observations (Xen 4.17 offers nothing to
 * tell more wraps apart), and whatever the reader has not consumed when
 * the writer has gone a full buffer past it is counted lost, never
 * offered as data.
 */
#ifndef _XEN_VMTRACE_RING_H
#define _XEN_VMTRACE_RING_H

#include <linux/bits.h>
#include <linux/types.h>

struct vmtrace_ring {
	u64 size;	/* bytes, a power of two */
	u64 start;	/* buffer offset of byte 0 of the count */
	u64 offset;	/* where Xen writes next, as last seen */
	u64 head;	/* bytes written since the reset */
	u64 tail;	/* bytes consumed since the reset */
	u64 lost;	/* bytes overwritten before they were consumed */
};

/* Largest buffer taken from Xen: 4 GiB */
#define VMTRACE_MAX_FRAMES	BIT_ULL(20)

int vmtrace_ring_init(struct vmtrace_ring *r, u64 frames);
/* Count from @offset: what Xen wrote before is not offered. */
int vmtrace_ring_reset(struct vmtrace_ring *r, u64 offset);
void vmtrace_ring_restart(struct vmtrace_ring *r);
int vmtrace_ring_advance(struct vmtrace_ring *r, u64 offset);
void vmtrace_ring_unread(const struct vmtrace_ring *r, u64 *at, u64 *len);
int vmtrace_ring_consume(struct vmtrace_ring *r, u64 len);
const char *vmtrace_option_refusal(bool set, u64 key, u64 ctl, u64 value);

#endif
