// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's side of Xen vNVDIMM: the host persistent memory dom0 handed
 * this guest is a libnvdimm region at the frames dom0 named, /dev/pmemN and
 * ndctl show it, it is mapped write-back, and its data is the pattern the
 * test asks for.
 *
 * Claims: xst.pmem=GFN:NR (hex frames), xst.pmem_op=fill|check|none and
 * xst.pmem_seed=HEX. Without xst.pmem the one test is that no xen-pmem
 * region exists: nothing appears unless dom0 handed something over.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>

#include "../kselftest.h"
#include "pmem_pattern.h"
#include "xst.h"

#define ND	"/sys/bus/nd/devices"

struct region {
	uint64_t start, size;
	char region[32];	/* "region0" */
	char blockdev[32];	/* "pmem0" */
};

static uint64_t read_u64(const char *path)
{
	char buf[64];

	return read_text(path, buf, sizeof(buf)) > 0 ? strtoull(buf, NULL, 0) : 0;
}

/* The region on the xen-pmem bus, if any; returns how many there are. */
static int find_region(struct region *r)
{
	char path[512], buf[64];
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
 * The kernel's mapping of the region (pmem's memremap, in vmallocinfo with
 * its physical address) in the kernel page-table dump: every entry must be
 * present and have neither PCD nor PWT, i.e. PAT entry 0, write-back.
 */
static int mapping_is_write_back(uint64_t phys, char *why, size_t len)
{
	char line[512], want[64];
	unsigned long long va = 0, va_end = 0, a, b;
	int entries = 0;
	FILE *f = fopen("/proc/vmallocinfo", "r");

	snprintf(want, sizeof(want), "phys=0x%016" PRIx64, phys);
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, want) && sscanf(line, "0x%llx-0x%llx", &va, &va_end) == 2)
			break;
	if (f)
		fclose(f);
	if (!va_end) {
		snprintf(why, len, "no vmalloc area with %s", want);
		return -1;
	}
	f = fopen("/sys/kernel/debug/page_tables/kernel", "r");
	if (!f) {
		snprintf(why, len, "no page-table dump (PTDUMP_DEBUGFS)");
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "0x%llx-0x%llx", &a, &b) != 2 || b <= va || a >= va_end)
			continue;
		entries++;
		if (strstr(line, " PCD") || strstr(line, " PWT") || !strstr(line, " RW")) {
			snprintf(why, len, "%.200s", line);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (!entries)
		snprintf(why, len, "nothing mapped at 0x%llx-0x%llx", va, va_end);
	return entries ? 0 : -1;
}

int main(void)
{
	char claim[64], op[16], seedtext[32], path[128], want[128], why[256] = "";
	uint64_t gfn, nr, seed;
	struct pmem_result res;
	struct region r = { 0 };
	int n;

	ksft_print_header();
	cmdline_value("xst.pmem=", claim, sizeof(claim));
	n = find_region(&r);
	if (!claim[0]) {
		ksft_set_plan(1);
		ksft_test_result(n == 0, "no xen-pmem region without a vpmem device (found %d)\n", n);
		ksft_finished();
	}
	if (sscanf(claim, "%" SCNx64 ":%" SCNx64, &gfn, &nr) != 2)
		ksft_exit_fail_msg("bad claim xst.pmem=%s\n", claim);
	cmdline_value("xst.pmem_op=", op, sizeof(op));
	seed = strtoull(cmdline_value("xst.pmem_seed=", seedtext, sizeof(seedtext)), NULL, 16);
	ksft_set_plan(5);

	ksft_test_result(n == 1 && r.start == gfn << 12 && r.size == nr << 12,
			 "one xen-pmem region at %#" PRIx64 " + %#" PRIx64 " (found %d: %s at %#" PRIx64 " + %#" PRIx64 ")\n",
			 gfn << 12, nr << 12, n, r.region, r.start, r.size);

	snprintf(path, sizeof(path), "/sys/block/%s/size", r.blockdev);
	ksft_test_result(r.blockdev[0] && read_u64(path) * 512 == nr << 12,
			 "/dev/%s is the whole region\n", r.blockdev[0] ? r.blockdev : "pmem?");

	snprintf(want, sizeof(want), "\"blockdev\":\"%s\"", r.blockdev);
	ksft_test_result(r.blockdev[0] && line_has("ndctl list -N 2>&1", true, want, NULL),
			 "ndctl list shows %s\n", want);

	snprintf(want, sizeof(want), "[mem 0x%016" PRIx64 "-", gfn << 12);
	if (!line_has("/sys/kernel/debug/x86/pat_memtype_list", false, want, "write-back"))
		snprintf(why, sizeof(why), "PAT memtype list has no write-back entry %s", want);
	else
		mapping_is_write_back(gfn << 12, why, sizeof(why));
	ksft_test_result(!why[0], "mapped write-back (PAT memtype and page tables)%s%s\n",
			 why[0] ? ": " : "", why);

	snprintf(path, sizeof(path), "/dev/%s", r.blockdev);
	if (!strcmp(op, "fill")) {
		res = pmem_fill(path, seed);
		if (!res.err && res.bytes == nr << 12)
			res = pmem_check(path, seed, O_DIRECT);
	} else if (!strcmp(op, "check")) {
		res = pmem_check(path, seed, O_DIRECT);
	} else {
		ksft_test_result_skip("data: xst.pmem_op=%s asks for none\n", op);
		ksft_finished();
	}
	ksft_test_result(!res.err && res.bytes == nr << 12 && !res.bad,
			 "%s seed %" PRIx64 ": %" PRIu64 " bytes, %" PRIu64 " bad, %s\n", op, seed,
			 res.bytes, res.bad, res.err ? strerror(res.err) : "no error");
	ksft_finished();
}
