#!/bin/bash
#
# t-harness-bench.sh - the guest half of "make bench" (tests/bench/guest.sh)
# reads the kernel's trace and kprobe counts with busybox sh and awk, as in
# the VM.  Feed its readers what the kernel prints and check the figures:
#
#  - start latency (first_pe_ns): the first snd_pcm_period_elapsed event at
#    or after START, from ftrace's "SECONDS.MICROSECONDS:" stamps.  busybox
#    awk reads a number string with a leading 0 as octal when its digits
#    allow, so a stamp like 22.073031 once came out as 22.015479296 s: the
#    event was skipped as older than START and the next period's taken,
#    which made the virtual cards' latency 2 or 3 periods in the bench of
#    2 Dec (and a fraction below 0.08 s can read too early, too).
#  - kprobe hits (kp_hits) of kprobe_profile.
#
# Host only, no VM.  Run by tests/run.sh or alone.

# shellcheck source-path=SCRIPTDIR
set -eu

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
# shellcheck source=lib/test.sh
. "$REPO/tests/lib/test.sh"
OUT=${TEST_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/t-harness-bench.XXXXXX")}
mkdir -p "$OUT/tracing"

if ! command -v busybox >/dev/null; then
	fail bench-busybox "no busybox on the host (apt-get install busybox-static)"
	test_done
fi

# guest FUNCTION ARG...: run a function of guest.sh in busybox sh, with the
# tracing directory $OUT/tracing
guest()
{
	busybox sh -c '. "$1"; T=$2; shift 2; "$@"' sh \
		"$REPO/tests/bench/guest.sh" "$OUT/tracing" "$@"
}

# expect NAME WANT FUNCTION ARG...
expect()
{
	local name=$1 want=$2 got
	shift 2
	got=$(guest "$@" 2>&1) || true
	if [ "$got" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "got '$got', want '$want'"
	fi
}

# a trace as 6.1 prints it with trace_clock mono (the bench's events cb and
# pe), around a START at t0
trace()
{
	cat <<'EOF'
# tracer: nop
#
# entries-in-buffer/entries-written: 7/7   #P:1
#
#                                _-----=> irqs-off/BH-disabled
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| / _-=> migrate-disable
#                              |||| /     delay
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
EOF
	local ts
	for ts in "$@"; do
		printf '          <idle>-0       [000] ..s1. %12s: cb: (virt_timer_fn+0x0/0x12e [snd_omnibus_virtual])\n' "$ts"
		printf '          <idle>-0       [000] ..s1. %12s: pe: (snd_pcm_period_elapsed+0x0/0x40 [snd_pcm])\n' "$ts"
	done
}

# a virtual-card run of the bench (6 Dec, before the fix) that read
# 42.67 ms: START at 22.051694117, periods at 22.073031 (octal digits after
# the 0) and 22.094365
trace 22.030000 22.073031 22.094365 >"$OUT/tracing/trace"
expect bench-latency-leading-zero 21336883 first_pe_ns 22051694117

# a fraction of zeros and octal digits only, within 16.7 ms of START (read
# as octal, 5.000100 became 5.000032768: a latency too short)
trace 5.000100 5.021433 >"$OUT/tracing/trace"
expect bench-latency-octal-digits 110000 first_pe_ns 4999990000

# a whole second, and events before START are not counted
trace 5.957334 6.000000 6.021333 >"$OUT/tracing/trace"
expect bench-latency-whole-second 21333000 first_pe_ns 5978667000

# no period event after START: nothing (guest.sh records -1)
trace 1.000000 1.021333 >"$OUT/tracing/trace"
expect bench-latency-none "" first_pe_ns 2000000000

cat >"$OUT/tracing/kprobe_profile" <<'EOF'
  pe                                                       583               0
  cb                                                       583               0
EOF
expect bench-kprobe-hits 583 kp_hits pe
expect bench-kprobe-hits-cb 583 kp_hits cb
expect bench-kprobe-unset 0 kp_hits nosuch

test_done
