// SPDX-License-Identifier: GPL-2.0
/*
 * pmem_bw DEV ROUNDS: sequential write then read bandwidth of a pmem block
 * device, O_DIRECT in 1 MiB requests over the whole device, ROUNDS times;
 * prints the medians as "XST-BENCH pmem_bw DEV write MB/s read MB/s".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK	(1 << 20)

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* MB/s of one pass, or -1. */
static double pass(const char *dev, int write, char *buf)
{
	int fd = open(dev, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	long long bytes = 0;
	double t0;
	ssize_t n;

	if (fd < 0)
		return -1;
	t0 = now();
	for (;;) {
		n = write ? pwrite(fd, buf, CHUNK, bytes) : pread(fd, buf, CHUNK, bytes);
		if (n <= 0)
			break;
		bytes += n;
	}
	if (write)
		fsync(fd);
	close(fd);
	return bytes ? bytes / 1e6 / (now() - t0) : -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	double w[32], r[32];
	int i, rounds;
	char *buf;

	if (argc != 3 || (rounds = atoi(argv[2])) < 1 || rounds > 32) {
		fprintf(stderr, "usage: pmem_bw DEV ROUNDS (1-32)\n");
		return 2;
	}
	if (posix_memalign((void **)&buf, 4096, CHUNK))
		return 1;
	memset(buf, 0x5a, CHUNK);
	for (i = 0; i < rounds; i++) {
		w[i] = pass(argv[1], 1, buf);
		r[i] = pass(argv[1], 0, buf);
		if (w[i] < 0 || r[i] < 0) {
			printf("XST-BENCH pmem_bw %s error\n", argv[1]);
			return 1;
		}
	}
	qsort(w, rounds, sizeof(w[0]), cmp);
	qsort(r, rounds, sizeof(r[0]), cmp);
	printf("XST-BENCH pmem_bw %s write %.1f read %.1f\n", argv[1], w[rounds / 2], r[rounds / 2]);
	return 0;
}
