#!/bin/bash
#
# t-wss-686.sh - side by side on QEMU's -device cs4231a (irq=5), the same
# files through three drivers:
#
#   1. the in-tree snd-cs4231 on Debian's 686 kernel (qemu-system-i386),
#      port=0x534 irq=5 dma1=3 dma2=-1;
#   2. snd-omnibus-wss on the same 686 kernel, built against its i386
#      headers in an i386 chroot (tests/lib/vm.sh vm_build_i386);
#   3. snd-omnibus-wss on Debian's amd64 kernel.
#
# The files, all at 44.1 kHz: S16_LE stereo noise, which must come out
# byte for byte, and U8 stereo and mu-law mono noise, which QEMU turns
# into S16 ((x-127)*256, the G.711 expansion, mono on both channels).
# Each driver's output must hold each file's bytes, so the three outputs
# hold the same bytes; the test prints where.  snd-omnibus-wss must build
# for 686 with W=1 and no warning.
#
# Run by tests/run.sh (REPO, KVER, MODULE, TEST_OUT in the environment).

set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/vm.sh
. "$REPO/tests/lib/vm.sh"
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
WAV=$REPO/tests/lib/wav.py
MODULE=${MODULE:-$REPO/src}
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-wss-686.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

vm_host_deps qemu-system-x86 mmdebstrap binutils

# --- the files ---------------------------------------------------------------
D=$OUT/data
mkdir -p "$D"
python3 "$WAV" noise "$D/s16.wav" --rate 44100 --seconds 2.5 --seed 4231
python3 - "$D" <<'EOF'
import random, struct, sys
d = sys.argv[1]
n = int(44100 * 1.5)

def s16(values):
    return struct.pack("<%dh" % len(values), *values)

def ulaw(b):
    b = ~b & 0xff
    t = (((b & 0x0f) << 3) + 0x84) << ((b & 0x70) >> 4)
    return 0x84 - t if b & 0x80 else t - 0x84

rnd = random.Random(686)
u8 = bytes(b if b != 0xff else 0xfe for b in rnd.randbytes(2 * n))
mu = rnd.randbytes(n)
open(d + "/u8s.raw", "wb").write(u8)
open(d + "/u8s.exp", "wb").write(s16([(x - 127) * 256 for x in u8]))
open(d + "/mulaw.raw", "wb").write(mu)
open(d + "/mulaw.exp", "wb").write(s16([ulaw(x) for x in mu for _ in (0, 1)]))
EOF

# --- snd-omnibus-wss for 686 ----------------------------------------------------
B=$OUT/build-686
test_build_686 "$B" snd-omnibus-wss.ko wss-686-build-w1-clean

# --- the three runs ------------------------------------------------------------
# run NAME ARCH MODDIR: one VM playing the three files; snd-cs4231 when
# MODDIR is "", else snd-omnibus-wss (and snd-omnibus-core) of MODDIR.
run()
{
	local n=$1 arch=$2 mod=$3 dir=$OUT/$1
	local -a args=(--arch "$arch" --out "$dir" --timeout 120
		--file "$D/s16.wav" --file "$D/u8s.raw" --file "$D/mulaw.raw"
		--qemu-args "-device cs4231a,irq=5,audiodev=snd0"
		--qemu-args "-audiodev wav,id=snd0,path=$dir/out.wav")

	rm -rf "$dir"
	mkdir -p "$dir"
	if [ -n "$mod" ]; then
		[ -f "$mod/snd-omnibus-wss.ko" ] && [ -f "$mod/snd-omnibus-core.ko" ] ||
			return 0
		args+=(--module "$mod/snd-omnibus-core.ko" --module "$mod/snd-omnibus-wss.ko")
	fi
	[ "$arch" = x86_64 ] && [ -n "${KVER:-}" ] && args+=(--kver "$KVER")
	{
		if [ -n "$mod" ]; then
			echo 'modprobe snd-omnibus-wss port=0x534 irq=5 dma1=3 || exit 1'
		else
			echo 'modprobe snd-cs4231 port=0x534 irq=5 dma1=3 dma2=-1 || exit 1'
		fi
		cat <<'EOF'
uname -r >/out/uname.txt
cat /proc/asound/cards >/out/cards.txt
aplay -q -D hw:0,0 /data/s16.wav 2>/out/s16.err && echo ok >/out/s16.ok
aplay -q -D hw:0,0 -t raw -f U8 -c 2 -r 44100 /data/u8s.raw 2>/out/u8s.err &&
	echo ok >/out/u8s.ok
aplay -q -D hw:0,0 -t raw -f MU_LAW -c 1 -r 44100 /data/mulaw.raw 2>/out/mulaw.err &&
	echo ok >/out/mulaw.ok
exit 0
EOF
	} >"$dir.scenario"
	vm_run "${args[@]}" --scenario "$dir.scenario" >"$dir.log" || true
	ALL_DMESG="$ALL_DMESG $dir/dmesg.txt"
}

ALL_DMESG=""
run intree-686 i386 ""
run omnibus-686 i386 "$B"
run omnibus-amd64 x86_64 "$MODULE"

echo "    same files, three drivers (output = QEMU -audiodev wav):"
found=0
for n in intree-686 omnibus-686 omnibus-amd64; do
	dir=$OUT/$n
	echo "    $n ($(cat "$dir/uname.txt" 2>/dev/null || echo no VM)): $(head -n 2 "$dir/cards.txt" 2>/dev/null | tail -n 1 | sed 's/^ *//')"
	ok=1
	for f in s16:s16.wav u8s:u8s.exp mulaw:mulaw.exp; do
		r=""
		if [ -f "$dir/${f%%:*}.ok" ] &&
		   r=$(python3 "$WAV" contains "$D/${f#*:}" "$dir/out.wav" --prefix-seconds 1 2>&1); then
			echo "      ${f%%:*}: ${r#*OK: }"
		else
			echo "      ${f%%:*}: NOT FOUND: $(cat "$dir/${f%%:*}.err" 2>/dev/null) ${r:-}"
			ok=0
		fi
	done
	if [ "$ok" = 1 ]; then
		pass "wss-686-$n-plays-all"
		found=$((found + 1))
	else
		fail "wss-686-$n-plays-all" "see $dir"
	fi
done
# each output holds the same expected bytes: the three drivers agree
if [ "$found" = 3 ]; then
	pass wss-686-three-way-same-bytes
else
	fail wss-686-three-way-same-bytes "$found of 3 drivers gave every file's bytes"
fi

bad=""
for d in $ALL_DMESG; do
	check_dmesg_clean "$d" || bad="$bad $d"
done
if [ -z "$bad" ]; then
	pass wss-686-dmesg-clean
else
	fail wss-686-dmesg-clean "see$bad"
fi

test_done
