#!/bin/bash
#
# tests/mutants.sh - show that the tests catch real bugs (make mutants).
#
#   tests/mutants.sh [MUTANT...]
#
# Each tests/mutants/NN-short-name.patch is a small bug in src/ (a diff that
# "git apply" and "patch -p1" take), with a header before the diff that
# names the one test that must go red ("Test: t-NAME") and says what a user
# would see.  For every patch (or only the named ones: NN, NN-short-name,
# NN-short-name.patch or a path) this script copies the work tree as it is,
# uncommitted edits included (the files git tracks or does not ignore;
# outside git, every file but tests/out and dist), applies the patch to the
# copy and runs "bash tests/run.sh t-NAME" there: run.sh builds the mutated
# modules in the copy and boots the VMs with them, with a fresh TEST_OUT
# (TMPDIR is the job's own directory) and the usual shared, locked cache.
#
#   red       the test printed a "FAIL: " line, or its summary line says
#             failed > 0: the mutant was killed
#   green     the mutant survived: the test does not see the bug
#   no-apply  the patch does not apply to the tree (fix the patch)
#   no-build  the mutated tree did not build (a mutant must compile)
#   error     run.sh did not finish (no summary line), or no "Test:" line
#
# First, each distinct test named runs once on the unmutated copy: a mutant
# killed by a test that is red anyway proves nothing, so a test red on the
# clean tree is an error (MUTANTS_CHECK_BASE=0 skips these runs).
#
# Then a table: mutant, test, result, the first FAIL line (trimmed), seconds;
# and the total time.  Exits non-zero if a mutant survived, did not apply or
# build, a run failed, or a test was red on the clean tree.
#
# Environment: MUTANT_JOBS (runs at a time, default nproc, at most 2: each
# run boots its test's VMs, a TCG VM keeps a core busy); MUTANTS_CHECK_BASE
# (default 1); KVER as for run.sh; MUTANTS_KEEP=1 keeps the mutated trees.
# The logs of every run stay in the directory printed at the start.

set -eu

TESTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$TESTS/.." && pwd)
MDIR=$TESTS/mutants

jobs=${MUTANT_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $jobs in
'' | *[!0-9]*) echo "MUTANT_JOBS=$jobs: give a number" >&2; exit 2 ;;
esac
[ "$jobs" -ge 1 ] || jobs=1
[ "$jobs" -le 2 ] || jobs=2
check_base=${MUTANTS_CHECK_BASE:-1}

# --- which mutants -------------------------------------------------------------
patches=()
if [ $# -eq 0 ]; then
	for p in "$MDIR"/*.patch; do
		[ -f "$p" ] && patches+=("$p")
	done
else
	for a in "$@"; do
		b=$(basename "$a" .patch)
		found=""
		for p in "$MDIR/$b.patch" "$MDIR/$b"-*.patch; do
			if [ -f "$p" ]; then
				found=$p
				break
			fi
		done
		if [ -z "$found" ]; then
			echo "no mutant $a in $MDIR" >&2
			exit 2
		fi
		patches+=("$found")
	done
fi
if [ ${#patches[@]} -eq 0 ]; then
	echo "no mutants in $MDIR" >&2
	exit 2
fi

# the test a patch names: its first "Test: t-NAME" line
patch_test()
{
	sed -n 's/^Test:[[:space:]]*\(t-[A-Za-z0-9_.-]*\).*/\1/p' "$1" | head -n 1 |
		sed 's/\.sh$//'
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/snd-omnibus-mutants.XXXXXX")
mkdir -p "$WORK/logs" "$WORK/res"
echo "mutants: ${#patches[@]}, $jobs at a time; logs in $WORK/logs"

# --- the tree as it is, uncommitted edits included --------------------------------
TREE=$WORK/tree
mkdir -p "$TREE"
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$REPO" && git ls-files -co --exclude-standard -z |
		while IFS= read -r -d '' f; do
			# deleted but not yet "git rm"ed: the tree as it is has none
			[ -f "$f" ] || [ -L "$f" ] || continue
			case $f in tests/out/* | dist/*) continue ;; esac
			printf '%s\0' "$f"
		done | tar -c --null -T - -f -) | tar -x -C "$TREE"
	head=$(git -C "$REPO" rev-parse --short HEAD)
	if [ -n "$(git -C "$REPO" status --porcelain -- . 2>/dev/null)" ]; then
		head="$head + uncommitted changes"
	fi
else
	(cd "$REPO" && tar -c --exclude=./tests/out --exclude=./dist \
		--exclude=./.git -f - .) | tar -x -C "$TREE"
	head="(not a git tree)"
fi
echo "tree: $REPO at $head"

# --- the runs -------------------------------------------------------------------------
# job lines: KIND<TAB>NAME<TAB>TEST<TAB>PATCH (KIND base or mutant)
specs=()
tests_named=()
for p in "${patches[@]}"; do
	t=$(patch_test "$p")
	specs+=("$(printf 'mutant\t%s\t%s\t%s' "$(basename "$p" .patch)" "${t:--}" "$p")")
	if [ -n "$t" ] && ! printf '%s\n' ${tests_named[@]+"${tests_named[@]}"} | grep -qx -- "$t"; then
		tests_named+=("$t")
	fi
done
if [ "$check_base" = 1 ]; then
	base_specs=()
	for t in ${tests_named[@]+"${tests_named[@]}"}; do
		base_specs+=("$(printf 'base\t(unmutated)\t%s\t-' "$t")")
	done
	specs=(${base_specs[@]+"${base_specs[@]}"} "${specs[@]}")
fi

# run_one N SPEC: one run; writes $WORK/res/N (KIND NAME TEST RESULT SECS FAIL)
run_one()
{
	local n=$1 kind name test patch dir log res="" first="" t0 t1 summary nf
	IFS=$'\t' read -r kind name test patch <<<"$2"
	dir=$WORK/job$n
	log=$WORK/logs/$(printf '%02d' "$n")-$name-$test.log
	[ "$kind" = base ] && log=$WORK/logs/$(printf '%02d' "$n")-base-$test.log
	t0=$(date +%s)
	if [ "$test" = - ] || [ ! -f "$TEST_DIR_OF_TREE/$test.sh" ]; then
		res=error
		first="no test: the patch names no existing tests/t-NAME.sh (a \"Test: t-NAME\" line)"
	else
		rm -rf "$dir"
		mkdir -p "$dir/tmp"
		cp -a "$TREE" "$dir/tree"
		if [ "$kind" = mutant ]; then
			# patch(1): git apply would apply to an enclosing git tree
			if ! (cd "$dir/tree" && patch -p1 -N -s -t -r - \
				--no-backup-if-mismatch <"$patch") >"$log" 2>&1; then
				res=no-apply
				first=$(grep -m 1 . "$log" || true)
			fi
		fi
		if [ -z "$res" ]; then
			# the copy builds its own modules (MODULE unset) into its src/
			(cd "$dir/tree" && env -u MODULE -u TEST_OUT -u KEEP \
				TMPDIR="$dir/tmp" bash tests/run.sh "$test") >>"$log" 2>&1 || true
			summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
			nf=$(printf '%s\n' "$summary" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p')
			# the run's own temporary directories say nothing in the table
			first=$(grep -m 1 '^FAIL: ' "$log" |
				sed "s|$dir/tmp/snd-omnibus-tests\.[A-Za-z0-9]*/||g" || true)
			if grep -q '^building snd-omnibus for .* failed' "$log"; then
				res=no-build
				first=$(grep -m 1 -E 'error:|Error' "$dir/tree/src/build.log" 2>/dev/null || true)
			elif [ -n "$first" ] || [ "${nf:-0}" -gt 0 ]; then
				res=red
			elif [ -z "$summary" ]; then
				res=error
				first="run.sh did not finish: $(tail -n 1 "$log")"
			else
				res=green
			fi
		fi
		[ -n "${MUTANTS_KEEP:-}" ] || rm -rf "$dir"
	fi
	t1=$(date +%s)
	first=$(printf '%s' "$first" | tr -s '\t ' '  ' | cut -c 1-100)
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$name" "$test" "$res" \
		$((t1 - t0)) "$first" >"$WORK/res/$(printf '%02d' "$n")"
}
TEST_DIR_OF_TREE=$TREE/tests

pids=()
cleanup()
{
	local p
	# each run is a session of its own (setsid): its VMs and their
	# timeouts (process groups of their own) are all in it
	for p in ${pids[@]+"${pids[@]}"}; do
		pkill -TERM -s "$p" 2>/dev/null || true
	done
}
trap 'cleanup; exit 130' INT TERM

t_all=$(date +%s)
total=${#specs[@]}
n=0
count_results()
{
	local f c=0
	for f in "$WORK"/res/*; do
		[ ! -f "$f" ] || c=$((c + 1))
	done
	echo "$c"
}

# print the runs that ended since the last call
declare -A shown=()
report_new()
{
	local f kind name test res s first
	for f in "$WORK"/res/*; do
		if [ ! -f "$f" ] || [ -n "${shown[$f]:-}" ]; then
			continue
		fi
		shown[$f]=1
		IFS=$'\t' read -r kind name test res s first <"$f"
		echo "[$(basename "$f")] $name ($test): $res, $s s${first:+: $first}"
	done
}

# how many runs are still going (bash reaps them as they end)
alive()
{
	local p c=0
	for p in ${pids[@]+"${pids[@]}"}; do
		! kill -0 "$p" 2>/dev/null || c=$((c + 1))
	done
	echo "$c"
}
for spec in "${specs[@]}"; do
	n=$((n + 1))
	while [ "$(alive)" -ge "$jobs" ]; do
		sleep 2
		report_new
	done
	IFS=$'\t' read -r kind name test _ <<<"$spec"
	echo "[$(printf '%02d' "$n")] start: $name ($test)"
	# each run in its own session, so that an interrupt takes its VMs too
	setsid bash -c "$(declare -f run_one); WORK='$WORK' TREE='$TREE' \
		TEST_DIR_OF_TREE='$TEST_DIR_OF_TREE' MUTANTS_KEEP='${MUTANTS_KEEP:-}'; \
		run_one \"\$1\" \"\$2\"" _ "$n" "$spec" </dev/null &
	pids+=($!)
done
while [ "$(alive)" -gt 0 ]; do
	sleep 2
	report_new
done
wait || true
report_new
trap - INT TERM
secs=$(($(date +%s) - t_all))

# --- the table ---------------------------------------------------------------------
bad=0
row()
{
	printf '%-36s %-16s %-9s %-100s %6s\n' "$@"
}
echo
row mutant test result "first FAIL line" seconds
for f in "$WORK"/res/*; do
	IFS=$'\t' read -r kind name test res s first <"$f"
	if [ "$kind" = base ]; then
		case $res in
		green) res=green ;;
		red) res=BASE-RED; bad=1 ;;
		*) bad=1 ;;
		esac
	else
		[ "$res" = red ] || bad=1
	fi
	row "$name" "$test" "$res" "${first:--}" "$s"
done
if [ "$(count_results)" -ne "$total" ]; then
	echo "only $(count_results) of $total runs reported"
	bad=1
fi
echo "total time $secs s"
rm -rf "$TREE"
if [ "$bad" != 0 ]; then
	echo "mutants: NOT all killed (green, no-apply, no-build, error or a test red on the clean tree); logs in $WORK/logs"
	exit 1
fi
echo "mutants: all ${#patches[@]} killed; logs in $WORK/logs"
