// SPDX-License-Identifier: GPL-2.0
/*
 * Print the TSC. Under QEMU's -icount the TSC advances by guest
 * instructions, not host time, so its value at init is a noise-free
 * measure of the work done from power-on to init.
 */
#include <stdio.h>
#include <x86intrin.h>

int main(void)
{
	printf("XST-TSC %llu\n", (unsigned long long)__rdtsc());
	return 0;
}
