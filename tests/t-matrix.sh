#!/bin/bash
#
# t-matrix.sh - the kernel matrix: for each kernel of MX_TABLE
# (tests/lib/matrix.sh: Debian 11's 5.10, 12's 6.1, 13's 6.12, unstable's
# 7.2, 13 backports' 7.3 and 12's 6.1 686 on i386), in a chroot of that
# suite with its own compiler (cached under $XDG_CACHE_HOME/snd-omnibus):
#
#  - "make deb" builds the package; apt installs it and DKMS builds the
#    modules (MX_MODULES) for the suite's headers with no compiler or
#    modpost warning, and the same source builds with W=1 without one;
#  - installing a second kernel (another flavour's image and headers)
#    rebuilds it for that kernel (DKMS's kernel hooks, AUTOINSTALL);
#  - headers of a kernel without ALSA (the cloud flavour) are skipped (with
#    Debian 12's dkms 3.0.10: fail as README.Debian documents, dkms #302);
#  - apt purge leaves no file of ours (file lists compared);
#  - the modules DKMS built boot with the suite's own kernel in QEMU: udev
#    (emulated) gives the ES1370 and the ICH to the in-tree drivers and
#    never loads snd-omnibus-es1370 or -ich; loaded by hand, they name the
#    holder, and snd-omnibus-virtual leaves free chips alone; the
#    switch in /etc/modprobe.d/snd-omnibus.conf gives the chips to
#    snd-omnibus, and is harmless once the modules are gone; noise loops
#    back byte for byte through each of the virtual card's three PCM
#    devices (continuous pages, vmalloc through the page callback, external
#    through the copy callbacks; read/write, and mmap on the first two)
#    and plays byte for byte through every backend the package has
#    (ES1370, ICH, SB16, WSS); the ICH also from a scatter-gather buffer in
#    several pieces (fragmented memory; its descriptors in non-adjacent
#    pages) where the kernel makes one (5.10, 6.1); 6.12 and later refuse
#    that buffer without an IOMMU, and the driver must say so in one line;
#  - for 7.3 (MX_Q35_ROWS) a second VM boots the same modules on q35 with
#    -device intel-iommu and intel_iommu=on iommu.strict=1: the ES1370
#    and the ICH sit in IOMMU groups of type DMA and play byte for byte,
#    and the 2.5 MiB scatter-gather buffer that 7.3 refuses without an
#    IOMMU is accepted in fragmented memory (no free block of 4 MiB or
#    more): the IOMMU maps it to one bus address range (one chunk in the
#    driver's proc file) and 11.5 s over it play byte for byte; no
#    kernel-log report, DMAR faults included ("matrix-7.3-q35-..."; about
#    35 s more).
#
# Every result names its kernel ("matrix-6.1-..."), and each kernel's
# output is printed together, in the table's order.  The host-side steps
# (chroot, apt, DKMS) of the next kernel run in the background while the
# VM of the one before runs (mx_matrix); each step prints its wall time on
# a "TIME:" line, the whole run on the last one.
#
#   MATRIX_KERNELS="6.1 7.3" bash tests/run.sh t-matrix    some kernels only
#   MATRIX_SERIAL=1        no background steps: one kernel after the other
#
# Run by tests/run.sh, or alone as root.  The time limit is for a fresh
# cache: each of the six chroots then takes 1.5-2 minutes to build and a
# kernel's steps 3-7 minutes (warm, all six took 539 s on 6 Dec 2026).
# timeout: 3600
# cores: 2

set -eu
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
# shellcheck source=lib/matrix.sh
. "$REPO/tests/lib/matrix.sh"

# shellcheck disable=SC2086 # one kernel name a word
mx_matrix ${MATRIX_KERNELS:-$(mx_names)}
test_done
