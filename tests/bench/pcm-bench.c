// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-bench - the guest side of "make bench": play silence through an ALSA
 * PCM device node with the kernel's own ioctls (no alsa-lib, so that the
 * same static binary measures every driver the same way) and print what
 * was seen as "key=value" words on one line.
 *
 *   pcm-bench play DEVICE RATE PERIOD PERIODS SECONDS
 *   pcm-bench cost DEVICE RATE PERIOD PERIODS SECONDS
 *   pcm-bench poll DEVICE RATE PERIOD PERIODS SECONDS
 *
 * All three set S16_LE, 2 channels, RATE, exactly PERIOD frames per period and
 * PERIODS periods (hw_params fails, and we print "refused", when the driver
 * does not offer that), fill the whole buffer, take CLOCK_MONOTONIC and
 * issue START themselves (start_threshold is out of reach), so the trace of
 * the run can tell how long the first period took.
 *
 * play: keeps the buffer full with blocking writes for SECONDS of audio.
 * An xrun is what the kernel calls one: the stream's hardware pointer
 * caught up with the application's (stop_threshold = buffer size), the
 * stream went to state XRUN and the next write returned EPIPE -- the very
 * thing aplay reports as "underrun!!!".  The first xrun ends the run
 * (xruns=1).  Prints the frames the hardware played (hw_ptr before DROP),
 * the guest's idle time over the run (see idle_s(); elapsed minus idle is
 * what every task, interrupt and softirq took), and the process's own
 * user+system time.
 *
 * cost: play, with a spinner beside it: a child process at SCHED_IDLE (it
 * runs only when nothing else in the guest wants the CPU) that counts loop
 * rounds in memory it shares with us.  Its rate with the stream prepared
 * but not started (COST_BASE_NS, before START) against its rate while the
 * stream plays is the share of the machine the stream takes: the driver's
 * interrupt handler and timers, softirqs, our system calls, everything,
 * not sampled by a tick.  Under QEMU's -icount the guest's clock counts
 * its instructions, so the figure does not depend on the host's load.
 * Prints spins_base and base_ns, spins_play (over elapsed_ns).
 *
 * poll: for SECONDS, in a busy loop, asks the kernel for the hardware
 * position (HWSYNC + STATUS, which call the driver's pointer callback) and
 * records every step by which it moved; tops the buffer up (non-blocking)
 * whenever a period is free.  Prints the number of steps, the smallest,
 * the median and the greatest step, and the greatest common divisor of
 * all steps: the granularity the driver reports the position with.
 *
 * Built static by tests/bench/bench.sh: gcc -static -O2 -o pcm-bench
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sound/asound.h>

#define MAX_STEPS	200000
/* the spinner's rate is taken over this long before START (cost) */
#define COST_BASE_NS	2000000000LL

static struct snd_mask *mask(struct snd_pcm_hw_params *p, int n)
{
	return &p->masks[n - SNDRV_PCM_HW_PARAM_FIRST_MASK];
}

static struct snd_interval *ival(struct snd_pcm_hw_params *p, int n)
{
	return &p->intervals[n - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];
}

static void set_mask(struct snd_pcm_hw_params *p, int n, unsigned int bit)
{
	struct snd_mask *m = mask(p, n);

	memset(m, 0, sizeof(*m));
	m->bits[bit >> 5] = 1U << (bit & 31);
}

static void set_int(struct snd_pcm_hw_params *p, int n, unsigned int v)
{
	struct snd_interval *i = ival(p, n);

	i->min = v;
	i->max = v;
	i->integer = 1;
}

static int die(const char *what)
{
	fprintf(stderr, "pcm-bench: %s: %s\n", what, strerror(errno));
	return 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Idle time of the (one-CPU) guest in seconds: the ".idle_sleeptime" of
 * /proc/timer_list, which a NO_HZ kernel keeps in nanoseconds, where
 * /proc/stat counts in 10 ms steps.  A kernel without NO_HZ (Debian's
 * 686) shows none: then /proc/stat's idle + iowait, which the tick
 * samples.  Busy time = elapsed - idle: every task, interrupt and softirq
 * of the guest.  *src says which one it was.
 */
static double idle_s(const char **src)
{
	unsigned long long ns, sum = 0, v[5];
	char line[256];
	FILE *f = fopen("/proc/timer_list", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, " .idle_sleeptime : %llu nsecs", &ns) == 1)
				sum += ns;
		fclose(f);
		if (sum) {
			*src = "timer_list";
			return sum / 1e9;
		}
	}
	*src = "proc_stat";
	f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4]) != 5)
		v[3] = v[4] = 0;
	fclose(f);
	return (double)(v[3] + v[4]) / sysconf(_SC_CLK_TCK);
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* the spinner of "cost": counts in *spins until it is killed */
static volatile unsigned long *spins;

static pid_t spinner_start(void)
{
	struct sched_param sp = { .sched_priority = 0 };
	pid_t pid, parent;

	spins = mmap(NULL, sizeof(*spins), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (spins == MAP_FAILED)
		return -1;
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		/* gone with us, whichever way we end (die() included) */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent ||
		    sched_setscheduler(0, SCHED_IDLE, &sp) < 0)
			_exit(1);
		for (;;)
			(*spins)++;
	}
	return pid;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int hw_ptr(int fd, snd_pcm_uframes_t *ptr, int *state)
{
	struct snd_pcm_status st;

	if (ioctl(fd, SNDRV_PCM_IOCTL_HWSYNC) < 0 && errno != EPIPE)
		return -1;
	memset(&st, 0, sizeof(st));
	if (ioctl(fd, SNDRV_PCM_IOCTL_STATUS, &st) < 0)
		return -1;
	*ptr = st.hw_ptr;
	*state = st.state;
	return 0;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static unsigned long gcd(unsigned long a, unsigned long b)
{
	while (b) {
		unsigned long t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int main(int argc, char **argv)
{
	struct snd_pcm_hw_params hw;
	struct snd_pcm_sw_params sw;
	unsigned int rate, period, periods, n;
	unsigned long buffer, total, written = 0, *steps;
	snd_pcm_uframes_t ptr = 0, last;
	double seconds, cpu0, idle0, idle1;
	const char *src;
	int16_t *buf;
	int64_t t0, t1;
	int fd, poll_mode, cost_mode, state, xruns = 0;
	unsigned long nsteps = 0, spins0 = 0, spins1 = 0, spins_base = 0;
	int64_t base_ns = 0;
	pid_t spinner = -1;

	if (argc != 7 || (strcmp(argv[1], "play") && strcmp(argv[1], "poll") &&
			  strcmp(argv[1], "cost"))) {
		fprintf(stderr, "usage: pcm-bench play|cost|poll DEVICE RATE PERIOD PERIODS SECONDS\n");
		return 2;
	}
	poll_mode = !strcmp(argv[1], "poll");
	cost_mode = !strcmp(argv[1], "cost");
	rate = atoi(argv[3]);
	period = atoi(argv[4]);
	periods = atoi(argv[5]);
	seconds = atof(argv[6]);
	total = (unsigned long)(seconds * rate);

	fd = open(argv[2], O_RDWR | (poll_mode ? O_NONBLOCK : 0));
	if (fd < 0)
		return die(argv[2]);

	memset(&hw, 0, sizeof(hw));
	for (n = 0; n <= SNDRV_PCM_HW_PARAM_LAST_MASK - SNDRV_PCM_HW_PARAM_FIRST_MASK; n++)
		memset(&hw.masks[n], 0xff, sizeof(hw.masks[n]));
	for (n = 0; n <= SNDRV_PCM_HW_PARAM_LAST_INTERVAL - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL; n++) {
		hw.intervals[n].min = 0;
		hw.intervals[n].max = ~0U;
	}
	hw.rmask = ~0U;
	hw.info = ~0U;
	set_mask(&hw, SNDRV_PCM_HW_PARAM_ACCESS, SNDRV_PCM_ACCESS_RW_INTERLEAVED);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_FORMAT, SNDRV_PCM_FORMAT_S16_LE);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_SUBFORMAT, SNDRV_PCM_SUBFORMAT_STD);
	set_int(&hw, SNDRV_PCM_HW_PARAM_CHANNELS, 2);
	set_int(&hw, SNDRV_PCM_HW_PARAM_RATE, rate);
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, period);
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIODS, periods);
	if (ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &hw) < 0) {
		printf("refused=1 period=%u periods=%u errno=%d\n", period, periods, errno);
		return 0;
	}
	buffer = (unsigned long)period * periods;

	memset(&sw, 0, sizeof(sw));
	sw.tstamp_mode = SNDRV_PCM_TSTAMP_NONE;
	sw.period_step = 1;
	sw.avail_min = period;
	sw.xfer_align = 1;
	sw.start_threshold = ~0UL >> 1;	/* never by itself: we START */
	sw.stop_threshold = buffer;
	sw.silence_threshold = 0;
	sw.silence_size = 0;
	sw.boundary = buffer;
	while (sw.boundary * 2 <= (~0UL >> 1) - buffer)
		sw.boundary *= 2;
	if (ioctl(fd, SNDRV_PCM_IOCTL_SW_PARAMS, &sw) < 0)
		return die("SW_PARAMS");
	if (ioctl(fd, SNDRV_PCM_IOCTL_PREPARE) < 0)
		return die("PREPARE");

	buf = calloc(buffer, 4);
	steps = calloc(MAX_STEPS, sizeof(*steps));
	if (!buf || !steps)
		return die("calloc");
	{
		struct snd_xferi x = { .buf = buf, .frames = buffer };

		if (ioctl(fd, SNDRV_PCM_IOCTL_WRITEI_FRAMES, &x) < 0 ||
		    x.result != (snd_pcm_sframes_t)buffer)
			return die("prefill");
		written = buffer;
	}

	if (cost_mode) {
		int64_t b0;

		spinner = spinner_start();
		if (spinner < 0)
			return die("spinner");
		sleep_ns(100000000);	/* let it start */
		b0 = now_ns();
		spins0 = *spins;
		sleep_ns(COST_BASE_NS);
		spins_base = *spins - spins0;
		base_ns = now_ns() - b0;
	}
	idle0 = idle_s(&src);
	cpu0 = self_cpu_s();
	t0 = now_ns();
	if (cost_mode)
		spins0 = *spins;
	if (ioctl(fd, SNDRV_PCM_IOCTL_START) < 0)
		return die("START");

	if (!poll_mode) {
		while (written < total) {
			struct snd_xferi x = { .buf = buf, .frames = period };

			if (ioctl(fd, SNDRV_PCM_IOCTL_WRITEI_FRAMES, &x) < 0) {
				if (errno == EPIPE) {
					xruns = 1;
					break;
				}
				return die("WRITEI_FRAMES");
			}
			written += x.result;
		}
		if (hw_ptr(fd, &ptr, &state) < 0)
			return die("STATUS");
		if (state == SNDRV_PCM_STATE_XRUN)
			xruns = 1;
	} else {
		int64_t end = t0 + (int64_t)(seconds * 1e9);

		last = 0;
		while (now_ns() < end) {
			if (hw_ptr(fd, &ptr, &state) < 0)
				return die("STATUS");
			if (state == SNDRV_PCM_STATE_XRUN) {
				xruns = 1;
				break;
			}
			if (ptr != last && nsteps < MAX_STEPS)
				steps[nsteps++] = ptr - last;
			last = ptr;
			if (written - ptr <= buffer - period) {
				struct snd_xferi x = { .buf = buf, .frames = period };

				if (ioctl(fd, SNDRV_PCM_IOCTL_WRITEI_FRAMES, &x) == 0)
					written += x.result;
			}
		}
	}
	if (cost_mode)
		spins1 = *spins;
	t1 = now_ns();
	idle1 = idle_s(&src);
	if (spinner > 0) {
		kill(spinner, SIGKILL);
		waitpid(spinner, NULL, 0);
	}

	printf("mode=%s rate=%u period=%u periods=%u xruns=%d played=%lu",
	       argv[1], rate, period, periods, xruns, (unsigned long)ptr);
	printf(" t0_ns=%lld elapsed_ns=%lld idle_s=%.6f idle_src=%s self_cpu_s=%.4f",
	       (long long)t0, (long long)(t1 - t0), idle1 - idle0, src,
	       self_cpu_s() - cpu0);
	if (cost_mode)
		printf(" spins_base=%lu base_ns=%lld spins_play=%lu",
		       spins_base, (long long)base_ns, spins1 - spins0);
	if (poll_mode && nsteps) {
		unsigned long g = 0, i;

		for (i = 0; i < nsteps; i++)
			g = gcd(g, steps[i]);
		qsort(steps, nsteps, sizeof(*steps), cmp_ul);
		printf(" steps=%lu step_min=%lu step_median=%lu step_max=%lu step_gcd=%lu",
		       nsteps, steps[0], steps[nsteps / 2], steps[nsteps - 1], g);
	}
	printf("\n");
	ioctl(fd, SNDRV_PCM_IOCTL_DROP);
	close(fd);
	return 0;
}
