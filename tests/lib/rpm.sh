# shellcheck shell=bash
#
# tests/lib/rpm.sh - the .rpm's scriptlets at work in a cached Debian chroot
# of tests/lib/matrix.sh (t-package.sh: Debian 13, dkms 3; t-distro.sh:
# Debian 11, dkms 2.8).  Source it after vm.sh, test.sh and matrix.sh.
#
#   rpm_v2 TARBALL V OUTDIR    a 99.0.0 .rpm of the release tarball TARBALL
#                              (version V) for the upgrade check; prints its
#                              path, nothing if it could not be built
#   rpm_chroot ROW PFX OUTDIR RPM RPM2 V
#                              in an overlay of row ROW's base chroot:
#                              rpm -i, rpm -U to RPM2, rpm -e, with the
#                              checks PFX-rpm-install-builds,
#                              PFX-rpm-upgrade and
#                              PFX-rpm-erase-leaves-nothing
#
# rpm -i --nodeps: in a Debian chroot rpm's database is empty, so rpm cannot
# see that dkms, gcc, make and the kernel headers (Fedora's kernel-devel)
# are installed, by dpkg.  Everything else is what rpm does on Fedora: the
# payload lands, %post runs dkms add/build/install, %preun dkms remove.

rpm_v2()
{
	local tarball=$1 v=$2 d=$3
	rm -rf "$d"
	mkdir -p "$d"
	tar -C "$d" -xzf "$tarball"
	mv "$d/snd-omnibus-$v" "$d/tree"
	sed -i "s/^#define OMNIBUS_VERSION \"$v\"/#define OMNIBUS_VERSION \"99.0.0\"/" \
		"$d/tree/src/omnibus.h"
	sed -i 's/^Version: .*/Version:        99.0.0/' "$d/tree/rpm/snd-omnibus.spec"
	make -C "$d/tree" rpm DIST="$d/dist" >"$d/make-rpm.log" 2>&1 || true
	ls "$d"/dist/snd-omnibus-dkms-99.0.0-*.noarch.rpm 2>/dev/null | head -n 1
}

rpm_chroot()
{
	local row=$1 p=$2 out=$3 rpm=$4 rpm2=$5 v=$6 rc k vs f

	mkdir -p "$out"
	mx_target "$row"
	mx_time "chroot ($row)" mx_base
	mx_enter "$out/rpmchroot"
	mx_apt install rpm >"$out/rpm-apt.log" 2>&1 ||
		{ fail "$p-rpm-install-builds" "apt-get install rpm failed"; mx_leave; return 0; }
	echo "rpm chroot: $MX_TITLE, kernel $MX_KVER," \
		"$(mx_chroot dpkg-query -W -f 'dkms ${Version}, rpm ' dkms)$(mx_chroot rpm --version | awk '{ print $3 }')"
	mx_snapshot "$out/rpm-before.files"
	cp "$rpm" "$MX_ROOT/tmp/"
	[ -z "$rpm2" ] || cp "$rpm2" "$MX_ROOT/tmp/"
	rc=0
	mx_time "rpm -i + %post DKMS build ($row)" mx_chroot rpm -i --nodeps \
		"/tmp/$(basename "$rpm")" >"$out/rpm-install.log" 2>&1 || rc=$?
	k=$(mx__module_file "$MX_ROOT" "$MX_KVER")
	# dkms 2.8 says "snd-omnibus, V, KVER, ARCH: installed", 3.x
	# "snd-omnibus/V, KVER, ARCH: installed"
	if [ "$rc" = 0 ] && [ -n "$k" ] &&
	   mx_chroot dkms status -m snd-omnibus | grep -q "$v, $MX_KVER.*: installed" &&
	   [ -f "$MX_ROOT/etc/modprobe.d/snd-omnibus.conf" ]; then
		pass "$p-rpm-install-builds"
	else
		sed 's/^/    /' "$out/rpm-install.log" | tail -n 30
		fail "$p-rpm-install-builds" "rpm -i exited $rc, module: ${k:-none}"
	fi

	if [ -n "$rpm2" ]; then
		rc=0
		mx_time "rpm -U (upgrade, $row)" mx_chroot rpm -U --nodeps \
			"/tmp/$(basename "$rpm2")" >"$out/rpm-upgrade.log" 2>&1 || rc=$?
		mx_chroot dkms status -m snd-omnibus >"$out/rpm-upgrade-status.txt" 2>&1 || true
		k=$(mx__module_file "$MX_ROOT" "$MX_KVER")
		# the version of each module DKMS installed, once each
		vs=$(while read -r f; do
			[ -z "$f" ] || mx_chroot modinfo -F version "${f#"$MX_ROOT"}"
		done <<<"$k" | sort -u | tr '\n' ' ')
		if [ "$rc" = 0 ] && [ -n "$k" ] && [ "$vs" = "99.0.0 " ] &&
		   grep -q "99.0.0, $MX_KVER.*: installed" "$out/rpm-upgrade-status.txt" &&
		   ! grep -q "$v" "$out/rpm-upgrade-status.txt" &&
		   [ ! -e "$MX_ROOT/usr/src/snd-omnibus-$v" ] &&
		   [ ! -e "$MX_ROOT/var/lib/dkms/snd-omnibus/$v" ]; then
			pass "$p-rpm-upgrade"
		else
			sed 's/^/    /' "$out/rpm-upgrade.log" "$out/rpm-upgrade-status.txt" | tail -n 30
			fail "$p-rpm-upgrade" "rpm -U exited $rc, module versions: ${vs:-none}"
		fi
	else
		fail "$p-rpm-upgrade" "no 99.0.0 .rpm was built"
	fi

	rc=0
	mx_time "rpm -e ($row)" mx_chroot rpm -e snd-omnibus-dkms >"$out/rpm-erase.log" 2>&1 || rc=$?
	mx_snapshot "$out/rpm-after.files"
	# rpm's own database is not ours (Debian 11's rpm keeps it in
	# /root/.rpmdb), nor /usr/share/licenses: rpm makes it for %license,
	# and on Fedora the filesystem package owns it
	mx_snapshot_diff "$out/rpm-before.files" "$out/rpm-after.files" |
		grep -Ev '^[-+] \./(var/lib/rpm|usr/lib/sysimage/rpm|root/\.rpmdb)(/| )' |
		grep -Ev '^\+ \./usr/share/licenses d$' >"$out/rpm-erase.diff" || true
	if [ "$rc" = 0 ] && [ ! -s "$out/rpm-erase.diff" ] &&
	   [ -z "$(cd "$MX_ROOT" && find . -xdev -name '*omnibus*' ! -path './tmp/*')" ]; then
		pass "$p-rpm-erase-leaves-nothing"
	else
		sed 's/^/    /' "$out/rpm-erase.log" "$out/rpm-erase.diff" | head -n 30
		fail "$p-rpm-erase-leaves-nothing" "rpm -e exited $rc, $(grep -c . "$out/rpm-erase.diff") file-list changes"
	fi
	mx_leave
}
