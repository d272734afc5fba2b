#!/bin/bash
# host-only: boots no VM (tests/run.sh runs it beside the VM tests)
#
# t-distro.sh - the package as a distribution builds and checks it (the
# host's own build is t-package.sh):
#
#  - reproducible: two clones of the same commit, in different
#    directories, the second with other file times, umask, time zone and
#    locale and a clock two days ahead (faketime), "make deb" in each: the
#    release tarball, the orig tarball, the .debian.tar.xz, the .dsc and
#    the .deb are byte for byte the same (distro-reproducible-*);
#  - clean chroots: the .dsc of the first clone builds with pbuilder in
#    Debian 12 and Debian 13 base tarballs (mmdebstrap --variant=buildd:
#    build-essential and nothing else; Build-Depends are installed from the
#    archive, the build itself has no network).  The Debian 12 .deb is byte
#    for byte the host's (same debhelper and dh-dkms); the Debian 13 one has
#    the same files (names, modes, owners, times, contents) and control
#    fields as the host's, its maintainer scripts are what Debian 13's
#    dh_dkms writes (shown, not compared).  "Nothing from the host leaks
#    in": the same source without debhelper-compat in Build-Depends must
#    fail in the Debian 12 chroot because dh is missing there;
#  - autopkgtest: debian/tests/control runs /usr/lib/dkms/dkms-autopkgtest
#    for the Debian 13 .deb in an overlay of the cached Debian 13 chroot
#    (tests/lib/matrix.sh, row 6.12, with its kernel headers;
#    autopkgtest-virt-chroot): it passes, its log names our DKMS module
#    and the chroot's kernel, and the seven modules are then installed for
#    that kernel;
#  - the .rpm from the release tarball alone: rpmbuild -ta gives the same
#    files, scriptlets and dependencies as "make rpm"; its scriptlets work
#    with dkms 2 (Debian 11, dkms 2.8.4, row 5.10; tests/lib/rpm.sh, as
#    t-package.sh does with dkms 3): rpm -i builds and installs the
#    modules, an upgrade to 99.0.0 leaves only that one, rpm -e leaves
#    nothing.
#
# Not proven here: sbuild (its unshare mode needs a /etc/subuid range for
# the user it runs as, and root has none here; pbuilder runs as root),
# anything on Fedora (see docs/packaging.md).  The clones are of the
# commit checked out, with the work tree's changes to tracked files (git
# stash create); untracked files are not in them.  A tree without git:
# one copy is built, the distro-reproducible checks are skipped (said).
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

OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-distro.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

vm_host_deps mmdebstrap pbuilder autopkgtest faketime git dpkg-dev \
	debhelper dh-dkms rpm

V=$(make -s -C "$REPO" version)
N=snd-omnibus

# --- two builds of one commit ---------------------------------------------
R1=$OUT/r1/$N
R2=$OUT/r2/elsewhere/other-name
rm -rf "$OUT/r1" "$OUT/r2"
mkdir -p "$OUT/r1" "$OUT/r2/elsewhere"
GIT=""
if [ "$(git -C "$REPO" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$REPO" && pwd -P)" ]; then
	GIT=1
	# the work tree's changes to tracked files as a commit object (no
	# branch, no change to the tree); the identity is for that object only
	COMMIT=$(GIT_AUTHOR_NAME=t-distro GIT_AUTHOR_EMAIL=t-distro@invalid \
		GIT_COMMITTER_NAME=t-distro GIT_COMMITTER_EMAIL=t-distro@invalid \
		git -C "$REPO" stash create)
	if [ -n "$COMMIT" ]; then
		echo "NOTE: the work tree has changes: the clones are of HEAD with them (git stash create)"
	else
		COMMIT=$(git -C "$REPO" rev-parse HEAD)
	fi
	git clone -q "$REPO" "$R1"
	git -C "$R1" checkout -q "$COMMIT"
else
	# a release tarball: one copy, no second build to compare
	(cd "$REPO" && find . -path ./dist -prune -o -path ./tests/out -prune -o \
		-type f -print | cpio -pdm --quiet "$R1")
fi
mx_time "make deb (clone 1)" env -u SOURCE_DATE_EPOCH TZ=UTC LC_ALL=C.UTF-8 \
	bash -c 'umask 022 && make -C "$1" deb' - "$R1" >"$OUT/r1/make-deb.log" 2>&1 ||
	{ tail -n 20 "$OUT/r1/make-deb.log" | sed 's/^/    /'; fail distro-make-deb "make deb failed in $R1"; }
if [ -n "$GIT" ]; then
	# a second clone, made a second later and touched to other times,
	# built two days "later" with another umask, zone and locale
	sleep 1
	(umask 027 && git clone -q "$REPO" "$R2" && git -C "$R2" checkout -q "$COMMIT")
	find "$R2" -path "$R2/.git" -prune -o -exec touch -h -d '2001-02-03 04:05:06' {} +
	mx_time "make deb (clone 2)" env -u SOURCE_DATE_EPOCH TZ=Asia/Kathmandu LC_ALL=C \
		faketime -f +2d bash -c 'umask 027 && make -C "$1" deb' - "$R2" \
		>"$OUT/r2/make-deb.log" 2>&1 ||
		{ tail -n 20 "$OUT/r2/make-deb.log" | sed 's/^/    /'; fail distro-make-deb "make deb failed in $R2"; }
fi

# same FILE: dist/FILE of both clones, byte for byte; evidence if not
same()
{
	local a=$R1/dist/$1 b=$R2/dist/$1
	if [ ! -f "$a" ] || [ ! -f "$b" ]; then
		echo "    missing: $([ -f "$a" ] || echo "$a") $([ -f "$b" ] || echo "$b")"
		return 1
	fi
	cmp -s "$a" "$b" && return 0
	echo "    $1 differs: $(cmp "$a" "$b" 2>&1 | head -n 1)"
	case $1 in
	*.tar.gz | *.tar.xz)
		diff <(tar -tvf "$a") <(tar -tvf "$b") | head -n 10 | sed 's/^/    /'
		;;
	*.deb)
		diff <(dpkg-deb -I "$a"; dpkg-deb -c "$a") \
			<(dpkg-deb -I "$b"; dpkg-deb -c "$b") | head -n 10 | sed 's/^/    /'
		;;
	*)
		diff "$a" "$b" | head -n 10 | sed 's/^/    /'
		;;
	esac
	return 1
}
if [ -z "$GIT" ]; then
	skip distro-reproducible "$REPO is not a git work tree: no commit to clone twice"
else
	for f in "$N-$V.tar.gz:tarball" "deb/${N}_$V.orig.tar.gz:orig" \
		"deb/${N}_$V-1.debian.tar.xz:debian-tar" "deb/${N}_$V-1.dsc:dsc" \
		"${N}-dkms_$V-1_all.deb:deb"; do
		if same "${f%:*}"; then
			pass "distro-reproducible-${f##*:}"
		else
			fail "distro-reproducible-${f##*:}" "dist/${f%:*} differs between the two clones (or is missing)"
		fi
	done
fi
DSC=$R1/dist/deb/${N}_$V-1.dsc
HOSTDEB=$R1/dist/${N}-dkms_$V-1_all.deb

# --- pbuilder in clean chroots --------------------------------------------
# A base tarball per suite, $CACHE/pbuilder/SUITE.tgz: mmdebstrap's buildd
# variant (essential, apt, build-essential).  Rebuilt when its recipe
# changes or when it is a week old; apt's lists are refreshed before each
# build anyway (hook D10update), so an older tarball still finds the
# archive's current Build-Depends.
PB=$CACHE/pbuilder
PB_RECIPE="1 --variant=buildd $MX_MIRROR"
mkdir -p "$PB" "$OUT/hooks"
printf '#!/bin/sh\nset -e\napt-get -q update >/dev/null\n' >"$OUT/hooks/D10update"
chmod 755 "$OUT/hooks/D10update"

# pb_build SUITE DSC RESULT: build DSC in SUITE's base into RESULT (log
# RESULT.log), under the suite's lock (the base and its apt cache).
pb_build()
{
	local s=$1 dsc=$2 res=$3 lock rc=0

	exec {lock}>"$PB/.$s.lock"
	flock "$lock"
	if [ "$(cat "$PB/$s.stamp" 2>/dev/null)" != "$PB_RECIPE $s" ] ||
	   [ -n "$(find "$PB/$s.tgz" -mtime +6 2>/dev/null)" ] || [ ! -f "$PB/$s.tgz" ]; then
		vm_log "building the pbuilder base $PB/$s.tgz"
		rm -f "$PB/$s.tmp.tar.gz" "$PB/$s.stamp"
		mx_time "pbuilder base $s (mmdebstrap)" mmdebstrap --quiet --variant=buildd "$s" "$PB/$s.tmp.tar.gz" "$MX_MIRROR" ||
			{ exec {lock}>&-; vm_log "mmdebstrap $s failed"; return 1; }
		mv -f "$PB/$s.tmp.tar.gz" "$PB/$s.tgz"
		echo "$PB_RECIPE $s" >"$PB/$s.stamp"
	fi
	mkdir -p "$PB/aptcache-$s" "$OUT/pbuild"
	cat >"$OUT/pbuilderrc-$s" <<-EOF
		PBUILDERSATISFYDEPENDSCMD=/usr/lib/pbuilder/pbuilder-satisfydepends-apt
		APTCACHE=$PB/aptcache-$s
		HOOKDIR=$OUT/hooks
		USENETWORK=no
	EOF
	rm -rf "$res"
	mkdir -p "$res"
	pbuilder build --configfile "$OUT/pbuilderrc-$s" --basetgz "$PB/$s.tgz" \
		--buildplace "$OUT/pbuild" --buildresult "$res" "$dsc" >"$res.log" 2>&1 || rc=$?
	exec {lock}>&-
	return "$rc"
}

# deb_files DEB: the data files (mode, owner, size, time, name) and the
# control fields of DEB; deb_tree DEB DIR: its files and control members
deb_files()
{
	dpkg-deb --fsys-tarfile "$1" | tar -tv --numeric-owner
	dpkg-deb -f "$1"
}

for s in bookworm trixie; do
	res=$OUT/pbuilder-$s
	if mx_time "pbuilder ($s)" pb_build "$s" "$DSC" "$res"; then
		:
	else
		tail -n 20 "$res.log" | sed 's/^/    /'
	fi
	deb=$res/${N}-dkms_$V-1_all.deb
	if [ ! -f "$deb" ]; then
		fail "distro-pbuilder-$s-builds" "no .deb from pbuilder (see $res.log)"
		continue
	fi
	pass "distro-pbuilder-$s-builds"
	echo "    $s: $(grep -o -m 2 -e 'debhelper (= [^)]*)' -e 'dh-dkms (= [^)]*)' \
		"$res"/*.buildinfo | tr '\n' ' ')"
	rm -rf "$res/tree" "$res/host"
	dpkg-deb -x "$deb" "$res/tree"
	dpkg-deb -x "$HOSTDEB" "$res/host"
	if diff <(deb_files "$HOSTDEB") <(deb_files "$deb") >"$res/files.diff" &&
	   diff -r "$res/host" "$res/tree" >>"$res/files.diff"; then
		pass "distro-pbuilder-$s-same-files"
	else
		head -n 20 "$res/files.diff" | sed 's/^/    /'
		fail "distro-pbuilder-$s-same-files" "the .deb from pbuilder ($s) has other files or fields than the host's"
	fi
	if cmp -s "$deb" "$HOSTDEB"; then
		echo "    $s: the .deb is byte for byte the host's"
		[ "$s" != bookworm ] || pass "distro-pbuilder-$s-same-bytes"
	else
		rm -rf "$res/ctl" "$res/hostctl"
		dpkg-deb -e "$deb" "$res/ctl"
		dpkg-deb -e "$HOSTDEB" "$res/hostctl"
		diff -r "$res/hostctl" "$res/ctl" | head -n 20 | sed 's/^/    control: /'
		if [ "$s" = bookworm ]; then
			fail "distro-pbuilder-$s-same-bytes" "the .deb built in a clean Debian 12 differs from the host's (Debian 12)"
		fi
	fi
done

# Nothing from the host: without debhelper-compat (which pulls debhelper)
# in Build-Depends, the clean Debian 12 chroot has no dh and the build must
# fail for that reason, although the host has debhelper installed.
L=$OUT/leak
rm -rf "$L"
mkdir -p "$L"
dpkg-source -x "$DSC" "$L/src" >/dev/null
sed -i 's/^Build-Depends: debhelper-compat (= 13), /Build-Depends: /' "$L/src/debian/control"
if grep -q '^Build-Depends: dh-sequence-dkms$' "$L/src/debian/control"; then
	cp "$R1/dist/deb/${N}_$V.orig.tar.gz" "$L/"
	(cd "$L" && dpkg-source -b src) >"$L/source.log" 2>&1
	rc=0
	mx_time "pbuilder without debhelper-compat" pb_build bookworm \
		"$L/${N}_$V-1.dsc" "$L/res" || rc=$?
	if [ "$rc" != 0 ] && [ ! -f "$L/res/${N}-dkms_$V-1_all.deb" ] &&
	   grep -Eq 'dh: (not found|No such file|command not found)' "$L/res.log"; then
		grep -E -m 1 'dh: (not found|No such file|command not found)' "$L/res.log" | sed 's/^/    /'
		pass distro-pbuilder-no-host-leak
	else
		tail -n 15 "$L/res.log" | sed 's/^/    /'
		fail distro-pbuilder-no-host-leak "a build without debhelper-compat exited $rc, not failing for want of dh"
	fi
else
	fail distro-pbuilder-no-host-leak "could not drop debhelper-compat from Build-Depends: $(grep '^Build-Depends' "$L/src/debian/control")"
fi

# --- autopkgtest ------------------------------------------------------------
TRIXIEDEB=$OUT/pbuilder-trixie/${N}-dkms_$V-1_all.deb
apt_test()
{
	local a=$OUT/autopkgtest rc=0 k

	rm -rf "$a"
	mkdir -p "$a"
	mx_target 6.12
	mx_time "chroot (6.12)" mx_base
	mx_enter "$a/testbed"
	mx_time "autopkgtest (Debian 13)" autopkgtest -B "$TRIXIEDEB" "$DSC" \
		-- chroot "$MX_ROOT" >"$a/log" 2>&1 || rc=$?
	k=$(mx__module_file "$MX_ROOT" "$MX_KVER")
	grep -E '^I: (PASS|FAIL|SKIP) |^dkms-autopkgtest ' "$a/log" | sed 's/^/    /'
	if [ "$rc" = 0 ] && grep -Eq '^dkms-autopkgtest +PASS' "$a/log" &&
	   grep -q "^I: Trying to build $N/$V for $MX_KVER\$" "$a/log" &&
	   grep -q "^I: PASS $N/$V $MX_KVER\$" "$a/log" &&
	   [ "$(printf '%s\n' "$k" | grep -c .)" = 7 ]; then
		pass distro-autopkgtest-dkms
	else
		tail -n 30 "$a/log" | sed 's/^/    /'
		fail distro-autopkgtest-dkms "autopkgtest exited $rc; modules installed for $MX_KVER: $(printf '%s\n' "$k" | grep -c .)"
	fi
	mx_leave
}
if [ -f "$TRIXIEDEB" ]; then
	apt_test
else
	fail distro-autopkgtest-dkms "no Debian 13 .deb from pbuilder"
fi

# --- the .rpm from the release tarball ----------------------------------------
TARBALL=$R1/dist/$N-$V.tar.gz
RT=$OUT/rpmbuild-ta
rm -rf "$RT"
mkdir -p "$RT"
make -C "$R1" rpm >"$OUT/make-rpm.log" 2>&1 || true
if mx_time "rpmbuild -ta" rpmbuild --define "_topdir $RT" -ta "$TARBALL" \
	>"$RT.log" 2>&1; then
	:
fi
RPM=$(ls "$RT"/RPMS/noarch/$N-dkms-"$V"-*.noarch.rpm 2>/dev/null | head -n 1)
SRPM=$(ls "$RT"/SRPMS/$N-"$V"-*.src.rpm 2>/dev/null | head -n 1)
MRPM=$(ls "$R1"/dist/$N-dkms-"$V"-*.noarch.rpm 2>/dev/null | head -n 1)
# rpm_facts RPM: files (mode, owner, digest), scriptlets, dependencies
rpm_facts()
{
	rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEDIGESTS} %{FILENAMES}\n]' "$1"
	rpm -qp --scripts "$1"
	rpm -qp --requires --provides "$1"
}
if [ -n "$RPM" ] && [ -n "$SRPM" ] && [ -n "$MRPM" ] &&
   diff <(rpm_facts "$MRPM") <(rpm_facts "$RPM") >"$RT.diff"; then
	pass distro-rpmbuild-ta
else
	tail -n 10 "$RT.log" "$OUT/make-rpm.log" "$RT.diff" 2>/dev/null | sed 's/^/    /'
	fail distro-rpmbuild-ta "rpmbuild -ta: rpm ${RPM:-none}, src.rpm ${SRPM:-none}; make rpm: ${MRPM:-none}; or they differ"
fi

# the scriptlets with dkms 2 (Debian 11)
if [ -n "$RPM" ]; then
	RPM2=$(rpm_v2 "$TARBALL" "$V" "$OUT/v2")
	[ -n "$RPM2" ] || tail -n 10 "$OUT/v2/make-rpm.log" | sed 's/^/    /'
	rpm_chroot 5.10 distro-dkms2 "$OUT/dkms2" "$RPM" "$RPM2" "$V"
fi

mx_times
test_done
