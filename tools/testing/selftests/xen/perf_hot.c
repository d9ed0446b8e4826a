// SPDX-License-Identifier: GPL-2.0
/*
 * A program whose time goes to one known function, xst_hot_loop(), for
 * perf_sampling.sh: it spins there for the seconds given (default 0.5).
 */
#include <stdlib.h>
#include <time.h>

/* A xorshift chain: no closed form for the compiler to find */
unsigned long xst_hot_loop(unsigned long x, unsigned long n)
{
	while (n--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

/* Called through a global pointer, so it is never inlined into main(). */
unsigned long (*xst_hot)(unsigned long, unsigned long) = xst_hot_loop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 0.5);
	unsigned long x = 88172645463325252UL;

	while (now() < end)
		x = xst_hot(x, 1000000);
	/* Use the result, or the loop could go. */
	return x == 42;
}
