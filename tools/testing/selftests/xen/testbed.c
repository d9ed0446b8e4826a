// SPDX-License-Identifier: GPL-2.0
/*
 * The devices the Xen test bed's QEMU machine gives dom0, found by what
 * they are rather than where: later tests (pciback reset, vNVDIMM) need a
 * PCIe function with FLR in a hotplug slot, a multi-function device without
 * FLR, a conventional bridge with two devices behind it, and an NVDIMM.
 * Runs when the launcher says xst.testbed=1; elsewhere it skips as a whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"

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

static bool on_testbed(void)
{
	char buf[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	return strstr(buf, "xst.testbed=1");
}

/* Read the config header of every PCI function once; returns how many. */
static int load_functions(void)
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

static uint16_t cfg16(const struct fn *f, int off)
{
	return f->cfg[off] | f->cfg[off + 1] << 8;
}

static uint32_t cfg32(const struct fn *f, int off)
{
	return cfg16(f, off) | (uint32_t)cfg16(f, off + 2) << 16;
}

/* Offset of the PCI Express capability, or 0. */
static int pcie_cap(const struct fn *f)
{
	int pos = f->cfg[PCI_CAP_PTR] & ~3, guard = 48;

	while (pos >= 0x40 && pos < CFG_SIZE - 2 && guard--) {
		if (f->cfg[pos] == PCI_CAP_ID_EXP)
			return pos;
		pos = f->cfg[pos + 1] & ~3;
	}
	return 0;
}

static bool has_flr(const struct fn *f)
{
	int cap = pcie_cap(f);

	return cap && (cfg32(f, cap + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR);
}

static bool is_bridge(const struct fn *f)
{
	return cfg16(f, PCI_CLASS_DEVICE) == PCI_CLASS_BRIDGE_PCI;
}

static unsigned int bus_of(const struct fn *f)
{
	unsigned int dom, bus;

	return sscanf(f->bdf, "%x:%x", &dom, &bus) == 2 ? bus : ~0u;
}

/* Functions on @bus, and how many of them have FLR. */
static int on_bus(unsigned int bus, int *with_flr)
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
static bool hotplug_slot_on(unsigned int bus)
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

TEST(flr_device_in_hotplug_slot)
{
	int i, n, flr;

	ASSERT_LT(0, load_functions()) TH_LOG("no PCI function readable in " PCI_DEVS);
	for (i = 0; i < nfns; i++) {
		if (!is_bridge(&fns[i]) || !pcie_cap(&fns[i]))
			continue;
		n = on_bus(fns[i].cfg[PCI_SECONDARY_BUS], &flr);
		if (n == 1 && flr == 1 && hotplug_slot_on(fns[i].cfg[PCI_SECONDARY_BUS])) {
			TH_LOG("%s: root port, hotplug slot, one function with FLR", fns[i].bdf);
			return;
		}
	}
	ASSERT_TRUE(0) TH_LOG("no PCIe port with a hotplug slot holding one FLR function");
}

TEST(multifunction_without_flr)
{
	int i, n, flr;

	ASSERT_LT(0, load_functions()) TH_LOG("no PCI function readable in " PCI_DEVS);
	for (i = 0; i < nfns; i++) {
		if (!is_bridge(&fns[i]) || !pcie_cap(&fns[i]))
			continue;
		n = on_bus(fns[i].cfg[PCI_SECONDARY_BUS], &flr);
		if (n >= 2 && flr == 0) {
			TH_LOG("%s: %d functions behind it, none with FLR", fns[i].bdf, n);
			return;
		}
	}
	ASSERT_TRUE(0) TH_LOG("no PCIe port with a multi-function device lacking FLR");
}

TEST(conventional_bridge_with_two_devices)
{
	int i, n, flr;

	ASSERT_LT(0, load_functions()) TH_LOG("no PCI function readable in " PCI_DEVS);
	for (i = 0; i < nfns; i++) {
		if (!is_bridge(&fns[i]) || pcie_cap(&fns[i]))
			continue;
		n = on_bus(fns[i].cfg[PCI_SECONDARY_BUS], &flr);
		if (n == 2) {
			TH_LOG("%s: conventional bridge to bus %02x with 2 devices",
			       fns[i].bdf, fns[i].cfg[PCI_SECONDARY_BUS]);
			return;
		}
	}
	ASSERT_TRUE(0) TH_LOG("no conventional PCI bridge with two devices behind it");
}

TEST(multifunction_header_bit)
{
	int i, multi = 0;

	ASSERT_LT(0, load_functions()) TH_LOG("no PCI function readable in " PCI_DEVS);
	/* Function 0 of a multi-function device says so in its header type. */
	for (i = 0; i < nfns; i++)
		if (strstr(fns[i].bdf, ".0") && (fns[i].cfg[PCI_HEADER_TYPE] & PCI_HEADER_MULTI) &&
		    !is_bridge(&fns[i]))
			multi++;
	ASSERT_LE(1, multi) TH_LOG("no endpoint function 0 has the multi-function bit");
}

TEST(nvdimm_pmem0)
{
	char buf[4096] = "", *want;
	long long sectors;
	FILE *f;
	int fd;
	ssize_t n;

	f = fopen("/proc/cmdline", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	want = strstr(buf, "xst.nvdimm=");
	ASSERT_NE(NULL, want) TH_LOG("no xst.nvdimm= claim on the command line");
	want += strlen("xst.nvdimm=");

	if (!strncmp(want, "withheld", 8)) {
		/*
		 * Xen 4.17 builds a PVH dom0's XSDT from an allow-list that has
		 * no NFIT, so the NVDIMM stays invisible to dom0's ACPI.
		 */
		ASSERT_NE(0, access("/sys/firmware/acpi/tables/NFIT", F_OK));
		ASSERT_NE(0, access("/sys/block/pmem0", F_OK));
		return;
	}
	ASSERT_EQ(0, access("/sys/firmware/acpi/tables/NFIT", F_OK)) TH_LOG("no ACPI NFIT");
	fd = open("/sys/block/pmem0/size", O_RDONLY);
	ASSERT_LE(0, fd) TH_LOG("no /sys/block/pmem0: libnvdimm found no namespace");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	sectors = atoll(buf);
	/* The test bed's NVDIMM is 256 MiB, all of it one raw namespace. */
	ASSERT_EQ(256LL << 20, sectors * 512);
	ASSERT_EQ(0, access("/dev/pmem0", R_OK | W_OK)) TH_LOG("/dev/pmem0: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	if (!on_testbed()) {
		ksft_print_header();
		ksft_exit_skip("no xst.testbed=1 on the command line: not the Xen test bed\n");
	}
	return test_harness_run(argc, argv);
}
