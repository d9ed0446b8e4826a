// SPDX-License-Identifier: GPL-2.0
/*
 * xen-pmem-revoke: take back from a Xen guest the persistent-memory frames
 * that "xen-pmem create" lent it, once its frontend let them go (xen-pmem
 * detach). xl has no command for this: xl create's iomem= both permits
 * the frames and, in a PVH or HVM guest, maps them into its p2m.
 *
 *   xen-pmem-revoke DOMID MFN NR GFN
 *
 * DOMID is decimal; MFN, NR and GFN are hex, as the vpmem backend's
 * xenstore nodes hold them.
 *
 * Exit status:
 *   0  the guest can no longer reach the frames: its p2m entries are gone
 *      (PVH, HVM) and Xen no longer lets it map them;
 *   2  a PV guest: Xen no longer lets it map the frames, but mappings it
 *      made before stay valid (Xen does not walk a PV guest's page tables),
 *      so the frames stay the guest's until the domain is gone;
 *   1  refused or failed, with one line on stderr naming why.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

static const char *prog = "xen-pmem-revoke";

/* A number as xenstore holds it: digits only, no prefix, no sign. */
static bool parse_number(const char *s, int base, unsigned long *val)
{
	const char *digits = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
	char *end;

	if (!*s || strspn(s, digits) != strlen(s))
		return false;
	errno = 0;
	*val = strtoul(s, &end, base);
	return !errno && !*end;
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long domid, mfn, nr, gfn;
	xc_dominfo_t info;
	xc_interface *xch;
	int ret = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: %s DOMID MFN NR GFN (MFN NR GFN in hex)\n", prog);
		return 1;
	}
	if (!parse_number(argv[1], 10, &domid) || !domid ||
	    domid >= DOMID_FIRST_RESERVED || !parse_number(argv[2], 16, &mfn) ||
	    !parse_number(argv[3], 16, &nr) || !parse_number(argv[4], 16, &gfn)) {
		fprintf(stderr, "%s: %s %s %s %s: not a domid and three hex numbers\n",
			prog, argv[1], argv[2], argv[3], argv[4]);
		return 1;
	}
	if (!nr || mfn + nr - 1 < mfn || gfn + nr - 1 < gfn) {
		fprintf(stderr, "%s: frames %lx+%lx at gfn %lx: empty or wrapping range\n",
			prog, mfn, nr, gfn);
		return 1;
	}

	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch)
		return fail("cannot open the hypervisor interface", errno);

	if (xc_domain_getinfo(xch, domid, 1, &info) != 1 || info.domid != domid) {
		fprintf(stderr, "%s: domain %lu: no such domain\n", prog, domid);
		goto out;
	}

	/*
	 * The p2m entries first: Xen removes them only while the domain is
	 * still permitted the frames. libxenctrl skips this for a PV domain.
	 */
	if (xc_domain_memory_mapping(xch, domid, gfn, mfn, nr, DPCI_REMOVE_MAPPING)) {
		fail("removing the guest's p2m entries", errno);
		goto out;
	}
	if (xc_domain_iomem_permission(xch, domid, mfn, nr, 0)) {
		fail("revoking the guest's iomem permission", errno);
		goto out;
	}
	ret = info.hvm ? 0 : 2;
out:
	xc_interface_close(xch);
	return ret;
}
