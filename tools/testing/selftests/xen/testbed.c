// SPDX-License-Identifier: GPL-2.0
/*
 * The devices the Xen test bed's QEMU machine gives dom0, found by what
 * they are rather than where: later tests (pciback reset, vNVDIMM) need a
 * PCIe function with FLR in a hotplug slot, a multi-function device without
 * FLR, a conventional bridge with two devices behind it, and an NVDIMM.
 * Runs when the launcher says xst.testbed=1; elsewhere it skips as a whole.
 */
#include <errno.h>
#include <stdlib.h>

#include "../kselftest_harness.h"
#include "testbed.h"

TEST(flr_device_in_hotplug_slot)
{
	int port, fn;

	ASSERT_LT(0, load_functions()) TH_LOG("no PCI function readable in " PCI_DEVS);
	port = find_flr_in_slot(&fn);
	ASSERT_LE(0, port) TH_LOG("no PCIe port with a hotplug slot holding one FLR function");
	TH_LOG("%s behind %s", fns[fn].bdf, fns[port].bdf);
}

TEST(multifunction_without_flr)
{
	int port, fn[2];

	ASSERT_LT(0, load_functions()) TH_LOG("no PCI function readable in " PCI_DEVS);
	port = find_multifunction(fn);
	ASSERT_LE(0, port) TH_LOG("no PCIe port with a multi-function device lacking FLR");
	/* Function 0 of a multi-function device says so in its header type. */
	ASSERT_TRUE(fns[fn[0]].cfg[PCI_HEADER_TYPE] & PCI_HEADER_MULTI);
	TH_LOG("%s and %s behind %s", fns[fn[0]].bdf, fns[fn[1]].bdf, fns[port].bdf);
}

TEST(conventional_bridge_with_two_devices)
{
	int bridge, fn[2];

	ASSERT_LT(0, load_functions()) TH_LOG("no PCI function readable in " PCI_DEVS);
	bridge = find_conventional_pair(fn);
	ASSERT_LE(0, bridge) TH_LOG("no conventional PCI bridge with two devices behind it");
	TH_LOG("%s and %s behind %s", fns[fn[0]].bdf, fns[fn[1]].bdf, fns[bridge].bdf);
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
