// SPDX-License-Identifier: GPL-2.0
/*
 * What the boot handed over, checked against what the launcher says it gave.
 *
 * The harness puts its expectations on the kernel command line as xst.*
 * parameters (mode, entry, hypervisor, vCPUs, memory, initrd size, a nonce)
 * and writes the same nonce into the initramfs. Run by hand without them,
 * each test skips and says which parameter is missing.
 */
#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "xst.h"

/* struct boot_params offsets (Documentation/x86/zero-page.rst) */
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR_HEADER		0x202
#define BP_HDR_VERSION		0x206
#define BP_HDR_LOADER		0x210
#define BP_HDR_RAMDISK_SIZE	0x21c
#define BP_HDR_SUBARCH		0x23c
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128
#define BP_SIZE			4096
#define BP_SETUP_DATA		0x250

#define SETUP_E820_EXT		1
#define E820_ENTRY_SIZE		20
#define MAP_MAX			1024	/* boot_params' 128 and SETUP_E820_EXT's */

#define SETUP_HDR_MAGIC		0x53726448	/* "HdrS" */
#define SUBARCH_XEN		2

struct range {
	uint64_t start, end;	/* end is exclusive */
	char type[40];
};

/* A copy of the value of xst.<key>= on the kernel command line, or NULL. */
static const char *xst_param(const char *key)
{
	char pat[64], val[256];

	snprintf(pat, sizeof(pat), "xst.%s=", key);
	return cmdline_value(pat, val, sizeof(val))[0] ? strdup(val) : NULL;
}

static int read_boot_params(uint8_t *bp)
{
	int fd = open("/sys/kernel/boot_params/data", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, bp, BP_SIZE);
	close(fd);
	return n == BP_SIZE ? 0 : -EIO;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The names /sys/firmware/memmap gives to each E820 type. */
static const char *e820_name(uint32_t type)
{
	switch (type) {
	case 1: return "System RAM";
	case 2: return "Reserved";
	case 3: return "ACPI Tables";
	case 4: return "ACPI Non-volatile Storage";
	case 5: return "Unusable memory";
	case 7: return "Persistent Memory";
	case 12: return "Persistent Memory (legacy)";
	case 0xefffffff: return "Soft Reserved";
	default: return "Reserved";
	}
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort and merge touching ranges of one type. */
static int normalise(struct range *r, int n)
{
	int i, out = 0;

	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 0; i < n; i++) {
		if (out && r[out - 1].end == r[i].start &&
		    !strcmp(r[out - 1].type, r[i].type)) {
			r[out - 1].end = r[i].end;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * Resolve a raw E820 table the way the kernel's sanitizer does: where
 * entries overlap, the larger type number wins; holes stay holes. Returns
 * the number of ranges written to @r.
 */
static int resolve_e820(const uint8_t *table, int n, struct range *r, int max)
{
	static uint64_t edge[2 * MAP_MAX];
	int i, j, nedge = 0, out = 0;

	for (i = 0; i < n; i++) {
		const uint8_t *e = table + E820_ENTRY_SIZE * i;

		if (!le64(e + 8))
			continue;
		edge[nedge++] = le64(e);
		edge[nedge++] = le64(e) + le64(e + 8);
	}
	qsort(edge, nedge, sizeof(edge[0]), cmp_u64);
	for (i = 0; i + 1 < nedge && out < max; i++) {
		uint32_t type = 0;

		if (edge[i] == edge[i + 1])
			continue;
		for (j = 0; j < n; j++) {
			const uint8_t *e = table + E820_ENTRY_SIZE * j;

			if (le64(e) <= edge[i] && edge[i + 1] <= le64(e) + le64(e + 8) &&
			    le32(e + 16) > type)
				type = le32(e + 16);
		}
		if (!type)
			continue;
		r[out].start = edge[i];
		r[out].end = edge[i + 1];
		snprintf(r[out].type, sizeof(r[out].type), "%s", e820_name(type));
		out++;
	}
	return normalise(r, out);
}

/*
 * The memory map the boot handed over: boot_params' table, then the
 * entries of each SETUP_E820_EXT setup_data, raw, into @table. Returns
 * the number of entries.
 */
static int handed_over_e820(const uint8_t *bp, uint8_t *table, int max)
{
	char path[128], buf[32];
	int n = bp[BP_E820_ENTRIES], i, fd;
	ssize_t len;

	if (n > BP_E820_MAX || n > max)
		return -EINVAL;
	memcpy(table, bp + BP_E820_TABLE, n * E820_ENTRY_SIZE);
	if (!le64(bp + BP_SETUP_DATA))
		return n;
	for (i = 0; ; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%d/type", i);
		if (read_text(path, buf, sizeof(buf)) < 0)
			break;
		if (strtoul(buf, NULL, 0) != SETUP_E820_EXT)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%d/data", i);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return -errno;
		len = read(fd, table + n * E820_ENTRY_SIZE, (max - n) * E820_ENTRY_SIZE);
		close(fd);
		if (len < 0 || len % E820_ENTRY_SIZE)
			return -EIO;
		n += len / E820_ENTRY_SIZE;
	}
	return n;
}

static int firmware_memmap(struct range *r, int max)
{
	char path[128], buf[64];
	int n = 0;

	for (n = 0; n < max; n++) {
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/start", n);
		if (read_text(path, buf, sizeof(buf)) < 0)
			break;
		r[n].start = strtoull(buf, NULL, 0);
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/end", n);
		if (read_text(path, buf, sizeof(buf)) < 0)
			return -EIO;
		r[n].end = strtoull(buf, NULL, 0) + 1;
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%d/type", n);
		if (read_text(path, r[n].type, sizeof(r[n].type)) < 0)
			return -EIO;
	}
	return normalise(r, n);
}

static uint64_t ram_bytes(const struct range *r, int n)
{
	uint64_t sum = 0;

	while (n--)
		if (!strcmp(r[n].type, "System RAM"))
			sum += r[n].end - r[n].start;
	return sum;
}

/* The kernel log as one string, to free(); NULL if it cannot be read. */
static char *kernel_log(void)
{
	int len = klogctl(10, NULL, 0);		/* SYSLOG_ACTION_SIZE_BUFFER */
	char *log;
	int n;

	if (len <= 0)
		return NULL;
	log = malloc(len + 1);
	if (!log)
		return NULL;
	n = klogctl(3, log, len);		/* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		free(log);
		return NULL;
	}
	log[n] = '\0';
	return log;
}

/* The harness's claim @key, or NULL after marking the test skipped. */
static const char *need(struct __test_metadata *_metadata, const char *key)
{
	const char *v = xst_param(key);

	if (!v)
		SKIP(return NULL, "no xst.%s= on the command line: not started by the harness",
		     key);
	return v;
}

TEST(entry_path)
{
	const char *entry;
	uint8_t bp[BP_SIZE];
	uint32_t magic;
	uint8_t subarch;

	entry = need(_metadata, "entry");
	if (!entry)
		return;
	ASSERT_EQ(0, read_boot_params(bp)) TH_LOG("cannot read /sys/kernel/boot_params/data");
	magic = le32(bp + BP_HDR_HEADER);
	subarch = bp[BP_HDR_SUBARCH];
	TH_LOG("setup header magic %#x, version %#x, loader %#x, subarch %u",
	       magic, bp[BP_HDR_VERSION] | bp[BP_HDR_VERSION + 1] << 8,
	       bp[BP_HDR_LOADER], subarch);

	if (!strcmp(entry, "bzimage")) {
		/* A boot loader copies the image's real-mode setup header. */
		ASSERT_EQ(SETUP_HDR_MAGIC, magic);
		ASSERT_EQ(0, subarch);
	} else if (!strcmp(entry, "pvh")) {
		/* PVH enters at the ELF note: no setup header was loaded. */
		ASSERT_NE(SETUP_HDR_MAGIC, magic);
		ASSERT_EQ(0, subarch);
	} else if (!strcmp(entry, "xen-pv")) {
		ASSERT_EQ(SUBARCH_XEN, subarch);
	} else {
		ASSERT_TRUE(0) TH_LOG("unknown xst.entry=%s", entry);
	}
}

TEST(boot_loader_type)
{
	const char *want;
	uint8_t bp[BP_SIZE];

	want = need(_metadata, "loader");
	if (!want)
		return;
	ASSERT_EQ(0, read_boot_params(bp));
	/* The high nibble is the loader ID: 0x9 Xen, 0xb QEMU. */
	ASSERT_EQ(strtoul(want, NULL, 0), bp[BP_HDR_LOADER] >> 4);
}

TEST(hypervisor)
{
	const char *hv, *guest_want;
	char type[32], guest[32];
	int r;

	hv = need(_metadata, "hv");
	if (!hv)
		return;
	r = read_text("/sys/hypervisor/type", type, sizeof(type));
	if (!strcmp(hv, "none")) {
		ASSERT_GT(0, r) TH_LOG("/sys/hypervisor/type says %s", type);
		return;
	}
	ASSERT_LT(0, r) TH_LOG("no /sys/hypervisor/type");
	ASSERT_STREQ(hv, type);
	if (strcmp(hv, "xen"))
		return;
	guest_want = need(_metadata, "guest");
	if (!guest_want)
		return;
	ASSERT_LT(0, read_text("/sys/hypervisor/guest_type", guest, sizeof(guest)));
	ASSERT_STREQ(guest_want, guest);
}

TEST(cmdline_and_initramfs)
{
	const char *nonce, *size;
	char seen[128];
	uint8_t bp[BP_SIZE];
	uint64_t initrd;

	nonce = need(_metadata, "nonce");
	size = need(_metadata, "initrd_size");
	if (!nonce || !size)
		return;
	/*
	 * The nonce is the last word of the command line and also a file
	 * packed into this run's initramfs: both must have arrived whole.
	 */
	ASSERT_LT(0, read_text("/xst/nonce", seen, sizeof(seen)))
		TH_LOG("/xst/nonce missing from the initramfs");
	ASSERT_STREQ(seen, nonce);
	ASSERT_EQ(0, read_boot_params(bp));
	initrd = le32(bp + BP_HDR_RAMDISK_SIZE) |
		 (uint64_t)le32(bp + BP_EXT_RAMDISK_SIZE) << 32;
	ASSERT_EQ(strtoull(size, NULL, 0), initrd);
}

TEST(privilege)
{
	const char *hv, *dom0;
	char caps[128] = "";

	hv = need(_metadata, "hv");
	if (!hv)
		return;
	if (!strcmp(hv, "none")) {
		/* xenfs exists only in a Xen domain. */
		ASSERT_NE(0, access("/proc/xen/capabilities", F_OK));
		return;
	}
	dom0 = need(_metadata, "dom0");
	if (!dom0)
		return;
	/* Xen says "control_d" in xenfs' capabilities only to dom0. */
	ASSERT_LE(0, read_text("/proc/xen/capabilities", caps, sizeof(caps)))
		TH_LOG("no /proc/xen/capabilities: is xenfs mounted?");
	TH_LOG("capabilities: '%s'", caps);
	ASSERT_EQ(!strcmp(dom0, "1"), !!strstr(caps, "control_d"));
}

TEST(boot_banner)
{
	const char *entry, *hv, *want;
	char *log;

	entry = need(_metadata, "entry");
	hv = need(_metadata, "hv");
	if (!entry || !hv)
		return;
	/* What the kernel says it booted on, as its log line reads. */
	if (!strcmp(hv, "none"))
		want = "Booting paravirtualized kernel on bare hardware\n";
	else if (!strcmp(entry, "xen-pv"))
		want = "Booting kernel on Xen\n";
	else
		want = "Booting kernel on Xen PVH\n";
	log = kernel_log();
	ASSERT_NE(NULL, log) TH_LOG("cannot read the kernel log");
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("no line '%.*s' in the kernel log",
						  (int)strlen(want) - 1, want);
	free(log);
}

TEST(vcpus_online)
{
	const char *cpus;
	char online[64], expect[64];
	long want;

	cpus = need(_metadata, "cpus");
	if (!cpus)
		return;
	want = strtol(cpus, NULL, 0);
	if (want == 1)
		snprintf(expect, sizeof(expect), "0");
	else
		snprintf(expect, sizeof(expect), "0-%ld", want - 1);
	ASSERT_LT(0, read_text("/sys/devices/system/cpu/online", online, sizeof(online)));
	ASSERT_STREQ(expect, online);
	ASSERT_EQ(want, sysconf(_SC_NPROCESSORS_ONLN));
}

TEST(memmap_matches_boot_params)
{
	static struct range fw[MAP_MAX], bl[MAP_MAX];
	static uint8_t table[MAP_MAX * E820_ENTRY_SIZE];
	const char *entry;
	uint8_t bp[BP_SIZE];
	int nfw, nbl, i;
	bool same;

	entry = need(_metadata, "entry");
	if (!entry)
		return;
	if (!strcmp(entry, "xen-pv"))
		SKIP(return, "a PV guest gets its memory map by hypercall: boot_params has none");
	ASSERT_EQ(0, read_boot_params(bp));
	nbl = handed_over_e820(bp, table, MAP_MAX);
	ASSERT_LT(0, nbl) TH_LOG("the boot loader handed over no memory map (%d)", nbl);
	TH_LOG("%d entries handed over, %d of them in boot_params", nbl, bp[BP_E820_ENTRIES]);
	nbl = resolve_e820(table, nbl, bl, MAP_MAX);
	nfw = firmware_memmap(fw, MAP_MAX);
	ASSERT_LT(0, nfw) TH_LOG("/sys/firmware/memmap is empty");

	same = nbl == nfw;
	for (i = 0; same && i < nbl; i++)
		same = bl[i].start == fw[i].start && bl[i].end == fw[i].end &&
		       !strcmp(bl[i].type, fw[i].type);
	for (i = 0; !same && i < nbl; i++)
		TH_LOG("handed over:     %#llx-%#llx %s", (unsigned long long)bl[i].start,
		       (unsigned long long)bl[i].end, bl[i].type);
	for (i = 0; !same && i < nfw; i++)
		TH_LOG("firmware memmap: %#llx-%#llx %s", (unsigned long long)fw[i].start,
		       (unsigned long long)fw[i].end, fw[i].type);
	ASSERT_TRUE(same) TH_LOG("the kernel's memory map is not the one handed over");
}

/*
 * A loader that built a long map of many types (xst.e820_entries=N, at
 * least that many entries; xst.e820_types=T,T,..., hex E820 types): all
 * of it arrived, and the kernel's memory map names every type.
 */
TEST(memmap_long_and_typed)
{
	static struct range fw[MAP_MAX];
	static uint8_t table[MAP_MAX * E820_ENTRY_SIZE];
	const char *types = xst_param("e820_types"), *count = xst_param("e820_entries");
	char *list, *t, *save;
	uint8_t bp[BP_SIZE];
	int n, nfw, i;
	bool found;

	if (!types || !count)
		SKIP(return, "no xst.e820_types= and xst.e820_entries=: the loader's map is plain");
	ASSERT_EQ(0, read_boot_params(bp));
	n = handed_over_e820(bp, table, MAP_MAX);
	TH_LOG("%d entries handed over (%d in boot_params), at least %s wanted",
	       n, bp[BP_E820_ENTRIES], count);
	ASSERT_LE(strtol(count, NULL, 0), n);
	nfw = firmware_memmap(fw, MAP_MAX);
	ASSERT_LT(0, nfw);
	list = strdup(types);
	for (t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const char *name = e820_name(strtoul(t, NULL, 16));

		for (found = false, i = 0; !found && i < nfw; i++)
			found = !strcmp(fw[i].type, name);
		EXPECT_TRUE(found) TH_LOG("type %s: no \"%s\" range in /sys/firmware/memmap",
					  t, name);
	}
	free(list);
}

/* Whether one line of @log holds both @tag and @what. */
static bool log_has_line(const char *log, const char *tag, const char *what)
{
	const char *p = log, *end;
	char line[512];
	size_t len;

	while (*p) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		len = (size_t)(end - p) < sizeof(line) ? (size_t)(end - p) : sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (strstr(line, tag) && strstr(line, what))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/*
 * What the PVH entry took in its own way (xst.pvh_notes=A,B,..., "_" for
 * a space): each said in a "PVH: " line of the kernel log.
 */
TEST(start_info_notes)
{
	const char *notes = xst_param("pvh_notes");
	char *list, *t, *save, *log;

	if (!notes)
		SKIP(return, "no xst.pvh_notes=: the start info had nothing to note");
	log = kernel_log();
	ASSERT_NE(NULL, log) TH_LOG("cannot read the kernel log");
	list = strdup(notes);
	ASSERT_NE(NULL, list);
	/* A command line value has no spaces: "_" stands for one. */
	for (t = list; *t; t++)
		*t = *t == '_' ? ' ' : *t;
	for (t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const char *what = t;

		EXPECT_TRUE(log_has_line(log, "PVH: ", what))
			TH_LOG("no \"PVH: ...%s...\" line in the kernel log", what);
	}
	free(list);
	free(log);
}

/*
 * A Xen guest's CPU frequency is the TSC frequency Xen gives it, taken
 * without timing the CPU against a PIT: a PV or PVH domU has none (port
 * 0x42 reads 0xff, polled some 100000 times, each read a trap to Xen,
 * before "Fast TSC calibration failed"), and the one dom0 or an HVM guest
 * reaches is Xen's emulation or guarded by Xen.
 */
TEST(cpu_khz_without_pit)
{
	char guest[32];
	char *log;

	if (read_text("/sys/hypervisor/guest_type", guest, sizeof(guest)) <= 0)
		SKIP(return, "no /sys/hypervisor/guest_type: not a Xen guest");
	log = kernel_log();
	ASSERT_NE(NULL, log) TH_LOG("cannot read the kernel log");
	if (!log_has_line(log, "tsc: ", "MHz processor")) {
		free(log);
		SKIP(return, "the boot's tsc: lines are no longer in the kernel log");
	}
	/* Cases where an HVM guest does not use Xen's clock that early. */
	if (log_has_line(log, "Delay xen_init_time_common()", "vcpu=") ||
	    log_has_line(log, "doesn't support pvclock", "") ||
	    cmdline_has("xen_no_vector_callback")) {
		free(log);
		SKIP(return, "Xen's clock was not set up before the TSC calibration");
	}
	EXPECT_FALSE(log_has_line(log, "tsc: ", "Fast TSC calibration"))
		TH_LOG("this Xen %s guest timed its CPU against a PIT", guest);
	free(log);
}

TEST(memory_handed_over)
{
	static struct range fw[MAP_MAX];
	const char *mem, *entry;
	char kb[32];
	uint64_t bytes, ram;
	int nfw;

	mem = need(_metadata, "mem");
	entry = need(_metadata, "entry");
	if (!mem || !entry)
		return;
	bytes = strtoull(mem, NULL, 0) << 20;
	if (!strcmp(entry, "xen-pv")) {
		/*
		 * A PV guest's memory map spans more than it owns; what Xen gave
		 * is start_info's page count, where the balloon driver starts.
		 */
		ASSERT_LT(0, read_text("/sys/devices/system/xen_memory/xen_memory0/info/current_kb",
				       kb, sizeof(kb)));
		ASSERT_EQ(bytes >> 10, strtoull(kb, NULL, 0));
		return;
	}
	nfw = firmware_memmap(fw, MAP_MAX);
	ASSERT_LT(0, nfw) TH_LOG("/sys/firmware/memmap is empty");
	ram = ram_bytes(fw, nfw);
	TH_LOG("System RAM in the memory map: %llu KiB of %llu KiB",
	       (unsigned long long)ram >> 10, (unsigned long long)bytes >> 10);
	/* All of it is RAM but for at most the legacy hole below 1 MiB. */
	ASSERT_GE(bytes, ram);
	ASSERT_LE(bytes - (1 << 20), ram);
}

/*
 * Where the kernel runs in physical memory: "Kernel code" in /proc/iomem
 * starts on a 2 MiB boundary inside System RAM, and where the launcher
 * says it placed the kernel (xst.kernel_at, a relocating loader), there.
 */
TEST(kernel_location)
{
	unsigned long long start = 0, end, ram_start, ram_end;
	char line[256], want[32];
	bool in_ram = false;
	FILE *f = fopen("/proc/iomem", "r");

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "Kernel code") && sscanf(line, " %llx-%llx", &start, &end) == 2)
			break;
	rewind(f);
	while (fgets(line, sizeof(line), f))
		if (line[0] != ' ' && strstr(line, ": System RAM") &&
		    sscanf(line, "%llx-%llx", &ram_start, &ram_end) == 2 &&
		    ram_start <= start && start <= ram_end)
			in_ram = true;
	fclose(f);
	ASSERT_NE(0, start) TH_LOG("no Kernel code in /proc/iomem");
	TH_LOG("kernel code at %#llx", start);
	ASSERT_EQ(0, start & ((2 << 20) - 1));
	ASSERT_TRUE(in_ram) TH_LOG("kernel code at %#llx is not in System RAM", start);
	cmdline_value("xst.kernel_at=", want, sizeof(want));
	if (want[0])
		ASSERT_EQ(strtoull(want, NULL, 0), start);
}

TEST_HARNESS_MAIN
