// SPDX-License-Identifier: GPL-2.0
/*
 * pmem_pattern fill|check SEED PATH: the vNVDIMM tests' pattern tool, for
 * dom0 (its /dev/pmem0) and the host (the NVDIMM's backing file).
 * Prints "pmem_pattern: PATH bytes N bad N" and exits 0 only when every
 * byte was written, or read back as the pattern.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <stdio.h>

#include "pmem_pattern.h"

int main(int argc, char **argv)
{
	struct pmem_result r;
	unsigned long long seed;

	if (argc != 4 || (strcmp(argv[1], "fill") && strcmp(argv[1], "check"))) {
		fprintf(stderr, "usage: pmem_pattern fill|check SEED PATH\n");
		return 2;
	}
	seed = strtoull(argv[2], NULL, 16);
	if (!strcmp(argv[1], "fill"))
		r = pmem_fill(argv[3], seed);
	else
		r = pmem_check(argv[3], seed, strncmp(argv[3], "/dev/", 5) ? 0 : O_DIRECT);
	printf("pmem_pattern: %s bytes %llu bad %llu%s%s\n", argv[3],
	       r.bytes, r.bad,
	       r.err ? " error " : "", r.err ? strerror(r.err) : "");
	return r.err || r.bad || !r.bytes;
}
