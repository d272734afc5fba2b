#!/bin/bash
# needs: debug-kernel
# timeout: 7200
# cores: 2
# Fault injection on the debug kernel (tests/lib/debug-kernel.sh), one VM
# per kind of card: the virtual card, ES1370 (-device ES1370), ICH AC'97
# (-device AC97), Sound Blaster 16 (-device sb16, port=0x220 irq=5
# dma8=1 dma16=5) and WSS codec (-device cs4231a,irq=5, port=0x534 irq=5
# dma1=3).  tests/guest/fault-sweep.sh does the work in the guest:
#  (a) probe: init_module() of snd-omnibus-KIND with its N-th allocation failing
#      (/proc/thread-self/fail-nth via tests/guest/fault-nth.c, failslab and
#      fail_page_alloc counting every GFP_KERNEL allocation), for N = 1, 2,
#      ... until a load meets no injected failure.  Each failed load returns
#      an errno, says so in one kernel-log line when the failure hit the
#      driver (the loader's own failures need not), and leaves no card,
#      module, I/O port, IRQ or DMA channel; a load that succeeds despite
#      the failure (kmemleak's own bookkeeping absorbs some) must be whole
#      or, for a PCI card whose probe failed, say why; kmemleak finds no
#      leak after the sweep; then a clean load plays byte for byte.
#  (b) hw_params: the same sweep over the HW_PARAMS ioctl, with the
#      pre-allocated buffer and with prealloc 0 (hw_params allocates):
#      a clean errno or success, never a report; aplay with every
#      allocation of order >= 2 failing for it gets a clean error; with
#      the prealloc restored playback is exact.
#  (c) fallback: modprobe with every allocation of order >= 4 (64 KiB)
#      failing for it (fail_page_alloc, task-filter): the contiguous
#      buffers (ES1370, SB16, WSS, the virtual card's continuous-pages PCM) are
#      pre-allocated at the largest size that is to be had, 32 KiB, the
#      buffers file shows it, aplay with a buffer of 8192 frames (32 KiB)
#      plays byte-exact from the pre-allocated buffer; the
#      SG (ICH) and vmalloc (the virtual card's second PCM) buffers need no
#      large pages and keep their size.
#  (d) the sb16 kind's VM has QEMU's adlib too (-device adlib, on an
#      -audiodev none of its own; it answers at 0x220, the SB16's FM, and
#      at 0x388): the SB16's probe sweep meets its OPL3 setup, and a
#      second sweep tries every N around it (fm_sweep): a failure in
#      snd_opl3_create() must leave the card working without FM, with one
#      line; one in the FM hwdep fails the load like any other; the clean
#      load after the sweeps has the OPL3 hwdep device.  Then the probe
#      sweep of snd-omnibus-adlib port=0x388 in the same VM (the loader's
#      allocations at every 100th): each failed load an errno, no card, no
#      module, no port 0x388-0x38b; kmemleak clean; a clean load has the
#      OPL3 hwdep device and its ports.  It has no PCM: hw_params and
#      fallback print SKIP lines for it.
# Prints FIGURE lines fault-probe (with the SB16's FM sweep and the
# AdLib's loads), fault-hwparams and fault-fallback.
#
# Runs on the debug kernel whatever KVER says (it builds snd-omnibus for it
# when MODULE is not).  The loader's allocations are sampled (every
# FAULT_LOADER_STRIDE-th, default 25), the driver's all tried with
# OMNIBUS_KERNEL=debug (make reliability) and every FAULT_STRIDE-th
# (default 20) otherwise (make check, for time); FAULT_KINDS picks the
# cards (default: virtual es1370 ich sb16 wss); FAULT_JOBS VMs run at once
# (default: the number of cores).
set -eu
. "$REPO/tests/lib/vm.sh"
. "$REPO/tests/lib/test.sh"

OUT=${TEST_OUT:-$REPO/tests/out/rel-fault}
mkdir -p "$OUT"
WAV=$REPO/tests/lib/wav.py
# make reliability (OMNIBUS_KERNEL=debug): every N; make check: every 20th
if [ "${OMNIBUS_KERNEL:-}" = debug ]; then
	STRIDE=${FAULT_STRIDE:-1}
else
	STRIDE=${FAULT_STRIDE:-20}
fi
LSTRIDE=${FAULT_LOADER_STRIDE:-25}
# every warning of the allocators in these runs is about a failure injected
export VM_FAULT_INJECTION=1
MAXN=${FAULT_MAXN:-4000}
# one VM's time limit (vm_run makes it 3 times longer on the debug
# kernel): a sweep at every N loads the module about 1400 times (ES1370)
VM_LIMIT=800
[ "$STRIDE" -gt 1 ] || VM_LIMIT=1600

DKVER=$(vm_debug_kver)
DMOD=$(vm_debug_module "$REPO/src" "$OUT/module")
gcc -static -O2 -o "$OUT/fault-nth" "$REPO/tests/guest/fault-nth.c"
printf '%s\n' "$VM_REPORT_RE" >"$OUT/report.re"

fig_probe_runs=0 fig_probe_fail=0 fig_probe_reports=0 fig_probe_leaks=0
fig_hw_runs=0 fig_hw_fail=0 fig_hw_reports=0 fig_hw_leaks=0
fig_fb_runs=0 fig_fb_fail=0 fig_fb_reports=0 fig_fb_leaks=0

# prealloc_of FILE [N]: bytes pre-allocated for the playback substream of
# PCM N (default 0) in a copy of the buffers file
prealloc_of()
{
	awk -v pcm="pcm${2:-0}" '$1 == pcm { p = 1; next } /^pcm/ { p = 0 }
		p && $1 == "p0:" { print $3; exit }' "$1"
}

# count FILE: its non-empty lines, 0 when there is no such file
count() { if [ -f "$1" ]; then grep -c . "$1" || true; else echo 0; fi; }

# played KIND DIR NAME FILE: the VM played FILE exactly (virtual: its
# loopback capture has it; the others: QEMU's wav output has it)
# shellcheck disable=SC2317 # called through check
played()
{
	local kind=$1 d=$2 name=$3 file=$4

	if [ "$(cat "$d/aplay-$name.rc" 2>/dev/null)" != 0 ]; then
		echo "aplay failed: $(cat "$d/aplay-$name.err" 2>/dev/null)"
		return 1
	fi
	if [ "$kind" = virtual ]; then
		gunzip -f "$d/cap-$name.wav.gz" || return 1
		python3 "$WAV" contains "$file" "$d/cap-$name.wav"
	else
		python3 "$WAV" contains "$file" "$d/out.wav" --prefix-seconds 2
	fi
}

# vm_kind KIND RATE PARAMS QEMU_ARGS...: the VM of one kind of card, its
# output in $OUT/KIND (vm/, vm.log, vm-time)
vm_kind()
{
	local kind=$1 rate=$2 params=$3 d=$OUT/$1 t0 seed=600 name
	shift 3

	rm -rf "$d"
	mkdir -p "$d/data"
	: >"$d/fm"
	case " $KENV " in *" FM=1 "*) ;; *) rm -f "$d/fm" ;; esac
	case " $KENV " in *" ADLIB=1 "*) : >"$d/adlib" ;; esac
	for name in after-probe after-hwparams fallback; do
		seed=$((seed + 1))
		python3 "$WAV" noise "$d/data/$name.wav" --rate "$rate" --channels 2 \
			--format S16_LE --seconds 2.5 --seed "$seed"
	done
	{
		printf 'KIND=%s\nPARAMS="%s"\nRATE=%s\nSTRIDE=%s\nLSTRIDE=%s\nMAXN=%s\n' \
			"$kind" "$params" "$rate" "$STRIDE" "$LSTRIDE" "$MAXN"
		for name in $KENV; do
			printf '%s\n' "$name"
		done
		cat "$REPO/tests/guest/fault-sweep.sh"
	} >"$d/scenario"
	t0=$(date +%s)
	vm_run --kver "$DKVER" --module "$DMOD" --out "$d/vm" --timeout "$VM_LIMIT" \
		--file "$OUT/fault-nth" --file "$OUT/report.re" \
		--file "$d/data/after-probe.wav" --file "$d/data/after-hwparams.wav" \
		--file "$d/data/fallback.wav" \
		--scenario "$d/scenario" "$@" >"$d/vm.log" || true
	echo $(($(date +%s) - t0)) >"$d/vm-time"
}

# judge_probe FILE: the lines of a probe sweep (fault-sweep.sh); sets
# JRUNS (loads), JFAILS (bad ones) and JBAD (which, why)
judge_probe()
{
	local line why

	JRUNS=$(grep -c '^N=' "$1" 2>/dev/null || true)
	JFAILS=0
	JBAD=""
	while read -r line; do
		why=""
		case $line in
		*injected=0*)
			case $line in *" rc=0 "*) ;; *) why="no failure injected, yet the load failed" ;; esac
			;;
		*" rc=-1 "*)
			case $line in
			*loaded=1*) why="init_module failed, module still loaded" ;;
			*where=driver*"msg=") why="the driver failed without a kernel-log line" ;;
			esac
			;;
		*" rc=0 "*cards=0*"msg=") why="loaded without a card and without a kernel-log line" ;;
		esac
		case $line in
		*unload=failed*) why="${why:+$why, }rmmod failed" ;;
		esac
		case $line in
		*clean=no*) why="${why:+$why, }resources left behind" ;;
		esac
		if [ -n "$why" ]; then
			JFAILS=$((JFAILS + 1))
			JBAD="$JBAD${JBAD:+; }${line%% rc=*}: $why"
		fi
	done <"$1"
}

# check_fm KIND: the SB16 with an OPL3 (-device adlib): the FM setup swept
# at every N (fm_sweep in fault-sweep.sh).  A failure in snd_opl3_create()
# leaves a card without FM and one line; one in the hwdep device fails the
# load like any other (judge_probe); the clean load after the sweeps has
# the OPL3 hwdep device.
check_fm()
{
	local kind=$1 d=$OUT/$1/vm nofm bad reps

	judge_probe "$d/fm-probe.txt"
	# loads that got past a failed FM setup: a card, exactly one FM line
	nofm=$(grep -c ' rc=0 .*injected=1.* fm=[1-9]' "$d/fm-probe.txt" || true)
	bad=$(grep ' rc=0 .*injected=1.* fm=[1-9]' "$d/fm-probe.txt" |
		grep -v 'cards=1 .* fm=1 msg=.*the card works without FM' || true)
	reps=$(count "$d/probe-reports.txt")
	echo "    $kind FM: $JRUNS loads from N=$(head -n 1 "$d/fm-probe.txt" | cut -d' ' -f1 | cut -d= -f2)" \
		"down, $nofm without FM, $(grep -c ' rc=-1 .* fm=[1-9]' "$d/fm-probe.txt" || true)" \
		"failed with a FM line; e.g. $(grep -m 1 ' fm=1 msg=' "$d/fm-probe.txt" | sed 's/.*msg=//')"
	fig_probe_runs=$((fig_probe_runs + JRUNS))
	if [ "$JFAILS" = 0 ] && [ "$nofm" -gt 0 ] && [ -z "$bad" ] && [ "$reps" = 0 ]; then
		pass "fault-$kind-fm-failure-card-without-fm"
	else
		fig_probe_fail=$((fig_probe_fail + 1))
		fail "fault-$kind-fm-failure-card-without-fm" "$JFAILS bad of $JRUNS, $nofm loads without FM, $reps reports: ${JBAD:0:300} ${bad:0:300}"
	fi
	if grep -q '^[0-9][0-9]-00: OPL3 FM$' "$d/after-probe-hwdep.txt" 2>/dev/null; then
		pass "fault-$kind-after-probe-fm"
	else
		fig_probe_fail=$((fig_probe_fail + 1))
		fail "fault-$kind-after-probe-fm" "no OPL3 hwdep: $(cat "$d/after-probe-hwdep.txt" 2>/dev/null)"
	fi
}

# check_adlib KIND: the snd-omnibus-adlib port=0x388 sweep in the VM of
# KIND (ADLIB=1 in fault-sweep.sh): every failed load an errno, no card,
# no module, no port 0x388-0x38b; kmemleak clean; a clean load after it
# has the OPL3 hwdep device.  No PCM: hw_params and fallback are skipped.
check_adlib()
{
	local d=$OUT/$1/vm leaks reps bad

	judge_probe "$d/adlib-probe.txt"
	bad=$(grep ' rc=-1 ' "$d/adlib-probe.txt" | grep -v ' errno=[1-9][0-9]* .*cards=0 loaded=0 ' || true)
	[ -z "$bad" ] || JFAILS=$((JFAILS + $(printf '%s\n' "$bad" | grep -c .)))
	leaks=$(grep -c '^--- N=' "$d/adlib-probe-leftover.txt" 2>/dev/null || true)
	leaks=$((leaks + $(grep -c 'unreferenced object' "$d/adlib-probe-kmemleak.txt" 2>/dev/null || true)))
	reps=$(count "$d/adlib-probe-reports.txt")
	echo "    adlib ($1 VM): $(cat "$d/adlib-loader.txt" 2>/dev/null); probe sweep" \
		"$(awk '{ printf "%.0f", $2 - $1 }' "$d/adlib-probe-time.txt" 2>/dev/null) s," \
		"$JRUNS loads, $(grep -c ' rc=-1 ' "$d/adlib-probe.txt" || true) failed" \
		"($(grep ' rc=-1 ' "$d/adlib-probe.txt" | sed -n 's/.*errno=\([0-9]*\) .*/\1/p' |
			sort | uniq -c | awk '{ printf "%s errno %s; ", $1, $2 }')" \
		"$(grep -c ' rc=0 .*injected=1' "$d/adlib-probe.txt" || true) absorbed;" \
		"$(grep -c 'where=driver' "$d/adlib-probe.txt" || true) in the driver)"
	fig_probe_runs=$((fig_probe_runs + JRUNS))
	fig_probe_reports=$((fig_probe_reports + reps))
	fig_probe_leaks=$((fig_probe_leaks + leaks))
	if [ "$JFAILS" = 0 ] && [ "$leaks" = 0 ] && [ "$reps" = 0 ] && [ "$JRUNS" -gt 0 ]; then
		pass fault-adlib-probe
	else
		fig_probe_fail=$((fig_probe_fail + JFAILS + 1))
		fail fault-adlib-probe "$JFAILS bad of $JRUNS, $leaks leaks, $reps reports: ${JBAD:0:400} ${bad:0:300}"
		head -n 20 "$d/adlib-probe-reports.txt" "$d/adlib-probe-leftover.txt" \
			"$d/adlib-probe-kmemleak.txt" 2>/dev/null | sed 's/^/    /'
		grep -v '^ *\[ *[0-9.]*\]  ' "$d/adlib-probe-nomsg.txt" 2>/dev/null | head -n 40 |
			sed 's/^/    no line: /'
	fi
	if tail -n 1 "$d/adlib-probe.txt" 2>/dev/null | grep -q 'injected=0'; then
		pass fault-adlib-probe-sweep-complete
	else
		fig_probe_fail=$((fig_probe_fail + 1))
		fail fault-adlib-probe-sweep-complete "the sweep did not end: $(tail -n 1 "$d/adlib-probe.txt" 2>/dev/null)"
	fi
	if [ -f "$d/adlib-ioports-left.txt" ] && [ ! -s "$d/adlib-ioports-left.txt" ]; then
		pass fault-adlib-ports-given-back
	else
		fig_probe_leaks=$((fig_probe_leaks + 1))
		fail fault-adlib-ports-given-back "$(cat "$d/adlib-ioports-left.txt" 2>/dev/null || echo 'no adlib-ioports-left.txt')"
	fi
	if [ "$(cat "$d/adlib-after-probe.rc" 2>/dev/null)" = 0 ] &&
	   grep -q '^[0-9][0-9]-00: OPL3 FM$' "$d/adlib-after-probe-hwdep.txt" &&
	   grep -q 'AdLib FM (OPL3) at 0x388$' "$d/adlib-after-probe.txt" &&
	   grep -q '^  0388-038b : snd-omnibus AdLib$' "$d/adlib-after-probe.txt"; then
		pass fault-adlib-after-probe-hwdep
	else
		fig_probe_fail=$((fig_probe_fail + 1))
		fail fault-adlib-after-probe-hwdep "rc $(cat "$d/adlib-after-probe.rc" 2>/dev/null): $(cat "$d/adlib-after-probe-hwdep.txt" 2>/dev/null) $(head -c 400 "$d/adlib-after-probe.txt" 2>/dev/null)"
	fi
	skip fault-adlib-hwparams "the AdLib card has no PCM: no hw_params to fail"
	skip fault-adlib-fallback "the AdLib card has no PCM: no buffer to pre-allocate"
}

# check_kind KIND: judge what the VM of KIND left (vm_kind)
check_kind()
{
	local kind=$1 d=$OUT/$1/vm n bad pre fb why runs fails reps leaks bs

	if [ -f "$d/hang.txt" ]; then
		fail "fault-$kind-hang" "$(grep -h 'N=' "$d/probe.txt" "$d/hwparams.txt" 2>/dev/null |
			grep hang | head -n 1) (blocked tasks: $d/hang.txt)"
		grep -A 12 'blocked for more than\|task:' "$d/hang.txt" | head -n 40 | sed 's/^/    /'
		fig_probe_fail=$((fig_probe_fail + 1))
		fig_probe_reports=$((fig_probe_reports + 1))
		return 0
	fi
	if [ "$(cat "$d/exit" 2>/dev/null)" != 0 ]; then
		tail -n 40 "$OUT/$kind/vm.log" | sed 's/^/    /'
		fail "fault-$kind-vm" "the scenario did not finish (exit: $(cat "$d/exit" 2>/dev/null))"
		fig_probe_fail=$((fig_probe_fail + 1))
		return 0
	fi
	echo "    $kind: VM $(cat "$OUT/$kind/vm-time") s, probe sweep $(awk '{ printf "%.0f", $2 - $1 }' \
		"$d/probe-time.txt") s"

	# --- (a) probe sweep
	judge_probe "$d/probe.txt"
	runs=$JRUNS fails=$JFAILS bad=$JBAD
	leaks=$(grep -c '^--- N=' "$d/probe-leftover.txt" 2>/dev/null || true)
	leaks=$((leaks + $(grep -c 'unreferenced object' "$d/probe-kmemleak.txt" || true)))
	reps=$(count "$d/probe-reports.txt")
	if [ "$fails" = 0 ] && [ "$leaks" = 0 ] && [ "$reps" = 0 ] && [ "$runs" -gt 0 ]; then
		pass "fault-$kind-probe"
	else
		fail "fault-$kind-probe" "$fails bad of $runs, $leaks leaks, $reps reports: ${bad:0:600}"
		head -n 20 "$d/probe-reports.txt" "$d/probe-leftover.txt" "$d/probe-kmemleak.txt" \
			2>/dev/null | sed 's/^/    /'
		grep -v '^ *\[ *[0-9.]*\]  ' "$d/probe-nomsg.txt" 2>/dev/null | head -n 60 |
			sed 's/^/    no line: /'
	fi
	if tail -n 1 "$d/probe.txt" | grep -q 'injected=0'; then
		pass "fault-$kind-probe-sweep-complete"
	else
		fail "fault-$kind-probe-sweep-complete" "still failing at N=$MAXN"
		fails=$((fails + 1))
	fi
	if [ -s "$d/core-index-leaks.txt" ]; then
		echo "    $kind: the ALSA core kept a card index after a failed snd_card_new():" \
			"$(tr '\n' ';' <"$d/core-index-leaks.txt")"
	fi
	echo "    $kind probe: $runs loads, $(grep -c ' rc=-1 ' "$d/probe.txt" || true) failed" \
		"($(grep ' rc=-1 ' "$d/probe.txt" | sed -n 's/.*errno=\([0-9]*\) .*/\1/p' |
			sort | uniq -c | awk '{ printf "%s errno %s; ", $1, $2 }')" \
		"$(grep -c ' rc=0 .*injected=1' "$d/probe.txt" || true) absorbed;" \
		"$(grep -c 'where=driver' "$d/probe.txt" || true) in the driver)"
	fig_probe_runs=$((fig_probe_runs + runs))
	fig_probe_fail=$((fig_probe_fail + fails))
	fig_probe_reports=$((fig_probe_reports + reps))
	fig_probe_leaks=$((fig_probe_leaks + leaks))
	check "fault-$kind-after-probe-plays" played "$kind" "$d" after-probe \
		"$OUT/$kind/data/after-probe.wav"
	[ "$CHECK_RC" = 0 ] || fig_probe_fail=$((fig_probe_fail + 1))
	[ -f "$OUT/$kind/fm" ] && check_fm "$kind"

	# --- (b) hw_params
	runs=$(grep -c 'N=' "$d/hwparams.txt" || true)
	fails=0
	bad=$(grep 'injected=1' "$d/hwparams.txt" | grep -v ' rc=0 \| rc=-1 errno=12 ' || true)
	[ -z "$bad" ] || fails=$(printf '%s\n' "$bad" | grep -c .)
	for pre in default 0; do
		grep "prealloc=$pre " "$d/hwparams.txt" | tail -n 1 | grep -q ' rc=0 .*injected=0' ||
			{ fails=$((fails + 1)); bad="$bad prealloc=$pre: the sweep did not end cleanly"; }
	done
	reps=$(count "$d/hwparams-reports.txt")
	if [ "$fails" = 0 ] && [ "$reps" = 0 ] && [ "$runs" -gt 0 ]; then
		pass "fault-$kind-hwparams"
	else
		fail "fault-$kind-hwparams" "$fails bad of $runs, $reps reports: ${bad:0:400}"
		head -n 20 "$d/hwparams-reports.txt" 2>/dev/null | sed 's/^/    /'
	fi
	echo "    $kind hw_params: $runs calls, $(grep -c ' rc=-1 ' "$d/hwparams.txt" || true)" \
		"failed with ENOMEM; aplay with order>=2 failing: exit $(cat "$d/aplay-failing.rc")," \
		"$(head -n 1 "$d/aplay-failing.out")"
	case $kind in
	es1370 | sb16 | wss)
		# hw_params failed (ENOMEM: the sweep above checks the errno)
		if [ "$(cat "$d/aplay-failing.rc")" != 0 ] &&
		   grep -q 'Unable to install hw params' "$d/aplay-failing.out"; then
			pass "fault-$kind-aplay-clean-error"
		else
			fail "fault-$kind-aplay-clean-error" "aplay: exit $(cat "$d/aplay-failing.rc"): $(head -n 3 "$d/aplay-failing.out")"
			fails=$((fails + 1))
		fi
		;;
	esac
	check "fault-$kind-after-hwparams-plays" played "$kind" "$d" after-hwparams \
		"$OUT/$kind/data/after-hwparams.wav"
	[ "$CHECK_RC" = 0 ] || fails=$((fails + 1))
	fig_hw_runs=$((fig_hw_runs + runs + 1))
	fig_hw_fail=$((fig_hw_fail + fails))
	fig_hw_reports=$((fig_hw_reports + reps))

	# --- (c) fallback
	pre=$(prealloc_of "$d/buffers-normal.txt")
	fb=$(prealloc_of "$d/buffers-fallback.txt")
	echo "    $kind fallback: pre-allocated $pre bytes normally, $fb with order>=4 failing;" \
		"playing: $(grep 'p0:' "$d/buffers-fallback-play.txt" | head -n 1 | sed 's/^ *//')"
	fails=0
	reps=$(count "$d/fallback-reports.txt")
	why=""
	[ "$(cat "$d/fallback.rc")" = 0 ] || why="modprobe failed: $(cat "$d/fallback-dmesg.txt")"
	case $kind in
	es1370 | sb16 | wss | virtual)
		# S16 stereo: 4 bytes a frame
		bs=$(sed -n 's/^buffer_size: //p' "$d/hw-fallback.txt")
		if [ -z "$pre" ] || [ "$pre" -le 32768 ] || [ "$fb" != 32768 ]; then
			why="${why:+$why, }pre-allocation did not fall back to 32768 ($pre -> $fb)"
		elif [ -z "$bs" ] || [ $((bs * 4)) -gt "$fb" ] ||
		     grep -q 'allocated in hw_params' "$d/buffers-fallback-play.txt"; then
			why="${why:+$why, }a buffer of 8192 frames did not use the pre-allocated one: $(tr '\n' ' ' <"$d/hw-fallback.txt") $(grep 'p0:' "$d/buffers-fallback-play.txt" | head -n 1)"
		fi
		;;
	*)
		[ -n "$fb" ] && [ "$fb" = "$pre" ] ||
			why="${why:+$why, }pre-allocation changed ($pre -> $fb)"
		;;
	esac
	if [ "$kind" = virtual ]; then
		# its vmalloc PCM
		pre=$(prealloc_of "$d/buffers-normal.txt" 1)
		fb=$(prealloc_of "$d/buffers-fallback.txt" 1)
		[ -n "$fb" ] && [ "$fb" = "$pre" ] ||
			why="${why:+$why, }the vmalloc pre-allocation changed ($pre -> $fb)"
	fi
	if [ -z "$why" ] && [ "$reps" = 0 ]; then
		pass "fault-$kind-fallback"
	else
		fail "fault-$kind-fallback" "${why:-$reps reports}"
		fails=$((fails + 1))
	fi
	check "fault-$kind-fallback-plays" played "$kind" "$d" fallback \
		"$OUT/$kind/data/fallback.wav"
	[ "$CHECK_RC" = 0 ] || fails=$((fails + 1))
	leaks=0
	[ ! -s "$d/end-leftover.txt" ] || leaks=1
	fig_fb_runs=$((fig_fb_runs + 1))
	fig_fb_fail=$((fig_fb_fail + fails))
	fig_fb_reports=$((fig_fb_reports + reps))
	fig_fb_leaks=$((fig_fb_leaks + leaks))

	# the whole run's kernel log and kmemleak (vm_run: reports.txt)
	n=$(grep -c -v '^    \[<' "$d/reports.txt" 2>/dev/null || true)
	fig_fb_reports=$((fig_fb_reports + n))
	if [ "$n" = 0 ] && [ "$leaks" = 0 ]; then
		pass "fault-$kind-log-clean"
	else
		fail "fault-$kind-log-clean" "$n report lines, leftovers: $(head -c 300 "$d/end-leftover.txt" 2>/dev/null)"
	fi
}

# kind_args KIND: RATE, PARAMS, QEMU's arguments (QARGS) and the guest's
# extra settings (KENV: FM=1, ADLIB=1, see fault-sweep.sh) for that kind
kind_args()
{
	QARGS=()
	KENV=""
	case $1 in
	virtual) RATE=44100 PARAMS="virtual_cards=1" ;;
	es1370)
		RATE=44100 PARAMS=""
		QARGS=(--qemu-args "-device ES1370,audiodev=snd0"
			--qemu-args "-audiodev wav,id=snd0,path=$OUT/es1370/vm/out.wav")
		;;
	ich)
		RATE=48000 PARAMS=""
		QARGS=(--qemu-args "-device AC97,audiodev=snd0"
			--qemu-args "-audiodev wav,id=snd0,path=$OUT/ich/vm/out.wav,out.frequency=48000")
		;;
	sb16)
		# with an OPL3 (QEMU's adlib answers at 0x220 and at 0x388, on
		# an audiodev of its own: the wav file is the SB16's alone):
		# the SB16's FM setup and an AdLib card are swept too
		RATE=44100 PARAMS="port=0x220 irq=5 dma8=1 dma16=5" KENV="FM=1 ADLIB=1"
		QARGS=(--qemu-args "-device sb16,audiodev=snd0"
			--qemu-args "-audiodev wav,id=snd0,path=$OUT/sb16/vm/out.wav"
			--qemu-args "-device adlib,audiodev=fm0 -audiodev none,id=fm0")
		;;
	wss)
		RATE=44100 PARAMS="port=0x534 irq=5 dma1=3"
		QARGS=(--qemu-args "-device cs4231a,irq=5,audiodev=snd0"
			--qemu-args "-audiodev wav,id=snd0,path=$OUT/wss/vm/out.wav")
		;;
	esac
}

# The VMs run FAULT_JOBS at a time (default: one per core; each TCG guest
# keeps one core busy), the longest sweeps first; then each is judged in
# turn.
JOBS=${FAULT_JOBS:-$(nproc)}
KINDS=""
for kind in es1370 virtual sb16 wss ich; do
	case " ${FAULT_KINDS:-virtual es1370 ich sb16 wss} " in
	*" $kind "*) KINDS="$KINDS $kind" ;;
	esac
done
for kind in $KINDS; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
	kind_args "$kind"
	vm_kind "$kind" "$RATE" "$PARAMS" ${QARGS[@]+"${QARGS[@]}"} &
done
wait
for kind in $KINDS; do
	check_kind "$kind"
	[ ! -f "$OUT/$kind/adlib" ] || check_adlib "$kind"
done

echo "FIGURE: fault-probe runs=$fig_probe_runs failures=$fig_probe_fail reports=$fig_probe_reports leaks=$fig_probe_leaks"
echo "FIGURE: fault-hwparams runs=$fig_hw_runs failures=$fig_hw_fail reports=$fig_hw_reports leaks=$fig_hw_leaks"
echo "FIGURE: fault-fallback runs=$fig_fb_runs failures=$fig_fb_fail reports=$fig_fb_reports leaks=$fig_fb_leaks"
test_done
