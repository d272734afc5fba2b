#!/bin/bash
#
# t-sb16-686.sh - side by side on QEMU's -device sb16, the same files
# through three drivers:
#
#   1. the in-tree snd-sb16 on Debian's 686 kernel (qemu-system-i386);
#   2. snd-omnibus on the same 686 kernel, built against that kernel's
#      i386 headers in an i386 chroot (tests/lib/vm.sh vm_build_i386);
#   3. snd-omnibus on Debian's amd64 kernel.
#
# The files: 44.1 kHz S16_LE stereo noise (the 16-bit DMA channel), which
# must come out byte for byte, and 44.1 kHz U8 mono noise (the 8-bit
# channel), which QEMU's mixer turns into (x-127)*256 on both channels.
# snd-sb16 gives playback the 16-bit channel unless its "16-bit DMA
# Allocation" control says Capture, so it refuses the U8 file on hw:0,0
# until that is set; snd-omnibus takes the channel the format needs.
# Each driver's output must hold each file, and the three outputs must be
# the same bytes; the test prints the three results.  snd-omnibus must
# build for 686 with W=1 and no warning, and its buffers lie below 16 MiB
# on both kernels.
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
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-sb16-686.XXXXXX")}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

vm_host_deps qemu-system-x86 mmdebstrap binutils

# --- the files ---------------------------------------------------------------
D=$OUT/data
mkdir -p "$D"
python3 "$WAV" noise "$D/s16.wav" --rate 44100 --seconds 2.5 --seed 686
python3 "$WAV" noise "$D/u8m.wav" --rate 44100 --channels 1 --format U8 \
	--seconds 1.5 --seed 8686
python3 - "$D" <<'EOF'
import struct, sys
d = sys.argv[1]
buf = open(d + "/u8m.wav", "rb").read()
data = buf[buf.index(b"data") + 8:]
with open(d + "/u8m.exp", "wb") as f:
    f.write(struct.pack("<%dh" % (2 * len(data)),
                        *[(x - 127) * 256 for x in data for _ in (0, 1)]))
EOF

# --- snd-omnibus-sb16 for 686 --------------------------------------------------
B=$OUT/build-686
test_build_686 "$B" snd-omnibus-sb16.ko sb16-686-build-w1-clean

# --- the three runs ------------------------------------------------------------
# run NAME ARCH MODDIR: one VM playing both files; snd-sb16 when MODDIR is
# "", else the modules of MODDIR (snd-omnibus-sb16 and the snd-omnibus-core
# it needs).
run()
{
	local n=$1 arch=$2 mod=$3 dir=$OUT/$1
	local -a args=(--arch "$arch" --out "$dir" --timeout 120
		--file "$D/s16.wav" --file "$D/u8m.wav"
		--qemu-args "-device sb16,audiodev=snd0"
		--qemu-args "-audiodev wav,id=snd0,path=$dir/out.wav")

	rm -rf "$dir"
	mkdir -p "$dir"
	if [ -n "$mod" ]; then
		[ -f "$mod/snd-omnibus-sb16.ko" ] && [ -f "$mod/snd-omnibus-core.ko" ] ||
			return 0
		args+=(--module "$mod/snd-omnibus-core.ko" --module "$mod/snd-omnibus-sb16.ko")
	fi
	[ "$arch" = x86_64 ] && [ -n "${KVER:-}" ] && args+=(--kver "$KVER")
	{
		if [ -n "$mod" ]; then
			echo 'modprobe snd-omnibus-sb16 port=0x220 || exit 1'
		else
			echo 'modprobe snd-sb16 isapnp=0 port=0x220 irq=5 dma8=1 dma16=5 || exit 1'
		fi
		cat <<'EOF'
uname -r >/out/uname.txt
cat /proc/asound/cards >/out/cards.txt
aplay -q -D hw:0,0 /data/s16.wav 2>/out/s16.err &
sleep 1
cat /proc/asound/card0/buffers >/out/buffers.txt 2>/dev/null
wait $! && echo ok >/out/s16.ok
aplay -q -D hw:0,0 /data/u8m.wav 2>/out/u8-default.err && echo ok >/out/u8-default.ok
if [ ! -f /out/u8-default.ok ]; then
	amixer -c 0 -q cset iface=CARD,name='16-bit DMA Allocation' Capture
	aplay -q -D hw:0,0 /data/u8m.wav 2>/out/u8.err && echo ok >/out/u8.ok
fi
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

# where each file is in each output, and the md5 of what is there
python3 - "$OUT" "$D" <<'EOF' >"$OUT/results.txt"
import hashlib, os, struct, sys
out, d = sys.argv[1], sys.argv[2]

def pcm(path):
    buf = open(path, "rb").read()
    if buf[:4] != b"RIFF":
        return buf
    i = buf.index(b"data")
    size = struct.unpack_from("<I", buf, i + 4)[0]
    body = buf[i + 8:]
    return body[:size] if 0 < size <= len(body) else body

def wavdata(path):
    return pcm(path)

s16 = wavdata(d + "/s16.wav")[:2 * 44100 * 4]
u8 = open(d + "/u8m.exp", "rb").read()[:1 * 44100 * 4]
for name, label in (("intree-686", "snd-sb16 (in-tree), 686"),
                    ("omnibus-686", "snd-omnibus-sb16, 686"),
                    ("omnibus-amd64", "snd-omnibus-sb16, amd64")):
    f = os.path.join(out, name, "out.wav")
    kernel = "?"
    try:
        kernel = open(os.path.join(out, name, "uname.txt")).read().strip()
    except OSError:
        pass
    cols = []
    for needle in (s16, u8):
        if not os.path.exists(f):
            cols.append("no output")
            continue
        rec = pcm(f)
        pos = rec.find(needle)
        if pos < 0:
            cols.append("NOT FOUND")
        else:
            md5 = hashlib.md5(rec[pos:pos + len(needle)]).hexdigest()
            cols.append("byte %d md5 %s" % (pos, md5))
    print("%s|%s|%s|%s" % (name, "%s (%s)" % (label, kernel), cols[0], cols[1]))
EOF

echo "    same files, three drivers (output = QEMU -audiodev wav):"
printf '    %-45s %-38s %s\n' "driver (kernel)" "S16 stereo, 2 s: found at" "U8 mono via QEMU, 1 s: found at"
while IFS="|" read -r _ label c1 c2; do
	printf '    %-45s %-38s %s\n' "$label" "$c1" "$c2"
done <"$OUT/results.txt"

for n in intree-686 omnibus-686 omnibus-amd64; do
	if grep -q "^$n|.*|byte [0-9]* md5 [0-9a-f]*|byte [0-9]* md5 [0-9a-f]*$" "$OUT/results.txt" &&
	   [ -f "$OUT/$n/s16.ok" ]; then
		pass "sb16-686-$n-plays-both"
	else
		fail "sb16-686-$n-plays-both" "$(grep "^$n|" "$OUT/results.txt"; cat "$OUT/$n/s16.err" "$OUT/$n/u8.err" "$OUT/$n/u8-default.err" 2>/dev/null)"
	fi
done
# the same bytes from all three
if [ "$(cut -d'|' -f3 "$OUT/results.txt" | sed 's/.*md5 //' | sort -u | grep -c .)" = 1 ] &&
   [ "$(cut -d'|' -f4 "$OUT/results.txt" | sed 's/.*md5 //' | sort -u | grep -c .)" = 1 ] &&
   ! grep -q -e 'NOT FOUND' -e 'no output' "$OUT/results.txt"; then
	pass sb16-686-three-way-same-bytes
else
	fail sb16-686-three-way-same-bytes "the outputs differ: $(tr '\n' ' ' <"$OUT/results.txt")"
fi
# the channel rule: snd-sb16 needs its control for U8, snd-omnibus does not
if [ ! -f "$OUT/intree-686/u8-default.ok" ] && [ -f "$OUT/intree-686/u8.ok" ] &&
   [ -f "$OUT/omnibus-686/u8-default.ok" ] && [ -f "$OUT/omnibus-amd64/u8-default.ok" ]; then
	pass sb16-686-u8-channel-rule
	echo "    snd-sb16 without '16-bit DMA Allocation' = Capture: $(grep -h -m1 -i -e 'format' -e 'error' "$OUT/intree-686/u8-default.err" 2>/dev/null)"
else
	fail sb16-686-u8-channel-rule "$(cat "$OUT"/*/u8-default.err 2>/dev/null)"
fi
# snd-omnibus's buffers below 16 MiB on both kernels (32-bit and 64-bit %pad)
for n in omnibus-686 omnibus-amd64; do
	if python3 - "$OUT/$n/buffers.txt" <<'EOF'
import re, sys
m = re.search(r"p0: .*in use (\d+) bytes at (0x[0-9a-f]+)", open(sys.argv[1]).read())
ok = m and int(m.group(2), 16) + int(m.group(1)) <= 0x1000000
print(m.group(0) if m else "no buffer in use")
sys.exit(0 if ok else 1)
EOF
	then
		pass "sb16-686-$n-buffer-below-16m"
	else
		fail "sb16-686-$n-buffer-below-16m" "$(cat "$OUT/$n/buffers.txt" 2>/dev/null)"
	fi
done

bad=""
for d in $ALL_DMESG; do
	check_dmesg_clean "$d" || bad="$bad $d"
done
if [ -z "$bad" ]; then
	pass sb16-686-dmesg-clean
else
	fail sb16-686-dmesg-clean "see$bad"
fi

test_done
