// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xen/vmtrace: dom0 sets up and drains the Intel PT buffer Xen keeps
 * for a domU vCPU (a domain created with vmtrace_buf_kb). See
 * Documentation/admin-guide/xen-vmtrace.rst and include/uapi/xen/vmtrace.h.
 *
 * At the first open the device finds the domctl version the running Xen
 * takes (Xen 4.17 to 4.20 each take one); every open checks that Xen
 * reports vmtrace support at all.
 */
#define pr_fmt(fmt) "xen_vmtrace: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/xen/hypercall.h>
#include <xen/features.h>
#include <xen/interface/memory.h>
#include <xen/interface/version.h>
#include <xen/xen.h>
#include <xen/xen-ops.h>
#include <xen/vmtrace.h>

#include "abi.h"
#include "ring.h"

struct vmtrace_session {
	struct mutex lock;	/* the fields below */
	bool attached;
	bool gone;		/* the domain died while attached */
	domid_t domid;
	u32 vcpu;
	u64 frames;
	struct vmtrace_ring ring;
	struct list_head node;	/* in vmtrace_attached, while attached */
};

/*
 * One open file per vCPU: Xen keeps one enable flag and one position per
 * vCPU, so a second reader would disable or reset the first one's trace.
 * Lock order: a session's lock, then vmtrace_attached_lock.
 */
static LIST_HEAD(vmtrace_attached);
static DEFINE_MUTEX(vmtrace_attached_lock);

/* The domctl version the running Xen took (0: not found yet) */
static u32 vmtrace_domctl_version;

/* A vmtrace_op on no domain: ESRCH when Xen takes @version, else EACCES */
static int vmtrace_probe_domctl(void *ctx, u32 version)
{
	struct xen_domctl op = {
		.cmd = XEN_DOMCTL_vmtrace_op,
		.interface_version = version,
		.domain = DOMID_INVALID,
	};

	return _hypercall1(int, domctl, &op);
}

static int vmtrace_check_domctl(void)
{
	static DEFINE_MUTEX(probing);
	u32 version;
	int err = 0;

	mutex_lock(&probing);
	if (vmtrace_domctl_version)
		goto out;
	err = vmtrace_find_domctl_version(vmtrace_probe_domctl, NULL, &version);
	if (err) {
		pr_info_ratelimited("Xen took none of the domctl versions of Xen 4.17 to 4.20 (%d)\n",
				    err);
		err = -EOPNOTSUPP;
		goto out;
	}
	pr_info("Xen takes domctl interface version %#x\n", version);
	WRITE_ONCE(vmtrace_domctl_version, version);
out:
	mutex_unlock(&probing);
	return err;
}

static int vmtrace_check_xen(void)
{
	struct xen_sysctl op = {
		.cmd = XEN_SYSCTL_physinfo,
		.interface_version = XEN_SYSCTL_INTERFACE_VERSION,
	};
	int err = vmtrace_check_domctl();

	if (err)
		return err;
	err = _hypercall1(int, sysctl, &op);
	if (err) {
		pr_info_once("XEN_SYSCTL_physinfo failed (%d)\n", err);
		return -EOPNOTSUPP;
	}
	if (!(op.u.physinfo.capabilities & XEN_SYSCTL_PHYSCAP_vmtrace)) {
		pr_info_once("Xen reports no vmtrace (it needs VMX with Intel PT)\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* @value: read by set_option, written by the commands that return one */
static int vmtrace_domctl(struct vmtrace_session *s, u32 cmd, u64 key,
			  u64 *value)
{
	struct xen_domctl op = {
		.cmd = XEN_DOMCTL_vmtrace_op,
		.interface_version = READ_ONCE(vmtrace_domctl_version),
		.domain = s->domid,
		.u.vmtrace_op = {
			.cmd = cmd,
			.vcpu = s->vcpu,
			.key = key,
			.value = value ? *value : 0,
		},
	};
	int err;

	if (s->gone)
		return -ESRCH;
	err = _hypercall1(int, domctl, &op);
	if (err == -ESRCH) {
		s->gone = true;
		pr_info("domain %u died while traced\n", s->domid);
	}
	if (!err && value)
		*value = op.u.vmtrace_op.value;
	return err;
}

/*
 * The buffer's size in frames. Xen answers EINVAL for a domain created
 * without vmtrace_buf_kb (and for any PV domain): no buffer to trace.
 */
static int vmtrace_query_frames(domid_t domid, u32 vcpu, u64 *frames)
{
	struct xen_mem_acquire_resource q = {
		.domid = domid,
		.type = XENMEM_resource_vmtrace_buf,
		.id = vcpu,
	};
	int err = HYPERVISOR_memory_op(XENMEM_acquire_resource, &q);

	*frames = q.nr_frames;
	if (err == -EINVAL || (!err && !q.nr_frames)) {
		pr_info("d%u has no trace buffer (create it with vmtrace_buf_kb)\n",
			domid);
		return -ENODEV;
	}
	return err;
}

/* Claim the vCPU for @s; the caller holds s->lock. */
static int vmtrace_claim(struct vmtrace_session *s)
{
	struct vmtrace_session *other;
	int err = 0;

	mutex_lock(&vmtrace_attached_lock);
	list_for_each_entry(other, &vmtrace_attached, node) {
		if (other->domid == s->domid && other->vcpu == s->vcpu) {
			pr_info("d%uv%u is traced through another open file\n",
				s->domid, s->vcpu);
			err = -EBUSY;
			goto out;
		}
	}
	list_add(&s->node, &vmtrace_attached);
	s->attached = true;
out:
	mutex_unlock(&vmtrace_attached_lock);
	return err;
}

static int vmtrace_attach(struct vmtrace_session *s, struct xen_vmtrace_attach *a)
{
	u64 frames, pos;
	int err;

	if (s->attached)
		return -EBUSY;
	/* A domain that died under an earlier, failed attach is not this one. */
	s->gone = false;
	/* dom0 and the reserved ids have no HVM vCPUs to trace. */
	if (!a->domid || a->domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	err = vmtrace_query_frames(a->domid, a->vcpu, &frames);
	if (err)
		return err;
	if (vmtrace_ring_init(&s->ring, frames)) {
		pr_warn("d%uv%u: Xen sized the buffer %llu frames\n", a->domid,
			a->vcpu, frames);
		return -EPROTO;
	}
	s->domid = a->domid;
	s->vcpu = a->vcpu;
	s->frames = frames;
	/* Count from where Xen is now: older bytes may be half overwritten. */
	err = vmtrace_domctl(s, XEN_DOMCTL_vmtrace_output_position, 0, &pos);
	if (!err)
		err = vmtrace_ring_reset(&s->ring, pos);
	if (!err)
		err = vmtrace_claim(s);
	if (err)
		return err;
	a->size = s->ring.size;
	return 0;
}

/*
 * Empty the buffer and (re)start tracing. Xen refuses reset_and_enable
 * (EINVAL) while it counts the vCPU as tracing, so then the trace is
 * stopped and reset again; a stop Xen refuses too keeps its EINVAL. Xen
 * restarts at offset 0, and so does the count.
 */
static int vmtrace_reset(struct vmtrace_session *s)
{
	int err = vmtrace_domctl(s, XEN_DOMCTL_vmtrace_reset_and_enable, 0,
				 NULL);

	if (err == -EINVAL) {
		err = vmtrace_domctl(s, XEN_DOMCTL_vmtrace_disable, 0, NULL);
		if (!err)
			err = vmtrace_domctl(s, XEN_DOMCTL_vmtrace_reset_and_enable,
					     0, NULL);
	}
	if (!err)
		vmtrace_ring_restart(&s->ring);
	return err;
}

static int vmtrace_poll(struct vmtrace_session *s, struct xen_vmtrace_poll *p)
{
	u64 pos;
	int err = vmtrace_domctl(s, XEN_DOMCTL_vmtrace_output_position, 0, &pos);

	if (err)
		return err;
	if (vmtrace_ring_advance(&s->ring, pos)) {
		pr_warn_ratelimited("d%uv%u: Xen's position %llu is outside the %llu byte buffer\n",
				    s->domid, s->vcpu, pos, s->ring.size);
		return -EPROTO;
	}
	p->head = s->ring.head;
	p->tail = s->ring.tail;
	p->lost = s->ring.lost;
	vmtrace_ring_unread(&s->ring, &p->at, &p->len);
	return 0;
}

static int vmtrace_check_option(struct vmtrace_session *s, bool set,
				const struct xen_vmtrace_option *o)
{
	const char *why;
	u64 ctl = 0;
	int err;

	if (set && o->key == MSR_IA32_RTIT_CTL) {
		err = vmtrace_domctl(s, XEN_DOMCTL_vmtrace_get_option,
				     MSR_IA32_RTIT_CTL, &ctl);
		if (err)
			return err;
	}
	why = vmtrace_option_refusal(set, o->key, ctl, o->value);
	if (!why)
		return 0;
	pr_info_ratelimited("d%uv%u: option %#llx: %s\n", s->domid, s->vcpu,
			    o->key, why);
	return -EINVAL;
}

static int vmtrace_option(struct vmtrace_session *s, bool set,
			  struct xen_vmtrace_option *o)
{
	int err = vmtrace_check_option(s, set, o);

	if (err)
		return err;
	err = vmtrace_domctl(s, set ? XEN_DOMCTL_vmtrace_set_option :
			     XEN_DOMCTL_vmtrace_get_option, o->key, &o->value);
	if (err && err != -ESRCH)
		pr_info_ratelimited("d%uv%u: Xen refused to %s option %#llx = %#llx (%d)\n",
				    s->domid, s->vcpu, set ? "set" : "get",
				    o->key, o->value, err);
	return err;
}

/* The argument of every command, in kernel memory while s->lock is held. */
union vmtrace_arg {
	struct xen_vmtrace_attach attach;
	struct xen_vmtrace_poll poll;
	struct xen_vmtrace_option option;
	u64 len;
};

/* How much of the argument a command reads and writes back. */
static size_t vmtrace_arg_in(unsigned int cmd)
{
	switch (cmd) {
	case XEN_VMTRACE_IOC_ATTACH:
		return sizeof(struct xen_vmtrace_attach);
	case XEN_VMTRACE_IOC_GET_OPTION:
	case XEN_VMTRACE_IOC_SET_OPTION:
		return sizeof(struct xen_vmtrace_option);
	case XEN_VMTRACE_IOC_CONSUME:
		return sizeof(u64);
	}
	return 0;
}

static size_t vmtrace_arg_out(unsigned int cmd)
{
	switch (cmd) {
	case XEN_VMTRACE_IOC_ATTACH:
		return sizeof(struct xen_vmtrace_attach);
	case XEN_VMTRACE_IOC_POLL:
		return sizeof(struct xen_vmtrace_poll);
	case XEN_VMTRACE_IOC_GET_OPTION:
		return sizeof(struct xen_vmtrace_option);
	}
	return 0;
}

static long vmtrace_locked_ioctl(struct vmtrace_session *s, unsigned int cmd,
				 union vmtrace_arg *a)
{
	long err;

	mutex_lock(&s->lock);
	if (cmd != XEN_VMTRACE_IOC_ATTACH && !s->attached) {
		err = -ENOTCONN;
		goto out;
	}
	switch (cmd) {
	case XEN_VMTRACE_IOC_ATTACH:
		err = vmtrace_attach(s, &a->attach);
		break;
	case XEN_VMTRACE_IOC_ENABLE:
		err = vmtrace_domctl(s, XEN_DOMCTL_vmtrace_enable, 0, NULL);
		break;
	case XEN_VMTRACE_IOC_DISABLE:
		err = vmtrace_domctl(s, XEN_DOMCTL_vmtrace_disable, 0, NULL);
		break;
	case XEN_VMTRACE_IOC_RESET:
		err = vmtrace_reset(s);
		break;
	case XEN_VMTRACE_IOC_POLL:
		err = vmtrace_poll(s, &a->poll);
		break;
	case XEN_VMTRACE_IOC_GET_OPTION:
	case XEN_VMTRACE_IOC_SET_OPTION:
		err = vmtrace_option(s, cmd == XEN_VMTRACE_IOC_SET_OPTION, &a->option);
		break;
	case XEN_VMTRACE_IOC_CONSUME:
		err = vmtrace_ring_consume(&s->ring, a->len);
		break;
	default:
		err = -ENOTTY;
	}
out:
	mutex_unlock(&s->lock);
	return err;
}

/*
 * Copies to and from user space happen outside s->lock: a fault takes
 * mmap_lock, and mmap() takes s->lock under mmap_lock.
 */
static long vmtrace_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct vmtrace_session *s = file->private_data;
	void __user *uarg = (void __user *)arg;
	union vmtrace_arg a = {};
	long err;

	if (copy_from_user(&a, uarg, vmtrace_arg_in(cmd)))
		return -EFAULT;
	err = vmtrace_locked_ioctl(s, cmd, &a);
	if (!err && copy_to_user(uarg, &a, vmtrace_arg_out(cmd)))
		return -EFAULT;
	return err;
}

static vm_fault_t vmtrace_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct vmtrace_vm_ops = {
	.fault = vmtrace_fault,
};

/* PV dom0: Xen hands out the frames, mapped read-only into the caller. */
static int vmtrace_map(struct vmtrace_session *s, struct vm_area_struct *vma)
{
	struct xen_mem_acquire_resource q = {
		.domid = s->domid,
		.type = XENMEM_resource_vmtrace_buf,
		.id = s->vcpu,
		.nr_frames = s->frames,
	};
	xen_pfn_t *frames;
	int *errs, n, err;

	frames = kvcalloc(s->frames, sizeof(*frames), GFP_KERNEL);
	errs = kvcalloc(s->frames, sizeof(*errs), GFP_KERNEL);
	err = -ENOMEM;
	if (!frames || !errs)
		goto out;
	set_xen_guest_handle(q.frame_list, frames);
	err = HYPERVISOR_memory_op(XENMEM_acquire_resource, &q);
	if (err)
		goto out;
	if (q.nr_frames != s->frames) {
		err = -EPROTO;
		goto out;
	}
	n = xen_remap_domain_mfn_array(vma, vma->vm_start, frames, s->frames,
				       errs, vma->vm_page_prot,
				       q.flags & XENMEM_rsrc_acq_caller_owned ?
				       DOMID_SELF : s->domid);
	err = min(n, 0);
	/* A partial mapping is no mapping: the caller's munmap drops it. */
	if (!err && n != s->frames)
		err = -EFAULT;
out:
	kvfree(errs);
	kvfree(frames);
	return err;
}

static int vmtrace_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vmtrace_session *s = file->private_data;
	int err = -ENOTCONN;

	mutex_lock(&s->lock);
	if (!s->attached)
		goto out;
	err = -EINVAL;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != s->ring.size)
		goto out;
	err = -EPERM;
	if (vma->vm_flags & VM_WRITE)
		goto out;
	err = -EOPNOTSUPP;
	if (xen_feature(XENFEAT_auto_translated_physmap)) {
		pr_info_once("a PVH dom0 maps the buffer with privcmd's IOCTL_PRIVCMD_MMAP_RESOURCE\n");
		goto out;
	}
	vma->vm_flags &= ~VM_MAYWRITE;
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND |
			 VM_DONTDUMP;
	vma->vm_ops = &vmtrace_vm_ops;
	err = vmtrace_map(s, vma);
out:
	mutex_unlock(&s->lock);
	return err;
}

static int vmtrace_open(struct inode *inode, struct file *file)
{
	struct vmtrace_session *s;
	int err;

	/* Tracing another domain is for the control domain alone. */
	if (!xen_initial_domain() || !capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = vmtrace_check_xen();
	if (err)
		return err;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_init(&s->lock);
	file->private_data = s;
	return 0;
}

static int vmtrace_release(struct inode *inode, struct file *file)
{
	struct vmtrace_session *s = file->private_data;

	/*
	 * Nobody reads on: stop the vCPU's tracing (mappings go with mm).
	 * The vCPU is this file's alone, so no other reader loses its trace.
	 * Xen refuses to disable a trace that is not enabled: nothing to log.
	 */
	if (s->attached) {
		vmtrace_domctl(s, XEN_DOMCTL_vmtrace_disable, 0, NULL);
		mutex_lock(&vmtrace_attached_lock);
		list_del(&s->node);
		mutex_unlock(&vmtrace_attached_lock);
	}
	kfree(s);
	return 0;
}

static const struct file_operations vmtrace_fops = {
	.owner = THIS_MODULE,
	.open = vmtrace_open,
	.release = vmtrace_release,
	.unlocked_ioctl = vmtrace_ioctl,
	/* The arguments' layouts are the same for 32-bit callers. */
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vmtrace_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice vmtrace_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xen/vmtrace",
	.fops = &vmtrace_fops,
	.mode = 0600,
};

/* In every Xen domain, so that a domU's attempt gets a clear EPERM. */
static int __init vmtrace_init(void)
{
	if (!xen_domain())
		return -ENODEV;
	return misc_register(&vmtrace_dev);
}
module_init(vmtrace_init);

static void __exit vmtrace_exit(void)
{
	misc_deregister(&vmtrace_dev);
}
module_exit(vmtrace_exit);

MODULE_DESCRIPTION("dom0 access to Xen vmtrace (Intel PT) buffers");
MODULE_LICENSE("GPL");
