// SPDX-License-Identifier: GPL-2.0
/*
 * A program whose time goes to one known function, xst_hot_loop(), for
 * perf_sampling.sh: it spins there for the seconds given (default 0.5),
 * or with "-n N" for exactly N million rounds, whose instruction count
 * does not depend on the machine.
 */
#include <stdlib.h>
#include <string.h>
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
	unsigned long x = 88172645463325252UL;
	double end;
	long n;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		for (n = atol(argv[2]); n > 0; n--)
			x = xst_hot(x, 1000000);
		return x == 42;
	}
	end = now() + (argc > 1 ? atof(argv[1]) : 0.5);
	while (now() < end)
		x = xst_hot(x, 1000000);
	/* Use the result, or the loop could go. */
	return x == 42;
}
