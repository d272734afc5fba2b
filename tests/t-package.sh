#!/bin/bash
# host-only: boots no VM (tests/run.sh runs it beside the VM tests)
#
# t-package.sh - the packaging, without the kernel matrix (t-matrix.sh):
#
#  - one version: OMNIBUS_VERSION in src/omnibus.h (MODULE_VERSION, and
#    what modinfo says of each of the six built modules), debian/changelog, the spec's
#    Version and %changelog, and the dkms.conf inside both packages agree;
#    a package build with a disagreeing version is refused;
#  - dkms.conf: the directives the packaging relies on (one BUILT_MODULE_NAME
#    per module), nothing deprecated, no `uname -r`;
#  - "make deb": lintian --pedantic reports no error and no warning (the
#    overrides carry their reasons), the .deb holds the DKMS tree and the
#    modprobe.d switch as a conffile, and debian/ has no hand-written
#    maintainer scripts;
#  - "make rpm": rpmlint reports no error (rpm/snd-omnibus.rpmlintrc says
#    why each filter is there); in a Debian 13 chroot with dkms and headers
#    the .rpm installs (rpm -i --nodeps: see below) and its %post builds and
#    installs the modules, an upgrade to a newer version leaves only that one
#    in DKMS, and rpm -e removes every file of ours;
#  - "make install"/"make uninstall" with DESTDIR, and for real (depmod) in
#    a Debian 12 chroot, where modprobe finds all six modules, each
#    backend pulls in snd-omnibus-core and no other backend, and only
#    snd-omnibus-ich depends on snd-ac97-codec; "make dkms-install"/"make dkms-uninstall" there too;
#    each leaves the file system as it found it.
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment), or
# alone as root.

set -eu
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
# shellcheck source=lib/matrix.sh
. "$REPO/tests/lib/matrix.sh"
# shellcheck source=lib/rpm.sh
. "$REPO/tests/lib/rpm.sh"

OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-package.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
MODULE=${MODULE:-$REPO/src}
MODS="snd-omnibus-core snd-omnibus-virtual snd-omnibus-es1370 snd-omnibus-ich snd-omnibus-sb16 snd-omnibus-wss snd-omnibus-adlib"
KVER=${KVER:-$(vm_kver)}

vm_host_deps mmdebstrap dpkg-dev debhelper dh-dkms lintian rpm rpmlint

# --- one version --------------------------------------------------------
V=$(make -s -C "$REPO" version)
V_DEB=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
V_SPEC=$(rpmspec -q --srpm --qf '%{version}\n' "$REPO/rpm/snd-omnibus.spec" 2>/dev/null)
V_SPECLOG=$(sed -n '/^%changelog/,$ s/^\* .* - \([^ -]*\)-[^ -]*$/\1/p' \
	"$REPO/rpm/snd-omnibus.spec" | head -n 1)
# every module carries it; V_MOD is theirs if they agree
V_MOD=""
for m in $MODS; do
	v=""
	[ -f "$MODULE/$m.ko" ] && v=$(modinfo -F version "$MODULE/$m.ko")
	if [ -z "$v" ]; then
		V_MOD="" && break
	elif [ -z "$V_MOD" ] || [ "$V_MOD" = "$v" ]; then
		V_MOD=$v
	else
		V_MOD="$V_MOD/$v" && break
	fi
done
echo "versions: src/omnibus.h $V, module ${V_MOD:-(not built)}," \
	"debian/changelog $V_DEB, spec $V_SPEC (%changelog $V_SPECLOG)"
if [ -n "$V" ] && [ "${V_DEB%-*}" = "$V" ] && [ "$V_SPEC" = "$V" ] &&
   [ "$V_SPECLOG" = "$V" ] && [ "$V_MOD" = "$V" ]; then
	pass package-version-agrees
else
	fail package-version-agrees "src/omnibus.h $V, module '$V_MOD', debian/changelog $V_DEB, spec $V_SPEC / $V_SPECLOG"
fi

# --- dkms.conf ------------------------------------------------------------
C=$REPO/dkms.conf
bad=""
i=0
for m in $MODS; do
	for want in "^BUILT_MODULE_NAME\\[$i\\]=\"$m\"\$" \
		"^BUILT_MODULE_LOCATION\\[$i\\]=\"src\"\$" \
		"^DEST_MODULE_LOCATION\\[$i\\]=\"/updates/dkms\"\$"; do
		grep -Eq "$want" "$C" || bad="$bad missing:$want"
	done
	i=$((i + 1))
done
grep -q "^BUILT_MODULE_NAME\\[$i\\]" "$C" && bad="$bad more modules than $MODS"
for want in '^PACKAGE_NAME="snd-omnibus"$' '^PACKAGE_VERSION="#MODULE_VERSION#"$' \
	'^AUTOINSTALL="yes"$' \
	'^MAKE\[0\]="make -C \$\{kernel_source_dir\} ' \
	'^BUILD_EXCLUSIVE_CONFIG=".*CONFIG_SND .*CONFIG_SND_PCM.*"$'; do
	grep -Eq "$want" "$C" || bad="$bad missing:$want"
done
for unwanted in REMAKE_INITRD CLEAN MODULES_CONF 'uname' OBSOLETE_BY; do
	grep -v '^ *#' "$C" | grep -q "$unwanted" && bad="$bad has:$unwanted"
done
if [ -z "$bad" ]; then
	pass package-dkms-conf
else
	fail package-dkms-conf "$bad"
fi

# --- the .deb -----------------------------------------------------------
rm -rf "$OUT/dist"
if mx_time "make deb" make -C "$REPO" deb DIST="$OUT/dist" >"$OUT/make-deb.log" 2>&1; then
	pass package-make-deb
else
	tail -n 30 "$OUT/make-deb.log" | sed 's/^/    /'
	fail package-make-deb "make deb failed"
fi
DEB=$(ls "$OUT"/dist/snd-omnibus-dkms_*_all.deb 2>/dev/null | head -n 1)
CHANGES=$(ls "$OUT"/dist/deb/snd-omnibus_*.changes 2>/dev/null | head -n 1)
if [ -n "$CHANGES" ]; then
	# lintian refuses nothing as root, but says so: drop that line
	rc=0
	mx_time lintian lintian --pedantic -I -E --show-overrides --color never \
		"$CHANGES" >"$OUT/lintian.raw" 2>&1 || rc=$?
	grep -v 'running with root privileges' "$OUT/lintian.raw" >"$OUT/lintian.txt" || true
	sed 's/^/    lintian: /' "$OUT/lintian.txt"
	# lintian 2.116 exits 0 when it ran and found no error tag, 1 on a
	# run-time error, 2 on error tags or a file it cannot read; not
	# installed, 127: whatever it is, anything but 0 is no clean bill
	if [ "$rc" != 0 ]; then
		fail package-lintian "lintian exited $rc: $(grep -m 1 '^[EW]: ' "$OUT/lintian.txt" ||
			tail -n 1 "$OUT/lintian.txt")"
	elif grep -q '^[EW]: ' "$OUT/lintian.txt"; then
		fail package-lintian "$(grep '^[EW]: ' "$OUT/lintian.txt" | head -n 1)"
	else
		pass package-lintian
	fi
else
	fail package-lintian "no .changes to check"
fi
if [ -n "$DEB" ]; then
	dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./||' >"$OUT/deb-files.txt"
	dpkg-deb -x "$DEB" "$OUT/deb-tree"
	dpkg-deb -e "$DEB" "$OUT/deb-control"
	bad=""
	d=usr/src/snd-omnibus-$V
	for f in $d/dkms.conf $d/Kbuild $d/src/Kbuild etc/modprobe.d/snd-omnibus.conf; do
		grep -qx "$f" "$OUT/deb-files.txt" || bad="$bad missing:$f"
	done
	for f in "$REPO"/src/*.[ch]; do
		case $f in *.mod.c) continue ;; esac
		grep -qx "$d/src/${f##*/}" "$OUT/deb-files.txt" || bad="$bad missing:$d/src/${f##*/}"
	done
	grep -q "^PACKAGE_VERSION=\"$V\"$" "$OUT/deb-tree/$d/dkms.conf" ||
		bad="$bad dkms.conf-version"
	grep -qx /etc/modprobe.d/snd-omnibus.conf "$OUT/deb-control/conffiles" ||
		bad="$bad not-a-conffile"
	dpkg-deb -f "$DEB" Depends | grep -q 'dkms' || bad="$bad no-dkms-depends"
	for f in preinst postinst prerm postrm config; do
		[ ! -e "$REPO/debian/$f" ] && [ ! -e "$REPO/debian/snd-omnibus-dkms.$f" ] ||
			bad="$bad hand-written:$f"
	done
	if [ -z "$bad" ]; then
		pass package-deb-contents
	else
		fail package-deb-contents "$bad"
	fi
else
	fail package-deb-contents "no .deb"
fi

# A version that disagrees is refused: by "make deb"/"make rpm" (make
# version-check), and by the packaging itself when a packager runs
# dpkg-buildpackage or rpmbuild on such a tree.
mismatch()
{
	local m=$OUT/mismatch ok=1
	rm -rf "$m"
	mkdir -p "$m/tree"
	(cd "$REPO" && { git ls-files -co --exclude-standard 2>/dev/null || find . -type f; } |
		grep -v -e '^dist/' -e '^tests/out/' | while read -r f; do
			[ -f "$f" ] && printf '%s\n' "$f"
		done | cpio -pdm --quiet "$m/tree")
	sed -i 's/^Version: .*/Version:        99.0.0/' "$m/tree/rpm/snd-omnibus.spec"
	sed -i '1s/(\([^)]*\))/(99.0.0-1)/' "$m/tree/debian/changelog"
	for t in deb rpm; do
		if make -C "$m/tree" "$t" DIST="$m/dist" >"$m/make-$t.log" 2>&1 ||
		   ! grep -q "version mismatch: src/omnibus.h says $V" "$m/make-$t.log"; then
			tail -n 5 "$m/make-$t.log" | sed 's/^/    /'
			ok=0
		fi
	done
	# dpkg-buildpackage on the tree: debian/rules refuses
	if (cd "$m/tree" && dpkg-buildpackage -us -uc -b) >"$m/dpkg.log" 2>&1 ||
	   ! grep -q "debian/changelog says 99.0.0 but src/omnibus.h says '$V'" "$m/dpkg.log"; then
		tail -n 5 "$m/dpkg.log" | sed 's/^/    /'
		ok=0
	fi
	# rpmbuild on a 99.0.0 tarball of it: %prep refuses
	mkdir -p "$m/rpm/SOURCES"
	tar -C "$m" -czf "$m/rpm/SOURCES/snd-omnibus-99.0.0.tar.gz" \
		--transform 's,^tree,snd-omnibus-99.0.0,' tree
	if rpmbuild --define "_topdir $m/rpm" -bb "$m/tree/rpm/snd-omnibus.spec" \
		>"$m/rpmbuild.log" 2>&1 ||
	   ! grep -q "the spec says 99.0.0 but src/omnibus.h says '$V'" "$m/rpmbuild.log"; then
		tail -n 5 "$m/rpmbuild.log" | sed 's/^/    /'
		ok=0
	fi
	if [ "$ok" = 1 ]; then
		pass package-version-mismatch-refused
	else
		fail package-version-mismatch-refused "a package with version 99.0.0 was built, or not refused for that reason"
	fi
	rm -rf "$m"
}
mismatch

# --- the .rpm -----------------------------------------------------------
if mx_time "make rpm" make -C "$REPO" rpm DIST="$OUT/dist" >"$OUT/make-rpm.log" 2>&1; then
	pass package-make-rpm
else
	tail -n 30 "$OUT/make-rpm.log" | sed 's/^/    /'
	fail package-make-rpm "make rpm failed"
fi
RPM=$(ls "$OUT"/dist/snd-omnibus-dkms-*.noarch.rpm 2>/dev/null | head -n 1)
SRPM=$(ls "$OUT"/dist/snd-omnibus-*.src.rpm 2>/dev/null | head -n 1)
if [ -n "$RPM" ]; then
	(cd "$REPO" && rpmlint -r rpm/snd-omnibus.rpmlintrc rpm/snd-omnibus.spec \
		"$RPM" ${SRPM:+"$SRPM"}) >"$OUT/rpmlint.txt" 2>&1 || true
	grep -v '^rpmlintrc:\|^checks:\|^$' "$OUT/rpmlint.txt" | sed 's/^/    rpmlint: /'
	if grep -q ': E: ' "$OUT/rpmlint.txt" ||
	   ! grep -q ' 0 errors' "$OUT/rpmlint.txt"; then
		fail package-rpmlint "$(grep ': E: ' "$OUT/rpmlint.txt" | head -n 1)"
	else
		pass package-rpmlint
	fi
	bad=""
	rpm -qlp "$RPM" >"$OUT/rpm-files.txt"
	for f in /usr/src/snd-omnibus-$V/dkms.conf /usr/src/snd-omnibus-$V/Kbuild \
		/usr/src/snd-omnibus-$V/src/Kbuild \
		/etc/modprobe.d/snd-omnibus.conf; do
		grep -qx "$f" "$OUT/rpm-files.txt" || bad="$bad missing:$f"
	done
	[ "$(rpm -qp --qf '%{arch}' "$RPM")" = noarch ] || bad="$bad not-noarch"
	rpm -qpc "$RPM" | grep -qx /etc/modprobe.d/snd-omnibus.conf || bad="$bad not-config"
	rpm -qp --scripts "$RPM" >"$OUT/rpm-scripts.txt"
	for w in "dkms add -m snd-omnibus -v $V --rpm_safe_upgrade" \
		"dkms build -m snd-omnibus -v $V" "dkms install -m snd-omnibus -v $V" \
		"dkms remove -m snd-omnibus -v $V --all --rpm_safe_upgrade"; do
		grep -qF -- "$w" "$OUT/rpm-scripts.txt" || bad="$bad scripts:'$w'"
	done
	for w in dkms kernel-devel gcc make; do
		rpm -qp --requires "$RPM" | grep -qx "$w" || bad="$bad requires:$w"
	done
	if [ -z "$bad" ]; then
		pass package-rpm-contents
	else
		fail package-rpm-contents "$bad"
	fi
else
	fail package-rpmlint "no .rpm"
fi

# --- the .rpm in a chroot with dkms 3 and headers (Debian 13) --------------
# tests/lib/rpm.sh: rpm -i, rpm -U to a 99.0.0 package, rpm -e
if [ -n "$RPM" ]; then
	RPM2=$(rpm_v2 "$OUT/dist/snd-omnibus-$V.tar.gz" "$V" "$OUT/v2")
	[ -n "$RPM2" ] || tail -n 10 "$OUT/v2/make-rpm.log" | sed 's/^/    /'
	rpm_chroot 6.12 package "$OUT" "$RPM" "$RPM2" "$V"
fi

# --- make install / uninstall ---------------------------------------------
S=$OUT/stage
rm -rf "$S"
if make -C "$REPO" install DESTDIR="$S" KVER="$KVER" >"$OUT/install-destdir.log" 2>&1 &&
   [ "$(cd "$S/lib/modules/$KVER/updates" && ls | tr '\n' ' ')" = \
	"snd-omnibus-adlib.ko snd-omnibus-core.ko snd-omnibus-es1370.ko snd-omnibus-ich.ko snd-omnibus-sb16.ko snd-omnibus-virtual.ko snd-omnibus-wss.ko " ] &&
   cmp -s "$REPO/modprobe/snd-omnibus.conf" "$S/etc/modprobe.d/snd-omnibus.conf" &&
   make -C "$REPO" uninstall DESTDIR="$S" KVER="$KVER" >>"$OUT/install-destdir.log" 2>&1 &&
   [ -z "$(find "$S" -type f)" ]; then
	pass package-make-install-destdir
else
	tail -n 20 "$OUT/install-destdir.log" | sed 's/^/    /'
	fail package-make-install-destdir "see $OUT/install-destdir.log"
fi
rm -rf "$S"

# For real, and with DKMS, in a Debian 12 chroot: the tree as a user has it.
manual_chroot()
{
	local rc=0 k mk

	mx_target 6.1
	mx_time "chroot (6.1)" mx_base
	mx_enter "$OUT/manual"
	mkdir -p "$MX_ROOT/tmp/src"
	tar -C "$MX_ROOT/tmp/src" -xzf "$OUT/dist/snd-omnibus-$V.tar.gz"
	mk="make -C /tmp/src/snd-omnibus-$V KVER=$MX_KVER"
	mx_snapshot "$OUT/manual-before.files"

	mx_time "make install" mx_chroot $mk install >"$OUT/manual-install.log" 2>&1 || rc=$?
	why=""
	for m in $MODS; do
		[ -f "$MX_ROOT/lib/modules/$MX_KVER/updates/$m.ko" ] &&
			grep -q "^updates/$m.ko:" "$MX_ROOT/lib/modules/$MX_KVER/modules.dep" &&
			mx_chroot modprobe -S "$MX_KVER" --show-depends "$m" | grep -q "updates/$m.ko" ||
			why="$why $m not installed or not found by modprobe;"
	done
	# every backend pulls in the core and no other backend; the AC'97
	# codec library is a dependency of snd-omnibus-ich only
	for m in $MODS; do
		deps=$(mx_chroot modprobe -S "$MX_KVER" --show-depends "$m" |
			sed -n 's|.*/updates/\(snd-omnibus-[a-z0-9]*\)\.ko.*|\1|p' | sort | paste -sd, -)
		case $m in
		*-core) [ "$deps" = "$m" ] || why="$why $m pulls in $deps;" ;;
		*) [ "$deps" = "$(printf '%s\n' snd-omnibus-core "$m" | sort | paste -sd, -)" ] ||
			why="$why $m pulls in $deps, not snd-omnibus-core and itself;" ;;
		esac
		case $m in
		*-ich) mx_chroot modprobe -S "$MX_KVER" --show-depends "$m" | grep -q snd-ac97-codec ||
			why="$why $m does not pull in snd-ac97-codec;" ;;
		*) ! mx_chroot modprobe -S "$MX_KVER" --show-depends "$m" | grep -q snd-ac97-codec ||
			why="$why $m pulls in snd-ac97-codec;" ;;
		esac
	done
	if [ "$rc" = 0 ] && [ -z "$why" ]; then
		pass package-make-install
	else
		tail -n 20 "$OUT/manual-install.log" | sed 's/^/    /'
		fail package-make-install "make install exited $rc;$why"
	fi
	rc=0
	mx_chroot $mk uninstall >>"$OUT/manual-install.log" 2>&1 || rc=$?
	mx_chroot $mk clean >/dev/null 2>&1 || true
	mx_snapshot "$OUT/manual-after.files"
	mx_snapshot_diff "$OUT/manual-before.files" "$OUT/manual-after.files" >"$OUT/manual.diff"
	if [ "$rc" = 0 ] && [ ! -s "$OUT/manual.diff" ]; then
		pass package-make-uninstall-leaves-nothing
	else
		sed 's/^/    /' "$OUT/manual.diff" | head -n 20
		fail package-make-uninstall-leaves-nothing "make uninstall exited $rc, $(grep -c . "$OUT/manual.diff") changes"
	fi

	rc=0
	mx_time "make dkms-install" mx_chroot $mk dkms-install >"$OUT/dkms-install.log" 2>&1 || rc=$?
	k=$(mx__module_file "$MX_ROOT" "$MX_KVER")
	if [ "$rc" = 0 ] && [ -n "$k" ] &&
	   mx_chroot dkms status -m snd-omnibus | grep -q "$V, $MX_KVER.*: installed" &&
	   grep -q "^PACKAGE_VERSION=\"$V\"$" "$MX_ROOT/usr/src/snd-omnibus-$V/dkms.conf"; then
		pass package-make-dkms-install
	else
		tail -n 20 "$OUT/dkms-install.log" | sed 's/^/    /'
		fail package-make-dkms-install "make dkms-install exited $rc"
	fi
	rc=0
	mx_chroot $mk dkms-uninstall >>"$OUT/dkms-install.log" 2>&1 || rc=$?
	mx_chroot $mk clean >/dev/null 2>&1 || true
	mx_snapshot "$OUT/dkms-after.files"
	mx_snapshot_diff "$OUT/manual-before.files" "$OUT/dkms-after.files" >"$OUT/dkms.diff"
	if [ "$rc" = 0 ] && [ ! -s "$OUT/dkms.diff" ]; then
		pass package-make-dkms-uninstall-leaves-nothing
	else
		sed 's/^/    /' "$OUT/dkms.diff" | head -n 20
		fail package-make-dkms-uninstall-leaves-nothing "make dkms-uninstall exited $rc, $(grep -c . "$OUT/dkms.diff") changes"
	fi
	mx_leave
}
if [ -f "$OUT/dist/snd-omnibus-$V.tar.gz" ]; then
	manual_chroot
else
	fail package-make-install "no release tarball"
fi

mx_times
test_done
