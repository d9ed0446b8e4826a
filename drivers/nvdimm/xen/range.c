// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of the persistent-memory ranges a Xen backend hands a guest.
 * Nothing the backend writes is trusted: each range must be non-empty,
 * aligned, addressable, clear of RAM and clear of every other region.
 * Also the frontend's side of the xenbus handshake.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/page.h>

#include "range.h"

static bool ranges_meet(const struct xen_pmem_range *a,
			const struct xen_pmem_range *b)
{
	return a->gfn < b->gfn + b->nr && b->gfn < a->gfn + a->nr;
}

enum xen_pmem_verdict xen_pmem_check(const struct xen_pmem_range *r,
				     const struct xen_pmem_space *space)
{
	u64 max_frames = 1ULL << (space->phys_bits - PAGE_SHIFT);
	unsigned int i;

	if (!r->nr)
		return XEN_PMEM_ZERO_SIZE;
	if (r->gfn % XEN_PMEM_ALIGN_FRAMES || r->nr % XEN_PMEM_ALIGN_FRAMES)
		return XEN_PMEM_MISALIGNED;
	/* Both bounds are below 2^52, so the sum and the shifts cannot wrap. */
	if (r->gfn >= max_frames || r->nr > max_frames - r->gfn)
		return XEN_PMEM_BEYOND_PHYS;
	if (space->has_ram(r->gfn << PAGE_SHIFT, r->nr << PAGE_SHIFT))
		return XEN_PMEM_OVERLAPS_RAM;
	for (i = 0; i < space->nr_taken; i++) {
		const struct xen_pmem_range *t = &space->taken[i];

		if (t->gfn == r->gfn && t->nr == r->nr)
			return XEN_PMEM_DUPLICATE;
		if (ranges_meet(t, r))
			return XEN_PMEM_OVERLAPS_REGION;
	}
	if (space->nr_taken >= XEN_PMEM_MAX_REGIONS)
		return XEN_PMEM_TOO_MANY;
	return XEN_PMEM_OK;
}

static const struct {
	const char *why;
	int err;
} xen_pmem_verdicts[] = {
	[XEN_PMEM_OK]			= { "usable", 0 },
	[XEN_PMEM_ZERO_SIZE]		= { "zero size", -EINVAL },
	[XEN_PMEM_MISALIGNED]		= { "not 2 MiB aligned", -EINVAL },
	[XEN_PMEM_BEYOND_PHYS]		= { "beyond the physical address space", -ERANGE },
	[XEN_PMEM_OVERLAPS_RAM]		= { "overlaps RAM", -EBUSY },
	[XEN_PMEM_DUPLICATE]		= { "already registered", -EEXIST },
	[XEN_PMEM_OVERLAPS_REGION]	= { "overlaps another region", -EBUSY },
	[XEN_PMEM_TOO_MANY]		= { "too many regions", -ENOSPC },
};

const char *xen_pmem_verdict_str(enum xen_pmem_verdict v)
{
	return v < ARRAY_SIZE(xen_pmem_verdicts) ? xen_pmem_verdicts[v].why : "?";
}

int xen_pmem_verdict_errno(enum xen_pmem_verdict v)
{
	return v < ARRAY_SIZE(xen_pmem_verdicts) ? xen_pmem_verdicts[v].err : -EINVAL;
}

/*
 * A frame number or count as the backend writes it: hex digits, nothing
 * else ("0x" and a sign are refused too, so there is one spelling).
 */
int xen_pmem_parse_frames(const char *text, u64 *frames)
{
	size_t len = strlen(text);

	if (!len || len > 16 || strspn(text, "0123456789abcdefABCDEF") != len)
		return -EINVAL;
	return kstrtou64(text, 16, frames);
}

/*
 * The backend offers the range in InitWait (or already Connected, as a
 * hand-written backend may say) and takes it back with Closing or Closed.
 * Only a frontend still Initialising connects; whatever its state, one
 * with a region gives it up (a failed switch to Connected may have left
 * it Closing with one), and a Closed one without a region stays so.
 * While a system sleep transition that this device let start (@sleeping)
 * is under way, it does not connect: the region would cross a save or a
 * migration. The offer is taken once the transition is over.
 */
enum xen_pmem_step xen_pmem_next_step(enum xenbus_state backend,
				      enum xenbus_state frontend, bool has_region,
				      bool sleeping)
{
	switch (backend) {
	case XenbusStateInitWait:
	case XenbusStateConnected:
		if (frontend == XenbusStateInitialising && !has_region && !sleeping)
			return XEN_PMEM_CONNECT;
		return XEN_PMEM_STAY;
	case XenbusStateClosing:
	case XenbusStateClosed:
		if (has_region)
			return XEN_PMEM_RELEASE;
		return frontend == XenbusStateClosed ? XEN_PMEM_STAY : XEN_PMEM_CLOSE;
	default:
		return XEN_PMEM_STAY;
	}
}
