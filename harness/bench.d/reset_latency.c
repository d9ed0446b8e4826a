// SPDX-License-Identifier: GPL-2.0
/*
 * Time pciback's do_flr against the PCI core's own reset of the same
 * devices, alternating, and print the medians. Runs in the test bed's PV
 * dom0 (harness/bench).
 *
 *   reset_latency BDF ROUNDS
 *	BDF is bound to pciback and has a reset of its own: do_flr against
 *	/sys/bus/pci/devices/BDF/reset.
 *   reset_latency --set BDF0 BDF1 ROUNDS
 *	BDF0 and BDF1 are the whole set a slot or bus reset touches, with no
 *	reset of their own: do_flr of BDF1 (pciback's pci_reset_bus() of the
 *	set) against VFIO's hot reset of the same set (vfio-pci in no-IOMMU
 *	mode), the only way user space reaches pci_reset_bus() otherwise.
 *	Each round binds the set to pciback, then to vfio-pci, and back;
 *	only the resets, and pciback's dry run of its plan, are timed.
 *	Each timed reset starts after the same quiet spell plus a random
 *	part of a scheduler tick: the resets sleep inside (the secondary bus
 *	reset's msleep() ends on a tick), and a machine left idle wakes
 *	slower on host time, so without it the order of the steps, not the
 *	drivers, decides the figures.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define DEVS	"/sys/bus/pci/devices"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Microseconds one write of @val to @path took; @err: 0 or its errno. */
static double timed_write_err(const char *path, const char *val, int *err)
{
	int fd = open(path, O_WRONLY);
	double t0, t1;
	ssize_t n;

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	t0 = now_us();
	n = write(fd, val, strlen(val));
	t1 = now_us();
	*err = n < 0 ? errno : n == (ssize_t)strlen(val) ? 0 : EIO;
	close(fd);
	return t1 - t0;
}

/* Microseconds one write of @val to @path took, or -1. */
static double timed_write(const char *path, const char *val)
{
	int err;
	double t = timed_write_err(path, val, &err);

	return err ? -1 : t;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

/* 200 ms of quiet, then 0 to 4 ms more (a tick is 4 ms at HZ=250, 1 ms at 1000). */
static void settle(void)
{
	usleep(200000 + rand() % 4000);
}

static int put(const char *path, const char *val)
{
	return timed_write(path, val) < 0 ? -1 : 0;
}

/* Bind @bdf to @drv: unbind, override, probe; 0 when it took. */
static int bind(const char *bdf, const char *drv)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), DEVS "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		if (!strcmp(strrchr(link, '/') + 1, drv))
			return 0;
		snprintf(path, sizeof(path), DEVS "/%s/driver/unbind", bdf);
		if (put(path, bdf))
			return -1;
	}
	if (!strcmp(drv, "pciback"))
		put("/sys/bus/pci/drivers/pciback/new_slot", bdf);	/* EEXIST is fine */
	snprintf(path, sizeof(path), DEVS "/%s/driver_override", bdf);
	if (put(path, drv))
		return -1;
	put("/sys/bus/pci/drivers_probe", bdf);
	snprintf(path, sizeof(path), DEVS "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	return strcmp(strrchr(link, '/') + 1, drv) ? -1 : 0;
}

static int group_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), DEVS "/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	return atoi(strrchr(link, '/') + 1);
}

/* Two hot resets of the set in one open: their microseconds in @first and @again. */
static int vfio_hot_reset(char *const bdf[2], double *first, double *again)
{
	struct vfio_pci_hot_reset *rst = calloc(1, sizeof(*rst) + 2 * sizeof(__s32));
	int container, group[2] = { -1, -1 }, device = -1, i, ok = 0;
	char path[64];
	double t0, t1;

	container = open("/dev/vfio/vfio", O_RDWR);
	for (i = 0; i < 2 && container >= 0; i++) {
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", group_of(bdf[i]));
		group[i] = open(path, O_RDWR);
		if (group[i] < 0 || ioctl(group[i], VFIO_GROUP_SET_CONTAINER, &container))
			goto out;
		if (!i && ioctl(container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU))
			goto out;
	}
	if (container < 0 || !rst)
		goto out;
	device = ioctl(group[0], VFIO_GROUP_GET_DEVICE_FD, bdf[0]);
	if (device < 0)
		goto out;
	rst->argsz = sizeof(*rst) + 2 * sizeof(__s32);
	rst->count = 2;
	rst->group_fds[0] = group[0];
	rst->group_fds[1] = group[1];
	settle();
	t0 = now_us();
	ok = !ioctl(device, VFIO_DEVICE_PCI_HOT_RESET, rst);
	t1 = now_us();
	*first = t1 - t0;
	settle();
	t0 = now_us();
	ok = ok && !ioctl(device, VFIO_DEVICE_PCI_HOT_RESET, rst);
	t1 = now_us();
	*again = t1 - t0;
out:
	if (!ok)
		printf("XST-BENCH error: VFIO hot reset of %s %s: %s\n", bdf[0], bdf[1],
		       strerror(errno));
	if (device >= 0)
		close(device);
	for (i = 0; i < 2; i++)
		if (group[i] >= 0)
			close(group[i]);
	if (container >= 0)
		close(container);
	free(rst);
	return ok ? 0 : -1;
}

/* Bind the set to @drv; 0, or -1 with a line saying which did not take. */
static int bind_set(char *const bdf[2], const char *drv)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (bind(bdf[k], drv)) {
			printf("XST-BENCH error: %s not bound to %s\n", bdf[k], drv);
			return -1;
		}
	}
	return 0;
}

/* Microseconds one read of @path took, or -1. */
static double timed_read(const char *path)
{
	int fd = open(path, O_RDONLY);
	char buf[512];
	double t0, t1;
	ssize_t n;

	if (fd < 0)
		return -1;
	t0 = now_us();
	n = read(fd, buf, sizeof(buf));
	t1 = now_us();
	close(fd);
	return n > 0 ? t1 - t0 : -1;
}

/* What do_flr resets, as pciback's dry run says: one line. */
static void print_plan(const char *path)
{
	char buf[512];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n <= 0)
		n = snprintf(buf, sizeof(buf), "unreadable\n");
	buf[n] = '\0';
	printf("XST-BENCH set_plan %s", buf);
}

/* Microseconds a write of @val to @path took that failed with @want, or -1. */
static double timed_refusal(const char *path, const char *val, int want)
{
	int err;
	double t = timed_write_err(path, val, &err);

	return err == want ? t : -1;
}

enum { FLR_FIRST, FLR, CLEAN, PLAN, REFUSED, VFIO_FIRST, VFIO, NFIG };

/*
 * Per round, each do_flr the first write after the set was bound to
 * pciback (a device pciback just took needs a reset; one it reset since
 * needs none): do_flr of BDF1, which the core lists no reset of its own
 * for, so pciback goes straight to pci_reset_bus(); a second do_flr of it,
 * now clean, which resets nothing; the dry run of the plan and the core's
 * refused function reset of BDF0; bound to vfio-pci, two hot resets in
 * one open; bound to pciback again, do_flr of BDF0, whose listed "bus"
 * method the core's probe refuses while BDF1 is there. The ratio compares
 * like with like: do_flr of BDF1 and the first hot reset, each the first
 * reset after its driver took the set.
 */
static int set_rounds(char *const bdf[2], int n, double *t[NFIG])
{
	char plan[PATH_MAX], own[PATH_MAX];
	const char *flr = "/sys/bus/pci/drivers/pciback/do_flr";
	int i, k;

	snprintf(plan, sizeof(plan), DEVS "/%s/pciback_reset", bdf[0]);
	snprintf(own, sizeof(own), DEVS "/%s/reset", bdf[0]);
	/* Each round starts from another driver, as the first would not. */
	if (bind_set(bdf, "vfio-pci"))
		return -1;
	for (i = 0; i < n; i++) {
		if (bind_set(bdf, "pciback"))
			return -1;
		settle();
		t[FLR][i] = timed_write(flr, bdf[1]);
		t[CLEAN][i] = timed_write(flr, bdf[1]);
		t[PLAN][i] = timed_read(plan);
		/* The core's function reset, which the sibling makes it refuse. */
		t[REFUSED][i] = timed_refusal(own, "1", ENOTTY);
		if (bind_set(bdf, "vfio-pci"))
			return -1;
		if (vfio_hot_reset(bdf, &t[VFIO_FIRST][i], &t[VFIO][i]))
			return -1;
		if (bind_set(bdf, "pciback"))
			return -1;
		settle();
		t[FLR_FIRST][i] = timed_write(flr, bdf[0]);
		if (bind_set(bdf, "vfio-pci"))
			return -1;
		for (k = 0; k < NFIG; k++) {
			if (t[k][i] < 0) {
				printf("XST-BENCH error: step %d failed at round %d\n", k, i);
				return -1;
			}
		}
	}
	bind_set(bdf, "pciback");
	print_plan(plan);
	for (k = 0; k < NFIG; k++)
		qsort(t[k], n, sizeof(double), cmp);
	printf("XST-BENCH set_reset_latency %s+%s rounds %d do_flr_us %.0f vfio_us %.0f",
	       bdf[0], bdf[1], n, t[FLR][n / 2], t[VFIO_FIRST][n / 2]);
	printf(" ratio %.3f do_flr_f0_us %.0f vfio_again_us %.0f plan_us %.0f",
	       t[FLR][n / 2] / t[VFIO_FIRST][n / 2], t[FLR_FIRST][n / 2], t[VFIO][n / 2],
	       t[PLAN][n / 2]);
	printf(" refused_function_us %.0f clean_do_flr_us %.0f\n", t[REFUSED][n / 2],
	       t[CLEAN][n / 2]);
	return 0;
}

int main(int argc, char **argv)
{
	char core[256];
	double *a, *b;
	int i, n;

	if (argc == 5 && !strcmp(argv[1], "--set")) {
		double *t[NFIG];

		n = atoi(argv[4]);
		for (i = 0; i < NFIG; i++)
			t[i] = calloc(n > 0 ? n : 1, sizeof(double));
		return n > 0 && !set_rounds(argv + 2, n, t) ? 0 : 1;
	}
	if (argc != 3)
		return 2;
	n = atoi(argv[2]);
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	snprintf(core, sizeof(core), DEVS "/%s/reset", argv[1]);
	for (i = 0; i < n; i++) {
		a[i] = timed_write("/sys/bus/pci/drivers/pciback/do_flr", argv[1]);
		b[i] = timed_write(core, "1");
		if (a[i] < 0 || b[i] < 0) {
			printf("XST-BENCH error: a reset failed at round %d\n", i);
			return 1;
		}
	}
	printf("XST-BENCH reset_latency %s rounds %d do_flr_us %.0f core_us %.0f ratio %.3f\n",
	       argv[1], n, median(a, n), median(b, n), median(a, n) / median(b, n));
	return 0;
}
