// SPDX-License-Identifier: GPL-2.0
/*
 * fault-nth - make the N-th fault-injection point (slab or page allocation,
 * with failslab/fail_page_alloc set to count GFP_KERNEL ones) that one
 * system call meets fail, through /proc/thread-self/fail-nth, and tell
 * whether a failure was injected at all.  The failure is aimed at the call
 * alone: the file is opened and N written just before it, and disarmed
 * just after it.
 *
 *   fault-nth load N MODULE.ko [PARAMS]
 *	init_module() of MODULE.ko with PARAMS
 *   fault-nth hwparams N DEVICE RATE CHANNELS PERIOD_FRAMES PERIODS
 *	open the PCM DEVICE (S16_LE, interleaved read/write), then the
 *	HW_PARAMS ioctl; on success HW_FREE and close
 *
 * Prints "rc=R errno=E (TEXT) injected=0|1 calls=C" and exits 0, or 2 on a
 * usage or setup error.  injected=0 means the call made fewer than N
 * allocations (C of them): the sweep is complete.
 *
 * Built static by the test on the host: gcc -static -O2 -o fault-nth
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sound/asound.h>

static int nth_fd = -1;
static long nth_armed, nth_calls;

static int setup(const char *n)
{
	char buf[32];
	int len;

	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0) {
		perror("fault-nth: /proc/thread-self/fail-nth");
		return -1;
	}
	nth_armed = strtol(n, NULL, 10);
	len = snprintf(buf, sizeof(buf), "%s", n);
	/* armed from here on: nothing but the call may come before it */
	if (write(nth_fd, buf, len) != len) {
		perror("fault-nth: arming fail-nth");
		return -1;
	}
	return 0;
}

/* 1 if the failure was injected (fail-nth counted down to 0), then disarm */
static int injected(void)
{
	char buf[32] = "";
	long left;

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0) {
		perror("fault-nth: reading fail-nth");
		exit(2);
	}
	left = strtol(buf, NULL, 10);
	nth_calls = left ? nth_armed - left : nth_armed;
	if (left && pwrite(nth_fd, "0", 1, 0) != 1) {
		perror("fault-nth: disarming fail-nth");
		exit(2);
	}
	return left == 0;
}

static void report(long rc, int err, int inj)
{
	printf("rc=%ld errno=%d (%s) injected=%d calls=%ld\n", rc, rc < 0 ? err : 0,
	       rc < 0 ? strerror(err) : "ok", inj, nth_calls);
}

static int load(char **argv, int argc)
{
	const char *params = argc > 4 ? argv[4] : "";
	struct stat st;
	char *image;
	long rc;
	int fd, err, inj;

	fd = open(argv[3], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(argv[3]);
		return 2;
	}
	image = malloc(st.st_size);
	if (!image || read(fd, image, st.st_size) != st.st_size) {
		perror(argv[3]);
		return 2;
	}
	close(fd);
	if (setup(argv[2]) < 0)
		return 2;
	rc = syscall(SYS_init_module, image, (unsigned long)st.st_size, params);
	err = errno;
	inj = injected();
	report(rc, err, inj);
	return 0;
}

static struct snd_mask *mask(struct snd_pcm_hw_params *p, int n)
{
	return &p->masks[n - SNDRV_PCM_HW_PARAM_FIRST_MASK];
}

static void set_mask(struct snd_pcm_hw_params *p, int n, unsigned int bit)
{
	struct snd_mask *m = mask(p, n);

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

static int hwparams(char **argv, int argc)
{
	struct snd_pcm_hw_params hw;
	unsigned int n;
	long rc;
	int fd, err, inj;

	if (argc != 8)
		return 2;
	fd = open(argv[3], O_RDWR);
	if (fd < 0) {
		perror(argv[3]);
		return 2;
	}
	memset(&hw, 0, sizeof(hw));
	for (n = 0; n <= SNDRV_PCM_HW_PARAM_LAST_MASK - SNDRV_PCM_HW_PARAM_FIRST_MASK; n++)
		memset(&hw.masks[n], 0xff, sizeof(hw.masks[n]));
	for (n = 0; n <= SNDRV_PCM_HW_PARAM_LAST_INTERVAL - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL; n++)
		hw.intervals[n].max = ~0U;
	hw.rmask = ~0U;
	hw.info = ~0U;
	set_mask(&hw, SNDRV_PCM_HW_PARAM_ACCESS, SNDRV_PCM_ACCESS_RW_INTERLEAVED);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_FORMAT, SNDRV_PCM_FORMAT_S16_LE);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_SUBFORMAT, SNDRV_PCM_SUBFORMAT_STD);
	set_int(&hw, SNDRV_PCM_HW_PARAM_RATE, atoi(argv[4]));
	set_int(&hw, SNDRV_PCM_HW_PARAM_CHANNELS, atoi(argv[5]));
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, atoi(argv[6]));
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIODS, atoi(argv[7]));
	if (setup(argv[2]) < 0)
		return 2;
	rc = ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &hw);
	err = errno;
	inj = injected();
	report(rc, err, inj);
	if (rc == 0 && ioctl(fd, SNDRV_PCM_IOCTL_HW_FREE) < 0)
		perror("fault-nth: HW_FREE");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "load"))
		return load(argv, argc);
	if (argc >= 4 && !strcmp(argv[1], "hwparams"))
		return hwparams(argv, argc);
	fprintf(stderr, "usage: fault-nth load N MODULE.ko [PARAMS]\n"
		"       fault-nth hwparams N DEVICE RATE CHANNELS PERIOD_FRAMES PERIODS\n");
	return 2;
}
