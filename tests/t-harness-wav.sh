#!/bin/bash
#
# t-harness-wav.sh - the byte comparison every playback test rests on,
# tests/lib/wav.py contains, on recordings made up on the host:
#
#  - the played data inside a longer recording is found, and its offset
#    printed; with a byte changed anywhere in it, it is not;
#  - a recording whose first bytes are the played ones plus something else
#    (what QEMU's mixer makes when it still holds the samples of the
#    previous stream, seen after the fuzzer on the ES1370 with snd-omnibus
#    and snd-ens1370 alike) fails, and the diagnosis says how many bytes
#    at the head differ;
#  - --after-silence S: the data must follow at least S seconds of zero
#    bytes (t-rel-fuzz plays a second of silence before its noise): one
#    nonzero byte in that stretch, or a recording that starts too late,
#    fails;
#  - --at BYTE: the data must start at that byte of the recording (a
#    capture that must begin with the first byte of its source): found
#    elsewhere, or cut short there, it fails.
#
# Host only, no VM.  Run by tests/run.sh or alone.

# shellcheck source-path=SCRIPTDIR
set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
WAV=$REPO/tests/lib/wav.py
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-harness-wav.XXXXXX")}
mkdir -p "$OUT"

# 1 s of noise at 44100 Hz S16_LE stereo (176400 bytes), the played file
python3 "$WAV" noise "$OUT/played.wav" --rate 44100 --seconds 1 --seed 77

# recording NAME PYTHON-EXPR: a recording, 44100 Hz S16_LE stereo, whose
# data is the expression over p (the played data) and z(seconds) (zeros)
recording()
{
	python3 - "$REPO/tests/lib" "$OUT/played.wav" "$OUT/$1.wav" "$2" <<'EOF'
import sys

sys.dont_write_bytecode = True   # nothing left in tests/lib
sys.path.insert(0, sys.argv[1])
import wav  # noqa: E402

src, dst, expr = sys.argv[2:5]
p = wav.load(src, False)[1]
assert len(p) == 176400


def z(seconds):
    return bytes(int(round(seconds * 44100)) * 4)


def head(nbytes, data):
    """data with its first nbytes changed, every byte of them."""
    return bytes(b ^ 0x5A for b in data[:nbytes]) + data[nbytes:]


wav.write_pcm(dst, 44100, 2, "S16_LE", eval(expr), False)
EOF
}

# expect NAME RC PATTERN ARG...: wav.py contains ARG... exits RC and prints
# a line matching PATTERN (grep -E)
expect()
{
	local name=$1 want=$2 pattern=$3 out rc=0
	shift 3
	out=$(python3 "$WAV" contains "$@" 2>&1) || rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	if [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, want $want"
	elif ! printf '%s\n' "$out" | grep -qE "$pattern"; then
		fail "$name" "no line matches '$pattern'"
	else
		pass "$name"
	fi
}

recording exact 'z(0.25) + p[:1000] + p + p[:4000]'
recording onebyte 'z(0.25) + p[:100000] + bytes([p[100000] ^ 1]) + p[100001:]'
recording summed 'z(0.1) + head(3816, p) + z(0.1)'
recording silent 'p[:8] + z(0.6) + p'
recording click 'z(0.6) + bytes([1, 1, 1, 1]) + z(0.1) + p'
recording late 'z(0.3) + p'

expect wav-found 0 'OK: 176400 bytes .* found at byte 45100 ' \
	"$OUT/played.wav" "$OUT/exact.wav"
expect wav-one-byte-differs 1 'FAIL: .*longest prefix found: 100000 of 176400' \
	"$OUT/played.wav" "$OUT/onebyte.wav"
expect wav-head-differs 1 'only its first 3816 bytes \(0\.022 s\) differ' \
	"$OUT/played.wav" "$OUT/summed.wav"
expect wav-after-silence 0 'OK: .*after 88200 zero bytes \(0\.500 s\)' \
	"$OUT/played.wav" "$OUT/silent.wav" --after-silence 0.5
expect wav-after-silence-click 1 'not after 88200 zero bytes .*nonzero byte before it is recorded byte 105843: 17640 zero bytes' \
	"$OUT/played.wav" "$OUT/click.wav" --after-silence 0.5
expect wav-after-silence-late 1 'recording starts only 52920 bytes' \
	"$OUT/played.wav" "$OUT/late.wav" --after-silence 0.5
expect wav-at 0 'OK: 176400 bytes .* found at byte 45100 ' \
	"$OUT/played.wav" "$OUT/exact.wav" --at 45100
expect wav-at-elsewhere 1 'not at byte 0 of .*found at byte 45100 instead' \
	"$OUT/played.wav" "$OUT/exact.wav" --at 0
expect wav-at-cut 1 'not at byte 44100 of .*only its first 100000 bytes .*played 0x.. vs recorded 0x' \
	"$OUT/played.wav" "$OUT/onebyte.wav" --at 44100

test_done
