#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Xen vNVDIMM, dom0's side: hand the test bed's NVDIMM namespace to guests
# with xen-pmem and the stock xl, and check what each guest and dom0 see.
# Run by the harness in a PV dom0 (not by run_kselftest.sh), as
#
#   vnvdimm_host.sh first|again SEED
#
# first: a PV guest fills the whole namespace with SEED's pattern; dom0
#   reads it back; bad ranges are hot-added to a PVH guest that holds the
#   namespace, and each must be refused with its exact error; dom0 has no
#   /dev/pmem0 while it is lent; a second guest, ranges libnvdimm does
#   not know, and a type= or builder= xl would refuse are refused by
#   xen-pmem; a PV guest without iomem= permission
#   refuses the range; "xl save" and "xl migrate" of the holder are
#   refused; the holder reboots (its config says restart, as xl's default
#   does), which must end it; dom0 gets /dev/pmem0 back, and a new PVH
#   guest reads the pattern back.
# again (after the whole machine restarted): dom0 reads it back; a create
#   that fails after "xl create -p" must be undone; a PV guest reads it
#   back; then a PVH guest mounts the namespace as ext2 with -o dax (which
#   overwrites the pattern); then ndctl makes it a sector (btt)
#   namespace, and xen-pmem must refuse it; then xen-pmem must refuse it
#   while dom0 has it mounted; last, a guest named on xen-pmem's command
#   line holds it mounted and refuses to let it go. A PV guest gets no DAX
#   (each guest checks its queue/dax): see
#   Documentation/admin-guide/xen-vnvdimm.rst.
#
# Guests come from /etc/xen/NAME.cfg, whose extra= holds @PMEM@ for the
# claims; each guest's console is printed as "@NAME| " lines for the
# harness, which counts the guests' own TAP.
export PATH=$PATH:/usr/lib/xen-4.17/bin:/usr/sbin
dir=$(dirname "$0")
step=0

# ok STATUS DESCRIPTION...: one TAP line.
ok() {
	status=$1
	shift
	step=$((step + 1))
	if [ "$status" = 0 ]; then
		echo "ok $step $*"
	else
		echo "not ok $step $*"
	fi
}

# find_namespace WHEN: the first namespace ndctl lists, as $ns, with its
# frames as $mfn and $nr (hex) and the guests' claims for SEED as $claims;
# one test. Fails when there is none.
find_namespace() {
	ns=$(ndctl list -N 2>/dev/null | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' |
		head -n 1)
	[ -n "$ns" ]
	ok $? "ndctl list in dom0 shows the NVDIMM's namespace ${ns:-(none)}$1"
	[ -n "$ns" ] || return 1
	start=$(cat /sys/bus/nd/devices/$ns/resource) size=$(cat /sys/bus/nd/devices/$ns/size)
	mfn=$(printf %x $((start / 4096))) nr=$(printf %x $((size / 4096)))
	claims="xst.pmem=$mfn:$nr xst.pmem_seed=$seed"
}

# guest_cfg NAME CLAIMS: /tmp/NAME.cfg with the claims in extra=.
guest_cfg() {
	sed "s|@PMEM@|$2|" "/etc/xen/$1.cfg" >"/tmp/$1.cfg"
	echo "/tmp/$1.cfg"
}

# alive NAME|DOMID: does the domain exist?
alive() {
	case $1 in
	*[!0-9]*) xl domid "$1" ;;
	*) xl domname "$1" ;;
	esac >/dev/null 2>&1
}

# explain OUTPUT NEW: after a failed save or migrate of pmhold, as TAP
# comments: what xl said (file OUTPUT), what pmhold printed meanwhile
# (NEW) and Xen's last lines, which say whether Xen crashed the guest.
explain() {
	{
		sed 's/^/xl: /' "$1"
		echo "$2" | tail -n 20 | sed 's/^/pmhold: /'
		xl dmesg | tail -n 15 | sed 's/^/xen: /'
	} | sed 's/^/# /'
}

# emulator_killed DOMID: did Xen report a triple fault of DOMID? Under QEMU
# TCG's nested SVM a PVH guest now and then dies so, at random points and
# sometimes with Xen's own RIP as its state (README, "Guest crashes under
# Xen on QEMU TCG").
emulator_killed() {
	xl dmesg | grep -q "d${1}v[0-9]* Triple fault"
}

# wait_given_back: until /dev/pmem0 is dom0's again, which the watcher
# xen-pmem create left behind does once its domain is gone (at most 90 s).
wait_given_back() {
	t=0
	while [ ! -b /dev/pmem0 ] && [ $t -lt 90 ]; do
		sleep 1
		t=$((t + 1))
	done
}

# lend_pvh NAME CFG: xen-pmem create of the PVH guest NAME from CFG on $ns
# (its output in /tmp/NAME.out, its status in $created), then wait_gone
# NAME 600 (its status in $gone). When Xen logged a triple fault of the
# guest before its tests ended (before XST-KSELFTEST-END), the guest is
# created once more, and a TAP comment says so: pmv only reads the
# namespace, and pmdax runs after every check of the pattern.
lend_pvh() {
	log=/var/log/xen/guest-$1.log
	for try in 1 2; do
		from=1
		[ -f "$log" ] && from=$(($(wc -l <"$log") + 1))
		xen-pmem create "$2" "$ns" >"/tmp/$1.out" 2>&1
		created=$?
		d=$(xl domid "$1" 2>/dev/null)
		wait_gone "$1" 600
		gone=$?
		{ [ $try = 1 ] && [ $created = 0 ] && [ -n "$d" ] && emulator_killed "$d" &&
			! tail -n +"$from" "$log" | grep -q "XST-KSELFTEST-END"; } || break
		echo "# $1 (domain $d) died of a triple fault before its tests ended:" \
			"booting it once more"
		wait_given_back
	done
}

# xen_on STATUS: after a failed test on pmhold, Xen's last line on it.
xen_on() {
	[ "$1" = 0 ] && return
	echo "; Xen: $(xl dmesg | grep -E "d${hold}v[0-9]+ |Domain $hold " | tail -n 1)"
}

# wait_gone NAME SECONDS, then print the guest's console.
wait_gone() {
	t=0
	while alive "$1" && [ $t -lt "$2" ]; do
		sleep 1
		t=$((t + 1))
	done
	xl destroy "$1" >/dev/null 2>&1
	sleep 0.5
	sed "s/^/@$1| /" "/var/log/xen/guest-$1.log"
	[ $t -lt "$2" ]
}

# dom0_disk_back WHO: /dev/pmem0 is dom0's again once WHO is gone; one test.
dom0_disk_back() {
	wait_given_back
	[ -b /dev/pmem0 ]
	ok $? "dom0 has /dev/pmem0 again once $1 is gone (after $t s)"
}

# Polls are slow on purpose: under TCG, dom0 spawning processes fast
# starves the guest it waits for.

# wait_node PATH SECONDS: print the node once it exists.
wait_node() {
	t=0
	until xenstore-read "$1" 2>/dev/null; do
		[ $t -ge $(($2 * 4)) ] && return 1
		sleep 0.25
		t=$((t + 1))
	done
}

# wait_init NAME SECONDS: until the guest's init has started (its console
# says so); the boot's own messages are then behind us. Fails at once if
# the guest is gone.
wait_init() {
	t=0
	until grep -q "XST-INIT reached" "/var/log/xen/guest-$1.log"; do
		[ $t -lt "$2" ] && alive "$1" || return 1
		sleep 1
		t=$((t + 1))
	done
}

# wait_state PATH STATE SECONDS: print the node once it reads STATE, or
# what it read last (at once if the domain of PATH is gone).
wait_state() {
	t=0 d=${1#/local/domain/}
	while [ "$(xenstore-read "$1" 2>/dev/null)" != "$2" ] && [ $t -lt "$3" ] &&
		alive "${d%%/*}"; do
		sleep 1
		t=$((t + 1))
	done
	xenstore-read "$1" 2>/dev/null
}

# hot_add DOMID DEV KEY=VALUE...: a vpmem device whose backend says KEY=VALUE.
# The frontend appears with state 0 and turns 1 (Initialising, which makes
# the guest probe it) only once the guest owns it and the backend is whole.
hot_add() {
	domid=$1 dev=$2
	shift 2
	be=/local/domain/0/backend/vpmem/$domid/$dev fe=/local/domain/$domid/device/vpmem/$dev
	xenstore-write "$be/frontend" "$fe" "$be/frontend-id" "$domid" "$be/state" 4
	for kv in "$@"; do
		xenstore-write -- "$be/${kv%%=*}" "${kv#*=}"
	done
	xenstore-chmod -r "$be" n0 "r$domid"
	xenstore-write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 0
	xenstore-chmod -r "$fe" "n$domid" r0
	xenstore-write "$fe/state" 1
}

# refused DOMID DEV WANT DESC KEY=VALUE...: hot-add, then the guest's
# xenbus error node must read exactly WANT ("errno message").
refused() {
	domid=$1 dev=$2 want=$3 desc=$4
	shift 4
	# A guest that died (see the console) answers nothing: fail at once.
	if ! alive "$domid"; then
		ok 1 "refused, $desc: domain $domid is gone"
		return
	fi
	hot_add "$domid" "$dev" "$@"
	got=$(wait_node "/local/domain/$domid/error/device/vpmem/$dev/error" 60)
	if [ "$got" = "$want" ]; then
		ok 0 "refused, $desc: \"$got\""
	else
		ok 1 "refused, $desc: \"$got\", want \"$want\""
	fi
}

first() {
	seed=$1
	find_namespace "" || return

	xen-pmem create "$(guest_cfg pmfill "$claims xst.pmem_op=fill")" "$ns" >/tmp/pmfill.out 2>&1
	ok $? "xen-pmem create: PV guest pmfill gets $ns: $(cat /tmp/pmfill.out)"
	wait_gone pmfill 600
	ok $? "PV guest pmfill filled the namespace and powered off"
	dom0_disk_back pmfill

	out=$("$dir/pmem_pattern" check "$seed" "/dev/pmem0")
	ok $? "dom0 reads the guest's pattern from /dev/pmem0: $out"

	# As a user's config: xl's default is to restart a guest that reboots.
	cfg=$(guest_cfg pmhold "$claims xst.pmem_op=none xst.hold=1")
	sed -i 's/^on_reboot.*/on_reboot = "restart"/' "$cfg"
	xen-pmem create "$cfg" "$ns" >/tmp/pmhold.out 2>&1
	ok $? "xen-pmem create: PVH guest pmhold gets $ns: $(cat /tmp/pmhold.out)"
	domid=$(xl domid pmhold)
	hold=$domid
	state=$(wait_state "/local/domain/$domid/device/vpmem/0/state" 4 300)
	[ "$state" = 4 ]
	ok $? "pmhold's frontend connected (state $state)"
	wait_init pmhold 300
	hold_lines=$(wc -l </var/log/xen/guest-pmhold.log)

	mkdir -p /mnt
	err=$( { dd if=/dev/pmem0 of=/dev/null bs=4096 count=1 2>&1 && echo opened
		 mount -t ext2 /dev/pmem0 /mnt 2>&1 && umount /mnt && echo mounted; } |
		tr '\n' ' ')
	[ ! -e /dev/pmem0 ] && ! echo "$err" | grep -qE 'opened|mounted'
	ok $? "dom0 can neither open nor mount /dev/pmem0 while pmhold holds $ns: $err"

	refused "$domid" 1 "22 gfn $mfn nr-frames 0: zero size" "zero size" gfn=$mfn nr-frames=0
	refused "$domid" 2 "22 gfn 200001 nr-frames 200: not 2 MiB aligned" \
		"start not 2 MiB aligned" gfn=200001 nr-frames=200
	refused "$domid" 3 "22 gfn 200000 nr-frames 300: not 2 MiB aligned" \
		"size not 2 MiB aligned" gfn=200000 nr-frames=300
	refused "$domid" 4 "34 gfn fffffffffe00 nr-frames 200: beyond the physical address space" \
		"beyond the address space" gfn=fffffffffe00 nr-frames=200
	refused "$domid" 5 "16 gfn 0 nr-frames 200: overlaps RAM" "over RAM" gfn=0 nr-frames=200
	refused "$domid" 6 "16 gfn $mfn nr-frames $nr: overlaps registered persistent memory" \
		"the same range again" \
		gfn=$mfn nr-frames=$nr
	inside=$(printf %x $((0x$mfn + 0x200)))
	refused "$domid" 7 "16 gfn $inside nr-frames 200: overlaps registered persistent memory" \
		"inside the region" gfn=$inside nr-frames=200
	refused "$domid" 8 "22 malformed gfn \"0x$mfn\"" "gfn with 0x" gfn=0x$mfn nr-frames=200
	refused "$domid" 9 "22 malformed nr-frames \"\"" "empty nr-frames" gfn=200000 nr-frames=
	refused "$domid" 10 "22 malformed gfn \"-1\"" "negative gfn" gfn=-1 nr-frames=200
	refused "$domid" 11 "2 reading /local/domain/0/backend/vpmem/$domid/11/gfn" "no gfn" \
		nr-frames=200
	sleep 1
	lines=$(tail -n +$((hold_lines + 1)) /var/log/xen/guest-pmhold.log |
		grep -c 'vpmem-[0-9]*: ')
	[ "$lines" = 11 ]
	ok $? "pmhold logged one line per refused device: $lines for 11"
	xl domid pmhold >/dev/null 2>&1
	ok $? "pmhold is still running"

	xen-pmem create "$(guest_cfg pmv "$claims xst.pmem_op=check")" "$ns" >/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q "already given to domain $domid (pmhold): refused" /tmp/pmdup.out &&
		! xl domid pmv >/dev/null 2>&1
	ok $? "a second guest is refused while pmhold holds $ns: $(cat /tmp/pmdup.out)"
	xen-pmem create "$(guest_cfg pmv "$claims")" "${ns}:2:2" >/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q "already given to domain $domid" /tmp/pmdup.out
	ok $? "a part of the held namespace is refused too: $(cat /tmp/pmdup.out)"
	xen-pmem create "$(guest_cfg pmv "$claims")" namespace9.9 >/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q "namespace9.9: no such namespace" /tmp/pmdup.out
	ok $? "a namespace libnvdimm does not know is refused: $(cat /tmp/pmdup.out)"
	xen-pmem create "$(guest_cfg pmv "$claims")" "${ns}:0:1024" >/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q "beyond the end of $ns" /tmp/pmdup.out
	ok $? "a range past the namespace is refused: $(cat /tmp/pmdup.out)"
	xen-pmem create "$(guest_cfg pmv "$claims")" "${ns}:-2:4" >/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q "offset and size must be decimal MiB" /tmp/pmdup.out &&
		! xl domid pmv >/dev/null 2>&1
	ok $? "a negative offset is refused: $(cat /tmp/pmdup.out)"
	# 2^44 - 2 MiB: times 2^20 it wraps to 2 MiB below the namespace
	xen-pmem create "$(guest_cfg pmv "$claims")" "${ns}:17592186044414:2" >/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q "offset and size must be decimal MiB" /tmp/pmdup.out &&
		! xl domid pmv >/dev/null 2>&1
	ok $? "an offset that would wrap is refused: $(cat /tmp/pmdup.out)"
	xen-pmem create "$(guest_cfg pmv "$claims")" 0x100000 >/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q "not a libnvdimm namespace name" /tmp/pmdup.out
	ok $? "a frame number is refused: $(cat /tmp/pmdup.out)"
	# type= and builder= as xl reads them, refused before the namespace
	# is looked up (else the hold above would be the reason given)
	xen-pmem create "$(guest_cfg pmv "$claims")" "$ns" 'type="pv"; builder="hvm"' \
		>/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q 'type="pv" and builder="hvm": xl would refuse them' /tmp/pmdup.out &&
		! xl domid pmv >/dev/null 2>&1
	ok $? "a type= that builder= contradicts is refused: $(cat /tmp/pmdup.out)"
	xen-pmem create "$(guest_cfg pmv "$claims")" "$ns" 'type="pvhx"' >/tmp/pmdup.out 2>&1
	[ $? != 0 ] && grep -q 'type="pvhx" and builder="": xl would refuse them' /tmp/pmdup.out &&
		! xl domid pmv >/dev/null 2>&1
	ok $? "a type= xl does not know is refused: $(cat /tmp/pmdup.out)"

	# pmpv may map the namespace's first 2 MiB only. A PV guest asks Xen
	# for a range's two end frames: each end outside is refused.
	cfg=$(guest_cfg pmpv "xst.hold=1")
	echo "iomem = [ \"$mfn,200\" ]" >>"$cfg"
	xl create "$cfg" >/tmp/pmpv.out 2>&1
	ok $? "PV guest pmpv created with iomem= for 2 MiB at $mfn"
	pv=$(xl domid pmpv)
	# From here on, what pmpv logs is about the hot-added devices.
	wait_init pmpv 300
	pv_lines=$(wc -l </var/log/xen/guest-pmpv.log)
	last=$(printf %x $((0x$mfn + 0x3ff)))
	refused "$pv" 0 "1 Xen refuses frame $last: no iomem permission" \
		"PV, the last frame without iomem=" gfn=$mfn nr-frames=400
	second=$(printf %x $((0x$mfn + 0x200)))
	refused "$pv" 1 "1 Xen refuses frame $second: no iomem permission" \
		"PV, the first frame without iomem=" gfn=$second nr-frames=200
	xl destroy pmpv
	sleep 0.5
	! { tail -n +$((pv_lines + 1)) /var/log/xen/guest-pmpv.log
	    tail -n +$((hold_lines + 1)) /var/log/xen/guest-pmhold.log; } |
		grep -qE 'Oops|WARNING|BUG|Call Trace'
	ok $? "no oops, warning or BUG in pmhold and pmpv after their devices were added"
	sed "s/^/@pmpv| /" /var/log/xen/guest-pmpv.log

	# The holder reboots: xen-pmem made that end the domain, so no new
	# pmhold maps the frames outside xen-pmem's record.
	# Save (the first half of a migration) is refused by the guest: its
	# frontend refuses to freeze, libxl gives up waiting, pmhold runs on.
	lines=$(wc -l </var/log/xen/guest-pmhold.log)
	xl save pmhold /tmp/pmhold.save >/tmp/pmsave.out 2>&1
	rc=$?
	sleep 1
	new=$(tail -n +$((lines + 1)) /var/log/xen/guest-pmhold.log)
	state=$(xenstore-read "/local/domain/$hold/device/vpmem/0/state")
	[ $rc != 0 ] && [ "$(xl domid pmhold 2>/dev/null)" = "$hold" ] && [ "$state" = 4 ] &&
		echo "$new" | grep -q "vpmem-0: .* refusing to suspend" &&
		! echo "$new" | grep -qE 'Oops|WARNING|BUG|Call Trace'
	refused=$?
	xl_said=$(grep -m 1 -o 'guest did not suspend.*' /tmp/pmsave.out)
	guest_said=$(echo "$new" | grep -m 1 -o 'vpmem-0: .*')
	[ $refused = 0 ] || explain /tmp/pmsave.out "$new"
	ok $refused "xl save of pmhold is refused ($xl_said), pmhold runs on," \
		"frontend state $state: $guest_said$(xen_on "$refused")"
	rm -f /tmp/pmhold.save

	# Migration starts with the same suspend. xl migrate to this host (-s
	# '' runs the receiver here instead of over ssh) gives up the same way
	# and does not resume pmhold; the receiver's new domain is destroyed
	# unbuilt, and xen-pmem's record still names pmhold.
	lines=$(wc -l </var/log/xen/guest-pmhold.log)
	xl migrate -s '' pmhold 'xl migrate-receive' >/tmp/pmmig.out 2>&1
	rc=$?
	sleep 1
	new=$(tail -n +$((lines + 1)) /var/log/xen/guest-pmhold.log)
	state=$(xenstore-read "/local/domain/$hold/device/vpmem/0/state")
	holders=$(xen-pmem list | grep "^${ns%%:*} .*domain $hold$")
	[ $rc != 0 ] && [ "$(xl domid pmhold 2>/dev/null)" = "$hold" ] && [ "$state" = 4 ] &&
		grep -q 'failed to suspend at sender' /tmp/pmmig.out &&
		! xl domid pmhold--incoming >/dev/null 2>&1 && [ -n "$holders" ] &&
		echo "$new" | grep -q "vpmem-0: .* refusing to suspend" &&
		! echo "$new" | grep -qE 'Oops|WARNING|BUG|Call Trace'
	refused=$?
	xl_said=$(grep -m 1 -o 'Migration failed.*' /tmp/pmmig.out)
	[ $refused = 0 ] || explain /tmp/pmmig.out "$new"
	ok $refused "xl migrate of pmhold is refused ($xl_said), pmhold runs on," \
		"frontend state $state, xen-pmem: ${holders:-no holder}$(xen_on "$refused")"

	# The backend closes the device: the guest, which does not use the
	# region, lets it go and goes Closed; xen-pmem takes the frames back
	# from Xen, and the namespace is dom0's again while pmhold runs on.
	# The refused devices go first, as a toolstack would remove them:
	# each device bound to a modular frontend keeps the module loaded.
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		xenstore-rm "/local/domain/$hold/device/vpmem/$i" \
			"/local/domain/0/backend/vpmem/$hold/$i"
	done
	lines=$(wc -l </var/log/xen/guest-pmhold.log)
	fe=/local/domain/$hold/device/vpmem/0
	xen-pmem detach pmhold >/tmp/pmdetach.out 2>&1
	rc=$?
	sleep 1
	# xen-pmem removes the device once the frontend went Closed
	state=$(xenstore-read "$fe/state" 2>/dev/null || echo gone)
	gone=$(tail -n +$((lines + 1)) /var/log/xen/guest-pmhold.log | grep -m 1 -o 'vpmem-0: .*')
	# A modular frontend is then unloaded by pmhold's init.
	mod=
	if grep -q 'xst.modules=[^ "]*xen[-_]pmem' /etc/xen/pmhold.cfg; then
		t=0
		until mod=$(grep -m 1 -o 'XST-HOLD rmmod xen-pmem: .*' \
			/var/log/xen/guest-pmhold.log) || [ $t -ge 60 ]; do
			sleep 1
			t=$((t + 1))
		done
		mod=${mod:-XST-HOLD rmmod xen-pmem: not tried}
	fi
	[ $rc = 0 ] && [ "$state" = gone ] && echo "$gone" | grep -q ': removed' &&
		{ [ -z "$mod" ] || [ "${mod#XST-HOLD rmmod xen-pmem: ok}" != "$mod" ]; }
	ok $? "xen-pmem detach: pmhold lets its unused region go (frontend: $state," \
		"guest: $gone${mod:+; ${mod#XST-HOLD }}): $(cat /tmp/pmdetach.out)"
	# pmhold read the region's first 8 bytes while it had the region (the
	# pattern), and its first frame through /dev/mem once its device went:
	# all ones, what Xen gives a PVH guest for a frame its p2m does not map.
	t=0
	until grep -q 'after the device went: ' /var/log/xen/guest-pmhold.log || [ $t -ge 90 ]; do
		sleep 1
		t=$((t + 1))
	done
	# the guest's console lines end in CR LF
	after=$(grep -m 1 -o 'after the device went: .*' /var/log/xen/guest-pmhold.log | tr -d '\r')
	before=$(grep -m 1 -o 'with the region: .*' /var/log/xen/guest-pmhold.log | tr -d '\r')
	holders=$(xen-pmem list | grep "^${ns%%:*} .*domain")
	[ "${after#*: }" = 0xffffffffffffffff ] && [ -n "${before#*: }" ] &&
		[ "${before#*: }" != ffffffffffffffff ] && [ "$(xl domid pmhold)" = "$hold" ] &&
		[ -z "$holders" ] && [ -b /dev/pmem0 ]
	ok $? "after the detach Xen no longer maps $ns's frames in pmhold (frame $mfn:" \
		"${before:-not read}, ${after:-not read}), xen-pmem lists no holder" \
		"(${holders:-none}) and dom0 has /dev/pmem0 again while pmhold runs on"

	xl reboot pmhold >/dev/null 2>&1
	t=0
	while [ "$(xl domid pmhold 2>/dev/null)" = "$hold" ] && [ $t -lt 120 ]; do
		sleep 1
		t=$((t + 1))
	done
	# xl's restart would make a new pmhold within these 30 s.
	w=0 now=
	while [ -z "$now" ] && [ $w -lt 30 ]; do
		sleep 1
		w=$((w + 1))
		now=$(xl domid pmhold 2>/dev/null)
	done
	[ $t -lt 120 ] && [ -z "$now" ]
	ok $? "pmhold's reboot ended it (domain $hold gone after $t s;" \
		"then: ${now:+domain }${now:-none})"
	xl destroy pmhold >/dev/null 2>&1
	sed "s/^/@pmhold| /" /var/log/xen/guest-pmhold.log
	dom0_disk_back pmhold
	lend_pvh pmv "$(guest_cfg pmv "$claims xst.pmem_op=check")"
	ok $created "after pmhold is gone, PVH guest pmv gets $ns: $(cat /tmp/pmv.out)"
	ok $gone "PVH guest pmv checked the pattern and powered off"
	# A guest shutting down closes its frontends and waits (5 s each) for
	# the backend to close too: xen-pmem's watcher answers.
	waited=$(grep -h 'timeout closing device' /var/log/xen/guest-pmfill.log \
		/var/log/xen/guest-pmv.log)
	[ -z "$waited" ]
	ok $? "pmfill and pmv shut down without waiting for the backend${waited:+: $waited}"
}

# create_undone: a create that fails after "xl create -p" (here its
# xenstore-chmod, made to fail) destroys the paused domain it made, says
# so, and gives the namespace back: no domain keeps the frames unrecorded.
create_undone() {
	mkdir -p /tmp/pmfail
	printf '#!/bin/sh\necho "xenstore-chmod: failing for the test" >&2\nexit 1\n' \
		>/tmp/pmfail/xenstore-chmod
	chmod +x /tmp/pmfail/xenstore-chmod
	PATH=/tmp/pmfail:$PATH xen-pmem create "$(guest_cfg pmagain "$claims")" "$ns" \
		>/tmp/pmundo.out 2>&1
	rc=$?
	holders=$(xen-pmem list | grep "^${ns%%:*} .*domain")
	[ $rc != 0 ] && grep -q "destroyed: its create did not finish" /tmp/pmundo.out &&
		! xl domid pmagain >/dev/null 2>&1 && [ -z "$holders" ] && [ -b /dev/pmem0 ]
	ok $? "a create that fails after xl create -p leaves no domain (pmagain:" \
		"$(xl domid pmagain 2>&1)), no holder (${holders:-none}), and dom0" \
		"has /dev/pmem0 back: $(tr "\n" " " </tmp/pmundo.out)"
}

again() {
	seed=$1
	find_namespace " again" || return
	out=$("$dir/pmem_pattern" check "$seed" "/dev/pmem0")
	ok $? "dom0 reads the pattern from /dev/pmem0 after the restart: $out"
	create_undone
	xen-pmem create "$(guest_cfg pmagain "$claims xst.pmem_op=check")" "$ns" \
		>/tmp/pmagain.out 2>&1
	ok $? "xen-pmem create: PV guest pmagain gets $ns: $(cat /tmp/pmagain.out)"
	wait_gone pmagain 600
	ok $? "PV guest pmagain checked the pattern and powered off"
	lend_pvh pmdax "$(guest_cfg pmdax "$claims xst.pmem_op=none,dax")"
	ok $created "xen-pmem create: PVH guest pmdax gets $ns: $(cat /tmp/pmdax.out)"
	ok $gone "PVH guest pmdax tried fsdax and powered off"
	dom0_disk_back pmdax
	claimed_refused
	mounted_refused
	detach_mounted_refused
}

# detach_mounted_refused: a guest that has the region mounted refuses to
# let it go when the backend closes the device, and keeps it connected.
# Its name is given on the command line, as xl create takes settings (two
# joined by ";", which xl's parser splits): the holder xen-pmem records
# must be the domain xl made under that name.
detach_mounted_refused() {
	cfg=$(guest_cfg pmhold "$claims xst.pmem_op=none xst.hold=1 xst.hold_mount=1")
	log=/var/log/xen/guest-pmmnt.log
	for try in 1 2; do
		# this boot's lines of the console log, which xenconsoled appends to
		from=1
		[ -f $log ] && from=$(($(wc -l <$log) + 1))
		xen-pmem create "$cfg" "$ns" 'on_crash="destroy"; name="pmmnt"' \
			>/tmp/pmmnt.out 2>&1
		rc=$?
		d=$(xl domid pmmnt 2>/dev/null)
		holders=$(xen-pmem list | grep "^${ns%%:*} .*domain ${d:-none}$")
		t=0
		until tail -n +$from $log 2>/dev/null | grep -q "XST-HOLD mounted" ||
			! alive pmmnt || [ $t -ge 300 ]; do
			sleep 1
			t=$((t + 1))
		done
		{ [ $try = 1 ] && [ -n "$d" ] && ! alive pmmnt && emulator_killed "$d" &&
			! tail -n +$from $log | grep -q "XST-HOLD mounted"; } || break
		echo "# pmmnt (domain $d) died of a triple fault before it mounted:" \
			"booting it once more"
		wait_given_back
	done
	[ $rc = 0 ] && [ -n "$d" ] && grep -q "domain $d (pmmnt)" /tmp/pmmnt.out &&
		[ -n "$holders" ] && ! xl domid pmhold >/dev/null 2>&1
	ok $? "xen-pmem create CONFIG $ns 'on_crash=\"destroy\"; name=\"pmmnt\"':" \
		"domain ${d:-none}, listed as the holder (${holders:-no holder}): $(cat /tmp/pmmnt.out)"
	xen-pmem detach pmmnt >/tmp/pmdetach.out 2>&1
	rc=$?
	state=$(xenstore-read "/local/domain/$d/device/vpmem/0/state")
	[ $rc != 0 ] && [ "$state" = 4 ] &&
		grep -q "keeps ${ns%%:*}: 16 .* is in use (open disk, device-dax): not removed" \
			/tmp/pmdetach.out &&
		tail -n +$from $log | grep -q "vpmem-0: .* is in use"
	ok $? "xen-pmem detach of pmmnt, which has it mounted, is refused (frontend" \
		"state $state): $(cat /tmp/pmdetach.out)"
	xl destroy pmmnt >/dev/null 2>&1
	sed "s/^/@pmmnt| /" /var/log/xen/guest-pmmnt.log
}

# mounted_refused: while dom0 has the namespace mounted, xen-pmem refuses
# to lend it, and dom0 keeps it.
mounted_refused() {
	ns=$(ndctl list -N | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' | head -n 1)
	mkdir -p /mnt
	mke2fs /dev/pmem0 >/dev/null 2>&1 && mount -t ext2 /dev/pmem0 /mnt &&
		xen-pmem create "$(guest_cfg pmv "$claims")" "$ns" >/tmp/pmmnt.out 2>&1
	[ $? != 0 ] && grep -q "/dev/pmem0 is mounted or swapped on in dom0: refused" \
		/tmp/pmmnt.out && ! xl domid pmv >/dev/null 2>&1 && [ -b /dev/pmem0 ] &&
		grep -q "^/dev/pmem0 /mnt " /proc/mounts
	ok $? "a namespace dom0 has mounted is refused, and stays dom0's: $(cat /tmp/pmmnt.out)"
	umount /mnt
}

# Last, as it overwrites the start of the namespace: claimed by a btt
# (ndctl's sector mode), the range holds dom0's BTT metadata, and xen-pmem
# must refuse it, as it refuses a pfn's (fsdax) or dax's claim. fsdax
# itself is not made here: in a PV dom0, ZONE_DEVICE's add_pages() fails
# with a WARN (seen with this test bed, base 6.1 code).
claimed_refused() {
	if ! ndctl create-namespace -f -e "$ns" -m sector >/tmp/ndctl.out 2>&1; then
		step=$((step + 1))
		why=$(tr '\n' ' ' </tmp/ndctl.out)
		echo "ok $step # SKIP ndctl cannot make $ns a sector namespace" \
			"(a kernel without CONFIG_BTT): $why"
		return
	fi
	ns=$(ndctl list -N | sed -n 's/.*"dev":"\(namespace[0-9.]*\)".*/\1/p' | head -n 1)
	xen-pmem create "$(guest_cfg pmv "$claims")" "$ns" >/tmp/pmfs.out 2>&1
	[ $? != 0 ] && grep -q "claimed by btt[0-9.]* (safe mode)" /tmp/pmfs.out &&
		! xl domid pmv >/dev/null 2>&1
	ok $? "a namespace claimed by a btt (sector mode) is refused: $(cat /tmp/pmfs.out)"
	# Raw again, as the test bed's other boots expect it
	ndctl create-namespace -f -e "$ns" -m raw >/dev/null 2>&1
}

echo "TAP version 13"
case $1 in
first) echo "1..41"; first "$2" ;;
again) echo "1..11"; again "$2" ;;
*) echo "usage: vnvdimm_host.sh first|again SEED" >&2; exit 2 ;;
esac
