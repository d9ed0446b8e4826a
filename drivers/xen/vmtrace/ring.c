// SPDX-License-Identifier: GPL-2.0
/* vmtrace buffer bookkeeping: see ring.h */
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/page.h>

#include "ring.h"

/* Frames from Xen's size query: a power of two, 1 to 4 GiB worth */
int vmtrace_ring_init(struct vmtrace_ring *r, u64 frames)
{
	memset(r, 0, sizeof(*r));
	if (!frames || frames > VMTRACE_MAX_FRAMES || !is_power_of_2(frames))
		return -EPROTO;
	r->size = frames << PAGE_SHIFT;
	return 0;
}

int vmtrace_ring_reset(struct vmtrace_ring *r, u64 offset)
{
	if (offset >= r->size)
		return -EPROTO;
	r->start = offset;
	r->offset = offset;
	r->head = 0;
	r->tail = 0;
	r->lost = 0;
	return 0;
}

/*
 * After Xen's reset_and_enable: Xen moved its offset to 0 with the vCPU
 * paused, and the vCPU may have written on since. Counting from a position
 * read now would drop the trace's first bytes, its first PSB included.
 */
void vmtrace_ring_restart(struct vmtrace_ring *r)
{
	vmtrace_ring_reset(r, 0);
}

int vmtrace_ring_advance(struct vmtrace_ring *r, u64 offset)
{
	u64 unread;

	if (offset >= r->size)
		return -EPROTO;
	/* Behind the last position: Xen wrapped (once, by assumption). */
	if (offset >= r->offset)
		r->head += offset - r->offset;
	else
		r->head += r->size - r->offset + offset;
	r->offset = offset;

	unread = r->head - r->tail;
	if (unread > r->size) {
		r->lost += unread - r->size;
		r->tail = r->head - r->size;
	}
	return 0;
}

/* The first unread bytes that lie in one piece of the buffer */
void vmtrace_ring_unread(const struct vmtrace_ring *r, u64 *at, u64 *len)
{
	*at = (r->start + r->tail) & (r->size - 1);
	*len = min(r->head - r->tail, r->size - *at);
}

int vmtrace_ring_consume(struct vmtrace_ring *r, u64 len)
{
	if (len > r->head - r->tail)
		return -EINVAL;
	r->tail += len;
	return 0;
}

/*
 * Xen 4.17 to 4.20 take two keys, RTIT_CTL and RTIT_STATUS; any other
 * comes back EINVAL, so it is refused here with a reason. One write would
 * put Xen out of step: TraceEn, which Xen also tracks apart from the MSR
 * (ENABLE and DISABLE set both). @ctl: RTIT_CTL now, for a write to it.
 * Returns NULL when the request may go to Xen, else why not.
 */
const char *vmtrace_option_refusal(bool set, u64 key, u64 ctl, u64 value)
{
	switch (key) {
	case MSR_IA32_RTIT_STATUS:
		return NULL;
	case MSR_IA32_RTIT_OUTPUT_MASK:
		return set ? "the output offset moves with RESET only" :
			     "Xen does not offer it (POLL gives the position)";
	case MSR_IA32_RTIT_CTL:
		if (set && ((ctl ^ value) & RTIT_CTL_TRACEEN))
			return "TraceEn changes with ENABLE and DISABLE only";
		return NULL;
	}
	return "not an RTIT MSR that Xen offers";
}
