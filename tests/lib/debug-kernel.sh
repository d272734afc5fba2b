# shellcheck shell=bash
#
# tests/lib/debug-kernel.sh - build (once) and cache a debug kernel for the
# VM tests from Debian's linux-source-6.1, with a slim configuration made
# from x86_64 defconfig: KASAN, lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS,
# kmemleak, UBSAN and fault injection (failslab, fail_page_alloc and their
# debugfs knobs), plus what QEMU's PC, the ALSA core, the in-tree drivers the
# tests compare with and snd-omnibus need.  Sourced by tests/lib/vm.sh.
#
#   vm_debug_kver        build the kernel if needed; print its release
#                        (VERSION-omnibus-debug), which vm_run --kver (or
#                        KVER=) boots like any other
#   vm_debug_kdir        print the build tree for out-of-tree modules (M=)
#   vm_debug_config DIR  write DIR/.config from the recipe and verify it
#
# Cache layout: $CACHE/debug/KEY/ with linux/ (the source and build tree,
# kept for M= builds), build.log and build-time; the bzImage and modules
# are installed as $CACHE/kernel/RELEASE like Debian's kernels.  KEY
# hashes the linux-source-6.1 version, gcc's version and the recipe, so an
# edited recipe builds a new kernel (about 6 minutes on 2 cores, see
# build-time) and the old one is removed.

VM_DEBUG_SUFFIX=-omnibus-debug

# The options the recipe turns on (=y unless =m/=value), checked after
# olddefconfig: a missing dependency must fail the build, not silently
# drop a debug facility.
VM_DEBUG_WANT="
KASAN KASAN_GENERIC KASAN_INLINE
PROVE_LOCKING DEBUG_ATOMIC_SLEEP LOCKDEP DEBUG_LOCK_ALLOC
DEBUG_OBJECTS DEBUG_OBJECTS_FREE DEBUG_OBJECTS_TIMERS DEBUG_OBJECTS_WORK
DEBUG_OBJECTS_RCU_HEAD DEBUG_OBJECTS_PERCPU_COUNTER
DEBUG_KMEMLEAK
UBSAN UBSAN_BOUNDS UBSAN_SHIFT UBSAN_SANITIZE_ALL
FAULT_INJECTION FAILSLAB FAIL_PAGE_ALLOC FAULT_INJECTION_DEBUG_FS
DEBUG_FS DEBUG_KERNEL
MODULES MODULE_UNLOAD
PCI ACPI HOTPLUG_PCI HOTPLUG_PCI_ACPI
SERIAL_8250 SERIAL_8250_CONSOLE
DEVTMPFS BLK_DEV_INITRD TMPFS PROC_FS SYSFS BINFMT_ELF BINFMT_SCRIPT
PM PM_SLEEP SUSPEND PM_DEBUG PM_SLEEP_DEBUG
SMP HIGH_RES_TIMERS HPET_TIMER RTC_CLASS RTC_DRV_CMOS PNP PNPACPI
INPUT INPUT_KEYBOARD KEYBOARD_ATKBD SERIO SERIO_I8042
MAGIC_SYSRQ KALLSYMS STACKTRACE DETECT_HUNG_TASK SOFTLOCKUP_DETECTOR
ZONE_DMA ISA_DMA_API
SOUND=m SND=m SND_PCM=m SND_TIMER=m SND_AC97_CODEC=m SND_DMA_SGBUF
SND_PCI SND_ENS1370=m SND_INTEL8X0=m SND_DRIVERS SND_DUMMY=m SND_ALOOP=m
SND_DYNAMIC_MINORS SND_MAX_CARDS=32
SND_SEQUENCER=m SND_OPL3_LIB=m SND_OPL3_LIB_SEQ=m SND_MPU401_UART=m SND_HWDEP=m
"

# The options the recipe must have turned off (=n): KMEMLEAK_DEFAULT_OFF
# would need kmemleak=on on the command line; module signing is not wanted.
# DEBUG_STACK_USAGE logs "used greatest stack depth" lines that the tests
# counting a failure's kernel-log lines would take for the driver's.
VM_DEBUG_UNWANTED="DEBUG_KMEMLEAK_DEFAULT_OFF MODULE_SIG_FORCE DEBUG_INFO WERROR
DEBUG_STACK_USAGE"

# vm__debug_recipe SRCDIR: edit SRCDIR/.config (made by defconfig).
vm__debug_recipe()
{
	local c="$1/scripts/config --file $1/.config" o

	# Slim: an initramfs-only PC without network, block devices, USB,
	# graphics or file systems beyond the pseudo ones.
	for o in NET BLOCK DRM FB AGP USB_SUPPORT HID INPUT_MOUSE INPUT_JOYSTICK \
		INPUT_TABLET INPUT_TOUCHSCREEN INPUT_MISC WLAN WIRELESS \
		SECURITY SECURITY_SELINUX AUDIT HIBERNATION LOGO PCCARD \
		MACINTOSH_DRIVERS CPU_FREQ KVM VIRTUALIZATION NETWORK_FILESYSTEMS \
		EXT4_FS ISO9660_FS VFAT_FS MSDOS_FS QUOTA AUTOFS_FS FUSE_FS \
		SND_HDA_INTEL SND_HDA_CODEC_REALTEK SND_HDA_CODEC_HDMI SND_USB \
		SND_HRTIMER EFI EFI_STUB DEBUG_INFO \
		DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT DEBUG_INFO_DWARF4 \
		DEBUG_INFO_DWARF5 DEBUG_INFO_BTF KPROBES PROFILING \
		PERF_EVENTS_INTEL_UNCORE PERF_EVENTS_AMD_POWER MICROCODE \
		X86_MCE IKCONFIG PM_TRACE_RTC FTRACE WERROR DEBUG_STACK_USAGE; do
		$c --disable "$o"
	done
	# Slimmer still, for the build time on CI's 2 cores: what a QEMU PC
	# running busybox and ALSA never uses.  (SMP, ACPI, PNP, the CMOS
	# RTC, the i8042 keyboard and SysRq stay: suspend, hot-unplug, ISA
	# and the fault sweep use them.)
	for o in AUTOFS4_FS X86_INTEL_PSTATE X86_ACPI_CPUFREQ X86_AMD_PSTATE \
		CGROUPS IO_URING HYPERVISOR_GUEST PARAVIRT NUMA KEXEC \
		CRASH_DUMP RANDOMIZE_BASE BSD_PROCESS_ACCT TASKSTATS \
		PERF_EVENTS BPF_SYSCALL PSI SCHED_AUTOGROUP \
		ACPI_AC ACPI_BATTERY ACPI_VIDEO ACPI_FAN ACPI_DOCK ACPI_THERMAL \
		ACPI_TABLE_UPGRADE ACPI_CONTAINER ACPI_HOTPLUG_IOAPIC ACPI_NUMA \
		ACPI_PCC ACPI_WMI ACPI_LPIT ACPI_APEI ACPI_EXTLOG ACPI_FPDT \
		THERMAL I2C VIRTIO_MENU VIRTIO IOMMU_SUPPORT DMA_ENGINE \
		HW_RANDOM KEYS HUGETLBFS COMPACTION TRANSPARENT_HUGEPAGE KSM \
		VT DMIID DNOTIFY FANOTIFY CPU_IDLE_GOV_HALTPOLL X86_X2APIC \
		X86_EXTENDED_PLATFORM X86_CPU_RESCTRL X86_SGX X86_PMEM_LEGACY \
		X86_CHECK_BIOS_CORRUPTION MTRR_SANITIZER CPU_SUP_HYGON \
		CPU_SUP_CENTAUR CPU_SUP_ZHAOXIN AMD_MEM_ENCRYPT MEMORY_HOTPLUG \
		MEMORY_FAILURE SWAP ZSWAP BLK_DEV WATCHDOG HWMON POWER_SUPPLY \
		REGULATOR MFD_INTEL_LPSS_PCI GPIOLIB PTP_1588_CLOCK EDAC \
		NVMEM DMADEVICES AUXDISPLAY STAGING CHROME_PLATFORMS \
		X86_PLATFORM_DEVICES SURFACE_PLATFORMS SERIAL_8250_EXTENDED \
		SERIAL_NONSTANDARD PPS VHOST_MENU EXPORTFS_BLOCK_OPS \
		PROC_KCORE PROC_VMCORE CONFIGFS_FS EFIVAR_FS PSTORE \
		ENCRYPTED_KEYS TRUSTED_KEYS SCHED_MC_PRIO IA32_EMULATION \
		BINFMT_MISC SERIAL_8250_PCI SERIAL_8250_LPSS SERIAL_8250_MID \
		SERIAL_8250_EXAR SERIAL_8250_PERICOM HVC_DRIVER VIRTIO_CONSOLE \
		NEW_LEDS BACKLIGHT_CLASS_DEVICE MAILBOX RTC_NVMEM NVRAM \
		INPUT_LEDS INPUT_EVDEV SERIO_SERPORT; do
		$c --disable "$o"
	done
	$c --enable DEBUG_INFO_NONE
	$c --set-str LOCALVERSION "$VM_DEBUG_SUFFIX"
	$c --disable LOCALVERSION_AUTO
	$c --enable EXPERT
	$c --enable MODULES --enable MODULE_UNLOAD --enable MODULE_FORCE_UNLOAD
	$c --disable MODULE_SIG --disable MODVERSIONS
	$c --enable DEVTMPFS --enable DEVTMPFS_MOUNT --enable BLK_DEV_INITRD
	$c --enable RD_GZIP
	$c --enable TMPFS --enable BINFMT_SCRIPT
	$c --enable PCI --enable ACPI --enable HOTPLUG_PCI --enable HOTPLUG_PCI_ACPI
	$c --enable RTC_CLASS --enable RTC_DRV_CMOS --enable MAGIC_SYSRQ
	$c --enable INPUT --enable INPUT_KEYBOARD --enable KEYBOARD_ATKBD
	$c --enable SERIO --enable SERIO_I8042
	$c --enable SERIAL_8250 --enable SERIAL_8250_CONSOLE
	$c --enable PM --enable SUSPEND --enable PM_DEBUG --enable PM_ADVANCED_DEBUG
	$c --enable PM_SLEEP_DEBUG
	$c --enable ZONE_DMA --enable ISA_DMA_API

	# ALSA as Debian has it: the core and the drivers as modules.
	$c --module SOUND --module SND --module SND_PCM --module SND_TIMER
	$c --enable SND_PCI --module SND_ENS1370 --module SND_INTEL8X0
	$c --enable SND_DRIVERS --module SND_DUMMY --module SND_ALOOP
	$c --enable SND_PROC_FS --enable SND_VERBOSE_PROCFS
	# 32 cards as Debian has them: index=, id= and enable= take 32 values
	$c --enable SND_DYNAMIC_MINORS --set-val SND_MAX_CARDS 32
	$c --disable SND_ISA
	# The libraries the ISA chips call, as Debian has them (its PCI
	# drivers select them; snd-als4000 selects snd-opl3-lib,
	# snd-mpu401-uart and snd-sb-common): the OPL3 and MPU-401 code of
	# snd-omnibus-sb16 and snd-omnibus-adlib then runs under the checks too,
	# and snd-opl3-synth binds to the sequencer as on a distribution kernel.
	$c --module SND_SEQUENCER --module SND_ALS4000

	# The debug facilities.
	$c --enable DEBUG_KERNEL --enable DEBUG_FS --enable DEBUG_FS_ALLOW_ALL
	$c --enable KASAN --enable KASAN_GENERIC --enable KASAN_INLINE
	$c --disable KASAN_OUTLINE --disable KASAN_VMALLOC
	$c --enable PROVE_LOCKING --enable DEBUG_ATOMIC_SLEEP
	$c --enable DEBUG_OBJECTS --enable DEBUG_OBJECTS_FREE
	$c --enable DEBUG_OBJECTS_TIMERS --enable DEBUG_OBJECTS_WORK
	$c --enable DEBUG_OBJECTS_RCU_HEAD --enable DEBUG_OBJECTS_PERCPU_COUNTER
	$c --set-val DEBUG_OBJECTS_ENABLE_DEFAULT 1
	$c --enable DEBUG_KMEMLEAK --disable DEBUG_KMEMLEAK_DEFAULT_OFF
	$c --disable DEBUG_KMEMLEAK_AUTO_SCAN --disable DEBUG_KMEMLEAK_TEST
	$c --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 16000
	$c --enable UBSAN --enable UBSAN_BOUNDS --enable UBSAN_SHIFT
	$c --enable UBSAN_SANITIZE_ALL --disable UBSAN_ALIGNMENT
	$c --disable UBSAN_DIV_ZERO --disable TEST_UBSAN
	$c --enable FAULT_INJECTION --enable FAILSLAB --enable FAIL_PAGE_ALLOC
	$c --enable FAULT_INJECTION_DEBUG_FS
	$c --enable PANIC_ON_OOPS --set-val PANIC_TIMEOUT -1
	$c --enable DETECT_HUNG_TASK --set-val DEFAULT_HUNG_TASK_TIMEOUT 60
	$c --enable SOFTLOCKUP_DETECTOR
}

# vm_debug_config DIR: defconfig + the recipe + olddefconfig in the source
# tree DIR, then check every option of VM_DEBUG_WANT / VM_DEBUG_UNWANTED.
vm_debug_config()
{
	local dir=${1:?usage: vm_debug_config DIR} o name val got bad=""

	make -C "$dir" -s x86_64_defconfig >&2 || vm_die "make defconfig failed"
	vm__debug_recipe "$dir"
	make -C "$dir" -s olddefconfig >&2 || vm_die "make olddefconfig failed"
	for o in $VM_DEBUG_WANT; do
		name=${o%%=*} val=y
		case $o in *=*) val=${o#*=} ;; esac
		got=$(sed -n "s/^CONFIG_$name=//p" "$dir/.config")
		[ "$got" = "$val" ] || bad="$bad CONFIG_$name=${got:-n}(want $val)"
	done
	for o in $VM_DEBUG_UNWANTED; do
		grep -q "^CONFIG_$o=" "$dir/.config" && bad="$bad CONFIG_$o(want n)"
	done
	[ -z "$bad" ] || vm_die "the debug kernel config is wrong:$bad"
	return 0
}

# Key of the debug kernel: its inputs (the recipe's code, not its comments).
vm__debug_key()
{
	{
		dpkg-query -W -f='${Package} ${Version}\n' linux-source-6.1
		gcc --version | head -n 1
		printf '%s\n' "$VM_DEBUG_SUFFIX" "$VM_DEBUG_WANT" "$VM_DEBUG_UNWANTED"
		declare -f vm__debug_recipe vm_debug_config
	} | sha256sum | cut -c1-16
}

# The build tools the kernel needs beyond VM_HOST_PKGS.
VM_DEBUG_PKGS="linux-source-6.1 flex bison bc libelf-dev libssl-dev xz-utils"

# vm__debug_build: make $CACHE/debug/KEY (and $CACHE/kernel/RELEASE) exist.
# Sets VM_DEBUG_DIR.
vm__debug_build()
{
	local key dir src rel t0 t1 kdir d

	# shellcheck disable=SC2086 # word splitting of the list is wanted
	vm_host_deps $VM_DEBUG_PKGS
	[ -f /usr/src/linux-source-6.1.tar.xz ] ||
		vm_die "linux-source-6.1 installed no /usr/src/linux-source-6.1.tar.xz"
	key=$(vm__debug_key)
	dir=$CACHE/debug/$key
	VM_DEBUG_DIR=$dir
	[ -f "$dir/release" ] && return 0

	# a lock of its own: the shared one would stall every other VM user
	# for the whole build
	mkdir -p "$CACHE/debug"
	exec {VM_DEBUG_LOCK_FD}>"$CACHE/debug/.lock"
	flock "$VM_DEBUG_LOCK_FD"
	if [ ! -f "$dir/release" ]; then
		vm_log "building the debug kernel $key (about 6 minutes; log in $dir/build.log)"
		rm -rf "$dir"
		mkdir -p "$dir"
		t0=$(date +%s)
		tar -C "$dir" -xJf /usr/src/linux-source-6.1.tar.xz ||
			vm_die "unpacking linux-source-6.1 failed"
		mv "$dir/linux-source-6.1" "$dir/linux"
		src=$dir/linux
		vm_debug_config "$src" 2>"$dir/config.log"
		cp "$src/.config" "$dir/config"
		if ! make -C "$src" -j"$(nproc)" bzImage modules >"$dir/build.log" 2>&1; then
			tail -n 30 "$dir/build.log" >&2
			vm_die "building the debug kernel failed ($dir/build.log)"
		fi
		rel=$(make -C "$src" -s kernelrelease)
		kdir=$CACHE/kernel/$rel
		rm -rf "$kdir.tmp"
		mkdir -p "$kdir.tmp/boot"
		make -C "$src" -s INSTALL_MOD_PATH="$kdir.tmp" modules_install \
			>>"$dir/build.log" 2>&1 || vm_die "modules_install failed"
		cp "$src/arch/x86/boot/bzImage" "$kdir.tmp/boot/vmlinuz-$rel"
		rm -f "$kdir.tmp/lib/modules/$rel/build" "$kdir.tmp/lib/modules/$rel/source"
		ln -s "$src" "$kdir.tmp/lib/modules/$rel/build"
		printf 'omnibus debug kernel %s\n' "$key" >"$kdir.tmp/.stamp"
		rm -rf "$kdir"
		mv "$kdir.tmp" "$kdir"
		t1=$(date +%s)
		printf '%s\n' $((t1 - t0)) >"$dir/build-time"
		printf '%s\n' "$rel" >"$dir/release"
		vm_log "debug kernel $rel built in $((t1 - t0)) s"
		# debug kernels of older recipes are stale now
		for d in "$CACHE"/debug/*; do
			[ "$d" = "$dir" ] || rm -rf "$d"
		done
	fi
	exec {VM_DEBUG_LOCK_FD}>&-
}

vm_debug_kver()
{
	vm__debug_build
	cat "$VM_DEBUG_DIR/release"
}

vm_debug_kdir()
{
	vm__debug_build
	printf '%s\n' "$VM_DEBUG_DIR/linux"
}

# vm__is_debug_kver KVER: true for "debug" and the release of a debug kernel.
vm__is_debug_kver()
{
	case $1 in
	debug | *"$VM_DEBUG_SUFFIX") return 0 ;;
	esac
	return 1
}

# vm_debug_module SRC OUT: print the directory of the snd-omnibus modules
# for the debug kernel: $MODULE when they were built for it (tests/run.sh with
# OMNIBUS_KERNEL=debug), else one built from the sources in SRC in a copy
# under OUT (make's output in OUT/build.log).
vm_debug_module()
{
	local src=${1:?usage: vm_debug_module SRC OUT} out=${2:?} kver kdir

	kver=$(vm_debug_kver) || exit 1
	kdir=$(vm_debug_kdir) || exit 1
	if [ -f "${MODULE:-}/snd-omnibus-virtual.ko" ] &&
	   [ "$(modinfo -F vermagic "$MODULE/snd-omnibus-virtual.ko" 2>/dev/null |
		cut -d' ' -f1)" = "$kver" ]; then
		printf '%s\n' "$MODULE"
		return 0
	fi
	rm -rf "$out"
	mkdir -p "$out"
	cp "$src"/*.[ch] "$src"/Kbuild "$out/"
	rm -f "$out"/*.mod.c
	make -C "$kdir" M="$out" modules >"$out/build.log" 2>&1 ||
		vm_die "building snd-omnibus for $kver failed ($out/build.log)"
	printf '%s\n' "$out"
}
