# shellcheck shell=bash
#
# tests/lib/play.sh - what the backend tests (t-es1370.sh, t-ich.sh,
# t-sb16.sh) do again and again: make noise, boot a VM whose sound card
# writes what it plays into a wav file, play the noise in it, and compare
# the bytes that came out with the bytes given to aplay; and the guest's
# memory fragmentation for the ICH's scatter-gather buffer (t-ich.sh and
# the kernel matrix, tests/lib/matrix.sh).
#
# Source it after vm.sh and test.sh.  Entry points:
#
#   play_init NAME         the test's preamble: OUT (TEST_OUT, or a new
#                          directory), MODULE, WAV; FAIL NAME-module and
#                          exit if MODULE has no snd-omnibus-NAME.ko
#   play_noise FILE RATE SECONDS SEED [ARG...]
#                          FILE: SECONDS of S16_LE stereo noise at RATE from
#                          seed SEED (tests/lib/wav.py noise; --raw: no
#                          header)
#   play_vm NAME DEVICE RATE [VM_RUN_ARG...] <SCENARIO
#                          boot a VM (vm_run, MODULE loadable) with QEMU's
#                          -device DEVICE whose output goes to -audiodev wav
#                          OUT/NAME/out.wav (RATE: its out.frequency, "-" for
#                          QEMU's default); the scenario comes on stdin, with
#                          the guest functions of PLAY_GUEST before it.
#                          DEVICE may name other devices before it:
#                          "intel-iommu -device ES1370" (the audiodev goes
#                          to the last one)
#                          Results in OUT/NAME (PLAY_DIR), console in
#                          OUT/NAME.log; its kernel log joins PLAY_DMESG
#   play_capture_vm NAME DEVICE INFILE RATE [VM_RUN_ARG...] <SCENARIO
#                          the same with QEMU's ALSA file-plugin audiodev
#                          (vm_alsa_audiodev): the guest records raw INFILE
#                          at RATE; what it plays goes to OUT/NAME.raw
#   play_finished NAME RESULT [LINES]
#                          0 if VM NAME's scenario ran to its end (exit 0),
#                          else show its console (the last LINES lines) and
#                          FAIL RESULT
#   play_check RESULT EXPECTED RECORDED SECONDS [WAV_ARG...]
#                          PASS RESULT if the first SECONDS of EXPECTED (what
#                          was given to aplay or to QEMU) are in RECORDED
#                          byte for byte (wav.py contains), else FAIL; sets
#                          CHECK_RC (test.sh's check)
#   play_check_if STATUS LINE ERR RESULT EXPECTED RECORDED SECONDS [WAV_ARG...]
#                          play_check if the file STATUS has the line LINE
#                          (the player's status), else FAIL RESULT with
#                          STATUS and ERR (the player's messages)
#   play_dmesg_clean RESULT DRIVER [ALLOWED]
#                          PASS RESULT if no kernel log of PLAY_DMESG has a
#                          report (check_dmesg_clean) nor a line matching the
#                          ERE DRIVER (the driver's own messages) that does
#                          not match the ERE ALLOWED
#   PLAY_GUEST             guest shell functions (every play_vm scenario has
#                          them): fragment_memory, unfragment_memory,
#                          pagemap_of

PLAY_DMESG=""

play_init()
{
	WAV=$REPO/tests/lib/wav.py
	MODULE=${MODULE:-$REPO/src}
	OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-$1.XXXXXX")}
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	if [ ! -f "$MODULE/snd-omnibus-$1.ko" ]; then
		fail "$1-module" "no snd-omnibus-$1.ko in $MODULE (build it first)"
		test_done
	fi
}

play_noise()
{
	local file=$1 rate=$2 secs=$3 seed=$4
	shift 4
	python3 "$WAV" noise "$file" --rate "$rate" --seconds "$secs" --seed "$seed" "$@"
}

# play__boot NAME DEVICE AUDIODEV [VM_RUN_ARG...]: vm_run for play_vm and
# play_capture_vm.
play__boot()
{
	local name=$1 dev=$2 audiodev=$3
	shift 3
	PLAY_DIR=$OUT/$name
	rm -rf "${PLAY_DIR:?}"
	mkdir -p "$PLAY_DIR"
	{
		printf '%s\n' "$PLAY_GUEST"
		cat
	} >"$OUT/$name.scenario"
	vm_run --module "$MODULE" --out "$PLAY_DIR" \
		--qemu-args "-device $dev,audiodev=snd0" --qemu-args "$audiodev" \
		"$@" --scenario "$OUT/$name.scenario" >"$OUT/$name.log" || true
	PLAY_DMESG="$PLAY_DMESG $PLAY_DIR/dmesg.txt"
}

play_vm()
{
	local name=$1 dev=$2 rate=$3 a
	shift 3
	a="-audiodev wav,id=snd0,path=$OUT/$name/out.wav"
	[ "$rate" = - ] || a="$a,out.frequency=$rate"
	play__boot "$name" "$dev" "$a" "$@"
}

play_capture_vm()
{
	local name=$1 dev=$2 infile=$3 rate=$4
	shift 4
	rm -rf "${OUT:?}/home" "${OUT:?}/$name.raw"
	vm_alsa_audiodev "$OUT" "$infile" "$OUT/$name.raw" "$rate"
	play__boot "$name" "$dev" "$VM_ALSA_AUDIODEV" --env "$VM_ALSA_ENV" "$@"
}

play_finished()
{
	local dir=$OUT/$1
	[ "$(cat "$dir/exit" 2>/dev/null)" != 0 ] || return 0
	sed 's/^/    /' "$OUT/$1.log" | tail -n "${3:-+1}"
	fail "$2" "the scenario did not finish (exit: $(cat "$dir/exit" 2>/dev/null))"
	return 1
}

play_check()
{
	local name=$1 exp=$2 rec=$3 secs=$4
	shift 4
	check "$name" python3 "$WAV" contains "$exp" "$rec" --prefix-seconds "$secs" "$@"
}

play_check_if()
{
	local status=$1 line=$2 err=$3
	shift 3
	if grep -qx -- "$line" "$status" 2>/dev/null; then
		play_check "$@"
	else
		# shellcheck disable=SC2034 # for the caller, as check sets it
		CHECK_RC=1
		fail "$1" "aplay failed: $(cat "$status" "$err" 2>/dev/null | tr '\n' ' ')"
	fi
}

play_dmesg_clean()
{
	local name=$1 driver=$2 allowed=${3:-^\$^} d bad="" lines
	for d in $PLAY_DMESG; do
		check_dmesg_clean "$d" || bad="$bad $d"
		lines=$(grep -E -- "$driver" "$d" 2>/dev/null | grep -Ev -- "$allowed" || true)
		if [ -n "$lines" ]; then
			printf '%s\n' "$lines" | sed 's/^/    dmesg: /'
			bad="$bad $d"
		fi
	done
	if [ -z "$bad" ]; then
		pass "$name"
	else
		fail "$name" "see$bad"
	fi
}

# The guest's side.  fragment_memory: so that a DEV_SG buffer cannot be
# one piece (since 6.1 it is one contiguous block whenever the page
# allocator has one), take every huge page (compacted first, so that there
# are as many as can be) and keep the kernel from compacting new ones; one
# 2 MiB page back as a margin: alone it cannot hold a 2.5 MiB buffer, nor
# (its buddy is a huge page or in use) merge into one that can (three
# blocks back made the buffer one piece; with none, the OOM killer took
# aplay); not a 4 MiB one (686 without PAE): that would hold the whole
# buffer.  No watermark boost: taking every block is a fragmentation event
# that raises the watermarks by 2 MiB, and free memory then sat at the
# (boosted) min: the OOM killer took aplay twice.  The counts come from
# /proc/meminfo: a sysctl file answers only a read at offset 0 and the
# shell's read takes a byte at a time (it got "1" of "185").  Writes
# /out/buddyinfo.txt and /out/hugepages.txt.  Shell builtins only from
# taking the pages to the player (start it right after): no exiting
# process frees pages.  unfragment_memory: as before (once the buffer is
# allocated).  pagemap_of PID NODE FILE: the /proc/PID/pagemap words
# (8 bytes a page: present bit, page frame number) of the process's
# mapping of NODE at offset 0 (a PCM's data, mmap mode) into FILE, for
# tests/lib/iova.py; needs root for the frame numbers.
# shellcheck disable=SC2016 # the guest's shell expands it
PLAY_GUEST='
fragment_memory() {
	boost=$(cat /proc/sys/vm/watermark_boost_factor)
	echo 3 >/proc/sys/vm/drop_caches
	echo 1 >/proc/sys/vm/compact_memory
	echo 100000 >/proc/sys/vm/nr_hugepages
	echo 0 >/proc/sys/vm/compaction_proactiveness
	echo 1000 >/proc/sys/vm/extfrag_threshold
	echo 0 >/proc/sys/vm/watermark_boost_factor
	cat /proc/buddyinfo >/out/buddyinfo.txt
	echo 100000 >/proc/sys/vm/nr_hugepages
	n=0 hps=0
	while read -r key val _; do
		[ "$key" = HugePages_Total: ] && n=$val
		[ "$key" = Hugepagesize: ] && hps=$val
	done </proc/meminfo
	echo "$n huge pages of $hps kB taken" >/out/hugepages.txt
	[ "$n" -ge 1 ] && [ "$hps" -le 2048 ] && echo $((n - 1)) >/proc/sys/vm/nr_hugepages
	while read -r key val _; do
		[ "$key" = HugePages_Total: ] && echo "$val kept" >>/out/hugepages.txt
		[ "$key" = MemFree: ] && echo "MemFree $val kB" >>/out/hugepages.txt
	done </proc/meminfo
	return 0
}
unfragment_memory() {
	echo 0 >/proc/sys/vm/nr_hugepages
	echo 500 >/proc/sys/vm/extfrag_threshold
	echo 20 >/proc/sys/vm/compaction_proactiveness
	[ -z "${boost:-}" ] || echo "$boost" >/proc/sys/vm/watermark_boost_factor
}
pagemap_of() {
	line=$(grep " 00000000 .* $2\$" "/proc/$1/maps" | head -n 1)
	if [ -z "$line" ]; then
		echo "no mapping of $2 at offset 0 in process $1" >"$3.err"
		return 1
	fi
	start=${line%%-*}
	end=${line#*-}
	end=${end%% *}
	dd if="/proc/$1/pagemap" of="$3" bs=8 skip=$((0x$start / 4096)) \
		count=$(((0x$end - 0x$start) / 4096)) 2>"$3.err"
}
'
