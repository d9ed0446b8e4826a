// SPDX-License-Identifier: GPL-2.0
/*
 * Resetting what guests give back, and do_flr.
 *
 * The resets themselves are the PCI core's, as VFIO uses them: first the
 * function's own when the core says it has one that would touch nothing
 * else (pci_probe_reset_function(), then pci_try_reset_function()), else
 * pci_reset_bus(), which locks, saves, resets and restores the whole slot
 * or bus. What is pciback's own is the rule for when a slot or bus reset
 * may run (VFIO's for a device set: every function it touches is ours and
 * free), and remembering the resets that must wait for a guest.
 *
 * Locks: xen_pcibk_reset_lock serialises the decisions and the resets
 * (do_flr and the worker), and nothing else takes it, so the core's locks
 * taken under it (the device locks, tried; pci_bus_sem; a hotplug
 * controller's reset lock) never meet it the other way round. Export and
 * unbind are kept off the devices by xen_pcibk_claim(), made under
 * pcistub_devices_lock, which they take too.
 */
#define pr_fmt(fmt) "xen-pciback: " fmt

#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include "reset.h"

static DEFINE_MUTEX(xen_pcibk_reset_lock);

/*
 * A running reset makes export wait, whoever holds the device; a device a
 * guest left state in goes to no other guest unless the admin opted it out.
 */
enum xen_pcibk_export xen_pcibk_export_verdict(bool resetting, bool assigned,
					       bool needs_reset, bool no_reset)
{
	if (resetting)
		return XEN_PCIBK_EXPORT_WAIT;
	if (assigned)
		return XEN_PCIBK_EXPORT_TAKEN;
	if (needs_reset && !no_reset)
		return XEN_PCIBK_EXPORT_UNRESET;
	return XEN_PCIBK_EXPORT;
}

/* The set's reset: pci_reset_bus() prefers the slot in the same way. */
int xen_pcibk_pick_scope(bool slot_ok, bool bus_ok, enum xen_pcibk_reset_scope *scope)
{
	if (slot_ok)
		*scope = XEN_PCIBK_RESET_SLOT;
	else if (bus_ok)
		*scope = XEN_PCIBK_RESET_BUS;
	else
		*scope = XEN_PCIBK_RESET_REFUSED;
	return *scope == XEN_PCIBK_RESET_REFUSED ? -ENOTTY : 0;
}

/*
 * A function bound elsewhere, or to nothing, refuses the reset outright; one
 * that a guest holds only delays it. The first refusal wins over delays.
 */
int xen_pcibk_judge_members(const struct xen_pcibk_member *m, int n, char *why, size_t len)
{
	const struct xen_pcibk_member *held = NULL;
	int i;

	for (i = 0; i < n; i++, m++) {
		if (!m->pciback && m->driver) {
			snprintf(why, len, "%s is bound to %s", m->name, m->driver);
			return -EBUSY;
		}
		if (!m->pciback) {
			snprintf(why, len, "%s has no driver, not pciback", m->name);
			return -EBUSY;
		}
		if (m->st.domain >= 0 && !held)
			held = m;
	}
	if (!held)
		return 0;
	snprintf(why, len, "%s is assigned to domain %d", held->name, held->st.domain);
	return -EAGAIN;
}

/*
 * do_flr, when the function's own reset did not do. A function that has
 * been in no guest since its set's last reset is clean: the write succeeds
 * and resets nothing, whatever the set's state. That is libxl's create
 * path, which resets and assigns the functions of a card in turn, and
 * pci-attach of a function whose set came back whole. A dirty function's
 * free set is reset now; with a guest in the set the reset waits for its
 * return. A function a guest holds that has a reset of its own (an SR-IOV
 * VF beside its PF, say) gets it when it comes back, whatever its set.
 */
enum xen_pcibk_action xen_pcibk_flr_action(int plan_err, bool target_needs_reset,
					   bool held_with_own_reset)
{
	if (plan_err == -ENODEV)	/* not pciback's: nothing is known of it */
		return XEN_PCIBK_REFUSE;
	if (!target_needs_reset)
		return XEN_PCIBK_NOTHING;
	if (held_with_own_reset)
		return XEN_PCIBK_DEFER;
	if (!plan_err)
		return XEN_PCIBK_RESET_NOW;
	return plan_err == -EAGAIN ? XEN_PCIBK_DEFER : XEN_PCIBK_REFUSE;
}

/*
 * A device given back, or deferred by do_flr: reset it once its set is free.
 * One a guest still holds that has a reset of its own needs nothing from
 * here: its return runs that reset, and remembers it again if it fails.
 */
enum xen_pcibk_action xen_pcibk_pending_action(int plan_err, bool target_needs_reset,
					       bool held_with_own_reset)
{
	if (!target_needs_reset || held_with_own_reset)
		return XEN_PCIBK_NOTHING;
	if (!plan_err)
		return XEN_PCIBK_RESET_NOW;
	return plan_err == -EAGAIN ? XEN_PCIBK_DEFER : XEN_PCIBK_REFUSE;
}

static void xen_pcibk_describe(struct xen_pcibk_member *m, struct pci_dev *dev)
{
	struct pci_driver *drv = READ_ONCE(dev->driver);

	m->name = pci_name(dev);
	m->driver = drv ? drv->name : NULL;
	m->pciback = !xen_pcibk_get_state(dev, &m->st);
}

static int xen_pcibk_add_member(struct pci_dev *dev, void *data)
{
	struct xen_pcibk_reset_plan *plan = data;
	struct xen_pcibk_member *m;

	if (plan->nmembers == XEN_PCIBK_RESET_MAX_FUNCS) {
		plan->err = -EBUSY;
		snprintf(plan->why, sizeof(plan->why),
			 "the reset would touch more than %d functions", XEN_PCIBK_RESET_MAX_FUNCS);
		return 1;
	}
	m = &plan->members[plan->nmembers++];
	m->dev = pci_dev_get(dev);
	xen_pcibk_describe(m, dev);
	return 0;
}

static int xen_pcibk_member_cmp(const void *a, const void *b)
{
	const struct xen_pcibk_member *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void xen_pcibk_reset_plan(struct pci_dev *dev, struct xen_pcibk_reset_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->target = pci_dev_get(dev);

	if (xen_pcibk_get_state(dev, &plan->st)) {
		plan->err = -ENODEV;
		snprintf(plan->why, sizeof(plan->why), "%s is not bound to pciback",
			 pci_name(dev));
		return;
	}
	/* A listed method would reset this function alone, as things are now. */
	plan->function_ok = !pci_probe_reset_function(dev);
	xen_pcibk_pick_scope(!pci_probe_reset_slot(dev->slot), !pci_probe_reset_bus(dev->bus),
			     &plan->scope);
	/* Whom pci_reset_bus() would reset, walked as VFIO's hot reset does. */
	if (plan->scope == XEN_PCIBK_RESET_REFUSED) {
		xen_pcibk_add_member(dev, plan);
	} else if (pci_walk_reset_scope(dev, plan->scope == XEN_PCIBK_RESET_SLOT,
					xen_pcibk_add_member, plan) < 0) {
		/* Its slot went away since the probe: ask again to get its bus. */
		plan->err = -EBUSY;
		snprintf(plan->why, sizeof(plan->why), "%s left its slot while planning",
			 pci_name(dev));
	}
	if (plan->err)
		return;
	/* Address order: what users read. */
	sort(plan->members, plan->nmembers, sizeof(plan->members[0]), xen_pcibk_member_cmp,
	     NULL);
	plan->err = xen_pcibk_judge_members(plan->members, plan->nmembers, plan->why,
					    sizeof(plan->why));
	if (!plan->err && plan->scope == XEN_PCIBK_RESET_REFUSED) {
		plan->err = -ENOTTY;
		snprintf(plan->why, sizeof(plan->why), "%s has no function, slot or bus reset",
			 pci_name(dev));
	}
}

void xen_pcibk_reset_release(struct xen_pcibk_reset_plan *plan)
{
	while (plan->nmembers)
		pci_dev_put(plan->members[--plan->nmembers].dev);
	pci_dev_put(plan->target);
	plan->target = NULL;
}

/* A guest holds the target, and the core can reset it alone on its return. */
static bool xen_pcibk_held_with_own_reset(const struct xen_pcibk_reset_plan *plan)
{
	return plan->function_ok && plan->st.domain >= 0;
}

static const char *const xen_pcibk_scope_name[] = {
	[XEN_PCIBK_RESET_FUNCTION] = "function",
	[XEN_PCIBK_RESET_SLOT] = "slot",
	[XEN_PCIBK_RESET_BUS] = "bus",
};

/*
 * The target free: its own reset, if the core has one that touches nothing
 * else. -ENOTTY: it has not; -EAGAIN: it is locked, or was just assigned.
 */
static int xen_pcibk_reset_function(struct xen_pcibk_reset_plan *plan)
{
	int rc;

	lockdep_assert_held(&xen_pcibk_reset_lock);
	if (!plan->function_ok || plan->st.domain >= 0)
		return -ENOTTY;
	rc = xen_pcibk_claim(&plan->target, 1);
	if (!rc) {
		rc = pci_try_reset_function(plan->target);
		xen_pcibk_unclaim(&plan->target, 1, rc);
	}
	if (!rc)
		plan->done = XEN_PCIBK_RESET_FUNCTION;
	else if (rc == -EAGAIN)
		snprintf(plan->why, sizeof(plan->why), "%s is locked or was just assigned",
			 pci_name(plan->target));
	else if (rc == -ENODEV)
		snprintf(plan->why, sizeof(plan->why), "%s left pciback",
			 pci_name(plan->target));
	else if (rc != -ENOTTY)
		snprintf(plan->why, sizeof(plan->why), "the function reset of %s failed (%d)",
			 pci_name(plan->target), rc);
	return rc;
}

/* The set judged free: claim it again, then the core takes every lock, or -EAGAIN. */
static int xen_pcibk_reset_set(struct xen_pcibk_reset_plan *plan)
{
	int i, rc;

	lockdep_assert_held(&xen_pcibk_reset_lock);
	for (i = 0; i < plan->nmembers; i++)
		plan->devs[i] = plan->members[i].dev;
	rc = xen_pcibk_claim(plan->devs, plan->nmembers);
	if (!rc) {
		rc = pci_reset_bus(plan->target);
		xen_pcibk_unclaim(plan->devs, plan->nmembers, rc);
	}
	if (rc == -EAGAIN) {
		snprintf(plan->why, sizeof(plan->why),
			 "a function of the %s is locked or was just assigned",
			 xen_pcibk_scope_name[plan->scope]);
	} else if (rc == -ENODEV) {
		snprintf(plan->why, sizeof(plan->why), "a function of the %s left pciback",
			 xen_pcibk_scope_name[plan->scope]);
	} else if (rc) {
		snprintf(plan->why, sizeof(plan->why), "the %s reset of %s failed (%d)",
			 xen_pcibk_scope_name[plan->scope], pci_name(plan->target), rc);
	} else {
		plan->done = plan->scope;
	}
	return rc;
}

/*
 * Resets that wait: for a guest to give back a member of the set, or for a
 * member's lock. A device is listed once. Entries are added by anyone under
 * the spinlock, and taken off only by the worker, under xen_pcibk_reset_lock,
 * which moves them to the working list while it tries them.
 */
struct xen_pcibk_pending {
	struct list_head list;
	struct pci_dev *dev;
	char told[96];		/* what the wait was last logged for */
	int busy;		/* tries in a row that found a member locked */
};

#define XEN_PCIBK_BUSY_FAST_TRIES	50

/*
 * How long the worker waits before trying a set whose lock it found taken
 * @busy times in a row: soon at first (a bind, unbind or export ends in
 * well under a second), then once a second for as long as it takes. A
 * pending reset is never dropped for being busy.
 */
unsigned int xen_pcibk_busy_delay_ms(int busy)
{
	if (busy <= 0)
		return 0;
	return busy < XEN_PCIBK_BUSY_FAST_TRIES ? 100 : 1000;
}

static DEFINE_SPINLOCK(xen_pcibk_pending_lock);
static LIST_HEAD(xen_pcibk_pending_list);
static LIST_HEAD(xen_pcibk_working_list);
static void xen_pcibk_pending_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(xen_pcibk_pending_dwork, xen_pcibk_pending_work);

static bool xen_pcibk_listed(struct list_head *head, struct pci_dev *dev)
{
	struct xen_pcibk_pending *p;

	list_for_each_entry(p, head, list)
		if (p->dev == dev)
			return true;
	return false;
}

/*
 * Remember @dev's reset; @told: the wait its caller is about to log, or
 * "". False when @dev was pending already (its wait was logged then).
 */
static bool xen_pcibk_pend(struct pci_dev *dev, const char *told)
{
	struct xen_pcibk_pending *p = kzalloc(sizeof(*p), GFP_KERNEL);
	bool added = false;

	if (!p) {
		/* Not lost: the device still needs a reset and will not be exported. */
		pci_warn(dev, "no memory to remember its reset; write it to do_flr\n");
		return false;
	}
	strscpy(p->told, told, sizeof(p->told));
	spin_lock(&xen_pcibk_pending_lock);
	if (!xen_pcibk_listed(&xen_pcibk_pending_list, dev) &&
	    !xen_pcibk_listed(&xen_pcibk_working_list, dev)) {
		p->dev = pci_dev_get(dev);
		list_add_tail(&p->list, &xen_pcibk_pending_list);
		added = true;
	}
	spin_unlock(&xen_pcibk_pending_lock);
	if (!added)
		kfree(p);
	return added;
}

/* A wait is logged once, and again only when what it waits for changes. */
static void xen_pcibk_tell_wait(struct xen_pcibk_pending *p, const char *why)
{
	if (!strcmp(p->told, why))
		return;
	strscpy(p->told, why, sizeof(p->told));
	pci_info(p->dev, "reset waits: %s\n", why);
}

static void xen_pcibk_tell_done(struct pci_dev *dev, const char *by,
				enum xen_pcibk_reset_scope scope, int n)
{
	pci_info(dev, "%s: %s reset of %d function(s) done\n", by,
		 xen_pcibk_scope_name[scope], n);
}

/* A plan's reset touched its target alone, or every member of its set. */
static void xen_pcibk_tell_plan_done(struct pci_dev *dev, const char *by,
				     const struct xen_pcibk_reset_plan *plan)
{
	bool alone = plan->done == XEN_PCIBK_RESET_FUNCTION;

	xen_pcibk_tell_done(dev, by, plan->done, alone ? 1 : plan->nmembers);
}

/*
 * Entries the worker is trying count too: one it is about to put back to
 * wait for this very return would otherwise wait for the next one.
 */
static bool xen_pcibk_any_pending(void)
{
	bool any;

	spin_lock(&xen_pcibk_pending_lock);
	any = !list_empty(&xen_pcibk_pending_list) || !list_empty(&xen_pcibk_working_list);
	spin_unlock(&xen_pcibk_pending_lock);
	return any;
}

/* One pending device: true when it is done with, either way. */
static bool xen_pcibk_try_pending(struct xen_pcibk_pending *p, struct xen_pcibk_reset_plan *plan)
{
	bool done = true;
	int rc;

	xen_pcibk_reset_plan(p->dev, plan);
	if (plan->err == -ENODEV)	/* it left pciback, which said so */
		goto out;
	rc = plan->st.needs_reset ? xen_pcibk_reset_function(plan) : -ENOTTY;
	if (rc == -ENOTTY) {
		switch (xen_pcibk_pending_action(plan->err, plan->st.needs_reset,
						 xen_pcibk_held_with_own_reset(plan))) {
		case XEN_PCIBK_NOTHING:
			goto out;
		case XEN_PCIBK_DEFER:
			xen_pcibk_tell_wait(p, plan->why);
			p->busy = 0;
			done = false;
			goto out;
		case XEN_PCIBK_REFUSE:
			pci_warn(p->dev, "cannot be reset, so it will not be exported: %s\n",
				 plan->why);
			goto out;
		case XEN_PCIBK_RESET_NOW:
			rc = xen_pcibk_reset_set(plan);
			break;
		}
	}
	if (rc == -EAGAIN) {
		/* Logged once it stops looking like a bind or export passing by. */
		if (p->busy < XEN_PCIBK_BUSY_FAST_TRIES && ++p->busy == XEN_PCIBK_BUSY_FAST_TRIES)
			xen_pcibk_tell_wait(p, plan->why);
		done = false;
	} else if (rc) {
		pci_warn(p->dev, "reset failed, so it will not be exported: %s\n", plan->why);
	} else {
		xen_pcibk_tell_plan_done(p->dev, "given back", plan);
	}
out:
	xen_pcibk_reset_release(plan);
	return done;
}

static void xen_pcibk_pending_work(struct work_struct *work)
{
	struct xen_pcibk_reset_plan *plan = kmalloc(sizeof(*plan), GFP_KERNEL);
	struct xen_pcibk_pending *p;
	unsigned int delay_ms = 0, ms;
	bool done;

	if (!plan) {
		schedule_delayed_work(&xen_pcibk_pending_dwork, msecs_to_jiffies(100));
		return;
	}
	mutex_lock(&xen_pcibk_reset_lock);
	spin_lock(&xen_pcibk_pending_lock);
	list_splice_init(&xen_pcibk_pending_list, &xen_pcibk_working_list);
	spin_unlock(&xen_pcibk_pending_lock);
	while ((p = list_first_entry_or_null(&xen_pcibk_working_list,
					     struct xen_pcibk_pending, list))) {
		done = xen_pcibk_try_pending(p, plan);
		ms = done ? 0 : xen_pcibk_busy_delay_ms(p->busy);
		if (ms && (!delay_ms || ms < delay_ms))
			delay_ms = ms;
		spin_lock(&xen_pcibk_pending_lock);
		if (done)
			list_del(&p->list);
		else
			list_move_tail(&p->list, &xen_pcibk_pending_list);
		spin_unlock(&xen_pcibk_pending_lock);
		if (done) {
			pci_dev_put(p->dev);
			kfree(p);
		}
	}
	mutex_unlock(&xen_pcibk_reset_lock);
	kfree(plan);
	/* A member was locked: try again, however long that lasts. */
	if (delay_ms)
		schedule_delayed_work(&xen_pcibk_pending_dwork, msecs_to_jiffies(delay_ms));
}

void xen_pcibk_reset_returned(struct pci_dev *dev, bool function_reset_done)
{
	struct xen_pcibk_state st;

	if (function_reset_done)
		xen_pcibk_tell_done(dev, "given back", XEN_PCIBK_RESET_FUNCTION, 1);
	else if (!xen_pcibk_get_state(dev, &st) && st.needs_reset)
		xen_pcibk_pend(dev, "");
	/* Whatever it needed, its return may complete a set something waits for. */
	if (xen_pcibk_any_pending())
		mod_delayed_work(system_wq, &xen_pcibk_pending_dwork, 0);
}

void xen_pcibk_reset_leaving(struct pci_dev *dev)
{
	struct xen_pcibk_pending *p, *found = NULL;
	bool trying;

	spin_lock(&xen_pcibk_pending_lock);
	list_for_each_entry(p, &xen_pcibk_pending_list, list) {
		if (p->dev == dev) {
			found = p;
			list_del(&p->list);
			break;
		}
	}
	/* The worker drops its own entry once it finds the device gone. */
	trying = !found && xen_pcibk_listed(&xen_pcibk_working_list, dev);
	spin_unlock(&xen_pcibk_pending_lock);
	if (!found && !trying)
		return;
	pci_warn(dev, "leaves pciback unreset: the reset of what a guest left was still waiting\n");
	if (found) {
		pci_dev_put(found->dev);
		kfree(found);
	}
}

void xen_pcibk_reset_exit(void)
{
	struct xen_pcibk_pending *p, *next;

	cancel_delayed_work_sync(&xen_pcibk_pending_dwork);
	list_for_each_entry_safe(p, next, &xen_pcibk_pending_list, list) {
		list_del(&p->list);
		pci_dev_put(p->dev);
		kfree(p);
	}
}

static int xen_pcibk_flr_locked(struct pci_dev *dev, struct xen_pcibk_reset_plan *plan)
{
	int rc;

	lockdep_assert_held(&xen_pcibk_reset_lock);
	xen_pcibk_reset_plan(dev, plan);
	rc = xen_pcibk_reset_function(plan);
	if (rc == -ENOTTY) {
		switch (xen_pcibk_flr_action(plan->err, plan->st.needs_reset,
					     xen_pcibk_held_with_own_reset(plan))) {
		case XEN_PCIBK_REFUSE:
			dev_warn_ratelimited(&dev->dev, "do_flr: %s\n", plan->why);
			return plan->err;
		case XEN_PCIBK_NOTHING:
			pci_dbg(dev, "do_flr: clean since its set's last reset\n");
			return 0;
		case XEN_PCIBK_DEFER:
			/* Its return runs its own reset: nothing to remember. */
			if (xen_pcibk_held_with_own_reset(plan))
				pci_info(dev,
					 "do_flr: deferred: assigned to domain %d; its own reset runs when it is given back\n",
					 plan->st.domain);
			else if (xen_pcibk_pend(dev, plan->why))
				pci_info(dev, "do_flr: deferred: %s; done when it is given back\n",
					 plan->why);
			return 0;
		case XEN_PCIBK_RESET_NOW:
			rc = xen_pcibk_reset_set(plan);
			break;
		}
	}
	if (rc == -EAGAIN)
		return rc;	/* the caller tries again without the lock */
	if (rc)
		dev_warn_ratelimited(&dev->dev, "do_flr: %s\n", plan->why);
	else
		xen_pcibk_tell_plan_done(dev, "do_flr", plan);
	return rc;
}

/*
 * A function's lock held, or a member just assigned, means bind, unbind,
 * export or release is under way: retry for a while without the lock
 * before handing the reset to the worker.
 */
#define XEN_PCIBK_FLR_TRIES	20

int xen_pcibk_do_flr(struct pci_dev *dev)
{
	struct xen_pcibk_reset_plan *plan = kmalloc(sizeof(*plan), GFP_KERNEL);
	int rc = -EAGAIN, tries;

	if (!plan)
		return -ENOMEM;
	for (tries = 0; rc == -EAGAIN && tries < XEN_PCIBK_FLR_TRIES; tries++) {
		if (tries)
			msleep(50);
		rc = mutex_lock_killable(&xen_pcibk_reset_lock);
		if (rc)
			break;
		rc = xen_pcibk_flr_locked(dev, plan);
		if (rc == -EAGAIN && tries == XEN_PCIBK_FLR_TRIES - 1) {
			if (xen_pcibk_pend(dev, plan->why))
				pci_info(dev, "do_flr: deferred: %s\n", plan->why);
			mod_delayed_work(system_wq, &xen_pcibk_pending_dwork,
					 msecs_to_jiffies(xen_pcibk_busy_delay_ms(1)));
			rc = 0;
		}
		mutex_unlock(&xen_pcibk_reset_lock);
		xen_pcibk_reset_release(plan);
	}
	kfree(plan);
	return rc;
}

static const char *xen_pcibk_errno_name(int err)
{
	switch (err) {
	case -EBUSY:
		return "EBUSY";
	case -ENOTTY:
		return "ENOTTY";
	case -ENODEV:
		return "ENODEV";
	default:
		return "error";
	}
}

/* The set's part of the plan: its scope and members, or why not now. */
static ssize_t xen_pcibk_show_set(const struct xen_pcibk_reset_plan *plan, char *buf,
				  ssize_t at)
{
	int i;

	if (plan->err == -EAGAIN)
		return at + sysfs_emit_at(buf, at, "deferred: %s", plan->why);
	if (plan->err)
		return at + sysfs_emit_at(buf, at, "refused %s: %s",
					  xen_pcibk_errno_name(plan->err), plan->why);
	at += sysfs_emit_at(buf, at, "%s", xen_pcibk_scope_name[plan->scope]);
	for (i = 0; i < plan->nmembers; i++)
		at += sysfs_emit_at(buf, at, " %s", plan->members[i].name);
	return at;
}

/*
 * What do_flr would do now: "function BDF" when the core has a reset for the
 * function alone and nothing shares its slot or bus; with others there,
 * ", else" what follows should the core still refuse it at run time. A
 * function with no reset of its own that is clean shows "clean: " and the
 * reset it would get once it needs one. One a guest holds that has a reset
 * of its own shows "deferred: ": its return runs that reset, whatever its set.
 */
ssize_t xen_pcibk_reset_show(const struct xen_pcibk_reset_plan *plan, char *buf)
{
	ssize_t len = 0;
	bool alone = plan->nmembers == 1 && plan->members[0].dev == plan->target;

	if (xen_pcibk_held_with_own_reset(plan))
		return sysfs_emit(buf, "deferred: %s is assigned to domain %d\n",
				  pci_name(plan->target), plan->st.domain);
	if (plan->function_ok) {
		len = sysfs_emit(buf, "function %s", pci_name(plan->target));
		if (!alone && plan->err != -ENOTTY) {
			len += sysfs_emit_at(buf, len, ", else ");
			len = xen_pcibk_show_set(plan, buf, len);
		}
	} else {
		if (plan->err != -ENODEV && !plan->st.needs_reset)
			len = sysfs_emit(buf, "clean: ");
		len = xen_pcibk_show_set(plan, buf, len);
	}
	return len + sysfs_emit_at(buf, len, "\n");
}
