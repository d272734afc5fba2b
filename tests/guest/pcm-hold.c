// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-hold - leave PCM streams paused while their card goes away, after
 * racing the pause against the period interrupt.
 *
 *   pcm-hold MODE PERIOD_FRAMES PERIODS N CLOSE COMMAND NODE...
 *
 * Opens every NODE (/dev/snd/pcmCxDyp or ...c), sets S16_LE stereo at
 * 48000 Hz (hunt: 8000 Hz, so that a period lasts long enough for a timer
 * re-armed for its end to be still queued when the card is freed) with
 * PERIODS periods of PERIOD_FRAMES frames and a stop
 * threshold no stream reaches (nothing stops on an xrun: only pause and
 * release happen), and starts them on CPU 0, so that their period timers
 * are queued there.  Then, N times, a pause is pushed from CPU 1, where it
 * can meet a period interrupt running on CPU 0, and released on CPU 0:
 *
 *   race  the push comes at a random moment within two periods;
 *   hunt  the push comes at the end of the first NODE's current period
 *         (the moment its timer fires, from the stream's position), moved
 *         by -300..+300 us from one attempt to the next; after the push
 *         /proc/timer_list is read: a timer of the driver still queued
 *         while every stream is paused is a "hit" (a callback that the
 *         push met has re-armed it), and the hunt stops there.
 *
 * With every stream paused it prints "paused" (hunt: "hits H attempts A"
 * first), runs COMMAND (sh -c: an unbind, which waits for the files to
 * close, or an rmmod; the NODEs are opened close-on-exec, so that the
 * child does not hold them) in a child and closes every NODE: CLOSE "now"
 * at once, "disconnected" once the state of every stream (in its mmap'ed
 * status) says DISCONNECTED (the ALSA core then runs no stop of its own
 * for a paused stream, only the driver's close; at most 20 s).  Then it waits
 * for the child and prints "command N" with its exit status (and
 * "disconnected" before it when it waited for that).  Exits 0 when every
 * ioctl before the COMMAND succeeded.
 *
 * Built static by the test on the host: gcc -static -O2 -o pcm-hold
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sound/asound.h>

#define MAX_NODES	8

static int fds[MAX_NODES];
static volatile struct snd_pcm_mmap_status *mstatus[MAX_NODES];
static int nfds;
static unsigned int rate;	/* race: 48000 Hz, hunt: 8000 Hz */

static int die(const char *what, const char *arg)
{
	fprintf(stderr, "pcm-hold: %s %s: %s\n", what, arg ? arg : "",
		strerror(errno));
	return 1;
}

static void set_mask(struct snd_pcm_hw_params *p, int n, unsigned int bit)
{
	struct snd_mask *m = &p->masks[n - SNDRV_PCM_HW_PARAM_FIRST_MASK];

	memset(m, 0, sizeof(*m));
	m->bits[bit >> 5] = 1U << (bit & 31);
}

static void set_int(struct snd_pcm_hw_params *p, int n, unsigned int v)
{
	struct snd_interval *i = &p->intervals[n - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];

	i->min = v;
	i->max = v;
	i->integer = 1;
}

static int setup(int fd, unsigned int period, unsigned int periods)
{
	struct snd_pcm_hw_params hw;
	struct snd_pcm_sw_params sw;
	unsigned int n;

	memset(&hw, 0, sizeof(hw));
	for (n = 0; n <= SNDRV_PCM_HW_PARAM_LAST_MASK - SNDRV_PCM_HW_PARAM_FIRST_MASK; n++)
		memset(&hw.masks[n], 0xff, sizeof(hw.masks[n]));
	for (n = 0; n <= SNDRV_PCM_HW_PARAM_LAST_INTERVAL - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL; n++)
		hw.intervals[n].max = ~0U;
	hw.rmask = ~0U;
	set_mask(&hw, SNDRV_PCM_HW_PARAM_ACCESS, SNDRV_PCM_ACCESS_RW_INTERLEAVED);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_FORMAT, SNDRV_PCM_FORMAT_S16_LE);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_SUBFORMAT, SNDRV_PCM_SUBFORMAT_STD);
	set_int(&hw, SNDRV_PCM_HW_PARAM_CHANNELS, 2);
	set_int(&hw, SNDRV_PCM_HW_PARAM_RATE, rate);
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, period);
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIODS, periods);
	if (ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &hw) < 0) {
		perror("pcm-hold: HW_PARAMS");
		return -1;
	}
	memset(&sw, 0, sizeof(sw));
	sw.tstamp_mode = SNDRV_PCM_TSTAMP_NONE;
	sw.period_step = 1;
	sw.avail_min = period;
	sw.start_threshold = 1;
	sw.stop_threshold = LONG_MAX;	/* never stops by itself */
	if (ioctl(fd, SNDRV_PCM_IOCTL_SW_PARAMS, &sw) < 0) {
		perror("pcm-hold: SW_PARAMS");
		return -1;
	}
	return ioctl(fd, SNDRV_PCM_IOCTL_PREPARE);
}

static void on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);	/* one CPU: stays put */
}

static void wait_us(long us)
{
	struct timespec ts = { us / 1000000, us % 1000000 * 1000 };

	nanosleep(&ts, NULL);
}

static int pause_all(int push)
{
	int i;

	for (i = 0; i < nfds; i++)
		if (ioctl(fds[i], SNDRV_PCM_IOCTL_PAUSE, push) < 0)
			return die(push ? "PAUSE push" : "PAUSE release", NULL);
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* when the first stream's current period ends, by its position now */
static int period_end_ns(unsigned int period, long long *end)
{
	struct snd_pcm_status st;
	long long t = now_ns();

	memset(&st, 0, sizeof(st));
	if (ioctl(fds[0], SNDRV_PCM_IOCTL_STATUS, &st) < 0)
		return die("STATUS", NULL);
	*end = t + (long long)(period - st.hw_ptr % period) * 1000000000LL / rate;
	return 0;
}

/* timers of snd-omnibus-virtual queued now */
static int queued_timers(void)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/timer_list", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "virt_timer_fn"))
			n++;
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	unsigned int period, periods, seed = 1;
	long n, it, period_us, hits = 0, waited;
	long long end;
	int i, hunt, status, on_disconnect, gone;
	pid_t child;

	if (argc < 8 || argc - 7 > MAX_NODES ||
	    (strcmp(argv[1], "race") && strcmp(argv[1], "hunt")) ||
	    (strcmp(argv[5], "now") && strcmp(argv[5], "disconnected"))) {
		fprintf(stderr, "usage: pcm-hold race|hunt PERIOD_FRAMES PERIODS N now|disconnected COMMAND NODE...\n");
		return 2;
	}
	on_disconnect = !strcmp(argv[5], "disconnected");
	hunt = !strcmp(argv[1], "hunt");
	rate = hunt ? 8000 : 48000;
	period = strtoul(argv[2], NULL, 0);
	periods = strtoul(argv[3], NULL, 0);
	n = atol(argv[4]);
	period_us = (long)period * 1000000 / rate;

	on_cpu(0);
	for (i = 7; i < argc; i++) {
		fds[nfds] = open(argv[i], O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fds[nfds] < 0)
			return die("open", argv[i]);
		if (setup(fds[nfds], period, periods) < 0)
			return die("setup", argv[i]);
		/* the state as the kernel sets it, readable after the disconnect */
		mstatus[nfds] = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ,
				    MAP_SHARED, fds[nfds], SNDRV_PCM_MMAP_OFFSET_STATUS);
		if (mstatus[nfds] == MAP_FAILED)
			return die("mmap status", argv[i]);
		nfds++;
	}
	for (i = 0; i < nfds; i++)
		if (ioctl(fds[i], SNDRV_PCM_IOCTL_START) < 0)
			return die("START", argv[i + 7]);
	for (it = 0; it < n && !hits; it++) {
		if (it) {
			on_cpu(0);
			if (pause_all(0))
				return 1;
		}
		if (hunt) {
			if (period_end_ns(period, &end))
				return 1;
			end += (it % 61 - 30) * 10000LL;
			on_cpu(1);
			while (now_ns() < end)
				;
		} else {
			wait_us(rand_r(&seed) % (2 * period_us + 1));
			on_cpu(1);
		}
		if (pause_all(1))
			return 1;
		if (hunt && queued_timers() > 0)
			hits++;
	}
	if (hunt)
		printf("hits %ld attempts %ld\n", hits, it);
	printf("paused\n");
	fflush(stdout);

	child = fork();
	if (child < 0)
		return die("fork", NULL);
	if (!child) {
		execl("/bin/sh", "sh", "-c", argv[6], (char *)NULL);
		_exit(127);
	}
	for (waited = 0; on_disconnect && waited < 20000; waited++) {
		/*
		 * Not ENODEV from an ioctl: the card swaps the files'
		 * operations before it disconnects the PCM, and a close in
		 * between still finds the stream paused and stops it.
		 */
		for (i = 0, gone = 0; i < nfds; i++)
			if (mstatus[i]->state == SNDRV_PCM_STATE_DISCONNECTED)
				gone++;
		if (gone == nfds) {
			printf("disconnected\n");
			break;
		}
		wait_us(1000);
	}
	/* a mapping holds the file open as much as the descriptor does */
	for (i = 0; i < nfds; i++) {
		munmap((void *)mstatus[i], sysconf(_SC_PAGESIZE));
		close(fds[i]);
	}
	if (waitpid(child, &status, 0) < 0)
		return die("waitpid", NULL);
	printf("command %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	return 0;
}
