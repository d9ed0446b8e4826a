// SPDX-License-Identifier: GPL-2.0
/*
 * A program whose time goes to one known function, xst_hot_loop(), for
 * perf_sampling.sh: it spins there for the seconds given (default 0.5).
 */
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) void xst_hot_loop(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		sink += i * i;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 0.5);

	while (now() < end)
		xst_hot_loop(1000000);
	return 0;
}
