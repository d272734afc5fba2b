// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-pause - play a 16-bit stereo WAV file through an ALSA PCM device
 * node with the kernel's own ioctls (no alsa-lib), pausing the stream in
 * the middle: the test VMs have no terminal for "aplay -i".
 *
 *   pcm-pause /dev/snd/pcmC0D0p FILE.wav PAUSE_AT_FRAME PAUSE_MS
 *
 * Plays FILE (44-byte header skipped; S16_LE, 2 channels, at the rate in
 * its header) in 4096-frame periods, 4 to the buffer.  Once the frames
 * written pass PAUSE_AT_FRAME it pushes PAUSE, prints "paused", sleeps
 * PAUSE_MS, prints "resumed" and releases it; at the end it drains.
 * Exit status 0 when every ioctl succeeded.
 *
 * Built static by the test on the host: gcc -static -O2 -o pcm-pause
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <sound/asound.h>

#define PERIOD	4096
#define PERIODS	4

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
	fprintf(stderr, "pcm-pause: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct snd_pcm_hw_params hw;
	unsigned char hdr[44];
	unsigned int rate, n;
	long pause_at, pause_ms, done = 0;
	int16_t buf[PERIOD * 2];
	struct timespec ts;
	int fd, wav, paused = 0;
	ssize_t got;

	if (argc != 5) {
		fprintf(stderr, "usage: pcm-pause DEVICE FILE.wav PAUSE_AT_FRAME PAUSE_MS\n");
		return 2;
	}
	pause_at = atol(argv[3]);
	pause_ms = atol(argv[4]);
	wav = open(argv[2], O_RDONLY);
	if (wav < 0 || read(wav, hdr, sizeof(hdr)) != sizeof(hdr))
		return die(argv[2]);
	rate = hdr[24] | hdr[25] << 8 | hdr[26] << 16 | (unsigned int)hdr[27] << 24;
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		return die(argv[1]);

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
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, PERIOD);
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIODS, PERIODS);
	if (ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &hw) < 0)
		return die("HW_PARAMS");
	if (ioctl(fd, SNDRV_PCM_IOCTL_PREPARE) < 0)
		return die("PREPARE");

	while ((got = read(wav, buf, sizeof(buf))) > 0) {
		struct snd_xferi x = { .buf = buf, .frames = got / 4 };

		if (ioctl(fd, SNDRV_PCM_IOCTL_WRITEI_FRAMES, &x) < 0)
			return die("WRITEI_FRAMES");
		done += x.result;
		if (!paused && done >= pause_at) {
			if (ioctl(fd, SNDRV_PCM_IOCTL_PAUSE, 1) < 0)
				return die("PAUSE push");
			printf("paused at frame %ld\n", done);
			fflush(stdout);
			ts.tv_sec = pause_ms / 1000;
			ts.tv_nsec = pause_ms % 1000 * 1000000L;
			nanosleep(&ts, NULL);
			printf("resumed\n");
			fflush(stdout);
			if (ioctl(fd, SNDRV_PCM_IOCTL_PAUSE, 0) < 0)
				return die("PAUSE release");
			paused = 1;
		}
	}
	if (ioctl(fd, SNDRV_PCM_IOCTL_DRAIN) < 0)
		return die("DRAIN");
	printf("played %ld frames\n", done);
	close(fd);
	return 0;
}
