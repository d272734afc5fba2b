# shellcheck shell=bash
#
# tests/lib/vm.sh - boot a Debian kernel under QEMU (TCG) with a small
# busybox + alsa-utils initramfs, run a shell scenario in the guest and bring
# its output files back over the serial console.
#
# Source it from bash (the callers use `set -eu`).  Entry points:
#
#   vm_host_deps [PKG...]  install the host packages the harness needs
#   vm_kver                the Debian kernel release whose headers are installed
#   vm_kernel KVER         download + unpack linux-image-KVER into the cache
#   vm_base KVER           build (or reuse) the base initramfs, print its path
#   vm_run [OPTIONS]       boot a VM and run one scenario (see vm_run below)
#   vm_kver_i386           the release of Debian's 686 kernel (linux-image-686)
#   vm_build_i386 SRC KVER OUT
#                          build the module in SRC against the i386 headers
#                          of KVER, in a cached i386 chroot
#
# 32-bit guests (vm_run --arch i386; kernel releases ending in -686 or
# -686-pae) are made of Debian's i386 packages instead of the host's
# programs: a private apt state under $CACHE/i386 reads the host's sources
# for Architecture i386 and never touches the host's dpkg.
#
# The debug kernel (tests/lib/debug-kernel.sh: KASAN, lockdep, kmemleak,
# UBSAN, DEBUG_OBJECTS, failslab/fail_page_alloc, built once from
# linux-source-6.1 into $CACHE/debug) boots with `vm_run --kver debug` or
# KVER=debug (or its release, VERSION-omnibus-debug, which vm_debug_kver
# prints); tests/run.sh uses it with OMNIBUS_KERNEL=debug.  On it every
# vm_run unloads the snd-omnibus modules after the scenario, makes kmemleak scan
# (DIR/kmemleak.txt) and scans the kernel log: the report lines go to
# DIR/reports.txt and $TEST_OUT/kernel-reports.txt, which makes run.sh
# fail the test (VM_REPORTS=1 does the same on any kernel).  Its time
# limits are 3 times longer (VM_DEBUG_SLOWDOWN).
#
# Everything downloaded or built lives under $CACHE, never in the repository.
# Cached items carry the versions of their inputs in their key or stamp, so a
# new kernel upload, a new busybox/alsa-utils or an edited vm.sh rebuilds them.

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/snd-omnibus
VM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=debug-kernel.sh
. "$VM_LIB/debug-kernel.sh"

# Host packages.  qemu-system-common (a dependency of qemu-system-x86) carries
# QEMU's ALSA audio backend, which the capture tests use.
VM_HOST_PKGS="qemu-system-x86 busybox-static alsa-utils python3 kmod cpio
	linux-headers-amd64 gcc make"

# Guest programs copied from the host, with the libraries they need.
VM_GUEST_PROGS="aplay arecord amixer alsactl aplaymidi"

vm_log() { printf 'vm: %s\n' "$*" >&2; }
vm_die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }

# Serialise cache updates between concurrent test processes.
vm__lock()
{
	mkdir -p "$CACHE"
	exec {VM_LOCK_FD}>"$CACHE/.lock"
	flock "$VM_LOCK_FD"
}

vm__unlock()
{
	exec {VM_LOCK_FD}>&-
}

vm__installed()
{
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# vm__missing PKG...: print those of the packages that are not installed
vm__missing()
{
	local p

	for p in "$@"; do
		vm__installed "$p" || printf ' %s' "$p"
	done
}

# vm_host_deps [EXTRA_PKG...]: apt-get install whatever is missing.
vm_host_deps()
{
	local fd missing

	# shellcheck disable=SC2086 # word splitting of the list is wanted
	missing=$(vm__missing $VM_HOST_PKGS "$@")
	[ -z "$missing" ] && return 0

	# scripts run side by side (tests/run.sh): one installs at a time, and
	# apt waits for a dpkg lock that something else holds; what another
	# script installed meanwhile is not asked for again
	mkdir -p "$CACHE"
	exec {fd}>"$CACHE/.apt.lock"
	flock "$fd"
	# shellcheck disable=SC2086
	missing=$(vm__missing $VM_HOST_PKGS "$@")
	if [ -n "$missing" ]; then
		vm_log "installing host packages:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get -o DPkg::Lock::Timeout=600 update -q >&2 ||
			vm_die "apt-get update failed"
		# shellcheck disable=SC2086
		apt-get -o DPkg::Lock::Timeout=600 install -y -q \
			--no-install-recommends $missing >&2 ||
			vm_die "apt-get install$missing failed"
	fi
	exec {fd}>&-
}

# vm_kver: print the release of the kernel that linux-headers-amd64 points at.
vm_kver()
{
	local dep kver

	vm__installed linux-headers-amd64 ||
		vm_die "linux-headers-amd64 is not installed (vm_host_deps installs it)"
	dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64)
	kver=$(printf '%s\n' "$dep" | tr ',|' '\n' |
		sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n 1)
	[ -n "$kver" ] || vm_die "no linux-headers-*-amd64 in '$dep'"
	[ -d "/usr/src/linux-headers-$kver" ] ||
		vm_die "linux-headers-$kver is not installed"
	printf '%s\n' "$kver"
}

# Candidate version of a binary package, empty if apt does not know it.
vm__apt_version()
{
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

# ---- i386 guests: a private apt state for 32-bit packages ----------------

VM_I386=$CACHE/i386
# what a 32-bit guest runs; apt adds their dependencies
VM_I386_PKGS="busybox-static alsa-utils kmod libasound2-data"

# vm__kver_arch KVER: i386 for Debian's 32-bit kernel flavours, else x86_64.
vm__kver_arch()
{
	case $1 in
	*-686 | *-686-pae) echo i386 ;;
	*) echo x86_64 ;;
	esac
}

# vm__apt_i386 apt-get|apt-cache ARG...: the tool on the i386 apt state.
vm__apt_i386()
{
	local tool=$1
	shift
	"$tool" -q -o APT::Architecture=i386 -o APT::Architectures=i386 \
		-o Dir::State="$VM_I386/apt/state" \
		-o Dir::State::Lists="$VM_I386/apt/lists" \
		-o Dir::State::status="$VM_I386/apt/status" \
		-o Dir::Cache="$VM_I386/apt/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}

# Candidate version of an i386 package, empty if unknown.
vm__i386_version()
{
	vm__apt_i386 apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

# vm__i386_ready [PKG]: make sure the i386 lists exist and know PKG
# (default linux-image-686); apt-get update them when they do not.
vm__i386_ready()
{
	local pkg=${1:-linux-image-686}

	[ -n "$(vm__i386_version "$pkg")" ] && return 0
	vm__lock
	if [ -z "$(vm__i386_version "$pkg")" ]; then
		mkdir -p "$VM_I386/apt/lists/partial" "$VM_I386/apt/state" \
			"$VM_I386/apt/cache/archives/partial"
		touch "$VM_I386/apt/status"
		vm_log "updating the i386 package lists"
		# an index that fails (a mirror mid-sync) leaves the others usable
		vm__apt_i386 apt-get update >&2 || true
	fi
	vm__unlock
	[ -n "$(vm__i386_version "$pkg")" ] ||
		vm_die "the i386 package lists do not know $pkg (apt-get update failed?)"
}

# vm_kver_i386: print the release of the kernel linux-image-686 points at.
vm_kver_i386()
{
	local dep kver

	vm__i386_ready linux-image-686
	dep=$(vm__apt_i386 apt-cache show --no-all-versions linux-image-686 |
		sed -n 's/^Depends: //p' | head -n 1)
	kver=$(printf '%s\n' "$dep" | tr ',|' '\n' |
		sed -n 's/^ *linux-image-\([^ ]*-686\)\( .*\)\{0,1\}$/\1/p' | head -n 1)
	[ -n "$kver" ] || vm_die "no linux-image-*-686 in '$dep'"
	printf '%s\n' "$kver"
}

# "PACKAGE VERSION" of every package of the i386 guest, dependencies included.
vm__i386_closure()
{
	# shellcheck disable=SC2086 # word splitting of the list is wanted
	vm__apt_i386 apt-get install -s --no-install-recommends $VM_I386_PKGS |
		sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p'
}

# vm__i386_deb DIR PACKAGE VERSION: the path of its .deb in DIR (any
# architecture), or nothing.
vm__i386_deb()
{
	local f

	for f in "$1/${2}_${3//:/%3a}_"*.deb; do
		if [ -f "$f" ]; then
			printf '%s\n' "$f"
			return 0
		fi
	done
}

# vm__i386_resolve ROOT PATH: ROOT/PATH with every symlink followed inside
# ROOT (absolute ones too).
vm__i386_resolve()
{
	local root=$1 path=$2 target n=0

	while [ -L "$root$path" ] && [ $n -lt 20 ]; do
		target=$(readlink "$root$path")
		case $target in
		/*) path=$target ;;
		*) path=$(dirname "$path")/$target ;;
		esac
		n=$((n + 1))
	done
	printf '%s\n' "$root$path"
}

# vm__i386_copy_elf ROOT STAGE PATH [DEST]: copy ROOT/PATH to STAGE/DEST
# (default PATH) with its program interpreter and every library it needs,
# found in ROOT's library directories, recursively.
vm__i386_copy_elf()
{
	local root=$1 st=$2 path=$3 dest=${4:-$3} f lib dir found interp

	[ -e "$st$dest" ] && return 0
	f=$(vm__i386_resolve "$root" "$path")
	[ -f "$f" ] || vm_die "$path is not in the i386 packages"
	install -D -m 755 "$f" "$st$dest"
	interp=$(readelf -lW "$f" 2>/dev/null |
		sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
	[ -z "$interp" ] || vm__i386_copy_elf "$root" "$st" "$interp"
	for lib in $(readelf -dW "$f" 2>/dev/null |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		found=""
		for dir in /lib/i386-linux-gnu /usr/lib/i386-linux-gnu /lib /usr/lib; do
			if [ -e "$root$dir/$lib" ]; then
				found=$dir/$lib
				break
			fi
		done
		[ -n "$found" ] || vm_die "$path needs $lib, which no i386 package gave"
		vm__i386_copy_elf "$root" "$st" "$found"
	done
}

# vm__i386_stage_progs STAGE: busybox, the ALSA programs, kmod and their
# libraries, and alsa-lib's configuration, from the i386 packages.
vm__i386_stage_progs()
{
	local st=$1 root=$1.sysroot pkg ver deb f dir prog

	vm__i386_ready busybox-static
	# shellcheck disable=SC2086 # word splitting of the list is wanted
	(cd "$VM_I386/apt/cache/archives" &&
	 vm__apt_i386 apt-get install -y -d --no-install-recommends \
		$VM_I386_PKGS) >&2 || vm_die "downloading the i386 packages failed"
	rm -rf "$root"
	mkdir -p "$root"
	vm__i386_closure >"$root.list"
	while read -r pkg ver; do
		deb=$(vm__i386_deb "$VM_I386/apt/cache/archives" "$pkg" "$ver")
		[ -n "$deb" ] || vm_die "no downloaded .deb for $pkg $ver (i386)"
		dpkg-deb -x "$deb" "$root" || vm_die "dpkg-deb -x $deb failed"
	done <"$root.list"
	rm -f "$root.list"

	install -m 755 "$root/bin/busybox" "$st/bin/busybox"
	for f in $("$root/bin/busybox" --list-full); do
		mkdir -p "$st/$(dirname "$f")"
		[ -e "$st/$f" ] || ln -s /bin/busybox "$st/$f"
	done
	for prog in $VM_GUEST_PROGS kmod; do
		f=""
		for dir in /usr/bin /bin /usr/sbin /sbin; do
			if [ -e "$root$dir/$prog" ]; then
				f=$dir/$prog
				break
			fi
		done
		[ -n "$f" ] || vm_die "$prog is not in the i386 packages"
		# where the (usr-merged) host has its own: /usr/bin
		rm -f "$st/usr/bin/$prog"
		vm__i386_copy_elf "$root" "$st" "$f" "/usr/bin/$prog"
	done
	for f in modprobe insmod rmmod lsmod modinfo depmod; do
		rm -f "$st/sbin/$f" "$st/bin/$f" "$st/usr/sbin/$f" "$st/usr/bin/$f"
		ln -s /usr/bin/kmod "$st/sbin/$f"
	done
	mkdir -p "$st/usr/share"
	cp -a "$root/usr/share/alsa" "$st/usr/share/"
	[ -f "$st/usr/share/alsa/alsa.conf" ] || vm_die "alsa.conf was not staged"
	rm -rf "$root"
}

# vm__host_mirror: the URI the host's apt reads its release's main from.
vm__host_mirror()
{
	local suite

	suite=$(. /etc/os-release && printf '%s\n' "$VERSION_CODENAME")
	apt-cache policy 2>/dev/null |
		sed -n "s|^ *[0-9-]* \(http[^ ]*\) $suite/main amd64 Packages\$|\1|p" |
		head -n 1
}

# vm__i386_header_pkgs KVER: linux-headers-KVER and the -common and kbuild
# packages it depends on.
vm__i386_header_pkgs()
{
	printf 'linux-headers-%s\n' "$1"
	vm__apt_i386 apt-cache show --no-all-versions "linux-headers-$1" |
		sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
		sed -n 's/^ *\(linux-headers-[^ ]*-common\|linux-kbuild-[^ ]*\).*/\1/p'
}

# vm_chroot_i386 KVER: print the path of an i386 chroot of the host's
# release with gcc, make and the headers of KVER, taken from the same i386
# apt state as the kernel itself (so both have the same ABI).  Cached as
# $CACHE/i386/chroot-KVER.
vm_chroot_i386()
{
	local kver=${1:?usage: vm_chroot_i386 KVER} root stamp="" p v f debs=""
	local mirror suite

	# arch-test, only recommended by mmdebstrap, is what lets it make a
	# chroot of another architecture ("install arch-test for foreign
	# architecture support")
	vm_host_deps mmdebstrap arch-test
	vm__i386_ready "linux-headers-$kver"
	root=$VM_I386/chroot-$kver
	for p in $(vm__i386_header_pkgs "$kver"); do
		stamp="$stamp$p $(vm__i386_version "$p");"
	done
	stamp="$stamp $(sed -n '/^vm_chroot_i386()/,/^}/p' "$VM_LIB/vm.sh" | sha256sum | cut -c1-16)"
	if [ "$(cat "$root/.stamp" 2>/dev/null)" = "$stamp" ]; then
		printf '%s\n' "$root"
		return 0
	fi

	vm__lock
	if [ "$(cat "$root/.stamp" 2>/dev/null)" != "$stamp" ]; then
		mkdir -p "$VM_I386/debs"
		for p in $(vm__i386_header_pkgs "$kver"); do
			v=$(vm__i386_version "$p")
			f=$(vm__i386_deb "$VM_I386/debs" "$p" "$v")
			if [ -z "$f" ]; then
				(cd "$VM_I386/debs" &&
				 vm__apt_i386 apt-get download "$p=$v") >&2 ||
					vm_die "apt-get download $p (i386) failed"
				f=$(vm__i386_deb "$VM_I386/debs" "$p" "$v")
			fi
			[ -n "$f" ] || vm_die "no .deb for $p $v (i386)"
			debs="$debs,$f"
		done
		mirror=$(vm__host_mirror)
		[ -n "$mirror" ] || vm_die "cannot tell the host's Debian mirror (apt-cache policy)"
		suite=$(. /etc/os-release && printf '%s\n' "$VERSION_CODENAME")
		vm_log "building the i386 chroot for $kver ($suite from $mirror)"
		rm -rf "$root.tmp"
		# apt hands dpkg, which runs inside the chroot, the local .debs
		# by their host paths: put copies there for the install (else
		# "dpkg: error: cannot stat pathname"), and take them out after
		mmdebstrap --arch=i386 --variant=apt --quiet \
			--setup-hook="mkdir -p \"\$1$VM_I386/debs\"" \
			--setup-hook="copy-in ${debs//,/ } $VM_I386/debs" \
			--customize-hook="rm -rf \"\$1$VM_I386\"" \
			--include="gcc,make,libc6-dev,kmod,bc$debs" \
			"$suite" "$root.tmp" "deb $mirror $suite main" >&2 ||
			vm_die "mmdebstrap of the i386 chroot failed"
		[ -d "$root.tmp/usr/src/linux-headers-$kver" ] ||
			vm_die "the i386 chroot has no linux-headers-$kver"
		printf '%s\n' "$stamp" >"$root.tmp/.stamp"
		rm -rf "$root"
		mv "$root.tmp" "$root"
	fi
	vm__unlock
	printf '%s\n' "$root"
}

# vm_build_i386 SRC KVER OUT: build the module whose Kbuild and sources are
# in SRC against the i386 headers of KVER (W=1, in the chroot of
# vm_chroot_i386); make's output goes to OUT/build.log, the .ko files to
# OUT.  Returns make's status.
vm_build_i386()
{
	local src=${1:?usage: vm_build_i386 SRC KVER OUT} kver=${2:?} out=${3:?}
	local root rc=0

	root=$(vm_chroot_i386 "$kver") || exit 1
	mkdir -p "$out"
	vm__lock
	rm -rf "$root/build"
	mkdir -p "$root/build"
	cp "$src"/*.[ch] "$src"/Kbuild "$root/build/"
	rm -f "$root"/build/*.mod.c
	# /proc for the kernel's build tools, in a mount namespace of its own;
	# an i686 personality, as on a 32-bit PC
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- sh -c '
		mount -t proc proc "$1/proc" &&
		setarch i686 chroot "$1" make -C "/usr/src/linux-headers-$2" \
			M=/build W=1 modules' sh "$root" "$kver" \
		>"$out/build.log" 2>&1 || rc=$?
	cp "$root"/build/*.ko "$out/" 2>/dev/null || true
	vm__unlock
	return "$rc"
}

# vm__find_image KVER: set VM_PKG/VM_PKG_VER to the linux-image package.
vm__find_image()
{
	local p v

	VM_PKG="" VM_PKG_VER=""
	for p in "linux-image-$1" "linux-image-$1-unsigned"; do
		if [ "$(vm__kver_arch "$1")" = i386 ]; then
			v=$(vm__i386_version "$p")
		else
			v=$(vm__apt_version "$p")
		fi
		if [ -n "$v" ]; then
			VM_PKG=$p VM_PKG_VER=$v
			return 0
		fi
	done
	return 1
}

# Unpack compressed modules (.ko.xz/.ko.zst/.ko.gz, used by newer Debian
# kernels): busybox modprobe in the guest only loads plain .ko files.
vm__decompress_modules()
{
	local dir=$1 f

	find "$dir" \( -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) |
	while read -r f; do
		case $f in
		*.xz) xz -dc "$f" >"${f%.xz}" ;;
		*.zst) zstd -qdc "$f" >"${f%.zst}" ;;
		*.gz) gzip -dc "$f" >"${f%.gz}" ;;
		esac && rm -f "$f"
	done
	f=$(find "$dir" \( -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) \
		-print -quit)
	[ -z "$f" ] || vm_die "cannot decompress $f (xz-utils and zstd installed?)"
}

# vm_kernel KVER: make $CACHE/kernel/KVER hold boot/vmlinuz-KVER and
# lib/modules/KVER (with modules.dep) from the Debian linux-image package.
vm_kernel()
{
	local kver=${1:?usage: vm_kernel KVER} dir deb tmp stamp

	dir=$CACHE/kernel/$kver
	if vm__is_debug_kver "$kver"; then
		[ "$(vm_debug_kver)" = "$kver" ] ||
			vm_die "$kver is not the release of the debug kernel ($(vm_debug_kver))"
		return 0
	fi
	[ "$(vm__kver_arch "$kver")" = x86_64 ] || vm__i386_ready
	if ! vm__find_image "$kver"; then
		if [ -f "$dir/.stamp" ]; then
			# Offline with a warm cache: use what we have.
			return 0
		fi
		vm_log "apt does not know linux-image-$kver, running apt-get update"
		apt-get update -q >&2 || vm_die "apt-get update failed"
		vm__find_image "$kver" ||
			vm_die "no package linux-image-$kver or linux-image-$kver-unsigned"
	fi
	stamp="$VM_PKG $VM_PKG_VER"
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi

	vm__lock
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
		mkdir -p "$CACHE/debs"
		deb=$CACHE/debs/${VM_PKG}_${VM_PKG_VER//:/%3a}_$(dpkg --print-architecture).deb
		if [ "$(vm__kver_arch "$kver")" = i386 ]; then
			deb=$CACHE/debs/${VM_PKG}_${VM_PKG_VER//:/%3a}_i386.deb
			if [ ! -f "$deb" ]; then
				vm_log "downloading $VM_PKG $VM_PKG_VER (i386)"
				(cd "$CACHE/debs" &&
				 vm__apt_i386 apt-get download "$VM_PKG=$VM_PKG_VER") >&2 ||
					vm_die "apt-get download $VM_PKG (i386) failed"
			fi
		fi
		if [ ! -f "$deb" ]; then
			vm_log "downloading $VM_PKG $VM_PKG_VER"
			(cd "$CACHE/debs" &&
			 apt-get download -q -o APT::Sandbox::User=root \
				"$VM_PKG=$VM_PKG_VER") >&2 ||
				vm_die "apt-get download $VM_PKG failed"
			[ -f "$deb" ] || vm_die "apt-get download did not write $deb"
		fi
		vm_log "unpacking $(basename "$deb")"
		tmp=$dir.tmp
		rm -rf "$tmp"
		mkdir -p "$tmp"
		dpkg-deb -x "$deb" "$tmp" || vm_die "dpkg-deb -x $deb failed"
		[ -f "$tmp/boot/vmlinuz-$kver" ] || vm_die "$deb has no boot/vmlinuz-$kver"
		vm__decompress_modules "$tmp/lib/modules/$kver"
		depmod -b "$tmp" "$kver" || vm_die "depmod for $kver failed"
		printf '%s\n' "$stamp" >"$tmp/.stamp"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	vm__unlock
}

# Key of the base initramfs: every input that goes into it.
vm__base_key()
{
	{
		cat "$CACHE/kernel/$1/.stamp"
		if [ "$(vm__kver_arch "$1")" = i386 ]; then
			vm__i386_closure
		else
			dpkg-query -W -f='${Package} ${Version}\n' busybox-static \
				alsa-utils libasound2 libasound2-data libc6
		fi
		cat "$VM_LIB/vm.sh"
	} | sha256sum | cut -c1-16
}

# vm__copy_prog STAGE NAME: copy a host program and its shared libraries
# (including the dynamic loader) to the same paths in the staged tree.
vm__copy_prog()
{
	local st=$1 path lib libs

	path=$(PATH=/usr/bin:/usr/sbin:/bin:/sbin command -v "$2") ||
		vm_die "$2 not found on the host"
	install -D -m 755 "$(readlink -f "$path")" "$st$path"
	libs=$(ldd "$path") || vm_die "ldd $path failed"
	case $libs in
	*"not found"*) vm_die "ldd $path: $libs" ;;
	esac
	for lib in $(printf '%s\n' "$libs" |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$st$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$st$lib"
	done
}

# The guest's /init.  Output of the scenario goes to the serial console.
vm__write_init()
{
	cat >"$1/init" <<'EOF'
#!/bin/sh
# /init of the snd-omnibus test VM: mount the pseudo file systems, run
# /scenario, report its exit status, send /out/* and dmesg to the host over
# the console (see /bin/emit) and power off.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
HOME=/root
export PATH HOME

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
exec </dev/null >/dev/console 2>&1

VM_GUEST_TIMEOUT=0
[ -f /etc/vm.conf ] && . /etc/vm.conf

cd /
# A debug kernel (kmemleak): forget what boot left, so that the scan after
# the scenario reports only its objects.
kml=/sys/kernel/debug/kmemleak
if [ -w "$kml" ]; then
	echo scan >"$kml"
	echo clear >"$kml"
fi
echo "===SCENARIO-START==="
if [ -f /scenario ]; then
	sh /scenario &
	spid=$!
	wpid=
	if [ "$VM_GUEST_TIMEOUT" -gt 0 ]; then
		(
			sleep "$VM_GUEST_TIMEOUT"
			echo "===SCENARIO-TIMEOUT $VM_GUEST_TIMEOUT==="
			kill -9 "$spid"
		) &
		wpid=$!
	fi
	wait "$spid"
	rc=$?
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
else
	echo "init: no /scenario"
	rc=127
fi
echo "===SCENARIO-EXIT $rc==="

if [ -w "$kml" ]; then
	# unload what the scenario left loaded (a leak shows once the module
	# is gone), then two scans: an object unreferenced in both is reported
	for m in $(awk '$1 ~ /^snd_omnibus_/ { print $1 }' /proc/modules); do
		/sbin/rmmod "$m"
	done
	echo scan >"$kml"
	echo scan >"$kml"
	cat "$kml" >/tmp/kmemleak.txt
	emit /tmp/kmemleak.txt kmemleak.txt
fi
for f in /out/*; do
	[ -f "$f" ] && emit "$f"
done
dmesg >/tmp/dmesg.txt
emit /tmp/dmesg.txt dmesg.txt
poweroff -f
EOF
	chmod 755 "$1/init"

	cat >"$1/bin/emit" <<'EOF'
#!/bin/sh
# emit FILE [NAME]: send FILE to the host as base64 between marker lines on
# the console; tests/lib/extract.py decodes it into OUTDIR/NAME and checks
# the size and md5 given on the ===SUM line.
f=${1:?usage: emit FILE [NAME]}
n=${2:-$(basename "$f")}
if [ ! -f "$f" ]; then
	echo "emit: $f: no such file" >&2
	exit 1
fi
size=$(wc -c <"$f")
sum=$(md5sum <"$f")
{
	echo "===FILE $n==="
	base64 "$f"
	echo "===END $n==="
	echo "===SUM $n $size ${sum%% *}==="
} >/dev/console
EOF
	chmod 755 "$1/bin/emit"
}

# vm__stage KVER DIR: fill DIR with the base guest tree.
vm__stage()
{
	local kver=$1 st=$2 src dst f prog

	mkdir -p "$st"/bin "$st"/sbin "$st"/usr/bin "$st"/usr/sbin "$st"/etc \
		"$st"/proc "$st"/sys "$st"/dev "$st"/tmp "$st"/run "$st"/root \
		"$st"/data "$st"/out "$st"/lib/modules

	if [ "$(vm__kver_arch "$kver")" = i386 ]; then
		vm__i386_stage_progs "$st"
	else
	# busybox and its applet links
	install -m 755 /bin/busybox "$st/bin/busybox"
	for f in $(/bin/busybox --list-full); do
		mkdir -p "$st/$(dirname "$f")"
		[ -e "$st/$f" ] || ln -s /bin/busybox "$st/$f"
	done

	# ALSA programs, their libraries and configuration
	for prog in $VM_GUEST_PROGS; do
		vm__copy_prog "$st" "$prog"
	done
	# kmod's module tools, as users have them (busybox's modprobe retries a
	# failed init_module and so logs a driver's refusal twice)
	vm__copy_prog "$st" kmod
	for f in modprobe insmod rmmod lsmod modinfo depmod; do
		rm -f "$st/sbin/$f" "$st/bin/$f" "$st/usr/sbin/$f" "$st/usr/bin/$f"
		ln -s /usr/bin/kmod "$st/sbin/$f"
	done
	dpkg-query -L libasound2-data alsa-utils | grep '^/usr/share/alsa/' |
	while read -r f; do
		if [ -f "$f" ]; then
			install -D -m 644 "$f" "$st$f"
		fi
	done
	[ -f "$st/usr/share/alsa/alsa.conf" ] || vm_die "alsa.conf was not staged"
	fi

	# kernel/sound and every module it depends on
	src=$CACHE/kernel/$kver/lib/modules/$kver
	dst=$st/lib/modules/$kver
	mkdir -p "$dst"
	(cd "$src" && find kernel/sound -name '*.ko') |
	awk -F': *' 'NR == FNR { want[$1] = 1; next }
		($1 in want) {
			print $1
			n = split($2, dep, " ")
			for (i = 1; i <= n; i++)
				print dep[i]
		}' - "$src/modules.dep" | sort -u >"$st.modules"
	[ -s "$st.modules" ] || vm_die "no sound modules in $src"
	(cd "$src" && xargs -d '\n' cp --parents -t "$dst") <"$st.modules" ||
		vm_die "copying modules failed"
	rm -f "$st.modules"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$src/$f" ] && cp "$src/$f" "$dst/"
	done
	depmod -b "$st" "$kver" || vm_die "depmod on the staged tree failed"

	vm__write_init "$st"
}

# vm__cpio DIR FILE: pack DIR as an uncompressed newc archive (uncompressed
# boots faster under TCG than a compressed one that the guest must inflate).
vm__cpio()
{
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$2" || vm_die "cpio of $1 failed"
}

# vm_base KVER: build or reuse the base initramfs of KVER and print its path.
# Sets VM_STAGE to the staged tree it was made from.
vm_base()
{
	local kver=${1:?usage: vm_base KVER} key name f

	vm_kernel "$kver"
	key=$(vm__base_key "$kver")
	name=$kver-$key
	VM_STAGE=$CACHE/stage/$name
	VM_BASE=$CACHE/initrd/$name.cpio
	if [ ! -f "$VM_BASE" ]; then
		vm__lock
		if [ ! -f "$VM_BASE" ]; then
			vm_log "building the base initramfs $name"
			mkdir -p "$CACHE/stage" "$CACHE/initrd"
			rm -rf "$VM_STAGE"
			vm__stage "$kver" "$VM_STAGE"
			vm__cpio "$VM_STAGE" "$VM_BASE.tmp"
			mv "$VM_BASE.tmp" "$VM_BASE"
			# Older builds of the same kernel are stale now, unless
			# another checkout (another vm.sh) used its own in the
			# last day: vm_run touches the one it boots
			for f in "$CACHE/stage/$kver"-* "$CACHE/initrd/$kver"-*; do
				case $f in
				*"$name" | *"$name.cpio") ;;
				*) [ -z "$(find "$f" -maxdepth 0 -mmin -1440)" ] &&
					rm -rf "$f" ;;
				esac
			done
		fi
		vm__unlock
	fi
	printf '%s\n' "$VM_BASE"
}

# vm__add_modules KVER ROOT MODULE...: put out-of-tree modules (files, or
# directories of them) into
# ROOT/lib/modules/KVER/updates, together with any in-kernel module they need
# that the base tree lacks, and regenerate the modules.* indexes.
vm__add_modules()
{
	local kver=$1 root=$2 full dm m f vermagic symvers
	local -a kos=()
	shift 2
	# a directory stands for every module in it
	for m in "$@"; do
		if [ -d "$m" ]; then
			for f in "$m"/*.ko; do
				[ -f "$f" ] || vm_die "no module in $m"
				kos+=("$f")
			done
		else
			kos+=("$m")
		fi
	done

	full=$CACHE/kernel/$kver/lib/modules/$kver
	dm=$root.depmod
	rm -rf "$dm"
	mkdir -p "$dm/full/lib/modules/$kver/updates" \
		"$dm/run/lib/modules/$kver/updates" "$root/lib/modules/$kver/updates"
	for m in "${kos[@]}"; do
		[ -f "$m" ] || vm_die "module $m not found"
		vermagic=$(modinfo -F vermagic "$m" 2>/dev/null) || true
		case $vermagic in
		"$kver "*) ;;
		*) vm_log "warning: $m has vermagic '$vermagic', the guest runs $kver" ;;
		esac
		cp "$m" "$dm/full/lib/modules/$kver/updates/"
		cp "$m" "$dm/run/lib/modules/$kver/updates/"
		cp "$m" "$root/lib/modules/$kver/updates/"
	done

	# 1. dependencies against the whole kernel
	ln -s "$full/kernel" "$dm/full/lib/modules/$kver/kernel"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$full/$f" ] && cp "$full/$f" "$dm/full/lib/modules/$kver/"
	done
	depmod -b "$dm/full" "$kver" || vm_die "depmod (full tree) failed"

	# 2. the guest's tree: the base modules (as symlinks) plus the missing deps
	cp -rs "$VM_STAGE/lib/modules/$kver/kernel" "$dm/run/lib/modules/$kver/kernel"
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -f "$full/$f" ] && cp "$full/$f" "$dm/run/lib/modules/$kver/"
	done
	# modules.dep lines: "updates/x.ko: kernel/a.ko kernel/b.ko"
	# shellcheck disable=SC2013 # one module path per word
	for f in $(awk -F': *' '$1 ~ /^updates\// { print $2 }' \
			"$dm/full/lib/modules/$kver/modules.dep"); do
		case $f in
		kernel/*)
			if [ ! -e "$dm/run/lib/modules/$kver/$f" ]; then
				vm_log "adding $f (needed by an out-of-tree module)"
				install -D -m 644 "$full/$f" "$dm/run/lib/modules/$kver/$f"
				install -D -m 644 "$full/$f" "$root/lib/modules/$kver/$f"
			fi
			;;
		esac
	done
	depmod -b "$dm/run" "$kver" || vm_die "depmod (guest tree) failed"
	cp "$dm/run/lib/modules/$kver"/modules.* "$root/lib/modules/$kver/"

	# Say now which symbols the guest will not resolve, rather than leave it
	# to a failed modprobe.  (Debian's System.map is a stub: use the
	# headers' Module.symvers, which lists the exports of vmlinux and of
	# every module.)
	symvers=/usr/src/linux-headers-$kver/Module.symvers
	[ -f "$symvers" ] || symvers=$full/build/Module.symvers
	[ -f "$symvers" ] ||
		symvers=$VM_I386/chroot-$kver/usr/src/linux-headers-$kver/Module.symvers
	if [ -f "$symvers" ]; then
		depmod -b "$dm/run" -e -E "$symvers" -n "$kver" 2>&1 >/dev/null |
			grep '/updates/' | sed 's/^/vm: /' >&2 || true
	fi
	rm -rf "$dm"
}

# Kernel-log lines that are reports: KASAN, UBSAN, lockdep, DEBUG_OBJECTS,
# kmemleak, warnings, bugs, oopses, hung tasks.  (tests/lib/test.sh's
# DMESG_BAD says the same for check_dmesg_clean.)
# No backslash in it: t-rel-fault hands it to the guest's awk as -v re=,
# and awk's -v turns "\[" into "[" (an unmatched bracket, a bad regex);
# "[[]" is a literal "[" for grep -E and awk alike.
VM_REPORT_RE='WARNING:|BUG:|BUG |Oops|Call Trace|general protection|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|unreferenced object|memory leak detector disabled|ODEBUG:|Kernel panic|RIP:|cut here|INFO: task .* blocked|INFO: rcu|soft lockup|hard LOCKUP|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|list_add corruption|list_del corruption|refcount_t:|double free|use-after-free|stack-protector|stack guard page|segfault at|unable to handle|Unable to handle|scheduling while atomic|sleeping function called|DMA-API:|DMAR: [[]DMA |DMAR: DRHD: handling fault|AMD-Vi: Event logged|IO_PAGE_FAULT'

# Lines that match VM_REPORT_RE but are no report: the debug kernel's boot
# banner of RCU's debugging.
VM_REPORT_BENIGN='rcu: .*RCU callback double-/use-after-free debug is enabled'

# vm_kernel_reports FILE: print the report lines of the kernel log FILE.
# A failure that fault injection forced is no report: its notice
# ("FAULT_INJECTION: forcing a failure", "name ..., interval ...") and the
# allocator's warning ("page allocation failure", "vmalloc error") with
# its stack that directly follows it are left out; with VM_FAULT_INJECTION
# set (a test that injects failures silently, too) every such warning is.
vm_kernel_reports()
{
	[ -f "$1" ] || return 0
	awk -v all="${VM_FAULT_INJECTION:-}" '
		/FAULT_INJECTION: forcing a failure/ { inj = 1; next }
		inj == 1 && /name [a-z_]+, interval/ { next }
		inj == 1 && /CPU: [0-9]+ PID: / { inj = 2; next }
		(inj == 1 || all != "") && /page allocation failure|vmalloc error/ { inj = 2; next }
		inj == 2 { if (/<\/TASK>/) inj = 0; next }
		{ inj = 0; print }' "$1" | grep -E -- "$VM_REPORT_RE" |
		grep -E -v -- "$VM_REPORT_BENIGN" || true
}

# vm__reports DIR: the reports of a run on a debug kernel (kernel log and
# kmemleak) into DIR/reports.txt; shown, and added to
# $TEST_OUT/kernel-reports.txt, which tests/run.sh turns into a FAIL.
vm__reports()
{
	local dir=$1 n

	{
		vm_kernel_reports "$dir/dmesg.txt"
		if [ -f "$dir/kmemleak.txt" ]; then
			grep -E 'unreferenced object|^    \[<' "$dir/kmemleak.txt" || true
		fi
	} >"$dir/reports.txt"
	n=$(grep -c -v '^    \[<' "$dir/reports.txt" || true)
	if [ "$n" -gt 0 ]; then
		echo "  vm: $n kernel-log report line(s) on the debug kernel:"
		head -n 20 "$dir/reports.txt" | sed 's/^/  vm: | /'
		if [ -n "${TEST_OUT:-}" ] && [ -d "$TEST_OUT" ]; then
			sed "s|^|$dir: |" "$dir/reports.txt" >>"$TEST_OUT/kernel-reports.txt"
		fi
	fi
	return 0
}

# vm_run [OPTIONS] [-- QEMU_ARGS...]
#
#   --kver KVER          kernel release to boot (default: $KVER, else vm_kver;
#                        "debug": the debug kernel, see above)
#   --module FILE.ko     out-of-tree module, installed in updates/ (repeatable);
#                        a directory: every *.ko in it
#   --scenario FILE      /bin/sh script run in the guest as /scenario
#                        ("-" reads it from stdin)
#   --file HOST[:NAME]   copy HOST to /data/NAME in the guest (repeatable)
#   --qemu-args "ARGS"   extra QEMU arguments, split on blanks (repeatable);
#                        arguments after "--" are passed without splitting
#   --env NAME=VALUE     environment of the QEMU process, e.g. HOME=DIR for
#                        an ~/.asoundrc read by -audiodev alsa (repeatable)
#   --cmdline "ARGS"     appended to the kernel command line
#   --out DIR            output directory (default: a new temporary one)
#   --timeout SECONDS    wall-clock limit of QEMU (default 120; on the debug
#                        kernel 3 times as much plus 60 s, see below)
#   --guest-timeout S    the guest kills the scenario after S seconds and
#                        still reports dmesg (default: timeout - 20, or 0 =
#                        off when the timeout is 40 s or less)
#   --mem MB             guest memory (default 512)
#   --arch ARCH          x86_64 (default) or i386: qemu-system-i386 with a
#                        32-bit kernel (default vm_kver_i386; $KVER is
#                        ignored, --kver is not) and i386 programs
#   --machine TYPE       QEMU's machine (default pc, the i440FX; q35 is
#                        the PCIe one, with -device intel-iommu beside it
#                        for an IOMMU)
#   --monitor            let the guest drive QEMU's monitor while it runs
#                        (hot-unplug, wakeup from suspend): QEMU gets a QMP
#                        socket, and tests/lib/monitor.py runs on the host
#                        every command the guest prints as a console line
#                        "===MONITOR <human monitor command>===" (the
#                        guest's "/bin/monitor device_del snd0" does that;
#                        "/bin/monitor +5 system_wakeup" 5 s later);
#                        commands, replies and QMP events (DEVICE_DELETED,
#                        SUSPEND, WAKEUP...) are logged to DIR/monitor.log.
#                        Give the devices ids (-device ES1370,id=snd0).
#   --ioapic             on the debug kernel, keep the I/O APIC (no
#                        "noapic", see below): an interrupt on the 8259s
#                        cannot wake the machine from s2idle (their irq_chip
#                        has no wake support).  ISA IRQs then come from
#                        SeaBIOS's MP table, which leaves out 5, 9, 10, 11.
#
# Writes into DIR:
#   serial.log   raw serial console (CR LF line ends)
#   console.txt  the console without the emitted file bodies
#   qemu.log     QEMU's own stderr
#   exit         exit status of the scenario, or "none" (hang, panic, crash)
#   dmesg.txt    the guest's kernel log at the end of the scenario
#   monitor.log  with --monitor: see above
#   kmemleak.txt, reports.txt  (debug kernel) kmemleak's findings after the
#                scenario and the report lines of the kernel log
#   NAME         every file the guest emitted (/bin/emit FILE NAME, /out/*)
# Sets VM_OUT=DIR.  Prints the console and QEMU's messages on stdout,
# indented.  Returns 0 when the scenario ran to its end (whatever its exit
# status) and every emitted file arrived intact, 1 otherwise.
vm_run()
{
	local kver=${KVER:-} out="" timeout=120 gtimeout="" mem=512
	local arch=x86_64 scenario="" cmdline="" opt spec name kdir work rc=0 f
	local machine=pc
	local qemu_rc=0 qemu kver_given="" monitor="" mon_pid="" mon_dir="" attempt
	local noapic=" noapic"
	local qemu_pid waited boot_limit hung
	local -a mods=() files=() qargs=() envs=() words=() mon_args=()

	while [ $# -gt 0 ]; do
		opt=$1
		if [ "$opt" = "--" ]; then
			shift
			qargs+=("$@")
			break
		fi
		if [ "$opt" = "--monitor" ]; then
			monitor=1
			shift
			continue
		fi
		if [ "$opt" = "--ioapic" ]; then
			noapic=""
			shift
			continue
		fi
		[ $# -ge 2 ] || vm_die "vm_run: $opt needs an argument"
		case $opt in
		--kver) kver=$2 kver_given=1 ;;
		--module) mods+=("$2") ;;
		--scenario) scenario=$2 ;;
		--file) files+=("$2") ;;
		--qemu-args)
			read -r -a words <<<"$2"
			qargs+=("${words[@]}")
			;;
		--env) envs+=("$2") ;;
		--cmdline) cmdline="$cmdline $2" ;;
		--out) out=$2 ;;
		--timeout) timeout=$2 ;;
		--guest-timeout) gtimeout=$2 ;;
		--mem) mem=$2 ;;
		--arch) arch=$2 ;;
		--machine) machine=$2 ;;
		*) vm_die "vm_run: unknown option $opt" ;;
		esac
		shift 2
	done
	case $arch in
	x86_64) qemu="qemu-system-x86_64" ;;
	i386)
		qemu="qemu-system-i386"
		# $KVER names the host's kernel; only --kver picks a 32-bit one
		[ -n "$kver_given" ] || kver=$(vm_kver_i386) || exit 1
		;;
	*) vm_die "vm_run: --arch $arch is not implemented (x86_64, i386)" ;;
	esac
	[ -n "$kver" ] || kver=$(vm_kver) || exit 1
	[ "$kver" != debug ] || kver=$(vm_debug_kver) || exit 1
	[ "$(vm__kver_arch "$kver")" = "$arch" ] ||
		vm_die "vm_run: $kver is not an $arch kernel (--arch)"
	case $timeout$gtimeout$mem in
	*[!0-9]*) vm_die "vm_run: --timeout, --guest-timeout and --mem take integers" ;;
	esac
	# The debug kernel runs several times slower under TCG (KASAN,
	# lockdep) and needs time after the scenario (rmmod, kmemleak scans):
	# every limit times VM_DEBUG_SLOWDOWN (default 3), and a minute more
	# for the end.
	#
	# acpi=noirq noapic: QEMU's i440fx _PRT method builds its table in a
	# 128-step AML loop, which with kmemleak and KASAN under TCG runs past
	# ACPICA's 30 s loop limit ("can't derive routing for PCI INT A" after
	# half a minute in every pci_enable_device).  Without ACPI's routing
	# the PIRQ router gives the PCI cards their interrupts, and ACPI still
	# scans the bus, hot-plugs and suspends; noapic keeps every interrupt
	# on the 8259s, because SeaBIOS's MP table, which the I/O APIC would
	# then follow, has no entry for ISA IRQ 5 (the SB16's).
	if vm__is_debug_kver "$kver"; then
		cmdline="$cmdline acpi=noirq$noapic"
		timeout=$((timeout * ${VM_DEBUG_SLOWDOWN:-3} + 60))
		[ -z "$gtimeout" ] || gtimeout=$((gtimeout * ${VM_DEBUG_SLOWDOWN:-3}))
		[ -n "$gtimeout" ] || gtimeout=$((timeout - 80))
	fi
	if [ -z "$gtimeout" ]; then
		gtimeout=0
		[ "$timeout" -gt 40 ] && gtimeout=$((timeout - 20))
	fi
	if [ -z "$out" ]; then
		out=$(mktemp -d "${TMPDIR:-/tmp}/vm.XXXXXX")
	fi
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	# shellcheck disable=SC2034 # for the caller
	VM_OUT=$out

	vm_base "$kver" >/dev/null
	kdir=$CACHE/kernel/$kver

	# The per-run archive, appended to the base one.
	work=$out/.vm
	rm -rf "$work"
	mkdir -p "$work/root/data" "$work/root/etc"
	printf 'VM_GUEST_TIMEOUT=%s\n' "$gtimeout" >"$work/root/etc/vm.conf"
	if [ -n "$scenario" ]; then
		[ "$scenario" = "-" ] || [ -f "$scenario" ] || vm_die "no scenario $scenario"
		# busybox-static runs its own applets whatever PATH says: make
		# the module tools kmod's, as on the users' systems
		{
			for f in modprobe insmod rmmod lsmod modinfo; do
				printf '%s() { /sbin/%s "$@"; }\n' "$f" "$f"
			done
			if [ "$scenario" = "-" ]; then cat; else cat "$scenario"; fi
		} >"$work/root/scenario"
	fi
	for spec in ${files[@]+"${files[@]}"}; do
		case $spec in
		*:*) name=${spec##*:} spec=${spec%:*} ;;
		*) name=$(basename "$spec") ;;
		esac
		cp "$spec" "$work/root/data/$name" || vm_die "cannot copy $spec"
	done
	if [ ${#mods[@]} -gt 0 ]; then
		vm__add_modules "$kver" "$work/root" "${mods[@]}"
	fi
	if [ -n "$monitor" ]; then
		mkdir -p "$work/root/bin"
		cat >"$work/root/bin/monitor" <<'MONITOR'
#!/bin/sh
# monitor [+SECONDS] COMMAND...: have the host run a QEMU human monitor
# command (vm_run --monitor; tests/lib/monitor.py), SECONDS later if
# given.  Returns at once: wait for the command's effect in the guest.
echo "===MONITOR $*===" >/dev/console
MONITOR
		chmod 755 "$work/root/bin/monitor"
	fi
	vm__cpio "$work/root" "$work/run.cpio"
	# Under the cache lock: vm_base of another checkout may have removed
	# it meanwhile (then build it again).  Touched: in use.
	for f in 1 2 3; do
		vm__lock
		if [ -s "$VM_BASE" ]; then
			touch -c "$VM_BASE" "$VM_STAGE"
			cat "$VM_BASE" "$work/run.cpio" >"$work/initrd.cpio" ||
				vm_die "cannot read the base initramfs $VM_BASE"
			vm__unlock
			break
		fi
		vm__unlock
		[ "$f" = 3 ] && vm_die "the base initramfs $VM_BASE keeps disappearing"
		vm_log "the base initramfs $VM_BASE was removed meanwhile, building it again"
		vm_base "$kver" >/dev/null
	done

	# Results of an earlier run into the same directory must not survive.
	if [ -f "$out/.emitted" ]; then
		while read -r name; do
			rm -f "${out:?}/$name"
		done <"$out/.emitted"
	fi
	# A guest that does not reach its scenario ("===SCENARIO-START===")
	# within VM_BOOT_TIMEOUT seconds (default 90, or the time limit if
	# shorter; times VM_DEBUG_SLOWDOWN on the debug kernel) hung while
	# booting, before the driver was loaded: seen 4 times in about 100
	# boots of the debug kernel while other VMs ran.  That boot is tried
	# once more, and the log says so.
	boot_limit=${VM_BOOT_TIMEOUT:-90}
	vm__is_debug_kver "$kver" && boot_limit=$((boot_limit * ${VM_DEBUG_SLOWDOWN:-3}))
	[ "$boot_limit" -le "$timeout" ] || boot_limit=$timeout
	for attempt in 1 2; do
		rm -f "$out/serial.log" "$out/console.txt" "$out/qemu.log" "$out/exit" \
			"$out/dmesg.txt" "$out/kmemleak.txt" "$out/.emitted" "$out/monitor.log"
		if [ -n "$monitor" ]; then
			# a short path: unix socket names are limited to 107 bytes
			mon_dir=$(mktemp -d /tmp/vm-qmp.XXXXXX)
			mon_args=(-qmp "unix:$mon_dir/qmp.sock,server=on,wait=off")
			python3 "$VM_LIB/monitor.py" "$out/serial.log" "$mon_dir/qmp.sock" \
				"$out/monitor.log" &
			mon_pid=$!
		fi
		# SIGTERM at the timeout lets QEMU finish its -audiodev wav header;
		# SIGKILL follows 10 s later if that does not end it.
		timeout -k 10 "$timeout" \
			env ${envs[@]+"${envs[@]}"} "$qemu" \
			-accel tcg -M "$machine" -m "$mem" -smp 1 -nographic -no-reboot -nic none \
			-kernel "$kdir/boot/vmlinuz-$kver" -initrd "$work/initrd.cpio" \
			-append "console=ttyS0 loglevel=1 panic=-1$cmdline" \
			${qargs[@]+"${qargs[@]}"} ${mon_args[@]+"${mon_args[@]}"} \
			</dev/null >"$out/serial.log" 2>"$out/qemu.log" &
		qemu_pid=$!
		# the boot's own time limit: a hung boot must not use up the
		# scenario's
		waited=0
		hung=""
		while kill -0 "$qemu_pid" 2>/dev/null &&
		      ! grep -qs '===SCENARIO-START===' "$out/serial.log"; do
			if [ "$waited" -ge "$boot_limit" ]; then
				hung=1
				kill "$qemu_pid" 2>/dev/null || true
				break
			fi
			sleep 1
			waited=$((waited + 1))
		done
		wait "$qemu_pid" || qemu_rc=$?
		[ -z "$hung" ] || qemu_rc=124
		if [ -n "$mon_pid" ]; then
			# it ends when QEMU closes the socket
			kill "$mon_pid" 2>/dev/null || true
			wait "$mon_pid" 2>/dev/null || true
			rm -rf "$mon_dir"
		fi
		case $attempt:$qemu_rc in
		1:124 | 1:137) ;;
		*) break ;;
		esac
		grep -q '===SCENARIO-START===' "$out/serial.log" && break
		echo "  vm: the guest did not reach its scenario in ${boot_limit}s (boot hang); booting it once more"
		qemu_rc=0
	done
	python3 "$VM_LIB/extract.py" "$out/serial.log" "$out" || rc=1
	# The console from the scenario on (all of it if the guest never got
	# there), and QEMU's messages with repeats counted.
	if [ -f "$out/console.txt" ]; then
		awk '/===SCENARIO-START===/ { n = NR } { l[NR] = $0 }
			END { for (i = n ? n : 1; i <= NR; i++) print "  | " l[i] }' \
			"$out/console.txt"
	fi
	awk '!($0 in n) { o[++k] = $0 } { n[$0]++ }
		END { for (i = 1; i <= k; i++)
			print "  qemu: " o[i] (n[o[i]] > 1 ? " (" n[o[i]] " times)" : "") }' \
		"$out/qemu.log"
	case $qemu_rc in
	0) ;;
	124 | 137)
		if [ -n "$hung" ]; then
			echo "  vm: QEMU killed: no scenario after ${boot_limit}s (boot hang)"
		else
			echo "  vm: QEMU killed after ${timeout}s"
		fi
		rc=1
		;;
	*) echo "  vm: QEMU exited with status $qemu_rc"; rc=1 ;;
	esac
	if [ "$(cat "$out/exit" 2>/dev/null)" = none ]; then
		echo "  vm: the scenario did not finish (hang, panic or crash), see $out/serial.log"
		rc=1
	fi
	if vm__is_debug_kver "$kver" || [ -n "${VM_REPORTS:-}" ]; then
		vm__reports "$out"
	fi
	[ -n "${VM_KEEP:-}" ] || rm -rf "$work"
	return "$rc"
}

# vm_alsa_audiodev DIR INFILE OUTFILE RATE: QEMU audio through the ALSA
# `file` plugin, for capture tests with a known input (see
# t-harness-capture.sh for why each option is needed).  Writes
# DIR/home/.asoundrc and sets VM_ALSA_ENV (for --env) and VM_ALSA_AUDIODEV
# (for --qemu-args; the audiodev's id is snd0).  INFILE is raw PCM at RATE
# that QEMU hands to the guest's capture; OUTFILE receives what the guest
# plays.  INFILE must outlast every capture of the run: it does not wrap.
vm_alsa_audiodev()
{
	local dir=$1 infile=$2 outfile=$3 rate=$4 o

	mkdir -p "$dir/home"
	cat >"$dir/home/.asoundrc" <<ASOUNDRC
# read by QEMU's ALSA audiodev (HOME=$dir/home)
pcm.qin {
	type file
	slave.pcm "null"
	file "/dev/null"
	infile "$infile"
	format "raw"
}
pcm.qout {
	type file
	slave.pcm "null"
	file "$outfile"
	format "raw"
}
ASOUNDRC
	# shellcheck disable=SC2034 # for the caller
	VM_ALSA_ENV=HOME=$dir/home
	o="in.frequency=$rate,out.frequency=$rate"
	o="$o,in.try-poll=off,in.buffer-length=10000"
	o="$o,out.try-poll=off,out.buffer-length=10000"
	# shellcheck disable=SC2034
	VM_ALSA_AUDIODEV="-audiodev alsa,id=snd0,in.dev=qin,out.dev=qout,$o"
}

# vm_kernel_deb DEB...: unpack the linux-image package(s) that the caller
# fetched itself (another suite's kernel, which the host's apt does not know)
# into the cache as vm_kernel does, and print the kernel release KVER.  Newer
# kernels come split (linux-image-KVER depends on linux-binary-KVER with
# boot/vmlinuz and linux-modules-KVER with the modules): give all of them.
# "vm_run --kver KVER" then boots it: vm_kernel keeps an unpacked kernel
# whose package the host's apt does not know.  Packages that ship
# usr/lib/modules (and usr/lib/modules/KVER/vmlinuz) are cached with the
# lib/modules and boot/vmlinuz-KVER layout used above.
vm_kernel_deb()
{
	local deb pkg kver="" dir tmp stamp=""

	[ $# -gt 0 ] || vm_die "usage: vm_kernel_deb DEB..."
	for deb in "$@"; do
		[ -f "$deb" ] || vm_die "vm_kernel_deb: no file $deb"
		pkg=$(dpkg-deb -f "$deb" Package Version | sed 's/^[A-Za-z]*: //' |
			tr '\n' ' ') || vm_die "vm_kernel_deb: $deb is not a .deb"
		stamp="$stamp${stamp:+, }${pkg% }"
		[ -n "$kver" ] || kver=$(dpkg-deb -c "$deb" |
			sed -n 's|.* \./boot/vmlinuz-\(.*\)$|\1|p
				s|.* \./usr/lib/modules/\([^/]*\)/vmlinuz$|\1|p' | head -n 1)
	done
	[ -n "$kver" ] || vm_die "vm_kernel_deb: no boot/vmlinuz-* in $*"
	dir=$CACHE/kernel/$kver
	if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
		vm__lock
		if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
			tmp=$dir.tmp
			rm -rf "$tmp"
			mkdir -p "$tmp"
			for deb in "$@"; do
				vm_log "unpacking $(basename "$deb")"
				dpkg-deb -x "$deb" "$tmp" || vm_die "dpkg-deb -x $deb failed"
			done
			if [ ! -d "$tmp/lib/modules/$kver" ] &&
			   [ -d "$tmp/usr/lib/modules/$kver" ]; then
				mkdir -p "$tmp/lib/modules"
				mv "$tmp/usr/lib/modules/$kver" "$tmp/lib/modules/"
			fi
			# 7.x packages keep the kernel next to its modules
			if [ ! -f "$tmp/boot/vmlinuz-$kver" ] &&
			   [ -f "$tmp/lib/modules/$kver/vmlinuz" ]; then
				mkdir -p "$tmp/boot"
				mv "$tmp/lib/modules/$kver/vmlinuz" "$tmp/boot/vmlinuz-$kver"
			fi
			[ -f "$tmp/boot/vmlinuz-$kver" ] ||
				vm_die "$* have no boot/vmlinuz-$kver"
			[ -d "$tmp/lib/modules/$kver/kernel" ] ||
				vm_die "$* have no modules of $kver"
			vm__decompress_modules "$tmp/lib/modules/$kver"
			depmod -b "$tmp" "$kver" || vm_die "depmod for $kver failed"
			printf '%s\n' "$stamp" >"$tmp/.stamp"
			rm -rf "$dir"
			mv "$tmp" "$dir"
		fi
		vm__unlock
	fi
	printf '%s\n' "$kver"
}
