// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's side of Xen vNVDIMM: the host persistent memory dom0 handed
 * this guest is a libnvdimm region at the frames dom0 named, /dev/pmemN and
 * ndctl show it, it is mapped write-back, and its data is the pattern the
 * test asks for.
 *
 * Claims: xst.pmem=GFN:NR (hex frames), xst.pmem_op=fill|check|none, with
 * ",dax" for an fsdax round trip afterwards (it overwrites the region),
 * and xst.pmem_seed=HEX. "none" checks no data. Without xst.pmem the one test,
 * where the frontend is there, is that no xen-pmem region exists: nothing
 * appears unless dom0 handed something over.
 * Where the frontend is a module, it must refuse to unload while it has
 * the region.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <dirent.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdio.h>

#include "../kselftest.h"
#include "pmem_pattern.h"
#include "xst.h"

#define ND	"/sys/bus/nd/devices"
#define PTDUMP	"/sys/kernel/debug/page_tables/kernel"
#define PAT_LIST	"/sys/kernel/debug/x86/pat_memtype_list"

struct region {
	unsigned long long start, size;
	char region[256];	/* "region0" */
	char blockdev[256];	/* "pmem0" */
};

static unsigned long long read_u64(const char *path)
{
	char buf[64];

	return read_text(path, buf, sizeof(buf)) > 0 ? strtoull(buf, NULL, 0) : 0;
}

/* The region on the xen-pmem bus, if any; returns how many there are. */
static int find_region(struct region *r)
{
	char path[1024], buf[64];
	struct dirent *de, *ns;
	int found = 0;
	DIR *d = opendir(ND);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		DIR *nd;

		if (strncmp(de->d_name, "region", 6))
			continue;
		snprintf(path, sizeof(path), ND "/%s/../provider", de->d_name);
		if (read_text(path, buf, sizeof(buf)) <= 0 || strcmp(buf, "xen-pmem"))
			continue;
		found++;
		snprintf(r->region, sizeof(r->region), "%s", de->d_name);
		snprintf(path, sizeof(path), ND "/%s/resource", de->d_name);
		r->start = read_u64(path);
		snprintf(path, sizeof(path), ND "/%s/size", de->d_name);
		r->size = read_u64(path);
		r->blockdev[0] = '\0';
		snprintf(path, sizeof(path), ND "/%s", de->d_name);
		nd = opendir(path);
		while (nd && (ns = readdir(nd))) {
			DIR *blk;
			struct dirent *b;

			if (strncmp(ns->d_name, "namespace", 9))
				continue;
			snprintf(path, sizeof(path), ND "/%s/%s/block", de->d_name, ns->d_name);
			blk = opendir(path);
			while (blk && (b = readdir(blk)))
				if (b->d_name[0] != '.')
					snprintf(r->blockdev, sizeof(r->blockdev), "%s", b->d_name);
			if (blk)
				closedir(blk);
		}
		if (nd)
			closedir(nd);
	}
	closedir(d);
	return found;
}

static bool line_has(const char *cmd_or_path, bool is_cmd, const char *a, const char *b)
{
	char line[1024];
	bool hit = false;
	FILE *f = is_cmd ? popen(cmd_or_path, "r") : fopen(cmd_or_path, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, a) && (!b || strstr(line, b)))
			hit = true;
	if (is_cmd)
		pclose(f);
	else
		fclose(f);
	return hit;
}

/*
 * Where the kernel maps the region [@phys, @phys + @size). With struct
 * pages (@direct) it is the direct map, whose base is the first address
 * after the page-table dump's "Low Kernel Mapping" marker. Without them,
 * pmem ioremaps it; /proc/vmallocinfo names the area by its physical
 * address but hashes the virtual one, so the area is found in the dump's
 * vmalloc part instead: one run of exactly @size, between guard pages.
 */
static unsigned long long kernel_va(unsigned long long phys, unsigned long long size,
				    bool direct)
{
	const char *marker = direct ? "Low Kernel Mapping" : "vmalloc() Area";
	unsigned long long a, b, va = 0;
	bool in = false;
	char line[512];
	FILE *f = fopen(PTDUMP, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, "---[")) {
			if (in)
				break;
			in = strstr(line, marker);
		} else if (in && sscanf(line, "0x%llx-0x%llx", &a, &b) == 2) {
			/* a present run: its flags say RW or ro */
			if (direct || (b - a == size &&
				       (strstr(line, " RW ") || strstr(line, " ro ")))) {
				va = a;
				break;
			}
		}
	}
	if (f)
		fclose(f);
	if (!direct)
		return va;
	/*
	 * The dump may start its first line after the marker a page later
	 * (an unmapped first page); the direct map starts 1 GiB aligned.
	 */
	va &= ~((1ULL << 30) - 1);
	return va ? va + phys : 0;
}

/*
 * Every page-table entry that maps [va, va + size) must be present and
 * writable and select PAT entry 0 (no PWT, PCD or PAT bit), which is
 * write-back; they must cover the whole range.
 */
static int mapping_is_write_back(unsigned long long va, unsigned long long size,
				 char *why, size_t len)
{
	unsigned long long a, b, covered = 0;
	char line[512];
	FILE *f = fopen(PTDUMP, "r");

	if (!f) {
		snprintf(why, len, "no page-table dump (PTDUMP_DEBUGFS)");
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "0x%llx-0x%llx", &a, &b) != 2 || b <= va || a >= va + size)
			continue;
		if (strstr(line, " PCD") || strstr(line, " PWT") || strstr(line, " PAT") ||
		    !strstr(line, " RW")) {
			snprintf(why, len, "at 0x%llx: %.160s", va, line);
			fclose(f);
			return -1;
		}
		covered += (b < va + size ? b : va + size) - (a > va ? a : va);
	}
	fclose(f);
	if (covered != size)
		snprintf(why, len, "page tables map 0x%llx of 0x%llx bytes at 0x%llx",
			 covered, size, va);
	return covered == size ? 0 : -1;
}

/*
 * The memory type of the range: PAT's memtype list says write-back, or,
 * where the kernel tracks no type for it (a Xen PV guest of 6.1, whose
 * PAT init is skipped with its MTRRs), PAT entry 0, which the page tables
 * select, is WB. Returns how it knows, or NULL with @why filled in.
 */
static const char *memtype_is_write_back(unsigned long long phys, char *why, size_t len)
{
	char want[64];

	snprintf(want, sizeof(want), "[mem 0x%016llx-", phys);
	if (line_has(PAT_LIST, false, want, "write-back"))
		return "PAT memtype write-back";
	if (line_has(PAT_LIST, false, want, NULL)) {
		snprintf(why, len, "%s has %s with another type", PAT_LIST, want);
		return NULL;
	}
	if (line_has("dmesg", true, "x86/PAT: Configuration [0-7]: WB ", NULL))
		return "no memtype entry, PAT entry 0 is WB";
	snprintf(why, len, "no memtype entry %s, and no PAT entry 0 of WB in the log", want);
	return NULL;
}

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX	0x00200000
#endif
#define MNT	"/tmp/pmem-dax"
#define DAX_FILE	MNT "/f"
#define DAX_BYTES	(2 * 1024 * 1024)

/*
 * fsdax: ext2 on @dev mounted with -o dax, a file the kernel reports as
 * DAX, written through a shared mapping and read back after a remount.
 */
static int dax_round_trip(const char *dev, unsigned long long seed, char *why, size_t len)
{
	unsigned long long *map, i, bad = 0;
	struct statx stx;
	char cmd[256];
	int fd;

	snprintf(cmd, sizeof(cmd), "mke2fs -q -b 4096 %s >/dev/null 2>&1", dev);
	mkdir(MNT, 0755);
	if (system(cmd) || mount(dev, MNT, "ext2", 0, "dax")) {
		snprintf(why, len, "mke2fs or mount -o dax failed: %s", strerror(errno));
		return -1;
	}
	fd = open(DAX_FILE, O_CREAT | O_RDWR, 0644);
	if (fd < 0 || ftruncate(fd, DAX_BYTES) ||
	    statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) ||
	    !(stx.stx_attributes & STATX_ATTR_DAX)) {
		snprintf(why, len, "%s is not a DAX file", DAX_FILE);
		goto out;
	}
	map = mmap(NULL, DAX_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(why, len, "mmap: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < DAX_BYTES / 8; i++)
		map[i] = pmem_word(seed, i);
	msync(map, DAX_BYTES, MS_SYNC);
	munmap(map, DAX_BYTES);
	close(fd);
	fd = -1;
	if (umount(MNT) || mount(dev, MNT, "ext2", 0, "")) {
		snprintf(why, len, "remount: %s", strerror(errno));
		goto out;
	}
	map = malloc(DAX_BYTES);
	fd = open(DAX_FILE, O_RDONLY);
	if (!map || fd < 0 || read(fd, map, DAX_BYTES) != DAX_BYTES) {
		snprintf(why, len, "reading %s back failed", DAX_FILE);
	} else {
		for (i = 0; i < DAX_BYTES / 8; i++)
			bad += map[i] != pmem_word(seed, i);
		if (bad)
			snprintf(why, len, "%llu words differ after the remount", bad);
	}
	free(map);
out:
	if (fd >= 0)
		close(fd);
	umount(MNT);
	return why[0] ? -1 : 0;
}

/*
 * A loadable xen-pmem (it has an initstate) must refuse to go while the
 * guest has its device: the bound xenbus device holds the module (and so
 * does libnvdimm while the region is registered), and the kernel says
 * EWOULDBLOCK. The region must still be there.
 */
static void module_stays_with_region(void)
{
	struct region again = { 0 };
	int rc, err;

	if (access("/sys/module/xen_pmem/initstate", F_OK)) {
		ksft_test_result_skip("xen-pmem is built in: nothing to unload\n");
		return;
	}
	rc = syscall(__NR_delete_module, "xen_pmem", O_NONBLOCK);
	err = errno;
	ksft_test_result(rc == -1 && err == EWOULDBLOCK && find_region(&again) == 1,
			 "rmmod xen-pmem while it drives the device is refused (%s), the region stays\n",
			 rc ? strerror(err) : "it unloaded");
}

int main(void)
{
	char claim[64], op[32], seedtext[32], path[128], want[128], why[256] = "";
	char guest[16];
	unsigned long long gfn, nr, seed;
	unsigned long long va;
	const char *memtype;
	bool data, dax;
	struct pmem_result res = { 0 };
	struct region r = { 0 };
	int n;

	ksft_print_header();
	cmdline_value("xst.pmem=", claim, sizeof(claim));
	n = find_region(&r);
	if (!claim[0]) {
		ksft_set_plan(1);
		/* Without the frontend there would be no region either way. */
		if (access("/sys/bus/xen/drivers/vpmem", F_OK))
			ksft_test_result_skip("no vpmem frontend (not a Xen guest, no module)\n");
		else
			ksft_test_result(!n, "the vpmem frontend made no region unasked (%d)\n", n);
		ksft_finished();
	}
	if (sscanf(claim, "%llx:%llx", &gfn, &nr) != 2)
		ksft_exit_fail_msg("bad claim xst.pmem=%s\n", claim);
	cmdline_value("xst.pmem_op=", op, sizeof(op));
	seed = strtoull(cmdline_value("xst.pmem_seed=", seedtext, sizeof(seedtext)), NULL, 16);
	data = !strncmp(op, "fill", 4) || !strncmp(op, "check", 5);
	dax = strstr(op, "dax");
	ksft_set_plan(6 + data + dax);

	ksft_test_result(n == 1 && r.start == gfn << 12 && r.size == nr << 12,
			 "one xen-pmem region at %#llx + %#llx (found %d: %s at %#llx + %#llx)\n",
			 gfn << 12, nr << 12, n, r.region, r.start, r.size);

	snprintf(path, sizeof(path), "/sys/block/%.32s/size", r.blockdev);
	ksft_test_result(r.blockdev[0] && read_u64(path) * 512 == nr << 12,
			 "/dev/%s is the whole region\n", r.blockdev[0] ? r.blockdev : "pmem?");

	snprintf(want, sizeof(want), "\"blockdev\":\"%.32s\"", r.blockdev);
	ksft_test_result(r.blockdev[0] && line_has("ndctl list -N 2>&1", true, want, NULL),
			 "ndctl list shows %s\n", want);

	/* DAX needs struct pages, which xen-pmem gives a PVH guest, not a PV one. */
	if (read_text("/sys/hypervisor/guest_type", guest, sizeof(guest)) <= 0)
		strcpy(guest, "?");
	snprintf(path, sizeof(path), "/sys/block/%.32s/queue/dax", r.blockdev);
	ksft_test_result(r.blockdev[0] && read_u64(path) == !!strcmp(guest, "PV"),
			 "%s guest: %s is %llu\n", guest, path, read_u64(path));

	memtype = memtype_is_write_back(gfn << 12, why, sizeof(why));
	va = kernel_va(gfn << 12, nr << 12, !!strcmp(guest, "PV"));
	if (memtype && !va)
		snprintf(why, sizeof(why), "no kernel mapping found");
	else if (memtype)
		mapping_is_write_back(va, nr << 12, why, sizeof(why));
	ksft_test_result(!why[0], "mapped write-back at 0x%llx (%s, page tables)%s%s\n", va,
			 memtype ? memtype : "-", why[0] ? ": " : "", why);
	module_stays_with_region();

	snprintf(path, sizeof(path), "/dev/%.32s", r.blockdev);
	if (!strncmp(op, "fill", 4)) {
		res = pmem_fill(path, seed);
		if (!res.err && res.bytes == nr << 12)
			res = pmem_check(path, seed, O_DIRECT);
	} else if (!strncmp(op, "check", 5)) {
		res = pmem_check(path, seed, O_DIRECT);
	}
	if (data)
		ksft_test_result(!res.err && res.bytes == nr << 12 && !res.bad,
				 "%s seed %llx: %llu bytes, %llu bad, %s\n", op, seed,
				 res.bytes, res.bad, res.err ? strerror(res.err) : "no error");
	if (dax) {
		why[0] = '\0';
		dax_round_trip(path, seed, why, sizeof(why));
		ksft_test_result(!why[0], "fsdax: ext2 -o dax on %s, mmap round trip%s%s\n",
				 path, why[0] ? ": " : "", why);
	}
	ksft_finished();
}
