// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO's hot reset of the test bed's two sets, with no hypervisor and
 * vfio-pci in no-IOMMU mode: the two-function device with no reset of its
 * own, reset with its hotplug slot, and the two devices behind the
 * conventional bridge, reset with its bus. The PCI core walks the devices
 * such a reset touches for both VFIO and Xen's pciback; this checks what
 * VFIO makes of the walk: GET_PCI_HOT_RESET_INFO lists exactly the set,
 * PCI_HOT_RESET cleans every function of it, and refuses while a group of
 * the set is missing or a function of it is not VFIO's.
 */
#include <linux/vfio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "../kselftest_harness.h"

#include "pcifn.h"

#define NOIOMMU_PARAM	"/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"

/* Why VFIO cannot be tried here, or NULL. */
static const char *no_vfio_why(void)
{
	char on = 'N';
	int fd = open(NOIOMMU_PARAM, O_RDONLY);

	if (fd < 0)
		return "no VFIO with no-IOMMU support in this kernel";
	if (read(fd, &on, 1) != 1)
		on = 'N';
	close(fd);
	if (on != 'Y')
		return "vfio.enable_unsafe_noiommu_mode is off (only the bare-QEMU mode sets it)";
	return NULL;
}

/* The IOMMU group VFIO made for @bdf, or -1. */
static int group_of(const char *bdf)
{
	char path[300], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVS "/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	return atoi(strrchr(link, '/') + 1);
}

/* One set in VFIO's hands: both functions bound, their groups in one container. */
struct vset {
	const struct fn *f[2];
	struct vcommon v[2];
	int group_id[2];
	int group[2];
	int container;
	int device;	/* the first function's */
};

static void vset_close(struct vset *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		vcommon_unmap(&s->v[i]);
		if (s->group[i] >= 0)
			close(s->group[i]);
		s->group[i] = -1;
	}
	if (s->device >= 0)
		close(s->device);
	if (s->container >= 0)
		close(s->container);
	s->device = -1;
	s->container = -1;
}

/* NULL, or the step that failed, with errno set. */
static const char *vset_open(struct vset *s)
{
	char path[64];
	int i;

	s->container = open("/dev/vfio/vfio", O_RDWR);
	if (s->container < 0)
		return "open /dev/vfio/vfio";
	for (i = 0; i < 2; i++) {
		if (bind_to(s->f[i]->bdf, "vfio-pci"))
			return "bind to vfio-pci";
		s->group_id[i] = group_of(s->f[i]->bdf);
		if (s->group_id[i] < 0)
			return "find the function's IOMMU group";
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", s->group_id[i]);
		s->group[i] = open(path, O_RDWR);
		if (s->group[i] < 0)
			return "open the no-IOMMU group";
		if (ioctl(s->group[i], VFIO_GROUP_SET_CONTAINER, &s->container))
			return "VFIO_GROUP_SET_CONTAINER";
		if (!i && ioctl(s->container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU))
			return "VFIO_SET_IOMMU (no-IOMMU)";
	}
	s->device = ioctl(s->group[0], VFIO_GROUP_GET_DEVICE_FD, s->f[0]->bdf);
	if (s->device < 0)
		return "VFIO_GROUP_GET_DEVICE_FD";
	for (i = 0; i < 2; i++) {
		errno = -vcommon_map(s->f[i], &s->v[i]);
		if (errno)
			return "map the virtio common config";
	}
	return NULL;
}

/* Does the function still hold what dirty() wrote? */
static bool holds(struct vcommon *v)
{
	enable_memory(v->bdf);
	return reg8(v, VIRTIO_COMMON_STATUS) == VIRTIO_ACK_DRIVER &&
	       reg16(v, VIRTIO_COMMON_MSIX) == 0;
}

/* Does VFIO list @d as the function at @bdf, in group @group? */
static bool lists(const struct vfio_pci_dependent_device *d, const char *bdf, int group)
{
	unsigned int seg, bus, dev, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4)
		return false;
	return d->segment == seg && d->bus == bus && d->devfn == (dev << 3 | fn) &&
	       d->group_id == (unsigned int)group;
}

FIXTURE(vfio) {
	int slot[2], bus[2];
	struct vset s;
};

FIXTURE_SETUP(vfio)
{
	memset(&self->s, 0, sizeof(self->s));
	self->s.group[0] = -1;
	self->s.group[1] = -1;
	self->s.container = -1;
	self->s.device = -1;
	if (no_vfio_why())
		return;	/* each test says why it skips */
	ASSERT_LT(0, load_functions());
	ASSERT_LE(0, find_multifunction(self->slot));
	ASSERT_LE(0, find_conventional_pair(self->bus));
}

FIXTURE_TEARDOWN(vfio)
{
	vset_close(&self->s);
}

/* Write both functions' registers, and check the writes took. */
static void dirty_set(struct __test_metadata *_metadata, struct vset *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		const char *bdf = s->f[i]->bdf;

		dirty(&s->v[i]);
		ASSERT_TRUE(holds(&s->v[i])) TH_LOG("%s took no state", bdf);
	}
}

static void hot_reset(struct __test_metadata *_metadata, struct vset *s, const int idx[2])
{
	struct vfio_pci_hot_reset_info *info;
	struct vfio_pci_hot_reset *rst;
	const char *failed;
	int i, j, found;

	if (no_vfio_why())
		SKIP(return, "%s", no_vfio_why());
	for (i = 0; i < 2; i++)
		s->f[i] = &fns[idx[i]];
	failed = vset_open(s);
	ASSERT_EQ(NULL, failed) TH_LOG("%s: %s", failed, strerror(errno));

	/* Too small: VFIO says how many it would list. */
	info = calloc(1, sizeof(*info) + 8 * sizeof(info->devices[0]));
	ASSERT_NE(NULL, info);
	info->argsz = sizeof(*info);
	ASSERT_EQ(-1, ioctl(s->device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info));
	ASSERT_EQ(ENOSPC, errno);
	EXPECT_EQ(2, info->count);
	info->argsz = sizeof(*info) + 8 * sizeof(info->devices[0]);
	ASSERT_EQ(0, ioctl(s->device, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info));
	ASSERT_EQ(2, info->count);
	for (i = 0; i < 2; i++) {
		const char *bdf = s->f[i]->bdf;
		int group = s->group_id[i];

		for (found = 0, j = 0; j < 2; j++)
			found += lists(&info->devices[j], bdf, group);
		EXPECT_EQ(1, found) TH_LOG("%s (group %d) not listed once", bdf, group);
	}
	free(info);

	rst = calloc(1, sizeof(*rst) + 2 * sizeof(rst->group_fds[0]));
	ASSERT_NE(NULL, rst);
	dirty_set(_metadata, s);

	/* The set is not whole without the second function's group. */
	rst->argsz = sizeof(*rst) + sizeof(rst->group_fds[0]);
	rst->count = 1;
	rst->group_fds[0] = s->group[0];
	EXPECT_EQ(-1, ioctl(s->device, VFIO_DEVICE_PCI_HOT_RESET, rst));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < 2; i++) {
		const char *bdf = s->f[i]->bdf;

		EXPECT_TRUE(holds(&s->v[i])) TH_LOG("%s reset by a refused reset", bdf);
	}

	rst->argsz = sizeof(*rst) + 2 * sizeof(rst->group_fds[0]);
	rst->count = 2;
	rst->group_fds[1] = s->group[1];
	ASSERT_EQ(0, ioctl(s->device, VFIO_DEVICE_PCI_HOT_RESET, rst))
		TH_LOG("VFIO_DEVICE_PCI_HOT_RESET: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		const char *bdf = s->f[i]->bdf;

		EXPECT_TRUE(clean(&s->v[i])) TH_LOG("%s keeps its state after the reset", bdf);
	}

	/*
	 * The second function out of VFIO's hands: its group is closed and it
	 * has no driver. The first one's group alone now covers VFIO's device
	 * set, but the reset would touch a function outside it: refused.
	 */
	close(s->group[1]);
	s->group[1] = -1;
	ASSERT_EQ(0, bind_to(s->f[1]->bdf, "none"));
	dirty_set(_metadata, s);
	rst->argsz = sizeof(*rst) + sizeof(rst->group_fds[0]);
	rst->count = 1;
	EXPECT_EQ(-1, ioctl(s->device, VFIO_DEVICE_PCI_HOT_RESET, rst));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(holds(&s->v[1])) TH_LOG("%s reset, though VFIO does not have it",
					    s->f[1]->bdf);
	free(rst);
}

/* The slot device's functions: pciehp resets the slot. */
TEST_F(vfio, slot_device)
{
	hot_reset(_metadata, &self->s, self->slot);
}

/* The two devices behind the conventional bridge: its bus is reset. */
TEST_F(vfio, bridge_pair)
{
	hot_reset(_metadata, &self->s, self->bus);
}

TEST_HARNESS_MAIN
