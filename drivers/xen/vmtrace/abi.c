// SPDX-License-Identifier: GPL-2.0
/* Which domctl interface version the running Xen takes: see abi.h */
#include <linux/errno.h>
#include <linux/kernel.h>

#include "abi.h"

/*
 * Try each version this driver knows, newest first. Xen checks the
 * version right after copying the argument (EACCES), then looks up the
 * probe's domain, DOMID_INVALID (ESRCH). Any other answer is not Xen's
 * domctl as this driver knows it.
 * Returns 0 with *@version set, -EOPNOTSUPP when Xen took none, or the
 * probe's other error.
 */
int vmtrace_find_domctl_version(vmtrace_domctl_probe_t probe, void *ctx,
				u32 *version)
{
	static const u32 versions[] = VMTRACE_DOMCTL_VERSIONS;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		err = probe(ctx, versions[i]);
		if (err == -ESRCH) {
			*version = versions[i];
			return 0;
		}
		if (err != -EACCES)
			return err;
	}
	return -EOPNOTSUPP;
}
