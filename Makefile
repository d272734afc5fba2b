# SPDX-License-Identifier: GPL-2.0
#
# snd-omnibus top-level Makefile.  The module's Kbuild file is src/Kbuild.
#
#   make                   build src/snd-omnibus.ko for the running kernel
#   make KVER=6.1.0-56-amd64   ... for another installed kernel's headers
#   make KDIR=/path/to/build   ... for any kernel build tree
#   make check             run the whole test suite (QEMU, needs root)
#   make demo              boot a VM and show the driver at work

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
SRC := $(CURDIR)/src

.PHONY: all modules clean check demo

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
	rm -rf tests/out

check:
	bash tests/run.sh

demo:
	bash tests/demo.sh
