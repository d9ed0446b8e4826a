/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Xen test bed's PCI devices, found by what they are: config space is
 * read through sysfs and the topology walked from each bridge down.
 */
#ifndef XEN_SELFTEST_TESTBED_H
#define XEN_SELFTEST_TESTBED_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xst.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define PCI_DEVS		"/sys/bus/pci/devices"
#define CFG_SIZE		256

#define PCI_HEADER_TYPE		0x0e
#define  PCI_HEADER_MULTI	0x80
#define PCI_CLASS_DEVICE	0x0a
#define PCI_CAP_PTR		0x34
#define PCI_SECONDARY_BUS	0x19
#define PCI_CAP_ID_EXP		0x10
#define PCI_EXP_DEVCAP		4
#define  PCI_EXP_DEVCAP_FLR	0x10000000
#define PCI_CLASS_BRIDGE_PCI	0x0604

struct fn {
	char bdf[NAME_MAX + 1];
	uint8_t cfg[CFG_SIZE];
};

static struct fn fns[64];
static int nfns;

static inline bool on_testbed(void)
{
	return cmdline_has("xst.testbed=1");
}

/* Read the config header of every PCI function once; returns how many. */
static inline int load_functions(void)
{
	struct dirent *de;
	char path[300];
	DIR *d;
	int fd;

	if (nfns)
		return nfns;
	d = opendir(PCI_DEVS);
	if (!d)
		return 0;
	while ((de = readdir(d)) && nfns < (int)ARRAY_SIZE(fns)) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVS "/%s/config", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		if (read(fd, fns[nfns].cfg, CFG_SIZE) == CFG_SIZE) {
			snprintf(fns[nfns].bdf, sizeof(fns[nfns].bdf), "%s", de->d_name);
			nfns++;
		}
		close(fd);
	}
	closedir(d);
	return nfns;
}

static inline uint16_t cfg16(const struct fn *f, int off)
{
	return f->cfg[off] | f->cfg[off + 1] << 8;
}

static inline uint32_t cfg32(const struct fn *f, int off)
{
	return cfg16(f, off) | (uint32_t)cfg16(f, off + 2) << 16;
}

/* Offset of the PCI Express capability, or 0. */
static inline int pcie_cap(const struct fn *f)
{
	int pos = f->cfg[PCI_CAP_PTR] & ~3, guard = 48;

	while (pos >= 0x40 && pos < CFG_SIZE - 2 && guard--) {
		if (f->cfg[pos] == PCI_CAP_ID_EXP)
			return pos;
		pos = f->cfg[pos + 1] & ~3;
	}
	return 0;
}

static inline bool has_flr(const struct fn *f)
{
	int cap = pcie_cap(f);

	return cap && (cfg32(f, cap + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR);
}

static inline bool is_bridge(const struct fn *f)
{
	return cfg16(f, PCI_CLASS_DEVICE) == PCI_CLASS_BRIDGE_PCI;
}

static inline unsigned int bus_of(const struct fn *f)
{
	unsigned int dom, bus;

	return sscanf(f->bdf, "%x:%x", &dom, &bus) == 2 ? bus : ~0u;
}

/* Functions on @bus, and how many of them have FLR. */
static inline int on_bus(unsigned int bus, int *with_flr)
{
	int i, n = 0;

	*with_flr = 0;
	for (i = 0; i < nfns; i++) {
		if (bus_of(&fns[i]) != bus)
			continue;
		n++;
		*with_flr += has_flr(&fns[i]);
	}
	return n;
}

/* Is there a hotplug slot for @bus in /sys/bus/pci/slots? */
static inline bool hotplug_slot_on(unsigned int bus)
{
	char path[300], addr[32];
	struct dirent *de;
	unsigned int dom, b;
	bool found = false;
	DIR *d = opendir("/sys/bus/pci/slots");
	FILE *f;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/slots/%s/address", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(addr, sizeof(addr), f) && sscanf(addr, "%x:%x", &dom, &b) == 2)
			found = b == bus;
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Indices into fns[] of up to @max functions on bus @bus. */
static inline int fns_on_bus(unsigned int bus, int *idx, int max)
{
	int i, n = 0;

	for (i = 0; i < nfns && n < max; i++)
		if (bus_of(&fns[i]) == bus)
			idx[n++] = i;
	return n;
}

/* A PCIe port with a hotplug slot and one function with FLR behind it. */
static inline int find_flr_in_slot(int *fn)
{
	int i, n, flr;

	for (i = 0; i < nfns; i++) {
		if (!is_bridge(&fns[i]) || !pcie_cap(&fns[i]))
			continue;
		n = on_bus(fns[i].cfg[PCI_SECONDARY_BUS], &flr);
		if (n == 1 && flr == 1 && hotplug_slot_on(fns[i].cfg[PCI_SECONDARY_BUS])) {
			fns_on_bus(fns[i].cfg[PCI_SECONDARY_BUS], fn, 1);
			return i;
		}
	}
	return -1;
}

/* A PCIe port with two or more functions behind it, none with FLR. */
static inline int find_multifunction(int fn[2])
{
	int i, n, flr;

	for (i = 0; i < nfns; i++) {
		if (!is_bridge(&fns[i]) || !pcie_cap(&fns[i]))
			continue;
		n = on_bus(fns[i].cfg[PCI_SECONDARY_BUS], &flr);
		if (n >= 2 && flr == 0) {
			fns_on_bus(fns[i].cfg[PCI_SECONDARY_BUS], fn, 2);
			return i;
		}
	}
	return -1;
}

/* A conventional PCI bridge with exactly two devices behind it. */
static inline int find_conventional_pair(int fn[2])
{
	int i, flr;

	for (i = 0; i < nfns; i++) {
		if (!is_bridge(&fns[i]) || pcie_cap(&fns[i]))
			continue;
		if (on_bus(fns[i].cfg[PCI_SECONDARY_BUS], &flr) == 2) {
			fns_on_bus(fns[i].cfg[PCI_SECONDARY_BUS], fn, 2);
			return i;
		}
	}
	return -1;
}

#endif
