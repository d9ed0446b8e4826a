/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where an Intel PT stream may be decoded again after a gap. Trace bytes
 * that follow lost ones may start mid-packet, and perf decodes the
 * AUXTRACE records of a full-trace file as one stream, so the recorder
 * drops what precedes the next PSB (the packet a decoder syncs on).
 * Shared by tools/xen/xen-vmtrace-perf.c and its selftest.
 */
#ifndef PT_RESYNC_H
#define PT_RESYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* PSB: 02 82, eight times */
#define PT_PSB_LEN	16

static inline bool pt_is_psb(const unsigned char *p)
{
	int i;

	for (i = 0; i < PT_PSB_LEN; i += 2)
		if (p[i] != 0x02 || p[i + 1] != 0x82)
			return false;
	return true;
}

/*
 * How many of the @n bytes at @data to drop while resyncing. *@found says
 * whether a PSB starts right after them. Without one, the last bytes that
 * could still begin a PSB the next bytes complete are kept back.
 */
static inline size_t pt_resync_drop(const void *data, size_t n, bool *found)
{
	const unsigned char *p = data;
	size_t i;

	*found = false;
	for (i = 0; i + PT_PSB_LEN <= n; i++) {
		if (pt_is_psb(p + i)) {
			*found = true;
			return i;
		}
	}
	return n < PT_PSB_LEN ? 0 : n - (PT_PSB_LEN - 1);
}

#endif
