# shellcheck shell=bash
#
# tests/lib/matrix.sh - Debian chroots, one per kernel of the matrix, for the
# packaging tests (t-package.sh, t-distro.sh) and the kernel matrix (t-matrix.sh).
#
# Source it after vm.sh (it uses $CACHE, vm_log, vm_die).  Entry points:
#
#   MX_TABLE               the kernels of the matrix, one row each (below)
#   MX_MODULES             the modules the package builds (below)
#   mx_target NAME         set MX_* for a row of MX_TABLE: 5.10 6.1 6.12 7.2
#                          7.3 686
#   mx_base               build or refresh the cached base chroot of MX_NAME
#                          (MX_BASE is its directory, MX_KVER its kernel)
#   mx_enter DIR           mount a throw-away copy of the base (overlayfs) at
#                          DIR/root, with /proc; MX_ROOT is DIR/root
#   mx_leave               unmount it again (also done at exit)
#   mx_chroot CMD...       run CMD in MX_ROOT (i686 personality for i386)
#   mx_apt ARGS...         apt-get ARGS in MX_ROOT, non-interactive
#   mx_snapshot FILE       list MX_ROOT's files (type, size; a checksum under
#                          /etc, /usr/src, modules and DKMS) into FILE
#   mx_snapshot_diff A B   print what differs, minus the bookkeeping of dpkg,
#                          apt and DKMS's shared signing key
#   mx_image_deb           the linux-image .deb(s) of MX_KVER, fetched into
#                          $CACHE/debs by the chroot's apt (MX_IMAGES)
#   mx_deb OUTDIR          "make deb" into OUTDIR/dist, MX_DEB is the .deb
#   mx_time LABEL CMD...   run CMD and note its wall time under LABEL
#   mx_times               print the notes: one "TIME:" line per label
#   MX_Q35_ROWS            the rows whose VM boots a second time, on q35
#                          with an Intel IOMMU (below)
#   mx_matrix NAME...      the kernel matrix for those rows (t-matrix.sh):
#                          the host-side steps of the next kernel run while
#                          the VM of the one before runs (MATRIX_SERIAL=1:
#                          one kernel after the other)
#
# Bases live in $CACHE/chroot/NAME (about 1-1.2 GB each).  A base is reused
# as long as its suite's apt says the kernel headers it holds are still the
# newest; otherwise (or when the recipe below changes) it is built again.
# Without network a cached base is used as it is.

# shellcheck source=play.sh
. "$(dirname "${BASH_SOURCE[0]}")/play.sh"

MX_MIRROR=${MATRIX_MIRROR:-http://deb.debian.org/debian}
MX_SECURITY=${MATRIX_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
MX_TIMES=()

# The kernels of the matrix, in the order t-matrix.sh runs them: one row
# per kernel, "-" for none.
#   NAME      the row's name (MATRIX_KERNELS, TEST names, $CACHE/chroot/NAME)
#   SUITE     the Debian suite whose chroot builds the module
#   REL       apt target release for the kernel packages
#   ARCH      Debian architecture of the chroot
#   FLAVOUR   kernel flavour that the VM boots (linux-headers-FLAVOUR)
#   SECOND    a second flavour, installed later: DKMS must rebuild for it
#   NOSOUND   a flavour without ALSA that DKMS must skip
#   EXTRA     packages to keep in the base's apt cache for t-package.sh
#             (","-separated)
#   the rest  what the row is, in words
MX_TABLE='
5.10 bullseye -                amd64 amd64 rt-amd64 cloud-amd64 -   Debian 11 (bullseye), Linux 5.10
6.1  bookworm -                amd64 amd64 rt-amd64 cloud-amd64 -   Debian 12 (bookworm), Linux 6.1
6.12 trixie   -                amd64 amd64 rt-amd64 cloud-amd64 rpm Debian 13 (trixie), Linux 6.12
7.2  sid      -                amd64 amd64 rt-amd64 cloud-amd64 -   Debian unstable (sid), Linux 7.2
7.3  trixie   trixie-backports amd64 amd64 rt-amd64 cloud-amd64 -   Debian 13 backports (trixie-backports), Linux 7.3
686  bookworm -                i386  686   686-pae  -           -   Debian 12 (bookworm) i386, Linux 6.1 686
'

# mx_names: the NAMEs of MX_TABLE, in its order.
mx_names()
{
	printf '%s\n' "$MX_TABLE" | awk 'NF { print $1 }'
}

# mx_target NAME: describe one matrix entry (a row of MX_TABLE).
#   MX_SUITE     the Debian suite whose chroot builds the module
#   MX_REL       apt target release for the kernel packages ("" = default)
#   MX_ARCH      Debian architecture of the chroot
#   MX_FLAVOUR   kernel flavour that the VM boots (linux-headers-FLAVOUR)
#   MX_SECOND    a second flavour, installed later: DKMS must rebuild for it
#   MX_NOSOUND   a flavour without ALSA that DKMS must skip ("" = none)
#   MX_SOURCES   sources.list lines, "|"-separated
#   MX_APTOPT    extra apt option for the chroot ("" = none)
#   MX_EXTRA     packages to keep in the base's apt cache for t-package.sh
#   MX_TITLE     the row in words
mx_target()
{
	local row
	row=$(printf '%s\n' "$MX_TABLE" | awk -v n="$1" '$1 == n')
	[ -n "$row" ] || vm_die "mx_target: unknown matrix entry $1 (MX_TABLE has: $(mx_names | tr '\n' ' '))"
	read -r MX_NAME MX_SUITE MX_REL MX_ARCH MX_FLAVOUR MX_SECOND MX_NOSOUND \
		MX_EXTRA MX_TITLE <<<"$row"
	[ "$MX_REL" != - ] || MX_REL=""
	[ "$MX_NOSOUND" != - ] || MX_NOSOUND=""
	[ "$MX_EXTRA" != - ] || MX_EXTRA=""
	MX_EXTRA=${MX_EXTRA//,/ }
	MX_APTOPT=""
	MX_SOURCES="deb $MX_MIRROR $MX_SUITE main"
	case $MX_SUITE in
	sid)
		# sid's Release file is past its Valid-Until on this archive
		MX_APTOPT='Acquire::Check-Valid-Until "false";'
		;;
	bullseye)
		# Debian 11 is LTS: its security suite (5.10.0-46 when written)
		# lacks the rt flavour's image on this archive; the last point
		# release (5.10.0-32) has every package the test needs
		;;
	*)
		if [ "$MX_ARCH" = i386 ]; then
			# the archive's bookworm-security index for i386 fails
			# apt's checks ("File has unexpected size"); the point
			# release's 686 kernel is what the tests boot
			:
		else
			MX_SOURCES="$MX_SOURCES|deb $MX_SECURITY $MX_SUITE-security main"
		fi
		;;
	esac
	[ -z "$MX_REL" ] || MX_SOURCES="$MX_SOURCES|deb $MX_MIRROR $MX_REL main"
	MX_BASE=$CACHE/chroot/$MX_NAME
	MX_KVER="" MX_SECOND_KVER="" MX_NOSOUND_KVER=""
}

# mx_chroot_in DIR CMD...: run CMD in the chroot DIR, with a clean
# environment; i386 chroots see an i686 machine (uname -m), as on a 32-bit PC.
# INITRD=No makes the kernel packages skip building an initramfs (nothing
# here boots one, and it is the slowest part of installing a kernel).
mx_chroot_in()
{
	local dir=$1 pers=""
	shift
	[ "$MX_ARCH" = i386 ] && pers="setarch i686"
	$pers chroot "$dir" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		DEBCONF_NONINTERACTIVE_SEEN=true INITRD=No "$@"
}

mx_chroot() { mx_chroot_in "$MX_ROOT" "$@"; }

mx_apt_in()
{
	local dir=$1
	shift
	mx_chroot_in "$dir" apt-get -q -y -o Dpkg::Use-Pty=0 \
		-o APT::Install-Recommends=false "$@"
}

mx_apt() { mx_apt_in "$MX_ROOT" "$@"; }

# The kernel release a headers metapackage points at, as the chroot's apt
# sees it (candidate for the target release), e.g. 6.1.0-56-amd64.
mx__meta_kver()
{
	local dir=$1 flavour=$2 rel=""
	[ -z "$MX_REL" ] || rel="-o APT::Default-Release=$MX_REL"
	# shellcheck disable=SC2086
	mx_chroot_in "$dir" apt-cache $rel show --no-all-versions \
		"linux-headers-$flavour" 2>/dev/null |
		sed -n 's/^Depends:.*linux-headers-\([^ ,]*-'"$flavour"'\)\( \|,\|$\).*/\1/p' |
		head -n 1
}

# mx__image_pkg DIR KVER: the package of kernel KVER's image.  The
# -unsigned one where there is one: the same kernel without the Secure Boot
# signature, built from the same source package as the headers (some
# mirrors lack the linux-signed-* packages of the security suites).
mx__image_pkg()
{
	local dir=$1 p v
	for p in "linux-image-$2-unsigned" "linux-image-$2"; do
		v=$(mx__candidate "$dir" "$p")
		if [ -n "$v" ] && [ "$v" != "(none)" ]; then
			printf '%s\n' "$p"
			return 0
		fi
	done
}

# mx__kernels DIR: MX_KVER, MX_IMAGE_PKG (the kernel the VM boots: its image
# and headers are in the base), MX_SECOND_KVER, MX_SECOND_IMAGE_PKG (installed
# by the test) and MX_NOSOUND_KVER (headers installed by the test), as the
# chroot's apt sees them now.
mx__kernels()
{
	local dir=$1
	MX_KVER=$(mx__meta_kver "$dir" "$MX_FLAVOUR")
	MX_IMAGE_PKG=$(mx__image_pkg "$dir" "$MX_KVER")
	MX_SECOND_KVER=$(mx__meta_kver "$dir" "$MX_SECOND")
	MX_SECOND_IMAGE_PKG=$(mx__image_pkg "$dir" "$MX_SECOND_KVER")
	MX_NOSOUND_KVER=""
	[ -z "$MX_NOSOUND" ] || MX_NOSOUND_KVER=$(mx__meta_kver "$dir" "$MX_NOSOUND")
	[ -n "$MX_KVER" ] && [ -n "$MX_IMAGE_PKG" ] && [ -n "$MX_SECOND_KVER" ] &&
		[ -n "$MX_SECOND_IMAGE_PKG" ] && { [ -z "$MX_NOSOUND" ] || [ -n "$MX_NOSOUND_KVER" ]; } ||
		vm_die "cannot resolve the kernel packages of $MX_SUITE${MX_REL:+ ($MX_REL)} in $dir"
}

# The candidate version of a package in the chroot.
mx__candidate()
{
	local dir=$1 pkg=$2 rel=""
	[ -z "$MX_REL" ] || rel="-o APT::Default-Release=$MX_REL"
	# shellcheck disable=SC2086
	mx_chroot_in "$dir" apt-cache $rel policy "$pkg" 2>/dev/null |
		sed -n 's/^ *Candidate: //p' | head -n 1
}

# What a base is made of; part of its stamp, so that a change rebuilds it.
# Bump MX_RECIPE when mx__build_base or mx__install_kernels change what
# they put into a base.
MX_RECIPE=3
mx__recipe()
{
	printf '%s\n' "$MX_RECIPE $MX_SUITE $MX_REL $MX_ARCH $MX_FLAVOUR $MX_SECOND" \
		"$MX_NOSOUND $MX_SOURCES $MX_APTOPT $MX_EXTRA" | sha256sum | cut -c1-16
}

# The stamp of a base: the recipe and the kernel packages it holds.
mx__stamp()
{
	local dir=$1 f
	printf 'recipe %s\n' "$(mx__recipe)"
	for f in "linux-image-$MX_FLAVOUR" "linux-image-$MX_SECOND" \
		"linux-headers-$MX_FLAVOUR" "linux-headers-$MX_SECOND" \
		${MX_NOSOUND:+"linux-headers-$MX_NOSOUND"}; do
		printf '%s %s\n' "$f" "$(mx__candidate "$dir" "$f")"
	done
}

# mx__install_kernels DIR: the kernel the VM boots is installed, image and
# headers, as on a user's machine; the second flavour's image and headers,
# the no-sound flavour's headers and MX_EXTRA are only downloaded into apt's
# cache, for the tests to install (so that a run needs no network once
# cached).  The packages are named by release, not by metapackage: apt's
# autoremove keeps metapackage-less kernels, and the tests purge by name.
mx__install_kernels()
{
	local dir=$1 rel="" f
	[ -z "$MX_REL" ] || rel="-t $MX_REL"
	mx__kernels "$dir"
	# shellcheck disable=SC2086
	mx_apt_in "$dir" install $rel "$MX_IMAGE_PKG" "linux-headers-$MX_KVER" ||
		vm_die "installing $MX_IMAGE_PKG and its headers in $dir failed"
	for f in "$MX_SECOND_IMAGE_PKG linux-headers-$MX_SECOND_KVER" \
		${MX_NOSOUND_KVER:+"linux-headers-$MX_NOSOUND_KVER"} $MX_EXTRA; do
		# shellcheck disable=SC2086
		mx_apt_in "$dir" install --download-only $rel $f ||
			vm_die "downloading $f in $dir failed"
	done
}

# mx__rm DIR: unmount what is mounted below DIR (a run that was killed),
# then delete it without crossing into other file systems.
mx__rm()
{
	local m
	[ -e "$1" ] || return 0
	awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
	while read -r m; do
		umount "$m" || umount -l "$m"
	done
	rm -rf --one-file-system "$1"
}

# mx__build_base DIR: a fresh base chroot in DIR.
mx__build_base()
{
	local dir=$1
	local -a mirrors=() opts=()

	IFS='|' read -r -a mirrors <<<"$MX_SOURCES"
	[ -z "$MX_APTOPT" ] || opts+=("--aptopt=$MX_APTOPT")
	# dkms pulls make, gcc and the rest of the toolchain; openssl lets DKMS
	# make its signing key and sign, as on a user's machine.
	mmdebstrap --quiet --variant=apt --architectures="$MX_ARCH" \
		--include=dkms,openssl,kmod,ca-certificates ${opts[@]+"${opts[@]}"} \
		"$MX_SUITE" "$dir" "${mirrors[@]}" ||
		vm_die "mmdebstrap $MX_SUITE ($MX_ARCH) failed"
	# no daemons in the chroot
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
	(
		trap 'umount "$dir/proc" 2>/dev/null || true' EXIT
		mount -t proc proc "$dir/proc"
		# mmdebstrap drops apt's lists at the end
		mx_apt_in "$dir" update >/dev/null ||
			vm_die "apt-get update in $dir failed"
		mx__install_kernels "$dir"
	) || exit 1
}

# mx_base: make $MX_BASE current.  Sets MX_KVER and the rest that
# mx__kernels sets, and MX_BASE_BUILT=1 if it was (re)built now.
mx_base()
{
	local dir=$MX_BASE lock stamp fresh=1

	mkdir -p "$CACHE/chroot"
	exec {lock}>"$CACHE/chroot/.$MX_NAME.lock"
	flock "$lock"
	MX_BASE_BUILT=0
	if [ -f "$dir/.mx-stamp" ]; then
		# the suite moves on: look again (not fatal offline)
		if mx_apt_in "$dir" update >"$dir.update.log" 2>&1; then
			stamp=$(mx__stamp "$dir")
			[ "$stamp" = "$(cat "$dir/.mx-stamp")" ] || fresh=0
		else
			vm_log "apt-get update in $dir failed: using the cached chroot"
			[ "$(sed -n 1p "$dir/.mx-stamp")" = "recipe $(mx__recipe)" ] || fresh=0
		fi
	else
		fresh=0
	fi
	if [ "$fresh" = 0 ]; then
		vm_log "building the $MX_NAME chroot ($MX_SUITE${MX_REL:+, $MX_REL}, $MX_ARCH)"
		mx__rm "$dir.tmp"
		mx__build_base "$dir.tmp"
		mx__stamp "$dir.tmp" >"$dir.tmp/.mx-stamp"
		mx__rm "$dir"
		mv "$dir.tmp" "$dir"
		MX_BASE_BUILT=1
	fi
	rm -f "$dir.update.log"
	mx__kernels "$dir"
	exec {lock}>&-
	[ -d "$dir/usr/src/linux-headers-$MX_KVER" ] ||
		vm_die "$dir has no linux-headers-$MX_KVER"
}

# mx_enter DIR: a writable copy of the base at DIR/root.  Its changes go to
# DIR/upper; the base itself is never written.  A shared lock on the base
# keeps another run's mx_base from rebuilding it underneath.
mx_enter()
{
	local d=$1
	exec {MX_ENTER_LOCK}>"$CACHE/chroot/.$MX_NAME.lock"
	flock -s "$MX_ENTER_LOCK"
	mx__rm "$d/root"
	mx__rm "$d/upper"
	mx__rm "$d/work"
	mkdir -p "$d/upper" "$d/work" "$d/root"
	mount -t overlay overlay \
		-o "lowerdir=$MX_BASE,upperdir=$d/upper,workdir=$d/work" "$d/root" ||
		vm_die "cannot mount an overlay of $MX_BASE"
	MX_ROOT=$d/root
	MX_OVERLAY=$d
	mount -t proc proc "$MX_ROOT/proc"
	trap mx_leave EXIT
}

mx_leave()
{
	[ -n "${MX_ROOT:-}" ] || return 0
	mountpoint -q "$MX_ROOT/proc" && umount "$MX_ROOT/proc"
	mountpoint -q "$MX_ROOT" && umount "$MX_ROOT"
	mx__rm "${MX_OVERLAY:?}/upper"
	mx__rm "${MX_OVERLAY:?}/work"
	rmdir "$MX_ROOT" 2>/dev/null || true
	MX_ROOT=""
	exec {MX_ENTER_LOCK}>&-
}

# mx_snapshot FILE: one line per file of MX_ROOT: "path type size [md5]".
mx_snapshot()
{
	local r=$MX_ROOT
	(cd "$r" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev \
			-o -path ./tmp -o -path ./run -o -path ./var/cache \
			-o -path ./var/log -o -path ./var/lib/apt/lists \) -prune \
			-o -type f -printf '%p f %s\n' -o -type l -printf '%p l %l\n' \
			-o -printf '%p %y\n') | LC_ALL=C sort >"$1.list"
	# contents where a changed file would matter
	(cd "$r" && find ./etc ./usr/src ./var/lib/dkms ./usr/lib/modules \
		./lib/modules -xdev -type f 2>/dev/null | LC_ALL=C sort -u |
		xargs -d '\n' -r md5sum) | awk '{ print $2, "md5", $1 }' >"$1.md5"
	LC_ALL=C sort "$1.list" "$1.md5" >"$1"
	rm -f "$1.list" "$1.md5"
}

# mx_snapshot_diff BEFORE AFTER: the lines that differ ("-" gone, "+" new),
# minus dpkg's and apt's bookkeeping (including the list of kernels apt's
# autoremove keeps, which every kernel installation rewrites) and DKMS's
# signing key (made by DKMS at its first build and shared by every DKMS
# module: not a file of ours).
mx_snapshot_diff()
{
	diff "$1" "$2" | sed -n 's/^</-/p; s/^>/+/p' |
		grep -Ev '^[-+] \./var/lib/dpkg/(status|status-old|available|diversions|statoverride|lock|lock-frontend|triggers/[^ ]*|updates/[^ ]*|info/format|cmethopt) ' |
		grep -Ev '^[-+] \./var/lib/dkms/mok\.(key|pub) ' |
		grep -Ev '^[-+] \./var/lib/dpkg/(info|triggers|updates) d ' |
		grep -Ev '^[-+] \./etc/apt/apt\.conf\.d/01autoremove-kernels ' |
		grep -Ev '^[-+] \./(etc/ld\.so\.cache|var/lib/dkms) ' || true
}

# mx_image_deb: the packages of MX_KVER's kernel image as installed in the
# chroot (linux-image-KVER, and linux-binary-KVER and linux-modules-KVER
# where the image is split), copied from the base's apt cache or downloaded
# once with the chroot's apt into $CACHE/debs, named as vm.sh names its
# downloads.  Sets MX_IMAGES to their paths.  Needs MX_ROOT (mx_enter).
mx_image_deb()
{
	local p v a deb cached rel=""
	[ -z "$MX_REL" ] || rel="-o APT::Default-Release=$MX_REL"
	MX_IMAGES=()
	mkdir -p "$CACHE/debs"
	while read -r p v a; do
		case $p in
		linux-image-"$MX_KVER" | linux-image-"$MX_KVER"-unsigned | \
		linux-binary-"$MX_KVER" | linux-modules-"$MX_KVER") ;;
		*) continue ;;
		esac
		deb=$CACHE/debs/${p}_${v//:/%3a}_$a.deb
		cached=$MX_ROOT/var/cache/apt/archives/$(basename "$deb")
		if [ ! -f "$deb" ] && [ -f "$cached" ]; then
			cp "$cached" "$deb.tmp" && mv "$deb.tmp" "$deb"
		fi
		if [ ! -f "$deb" ]; then
			vm_log "downloading $p $v"
			# shellcheck disable=SC2086
			mx_chroot sh -c "cd /tmp && apt-get -q $rel download '$p=$v'" >&2 ||
				vm_die "apt-get download $p failed"
			mv "$MX_ROOT/tmp/$(basename "$deb")" "$deb.tmp" && mv "$deb.tmp" "$deb" ||
				vm_die "apt-get download did not write $(basename "$deb")"
		fi
		MX_IMAGES+=("$deb")
	done < <(mx_chroot dpkg-query -W -f '${Package} ${Version} ${Architecture} ${Status}\n' \
		"linux-image-$MX_KVER*" "linux-binary-$MX_KVER*" "linux-modules-$MX_KVER*" 2>/dev/null |
		awk '$NF == "installed" { print $1, $2, $3 }')
	[ ${#MX_IMAGES[@]} -gt 0 ] || vm_die "no linux-image-$MX_KVER installed in the $MX_NAME chroot"
}

# mx_deb OUTDIR: "make deb" of the work tree into OUTDIR/dist; sets MX_DEB
# to the .deb.
mx_deb()
{
	local out=$1
	rm -rf "$out/dist"
	make -C "$REPO" deb DIST="$out/dist" >"$out/make-deb.log" 2>&1 || {
		tail -n 20 "$out/make-deb.log" >&2
		return 1
	}
	MX_DEB=$(ls "$out"/dist/snd-omnibus-dkms_*_all.deb | head -n 1)
}

# mx_time LABEL CMD...: run CMD, note how long it took; returns its status.
mx_time()
{
	local label=$1 t0 rc=0
	shift
	t0=$(date +%s%N)
	"$@" || rc=$?
	MX_TIMES+=("$(( ($(date +%s%N) - t0) / 100000000 )) $label")
	return "$rc"
}

mx_times()
{
	local l t
	for l in ${MX_TIMES[@]+"${MX_TIMES[@]}"}; do
		t=${l%% *}
		printf 'TIME: %-40s %4d.%d s\n' "${l#* }" $((t / 10)) $((t % 10))
	done
}

# ---- the kernel matrix: one entry, end to end --------------------------

# The modules the package builds (dkms.conf), space-separated: the ONE list
# the matrix checks.  DKMS must have built and installed every one of them
# for each kernel (mx__module_file: "deb-install", "autorebuild"), each
# carries the package's version and the kernel's vermagic ("modinfo"),
# and the VM boots with all of them (the scenario loads the backends by
# name; their dependencies come with modprobe).  A module added to
# dkms.conf (e.g. a library module the backends depend on) goes here.
MX_MODULES="snd-omnibus-core snd-omnibus-virtual snd-omnibus-es1370 snd-omnibus-ich snd-omnibus-sb16 snd-omnibus-wss snd-omnibus-adlib"

# mx__module_file ROOT KVER: the snd-omnibus modules DKMS installed for KVER
# (plain or compressed), one per line; empty unless all of them are there.
mx__module_file()
{
	local m f files=""

	for m in $MX_MODULES; do
		f=$(ls "$1/lib/modules/$2/updates/dkms/$m.ko"* 2>/dev/null | head -n 1)
		[ -n "$f" ] || return 0
		files="$files$f
"
	done
	printf '%s' "$files"
}

# mx__plain_ko FILE OUT: FILE decompressed (as the guest's kmod needs) to OUT.
mx__plain_ko()
{
	case $1 in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

# mx__dkms_version: dkms's version in MX_ROOT as "MAJOR MINOR PATCH".
mx__dkms_version()
{
	mx_chroot dpkg-query -W -f '${Version}' dkms |
		sed 's/^\([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*/\1 \2 \3/'
}

# mx__build_warnings LOG: the compiler's and modpost's complaints in LOG.
mx__build_warnings()
{
	grep -E 'warning:|error:|WARNING:|ERROR:' "$1" || true
}

# The guest's part: which driver gets the ES1370 (and the ICH) when udev
# loads drivers, with and without the switch of /etc/modprobe.d/snd-omnibus.conf;
# the virtual card's loopback on each of its PCM devices (continuous pages,
# vmalloc through the page callback, external through the copy callbacks),
# read/write and mmap; playback through the snd-omnibus module of every
# backend the package has (ICH and SB16 where their sources are in the
# DKMS tree), the ICH also from a scatter-gather buffer in several pieces.
MX_SCENARIO='
# the driver bound to PCI function VENDOR DEVICE, "none" or "absent"
pci_driver() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ] || continue
		if [ -e "$d/driver" ]; then basename "$(readlink "$d/driver")"; else echo none; fi
		return
	done
	echo absent
}
# what udev does at boot for every PCI device (the guest has no udev)
udev_coldplug() {
	for d in /sys/bus/pci/devices/*; do
		modprobe -b -q "$(cat "$d/modalias")" 2>/dev/null
	done
}
# the card whose /proc/asound/cards title line matches PATTERN
card_of() {
	sed -n "s/^ *\([0-9][0-9]*\) \[.*$1.*/\1/p" /proc/asound/cards | head -n 1
}
bind() {
	echo "$1 es1370=$(pci_driver 0x1274 0x5000) ich=$(pci_driver 0x8086 0x2415)" >>/out/bind.txt
}
# rmmod every snd-omnibus module loaded
unload_ours() {
	for m in $(awk '\''$1 ~ /^snd_omnibus_/ { print $1 }'\'' /proc/modules); do
		rmmod "$m" || exit 1
	done
}

# 1. as installed: udev loads the in-tree drivers
udev_coldplug
bind default
lsmod >/out/lsmod-default.txt
# 2. the snd-omnibus modules loaded by hand: the PCI ones take no chip and
# say who has it
dmesg -c >/dev/null
modprobe snd-omnibus-virtual virtual_cards=1 || exit 1
modprobe snd-omnibus-es1370 || exit 1
[ -z "$ICH" ] || modprobe snd-omnibus-ich || exit 1
dmesg >/out/byhand-dmesg.txt
bind byhand
cat /proc/asound/cards >/out/cards-byhand.txt
v=$(card_of "Omnibus Virtual")
# every PCM device of the virtual card at once (each has a wire of its
# own): capture runs on each, then 1 s of noise, one file per device and
# mode, is played into each; "mmap" plays and records with -M
loopback() { # MODE DEV...
	mode=$1
	shift
	flag=""
	[ "$mode" = mmap ] && flag=-M
	recs=""
	for d in "$@"; do
		arecord -q -D "hw:$v,$d" $flag -f S16_LE -c 2 -r 44100 \
			"/tmp/cap-$d-$mode.wav" 2>"/out/arecord-virtual-$d-$mode.err" &
		recs="$recs $!"
	done
	# until every capture runs (what is played before is not looped back)
	for d in "$@"; do
		t=0
		while [ $t -lt 100 ] &&
		      ! grep -q RUNNING "/proc/asound/card$v/pcm${d}c/sub0/status"; do
			sleep 0.1
			t=$((t + 1))
		done
	done
	plays=""
	for d in "$@"; do
		aplay -q -D "hw:$v,$d" $flag "/data/virtual-$d-$mode.wav" \
			2>"/out/aplay-virtual-$d-$mode.err" &
		plays="$plays $!"
	done
	for p in $plays; do
		wait "$p"
	done
	# aplay returns once its buffer has drained: give the wire a moment
	sleep 1
	for p in $recs; do
		kill "$p"
		wait "$p"
	done
	for d in "$@"; do
		gzip -1 -c "/tmp/cap-$d-$mode.wav" >"/out/virtual-cap-$d-$mode.wav.gz"
		rm -f "/tmp/cap-$d-$mode.wav"
	done
}
loopback rw 0 1 2
loopback mmap 0 1
# PCM 2 (external buffer) cannot be mapped: aplay -M is refused
aplay -q -M -D "hw:$v,2" /data/virtual-2-rw.wav 2>/out/aplay-virtual-2-mmap.err
echo $? >/out/virtual-2-mmap.rc
unload_ours
rmmod snd-ens1370 snd-intel8x0 || exit 1
bind unloaded
# 2b. the virtual module (as loaded at boot for a virtual card): the free
# chips stay free, ready for the in-tree drivers
modprobe snd-omnibus-virtual virtual_cards=1 || exit 1
bind noclaim
rmmod snd-omnibus-virtual || exit 1
# 3. the switch: the shipped file with its softdep lines uncommented
mkdir -p /etc/modprobe.d
sed "s/^#softdep/softdep/" /data/snd-omnibus.conf >/etc/modprobe.d/snd-omnibus.conf
modprobe -c | grep "^softdep" >/out/softdep.txt
udev_coldplug
bind switched
lsmod >/out/lsmod-switched.txt
cat /proc/asound/cards >/out/cards-switched.txt
e=$(card_of ES1370)
aplay -q -D "hw:$e,0" /data/noise44.wav 2>/out/aplay-es1370.err
if [ -n "$ICH" ]; then
	i=$(card_of "ICH")
	amixer -c "$i" -q sset Master 100% unmute
	amixer -c "$i" -q sset PCM 100% unmute
	aplay -q -D "hw:$i,0" /data/noise48.wav 2>/out/aplay-ich.err
	# 3a. a scatter-gather buffer in several pieces, as t-ich makes it:
	# every huge page taken (fragment_memory, tests/lib/play.sh), so no
	# free block holds 2.5 MiB; hw_params then allocates the buffer (none
	# pre-allocated) from what is left.  6.12 and later refuse the buffer
	# here (see mx__ich_sg_checks).
	echo 0 >"/proc/asound/card$i/pcm0p/sub0/prealloc"
	fragment_memory
	aplay -q -D "hw:$i,0" --buffer-size=655360 --period-size=163840 \
		/data/sg48.wav 2>/out/aplay-ich-sg.err &
	sleep 1
	cat "/proc/asound/card$i/ich" >/out/ich-sg.txt
	cat "/proc/asound/card$i/buffers" >/out/buffers-ich-sg.txt
	unfragment_memory
	wait $!
	echo "$?" >/out/aplay-ich-sg.rc
fi
# 3b. the ISA Sound Blaster 16 (no driver is ever autoloaded for it)
if [ -n "$SB16" ]; then
	modprobe snd-omnibus-sb16 port=0x220 irq=5 dma8=1 dma16=5 || exit 1
	s=$(card_of "Sound Blaster 16")
	aplay -q -D "hw:$s,0" /data/noise44.wav 2>/out/aplay-sb16.err
fi
# 3c. the ISA WSS codec (IRQ 7: the SB16 has 5)
if [ -n "$WSS" ]; then
	modprobe snd-omnibus-wss port=0x534 irq=7 dma1=3 || exit 1
	w=$(card_of "CS4231A")
	aplay -q -D "hw:$w,0" /data/noise44.wav 2>/out/aplay-wss.err
fi
# 3d. FM: the OPL3 of the SB16 at its base, and an AdLib card at 0x388
# (the adlib device of QEMU answers at both)
if [ -n "$SB16" ]; then
	cat /proc/asound/hwdep >/out/hwdep-sb16.txt
	modprobe snd-omnibus-adlib port=0x388 2>/out/adlib.err
	cat /proc/asound/cards >/out/cards-adlib.txt
	cat /proc/asound/hwdep >/out/hwdep-adlib.txt
fi
# 4. the switch left on, the module gone (apt remove keeps conffiles): the
# missing softdep module is skipped and the in-tree drivers load as before
unload_ours
rmmod snd-ens1370 snd-intel8x0 || exit 1
rm -f /lib/modules/*/updates/snd-omnibus-*.ko
depmod
udev_coldplug
bind removed
echo done >>/out/bind.txt
'

# ---- one row of the matrix, in two phases -------------------------------
#
# mx__host NAME OUT: the host-side steps of row NAME, artifacts in OUT (the
# chroot, apt, DKMS, purge, the guest's kernel and initramfs, the noise
# files), with MX_DEB the package and MX_VER its version; PASS/FAIL as
# they come.  Ends by writing OUT/host.env for mx__vm (MX_VM=1: there is a
# VM to boot).  A step that cannot go on exits (vm_die, set -e): run it in
# a subshell (mx__host_job).
mx__host()
{
	local n=$1 out=$2 deb=$MX_DEB ver=$MX_VER ko k f dv rc log lines
	local ich="" sb16="" wss="" img kver=""
	local wav=$REPO/tests/lib/wav.py

	MX_TIMES=()
	mx_target "$n"
	mkdir -p "$out"
	mx_time "$n: chroot" mx_base
	if [ "$MX_BASE_BUILT" = 1 ]; then
		echo "matrix $n: built the $MX_SUITE chroot ($MX_KVER)"
	else
		echo "matrix $n: cached $MX_SUITE chroot ($MX_KVER)"
	fi
	mx_enter "$out/chroot"
	cp "$deb" "$MX_ROOT/tmp/"
	mx_snapshot "$out/before.files"
	mx_chroot dpkg-query -W -f '${Package}\n' | sort >"$out/before.pkgs"

	# --- the package installs with apt, DKMS builds for the headers ------
	rc=0
	mx_time "$n: apt install + DKMS build" \
		mx_chroot apt-get -q -y -o Dpkg::Use-Pty=0 install "/tmp/$(basename "$deb")" \
		>"$out/install.log" 2>&1 || rc=$?
	ko=$(mx__module_file "$MX_ROOT" "$MX_KVER")
	if [ "$rc" = 0 ] && [ -n "$ko" ]; then
		pass "matrix-$n-deb-install"
	else
		sed 's/^/    /' "$out/install.log" | tail -n 30
		fail "matrix-$n-deb-install" "apt-get install exited $rc, modules for $MX_KVER: $(ls "$MX_ROOT/lib/modules/$MX_KVER/updates/dkms" 2>/dev/null | tr '\n' ' ')"
	fi
	log=$(ls "$MX_ROOT/var/lib/dkms/snd-omnibus/$ver/$MX_KVER"/*/log/make.log 2>/dev/null | head -n 1)
	if [ -z "$log" ]; then
		fail "matrix-$n-build-no-warnings" "no DKMS make.log for $MX_KVER"
	else
		cp "$log" "$out/make-$MX_KVER.log"
		lines=$(mx__build_warnings "$log")
		if [ -z "$lines" ]; then
			pass "matrix-$n-build-no-warnings"
		else
			printf '%s\n' "$lines" | head -n 20 | sed 's/^/    /'
			fail "matrix-$n-build-no-warnings" "$(printf '%s\n' "$lines" | head -n 1)"
		fi
	fi
	# --- the same source with W=1 (DKMS builds without): no warning -------
	if [ -d "$MX_ROOT/usr/src/snd-omnibus-$ver/src" ]; then
		rm -rf "$MX_ROOT/tmp/w1"
		mkdir -p "$MX_ROOT/tmp/w1"
		cp -a "$MX_ROOT/usr/src/snd-omnibus-$ver/src" "$MX_ROOT/tmp/w1/"
		rc=0
		mx_time "$n: W=1 build" mx_chroot make -C "/lib/modules/$MX_KVER/build" \
			M=/tmp/w1/src W=1 modules >"$out/make-w1.log" 2>&1 || rc=$?
		lines=$(mx__build_warnings "$out/make-w1.log")
		if [ "$rc" = 0 ] && [ -z "$lines" ] &&
		   [ "$(ls "$MX_ROOT"/tmp/w1/src/*.ko | wc -l)" = "$(echo $MX_MODULES | wc -w)" ]; then
			pass "matrix-$n-build-w1-clean"
		else
			printf '%s\n' "$lines" | head -n 20 | sed 's/^/    /'
			fail "matrix-$n-build-w1-clean" "make exited $rc: $(printf '%s\n' "$lines" | head -n 1)"
		fi
		rm -rf "$MX_ROOT/tmp/w1"
	else
		fail "matrix-$n-build-w1-clean" "no /usr/src/snd-omnibus-$ver/src in the chroot"
	fi

	rm -rf "$out/modules"
	if [ -n "$ko" ]; then
		mkdir -p "$out/modules"
		dv=""
		while read -r k; do
			f=${k#"$MX_ROOT"}
			if [ "$(mx_chroot modinfo -F version "$f")" != "$ver" ] ||
			   ! mx_chroot modinfo -F vermagic "$f" | grep -q "^$MX_KVER "; then
				dv="$dv $(basename "$f"): $(mx_chroot modinfo -F version "$f") / $(mx_chroot modinfo -F vermagic "$f");"
			fi
			f=$(basename "$k")
			mx__plain_ko "$k" "$out/modules/${f%.ko*}.ko"
		done <<<"$ko"
		if [ -z "$dv" ]; then
			pass "matrix-$n-modinfo"
		else
			fail "matrix-$n-modinfo" "$dv"
		fi
	fi

	# --- a second kernel's headers: DKMS builds for it too ---------------
	rc=0
	mx_time "$n: second headers + rebuild" \
		mx_apt ${MX_REL:+-t "$MX_REL"} install "$MX_SECOND_IMAGE_PKG" "linux-headers-$MX_SECOND_KVER" \
		>"$out/second.log" 2>&1 || rc=$?
	f=$(mx__module_file "$MX_ROOT" "$MX_SECOND_KVER")
	if [ "$rc" = 0 ] && [ -n "$f" ] &&
	   mx_chroot dkms status -m snd-omnibus | grep -q "$MX_SECOND_KVER.*installed"; then
		pass "matrix-$n-autorebuild-$MX_SECOND_KVER"
	else
		sed 's/^/    /' "$out/second.log" | tail -n 30
		fail "matrix-$n-autorebuild-$MX_SECOND_KVER" "apt-get exited $rc, module: ${f:-none}"
	fi

	# --- headers of a kernel without ALSA: skipped -----------------------
	if [ -n "$MX_NOSOUND" ]; then
		rc=0
		mx_time "$n: no-sound headers" \
			mx_apt ${MX_REL:+-t "$MX_REL"} install "linux-headers-$MX_NOSOUND_KVER" \
			>"$out/nosound.log" 2>&1 || rc=$?
		f=$(mx__module_file "$MX_ROOT" "$MX_NOSOUND_KVER")
		read -r -a dv <<<"$(mx__dkms_version)"
		if [ "${dv[0]}" = 3 ] && [ "${dv[1]}" = 0 ] && [ "${dv[2]}" -lt 11 ]; then
			# dkms 3.0.0-3.0.10 (Debian 12): autoinstall fails on a
			# BUILD_EXCLUSIVE mismatch (dkms #302, fixed in 3.0.11), so the
			# headers package fails to configure.  README.Debian says so;
			# check it is that and only that, and that purging helps.
			if [ "$rc" != 0 ] && [ -z "$f" ] &&
			   grep -q 'BUILD_EXCLUSIVE directive' "$out/nosound.log" &&
			   grep -q 'header_postinst.d/dkms exited with return code 11' "$out/nosound.log" &&
			   [ -n "$(mx__module_file "$MX_ROOT" "$MX_KVER")" ] &&
			   mx_apt purge "linux-headers-$MX_NOSOUND_KVER" \
				>"$out/nosound-purge.log" 2>&1 &&
			   [ -z "$(mx_chroot dpkg --audit)" ]; then
				echo "NOTE: dkms $(IFS=.; echo "${dv[*]}"): installing linux-headers-$MX_NOSOUND_KVER fails as README.Debian documents (dkms #302); purging it recovers"
				pass "matrix-$n-nosound-dkms302-as-documented"
			else
				sed 's/^/    /' "$out/nosound.log" | tail -n 30
				fail "matrix-$n-nosound-dkms302-as-documented" "apt-get exited $rc, module: ${f:-none}"
			fi
		elif [ "$rc" = 0 ] && [ -z "$f" ] &&
		     ! mx_chroot dkms status -m snd-omnibus | grep -q "$MX_NOSOUND_KVER"; then
			grep -q 'BUILD_EXCLUSIVE' "$out/nosound.log" ||
				echo "NOTE: dkms $(IFS=.; echo "${dv[*]}") does not know BUILD_EXCLUSIVE_CONFIG: it tried the build for $MX_NOSOUND_KVER, which failed, and carried on"
			pass "matrix-$n-nosound-skipped"
		else
			sed 's/^/    /' "$out/nosound.log" | tail -n 30
			fail "matrix-$n-nosound-skipped" "apt-get exited $rc, module: ${f:-none}"
		fi
	fi

	# the guest's kernel, from this suite (before the chroot goes away),
	# unless the host's apt knows it (the host's suite): then vm.sh gets it
	img=""
	MX_IMAGES=()
	if vm__find_image "$MX_KVER"; then
		img=host
	else
		mx_time "$n: linux-image download" mx_image_deb && img=deb
	fi
	# the backends the package has
	ls "$MX_ROOT/usr/src/snd-omnibus-$ver/src"/ich*.c >/dev/null 2>&1 && ich=1
	ls "$MX_ROOT/usr/src/snd-omnibus-$ver/src"/sb16*.c >/dev/null 2>&1 && sb16=1
	ls "$MX_ROOT/usr/src/snd-omnibus-$ver/src"/wss*.c >/dev/null 2>&1 && wss=1

	# --- purge: nothing of ours is left ----------------------------------
	rc=0
	mx_time "$n: purge" mx_chroot apt-get -q -y -o Dpkg::Use-Pty=0 \
		purge snd-omnibus-dkms >"$out/purge.log" 2>&1 || rc=$?
	lines=$(cd "$MX_ROOT" && find . -xdev -name '*omnibus*' ! -path './tmp/*' 2>/dev/null)
	# the kernel packages this test added go too, so that the file lists
	# compare (explicitly: apt's autoremove keeps the newest kernels)
	f=$(mx_chroot dpkg-query -W -f '${Package}\n' | sort | comm -13 "$out/before.pkgs" -)
	# shellcheck disable=SC2086
	[ -z "$f" ] || mx_apt purge --autoremove $f >>"$out/purge.log" 2>&1 || rc=$?
	mx_snapshot "$out/after.files"
	mx_snapshot_diff "$out/before.files" "$out/after.files" >"$out/purge.diff"
	if [ "$rc" = 0 ] && [ -z "$lines" ] && [ ! -s "$out/purge.diff" ]; then
		pass "matrix-$n-purge-leaves-nothing"
	else
		{ printf '%s\n' "$lines"; head -n 30 "$out/purge.diff"; } | sed 's/^/    /'
		fail "matrix-$n-purge-leaves-nothing" "apt-get purge exited $rc; $(printf '%s\n' "$lines" | grep -c .) files named *omnibus*, $(grep -c . "$out/purge.diff") file-list changes"
	fi
	mx_leave

	# --- what the VM needs ----------------------------------------------
	f=1
	for k in $MX_MODULES; do
		[ -f "$out/modules/$k.ko" ] || f=""
	done
	if [ -z "$img" ] || [ -z "$f" ]; then
		fail "matrix-$n-vm" "no linux-image or no module to boot"
		mx__host_save "$out" "" "" "" ""
		return 0
	fi
	if [ "$MX_ARCH" != amd64 ] && ! declare -f vm_run | grep -q "i386"; then
		echo "SKIP: matrix-$n-vm: tests/lib/vm.sh cannot boot $MX_ARCH guests yet"
		mx__host_save "$out" "" "" "" ""
		return 0
	fi
	if [ "$img" = host ]; then
		kver=$MX_KVER
	else
		mx_time "$n: unpack kernel" vm_kernel_deb "${MX_IMAGES[@]}" >"$out/kver"
		kver=$(cat "$out/kver")
	fi
	# the guest's kernel and base initramfs, which vm_run would make
	mx_time "$n: VM kernel + initramfs" vm_base "$kver" >/dev/null
	python3 "$wav" noise "$out/noise44.wav" --rate 44100 --seconds 2.5 --seed 44
	python3 "$wav" noise "$out/noise48.wav" --rate 48000 --seconds 2.5 --seed 48
	# 12 s: past the end of a first SG chunk of up to 2 MiB (10.9 s)
	python3 "$wav" noise "$out/sg48.wav" --rate 48000 --seconds 12 --seed 480
	# one second per virtual PCM device and mode, each its own noise
	for f in 0-rw:70 1-rw:71 2-rw:72 0-mmap:73 1-mmap:74; do
		python3 "$wav" noise "$out/virtual-${f%:*}.wav" --rate 44100 \
			--seconds 1 --seed "${f#*:}"
	done
	mx__host_save "$out" 1 "$kver" "$ich" "$sb16" "$wss"
}

# mx__host_save OUT VM KVER ICH SB16 WSS: what mx__vm needs to know, into
# OUT/host.env (with the times noted so far).
mx__host_save()
{
	local t
	{
		printf 'MX_VM=%q MX_KVER=%q kver=%q ich=%q sb16=%q wss=%q\n' \
			"$2" "$MX_KVER" "$3" "$4" "$5" "${6:-}"
		for t in ${MX_TIMES[@]+"${MX_TIMES[@]}"}; do
			printf 'MX_TIMES+=(%q)\n' "$t"
		done
	} >"$1/host.env"
}

# mx__host_job NAME OUT: mx__host in a subshell of its own (whatever ends
# it, it ends only that), its output into OUT/host.log, then its exit
# status into OUT/host.rc.
mx__host_job()
{
	local n=$1 out=$2
	mkdir -p "$out"
	rm -f "$out/host.rc" "$out/host.env"
	(
		set +e
		(set -e; mx__host "$n" "$out") >"$out/host.log" 2>&1 </dev/null
		echo "$?" >"$out/host.rc.tmp"
		mv -f "$out/host.rc.tmp" "$out/host.rc"
	)
}

# mx__vm NAME OUT: the guest's part of row NAME (after mx__host): boot the
# suite's kernel with the modules DKMS built, check what it reports, and
# print the row's TIME lines.
mx__vm()
{
	local n=$1 out=$2 f MX_VM="" kver="" ich="" sb16="" wss=""
	local -a vfiles=() qa=()

	mx_target "$n"
	MX_TIMES=()
	# shellcheck source=/dev/null
	. "$out/host.env"
	if [ -z "$MX_VM" ]; then
		mx_times
		return 0
	fi
	for f in 0-rw 1-rw 2-rw 0-mmap 1-mmap; do
		vfiles+=(--file "$out/virtual-$f.wav")
	done
	rm -rf "$out/vm"
	mkdir -p "$out/vm"
	qa=(--qemu-args "-device ES1370,audiodev=es"
		--qemu-args "-audiodev wav,id=es,path=$out/vm/es1370.wav"
		--qemu-args "-device AC97,audiodev=ich"
		--qemu-args "-audiodev wav,id=ich,path=$out/vm/ich.wav,out.frequency=48000")
	[ -z "$sb16" ] || qa+=(--qemu-args "-device sb16,audiodev=sb"
		--qemu-args "-audiodev wav,id=sb,path=$out/vm/sb16.wav"
		--qemu-args "-device adlib,audiodev=fm"
		--qemu-args "-audiodev none,id=fm")
	[ -z "$wss" ] || qa+=(--qemu-args "-device cs4231a,irq=7,audiodev=wss"
		--qemu-args "-audiodev wav,id=wss,path=$out/vm/wss.wav")
	[ "$MX_ARCH" = amd64 ] || qa+=(--arch i386)
	{
		echo "ICH=$ich SB16=$sb16 WSS=$wss"
		printf '%s\n' "$PLAY_GUEST" "$MX_SCENARIO"
	} >"$out/scenario"
	mx_time "$n: VM" vm_run --kver "$kver" --module "$out/modules" \
		--out "$out/vm" --timeout 240 "${qa[@]}" \
		--file "$REPO/modprobe/snd-omnibus.conf:snd-omnibus.conf" \
		--file "$out/noise44.wav" --file "$out/noise48.wav" \
		--file "$out/sg48.wav" "${vfiles[@]}" \
		--scenario "$out/scenario" >"$out/vm.log" || true
	mx__vm_checks "$n" "$out" "$ich" "$sb16" "$wss"
	if [ -n "$ich" ] && [ "$MX_ARCH" = amd64 ] &&
	   printf ' %s ' $MX_Q35_ROWS | grep -q " $n "; then
		mx__q35_vm "$n" "$out" "$kver"
	fi
	mx_times
}

# ---- a second VM: q35 with an Intel IOMMU --------------------------------
#
# For the rows of MX_Q35_ROWS the modules DKMS built boot once more with
# the row's kernel on QEMU's q35 with -device intel-iommu and the kernel's
# intel_iommu=on iommu.strict=1 (every unmap flushed from the IOTLB at
# once): the ES1370 and the ICH must sit in IOMMU groups of type DMA, play
# byte for byte through snd-omnibus-es1370 and -ich, and the ICH's 2.5 MiB
# scatter-gather buffer in fragmented memory (as in step 3a of
# MX_SCENARIO; no free block of 4 MiB or more, so the buffer cannot be one
# piece of memory), which these kernels refuse without an IOMMU, must be
# accepted: the IOMMU maps its pages to one range of bus addresses, so the
# driver sees one chunk (its proc file "ich"), and the 11.5 s over it must
# come out byte for byte.  The kernel log must have no report
# (VM_REPORTS=1: DMAR faults among them).  Only one row: about 35 s of VM.
# no_timer_check: see tests/t-pcie-unplug.sh (a boot panic under load
# with interrupt remapping).
MX_Q35_ROWS="7.3"

# shellcheck disable=SC2016 # the guest's shell expands it
MX_Q35_SCENARIO='
card_of() {
	sed -n "s/^ *\([0-9][0-9]*\) \[.*$1.*/\1/p" /proc/asound/cards | head -n 1
}
# VENDOR DEVICE and the type of the IOMMU group of every PCI function
for d in /sys/bus/pci/devices/*; do
	echo "$(cat "$d/vendor") $(cat "$d/device") $(cat "$d/iommu_group/type" 2>/dev/null || echo no-group)"
done >/out/groups.txt
modprobe snd-omnibus-es1370 || exit 1
modprobe snd-omnibus-ich || exit 1
cat /proc/asound/cards >/out/cards.txt
e=$(card_of ES1370)
aplay -q -D "hw:$e,0" /data/noise44.wav 2>/out/aplay-es1370.err
echo "$?" >/out/aplay-es1370.rc
i=$(card_of ICH)
amixer -c "$i" -q sset Master 100% unmute
amixer -c "$i" -q sset PCM 100% unmute
aplay -q -D "hw:$i,0" /data/noise48.wav 2>/out/aplay-ich.err
echo "$?" >/out/aplay-ich.rc
echo 0 >"/proc/asound/card$i/pcm0p/sub0/prealloc"
fragment_memory
# the free blocks per order right before the player (builtins only)
while read -r l; do echo "$l"; done </proc/buddyinfo >/out/buddyinfo-sg.txt
aplay -q -D "hw:$i,0" --buffer-size=655360 --period-size=163840 \
	/data/sg48.wav 2>/out/aplay-ich-sg.err &
sleep 1
cat "/proc/asound/card$i/ich" >/out/ich-sg.txt
unfragment_memory
wait $!
echo "$?" >/out/aplay-ich-sg.rc
echo done >/out/done.txt
'

# mx__q35_vm NAME OUT KVER: the second VM of row NAME (MX_Q35_ROWS) and
# its checks, artifacts in OUT/q35.
mx__q35_vm()
{
	local n=$1 out=$2 kver=$3 vo=$2/q35 f g bad="" big
	local wav=$REPO/tests/lib/wav.py

	rm -rf "$vo"
	mkdir -p "$vo"
	printf '%s\n' "$PLAY_GUEST" "$MX_Q35_SCENARIO" >"$out/q35.scenario"
	VM_REPORTS=1 mx_time "$n: VM q35 + IOMMU" vm_run --kver "$kver" \
		--module "$out/modules" --out "$vo" --timeout 180 \
		--machine q35 --cmdline "intel_iommu=on iommu.strict=1 no_timer_check" \
		--qemu-args "-device intel-iommu" \
		--qemu-args "-device ES1370,audiodev=es" \
		--qemu-args "-audiodev wav,id=es,path=$vo/es1370.wav" \
		--qemu-args "-device AC97,audiodev=ich" \
		--qemu-args "-audiodev wav,id=ich,path=$vo/ich.wav,out.frequency=48000" \
		--file "$out/noise44.wav" --file "$out/noise48.wav" \
		--file "$out/sg48.wav" \
		--scenario "$out/q35.scenario" >"$out/q35.log" || true
	if ! grep -qx 'done' "$vo/done.txt" 2>/dev/null; then
		sed 's/^/    /' "$out/q35.log" | tail -n 40
		fail "matrix-$n-q35-vm" "the scenario did not finish (exit: $(cat "$vo/exit" 2>/dev/null))"
		return 0
	fi
	# both cards in a translated (DMA) domain of the IOMMU
	for f in "0x1274 0x5000" "0x8086 0x2415"; do
		g=$(grep "^$f " "$vo/groups.txt" | cut -d" " -f3)
		[ "$g" = DMA ] || bad="$bad $f: ${g:-absent};"
	done
	if [ -z "$bad" ]; then
		pass "matrix-$n-q35-iommu-dma-groups"
	else
		fail "matrix-$n-q35-iommu-dma-groups" "$bad"
	fi
	check "matrix-$n-q35-es1370-bitexact" python3 "$wav" contains \
		"$out/noise44.wav" "$vo/es1370.wav" --prefix-seconds 2
	check "matrix-$n-q35-ich-bitexact" python3 "$wav" contains \
		"$out/noise48.wav" "$vo/ich.wav" --prefix-seconds 2
	# the SG buffer: no free block of memory could hold it (no block of
	# order 10, 4 MiB, or more free in any zone; order 9 is 2 MiB), yet it
	# is accepted, and the driver sees one range of bus addresses
	sed 's/^/    /' "$vo/hugepages.txt" "$vo/buddyinfo-sg.txt" 2>/dev/null || true
	grep -e 'buffer .* chunks' "$vo/ich-sg.txt" 2>/dev/null | sed 's/^/    ich: /'
	big=$(awk '/zone/ { for (i = 15; i <= NF; i++) n += $i } END { print n + 0 }' \
		"$vo/buddyinfo-sg.txt" 2>/dev/null)
	if [ "$(cat "$vo/aplay-ich-sg.rc" 2>/dev/null)" = 0 ] &&
	   grep -q 'zone' "$vo/buddyinfo-sg.txt" && [ "$big" = 0 ] &&
	   grep -q 'buffer 2621440 bytes in 1 chunks' "$vo/ich-sg.txt"; then
		pass "matrix-$n-q35-ich-sg-accepted"
	else
		sed 's/^/    /' "$vo/aplay-ich-sg.err" 2>/dev/null || true
		grep 'snd_omnibus_ich' "$vo/dmesg.txt" 2>/dev/null | sed 's/^/    dmesg: /'
		fail "matrix-$n-q35-ich-sg-accepted" "aplay exited $(cat "$vo/aplay-ich-sg.rc" 2>/dev/null || echo '(none)'); free blocks of 4 MiB or more: ${big:-?}; $(grep 'buffer .* chunks' "$vo/ich-sg.txt" 2>/dev/null)"
	fi
	check "matrix-$n-q35-ich-sg-bitexact" python3 "$wav" contains \
		"$out/sg48.wav" "$vo/ich.wav" --prefix-seconds 11.5
	if [ -f "$vo/reports.txt" ] && [ ! -s "$vo/reports.txt" ]; then
		check_dmesg_clean "$vo/dmesg.txt" "matrix-$n-q35-dmesg-clean"
	else
		sed 's/^/    /' "$vo/reports.txt" 2>/dev/null | head -n 20
		fail "matrix-$n-q35-dmesg-clean" "$(head -n 1 "$vo/reports.txt" 2>/dev/null || echo 'no reports.txt')"
	fi
}

# ---- the kernel matrix ----------------------------------------------------

# mx_matrix NAME...: the rows NAME of MX_TABLE, in that order, artifacts in
# $TEST_OUT/NAME.  The package is made once ("make deb").  Each row has
# host-side steps (mx__host: chroot, apt, DKMS, purge; one core's work) and
# a VM (mx__vm: QEMU's TCG keeps one core busy): the host-side steps run
# one row after the other in the background, each its own subshell with
# its output kept in a file, while the foreground prints each row's output
# in order and boots its VM as soon as its host-side steps are done.  So
# the next rows' host-side steps run while the VM of this one runs.  A row
# whose host-side steps end early (a step that cannot go on) fails
# "matrix-NAME-host" and the other rows go on.  MATRIX_SERIAL=1: nothing
# in the background (each row's host steps, then its VM).
mx_matrix()
{
	local dir n rc t0 t f chain=""
	local -a names=()

	dir=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-matrix.XXXXXX")}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	t0=$(date +%s%N)
	for n in "$@"; do
		if [ -n "$(printf '%s\n' "$MX_TABLE" | awk -v n="$n" '$1 == n')" ]; then
			names+=("$n")
		else
			fail "matrix-$n" "no kernel $n in MX_TABLE (tests/lib/matrix.sh): $(mx_names | tr '\n' ' ')"
		fi
	done
	[ ${#names[@]} -gt 0 ] || return 0
	# arch-test: mmdebstrap needs it for the i386 chroot (see vm_chroot_i386)
	vm_host_deps mmdebstrap arch-test dpkg-dev debhelper dh-dkms xz-utils zstd
	MX_VER=$(make -s -C "$REPO" version)
	MX_TIMES=()
	mkdir -p "$dir/deb"
	if ! mx_time "make deb (every kernel's)" mx_deb "$dir/deb"; then
		for n in "${names[@]}"; do
			fail "matrix-$n-deb" "make deb failed (see $dir/deb/make-deb.log)"
		done
		return 0
	fi
	mx_times
	MX_TIMES=()
	for n in "${names[@]}"; do
		rm -rf "${dir:?}/$n"
		mkdir -p "$dir/$n"
	done
	if [ "${MATRIX_SERIAL:-0}" != 1 ]; then
		MX_CHAIN_DIR=$dir
		trap mx__chain_stop EXIT
		(
			for n in "${names[@]}"; do
				mx__host_job "$n" "$dir/$n"
			done
		) >"$dir/host-steps.log" 2>&1 &
		chain=$!
		MX_CHAIN=$chain
	fi
	for n in "${names[@]}"; do
		mx_target "$n"
		echo "--- matrix $n: $MX_TITLE"
		if [ -z "$chain" ]; then
			mx__host_job "$n" "$dir/$n"
		else
			while [ ! -f "$dir/$n/host.rc" ] && kill -0 "$chain" 2>/dev/null; do
				sleep 0.5
			done
		fi
		cat "$dir/$n/host.log" 2>/dev/null || true
		# (its FAIL lines counted only in its subshell: count them here)
		f=$(grep -c '^FAIL: ' "$dir/$n/host.log" 2>/dev/null) || true
		TESTS_FAILED=$((TESTS_FAILED + ${f:-0}))
		rc=$(cat "$dir/$n/host.rc" 2>/dev/null || echo "none (the background job is gone)")
		if [ "$rc" != 0 ] || [ ! -f "$dir/$n/host.env" ]; then
			fail "matrix-$n-host" "the host-side steps ended with status $rc before the VM (their output is above; $dir/$n/host.log)"
			continue
		fi
		mx__vm "$n" "$dir/$n"
	done
	if [ -n "$chain" ]; then
		wait "$chain" || true
		trap - EXIT
		MX_CHAIN=""
	fi
	t=$(( ($(date +%s%N) - t0) / 100000000 ))
	printf 'TIME: %-40s %4d.%d s\n' "matrix: ${names[*]}" $((t / 10)) $((t % 10))
}

# mx__kill_tree PID: end PID and every process below it (stopped first, so
# that none starts another meanwhile).
mx__kill_tree()
{
	local c
	kill -STOP "$1" 2>/dev/null || return 0
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		mx__kill_tree "$c"
	done
	kill -TERM "$1" 2>/dev/null || true
	kill -CONT "$1" 2>/dev/null || true
}

# At exit while host-side steps still run in the background (the script
# ended early): end them, and unmount the chroot copies they left.
mx__chain_stop()
{
	local d
	[ -n "${MX_CHAIN:-}" ] || return 0
	mx__kill_tree "$MX_CHAIN"
	wait "$MX_CHAIN" 2>/dev/null || true
	for d in "$MX_CHAIN_DIR"/*/chroot; do
		[ ! -d "$d" ] || mx__rm "$d"
	done
	MX_CHAIN=""
}

# mx__kver_ge KVER MAJOR MINOR: KVER (e.g. 6.12.118+deb13-amd64) is at
# least MAJOR.MINOR.
mx__kver_ge()
{
	local maj min
	maj=${1%%.*}
	min=${1#*.}
	min=${min%%[!0-9]*}
	[ "$maj" -gt "$2" ] || { [ "$maj" = "$2" ] && [ "$min" -ge "$3" ]; }
}

# mx__ich_sg_checks NAME OUT: the ICH's stream from a scatter-gather buffer
# in fragmented memory (scenario step 3a).  Up to 6.1 the ALSA core makes
# the buffer of several pieces when no free block holds it: then the
# buffer must be in pieces, its descriptors in pages that do not follow
# each other, and the stream must play byte for byte over the seams.
# Debian's 6.12 and 7.3 (seen 6 Dec 2026, QEMU -M pc, no IOMMU) make no
# such buffer: hw_params fails with ENOMEM (a 1.25 MiB buffer too, with
# 10-20 MB free but no 2 MiB block).  There the driver must refuse it with
# its one line, and the kernel log stays clean (matrix-N-dmesg-clean).
mx__ich_sg_checks()
{
	local n=$1 vo=$2/vm rc
	rc=$(cat "$vo/aplay-ich-sg.rc" 2>/dev/null || echo none)
	if [ "$rc" != 0 ] && mx__kver_ge "$MX_KVER" 6 12 &&
	   [ "$(grep -c 'snd_omnibus_ich .*: pcmC[0-9]*D0p: no memory for a 2621440-byte buffer' "$vo/dmesg.txt" 2>/dev/null)" = 1 ]; then
		echo "NOTE: $MX_KVER makes no scatter-gather buffer of pieces without an IOMMU: hw_params of the 2.5 MiB buffer in fragmented memory failed (ENOMEM); no pieces to play"
		sed 's/^/    /' "$vo/hugepages.txt" 2>/dev/null || true
		pass "matrix-$n-ich-sg-enomem-one-line"
		return 0
	fi
	check "matrix-$n-ich-sg-pieces" python3 "$REPO/tests/lib/bdl.py" \
		"$vo/ich-sg.txt" --min-bytes $((2 * 1024 * 1024))
	[ "$CHECK_RC" = 0 ] ||
		sed 's/^/    /' "$vo/hugepages.txt" "$vo/buddyinfo.txt" 2>/dev/null || true
	check "matrix-$n-ich-sg-bitexact" python3 "$REPO/tests/lib/wav.py" contains \
		"$2/sg48.wav" "$vo/ich.wav" --prefix-seconds 11.5
	[ "$CHECK_RC" = 0 ] ||
		sed 's/^/    /' "$vo/aplay-ich-sg.err" "$vo/aplay-ich-sg.rc" 2>/dev/null || true
}

# mx__vm_checks NAME OUT ICH SB16 WSS: what the guest reported.
mx__vm_checks()
{
	local n=$1 out=$2 ich=$3 sb16=$4 wss=$5 vo=$2/vm b exp
	local wav=$REPO/tests/lib/wav.py

	b=$vo/bind.txt
	if ! grep -qx 'done' "$b" 2>/dev/null; then
		sed 's/^/    /' "$out/vm.log" | tail -n 40
		fail "matrix-$n-vm" "the scenario did not finish (exit: $(cat "$vo/exit" 2>/dev/null))"
		return 0
	fi
	sed 's/^/    guest: /' "$b"
	# as installed: the in-tree drivers have their chips, no snd-omnibus
	# module is loaded
	if grep -qx 'default es1370=snd_ens1370 ich=snd_intel8x0' "$b" &&
	   ! grep -q '^snd_omnibus_' "$vo/lsmod-default.txt"; then
		pass "matrix-$n-coexist-default-in-tree"
	else
		fail "matrix-$n-coexist-default-in-tree" "$(grep '^default' "$b"; grep -c '^snd_omnibus_' "$vo/lsmod-default.txt") snd_omnibus_* loaded"
	fi
	# loaded by hand: still theirs, one line says so per chip of ours
	exp=0
	[ -z "$ich" ] || exp=1
	if grep -qx 'byhand es1370=snd_ens1370 ich=snd_intel8x0' "$b" &&
	   [ "$(grep -c 'driven by snd_ens1370' "$vo/byhand-dmesg.txt")" = 1 ] &&
	   [ "$(grep -c 'driven by snd_intel8x0' "$vo/byhand-dmesg.txt")" = "$exp" ]; then
		pass "matrix-$n-coexist-byhand-names-holder"
	else
		fail "matrix-$n-coexist-byhand-names-holder" "$(grep '^byhand' "$b"; grep -i 'driven by' "$vo/byhand-dmesg.txt")"
	fi
	# snd-omnibus-virtual leaves free chips alone
	if grep -qx 'unloaded es1370=none ich=none' "$b" &&
	   grep -qx 'noclaim es1370=none ich=none' "$b"; then
		pass "matrix-$n-virtual-module-leaves-chips"
	else
		fail "matrix-$n-virtual-module-leaves-chips" "$(grep -e '^unloaded' -e '^noclaim' "$b")"
	fi
	# the switch: snd-omnibus-es1370 (and -ich) first, they bind
	exp='snd_intel8x0'
	[ -z "$ich" ] || exp='snd_omnibus_ich'
	if grep -qx "switched es1370=snd_omnibus_es1370 ich=$exp" "$b" &&
	   grep -q '^softdep snd_ens1370 pre: snd-omnibus-es1370' "$vo/softdep.txt" &&
	   grep -q '^softdep snd_intel8x0 pre: snd-omnibus-ich' "$vo/softdep.txt" &&
	   grep -q '^snd_omnibus_es1370 ' "$vo/lsmod-switched.txt"; then
		pass "matrix-$n-coexist-switch-binds-snd-omnibus"
	else
		fail "matrix-$n-coexist-switch-binds-snd-omnibus" "$(grep '^switched' "$b"; cat "$vo/softdep.txt")"
	fi
	if grep -qx 'removed es1370=snd_ens1370 ich=snd_intel8x0' "$b"; then
		pass "matrix-$n-coexist-switch-without-module"
	else
		fail "matrix-$n-coexist-switch-without-module" "$(grep '^removed' "$b")"
	fi
	# the virtual card: each PCM device loops back what it played, read/
	# write and mmap (PCM 1 maps through the page callback; PCM 2 moves the
	# samples with the copy callbacks and cannot be mapped)
	for f in 0-rw 1-rw 2-rw 0-mmap 1-mmap; do
		[ ! -f "$vo/virtual-cap-$f.wav.gz" ] ||
			gunzip -f "$vo/virtual-cap-$f.wav.gz" || true
		check "matrix-$n-virtual-$f-bitexact" python3 "$wav" contains \
			"$out/virtual-$f.wav" "$vo/virtual-cap-$f.wav"
		[ "$CHECK_RC" = 0 ] ||
			cat "$vo/aplay-virtual-$f.err" "$vo/arecord-virtual-$f.err" 2>/dev/null |
			sed 's/^/    /'
	done
	if [ "$(cat "$vo/virtual-2-mmap.rc" 2>/dev/null)" = 1 ]; then
		pass "matrix-$n-virtual-2-mmap-refused"
	else
		fail "matrix-$n-virtual-2-mmap-refused" "aplay -M on PCM 2 exited $(cat "$vo/virtual-2-mmap.rc" 2>/dev/null || echo '(no status)')"
	fi
	check "matrix-$n-es1370-bitexact" python3 "$wav" contains \
		"$out/noise44.wav" "$vo/es1370.wav" --prefix-seconds 2
	if [ -n "$ich" ]; then
		check "matrix-$n-ich-bitexact" python3 "$wav" contains \
			"$out/noise48.wav" "$vo/ich.wav" --prefix-seconds 2
		mx__ich_sg_checks "$n" "$out"
	fi
	if [ -n "$sb16" ]; then
		check "matrix-$n-sb16-bitexact" python3 "$wav" contains \
			"$out/noise44.wav" "$vo/sb16.wav" --prefix-seconds 2
		# the OPL3 devices snd-opl3-lib makes for our two FM cards
		if grep -q '^[0-9]*-00: OPL3 FM$' "$vo/hwdep-sb16.txt" 2>/dev/null &&
		   [ "$(grep -c ': OPL3 FM$' "$vo/hwdep-adlib.txt" 2>/dev/null)" = 2 ] &&
		   grep -q 'AdLib FM (OPL3) at 0x388$' "$vo/cards-adlib.txt"; then
			pass "matrix-$n-fm-sb16-and-adlib"
		else
			fail "matrix-$n-fm-sb16-and-adlib" "$(cat "$vo/hwdep-sb16.txt" "$vo/adlib.err" "$vo/cards-adlib.txt" "$vo/hwdep-adlib.txt" 2>&1 | tr '\n' '|')"
		fi
	fi
	if [ -n "$wss" ]; then
		check "matrix-$n-wss-bitexact" python3 "$wav" contains \
			"$out/noise44.wav" "$vo/wss.wav" --prefix-seconds 2
	fi
	check_dmesg_clean "$vo/dmesg.txt" "matrix-$n-dmesg-clean"
}
