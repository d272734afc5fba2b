#!/bin/bash
#
# t-rel-selftests.sh - the kernel's own ALSA selftests against every card
# snd-omnibus makes (issue 6, conformance):
#
#   mixer-test   from linux-source-6.1 (tools/testing/selftests/alsa), and
#                the newer one of linux-source-6.12, which checks more
#                (events of writes, values read back after invalid writes)
#   pcm-test     from linux-source-6.12: 6.1's tree has no pcm-test (it came
#                with Linux 6.2), with its pcm-test.conf and our card
#                configuration tests/selftests/CARD.conf (in conf.d)
#
# built on the host from the linux-source tarballs (never copied into the
# repository; the binaries are cached under $CACHE/selftests-alsa) with
# libasound2-dev, and run in one VM per card: virtual (virtual_cards=1),
# ES1370, ICH (-device AC97), SB16 (port=0x220 irq=5 dma8=1 dma16=5), WSS
# (-device cs4231a,irq=5: port=0x534 irq=5 dma1=3).
# QEMU's audio goes to -audiodev none, which runs the emulated DMA in real
# time (pcm-test checks that 2 s of audio take 2 s, within 100 ms).
#
# Every test case must pass (skips are counted apart: a pcm-test default
# test whose parameters a device cannot take is skipped by pcm-test
# itself), the kernel log must stay clean and the module must unload.
# Explained exceptions:
#  - mixer-test's name test on the ES1370's "PCM 0 Output also on Line-In
#    Jack" (a writable boolean not called "... Switch"): alsa-lib's
#    cards/ENS1370.conf sets that control by this name for its rear and
#    surround40 devices, so the name stays (snd-ens1370 has it too);
#  - the virtual card has no controls: mixer-test plans 0 tests there;
#  - pcm-test checks that 2 s of audio take 2 s within 100 ms, which a
#    starved TCG guest cannot always keep (the in-tree snd-dummy and
#    snd-aloop miss it too on a loaded host): a time test that took what
#    its period size makes it take (a drain ends at a period interrupt),
#    or one with two periods per buffer that failed on timing, is
#    explained (see tap_count); when other failures are all of timing
#    ("time mismatch", a short read/write after an xrun, or -EIO when no
#    interrupt came in time) pcm-test runs again in a new VM, and a case
#    counts as failed when it fails in both; both runs are shown.
# Prints "FIGURE: selftest-mixer ..." and "FIGURE: selftest-pcm ..." with
# runs = test cases run (not skipped) and failures = failed cases.
#
# The AdLib card (snd-omnibus-adlib) is not in these VMs: it has no PCM
# for pcm-test and no mixer control for mixer-test (mixer-test would plan 0
# tests, as on the virtual card, which says nothing); t-rel-fuzz fuzzes its
# control and hwdep nodes.
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

# shellcheck source-path=SCRIPTDIR
set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-rel-selftests.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CARDS=${SELFTEST_CARDS:-virtual es1370 ich sb16 wss}

REPORT_RE='BUG:|WARNING:|UBSAN:|general protection|Oops|Kernel panic|INFO: task .* blocked|INFO: rcu|soft lockup|hard LOCKUP|list_add corruption|list_del corruption|refcount_t:|scheduling while atomic|sleeping function called|DMA-API:'

if [ ! -f "$MODULE/snd-omnibus-virtual.ko" ]; then
	fail selftests-module "no snd-omnibus modules in $MODULE (build them first)"
	echo "FIGURE: selftest-mixer runs=0 failures=1 reports=0 leaks=0"
	echo "FIGURE: selftest-pcm runs=0 failures=1 reports=0 leaks=0"
	test_done
fi
t_start=$(date +%s)

# --- build the selftests ------------------------------------------------------
vm_host_deps linux-source-6.1 linux-source-6.12 libasound2-dev pkg-config xz-utils

# st_build: build (or reuse) the binaries; sets ST to their directory.
st_build()
{
	local key src tmp d
	key=$({
		dpkg-query -W -f='${Package} ${Version}\n' linux-source-6.1 \
			linux-source-6.12 libasound2-dev gcc
		sed -n '/^st_build()/,/^}/p' "$0"
	} | sha256sum | cut -c1-16)
	ST=$CACHE/selftests-alsa/$key
	[ -f "$ST/.done" ] && return 0
	tmp=$ST.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for v in 6.1 6.12; do
		src=/usr/src/linux-source-$v.tar.xz
		[ -f "$src" ] || { echo "no $src"; return 1; }
		d=linux-source-$v/tools/testing/selftests
		tar -C "$tmp" -xJf "$src" "$d/kselftest.h" "$d/alsa" || return 1
	done
	d=$tmp/linux-source-6.1/tools/testing/selftests/alsa
	# shellcheck disable=SC2046 # pkg-config gives several words
	gcc -O2 -Wall $(pkg-config --cflags alsa) -o "$tmp/mixer-test-6.1" \
		"$d/mixer-test.c" $(pkg-config --libs alsa) || return 1
	# 6.12: conf.c is the shared library libatest.so; the tests find it
	# next to them (rpath ./), as in the kernel's own build
	d=$tmp/linux-source-6.12/tools/testing/selftests/alsa
	# shellcheck disable=SC2046
	gcc -O2 -Wall -shared -fPIC $(pkg-config --cflags alsa) \
		-o "$tmp/libatest.so" "$d/conf.c" $(pkg-config --libs alsa) || return 1
	for t in mixer-test pcm-test; do
		# shellcheck disable=SC2046
		gcc -O2 -Wall $(pkg-config --cflags alsa) -o "$tmp/$t-6.12" \
			"$d/$t.c" -L"$tmp" -Wl,-rpath=./ -latest \
			$(pkg-config --libs alsa) -lpthread || return 1
	done
	cp "$d/pcm-test.conf" "$tmp/"
	rm -rf "$tmp/linux-source-6.1" "$tmp/linux-source-6.12"
	touch "$tmp/.done"
	rm -rf "$ST"
	mv "$tmp" "$ST"
}
t0=$(date +%s)
if ! st_build >"$OUT/build.log" 2>&1; then
	tail -n 20 "$OUT/build.log" | sed 's/^/    /'
	fail selftests-build "building the ALSA selftests failed"
	echo "FIGURE: selftest-mixer runs=0 failures=1 reports=0 leaks=0"
	echo "FIGURE: selftest-pcm runs=0 failures=1 reports=0 leaks=0"
	test_done
fi
pass selftests-build
echo "    selftests in $ST ($(($(date +%s) - t0)) s)"

MIX_RUNS=0 MIX_FAIL=0 MIX_REP=0 PCM_RUNS=0 PCM_FAIL=0 PCM_REP=0 PCM_EXPL=0 LEAKS=0

# Failures explained above: the comment line mixer-test prints before the
# "not ok" line of the case.
EXPLAINED_RE='PCM 0 Output also on Line-In Jack is a writeable boolean but not a Switch'

# tap_count FILE: "RUN FAIL SKIP EXPLAINED" of a kselftest TAP output.
# mixer-test: failures whose comment matches EXPLAINED_RE are explained.
# pcm-test: a failed time test is explained when
#  - it took as long as its period size makes it (2 s of frames rounded up
#    to whole periods: a drain, or the read of a part of a period, ends at
#    a period interrupt), within pcm-test's 100 ms, or
#  - it ran with two periods per buffer and failed on timing (a short read
#    or write after an xrun, or a time mismatch): under TCG the in-tree
#    snd-aloop fails these the same way while its four-period runs pass
#    (docs/reliability.md), a matter of the ALSA core and the emulator, not the driver.
# Each explained failure is listed on stdout with its reason.
tap_count()
{
	: >"$1.explained"
	: >"$1.failed"
	awk -v re="$EXPLAINED_RE" -v out="$1.explained" -v failed="$1.failed" '
		function timing(m) {
			return m ~ /^# (time mismatch: .*|expected [0-9]+, wrote -?[0-9]+)$/
		}
		/^# [a-z]+\.[^ ]+ hw_params\./ {
			n = split($3, h, ".")
			per[$2] = h[n - 1]; buf[$2] = h[n]; rate[$2] = h[n - 3]
		}
		/^ok [0-9]+ .*# SKIP/ { s++; next }
		/^ok [0-9]+ / { p++ }
		/^not ok [0-9]+ / {
			key = $4
			if (last ~ re) { x++; print "explained: " last > out; next }
			getline msg
			why = ""
			if (key in per && timing(msg)) {
				np = int((2 * rate[key] + per[key] - 1) / per[key])
				q = np * per[key] * 1000 / rate[key]
				if (msg ~ /time mismatch/) {
					got = msg; sub(/.* got /, "", got)
					if (got - q <= 100 && q - got <= 100)
						why = sprintf("%d periods of %d frames take %d ms", np, per[key], q)
				}
				if (why == "" && buf[key] == 2 * per[key])
					why = "two periods per buffer, timing (as snd-aloop under TCG)"
			}
			if (why != "") {
				x++
				print "explained: " key ": " substr(msg, 3) " (" why ")" > out
			} else {
				f++
				print key > failed
			}
		}
		/^# / { last = $0 }
		END { printf "%d %d %d %d\n", p + f + x, f, s, x }' "$1"
}

# timing_only FILE: every unexplained failure of a pcm-test output is one
# of timing
timing_only()
{
	awk '/^# [a-z]+\.[^ ]+ hw_params\./ { n = split($3, h, "."); two[$2] = h[n] == 2 * h[n - 1] }
		/^not ok [0-9]+ / { key = $4; getline
			if (two[key] && $0 ~ /^# (time mismatch: .*|expected [0-9]+, wrote -?[0-9]+)$/)
				next
			nf++
			if ($0 ~ /^# (time mismatch: .*|expected [0-9]+, wrote -?[0-9]+)$/) nt++ }
		END { exit !(nf > 0 && nf == nt) }' "$1"
}

# st_card CARD [retry]: one VM, the test programs on the card's one card
# (with "retry": pcm-test alone, after timing failures of the first VM)
st_card()
{
	local card=$1 retry=${2:-} V=$OUT/$1 params="" t run f s x rc t0 t1 n
	local progs="mixer-test-6.1 mixer-test-6.12 pcm-test-6.12" again=""
	local -a qemu=()

	if [ -n "$retry" ]; then
		V=$OUT/$card-retry
		progs=pcm-test-6.12
	fi
	case $card in
	virtual) params="virtual_cards=1" ;;
	es1370) qemu=(--qemu-args "-device ES1370,audiodev=snd0") ;;
	ich) qemu=(--qemu-args "-device AC97,audiodev=snd0") ;;
	sb16)
		qemu=(--qemu-args "-device sb16,audiodev=snd0")
		params="port=0x220 irq=5 dma8=1 dma16=5"
		;;
	wss)
		qemu=(--qemu-args "-device cs4231a,irq=5,audiodev=snd0")
		params="port=0x534 irq=5 dma1=3"
		;;
	esac
	[ "$card" = virtual ] || qemu+=(--qemu-args "-audiodev none,id=snd0")
	rm -rf "$V"
	mkdir -p "$V"
	t0=$(date +%s)
	vm_run --module "$MODULE" --out "$V" --timeout 900 \
		--file "$ST/mixer-test-6.1" --file "$ST/mixer-test-6.12" \
		--file "$ST/pcm-test-6.12" --file "$ST/libatest.so" \
		--file "$ST/pcm-test.conf" \
		--file "$REPO/tests/selftests/$card.conf" \
		"${qemu[@]}" --scenario - >"$V.log" <<EOF || true
snap() {
	cat /proc/ioports /proc/dma
	awk '\$1 ~ /^[0-9]+:\$/ && NF >= 5 { \$2 = ""; print }' /proc/interrupts
}
snap >/out/proc-before.txt
modprobe snd-omnibus-$card $params || exit 1
cat /proc/asound/cards >/out/cards.txt
mkdir -p /tmp/st/conf.d
cp /data/mixer-test-6.1 /data/mixer-test-6.12 /data/pcm-test-6.12 \
	/data/libatest.so /data/pcm-test.conf /tmp/st/
cp /data/$card.conf /tmp/st/conf.d/
amixer -c 0 controls | wc -l >/out/controls.txt
cd /tmp/st
for t in $progs; do
	s=\$(cut -d' ' -f1 /proc/uptime)
	./\$t >/out/\$t.txt 2>&1
	echo "rc=\$? \$s \$(cut -d' ' -f1 /proc/uptime)" >/out/\$t.rc
	# the kernel log of each program apart, for the figures
	dmesg -c >/out/dmesg-\$t.txt
done
cd /
rmmod snd-omnibus-$card snd-omnibus-core && echo ok >/out/rmmod.ok
snap >/out/proc-after.txt
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/out/kmemleak.txt
fi
exit 0
EOF
	echo "    $card${retry:+ (again)}: VM $(($(date +%s) - t0)) s, card $(sed -n 's/^ *0 \[\([^ ]*\) *\]: \(.*\)/\1: \2/p' "$V/cards.txt" 2>/dev/null)"
	if [ "$(cat "$V/exit" 2>/dev/null)" != 0 ]; then
		tail -n 30 "$V.log" | sed 's/^/    /'
		fail "selftest-$card-vm" "the scenario did not finish (exit: $(cat "$V/exit" 2>/dev/null))"
		MIX_FAIL=$((MIX_FAIL + 1))
		PCM_FAIL=$((PCM_FAIL + 1))
		return 0
	fi
	for t in $progs; do
		read -r run f s x <<<"$(tap_count "$V/$t.txt")"
		read -r rc t0 t1 <"$V/$t.rc"
		echo "    $card $t: $run run, $f failed, $x failed as explained," \
			"$s skipped, $rc," \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s"
		[ "$x" = 0 ] || sed 's/^/    /' "$V/$t.txt.explained"
		if [ -n "$retry" ] && [ "$f" != 0 ]; then
			# only a case that failed in both VMs counts
			n=$(sort "$V/$t.txt.failed" | comm -12 - \
				<(sort "$OUT/$card/$t.txt.failed") | wc -l)
			echo "    failed in both VMs: $n of the $f failed now" \
				"($(tr '\n' ' ' <"$V/$t.txt.failed"))"
			f=$n
		fi
		if [ "$t" = pcm-test-6.12 ] && [ -z "$retry" ] && [ "$f" != 0 ] &&
		   timing_only "$V/$t.txt"; then
			# a starved guest misses the time: one more VM decides
			grep -A1 '^not ok' "$V/$t.txt" | grep -v '^--' | sed 's/^/      /'
			echo "    (timing failures only: pcm-test runs again in a new VM, which counts)"
			check_dmesg_clean "$V/dmesg-$t.txt" "selftest-$card-$t-first-dmesg-clean"
			again=1
			continue
		fi
		n=$(grep -cE "$REPORT_RE" "$V/dmesg-$t.txt" 2>/dev/null || true)
		case $t in
		mixer-*)
			MIX_RUNS=$((MIX_RUNS + run))
			MIX_FAIL=$((MIX_FAIL + f))
			MIX_REP=$((MIX_REP + ${n:-0}))
			;;
		pcm-*)
			PCM_RUNS=$((PCM_RUNS + run))
			PCM_FAIL=$((PCM_FAIL + f))
			PCM_REP=$((PCM_REP + ${n:-0}))
			PCM_EXPL=$((PCM_EXPL + x))
			;;
		esac
		check_dmesg_clean "$V/dmesg-$t.txt" "selftest-$card-$t-dmesg-clean"
		# a card without controls: mixer-test plans no test at all
		if [ "$run" = 0 ] && [ "$rc" = rc=0 ] && [ "${t%%-test*}" = mixer ] &&
		   [ "$(cat "$V/controls.txt")" = 0 ] && grep -qx '1\.\.0' "$V/$t.txt"; then
			pass "selftest-$card-$t"
			echo "    (the card has no controls)"
		elif [ "$f" = 0 ] && [ "$run" -gt 0 ] && [ "$rc" = rc=0 ]; then
			pass "selftest-$card-$t"
		else
			grep -E '^not ok|^# (Totals|Planned)|Bail' "$V/$t.txt" | head -n 40 |
				sed 's/^/    /'
			# a crash or bail-out without a "not ok" is a failure too
			if [ "$f" = 0 ]; then
				case $t in
				mixer-*) MIX_FAIL=$((MIX_FAIL + 1)) ;;
				*) PCM_FAIL=$((PCM_FAIL + 1)) ;;
				esac
			fi
			fail "selftest-$card-$t" "$f of $run failed ($rc)"
		fi
	done
	if [ -f "$V/rmmod.ok" ] && diff -u "$V/proc-before.txt" "$V/proc-after.txt" \
		>"$V/proc.diff"; then
		pass "selftest-$card${retry:+-again}-unload"
	else
		sed 's/^/    /' "$V/proc.diff" 2>/dev/null || true
		LEAKS=$((LEAKS + $(grep -c '^[-+][^-+]' "$V/proc.diff" 2>/dev/null || true)))
		fail "selftest-$card${retry:+-again}-unload" "rmmod failed or resources not given back"
	fi
	n=$(grep -c '^unreferenced object' "$V/kmemleak.txt" 2>/dev/null || true)
	LEAKS=$((LEAKS + ${n:-0}))
	# what the unload logged, counted with pcm-test (the last program)
	n=$(grep -cE "$REPORT_RE" "$V/dmesg.txt" 2>/dev/null || true)
	PCM_REP=$((PCM_REP + ${n:-0}))
	check_dmesg_clean "$V/dmesg.txt" "selftest-$card${retry:+-again}-unload-dmesg-clean"
	[ -z "$again" ] || st_card "$card" retry
}

for card in $CARDS; do
	st_card "$card"
done

echo "selftests took $(($(date +%s) - t_start)) s"
echo "pcm-test failures explained (listed above): $PCM_EXPL"
# leaks show after the unload, at the end of each VM: on the pcm line
echo "FIGURE: selftest-mixer runs=$MIX_RUNS failures=$MIX_FAIL reports=$MIX_REP leaks=0"
echo "FIGURE: selftest-pcm runs=$PCM_RUNS failures=$PCM_FAIL reports=$PCM_REP leaks=$LEAKS"
test_done
