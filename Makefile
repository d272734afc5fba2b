# SPDX-License-Identifier: GPL-2.0
#
# snd-omnibus top-level Makefile.  The modules' Kbuild file is src/Kbuild.
#
#   make                   build the modules, src/snd-omnibus-*.ko (core,
#                          virtual, es1370, ich, sb16), for the running kernel
#   make KVER=6.1.0-56-amd64   ... for another installed kernel's headers
#   make KDIR=/path/to/build   ... for any kernel build tree
#   make install           build, copy the modules to /lib/modules/$(KVER)/updates,
#                          depmod
#                          (DESTDIR=/stage copies there and skips depmod)
#   make uninstall         remove what "make install" installed
#   make dkms-install      copy the source to /usr/src/snd-omnibus-$(VERSION)
#                          and dkms add/build/install it for $(KVER)
#   make dkms-uninstall    dkms remove it from every kernel, delete the source
#   make dist              dist/snd-omnibus-$(VERSION).tar.gz of the work tree
#                          (reproducible; rpmbuild -ta takes it as it is)
#   make deb               dist/snd-omnibus-dkms_$(VERSION)-N_all.deb (+ source)
#   make rpm               dist/snd-omnibus-dkms-$(VERSION)-N.noarch.rpm (+ src.rpm)
#   make check             run the whole test suite (QEMU, needs root)
#   make matrix            only the packaging, distribution (t-distro) and
#                          kernel matrix tests (some kernels:
#                          make matrix MATRIX_KERNELS="6.1 7.3")
#   make reliability       the reliability tests (tests/t-rel-*.sh) on the
#                          debug kernel (KASAN, lockdep, kmemleak, fault
#                          injection; built once, see tests/lib/debug-kernel.sh)
#   make demo              boot a VM and show the driver at work
#   make bench             snd-omnibus vs the in-tree drivers under QEMU:
#                          table and plots in tests/out/bench (not a test)
#   make mutants           apply each bug of tests/mutants/*.patch to a copy of
#                          the tree and run the test it names: every one must
#                          go red (tests/mutants.sh; not part of make check)
#   make version           print the version; make version-check compares it
#                          with debian/changelog and rpm/snd-omnibus.spec
#
# The version is OMNIBUS_VERSION in src/omnibus.h (MODULE_VERSION).
# debian/changelog and rpm/snd-omnibus.spec must say the same; the package
# builds and tests/t-package.sh fail if they do not.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
SRC := $(CURDIR)/src
VERSION := $(shell sed -n 's/^\#define OMNIBUS_VERSION "\([^"]*\)".*/\1/p' $(SRC)/omnibus.h)
NAME := snd-omnibus
# the core library and one module per backend (src/Kbuild, dkms.conf)
MODULES := snd-omnibus-core snd-omnibus-virtual snd-omnibus-es1370 \
	snd-omnibus-ich snd-omnibus-sb16 snd-omnibus-wss snd-omnibus-adlib

DESTDIR ?=
MODDIR ?= /lib/modules/$(KVER)/updates
DKMS_SRC ?= /usr/src/$(NAME)-$(VERSION)
MODPROBE_CONF := /etc/modprobe.d/$(NAME).conf
DIST ?= $(CURDIR)/dist

.PHONY: all modules clean install uninstall dkms-install dkms-uninstall \
	dist deb rpm check matrix reliability demo bench mutants version \
	version-check

all: modules

modules:
	@test -d "$(KDIR)" || { \
		echo "snd-omnibus: no kernel build tree at $(KDIR)." >&2; \
		echo "Install linux-headers-$(KVER), or give KVER=<release> or KDIR=<dir>." >&2; \
		exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(SRC)" modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C "$(KDIR)" M="$(SRC)" clean; \
	else rm -f src/*.o src/*.ko src/*.mod src/*.mod.c src/.*.cmd \
		src/modules.order src/Module.symvers; fi
	rm -rf tests/out "$(DIST)"

version:
	@echo $(VERSION)

# debian/changelog and the spec must name the version src/omnibus.h has
# (each checked if present: the release tarball has no debian/).
version-check:
	@test -n "$(VERSION)" || { echo "no OMNIBUS_VERSION in src/omnibus.h" >&2; exit 1; }
	@bad=""; \
	if [ -f debian/changelog ]; then \
		v=$$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog); \
		[ "$${v%-*}" = "$(VERSION)" ] || bad="$$bad debian/changelog $$v,"; \
	fi; \
	if [ -f rpm/$(NAME).spec ]; then \
		v=$$(sed -n 's/^Version:[[:space:]]*//p' rpm/$(NAME).spec); \
		[ "$$v" = "$(VERSION)" ] || bad="$$bad rpm/$(NAME).spec $$v,"; \
	fi; \
	if [ -n "$$bad" ]; then \
		echo "version mismatch: src/omnibus.h says $(VERSION), but$${bad%,}" >&2; \
		exit 1; \
	fi

# The modprobe.d file that chooses between snd-omnibus and the in-tree
# drivers is installed inert (all commented out) and never overwritten;
# uninstall removes it only if it is still the shipped one.
define install_modprobe_conf
	@if [ -e "$(DESTDIR)$(MODPROBE_CONF)" ]; then \
		echo "keeping $(DESTDIR)$(MODPROBE_CONF)"; \
	else \
		echo "install -D -m 644 modprobe/$(NAME).conf $(DESTDIR)$(MODPROBE_CONF)"; \
		install -D -m 644 modprobe/$(NAME).conf "$(DESTDIR)$(MODPROBE_CONF)"; \
	fi
endef
define uninstall_modprobe_conf
	@if cmp -s modprobe/$(NAME).conf "$(DESTDIR)$(MODPROBE_CONF)"; then \
		echo "rm -f $(DESTDIR)$(MODPROBE_CONF)"; rm -f "$(DESTDIR)$(MODPROBE_CONF)"; \
	elif [ -e "$(DESTDIR)$(MODPROBE_CONF)" ]; then \
		echo "keeping $(DESTDIR)$(MODPROBE_CONF): you changed it"; \
	fi
endef

install: modules
	@for m in $(MODULES); do \
		echo "install -D -m 644 src/$$m.ko $(DESTDIR)$(MODDIR)/$$m.ko"; \
		install -D -m 644 "src/$$m.ko" "$(DESTDIR)$(MODDIR)/$$m.ko" || exit 1; \
	done
	$(install_modprobe_conf)
	@if [ -z "$(DESTDIR)" ]; then echo "depmod -a $(KVER)"; depmod -a "$(KVER)"; \
	else echo "DESTDIR set: not running depmod"; fi

uninstall:
	@for m in $(MODULES); do \
		echo "rm -f $(DESTDIR)$(MODDIR)/$$m.ko*"; \
		rm -f "$(DESTDIR)$(MODDIR)/$$m.ko" "$(DESTDIR)$(MODDIR)/$$m.ko.xz" \
			"$(DESTDIR)$(MODDIR)/$$m.ko.zst" "$(DESTDIR)$(MODDIR)/$$m.ko.gz"; \
	done
	rmdir "$(DESTDIR)$(MODDIR)" 2>/dev/null || true
	$(uninstall_modprobe_conf)
	@if [ -z "$(DESTDIR)" ] && [ -d "/lib/modules/$(KVER)" ]; then \
		echo "depmod -a $(KVER)"; depmod -a "$(KVER)"; fi

# DKMS without a package: the tree DKMS builds from is dkms.conf with the
# version filled in, Kbuild and src/, as in the .deb and the .rpm.
dkms-install:
	@command -v dkms >/dev/null || { echo "dkms is not installed" >&2; exit 1; }
	@if dkms status -m $(NAME) -v $(VERSION) 2>/dev/null | grep -q .; then \
		echo "$(NAME)/$(VERSION) is already in DKMS: run make dkms-uninstall first" >&2; \
		exit 1; fi
	rm -rf "$(DKMS_SRC)"
	install -d "$(DKMS_SRC)/src"
	install -m 644 Kbuild "$(DKMS_SRC)/"
	install -m 644 src/Kbuild $(filter-out %.mod.c,$(wildcard src/*.c)) \
		$(wildcard src/*.h) "$(DKMS_SRC)/src/"
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >"$(DKMS_SRC)/dkms.conf"
	$(install_modprobe_conf)
	dkms add -m $(NAME) -v $(VERSION)
	dkms build -m $(NAME) -v $(VERSION) -k $(KVER)
	dkms install -m $(NAME) -v $(VERSION) -k $(KVER)

dkms-uninstall:
	@command -v dkms >/dev/null || { echo "dkms is not installed" >&2; exit 1; }
	@if dkms status -m $(NAME) -v $(VERSION) 2>/dev/null | grep -q .; then \
		echo "dkms remove -m $(NAME) -v $(VERSION) --all"; \
		dkms remove -m $(NAME) -v $(VERSION) --all; fi
	rm -rf "$(DKMS_SRC)"
	$(uninstall_modprobe_conf)

# dist/snd-omnibus-VERSION.tar.gz: the work tree's files (tracked and
# untracked, minus what .gitignore ignores; outside git, every file minus
# kbuild's and the tests' output), as an upstream release tarball.
# debian/ stays out: it is the Debian packaging, added by "make deb".
# Reproducible: the same files give the same bytes, wherever and whenever
# they are packed.  Every member's time is SOURCE_DATE_EPOCH if set, else
# the last commit's time (git), else, outside git (an unpacked release
# tarball, whose files all carry the tarball's time), the time of
# src/omnibus.h; names sorted, owner root (numeric), modes from the
# execute bits alone (not the umask), no name or time in the gzip header.
dist:
	@test -n "$(VERSION)" || { echo "no OMNIBUS_VERSION in src/omnibus.h" >&2; exit 1; }
	mkdir -p "$(DIST)"
	@{ git ls-files -co --exclude-standard 2>/dev/null || \
		find . -name .git -prune -o -type f -print | sed 's|^\./||'; } | \
		grep -v -e '^debian/' -e '^dist/' -e '^tests/out/' -e '^\.' -e '/\.' \
			-e '\.\(o\|ko\|mod\|mod\.c\|cmd\|order\|symvers\|d\|dwo\)$$' \
			-e '^src/build\.log$$' | \
		while read -r f; do [ -f "$$f" ] && printf '%s\n' "$$f"; done | \
		LC_ALL=C sort -u >"$(DIST)/.files"
	@t=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || \
		stat -c %Y src/omnibus.h)}; \
	echo "tar (mtime $$t) | gzip -n >$(DIST)/$(NAME)-$(VERSION).tar.gz"; \
	LC_ALL=C tar -c --format=gnu --sort=name --owner=0 --group=0 \
		--numeric-owner --mode=u+rw,go=rX --mtime="@$$t" \
		--transform 's,^,$(NAME)-$(VERSION)/,' -T "$(DIST)/.files" | \
		gzip -n -9 >"$(DIST)/$(NAME)-$(VERSION).tar.gz.tmp"
	@mv -f "$(DIST)/$(NAME)-$(VERSION).tar.gz.tmp" "$(DIST)/$(NAME)-$(VERSION).tar.gz"
	@rm -f "$(DIST)/.files"
	@echo "$(DIST)/$(NAME)-$(VERSION).tar.gz"

# Debian: the release tarball is the orig tarball; unpack it, add debian/
# and run dpkg-buildpackage (needs dpkg-dev, debhelper, dh-dkms).  The
# copy of debian/ gets the time of the changelog's entry and modes from its
# execute bits alone, so that the .debian.tar.xz, the .dsc and the .deb do
# not depend on when and with which umask the tree was checked out.
deb: version-check dist
	rm -rf "$(DIST)/deb"
	mkdir -p "$(DIST)/deb"
	cp "$(DIST)/$(NAME)-$(VERSION).tar.gz" "$(DIST)/deb/$(NAME)_$(VERSION).orig.tar.gz"
	tar -C "$(DIST)/deb" -xzf "$(DIST)/deb/$(NAME)_$(VERSION).orig.tar.gz"
	cp -a debian "$(DIST)/deb/$(NAME)-$(VERSION)/"
	@t=$$(dpkg-parsechangelog -l debian/changelog -S Timestamp) && \
	cd "$(DIST)/deb/$(NAME)-$(VERSION)" && chmod -R u+rw,go=rX debian && \
	find debian -exec touch -h -d "@$$t" {} + && \
	echo "debian/: modes u+rw,go=rX, times $$t (debian/changelog)"
	cd "$(DIST)/deb/$(NAME)-$(VERSION)" && dpkg-buildpackage -us -uc
	cp "$(DIST)"/deb/*.deb "$(DIST)/"
	@ls "$(DIST)"/*.deb

# RPM: rpmbuild with a private _topdir (needs rpm; works on Debian too).
rpm: version-check dist
	rm -rf "$(DIST)/rpm"
	mkdir -p "$(DIST)/rpm/SOURCES"
	cp "$(DIST)/$(NAME)-$(VERSION).tar.gz" "$(DIST)/rpm/SOURCES/"
	rpmbuild --define "_topdir $(DIST)/rpm" -ba rpm/$(NAME).spec
	cp "$(DIST)"/rpm/RPMS/noarch/*.rpm "$(DIST)"/rpm/SRPMS/*.src.rpm "$(DIST)/"
	@ls "$(DIST)"/*.rpm

# Every test; the ones that boot the debug kernel ("# needs: debug-kernel":
# t-rel-debug, t-rel-fault, t-rel-pause-unbind) last; run.sh builds
# that kernel in the background meanwhile.
check:
	bash tests/run.sh

matrix:
	bash tests/run.sh t-package t-distro t-matrix

reliability:
	OMNIBUS_KERNEL=debug bash tests/run.sh $(basename $(notdir $(wildcard tests/t-rel-*.sh)))

demo:
	bash tests/demo.sh

bench:
	bash tests/bench/bench.sh

# Not part of check: each mutant reruns a whole test (see tests/mutants.sh).
mutants:
	bash tests/mutants.sh
