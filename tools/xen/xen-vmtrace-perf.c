// SPDX-License-Identifier: GPL-2.0
/*
 * xen-vmtrace-perf: record a Xen guest vCPU's Intel PT trace into a
 * perf.data file that perf's Intel PT decoder reads (perf report -D,
 * perf script --itrace=...). See Documentation/admin-guide/xen-vmtrace.rst.
 *
 *   xen-vmtrace-perf -d DOMID -v VCPU [-u | -k] [-o FILE] [-s SECONDS] [-i MS]
 *	traces the vCPU's branches in user and kernel mode (-u: user mode
 *	only, -k: kernel mode only) and drains /dev/xen/vmtrace (dom0)
 *	until SIGINT or SIGTERM, the time limit, or the domain's death
 *   xen-vmtrace-perf -r RAW [-o FILE]
 *	converts raw trace bytes, e.g. what Xen's xen-vmtrace prints
 *
 * The file holds one intel_pt event, its AUXTRACE_INFO, the trace as
 * AUXTRACE records in stream order, and a truncated AUX record wherever
 * bytes were lost, which perf reports as "Lost trace data"; after a loss
 * the trace resumes at the next PSB. There are no
 * timestamps or thread records: perf decodes without time, and it needs
 * the guest's images to follow branches.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/perf_event.h>
#include <xen/vmtrace.h>

#include "pt-resync.h"

#define DEV "/dev/xen/vmtrace"
#define MSR_RTIT_CTL	0x570
/* RTIT_CTL bits a perf intel_pt config takes at the same positions */
#define RTIT_CTL_OS	0x04ULL
#define RTIT_CTL_USR	0x08ULL
#define RTIT_CTL_BRANCH_EN	0x2000ULL
#define PT_CONFIG_BITS	0x0fffff32ULL

/* perf.data layout (tools/perf/util/header.h, event.h): a fixed format */
struct file_section {
	uint64_t offset, size;
};

struct file_header {
	uint64_t magic, size, attr_size;
	struct file_section attrs, data, event_types;
	uint64_t features[4];
};

struct file_attr {
	struct perf_event_attr attr;
	struct file_section ids;
};

enum {
	REC_AUXTRACE_INFO = 70,
	REC_AUXTRACE = 71,
	AUXTRACE_INTEL_PT = 1,
};

/* AUXTRACE_INFO private words of intel_pt, in perf's order */
enum {
	PT_PMU_TYPE, PT_TIME_SHIFT, PT_TIME_MULT, PT_TIME_ZERO,
	PT_CAP_USER_TIME_ZERO, PT_TSC_BIT, PT_NORETCOMP_BIT,
	PT_HAVE_SCHED_SWITCH, PT_SNAPSHOT_MODE, PT_PER_CPU_MMAPS, PT_MTC_BIT,
	PT_MTC_FREQ_BITS, PT_TSC_CTC_N, PT_TSC_CTC_D, PT_CYC_BIT,
	PT_MAX_NONTURBO_RATIO, PT_FILTER_STR_LEN, PT_PRIV_WORDS
};

struct rec_auxtrace_info {
	struct perf_event_header h;
	uint32_t type, reserved;
	uint64_t priv[PT_PRIV_WORDS];
};

struct rec_auxtrace {
	struct perf_event_header h;
	uint64_t size, offset, reference;
	uint32_t idx, tid, cpu, reserved;
};

/* The id trailer of sample_id_all with PERF_SAMPLE_TID and _CPU */
struct sample_id {
	uint32_t pid, tid, cpu, reserved;
};

struct rec_aux {
	struct perf_event_header h;
	uint64_t aux_offset, aux_size, flags;
	struct sample_id id;
};

static_assert(sizeof(struct file_header) == 104, "perf_file_header");
static_assert(sizeof(struct rec_auxtrace_info) == 16 + 8 * 17, "info");
static_assert(sizeof(struct rec_auxtrace) == 48, "perf_record_auxtrace");
static_assert(sizeof(struct rec_aux) == 48, "perf_record_aux");

/* Without an intel_pt PMU here, any type no core PMU uses will do. */
#define PT_TYPE_FALLBACK 0x7ffe

struct out {
	const char *path;
	FILE *f;
	uint64_t data_start;
	uint64_t bytes, lost, records;	/* in the file: lost includes dropped */
	uint64_t dev_lost;	/* lost as the device counted them */
	bool resync;		/* drop what precedes the next PSB */
};

/* The output while it is being written: die() removes it. */
static const char *partial;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("xen-vmtrace-perf: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (partial)
		unlink(partial);
	exit(1);
}

static void put(struct out *o, const void *p, size_t n)
{
	if (n && fwrite(p, n, 1, o->f) != 1)
		die("%s: %s", o->path, strerror(errno));
}

static uint32_t pt_pmu_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/intel_pt/type", "r");
	unsigned int t;

	if (f && fscanf(f, "%u", &t) == 1) {
		fclose(f);
		return t;
	}
	if (f)
		fclose(f);
	return PT_TYPE_FALLBACK;
}

/* Header and attr now, sizes at the end; then the AUXTRACE_INFO. */
static void out_open(struct out *o, uint64_t rtit_ctl)
{
	struct file_attr fa = { 0 };
	struct file_header fh = { 0 };
	struct rec_auxtrace_info info = { 0 };
	uint32_t type = pt_pmu_type();

	o->f = fopen(o->path, "w");
	if (!o->f)
		die("%s: %s", o->path, strerror(errno));
	partial = o->path;
	fa.attr.type = type;
	fa.attr.size = sizeof(fa.attr);
	fa.attr.config = rtit_ctl & PT_CONFIG_BITS;
	fa.attr.exclude_kernel = !(rtit_ctl & RTIT_CTL_OS);
	fa.attr.exclude_user = !(rtit_ctl & RTIT_CTL_USR);
	fa.attr.exclude_hv = 1;
	/* perf orders (and so decodes) only events that carry an id */
	fa.attr.sample_id_all = 1;
	fa.attr.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_CPU;
	put(o, &fh, sizeof(fh));
	put(o, &fa, sizeof(fa));
	o->data_start = sizeof(fh) + sizeof(fa);

	info.h.type = REC_AUXTRACE_INFO;
	info.h.size = sizeof(info);
	info.type = AUXTRACE_INTEL_PT;
	info.priv[PT_PMU_TYPE] = type;
	/* Where perf's intel_pt format puts these switches in config */
	info.priv[PT_TSC_BIT] = 1ULL << 10;
	info.priv[PT_NORETCOMP_BIT] = 1ULL << 11;
	info.priv[PT_MTC_BIT] = 1ULL << 9;
	info.priv[PT_MTC_FREQ_BITS] = 0xfULL << 14;
	info.priv[PT_CYC_BIT] = 1ULL << 1;
	/* No perf clock to tie TSC packets to: decode without time. */
	info.priv[PT_TIME_MULT] = 1;
	put(o, &info, sizeof(info));
}

static void out_trace(struct out *o, const void *data, size_t n)
{
	/* perf record pads AUXTRACE data too: zero bytes are PT PAD packets */
	static const char pad[8];
	size_t padn = -n & 7;
	struct rec_auxtrace r = {
		.h.type = REC_AUXTRACE,
		.h.size = sizeof(r),
		.size = n + padn,
		.offset = o->bytes + o->lost,
		.reference = o->records,
		.tid = -1,
		.cpu = -1,
	};

	if (!n)
		return;
	put(o, &r, sizeof(r));
	put(o, data, n);
	put(o, pad, padn);
	o->bytes += n;
	o->records++;
}

static void out_lost(struct out *o, uint64_t n)
{
	struct rec_aux r = {
		.h.type = PERF_RECORD_AUX,
		.h.size = sizeof(r),
		.aux_offset = o->bytes + o->lost,
		.aux_size = n,
		.flags = PERF_AUX_FLAG_TRUNCATED,
		.id = { -1, -1, -1 },
	};

	put(o, &r, sizeof(r));
	o->lost += n;
}

static void out_close(struct out *o)
{
	struct file_header fh = {
		.magic = 0x32454c4946524550ULL,	/* "PERFILE2" */
		.size = sizeof(fh),
		.attr_size = sizeof(struct file_attr),
		.attrs = { sizeof(fh), sizeof(struct file_attr) },
	};
	long end = ftell(o->f);

	if (end < 0)
		die("%s: %s", o->path, strerror(errno));
	fh.data.offset = o->data_start;
	fh.data.size = end - o->data_start;
	if (fseek(o->f, 0, SEEK_SET))
		die("%s: %s", o->path, strerror(errno));
	put(o, &fh, sizeof(fh));
	if (fclose(o->f))
		die("%s: %s", o->path, strerror(errno));
	partial = NULL;
}

static void convert_raw(const char *raw, struct out *o)
{
	static char buf[1 << 16];
	FILE *in = fopen(raw, "r");
	size_t n;

	if (!in)
		die("%s: %s", raw, strerror(errno));
	/* What xen-vmtrace sets, and this recorder by default */
	out_open(o, RTIT_CTL_OS | RTIT_CTL_USR | RTIT_CTL_BRANCH_EN);
	while ((n = fread(buf, 1, sizeof(buf), in)))
		out_trace(o, buf, n);
	if (ferror(in))
		die("%s: %s", raw, strerror(errno));
	fclose(in);
	if (!o->bytes)
		die("%s: no trace bytes", raw);
}

static int poll_dev(int fd, struct xen_vmtrace_poll *p)
{
	return ioctl(fd, XEN_VMTRACE_IOC_POLL, p) ? -errno : 0;
}

/* Bytes the device counted lost since the last look: a gap to resync over */
static void note_dev_lost(struct out *o, uint64_t dev_lost)
{
	if (dev_lost <= o->dev_lost)
		return;
	out_lost(o, dev_lost - o->dev_lost);
	o->dev_lost = dev_lost;
	o->resync = true;
}

/*
 * Write the @n bytes at @data, or after a gap only from the next PSB on.
 * Returns how many bytes the device may take back as consumed.
 */
static uint64_t out_trace_synced(struct out *o, const char *data, uint64_t n)
{
	uint64_t drop = 0;
	bool found = false;

	if (o->resync) {
		drop = pt_resync_drop(data, n, &found);
		if (drop)
			out_lost(o, drop);
		if (!found)
			return drop;
		o->resync = false;
	}
	out_trace(o, data + drop, n - drop);
	return n;
}

/*
 * Copy what is unread, then poll again: bytes the writer reached in the
 * meantime (the driver counts them lost and moves the tail past them)
 * may be torn, so only the copy from the new tail on is kept.
 */
static int drain(int fd, const char *ring, struct out *o, char *copy)
{
	struct xen_vmtrace_poll p, q;
	uint64_t n, first, skip, done;
	int err = poll_dev(fd, &p);

	if (err)
		return err;
	note_dev_lost(o, p.lost);
	n = p.head - p.tail;
	first = p.len;
	memcpy(copy, ring + p.at, first);
	memcpy(copy + first, ring, n - first);
	err = poll_dev(fd, &q);
	if (err)
		return err;
	skip = q.tail - p.tail;
	if (skip > n)
		skip = n;
	note_dev_lost(o, q.lost);
	done = out_trace_synced(o, copy + skip, n - skip);
	if (done && ioctl(fd, XEN_VMTRACE_IOC_CONSUME, &done))
		return -errno;
	return 0;
}

/*
 * The device maps the buffer in a PV dom0. A PVH dom0 maps it through
 * privcmd, as Xen's own tools do (struct privcmd_mmap_resource, from
 * include/uapi/xen/privcmd.h, which user space cannot include).
 */
struct privcmd_mmap_resource {
	uint16_t dom;
	uint32_t type, id, idx;
	uint64_t num, addr;
};

#define IOCTL_PRIVCMD_MMAP_RESOURCE \
	_IOC(_IOC_NONE, 'P', 7, sizeof(struct privcmd_mmap_resource))
#define XENMEM_RESOURCE_VMTRACE_BUF	2

static char *map_ring(int fd, unsigned int domid, unsigned int vcpu,
		      uint64_t size)
{
	struct privcmd_mmap_resource r = {
		.dom = domid,
		.type = XENMEM_RESOURCE_VMTRACE_BUF,
		.id = vcpu,
		.num = size / sysconf(_SC_PAGESIZE),
	};
	char *ring = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	int pfd, err;

	if (ring != MAP_FAILED || errno != EOPNOTSUPP)
		return ring;
	pfd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (pfd < 0)
		return MAP_FAILED;
	ring = mmap(NULL, size, PROT_READ, MAP_SHARED, pfd, 0);
	if (ring != MAP_FAILED) {
		r.addr = (uintptr_t)ring;
		if (ioctl(pfd, IOCTL_PRIVCMD_MMAP_RESOURCE, &r)) {
			err = errno;
			munmap(ring, size);
			ring = MAP_FAILED;
			errno = err;
		}
	}
	err = errno;
	close(pfd);
	errno = err;
	return ring;
}

/*
 * Xen starts a vCPU's RTIT_CTL at zero and keeps what a recorder set last:
 * set the modes and branch tracing every time, as Xen's xen-vmtrace does,
 * or an enabled trace holds no packets but PSBs.
 * Returns 0, or -errno of a failure after the file was started.
 */
static int record(unsigned int domid, unsigned int vcpu, uint64_t modes,
		  unsigned int secs, unsigned int poll_ms, struct out *o)
{
	struct xen_vmtrace_attach a = { .domid = domid, .vcpu = vcpu };
	struct xen_vmtrace_option ctl = { .key = MSR_RTIT_CTL,
					  .value = modes | RTIT_CTL_BRANCH_EN };
	struct timespec nap = { poll_ms / 1000, (poll_ms % 1000) * 1000000L };
	time_t end = secs ? time(NULL) + secs : 0;
	bool stop = false;
	char *ring, *copy;
	sigset_t sigs;
	int fd, err;

	/* SIGINT and SIGTERM end the recording: waited for between polls */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	fd = open(DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", DEV, strerror(errno));
	if (ioctl(fd, XEN_VMTRACE_IOC_ATTACH, &a))
		die("d%uv%u: %s", domid, vcpu, strerror(errno));
	if (ioctl(fd, XEN_VMTRACE_IOC_SET_OPTION, &ctl))
		die("d%uv%u: setting RTIT_CTL: %s", domid, vcpu,
		    strerror(errno));
	/* What Xen kept, for the perf event's exclude_user/_kernel. */
	if (ioctl(fd, XEN_VMTRACE_IOC_GET_OPTION, &ctl))
		die("d%uv%u: reading RTIT_CTL: %s", domid, vcpu,
		    strerror(errno));
	ring = map_ring(fd, domid, vcpu, a.size);
	copy = malloc(a.size);
	if (ring == MAP_FAILED || !copy)
		die("d%uv%u: mapping %llu bytes: %s", domid, vcpu,
		    (unsigned long long)a.size, strerror(errno));
	out_open(o, ctl.value);
	if (ioctl(fd, XEN_VMTRACE_IOC_RESET))
		die("d%uv%u: enabling: %s", domid, vcpu, strerror(errno));

	do {
		stop = sigtimedwait(&sigs, NULL, &nap) > 0;
		err = drain(fd, ring, o, copy);
	} while (!err && !stop && (!end || time(NULL) < end));

	/* Stop the writer, then take what it wrote last. */
	if (!err && !ioctl(fd, XEN_VMTRACE_IOC_DISABLE))
		err = drain(fd, ring, o, copy);
	/* The domain's death ends a recording; the file keeps the trace. */
	if (err == -ESRCH) {
		fprintf(stderr, "xen-vmtrace-perf: domain %u is gone\n", domid);
		err = 0;
	} else if (err) {
		fprintf(stderr, "xen-vmtrace-perf: d%uv%u: %s\n", domid, vcpu,
			strerror(-err));
	}
	munmap(ring, a.size);
	free(copy);
	close(fd);
	return err;
}

static unsigned int number(const char *s, const char *what, unsigned int max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || *s == '-') {
		fprintf(stderr, "xen-vmtrace-perf: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void bad_usage(void)
{
	fputs("usage: xen-vmtrace-perf -d DOMID -v VCPU [-u | -k] [-o FILE] [-s SECONDS] [-i MS]\n"
	      "       xen-vmtrace-perf -r RAW [-o FILE]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct out o = { .path = "perf.data" };
	int err = 0;
	long domid = -1, vcpu = -1;
	unsigned int secs = 0, poll_ms = 10;
	uint64_t modes = RTIT_CTL_USR | RTIT_CTL_OS;
	const char *raw = NULL;
	int c, mode_opts = 0;

	while ((c = getopt(argc, argv, "d:v:o:s:i:r:uk")) != -1) {
		switch (c) {
		case 'u':
			modes = RTIT_CTL_USR;
			mode_opts++;
			break;
		case 'k':
			modes = RTIT_CTL_OS;
			mode_opts++;
			break;
		case 'd':
			domid = number(optarg, "domain id", 0x7fef);
			break;
		case 'v':
			vcpu = number(optarg, "vCPU", 4095);
			break;
		case 'o':
			o.path = optarg;
			break;
		case 's':
			secs = number(optarg, "time limit", 86400);
			break;
		case 'i':
			poll_ms = number(optarg, "poll interval", 10000);
			break;
		case 'r':
			raw = optarg;
			break;
		default:
			bad_usage();
		}
	}
	if (optind != argc || mode_opts > 1 || (raw && (domid >= 0 || vcpu >= 0 || mode_opts)) ||
	    (!raw && (domid < 0 || vcpu < 0)))
		bad_usage();

	if (raw)
		convert_raw(raw, &o);
	else
		err = record(domid, vcpu, modes, secs, poll_ms ? poll_ms : 1, &o);
	out_close(&o);
	fprintf(stderr, "xen-vmtrace-perf: %s: %llu bytes of trace in %llu records, %llu lost\n",
		o.path, (unsigned long long)o.bytes,
		(unsigned long long)o.records, (unsigned long long)o.lost);
	return err ? 1 : 0;
}
