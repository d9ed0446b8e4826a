// SPDX-License-Identifier: GPL-2.0
/* Which domctl interface version the running Xen takes: see abi.h */
#include <linux/errno.h>
#include <linux/kernel.h>

#include "abi.h"

/*
 * Try each version this driver knows, newest first. Xen checks the
 * version right after copying the argument, before the command and the
 * domain, so any answer but EACCES and EFAULT means the version was taken.
 * Returns 0 with *@version set, -EOPNOTSUPP when Xen took none, or the
 * probe's -EFAULT.
 */
int vmtrace_find_domctl_version(vmtrace_domctl_probe_t probe, void *ctx,
				u32 *version)
{
	static const u32 versions[] = VMTRACE_DOMCTL_VERSIONS;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		err = probe(ctx, versions[i]);
		if (err == -EFAULT)
			return err;
		if (err != -EACCES) {
			*version = versions[i];
			return 0;
		}
	}
	return -EOPNOTSUPP;
}
