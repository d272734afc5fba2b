#!/bin/bash
#
# tests/run.sh - run the snd-omnibus test scripts.
#
#   tests/run.sh [TEST...]
#
# Runs every tests/t-*.sh, or only the named ones (t-foo, t-foo.sh,
# tests/t-foo.sh and foo all name tests/t-foo.sh), each as its own bash
# process with REPO, KVER, MODULE (the directory of the built modules,
# snd-omnibus-{core,virtual,es1370,ich,sb16}.ko, which may be missing;
# vm_run --module takes it as it is) and TEST_OUT (a fresh directory for
# its artifacts) in the environment.  Counts the "PASS: " and "FAIL: "
# lines they print; a script that exits non-zero without a FAIL line, or
# reports nothing at all, counts as one failure.  Scripts with a line
# "# host-only" (they boot no VM) run one after another in the background
# beside the others when both kinds are asked for; their output comes
# after the others'.  The VM scripts run RUN_JOBS at a time (default: one
# per core, at most 4); one with a line "# cores: 2" runs alone.  Prints
# the time each script took and, when scripts
# print "FIGURE: KIND runs=N failures=N reports=N leaks=N" lines (the
# reliability tests), one table of them per kind.  Ends with the line "N
# passed, N failed" and exits non-zero if anything failed.
#
# Environment: KVER, MODULE override the defaults; TEST_TIMEOUT (seconds per
# script, default 1200 or what its "# timeout: N" line says); KEEP=1 keeps
# the artifacts of passing scripts too.
# OMNIBUS_KERNEL=debug runs the tests on the debug kernel (KASAN, lockdep,
# kmemleak, UBSAN, fault injection; tests/lib/debug-kernel.sh builds it once,
# about 6 minutes): KVER becomes its release, the module is built against
# its build tree, and a script whose VMs left any report in the kernel log
# or kmemleak ($TEST_OUT/kernel-reports.txt, see vm_run) fails with the line
# "FAIL: NAME-kernel-log: ...".

# shellcheck source-path=SCRIPTDIR
set -eu

TESTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$TESTS/.." && pwd)
# shellcheck source=lib/vm.sh
. "$TESTS/lib/vm.sh"

# shellcheck disable=SC2119 # no extra packages
vm_host_deps
kdir=()
case ${OMNIBUS_KERNEL:-} in
"" | stock) ;;
debug)
	KVER=$(vm_debug_kver)
	kdir=(KDIR="$(vm_debug_kdir)")
	;;
*) echo "OMNIBUS_KERNEL=$OMNIBUS_KERNEL: say debug or stock" >&2; exit 2 ;;
esac
KVER=${KVER:-$(vm_kver)}
if [ -z "${MODULE:-}" ]; then
	# build the modules for the kernel the VMs boot
	MODULE=$REPO/src
	rm -f "$MODULE"/*.ko
	if ! make -C "$REPO" KVER="$KVER" ${kdir[@]+"${kdir[@]}"} modules \
		>"$REPO/src/build.log" 2>&1; then
		tail -n 30 "$REPO/src/build.log"
		echo "building snd-omnibus for $KVER failed (src/build.log)"
	fi
fi
export REPO KVER MODULE

scripts=()
if [ $# -eq 0 ]; then
	for f in "$TESTS"/t-*.sh; do
		[ -f "$f" ] && scripts+=("$f")
	done
else
	for a in "$@"; do
		a=$(basename "$a" .sh)
		case $a in
		t-*) ;;
		*) a=t-$a ;;
		esac
		scripts+=("$TESTS/$a.sh")
	done
fi

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/snd-omnibus-tests.XXXXXX")
echo "kernel $KVER, modules $MODULE:" \
	"$(cd "$MODULE" 2>/dev/null && ls -- *.ko 2>/dev/null | tr '\n' ' ' || true)"
echo "artifacts in $RUN_DIR"

# The scripts that boot the debug kernel (a line "# needs: debug-kernel")
# run last.  Its build (about 6 minutes on 2 cores, once: it is cached)
# starts now in the background at the lowest CPU and I/O priority, on the
# CPU time the other tests leave idle (a TCG VM keeps one core busy);
# their vm__debug_build waits for it on its lock.
later=()
others=()
for script in "${scripts[@]}"; do
	if grep -q '^# needs: debug-kernel' "$script" 2>/dev/null; then
		later+=("$script")
	else
		others+=("$script")
	fi
done
# the scripts that take both cores ("# cores: 2", below) after the others
own=()
for script in ${others[@]+"${others[@]}"}; do
	grep -q '^# cores: 2' "$script" 2>/dev/null || own+=("$script")
done
for script in ${others[@]+"${others[@]}"}; do
	! grep -q '^# cores: 2' "$script" 2>/dev/null || own+=("$script")
done
others=(${own[@]+"${own[@]}"})
scripts=(${others[@]+"${others[@]}"} ${later[@]+"${later[@]}"})
debug_pid=""
if [ ${#later[@]} -gt 0 ] && [ ${#others[@]} -gt 0 ]; then
	# shellcheck disable=SC2086 # word splitting of the list is wanted
	vm_host_deps $VM_DEBUG_PKGS
	# shellcheck disable=SC2016 # $1 is bash -c's own argument
	nice -n 19 ionice -c 3 bash -c '. "$1" && vm__debug_build' _ "$TESTS/lib/vm.sh" \
		>"$RUN_DIR/debug-build.log" 2>&1 &
	debug_pid=$!
	echo "building the debug kernel in the background if it is not cached" \
		"(log: $RUN_DIR/debug-build.log)"
fi

# Scripts with a line "# host-only" boot no VM (the build, the packages):
# when VM tests run too, they run one after another in the background
# beside them, from the start, and their output is shown after the VM
# tests' (each VM is one TCG thread: the other core has room).
beside=()
vms=()
for script in "${scripts[@]}"; do
	if grep -q '^# host-only' "$script" 2>/dev/null; then
		beside+=("$script")
	else
		vms+=("$script")
	fi
done
if [ ${#beside[@]} -eq 0 ] || [ ${#vms[@]} -eq 0 ]; then
	beside=()
	vms=("${scripts[@]}")
fi

FIGURES=$RUN_DIR/figures.txt
: >"$FIGURES"

# run_script SCRIPT: run one test script, show its output and its counts,
# and leave "PASSED FAILED MILLISECONDS" in RUN_DIR/NAME.result.
run_script()
{
	local script=$1 name log t0 t1 limit rc np nf ms
	name=$(basename "$script" .sh)
	echo "=== $name"
	if [ ! -f "$script" ]; then
		echo "FAIL: $name: no such test script $script"
		echo "0 1 0" >"$RUN_DIR/$name.result"
		return
	fi
	mkdir -p "$RUN_DIR/$name"
	log=$RUN_DIR/$name/output.log
	t0=$(date +%s%N)
	# a script may ask for more time than the default with "# timeout: N"
	limit=$(sed -n 's/^# timeout: \([0-9][0-9]*\)$/\1/p' "$script" | head -n 1)
	TEST_OUT=$RUN_DIR/$name timeout -k 10 "${TEST_TIMEOUT:-${limit:-1200}}" \
		bash "$script" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	t1=$(date +%s%N)
	np=$(grep -c '^PASS: ' "$log" || true)
	nf=$(grep -c '^FAIL: ' "$log" || true)
	if [ -s "$RUN_DIR/$name/kernel-reports.txt" ]; then
		echo "FAIL: $name-kernel-log: $(grep -v ': *\[<' "$RUN_DIR/$name/kernel-reports.txt" |
			head -n 1)"
		nf=$((nf + 1))
	fi
	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
		echo "FAIL: $name: exited with status $rc"
		nf=1
	elif [ "$np" -eq 0 ] && [ "$nf" -eq 0 ]; then
		echo "FAIL: $name: reported no results"
		nf=1
	fi
	ms=$(( (t1 - t0) / 1000000 ))
	printf '=== %s: %d passed, %d failed, %d.%01d s\n' "$name" "$np" "$nf" \
		$((ms / 1000)) $((ms % 1000 / 100))
	grep '^FIGURE: ' "$log" >>"$FIGURES" || true
	if [ "$nf" -eq 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "${RUN_DIR:?}/$name"
	fi
	echo "$np $nf $ms" >"$RUN_DIR/$name.result"
}

t_all=$(date +%s%N)
beside_pid=""
if [ ${#beside[@]} -gt 0 ]; then
	echo "running beside the VM tests: $(for s in "${beside[@]}"; do
		basename "$s" .sh; done | tr '\n' ' ')"
	(
		for script in "${beside[@]}"; do
			run_script "$script" >"$RUN_DIR/$(basename "$script" .sh).beside" 2>&1
		done
	) &
	beside_pid=$!
fi
# The VM scripts run RUN_JOBS at a time (default: one per core, at most 4;
# a TCG guest keeps one core busy, and most scripts boot one VM after the
# other).  A script with a line "# cores: 2" keeps two cores busy itself
# (VMs of its own two at a time, or host builds beside its VMs): it runs
# alone, after the ones before it have finished.  The output of the scripts
# that run side by side is shown whole, in the list's order, as each ends;
# the time each one reports is its own wall time, shared with its neighbour.
jobs_max=${RUN_JOBS:-$(nproc)}
[ "$jobs_max" -le 4 ] || jobs_max=4
[ "$jobs_max" -ge 1 ] || jobs_max=1
pool_pids=()
pool_names=()
# pool_flush: show the output of the finished scripts at the head of the list
pool_flush()
{
	while [ ${#pool_names[@]} -gt 0 ] && [ -f "$RUN_DIR/${pool_names[0]}.done" ]; do
		cat "$RUN_DIR/${pool_names[0]}.pooled"
		rm -f "$RUN_DIR/${pool_names[0]}.pooled" "$RUN_DIR/${pool_names[0]}.done"
		pool_names=("${pool_names[@]:1}")
	done
}
# pool_wait N: wait until fewer than N of the side-by-side scripts run
pool_wait()
{
	local p live
	while :; do
		live=()
		for p in ${pool_pids[@]+"${pool_pids[@]}"}; do
			! kill -0 "$p" 2>/dev/null || live+=("$p")
		done
		pool_pids=(${live[@]+"${live[@]}"})
		pool_flush
		[ ${#pool_pids[@]} -ge "$1" ] || return 0
		wait -n "${pool_pids[@]}" || true
	done
}
if [ ${#vms[@]} -le 1 ] || [ "$jobs_max" -le 1 ]; then
	for script in "${vms[@]}"; do
		run_script "$script"
	done
else
	echo "running up to $jobs_max VM scripts at a time (RUN_JOBS)"
	for script in "${vms[@]}"; do
		if grep -q '^# cores: 2' "$script" 2>/dev/null; then
			pool_wait 1
			run_script "$script"
			continue
		fi
		pool_wait "$jobs_max"
		name=$(basename "$script" .sh)
		( run_script "$script" >"$RUN_DIR/$name.pooled" 2>&1
		  touch "$RUN_DIR/$name.done" ) &
		pool_pids+=("$!")
		pool_names+=("$name")
	done
	pool_wait 1
fi
if [ -n "$beside_pid" ]; then
	wait "$beside_pid" || true
	for script in "${beside[@]}"; do
		cat "$RUN_DIR/$(basename "$script" .sh).beside"
		rm -f "$RUN_DIR/$(basename "$script" .sh).beside"
	done
fi
secs=$(( ($(date +%s%N) - t_all) / 1000000000 ))
if [ -n "$debug_pid" ]; then
	wait "$debug_pid" || echo "the background debug kernel build failed:" \
		"$(tail -n 3 "$RUN_DIR/debug-build.log")"
	rm -f "$RUN_DIR/debug-build.log"
fi

total_pass=0
total_fail=0
times=()
for script in "${beside[@]}" "${vms[@]}"; do
	name=$(basename "$script" .sh)
	read -r np nf ms <"$RUN_DIR/$name.result" 2>/dev/null || {
		echo "FAIL: $name: no result"
		np=0 nf=1 ms=0
	}
	rm -f "$RUN_DIR/$name.result"
	total_pass=$((total_pass + np))
	total_fail=$((total_fail + nf))
	times+=("$(printf '%-24s %4d passed %3d failed %7d.%01d s' "$name" "$np" "$nf" \
		$((ms / 1000)) $((ms % 1000 / 100)))")
done

echo "=== time per test"
printf '%s\n' "${times[@]}"
# the reliability tests' figures (tests/t-rel-*.sh): one row per kind
if [ -s "$FIGURES" ]; then
	echo "=== reliability"
	awk '
	{
		k = $2
		if (!(k in runs)) order[n++] = k
		for (i = 3; i <= NF; i++) {
			split($i, kv, "=")
			v[kv[1]] = kv[2] + 0
		}
		runs[k] += v["runs"]; fails[k] += v["failures"]
		reps[k] += v["reports"]; leaks[k] += v["leaks"]
	}
	END {
		printf "%-22s %8s %9s %8s %6s\n", "kind", "runs", "failures", "reports", "leaks"
		for (i = 0; i < n; i++) {
			k = order[i]
			printf "%-22s %8d %9d %8d %6d\n", k, runs[k], fails[k], reps[k], leaks[k]
			tr += runs[k]; tf += fails[k]; tp += reps[k]; tl += leaks[k]
		}
		printf "%-22s %8d %9d %8d %6d\n", "total", tr, tf, tp, tl
	}' "$FIGURES"
fi
rm -f "$FIGURES"
rmdir "$RUN_DIR" 2>/dev/null || echo "artifacts kept in $RUN_DIR"
echo "total time ${secs} s"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
