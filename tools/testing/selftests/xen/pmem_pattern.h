/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vNVDIMM tests' data: every 8-byte word of a region holds a value
 * derived from a seed and the word's index, so a region written with one
 * seed can be checked byte for byte by any later reader, and nothing
 * stale from an earlier run (another seed) can pass.
 */
#ifndef XEN_SELFTEST_PMEM_PATTERN_H
#define XEN_SELFTEST_PMEM_PATTERN_H

/* Needs _GNU_SOURCE, for O_DIRECT, before the first system header. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PMEM_CHUNK	(1024 * 1024)

/* SplitMix64's output function: a cheap, well-mixed word per index. */
static inline unsigned long long pmem_word(unsigned long long seed, unsigned long long index)
{
	unsigned long long z = seed + (index + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct pmem_result {
	unsigned long long bytes;		/* bytes written or read */
	unsigned long long bad;		/* bytes that differ from the pattern */
	int err;		/* errno of the first failed call, or 0 */
};

/* Write the pattern of @seed over all of @path (O_DIRECT, then fsync). */
static inline struct pmem_result pmem_fill(const char *path, unsigned long long seed)
{
	struct pmem_result r = { 0 };
	unsigned long long *buf;
	int fd = open(path, O_WRONLY | O_DIRECT);

	if (fd < 0 || posix_memalign((void **)&buf, 4096, PMEM_CHUNK)) {
		r.err = errno;
		return r;
	}
	for (;;) {
		unsigned long long first = r.bytes / 8;
		ssize_t n;
		size_t i;

		for (i = 0; i < PMEM_CHUNK / 8; i++)
			buf[i] = pmem_word(seed, first + i);
		n = pwrite(fd, buf, PMEM_CHUNK, r.bytes);
		if (n <= 0) {
			/* ENOSPC at the end of a block device is its size. */
			if (n < 0 && errno != ENOSPC)
				r.err = errno;
			break;
		}
		r.bytes += n;
	}
	if (!r.err && fsync(fd))
		r.err = errno;
	close(fd);
	free(buf);
	return r;
}

/* Read all of @path and count the bytes that differ from @seed's pattern. */
static inline struct pmem_result pmem_check(const char *path, unsigned long long seed, int flags)
{
	struct pmem_result r = { 0 };
	unsigned long long *buf;
	int fd = open(path, O_RDONLY | flags);

	if (fd < 0 || posix_memalign((void **)&buf, 4096, PMEM_CHUNK)) {
		r.err = errno;
		return r;
	}
	for (;;) {
		unsigned long long first = r.bytes / 8;
		ssize_t n = pread(fd, buf, PMEM_CHUNK, r.bytes);
		size_t i, b;

		if (n <= 0) {
			if (n < 0)
				r.err = errno;
			break;
		}
		for (i = 0; i < (size_t)n / 8; i++) {
			unsigned long long want = pmem_word(seed, first + i);

			if (buf[i] == want)
				continue;
			for (b = 0; b < 8; b++)
				r.bad += ((buf[i] ^ want) >> (8 * b) & 0xff) != 0;
		}
		r.bytes += n;
	}
	close(fd);
	free(buf);
	return r;
}

#endif
