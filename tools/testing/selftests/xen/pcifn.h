/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test bed function, driven from user space: which driver has it, and
 * its virtio common config, mapped through sysfs. Tests dirty a function
 * (device status, 0 at power-on, and the config MSI-X vector, 0xffff at
 * power-on) and read back whether a reset cleaned it.
 */
#ifndef XEN_SELFTEST_PCIFN_H
#define XEN_SELFTEST_PCIFN_H

#include <errno.h>
#include <sys/mman.h>

#include "testbed.h"

#define DRIVERS		"/sys/bus/pci/drivers"

#define PCI_COMMAND		0x04
#define  PCI_COMMAND_MEMORY	0x2
#define PCI_CAP_ID_VNDR		0x09
#define VIRTIO_PCI_CAP_COMMON	1
#define VIRTIO_COMMON_MSIX	0x10	/* msix_config, le16 */
#define VIRTIO_COMMON_STATUS	0x14	/* device_status, u8 */
#define VIRTIO_ACK_DRIVER	0x03
#define VIRTIO_NO_VECTOR	0xffff

/* Write @val to sysfs file @path; 0 or -errno. */
static inline int sysfs_write(const char *path, const char *val, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static inline int sysfs_printf(const char *path, const char *val)
{
	return sysfs_write(path, val, strlen(val));
}

/* The driver @bdf is bound to, or "" when none. */
static inline void driver_of(const char *bdf, char *drv, size_t len)
{
	char link[PATH_MAX], path[300];
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	drv[0] = '\0';
	if (n > 0) {
		link[n] = '\0';
		snprintf(drv, len, "%s", strrchr(link, '/') + 1);
	}
}

/* Bind @bdf to @drv (pciback, pci-stub, vfio-pci), unbinding it first; "none" unbinds. */
static inline int bind_to(const char *bdf, const char *drv)
{
	char path[300], cur[64];

	driver_of(bdf, cur, sizeof(cur));
	if (!strcmp(cur, drv))
		return 0;
	if (cur[0]) {
		snprintf(path, sizeof(path), PCI_DEVS "/%s/driver/unbind", bdf);
		if (sysfs_printf(path, bdf))
			return -EIO;
	}
	if (!strcmp(drv, "none")) {
		snprintf(path, sizeof(path), PCI_DEVS "/%s/driver_override", bdf);
		return sysfs_printf(path, "\n");
	}
	if (!strcmp(drv, "pciback"))
		sysfs_printf(DRIVERS "/pciback/new_slot", bdf);	/* EEXIST is fine */
	snprintf(path, sizeof(path), PCI_DEVS "/%s/driver_override", bdf);
	if (sysfs_printf(path, drv))
		return -EIO;
	sysfs_printf("/sys/bus/pci/drivers_probe", bdf);
	driver_of(bdf, cur, sizeof(cur));
	return strcmp(cur, drv) ? -ENODEV : 0;
}

/* A mapping of one function's virtio common config. */
struct vcommon {
	char bdf[NAME_MAX + 1];
	uint8_t *regs;
	void *map;
	size_t maplen;
};

/* pciback and libxl leave devices disabled: turn memory decoding on. */
static inline int enable_memory(const char *bdf)
{
	char path[300];
	uint8_t cmd[2];
	int fd, ok;

	snprintf(path, sizeof(path), PCI_DEVS "/%s/config", bdf);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	ok = pread(fd, cmd, 2, PCI_COMMAND) == 2;
	cmd[0] |= PCI_COMMAND_MEMORY;
	ok = ok && pwrite(fd, cmd, 2, PCI_COMMAND) == 2;
	close(fd);
	return ok ? 0 : -EIO;
}

static inline int vcommon_map(const struct fn *f, struct vcommon *v)
{
	int pos = f->cfg[PCI_CAP_PTR] & ~3, guard = 48, fd;
	char path[300];
	uint32_t off;
	long page = sysconf(_SC_PAGESIZE);

	snprintf(v->bdf, sizeof(v->bdf), "%s", f->bdf);
	while (pos >= 0x40 && pos < CFG_SIZE - 16 && guard--) {
		if (f->cfg[pos] == PCI_CAP_ID_VNDR && f->cfg[pos + 3] == VIRTIO_PCI_CAP_COMMON)
			break;
		pos = f->cfg[pos + 1] & ~3;
	}
	if (pos < 0x40 || pos >= CFG_SIZE - 16 || guard < 0)
		return -ENOENT;
	off = cfg32(f, pos + 8);

	if (enable_memory(f->bdf))
		return -EIO;

	snprintf(path, sizeof(path), PCI_DEVS "/%s/resource%u", f->bdf, f->cfg[pos + 4]);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return -errno;
	v->maplen = (off % page) + page;
	v->map = mmap(NULL, v->maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      off - off % page);
	close(fd);
	if (v->map == MAP_FAILED)
		return -errno;
	v->regs = (uint8_t *)v->map + off % page;
	return 0;
}

static inline void vcommon_unmap(struct vcommon *v)
{
	if (v->map && v->map != MAP_FAILED)
		munmap(v->map, v->maplen);
	v->map = NULL;
}

/*
 * Device registers: every access must reach the device, in order. The
 * __atomic builtins give single, unmerged loads and stores.
 */
static inline uint8_t reg8(struct vcommon *v, int off)
{
	return __atomic_load_n(v->regs + off, __ATOMIC_SEQ_CST);
}

static inline uint16_t reg16(struct vcommon *v, int off)
{
	return __atomic_load_n((uint16_t *)(v->regs + off), __ATOMIC_SEQ_CST);
}

static inline void dirty(struct vcommon *v)
{
	__atomic_store_n((uint16_t *)(v->regs + VIRTIO_COMMON_MSIX), 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(v->regs + VIRTIO_COMMON_STATUS, VIRTIO_ACK_DRIVER, __ATOMIC_SEQ_CST);
}

/* Is the function as a reset leaves it? */
static inline bool clean(struct vcommon *v)
{
	enable_memory(v->bdf);
	return !reg8(v, VIRTIO_COMMON_STATUS) && reg16(v, VIRTIO_COMMON_MSIX) == VIRTIO_NO_VECTOR;
}

#endif
