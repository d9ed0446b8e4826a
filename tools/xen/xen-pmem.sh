#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xen-pmem: give a Xen guest a persistent-memory namespace of dom0's,
# with the stock xl. See Documentation/admin-guide/xen-vnvdimm.rst.
#
#   xen-pmem list
#   xen-pmem create CONFIG NAMESPACE[:OFFSET_MIB:SIZE_MIB] [xl create args...]
#   xen-pmem detach DOMAIN
#   xen-pmem reclaim
#
# create takes the frames from libnvdimm, never from the admin: it adds the
# iomem= line to "xl create -p", names the frames to the guest through a
# "vpmem" xenbus device (the guest's drivers/nvdimm/xen_pmem.c checks them),
# and unpauses the guest. A range that overlaps one another live guest holds is
# refused, and so is anything libnvdimm does not know as persistent memory.
#
# While a guest holds any part of a namespace, dom0's pmem driver is
# unbound from it (no /dev/pmemN in dom0), and the guest's reboot ends the
# domain (xl's restart would map the frames again outside this record). A
# watcher left behind by create answers the guest's xenbus states as the
# backend and gives the namespace back to dom0 once the last holder is
# gone; "reclaim" does the same by hand. "detach" asks the guest to let its
# region go (refused while the guest has it mounted), then takes the frames
# back from Xen with xen-pmem-revoke; the namespace is free again, except
# from a PV guest, which keeps what it mapped until the domain is gone.
set -eu

ND=/sys/bus/nd/devices
BACK=/local/domain/0/backend/vpmem
# TAKEN/KEY = NAMESPACE, which create unbound in dom0, to bind again; KEY
# is the name with "_" for "." (xenstore node names have no dots)
TAKEN=/local/domain/0/xen-pmem/taken
LOCK=/run/xen-pmem.lock

die() {
	echo "xen-pmem: $*" >&2
	exit 1
}

# decimal WORD: digits only, no sign, no leading zero (sh reads octal),
# and at most 9 of them, so that a MiB count times 2^20 cannot wrap
decimal() {
	case $1 in
	'' | *[!0-9]* | 0?* | ??????????*) return 1 ;;
	esac
}

# namespace_frames NAMESPACE[:OFF:SIZE]: print "MFN NR" (hex) of the range.
namespace_frames() {
	ns=${1%%:*}
	case $ns in
	namespace*.*) ;;
	*) die "$ns: not a libnvdimm namespace name (namespaceX.Y)" ;;
	esac
	[ -d "$ND/$ns" ] || die "$ns: no such namespace in $ND"
	case $(cat "$ND/$ns/devtype") in
	nd_namespace_io | nd_namespace_pmem) ;;
	*) die "$ns: not a persistent-memory namespace ($(cat "$ND/$ns/devtype"))" ;;
	esac
	[ "$(cat "$ND/$ns/../devtype")" = nd_pmem_region ] ||
		[ "$(cat "$ND/$ns/../devtype")" = nd_pmem ] ||
		die "$ns: its region is not persistent memory"
	# A claimed namespace (fsdax, devdax, sector) keeps dom0's metadata in
	# its own range: an info block, and with map=dev dom0's struct pages.
	claim=$(cat "$ND/$ns/holder" 2>/dev/null) || claim=
	mode=$(cat "$ND/$ns/mode" 2>/dev/null) || mode=
	[ -z "$claim" ] || die "$ns: claimed by $claim ($mode mode):" \
		"its range holds dom0's metadata; lend a raw namespace" \
		"(ndctl create-namespace -e $ns -m raw -f)"
	start=$(cat "$ND/$ns/resource" 2>/dev/null) || die "$ns: has no capacity (no resource)"
	size=$(cat "$ND/$ns/size")
	[ "$size" -gt 0 ] || die "$ns: zero size"
	off=0 len=$size
	if [ "$ns" != "$1" ]; then
		rest=${1#*:}
		o=${rest%%:*} l=${rest#*:}
		[ "$o" != "$rest" ] && decimal "$o" && decimal "$l" ||
			die "$1: offset and size must be decimal MiB" \
				"(NAMESPACE:OFFSET_MIB:SIZE_MIB)"
		off=$((o * 1048576))
		len=$((l * 1048576))
		[ $((off % 2097152)) = 0 ] && [ $((len % 2097152)) = 0 ] && [ "$len" -gt 0 ] ||
			die "$1: offset and size must be non-zero multiples of 2 MiB"
		[ $((off + len)) -le "$size" ] ||
			die "$1: beyond the end of $ns ($((size / 1048576)) MiB)"
	fi
	printf '%x %x\n' $(((start + off) / 4096)) $((len / 4096))
}

alive() {
	xenstore-read "/local/domain/$1/domid" >/dev/null 2>&1
}

# live_entries: "DOMID/DEV" for each vpmem entry of a live domain; the
# entries of dead domains are removed on the way.
live_entries() {
	for d in $(xenstore-list "$BACK" 2>/dev/null); do
		if ! alive "$d"; then
			xenstore-rm "$BACK/$d"
			continue
		fi
		for i in $(xenstore-list "$BACK/$d"); do
			echo "$d/$i"
		done
	done
}

# holder MFN NR: the live domain holding an overlapping range, if any.
holder() {
	for e in $(live_entries); do
		m=0x$(xenstore-read "$BACK/$e/mfn")
		n=0x$(xenstore-read "$BACK/$e/nr-frames")
		if [ $((m)) -lt $((0x$1 + 0x$2)) ] && [ $((0x$1)) -lt $((m + n)) ]; then
			echo "${e%/*}"
			return
		fi
	done
}

# lock [TENTHS]: one xen-pmem at a time; wait up to TENTHS/10 s (30 s).
lock() {
	i=0
	while ! mkdir "$LOCK" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt "${1:-300}" ] || die "$LOCK is held: another xen-pmem still running?"
		sleep 0.1
	done
	trap 'rmdir "$LOCK"' EXIT
	# dash and ash run the EXIT trap on exit, not on a fatal signal
	trap 'exit 1' HUP INT TERM
}

# held NAMESPACE: does a live domain hold any part of it?
held() {
	for e in $(live_entries); do
		what=$(xenstore-read "$BACK/$e/namespace")
		[ "${what%%:*}" != "$1" ] || return 0
	done
	return 1
}

# take_from_dom0 NAMESPACE: unbind dom0's pmem driver, so that dom0 has no
# /dev/pmemN for it while a guest holds it. Refused while dom0 uses it.
take_from_dom0() {
	disk=$(ls "$ND/$1/block" 2>/dev/null | head -n 1)
	[ -n "$disk" ] || return 0
	if cat /proc/mounts /proc/swaps 2>/dev/null | grep -q "^/dev/${disk}[p0-9]* "; then
		die "$1: /dev/$disk is mounted or swapped on in dom0: refused"
	fi
	users=$(ls "/sys/block/$disk/holders")
	[ -z "$users" ] || die "$1: /dev/$disk is in use by $users in dom0: refused"
	xenstore-write "$TAKEN/$(echo "$1" | tr . _)" "$1"
	echo "$1" >"$ND/$1/driver/unbind" || die "$1: cannot unbind /dev/$disk in dom0"
}

# give_back: bind dom0's pmem driver again to each namespace create took
# that no live domain holds any more.
give_back() {
	for key in $(xenstore-list "$TAKEN" 2>/dev/null); do
		ns=$(xenstore-read "$TAKEN/$key")
		held "$ns" && continue
		if [ -d "$ND/$ns" ] && [ ! -e "$ND/$ns/driver" ]; then
			echo "$ns" >/sys/bus/nd/drivers/nd_pmem/bind ||
				echo "xen-pmem: $ns: cannot bind it to nd_pmem again" >&2
		fi
		xenstore-rm "$TAKEN/$key"
		echo "xen-pmem: $ns is dom0's again"
	done
}

# backend_follow BE FE: the backend's answer to the frontend's state:
# Connected once it connected, Closing and Closed as it closes (a guest
# shutting down waits for the backend's Closing).
backend_follow() {
	case $(xenstore-read "$2/state" 2>/dev/null) in
	4) [ "$(xenstore-read "$1/state" 2>/dev/null)" != 2 ] ||
		xenstore-write "$1/state" 4 ;;
	5) xenstore-write "$1/state" 5 ;;
	6) xenstore-write "$1/state" 6 ;;
	esac
}

# watch_holder DOMID: in the background, be the backend of the domain's
# vpmem device, and reclaim once the domain is gone.
watch_holder() {
	(
		trap '' HUP
		be=$BACK/$1/0 fe=/local/domain/$1/device/vpmem/0
		while alive "$1"; do
			# a failed write must not end the watcher (set -e)
			backend_follow "$be" "$fe" || true
			# Each watch fires once when set, then on a change of
			# the frontend's state or a domain's death; the timeout
			# covers a change just before the watches were set.
			timeout 30 xenstore-watch -n 3 "$fe/state" @releaseDomain \
				>/dev/null 2>&1 || sleep 1
		done
		"$0" reclaim
	) </dev/null >>/var/log/xen/xen-pmem.log 2>&1 &
}

reclaim() {
	lock 100000
	give_back
}

# statements: stdin's xl settings one to a line, split as xl's parser
# splits them: at a newline or a ";" outside quotes (where a backslash
# escapes the next character), and without what a "#" outside quotes
# starts.
statements() {
	awk '{
		out = ""
		q = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (q != "") {
				if (c == "\\") {
					out = out c substr($0, i + 1, 1)
					i++
					continue
				}
				if (c == q)
					q = ""
			} else if (c == "#") {
				break
			} else if (c == ";") {
				print out
				out = ""
				continue
			} else if (c == "\"" || c == "\047") {
				q = c
			}
			out = out c
		}
		print out
	}'
}

# settings KEY CFG [xl create args...]: each string value of KEY, in the
# order xl reads them: the config file's, then the arguments'.
settings() {
	key=$1 cfg=$2
	shift 2
	{
		cat "$cfg"
		echo	# a file without a final newline
		for a in "$@"; do
			printf '%s\n' "$a"
		done
	} | statements | tr '\t' ' ' |
		sed -n "s/^ *${key} *= *[\"']\([^\"']*\)[\"'] *$/=\1/p"
}

# setting KEY CFG [xl create args...]: KEY's string value as xl will see
# it (the last one wins, in the file and on the command line).
setting() {
	settings "$@" | tail -n 1 | cut -c 2-
}

# guest_type CFG [xl create args...]: pv, pvh or hvm, as xl 4.17 reads
# type= (any prefix of a type's name, "pv" before "pvh"), else the older
# builder= ("hvm" or "generic"), else pv; nothing where xl would refuse.
guest_type() {
	t=$(settings type "$@" | tail -n 1) b=$(settings builder "$@" | tail -n 1)
	case $t in
	"") ;;	# not set
	= | =h | =hv | =hvm) t=hvm ;;
	=p | =pv) t=pv ;;
	=pvh) t=pvh ;;
	*) return 0 ;;
	esac
	case $b in
	"") ;;
	= | =h | =hv | =hvm) b=hvm ;;
	=g | =ge | =gen | =gene | =gener | =generi | =generic) b=pv ;;
	*) return 0 ;;
	esac
	[ -z "$t" ] || [ -z "$b" ] || [ "$t" = "$b" ] || return 0
	echo "${t:-${b:-pv}}"
}

# undo_create DOMID: a create that failed after "xl create -p" leaves no
# paused domain holding the frames without the record that says so.
undo_create() {
	if xl destroy "$1" >/dev/null 2>&1 || ! alive "$1"; then
		echo "xen-pmem: domain $1 destroyed: its create did not finish" >&2
		xenstore-rm "$BACK/$1" 2>/dev/null || true
		give_back >/dev/null || true
	else
		echo "xen-pmem: domain $1: its create did not finish, and it cannot be" \
			"destroyed: destroy it, then run xen-pmem reclaim" >&2
	fi
	rmdir "$LOCK" || true
}

create() {
	[ $# -ge 2 ] || usage
	cfg=$1 what=$2
	shift 2
	[ -r "$cfg" ] || die "$cfg: cannot read"
	name=$(setting name "$cfg" "$@")
	type=$(guest_type "$cfg" "$@")
	[ -n "$name" ] || die "$cfg: no name"
	# before anything is looked up or taken: xl would fail later
	[ -n "$type" ] || die "$cfg: type=\"$(setting type "$cfg" "$@")\" and" \
		"builder=\"$(setting builder "$cfg" "$@")\": xl would refuse them"
	frames=$(namespace_frames "$what")
	mfn=${frames% *} nr=${frames#* }
	lock
	d=$(holder "$mfn" "$nr")
	if [ -n "$d" ]; then
		holder_name=$(xenstore-read "/local/domain/$d/name")
		die "$what (frames $mfn+$nr) is already given to domain $d ($holder_name): refused"
	fi
	# Every type sees the frames at the host's address: a PV guest maps
	# them into the hole e820_host=1 leaves there, iomem=...@ puts them
	# there for PVH and HVM.
	gfn=$mfn
	case $type in
	pv) iomem="$mfn,$nr" extra="e820_host=1" ;;
	*) iomem="$mfn,$nr@$gfn" extra="" ;;	# pvh, hvm
	esac
	take_from_dom0 "${what%%:*}"
	log=/var/log/xen/xen-pmem-$name.log
	# xl leaves a child holding stdout: never a pipe. The caller's
	# settings first, so that none replaces these: iomem= is the range
	# libnvdimm gave, and xl would restart a rebooting guest with the
	# frames but without this record.
	if ! xl create -p "$cfg" "$@" "iomem=[\"$iomem\"]" $extra 'on_reboot="destroy"' \
		>"$log" 2>&1; then
		give_back >/dev/null
		die "xl create -p $cfg failed: $(tail -n 3 "$log")"
	fi
	# Not found: a domain holds the frames under a name not seen here,
	# so the namespace stays taken from dom0.
	domid=$(xl domid "$name") ||
		die "xl create -p $cfg made no domain named $name:" \
			"destroy the one it made, then run xen-pmem reclaim"
	trap 'undo_create "$domid"' EXIT
	be=$BACK/$domid/0 fe=/local/domain/$domid/device/vpmem/0
	xenstore-write "$be/frontend" "$fe" "$be/frontend-id" "$domid" \
		"$be/mfn" "$mfn" "$be/gfn" "$gfn" "$be/nr-frames" "$nr" \
		"$be/namespace" "$what" "$be/state" 2
	xenstore-chmod -r "$be" n0 "r$domid"
	# Initialising (1) only once the guest owns the whole directory.
	xenstore-write "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/state" 0
	xenstore-chmod -r "$fe" "n$domid" r0
	xenstore-write "$fe/state" 1
	xl unpause "$domid"
	trap 'rmdir "$LOCK"' EXIT
	watch_holder "$domid"
	echo "xen-pmem: domain $domid ($name): $what, frames $mfn+$nr at gfn $gfn;" \
		"dom0 gets it back when the domain is gone (a reboot ends it)"
	# Xen maps MMIO uncached in a PV domU unless mmio-relax=all.
	if [ "$type" = pv ] &&
		! xl info | grep '^xen_commandline' | grep -qw 'mmio-relax=all'; then
		echo "xen-pmem: Xen runs without mmio-relax=all: domain $domid maps it" \
			"uncached, slowly (see Documentation/admin-guide/xen-vnvdimm.rst)"
	fi
}

# detach DOMAIN: the backend closes the device; the guest lets the region
# go (its frontend goes Closed) or refuses while it uses it.
detach() {
	[ $# = 1 ] || usage
	d=$(xl domid "$1" 2>/dev/null) || die "$1: no such domain"
	be=$BACK/$d/0 fe=/local/domain/$d/device/vpmem/0 err=/local/domain/$d/error/device/vpmem/0
	lock
	[ "$(xenstore-read "$fe/state" 2>/dev/null)" = 4 ] ||
		die "domain $d ($1) has no connected vpmem device"
	what=$(xenstore-read "$be/namespace")
	xenstore-rm "$err" 2>/dev/null || true
	xenstore-write "$be/state" 5
	t=0 why=
	while [ "$(xenstore-read "$fe/state")" = 4 ] && [ $t -lt 600 ]; do
		if why=$(xenstore-read "$err/error" 2>/dev/null); then
			# refused: the backend is Connected again
			xenstore-write "$be/state" 4
			die "domain $d ($1) keeps $what: $why"
		fi
		sleep 0.1
		t=$((t + 1))
	done
	# A guest still tearing the region down may take longer; the
	# watcher finishes the handshake when it is done.
	[ "$(xenstore-read "$fe/state")" != 4 ] ||
		die "domain $d ($1) has not let $what go after 60 s; its device stays Closing"
	xenstore-write "$be/state" 6
	# Then Xen's side, which xl has no command for (xen-pmem-revoke's exit
	# status: 0 all gone, 2 a PV guest keeps the mappings it made).
	rc=0
	xen-pmem-revoke "$d" "$(xenstore-read "$be/mfn")" "$(xenstore-read "$be/nr-frames")" \
		"$(xenstore-read "$be/gfn")" || rc=$?
	# The guest's device goes (it pins the frontend's module) only now,
	# and whatever the revoke said: the guest has let its region go.
	# The hold record stays unless Xen took the frames back.
	xenstore-rm "$fe"
	case $rc in
	0)
		xenstore-rm "$be"
		echo "xen-pmem: domain $d ($1) let $what go, and Xen took the frames back"
		give_back
		;;
	2)
		echo "xen-pmem: domain $d ($1) let $what go; a PV domain keeps the" \
			"mappings it made, so the frames stay its until it is gone"
		;;
	*)
		die "domain $d ($1) let $what go, but Xen still lets it map the" \
			"frames: they stay its until it is gone"
		;;
	esac
}

list() {
	for ns in "$ND"/namespace*; do
		[ -e "$ns/resource" ] || continue
		n=${ns##*/}
		frames=$(namespace_frames "$n" 2>/dev/null) || continue
		d=$(holder ${frames% *} ${frames#* })
		echo "$n frames ${frames% *}+${frames#* } ${d:+domain $d}"
	done
}

usage() {
	die "usage: xen-pmem list | reclaim | detach DOMAIN |" \
		"create CONFIG NAMESPACE[:OFFSET_MIB:SIZE_MIB] [xl args...]"
}

case ${1:-} in
list) list ;;
reclaim) reclaim ;;
detach) shift; detach "$@" ;;
create) shift; create "$@" ;;
*) usage ;;
esac
