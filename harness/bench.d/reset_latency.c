// SPDX-License-Identifier: GPL-2.0
/*
 * reset_latency BDF ROUNDS: time pciback's do_flr against the PCI core's
 * own reset of the same device, alternating, and print the medians.
 * Runs in the test bed's dom0 (harness/bench); the device must be bound to
 * pciback and have a reset of its own (the core refuses otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Microseconds one write of @val to @path took, or -1. */
static double timed_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	double t0, t1;
	ssize_t n;

	if (fd < 0)
		return -1;
	t0 = now_us();
	n = write(fd, val, strlen(val));
	t1 = now_us();
	close(fd);
	return n == (ssize_t)strlen(val) ? t1 - t0 : -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	char core[256];
	double *a, *b;
	int i, n;

	if (argc != 3)
		return 2;
	n = atoi(argv[2]);
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	snprintf(core, sizeof(core), "/sys/bus/pci/devices/%s/reset", argv[1]);
	for (i = 0; i < n; i++) {
		a[i] = timed_write("/sys/bus/pci/drivers/pciback/do_flr", argv[1]);
		b[i] = timed_write(core, "1");
		if (a[i] < 0 || b[i] < 0) {
			printf("XST-BENCH error: a reset failed at round %d\n", i);
			return 1;
		}
	}
	qsort(a, n, sizeof(*a), cmp);
	qsort(b, n, sizeof(*b), cmp);
	printf("XST-BENCH reset_latency %s rounds %d do_flr_us %.0f core_us %.0f ratio %.3f\n",
	       argv[1], n, a[n / 2], b[n / 2], a[n / 2] / b[n / 2]);
	return 0;
}
