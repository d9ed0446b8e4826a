/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks a Xen guest applies to a persistent-memory range that its
 * backend announces, and its answer to each backend state, kept free of
 * kernel state so that KUnit can feed them any range, any view of the
 * guest's address space and any pair of states.
 */
#ifndef XEN_PMEM_RANGE_H
#define XEN_PMEM_RANGE_H

#include <linux/sizes.h>
#include <linux/types.h>
#include <xen/interface/io/xenbus.h>

/* 2 MiB units, so that DAX can map a region with PMDs. */
#define XEN_PMEM_ALIGN_FRAMES	(SZ_2M / SZ_4K)
#define XEN_PMEM_MAX_REGIONS	16

/* A range of guest frames (4 KiB each). */
struct xen_pmem_range {
	u64 gfn;
	u64 nr;
};

enum xen_pmem_verdict {
	XEN_PMEM_OK,
	XEN_PMEM_ZERO_SIZE,
	XEN_PMEM_MISALIGNED,
	XEN_PMEM_BEYOND_PHYS,
	XEN_PMEM_OVERLAPS_RAM,
	XEN_PMEM_DUPLICATE,
	XEN_PMEM_OVERLAPS_REGION,
	XEN_PMEM_TOO_MANY,
};

/* What the guest knows of its own physical address space. */
struct xen_pmem_space {
	unsigned int phys_bits;
	/* Does [start, start + size) hold any of the guest's RAM? */
	bool (*has_ram)(u64 start, u64 size);
	/* The regions this guest has already registered. */
	const struct xen_pmem_range *taken;
	unsigned int nr_taken;
};

enum xen_pmem_verdict xen_pmem_check(const struct xen_pmem_range *r,
				     const struct xen_pmem_space *space);
const char *xen_pmem_verdict_str(enum xen_pmem_verdict v);
int xen_pmem_verdict_errno(enum xen_pmem_verdict v);
int xen_pmem_parse_frames(const char *text, u64 *frames);

/* What the frontend does when it sees the backend's state. */
enum xen_pmem_step {
	XEN_PMEM_STAY,		/* nothing */
	XEN_PMEM_CONNECT,	/* read, check and register the range */
	XEN_PMEM_RELEASE,	/* remove the region unless it is held */
	XEN_PMEM_CLOSE,		/* no region: go Closed */
};

enum xen_pmem_step xen_pmem_next_step(enum xenbus_state backend,
				      enum xenbus_state frontend, bool has_region,
				      bool sleeping);

#endif
