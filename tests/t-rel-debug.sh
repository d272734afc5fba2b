#!/bin/bash
# needs: debug-kernel
# timeout: 3600
# cores: 2
# The main VM scenarios of the project once more on the debug kernel
# (tests/lib/debug-kernel.sh: KASAN, lockdep, DEBUG_ATOMIC_SLEEP,
# DEBUG_OBJECTS, kmemleak, UBSAN): each test script below runs with KVER
# and MODULE of the debug kernel; its PASS/FAIL lines are shown with a
# "debug-" prefix, and any report in the kernel log or kmemleak of any of
# its VMs (vm_run scans them on a debug kernel) is a failure of its own,
# "debug-NAME-kernel-log", which passes only if at least one VM of the
# script left its scan (reports.txt).  Prints FIGURE: debug-kernel (runs = VM boots).
#
# Builds the debug kernel the first time (about 6 minutes on 2 cores,
# cached) and snd-omnibus for it unless MODULE already is.
# REL_DEBUG_TESTS overrides the list of scripts, REL_DEBUG_JOBS how many
# run at once (2).
set -eu
. "$REPO/tests/lib/vm.sh"
. "$REPO/tests/lib/test.sh"

OUT=${TEST_OUT:-$REPO/tests/out/rel-debug}
mkdir -p "$OUT"
# (the longest first, for the two at a time below)
TESTS_LIST=${REL_DEBUG_TESTS:-t-es1370 t-sb16 t-ich t-wss t-fm t-sb16-badinput t-virtual t-reload}

t0=$(date +%s)
vm__debug_build
DKVER=$(cat "$VM_DEBUG_DIR/release")
DMOD=$(vm_debug_module "$REPO/src" "$OUT/module")
echo "    debug kernel $DKVER ready after $(($(date +%s) - t0)) s" \
	"(built in $(cat "$VM_DEBUG_DIR/build-time") s)"

# run_one T: run script T on the debug kernel; its output in OUT/T.log,
# its exit status in OUT/T.rc, its time in OUT/T.time.
run_one()
{
	local t=$1 o=$OUT/$1 s rc=0
	rm -rf "$o"
	mkdir -p "$o"
	s=$(date +%s)
	KVER=$DKVER MODULE=$DMOD TEST_OUT=$o timeout -k 10 2400 \
		bash "$REPO/tests/$t.sh" >"$OUT/$t.log" 2>&1 || rc=$?
	echo "$rc" >"$OUT/$t.rc"
	echo $(($(date +%s) - s)) >"$OUT/$t.time"
}

# The scripts run REL_DEBUG_JOBS at a time (default 2: each VM is one
# TCG thread, and the machine has two cores); their results are shown in
# the order of the list once all have ended.
jobs_max=${REL_DEBUG_JOBS:-2}
running=0
for t in $TESTS_LIST; do
	if [ "$running" -ge "$jobs_max" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	rm -f "$OUT/$t.rc"
	run_one "$t" &
	running=$((running + 1))
done
wait || true

runs=0 failures=0 reports=0 leaks=0
for t in $TESTS_LIST; do
	o=$OUT/$t
	rc=$(cat "$OUT/$t.rc" 2>/dev/null || echo 255)
	sed -n 's/^PASS: /PASS: debug-/p; s/^FAIL: /FAIL: debug-/p; s/^SKIP: /SKIP: debug-/p' "$OUT/$t.log"
	nf=$(grep -c '^FAIL: ' "$OUT/$t.log" || true)
	np=$(grep -c '^PASS: ' "$OUT/$t.log" || true)
	TESTS_FAILED=$((TESTS_FAILED + nf))
	if [ "$rc" -ne 0 ] && [ "$nf" = 0 ]; then
		fail "debug-$t" "exited with status $rc"
		tail -n 20 "$OUT/$t.log" | sed 's/^/    /'
		nf=1
	fi
	[ "$np" -gt 0 ] || [ "$nf" -gt 0 ] || { fail "debug-$t" "reported no results"; nf=1; }
	nvm=$(find "$o" -name reports.txt | wc -l)
	nrep=0
	if [ -s "$o/kernel-reports.txt" ]; then
		nrep=$(grep -c -v ': *\[<' "$o/kernel-reports.txt" || true)
		fail "debug-$t-kernel-log" "$(grep -v ': *\[<' "$o/kernel-reports.txt" | head -n 1)"
		grep -v ': *\[<' "$o/kernel-reports.txt" | head -n 20 | sed 's/^/    /'
		nf=$((nf + 1))
	elif [ "$nvm" -eq 0 ]; then
		# nothing was scanned: a clean log is not shown by no log
		fail "debug-$t-kernel-log" "no VM left a log (no reports.txt under $o)"
		nf=$((nf + 1))
	else
		pass "debug-$t-kernel-log"
		echo "    $t: $nvm VM logs and kmemleak scans without a report"
	fi
	nleak=$(find "$o" -name kmemleak.txt -exec cat {} + | grep -c 'unreferenced object' || true)
	echo "    $t on the debug kernel: $((np)) passed, $nf failed, $nvm VMs, $(cat "$OUT/$t.time" 2>/dev/null) s"
	runs=$((runs + nvm))
	failures=$((failures + nf))
	reports=$((reports + nrep))
	leaks=$((leaks + nleak))
done
echo "FIGURE: debug-kernel runs=$runs failures=$failures reports=$reports leaks=$leaks"
test_done
