// SPDX-License-Identifier: GPL-2.0
/*
 * The memory types of a Xen PV guest. Xen hides the MTRRs from PV guests;
 * the kernel learns them from Xen (dom0) or takes write-back (domU), and
 * PAT must then answer as the MTRRs really are:
 * - dom0's view of the variable MTRRs equals what Xen reports to this
 *   program through the same platform op (XENPF_read_memtype);
 * - a write-back request inside an uncached MTRR range (a PCI BAR, mapped
 *   through /dev/mem) is made uncached-minus;
 * - the NVDIMM, outside the uncached ranges, is mapped write-back;
 * - a PV domU given a PCI device maps its BAR uncached (the domU's init
 *   runs "mtrr --bars BDF" for each device that appears).
 * Other guests (PVH, HVM, bare metal) keep the CPU's own MTRR handling: no
 * Xen view exists there.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "../kselftest_harness.h"
#include "testbed.h"

#define XEN_MTRR	"/sys/kernel/debug/x86/xen_mtrr"
#define PAT_LIST	"/sys/kernel/debug/x86/pat_memtype_list"
#define IORESOURCE_MEM	0x200

/* Xen's public ABI: privcmd's hypercall ioctl and the platform op. */
struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};

#define IOCTL_PRIVCMD_HYPERCALL	_IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))
#define HYPERVISOR_platform_op	7
#define XENPF_INTERFACE_VERSION	0x03000001
#define XENPF_read_memtype	33

struct xenpf_op {
	uint32_t cmd;
	uint32_t interface_version;
	union {
		struct {
			uint32_t reg;
			uint64_t mfn;
			uint64_t nr_mfns;
			uint32_t type;
		} read_memtype;
		uint8_t pad[128];
	} u;
};

struct range {
	uint64_t start, end;	/* [start, end) */
	unsigned int type;
};

static const char *const mtrr_types[] = {
	[0] = "uncachable", [1] = "write-combining", [4] = "write-through",
	[5] = "write-protect", [6] = "write-back",
};

static const char *type_name(unsigned int type)
{
	return type < 7 && mtrr_types[type] ? mtrr_types[type] : "?";
}

/* Xen's variable MTRRs, free ones included: how many, or -errno. */
static int xen_read_mtrrs(struct range *r, int max)
{
	struct xenpf_op op;
	struct privcmd_hypercall call = { .op = HYPERVISOR_platform_op };
	int fd, n;

	fd = open("/dev/xen/privcmd", O_RDWR);
	if (fd < 0)
		return -errno;
	for (n = 0; n < max; n++) {
		memset(&op, 0, sizeof(op));
		op.cmd = XENPF_read_memtype;
		op.interface_version = XENPF_INTERFACE_VERSION;
		op.u.read_memtype.reg = n;
		call.arg[0] = (uintptr_t)&op;
		if (ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &call) < 0) {
			if (errno == EINVAL)
				break;
			n = -errno;
			break;
		}
		r[n].start = op.u.read_memtype.mfn << 12;
		r[n].end = r[n].start + (op.u.read_memtype.nr_mfns << 12);
		r[n].type = op.u.read_memtype.type;
	}
	close(fd);
	return n;
}

static int phys_bits(void)
{
	char line[256];
	int bits = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "address sizes : %d bits physical", &bits) == 1)
			break;
	if (f)
		fclose(f);
	return bits;
}

static bool is_pv(bool *dom0)
{
	char v[32];

	*dom0 = !strcmp(cmdline_value("xst.dom0=", v, sizeof(v)), "1");
	return !strcmp(cmdline_value("xst.guest=", v, sizeof(v)), "PV");
}

/* The memtype of the PAT entries that overlap [start, end): "" if none, "mixed". */
static const char *pat_type(uint64_t start, uint64_t end, char *type, size_t len)
{
	unsigned long long s, e;
	char line[256], t[64];
	FILE *f = fopen(PAT_LIST, "r");

	type[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s", &s, &e, t) != 3)
			continue;
		if (e <= start || s >= end)
			continue;
		if (type[0] && strcmp(type, t))
			snprintf(type, len, "mixed (%s)", line);
		else if (!type[0])
			snprintf(type, len, "%s", t);
	}
	if (f)
		fclose(f);
	return type;
}

TEST(dom0_mtrrs_are_xens)
{
	struct range xen[256];
	char line[256], want[256];
	int n, i, lines = 0, used = 0, bits;
	uint64_t phys_mask;
	bool dom0;
	FILE *f;

	if (!is_pv(&dom0) || !dom0)
		SKIP(return, "not a PV dom0: no Xen MTRR view to compare");
	n = xen_read_mtrrs(xen, 256);
	ASSERT_LT(0, n) TH_LOG("XENPF_read_memtype through privcmd: %s", strerror(-n));
	bits = phys_bits();
	ASSERT_LE(32, bits) TH_LOG("no physical address width in /proc/cpuinfo");
	phys_mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;

	f = fopen(XEN_MTRR, "r");
	ASSERT_NE(NULL, f) TH_LOG(XEN_MTRR ": %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (xen[i].end == xen[i].start)
			continue;
		used++;
		snprintf(want, sizeof(want), "%d base %#llx mask %#llx %s\n", i,
			 (unsigned long long)xen[i].start,
			 (unsigned long long)(~(xen[i].end - xen[i].start - 1) & phys_mask),
			 type_name(xen[i].type));
		while (fgets(line, sizeof(line), f) && strncmp(line, "default ", 8)) {
			lines++;
			if (atoi(line) == i)
				break;
		}
		EXPECT_STREQ(want, line) TH_LOG("register %d: Xen says %s", i, want);
	}
	while (fgets(line, sizeof(line), f) && strncmp(line, "default ", 8))
		lines++;
	fclose(f);
	ASSERT_EQ(used, lines) TH_LOG("the kernel holds %d ranges, Xen %d", lines, used);
	/* SeaBIOS's MTRRs leave RAM outside the ranges: write-back default. */
	if (cmdline_has("xst.testbed=1"))
		ASSERT_STREQ("default write-back\n", line);
	TH_LOG("%d of %d registers in use; kernel: %s", used, n, line);
}

/* A BAR inside an uncached MTRR range: its start, or 0. */
static uint64_t bar_in(const struct range *uc)
{
	unsigned long long s, e, fl;
	char path[300], line[128];
	uint64_t found = 0;
	struct dirent *d;
	DIR *dir = opendir(PCI_DEVS);

	while (dir && !found && (d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_DEVS "/%s/resource", d->d_name);
		f = fopen(path, "r");
		while (f && !found && fgets(line, sizeof(line), f))
			if (sscanf(line, "%llx %llx %llx", &s, &e, &fl) == 3 &&
			    (fl & IORESOURCE_MEM) && s && s >= uc->start && e < uc->end)
				found = s;
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return found;
}

TEST(dom0_write_back_request_in_uncached_range)
{
	struct range xen[256];
	char type[300];
	uint64_t bar = 0;
	bool dom0;
	void *p;
	int n, i, fd;

	if (!is_pv(&dom0) || !dom0)
		SKIP(return, "not a PV dom0");
	n = xen_read_mtrrs(xen, 256);
	ASSERT_LT(0, n);
	for (i = 0; i < n && !bar; i++)
		if (xen[i].end > xen[i].start && xen[i].type == 0)
			bar = bar_in(&xen[i]);
	ASSERT_NE(0, bar) TH_LOG("no PCI memory BAR inside an uncached MTRR range");

	/* Without O_SYNC, /dev/mem asks PAT for write-back. */
	fd = open("/dev/mem", O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("/dev/mem: %s", strerror(errno));
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, bar);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap of BAR %#llx: %s", (unsigned long long)bar,
					strerror(errno));
	pat_type(bar, bar + 4096, type, sizeof(type));
	munmap(p, 4096);
	close(fd);
	EXPECT_TRUE(!strcmp(type, "uncached-minus") || !strcmp(type, "uncached"))
		TH_LOG("BAR %#llx in an uncached MTRR range mapped '%s'",
		       (unsigned long long)bar, type);
}

TEST(dom0_nvdimm_write_back)
{
	unsigned long long s = 0, e = 0;
	char line[256], type[300];
	bool dom0;
	FILE *f;

	if (!is_pv(&dom0) || !dom0 || !cmdline_has("xst.nvdimm=1"))
		SKIP(return, "not a PV dom0 with the test bed's NVDIMM");
	f = fopen("/proc/iomem", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ": Persistent Memory") &&
		    sscanf(line, " %llx-%llx", &s, &e) == 2)
			break;
	fclose(f);
	ASSERT_LT(0, e) TH_LOG("no Persistent Memory range in /proc/iomem");
	/* pmem0 maps the namespace when the driver binds. */
	ASSERT_STREQ("write-back", pat_type(s, e + 1, type, sizeof(type)))
		TH_LOG("NVDIMM %#llx-%#llx", s, e);
	TH_LOG("NVDIMM %#llx-%#llx: write-back", s, e);
}

TEST(domu_write_back_default)
{
	char buf[256];
	bool dom0;

	if (!is_pv(&dom0) || dom0)
		SKIP(return, "not a PV domU");
	ASSERT_LT(0, read_text(XEN_MTRR, buf, sizeof(buf))) TH_LOG(XEN_MTRR);
	ASSERT_STREQ("default write-back", buf);
}

TEST(no_xen_view_outside_pv)
{
	bool dom0;

	if (is_pv(&dom0))
		SKIP(return, "a PV guest");
	ASSERT_NE(0, access(XEN_MTRR, F_OK)) TH_LOG(XEN_MTRR " exists outside a PV guest");
}

/* Run a shell command line; 0 when it exited 0. */
static int sh(const char *fmt, const char *arg)
{
	char cmd[512];
	int rc;

	snprintf(cmd, sizeof(cmd), fmt, arg, arg);
	rc = system(cmd);
	return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The first line of @path that holds @text, or "". */
static const char *line_with(const char *path, const char *text, char *line, size_t len)
{
	FILE *f = fopen(path, "r");

	line[0] = '\0';
	while (f && fgets(line, len, f) && !strstr(line, text))
		line[0] = '\0';
	if (f)
		fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/*
 * The stock xl passes the FLR device to a held PV guest; the guest's init
 * reports how PAT mapped the device's BARs (a write-back default must not
 * make the BAR of a device write-back).
 */
FIXTURE(xl) {};
FIXTURE_SETUP(xl) {}
FIXTURE_TEARDOWN(xl) {}

TEST_F_TIMEOUT(xl, domu_passthrough_bar_uncached, 300)
{
	char guest[64], log[128], want[128], line[256];
	int port, fn = 0, i;
	bool dom0;

	if (!is_pv(&dom0) || !dom0 || !cmdline_has("xst.pciback=1") ||
	    !cmdline_value("xst.xl_domu=", guest, sizeof(guest))[0])
		SKIP(return, "not a PV dom0 with pciback and a guest for xl");
	ASSERT_LT(0, load_functions());
	port = find_flr_in_slot(&fn);
	ASSERT_LE(0, port) TH_LOG("no FLR device in a hotplug slot");

	ASSERT_EQ(0, sh("xl pci-assignable-add %s >/tmp/mtrr-xl.log 2>&1", fns[fn].bdf));
	ASSERT_EQ(0, sh("xl create /etc/xen/%s.cfg >>/tmp/mtrr-xl.log 2>&1", guest));
	snprintf(log, sizeof(log), "/var/log/xen/guest-%s.log", guest);
	for (i = 0; i < 300 && !line_with(log, "XST-INIT", line, sizeof(line))[0]; i++)
		usleep(500000);
	EXPECT_NE(0, line[0]) TH_LOG("guest %s did not reach init", guest);
	/* pciback's virtual bus renumbers it in the guest: its only device */
	snprintf(want, sizeof(want), "XST-BAR ");
	if (line[0]) {
		snprintf(line, sizeof(line), "xl pci-attach %s %s >>/tmp/mtrr-xl.log 2>&1",
			 guest, fns[fn].bdf);
		EXPECT_EQ(0, system(line));
		for (i = 0; i < 120 && !line_with(log, want, line, sizeof(line))[0]; i++)
			usleep(500000);
		TH_LOG("guest: %s", line[0] ? line : "no XST-BAR line");
		EXPECT_TRUE(strstr(line, " uncached-minus") || strstr(line, " uncached"))
			TH_LOG("the guest's mapping of %s's BAR is not uncached", fns[fn].bdf);
	}
	sh("xl destroy %s >>/tmp/mtrr-xl.log 2>&1", guest);
	EXPECT_EQ(0, sh("xl pci-assignable-remove %s >>/tmp/mtrr-xl.log 2>&1", fns[fn].bdf));
	/* Back where pciback's own tests expect it. */
	sh("echo %s >/sys/bus/pci/drivers/pciback/new_slot 2>/dev/null;"
	   " echo %s >/sys/bus/pci/drivers_probe", fns[fn].bdf);
}

/*
 * The PCI core adds a device's resourceN files after the device itself
 * (pci_bus_add_device), so a hot-added device's folder can be there before
 * them: give them a few seconds.
 */
static int open_resource(const char *path)
{
	int fd, i;

	for (i = 0; i < 50; i++) {
		fd = open(path, O_RDWR);
		if (fd >= 0 || errno != ENOENT)
			break;
		usleep(100000);
	}
	return fd;
}

/*
 * mtrr --bars BDF: map each memory BAR of the device through sysfs and print
 * PAT's type for it, as "XST-BAR BDF resN START TYPE".
 */
static int print_bar_types(const char *bdf)
{
	unsigned long long s, e, fl;
	char path[300], line[128], type[300];
	int i = 0, fd;
	FILE *f;
	void *p;

	snprintf(path, sizeof(path), PCI_DEVS "/%s/resource", bdf);
	f = fopen(path, "r");
	while (f && i < 6 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %llx %llx", &s, &e, &fl) != 3 ||
		    !(fl & IORESOURCE_MEM) || !s) {
			i++;
			continue;
		}
		snprintf(path, sizeof(path), PCI_DEVS "/%s/resource%d", bdf, i);
		fd = open_resource(path);
		p = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			snprintf(type, sizeof(type), "unmapped:%s", strerror(errno));
		else
			pat_type(s, s + 4096, type, sizeof(type));
		printf("XST-BAR %s res%d %#llx %s\n", bdf, i, s, type[0] ? type : "none");
		if (p != MAP_FAILED)
			munmap(p, 4096);
		if (fd >= 0)
			close(fd);
		i++;
	}
	if (f)
		fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--bars"))
		return print_bar_types(argv[2]);
	return test_harness_run(argc, argv);
}
