# Xen 4.17 under QEMU TCG: the hypervisor image, the dom0 userspace and the
# one QEMU machine every Xen mode boots. Source after common.sh.
# shellcheck shell=bash

XEN_GZ=${XS_XEN_GZ:-/boot/xen-4.17-amd64.gz}
XEN_BIN=/usr/lib/xen-4.17/bin
XEN_DIR=$OUT/xen
XEN_NVDIMM_IMG=${XS_NVDIMM_IMG:-$XEN_DIR/nvdimm.img}

# The gunzipped hypervisor (QEMU's multiboot loader takes a plain ELF).
xen_image() {
	mkdir -p "$XEN_DIR"
	if [ ! -s "$XEN_DIR/xen" ] || [ "$XEN_GZ" -nt "$XEN_DIR/xen" ]; then
		[ -r "$XEN_GZ" ] || die "$XEN_GZ is missing: run harness/setup"
		gzip -dc "$XEN_GZ" >"$XEN_DIR/xen.tmp" && mv "$XEN_DIR/xen.tmp" "$XEN_DIR/xen"
	fi
	echo "$XEN_DIR/xen"
}

# Copy FILE into ROOT at the same path, with every library ldd names.
copy_with_libs() {
	local root=$1 f=$2 lib
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
	for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# The dom0 userspace: the stock Debian Xen tools and what they need at run
# time, laid out where they expect it.
dom0_tree() {
	local root=$1 b libgcc
	for b in xl oxenstored xenconsoled xen-init-dom0 libxl-save-helper; do
		copy_with_libs "$root" "$XEN_BIN/$b"
	done
	for b in xenstore-read xenstore-write xenstore-ls xenstore-list xenstore-rm xenstore-chmod; do
		copy_with_libs "$root" "/usr/bin/$b"
	done
	# glibc dlopens libgcc_s for pthread_cancel; ldd does not list it.
	libgcc=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ { lib = $NF } END { print lib }')
	copy_with_libs "$root" "$libgcc"
	mkdir -p "$root/etc/xen" "$root/var/lib/xen" "$root/var/log/xen" "$root/run"
	cp /etc/xen/oxenstored.conf "$root/etc/xen/"
	# Defaults are fine; without the file xl complains on every call.
	: >"$root/etc/xen/xl.conf"
	ln -sfn /run "$root/var/run"
}

# One QEMU machine for all Xen modes: q35 with an AMD IOMMU (PVH dom0 and
# passthrough need one), and the devices later tests use:
#   rp1: PCIe root port, hotplug slot 1, virtio-rng with PCIe FLR;
#   rp2: PCIe root port, slot 2, a two-function device with no reset of
#        its own: conventional PCI functions, so no FLR and no PM. (As PCIe
#        functions, QEMU 7.2's virtio has a PM capability whose clear
#        No_Soft_Reset says D3hot->D0 resets it, but it does not reset.)
#   br1: conventional PCI bridge with two devices behind it;
#   nv1: a 256 MiB NVDIMM backed by out/xen/nvdimm.img (or $XS_NVDIMM_IMG).
# Native PCIe hotplug (pciehp, which has the slot reset) rather than QEMU's
# default ACPI hotplug for q35 root ports.
# SMAP/SMEP off: PV dom0 dies early with them under TCG. RDTSCP off: Xen's
# SVM emulation fails on it in a PVH dom0. AVX off: in a PVH dom0, AVX code
# in userspace (glibc's string functions in busybox) intermittently takes
# #UD under TCG's nested SVM; seen as "Illegal instruction" at a vpxor.
# PKU and MPX off: with their XSAVE components left in, guests sometimes
# saw an XSAVE size that did not match the features ("XSAVE consistency
# problem: size 576 != kernel_size 2696", "Bad FPU state"), and user
# programs then crashed at random (malloc corruption, segfaults).
# XSAVE off altogether: with it, Xen's lazy FPU switching under QEMU's
# nested SVM now and then ran a program on another vCPU's SSE registers
# (busybox segfaults, "se: not found" for sed, xl's "corrupted
# double-linked list"): in dom0 while a PVH domU booted, 5 to 98 bad
# commands in each of four stress runs; with FXSAVE, none in three.
# Sets QEMU_CMD; writes it, quoted, to DIR/qemu.cmd for reproducing by hand.
# Usage: qemu_xen DIR MEM_MIB CPUS XEN_CMDLINE DOM0_KERNEL_AND_CMDLINE INITRD
qemu_xen() {
	local dir=$1 mem=$2 cpus=$3 xen_cmdline=$4 dom0=$5 initrd=$6
	mkdir -p "$XEN_DIR"
	local img=$XEN_NVDIMM_IMG
	[ -f "$img" ] || truncate -s 256M "$img"
	local accel=(-accel tcg -cpu max,-smap,-smep,-rdtscp,-avx,-avx2,-pku,-mpx,-xsave)
	# XS_XEN_ICOUNT=1 (harness/bench): guest clocks count executed
	# instructions, so QEMU's own costs do not show in guest timings.
	[ "${XS_XEN_ICOUNT:-0}" = 1 ] &&
		accel=(-accel tcg,thread=single -icount shift=0,sleep=off "${accel[@]:2}")
	# XS_XEN_TCG_SINGLE=1: one host thread runs every vCPU. For long runs
	# by hand: QEMU 7.2 has crashed under multi-threaded TCG there (README).
	# Not for PVH guests: they died far more often under it (README).
	[ "${XS_XEN_TCG_SINGLE:-0}" = 1 ] &&
		accel=(-accel tcg,thread=single "${accel[@]:2}")
	[ "$XS_XEN_ACCEL" = kvm ] && accel=(-accel kvm -cpu host,pmu=on)
	QEMU_CMD=(qemu-system-x86_64 "${accel[@]}"
		-machine q35,nvdimm=on,kernel-irqchip=split -smp "$cpus"
		-m "$mem,slots=2,maxmem=$((mem + 1024))M"
		-display none -monitor none -serial stdio -no-reboot
		-device amd-iommu
		-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
		-device pcie-root-port,id=rp1,chassis=1,slot=1,bus=pcie.0,addr=0x10
		-device virtio-rng-pci,bus=rp1,addr=0.0
		-device pcie-root-port,id=rp2,chassis=2,slot=2,bus=pcie.0,addr=0x11
		-device virtio-rng-pci,bus=rp2,addr=0.0,multifunction=on,x-disable-pcie=on
		-device virtio-rng-pci,bus=rp2,addr=0.1,x-disable-pcie=on
		-device pci-bridge,id=br1,chassis_nr=3,bus=pcie.0,addr=0x12
		-device virtio-rng-pci,bus=br1,addr=0x1
		-device virtio-rng-pci,bus=br1,addr=0x2
		-object memory-backend-file,id=mem1,share=on,mem-path="$img",size=256M
		-device nvdimm,id=nv1,memdev=mem1
		-kernel "$(xen_image)" -append "$xen_cmdline"
		-initrd "$dom0,$initrd")
	printf '%q ' "${QEMU_CMD[@]}" >"$dir/qemu.cmd"
	echo >>"$dir/qemu.cmd"
}

# Dom0 expectations shared by every Xen mode: Xen is the boot loader (0x9)
# and /sys/hypervisor says xen.
XEN_DOM0_CPUS=2
# With "noreboot" Xen halts and waits forever after these.
XEN_FATAL='Hardware Dom0 crashed|Panic on CPU'

XEN_DOM0_MEM=512
XEN_HOST_MEM=2048

# xen_boot MODE DIR XEN_CMDLINE DOM0_CMDLINE [EXTRA_TREE]
# Pack the dom0 initramfs (test init, kselftests, Xen tools, EXTRA_TREE),
# boot Xen with the series vmlinux as dom0 and keep the console log.
# DOM0_CMDLINE gets the nonce and initrd size appended. Sets XEN_RC.
xen_boot() {
	local mode=$1 dir=$2 xen_cmdline=$3 dom0_cmdline=$4 extra=${5:-} nonce tree
	nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	tree=$dir/dom0-tree
	rm -rf "$tree"
	dom0_tree "$tree"
	[ -z "$extra" ] || cp -a "$extra/." "$tree/"
	"$HARNESS/lib/mkinitramfs" "$dir/dom0.cpio" "$nonce" "$tree"
	rm -rf "$tree"
	qemu_xen "$dir" "$XEN_HOST_MEM" 2 "$xen_cmdline" \
		"$KBUILD/vmlinux $(echo $dom0_cmdline) xst.vpmu=$XEN_VPMU $(pmu_claims) xst.initrd_size=$(stat -c %s "$dir/dom0.cpio") xst.nonce=$nonce $(xst_only) $(xst_modules dom0)" \
		"$dir/dom0.cpio"
	XEN_RC=0
	python3 "$HARNESS/lib/vmrun.py" --log "$dir/console.log" --timeout "${XS_XEN_TIMEOUT:-400}" \
		--timings "$dir/timings" --steps "$dir/steps" --fatal "$XEN_FATAL" -- "${QEMU_CMD[@]}" || XEN_RC=$?
}

# Xen's vpmu= option for the next boot (on or off); guests are told with
# xst.vpmu=. Under QEMU TCG the CPU has no PMU, so Xen disables its vPMU
# either way; the tests check that guests fall back cleanly in both.
XEN_VPMU=${XEN_VPMU:-off}

# XS_XEN_ACCEL=kvm runs the test bed under KVM with the host CPU and its
# PMU (a machine whose KVM can run Xen and expose a PMU; not this project's
# test machines). Guests are then told xst.hwpmu=1 and the host's count of
# perf_hot's user instructions (xst.instr=), which perf in them must match.
XS_XEN_ACCEL=${XS_XEN_ACCEL:-tcg}
pmu_claims() {
	local n
	[ "$XS_XEN_ACCEL" = kvm ] || return 0
	n=$(perf stat -x, -e instructions:u -- "$OUT/kselftest/xen/perf_hot" -n 50 2>&1 >/dev/null |
		awk -F, '$3 ~ /^instructions/ { printf "%d", $1 }')
	echo "xst.hwpmu=1 xst.instr=${n:-0}"
}

# The Xen command line for a dom0 of the given type (pv or pvh).
# Xen's FPU switching stays lazy (its default here): spec-ctrl=eager-fpu
# also stopped the SSE corruption (see qemu_xen), but HVM vCPUs then
# triple-faulted far more often (a 4-vCPU PVH dom0 in 2 boots of 2).
xen_cmdline() {
	local extra=""
	[ "$1" = pvh ] && extra="dom0=pvh"
	echo "console=com1 com1=115200,8n1 loglvl=warning guest_loglvl=warning noreboot" \
		"dom0_mem=${XEN_DOM0_MEM}M,max:${XEN_DOM0_MEM}M dom0_max_vcpus=$XEN_DOM0_CPUS" \
		"vpmu=$XEN_VPMU $extra"
}

# perf_tree ROOT: Debian's perf and its libraries (the launcher then says
# xst.perf=1, so perf_sampling.sh fails rather than skips without it).
perf_tree() {
	copy_with_libs "$1" /usr/bin/perf
}

XEN_DOMU_CPUS=2
XEN_DOMU_MEM=256

# domu_tree TREE NAME TYPE CMDLINE [CFG_LINES [GUEST_TREE]]: add to a dom0
# tree the series vmlinux, a test initramfs for the guest (with GUEST_TREE)
# and /etc/xen/NAME.cfg for the stock xl. CMDLINE gets the guest's nonce and
# initrd size appended. The kernel is DOMU_KBUILD's, /xst/domu/vmlinux, or
# with GUEST_KBUILD=DIR set that build's, /xst/domu/vmlinux-$(basename DIR).
domu_tree() {
	local tree=$1 name=$2 type=$3 cmdline=$4 cfg=${5:-} nonce
	local kb=${GUEST_KBUILD:-$DOMU_KBUILD} kernel=/xst/domu/vmlinux
	[ "$kb" = "$DOMU_KBUILD" ] || kernel=/xst/domu/vmlinux-${kb##*/}
	nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	mkdir -p "$tree/xst/domu" "$tree/etc/xen"
	# XS_TSC_NATIVE=1: the guests read the TSC untrapped, as on a server
	# whose TSC is invariant (TCG offers none, so Xen traps every RDTSC of
	# a domU by default). Off by default; measured in the README.
	[ "${XS_TSC_NATIVE:-0}" = 1 ] && cfg="tsc_mode = \"native\"
$cfg"
	cp "$kb/vmlinux" "$tree$kernel"
	XS_KBUILD=$kb "$HARNESS/lib/mkinitramfs" "$tree/xst/domu/$name.cpio" "$nonce" ${6:+"$6"}
	cat >"$tree/etc/xen/$name.cfg" <<CFG
name = "$name"
type = "$type"
kernel = "$kernel"
ramdisk = "/xst/domu/$name.cpio"
extra = "$(echo $cmdline) xst.vpmu=$XEN_VPMU $(pmu_claims) xst.initrd_size=$(stat -c %s "$tree/xst/domu/$name.cpio") xst.nonce=$nonce $(xst_only) $(xst_modules domu "$kb")"
memory = $XEN_DOMU_MEM
vcpus = $XEN_DOMU_CPUS
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
$cfg
CFG
}

# ndctl_tree ROOT: Debian's ndctl and its libraries, for dom0 and guests.
ndctl_tree() {
	copy_with_libs "$1" /usr/bin/ndctl
}

# domu_log DIR NAME: the guest's console, from the "@NAME| " lines dom0 printed.
domu_log() {
	sed -n "s/^@$2| //p" "$1/console.log" >"$1/$2.console.log"
	echo "$1/$2.console.log"
}
