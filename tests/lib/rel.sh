# shellcheck shell=bash
#
# tests/lib/rel.sh - helpers of the reliability tests (tests/t-rel-*.sh),
# sourced after vm.sh and test.sh.
#
#   rel_reports DMESG...      count the kernel-log reports (DMESG_BAD lines,
#                             see test.sh) in the guest logs
#   rel_figure KIND RUNS FAILURES REPORTS LEAKS
#                             print the "FIGURE:" line the lead aggregates
#   rel_guest_tool OUTDIR     build tests/guest/pcm-stress (static) into
#                             OUTDIR, print its path
#   REL_GUEST_SNAP            shell text for a guest scenario: defines
#                             snap NAME, which writes /out/res-NAME.txt with
#                             what the driver must give back (its I/O ports,
#                             IRQ handlers, DMA channels, sound cards,
#                             /sys/module entry) and /out/mem-NAME.txt
#                             (MemAvailable and slab, in kB)
#   REL_GUEST_WAIT            shell text for a guest scenario: waitfor
#                             SECONDS CMD... (poll CMD every 0.2 s, 1 if it
#                             never held), cardno NAME (the number of the
#                             card whose driver is NAME: ENS1370, ICH,
#                             CS4231A, AdLib...), hascard NAME, nocard NAME
#   rel_res_diff DIR A B      compare two snapshots; print the lines that
#                             differ, return 1 if any
#   rel_kmemleak DIR...       count kmemleak's "unreferenced object" records
#                             in DIR/kmemleak.txt (the debug kernel's
#                             harness writes it; 0 without one)

# shellcheck disable=SC2034,SC2016 # used by the sourcing scripts; guest text
REL_GUEST_SNAP='
snap() {
	{
		echo "# ioports"
		grep -i -e omnibus -e sb16 -e es1370 -e ich /proc/ioports
		echo "# interrupts"
		awk '"'"'$1 ~ /^[0-9]+:$/ && /omnibus/ { $2 = ""; print }'"'"' /proc/interrupts
		echo "# dma"
		cat /proc/dma
		echo "# cards"
		cat /proc/asound/cards
		echo "# module"
		ls -d /sys/module/snd_omnibus_* 2>/dev/null
		grep "^snd_omnibus_" /proc/modules | cut -d" " -f1,3
	} >"/out/res-$1.txt" 2>&1
	awk '"'"'/^(MemAvailable|Slab|SUnreclaim):/ { print $1, $2 }'"'"' /proc/meminfo \
		>"/out/mem-$1.txt"
}
'

# shellcheck disable=SC2034,SC2016 # used by the sourcing scripts; guest text
REL_GUEST_WAIT='
waitfor() {
	t=$(($1 * 5))
	shift
	while [ $t -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		t=$((t - 1))
	done
	return 1
}
cardno() {
	sed -n "s/^ *\([0-9]*\) \[[^]]*\]: $1 - .*/\1/p" /proc/asound/cards
}
hascard() { [ -n "$(cardno "$1")" ]; }
nocard() { [ -z "$(cardno "$1")" ]; }
'

rel_reports()
{
	local f n=0 c

	for f in "$@"; do
		[ -f "$f" ] || continue
		c=$(grep -E -- "$DMESG_BAD" "$f" | grep -Ev -- "$DMESG_BENIGN" |
			grep -Evc -- "${DMESG_IGNORE:-^\$^}" || true)
		n=$((n + c))
	done
	echo "$n"
}

rel_figure()
{
	printf 'FIGURE: %s runs=%s failures=%s reports=%s leaks=%s\n' "$1" "$2" "$3" "$4" "$5"
}

rel_guest_tool()
{
	local out=$1

	mkdir -p "$out"
	gcc -static -O2 -Wall -o "$out/pcm-stress" "$REPO/tests/guest/pcm-stress.c" ||
		return 1
	printf '%s\n' "$out/pcm-stress"
}

rel_res_diff()
{
	local dir=$1 a=$2 b=$3

	if [ ! -f "$dir/res-$a.txt" ] || [ ! -f "$dir/res-$b.txt" ]; then
		echo "no snapshot res-$a.txt or res-$b.txt"
		return 1
	fi
	diff "$dir/res-$a.txt" "$dir/res-$b.txt" | grep '^[<>]' && return 1
	return 0
}

rel_kmemleak()
{
	local d n=0 c

	for d in "$@"; do
		[ -f "$d/kmemleak.txt" ] || continue
		c=$(grep -c 'unreferenced object' "$d/kmemleak.txt" || true)
		n=$((n + c))
	done
	echo "$n"
}
