# Dom0 part of the test init, sourced by /init when xst.role=dom0: start the
# stock Xen toolstack, and run domUs with their consoles captured.
# shellcheck shell=sh

export PATH=$PATH:/usr/lib/xen-4.17/bin

dom0_start() {
	[ -e /proc/xen/privcmd ] || return 1
	mkdir -p /dev/pts /run/xen /run/xenstored /var/lib/xen /var/log/xen
	mount -t devpts devpts /dev/pts || return 1
	oxenstored --no-fork >/var/log/xen/xenstored.log 2>&1 &
	i=0
	while [ ! -S /run/xenstored/socket ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "xenstored did not start"; return 1; }
		sleep 0.1
	done
	# Without it xl fails with "Illegal pool specified".
	xen-init-dom0 >/var/log/xen/init-dom0.log 2>&1 || { cat /var/log/xen/init-dom0.log; return 1; }
	xenconsoled -i --log=guest --log-dir=/var/log/xen >/var/log/xen/xenconsoled.log 2>&1 &
	echo "XST-TOOLSTACK up"
}

# run_domu NAME TIMEOUT: create /etc/xen/NAME.cfg, wait for the guest to
# power off (destroy it at TIMEOUT seconds), print its console as "@NAME| ".
run_domu() {
	name=$1 limit=$2
	echo "XST-DOMU $name: xl create"
	# xl create leaves a child holding stdout: never pipe it.
	if ! xl create "/etc/xen/$name.cfg" >"/var/log/xen/create-$name.log" 2>&1; then
		echo "XST-FAIL: xl create $name failed"
		sed "s/^/    /" "/var/log/xen/create-$name.log"
		return 1
	fi
	t=0
	while xl domid "$name" >/dev/null 2>&1; do
		sleep 1
		t=$((t + 1))
		if [ $t -ge "$limit" ]; then
			echo "XST-FAIL: domU $name still running after $limit s"
			# Where its vCPUs are, when the mode packed xenctx.
			[ -x /usr/lib/xen-4.17/bin/xenctx ] &&
				/usr/lib/xen-4.17/bin/xenctx -a -C "$(xl domid "$name")" 2>&1 |
				sed 's/^/XST-XENCTX /'
			xl destroy "$name"
			break
		fi
	done
	echo "XST-DOMU $name: gone after $t s"
	sleep 0.5
	sed "s/^/@$name| /" "/var/log/xen/guest-$name.log"
}
