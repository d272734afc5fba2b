# shellcheck shell=bash
#
# tests/lib/test.sh - result helpers for tests/t-*.sh.  tests/run.sh counts
# the lines "PASS: NAME" and "FAIL: NAME: REASON" that these print on stdout;
# "SKIP: NAME: REASON" says that a check was not made and why (not counted,
# but never silent; a skip that means the test failed to arrange what the
# check needs is a FAIL instead).
# The reporting helpers return 0 so that a `set -e` test goes on after a
# failed check; end the test with test_done to exit non-zero after failures.

TESTS_FAILED=${TESTS_FAILED:-0}

pass()
{
	printf 'PASS: %s\n' "$1"
}

fail()
{
	printf 'FAIL: %s: %s\n' "$1" "${2:-failed}"
	TESTS_FAILED=$((TESTS_FAILED + 1))
}

# check NAME CMD [ARG...]: run CMD; PASS if it exits 0, else FAIL with the
# last line it printed as the reason.  Its whole output is shown indented.
# Returns 0; CHECK_RC holds the exit status of CMD.
skip()
{
	printf 'SKIP: %s: %s\n' "$1" "${2:-skipped}"
}

check()
{
	local name=$1 out
	shift
	CHECK_RC=0
	out=$("$@" 2>&1) || CHECK_RC=$?
	if [ -n "$out" ]; then
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
	if [ "$CHECK_RC" -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "$(printf '%s\n' "$out" | tail -n 1) (exit $CHECK_RC)"
	fi
}

# test_done: exit 1 if any check failed, else 0.
test_done()
{
	[ "$TESTS_FAILED" -eq 0 ] || exit 1
	exit 0
}

# Kernel log lines that mean the kernel (or a driver) went wrong.
DMESG_BAD='WARNING:|BUG:|BUG |Oops|Call Trace|general protection|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|unreferenced object|memory leak detector disabled|ODEBUG:|Kernel panic|RIP:|cut here|INFO: task .* blocked|INFO: rcu|soft lockup|hard LOCKUP|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|list_add corruption|list_del corruption|refcount_t:|double free|use-after-free|stack-protector|stack guard page|segfault at|unable to handle|Unable to handle|scheduling while atomic|sleeping function called|DMA-API:|DMAR: [[]DMA |DMAR: DRHD: handling fault|AMD-Vi: Event logged|IO_PAGE_FAULT'

# ... except these, which a debug kernel (tests/lib/debug-kernel.sh) prints
# at boot.
DMESG_BENIGN='rcu: .*RCU callback double-/use-after-free debug is enabled'

# check_dmesg_clean DMESG [NAME]: look for lines of the kernel log DMESG that
# match DMESG_BAD (minus DMESG_BENIGN and lines matching $DMESG_IGNORE, an
# ERE) and show them.
# With NAME: print PASS/FAIL NAME and return 0.  Without: return 1 if any.
check_dmesg_clean()
{
	local log=$1 name=${2:-} bad="" why=""

	if [ ! -f "$log" ]; then
		why="no kernel log $log"
	else
		bad=$(grep -E -- "$DMESG_BAD" "$log" | grep -Ev -- "$DMESG_BENIGN" |
			grep -Ev -- "${DMESG_IGNORE:-^\$^}" || true)
		if [ -n "$bad" ]; then
			printf '%s\n' "$bad" | head -n 40 | sed 's/^/    dmesg: /'
			why=$(printf '%s\n' "$bad" | head -n 1)
		fi
	fi
	if [ -z "$name" ]; then
		[ -z "$why" ]
	elif [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# test_build_686 DIR KO NAME: build snd-omnibus for Debian's 686 kernel
# into DIR (tests/lib/vm.sh vm_build_i386, W=1); PASS NAME if KO was built
# and the build log has no warning or error, else FAIL NAME.  Returns 0.
test_build_686()
{
	local dir=$1 ko=$2 name=$3 k686 warn

	k686=$(vm_kver_i386)
	rm -rf "$dir"
	if vm_build_i386 "$REPO/src" "$k686" "$dir" && [ -f "$dir/$ko" ]; then
		warn=$(grep -E 'warning:|error:' "$dir/build.log" || true)
		if [ -z "$warn" ]; then
			pass "$name"
		else
			fail "$name" "$(printf '%s\n' "$warn" | head -n 5)"
		fi
	else
		tail -n 20 "$dir/build.log" 2>/dev/null | sed 's/^/    /'
		fail "$name" "building snd-omnibus for $k686 failed"
	fi
}
