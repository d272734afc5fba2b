// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-stress - stress an ALSA card through its device nodes with the
 * kernel's own ioctls (no alsa-lib), for the tests/t-rel-stress-*.sh tests.
 *
 *   pcm-stress openclose NODE COUNT
 *	open and close NODE (a pcmC*D*[pc] or controlC* node) COUNT times,
 *	with one info ioctl each time; prints "openclose NODE runs=N
 *	failures=N".  Non-blocking opens: a busy PCM fails with EBUSY
 *	(counted as a failure) instead of waiting.
 *
 *   pcm-stress hwparams NODE
 *	read the configuration space of the PCM NODE (HW_REFINE on
 *	"anything"), then ask for exact configurations: every format x
 *	channel count x rate it offers (standard rates in its range, its
 *	minimum and maximum and an odd rate) with three buffer sizes, and
 *	for two of those combinations every buffer size and period size from
 *	the minimum to the maximum (powers of two and odd sizes), plus
 *	combinations it cannot do (one above each maximum, a format it lacks,
 *	a period larger than the buffer).  Each HW_PARAMS must agree with
 *	HW_REFINE of the same request: both succeed (and then PREPARE and
 *	HW_FREE succeed, and the result is what was asked), or both fail
 *	with EINVAL.  Prints "hwparams NODE runs=N ok=N einval=N
 *	failures=N"; each failure is described on its own line.
 *
 *   pcm-stress xrun-play NODE FILE.wav STOP_AT_FRAME STALL_MS
 *	play FILE (S16_LE stereo, rate from its header; 1024-frame periods,
 *	16 of them; the core fills silence behind the written data) until
 *	STOP_AT_FRAME frames are written, stop writing for STALL_MS, check
 *	that the PCM is in state XRUN and that a write fails with EPIPE, then
 *	PREPARE and play the rest of the file.  Prints the frame where the
 *	stream stopped.  Exit status 0 when everything behaved.
 *
 *   pcm-stress xrun-capture NODE RATE STALL_MS
 *	capture S16_LE stereo at RATE, stop reading for STALL_MS, check
 *	state XRUN and a read failing with EPIPE, PREPARE, START, and read
 *	again.  Exit status 0 when everything behaved.
 *
 * Built static by the tests on the host: gcc -static -O2 -o pcm-stress
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <sound/asound.h>

#define NMASKS (SNDRV_PCM_HW_PARAM_LAST_MASK - SNDRV_PCM_HW_PARAM_FIRST_MASK + 1)
#define NIVALS (SNDRV_PCM_HW_PARAM_LAST_INTERVAL - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL + 1)

static struct snd_mask *mask(struct snd_pcm_hw_params *p, int n)
{
	return &p->masks[n - SNDRV_PCM_HW_PARAM_FIRST_MASK];
}

static struct snd_interval *ival(struct snd_pcm_hw_params *p, int n)
{
	return &p->intervals[n - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];
}

static void any(struct snd_pcm_hw_params *p)
{
	int n;

	memset(p, 0, sizeof(*p));
	for (n = 0; n < NMASKS; n++)
		memset(&p->masks[n], 0xff, sizeof(p->masks[n]));
	for (n = 0; n < NIVALS; n++)
		p->intervals[n].max = ~0U;
	p->rmask = ~0U;
	p->info = ~0U;
}

static void set_mask(struct snd_pcm_hw_params *p, int n, unsigned int bit)
{
	struct snd_mask *m = mask(p, n);

	memset(m, 0, sizeof(*m));
	m->bits[bit >> 5] = 1U << (bit & 31);
}

static int has_bit(struct snd_pcm_hw_params *p, int n, unsigned int bit)
{
	return !!(mask(p, n)->bits[bit >> 5] & (1U << (bit & 31)));
}

static void set_int(struct snd_pcm_hw_params *p, int n, unsigned int v)
{
	struct snd_interval *i = ival(p, n);

	memset(i, 0, sizeof(*i));
	i->min = v;
	i->max = v;
	i->integer = 1;
}

static int is_single(struct snd_pcm_hw_params *p, int n, unsigned int v)
{
	struct snd_interval *i = ival(p, n);

	return i->min == v && i->max == v && !i->openmin && !i->openmax;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- openclose ----------------------------------------------------------- */

static int openclose(const char *node, long count)
{
	long i, failures = 0;
	int pcm = strstr(node, "/pcmC") != NULL;
	int first_errno = 0;

	for (i = 0; i < count; i++) {
		int fd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		int err = 0;

		if (fd < 0) {
			err = errno;
		} else {
			if (pcm) {
				struct snd_pcm_info info;

				if (ioctl(fd, SNDRV_PCM_IOCTL_INFO, &info) < 0)
					err = errno;
			} else {
				struct snd_ctl_card_info info;

				if (ioctl(fd, SNDRV_CTL_IOCTL_CARD_INFO, &info) < 0)
					err = errno;
			}
			if (close(fd) < 0 && !err)
				err = errno;
		}
		if (err) {
			failures++;
			if (!first_errno)
				first_errno = err;
		}
	}
	printf("openclose %s runs=%ld failures=%ld", node, count, failures);
	if (first_errno)
		printf(" first-error=%s", strerror(first_errno));
	printf("\n");
	return failures ? 1 : 0;
}

/* ---- hwparams ------------------------------------------------------------ */

struct req {
	unsigned int access, format, channels, rate, buffer, period;
	int period_set;
};

static long runs, oks, einvals, failures;
static int pcm_fd;
static const char *pcm_node;

static void req_fill(struct snd_pcm_hw_params *p, const struct req *r)
{
	any(p);
	set_mask(p, SNDRV_PCM_HW_PARAM_ACCESS, r->access);
	set_mask(p, SNDRV_PCM_HW_PARAM_FORMAT, r->format);
	set_mask(p, SNDRV_PCM_HW_PARAM_SUBFORMAT, SNDRV_PCM_SUBFORMAT_STD);
	set_int(p, SNDRV_PCM_HW_PARAM_CHANNELS, r->channels);
	set_int(p, SNDRV_PCM_HW_PARAM_RATE, r->rate);
	if (r->buffer)
		set_int(p, SNDRV_PCM_HW_PARAM_BUFFER_SIZE, r->buffer);
	if (r->period_set)
		set_int(p, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, r->period);
}

static void bad(const struct req *r, const char *what, int err)
{
	failures++;
	printf("FAILED %s: format %u channels %u rate %u buffer %u period %u: %s: %s\n",
	       pcm_node, r->format, r->channels, r->rate, r->buffer,
	       r->period_set ? r->period : 0, what, err ? strerror(err) : "wrong result");
}

/*
 * One request.  want_ok: 1 must work, 0 must fail with EINVAL, -1 either
 * (as long as HW_REFINE and HW_PARAMS agree).
 */
static void try_req(const struct req *r, int want_ok)
{
	struct snd_pcm_hw_params p;
	int refine_err = 0, err = 0;

	runs++;
	req_fill(&p, r);
	if (ioctl(pcm_fd, SNDRV_PCM_IOCTL_HW_REFINE, &p) < 0)
		refine_err = errno;
	if (refine_err && refine_err != EINVAL) {
		bad(r, "HW_REFINE", refine_err);
		return;
	}
	req_fill(&p, r);
	if (ioctl(pcm_fd, SNDRV_PCM_IOCTL_HW_PARAMS, &p) < 0)
		err = errno;
	if (err && err != EINVAL) {
		bad(r, "HW_PARAMS", err);
		return;
	}
	if (!!err != !!refine_err) {
		bad(r, err ? "HW_PARAMS refused what HW_REFINE allowed" :
			     "HW_PARAMS took what HW_REFINE refused", err);
		if (!err)
			ioctl(pcm_fd, SNDRV_PCM_IOCTL_HW_FREE);
		return;
	}
	if (err) {
		einvals++;
		if (want_ok == 1)
			bad(r, "refused", err);
		return;
	}
	if (want_ok == 0)
		bad(r, "accepted an impossible configuration", 0);
	if (!is_single(&p, SNDRV_PCM_HW_PARAM_CHANNELS, r->channels) ||
	    !is_single(&p, SNDRV_PCM_HW_PARAM_RATE, r->rate) ||
	    (r->buffer && !is_single(&p, SNDRV_PCM_HW_PARAM_BUFFER_SIZE, r->buffer)) ||
	    (r->period_set && !is_single(&p, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, r->period)))
		bad(r, "HW_PARAMS result differs from the request", 0);
	if (ioctl(pcm_fd, SNDRV_PCM_IOCTL_PREPARE) < 0)
		bad(r, "PREPARE", errno);
	if (ioctl(pcm_fd, SNDRV_PCM_IOCTL_HW_FREE) < 0)
		bad(r, "HW_FREE", errno);
	else if (want_ok != 0)
		oks++;
}

/* sizes from lo to hi: powers of two, both ends, and odd sizes */
static int sizes(unsigned int lo, unsigned int hi, unsigned int *out, int max)
{
	unsigned long v;
	int n = 0;

	if (lo < 1)
		lo = 1;
	if (hi > (1U << 24))
		hi = 1U << 24;
	if (hi < lo)
		return 0;
	out[n++] = lo;
	for (v = 1; v <= hi && n < max - 4; v <<= 1)
		if (v > lo && v < hi)
			out[n++] = v;
	if (hi != lo)
		out[n++] = hi;
	/* odd ones: just above the minimum, in the middle, below the max */
	if ((lo | 1) + 2 < hi)
		out[n++] = (lo | 1) + 2;
	if (((lo + hi) / 2 | 1) < hi)
		out[n++] = (lo + hi) / 2 | 1;
	if (hi > 3 && ((hi - 2) | 1) < hi && ((hi - 2) | 1) > lo)
		out[n++] = (hi - 2) | 1;
	return n;
}

static void sweep_sizes(struct req r, const struct snd_pcm_hw_params *space)
{
	const struct snd_interval *bi = &space->intervals[SNDRV_PCM_HW_PARAM_BUFFER_SIZE -
							  SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];
	const struct snd_interval *pi = &space->intervals[SNDRV_PCM_HW_PARAM_PERIOD_SIZE -
							  SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];
	unsigned int bs[64], ps[64];
	int nb, np, i, j;

	nb = sizes(bi->min, bi->max, bs, 64);
	np = sizes(pi->min, pi->max, ps, 64);
	for (i = 0; i < nb; i++) {
		r.buffer = bs[i];
		r.period_set = 0;
		try_req(&r, -1);
		for (j = 0; j < np; j++) {
			if (ps[j] > bs[i])
				continue;
			r.period = ps[j];
			r.period_set = 1;
			try_req(&r, -1);
		}
	}
	/* impossible: above the maxima, a period longer than the buffer */
	r.period_set = 0;
	if (bi->max < (1U << 30)) {
		r.buffer = bi->max + 1;
		try_req(&r, 0);
		r.buffer = bi->max * 2 + 1;
		try_req(&r, 0);
	}
	r.buffer = bi->min;
	r.period = bi->min * 2 + 1;
	r.period_set = 1;
	try_req(&r, 0);
}

static int hwparams(const char *node)
{
	static const unsigned int std_rates[] = {
		5512, 8000, 11025, 16000, 22050, 32000, 44100, 48000,
		64000, 88200, 96000, 176400, 192000,
	};
	struct snd_pcm_hw_params space;
	struct snd_interval *ci, *ri, *bi;
	static const unsigned int real_formats[] = {
		SNDRV_PCM_FORMAT_S8, SNDRV_PCM_FORMAT_U8, SNDRV_PCM_FORMAT_S16_LE,
		SNDRV_PCM_FORMAT_S32_LE, SNDRV_PCM_FORMAT_FLOAT_LE,
		SNDRV_PCM_FORMAT_MU_LAW, SNDRV_PCM_FORMAT_A_LAW,
	};
	unsigned int fmt, ch, rates[32], acc, lacking = ~0U;
	unsigned int first = ~0U, last = ~0U;
	int nrates = 0, k, j;
	struct req r;
	size_t i;

	pcm_node = node;
	pcm_fd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (pcm_fd < 0) {
		printf("FAILED %s: open: %s\n", node, strerror(errno));
		printf("hwparams %s runs=0 ok=0 einval=0 failures=1\n", node);
		return 1;
	}
	any(&space);
	if (ioctl(pcm_fd, SNDRV_PCM_IOCTL_HW_REFINE, &space) < 0) {
		printf("FAILED %s: HW_REFINE of anything: %s\n", node, strerror(errno));
		printf("hwparams %s runs=1 ok=0 einval=0 failures=1\n", node);
		return 1;
	}
	ci = ival(&space, SNDRV_PCM_HW_PARAM_CHANNELS);
	ri = ival(&space, SNDRV_PCM_HW_PARAM_RATE);
	bi = ival(&space, SNDRV_PCM_HW_PARAM_BUFFER_SIZE);
	acc = has_bit(&space, SNDRV_PCM_HW_PARAM_ACCESS, SNDRV_PCM_ACCESS_RW_INTERLEAVED) ?
		SNDRV_PCM_ACCESS_RW_INTERLEAVED : SNDRV_PCM_ACCESS_MMAP_INTERLEAVED;
	rates[nrates++] = ri->min;
	for (i = 0; i < sizeof(std_rates) / sizeof(std_rates[0]); i++)
		if (std_rates[i] > ri->min && std_rates[i] < ri->max)
			rates[nrates++] = std_rates[i];
	if (ri->max != ri->min)
		rates[nrates++] = ri->max;
	if (ri->max - ri->min > 4)
		rates[nrates++] = (ri->min + ri->max) / 2 | 1;
	printf("space %s: channels %u-%u rate %u-%u buffer %u-%u period %u-%u formats",
	       node, ci->min, ci->max, ri->min, ri->max, bi->min, bi->max,
	       ival(&space, SNDRV_PCM_HW_PARAM_PERIOD_SIZE)->min,
	       ival(&space, SNDRV_PCM_HW_PARAM_PERIOD_SIZE)->max);
	for (fmt = 0; fmt <= SNDRV_PCM_FORMAT_LAST; fmt++)
		if (has_bit(&space, SNDRV_PCM_HW_PARAM_FORMAT, fmt))
			printf(" %u", fmt);
	printf("\n");

	memset(&r, 0, sizeof(r));
	r.access = acc;
	for (i = 0; i < sizeof(real_formats) / sizeof(real_formats[0]); i++)
		if (lacking == ~0U &&
		    !has_bit(&space, SNDRV_PCM_HW_PARAM_FORMAT, real_formats[i]))
			lacking = real_formats[i];
	for (fmt = 0; fmt <= SNDRV_PCM_FORMAT_LAST; fmt++) {
		if (!has_bit(&space, SNDRV_PCM_HW_PARAM_FORMAT, fmt))
			continue;
		if (first == ~0U)
			first = fmt;
		last = fmt;
		r.format = fmt;
		for (ch = ci->min; ch <= ci->max && ch <= 32; ch++) {
			r.channels = ch;
			for (k = 0; k < nrates; k++) {
				r.rate = rates[k];
				r.period_set = 0;
				/* the smallest, a middle and the largest buffer */
				r.buffer = bi->min;
				try_req(&r, -1);
				r.buffer = (bi->min + bi->max) / 2;
				try_req(&r, -1);
				r.buffer = bi->max;
				try_req(&r, -1);
				/* whatever buffer (HW_REFINE says if it is offered) */
				r.buffer = 0;
				try_req(&r, -1);
			}
		}
	}
	/* every buffer and period size: first and last combination */
	for (k = 0; k < 2; k++) {
		struct snd_pcm_hw_params sub;

		r.format = k ? last : first;
		r.channels = k ? ci->max : ci->min;
		r.buffer = 0;
		r.period_set = 0;
		/* the highest (lowest) rate of the list that it can do */
		for (j = 0; j < nrates; j++) {
			r.rate = rates[k ? j : nrates - 1 - j];
			req_fill(&sub, &r);
			if (ioctl(pcm_fd, SNDRV_PCM_IOCTL_HW_REFINE, &sub) == 0)
				break;
		}
		if (j < nrates)
			sweep_sizes(r, &sub);
		else
			bad(&r, "no rate for the size sweep", errno);
	}
	/* impossible combinations */
	for (fmt = 0; fmt <= SNDRV_PCM_FORMAT_LAST; fmt++)
		if (has_bit(&space, SNDRV_PCM_HW_PARAM_FORMAT, fmt))
			break;
	r.format = fmt;
	r.channels = ci->min;
	r.rate = ri->min;
	r.buffer = 0;
	r.period_set = 0;
	if (ci->max < 256) {
		r.channels = ci->max + 1;
		try_req(&r, 0);
		r.channels = ci->min;
	}
	if (ri->min > 1) {
		r.rate = ri->min - 1;
		try_req(&r, 0);
	}
	if (ri->max < 1000000) {
		r.rate = ri->max + 1;
		try_req(&r, 0);
	}
	r.rate = ri->min;
	if (lacking != ~0U) {
		r.format = lacking;
		try_req(&r, 0);
	}
	close(pcm_fd);
	printf("hwparams %s runs=%ld ok=%ld einval=%ld failures=%ld\n", node, runs,
	       oks, einvals, failures);
	return failures ? 1 : 0;
}

/* ---- xrun ------------------------------------------------------------------ */

#define PERIOD	1024
#define PERIODS	16

static int fail_msg(const char *what, int err)
{
	printf("FAILED %s: %s\n", what, strerror(err));
	return 1;
}

static int setup(int fd, unsigned int rate, int playback)
{
	struct snd_pcm_hw_params hw;
	struct snd_pcm_sw_params sw;

	any(&hw);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_ACCESS, SNDRV_PCM_ACCESS_RW_INTERLEAVED);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_FORMAT, SNDRV_PCM_FORMAT_S16_LE);
	set_mask(&hw, SNDRV_PCM_HW_PARAM_SUBFORMAT, SNDRV_PCM_SUBFORMAT_STD);
	set_int(&hw, SNDRV_PCM_HW_PARAM_CHANNELS, 2);
	set_int(&hw, SNDRV_PCM_HW_PARAM_RATE, rate);
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, PERIOD);
	set_int(&hw, SNDRV_PCM_HW_PARAM_PERIODS, PERIODS);
	if (ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &hw) < 0)
		return fail_msg("HW_PARAMS", errno);
	memset(&sw, 0, sizeof(sw));
	sw.tstamp_mode = SNDRV_PCM_TSTAMP_NONE;
	sw.period_step = 1;
	sw.avail_min = PERIOD;
	sw.start_threshold = playback ? PERIOD * PERIODS : 1;
	sw.stop_threshold = PERIOD * PERIODS;
	if (ioctl(fd, SNDRV_PCM_IOCTL_SW_PARAMS, &sw) < 0)
		return fail_msg("SW_PARAMS", errno);
	if (playback) {
		/* silence behind the written data: a stale period is zeros */
		sw.silence_threshold = 0;
		sw.silence_size = sw.boundary;
		if (ioctl(fd, SNDRV_PCM_IOCTL_SW_PARAMS, &sw) < 0)
			return fail_msg("SW_PARAMS silence", errno);
	}
	if (ioctl(fd, SNDRV_PCM_IOCTL_PREPARE) < 0)
		return fail_msg("PREPARE", errno);
	return 0;
}

static int pcm_state(int fd)
{
	struct snd_pcm_status st;

	memset(&st, 0, sizeof(st));
	if (ioctl(fd, SNDRV_PCM_IOCTL_STATUS, &st) < 0)
		return -errno;
	return st.state;
}

/* wait up to ms for state XRUN; prints and returns the time it took or -1 */
static long wait_xrun(int fd, long ms)
{
	long t0 = now_ms();

	while (now_ms() - t0 < ms) {
		if (pcm_state(fd) == SNDRV_PCM_STATE_XRUN)
			return now_ms() - t0;
		msleep(10);
	}
	return -1;
}

static int xrun_play(const char *node, const char *file, long stop_at, long stall)
{
	unsigned char hdr[44];
	int16_t buf[PERIOD * 2];
	long done = 0, t;
	unsigned int rate;
	int fd, wav, stalled = 0, st;
	ssize_t got;

	wav = open(file, O_RDONLY);
	if (wav < 0 || read(wav, hdr, sizeof(hdr)) != sizeof(hdr))
		return fail_msg(file, errno);
	rate = hdr[24] | hdr[25] << 8 | hdr[26] << 16 | (unsigned int)hdr[27] << 24;
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail_msg(node, errno);
	if (setup(fd, rate, 1))
		return 1;
	while ((got = read(wav, buf, sizeof(buf))) > 0) {
		struct snd_xferi x = { .buf = buf, .frames = got / 4 };

		if (ioctl(fd, SNDRV_PCM_IOCTL_WRITEI_FRAMES, &x) < 0 ||
		    x.result != got / 4) {
			printf("FAILED an underrun while writing (frame %ld, state %d)\n",
			       done, pcm_state(fd));
			return 1;
		}
		done += x.result;
		if (stalled || done < stop_at)
			continue;
		stalled = 1;
		printf("stopped writing at frame %ld\n", done);
		t = wait_xrun(fd, stall);
		if (t < 0) {
			printf("FAILED no XRUN state within %ld ms (state %d)\n",
			       stall, pcm_state(fd));
			return 1;
		}
		printf("state XRUN after %ld ms\n", t);
		msleep(stall - t > 0 ? stall - t : 0);
		st = pcm_state(fd);
		if (st != SNDRV_PCM_STATE_XRUN) {
			printf("FAILED state %d after the stall, not XRUN\n", st);
			return 1;
		}
		{
			struct snd_xferi y = { .buf = buf, .frames = PERIOD };

			if (ioctl(fd, SNDRV_PCM_IOCTL_WRITEI_FRAMES, &y) == 0 ||
			    errno != EPIPE) {
				printf("FAILED a write in XRUN state did not fail with EPIPE\n");
				return 1;
			}
		}
		printf("write in XRUN: EPIPE\n");
		if (ioctl(fd, SNDRV_PCM_IOCTL_PREPARE) < 0)
			return fail_msg("PREPARE after XRUN", errno);
		printf("prepared again at frame %ld\n", done);
		fflush(stdout);
	}
	if (ioctl(fd, SNDRV_PCM_IOCTL_DRAIN) < 0)
		return fail_msg("DRAIN", errno);
	printf("played %ld frames\n", done);
	close(fd);
	return stalled ? 0 : 1;
}

static int read_frames(int fd, int16_t *buf, long frames)
{
	while (frames > 0) {
		struct snd_xferi x = { .buf = buf, .frames = PERIOD };

		if (ioctl(fd, SNDRV_PCM_IOCTL_READI_FRAMES, &x) < 0)
			return -errno;
		frames -= x.result;
	}
	return 0;
}

static int xrun_capture(const char *node, unsigned int rate, long stall)
{
	int16_t buf[PERIOD * 2];
	int fd, err, st;
	long t;

	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail_msg(node, errno);
	if (setup(fd, rate, 0))
		return 1;
	if (ioctl(fd, SNDRV_PCM_IOCTL_START) < 0)
		return fail_msg("START", errno);
	err = read_frames(fd, buf, rate / 2);
	if (err)
		return fail_msg("READI_FRAMES before the stall", -err);
	printf("read %u frames, stopped reading\n", rate / 2);
	t = wait_xrun(fd, stall);
	if (t < 0) {
		printf("FAILED no XRUN state within %ld ms (state %d)\n", stall,
		       pcm_state(fd));
		return 1;
	}
	printf("state XRUN after %ld ms\n", t);
	st = pcm_state(fd);
	err = read_frames(fd, buf, PERIOD);
	if (st != SNDRV_PCM_STATE_XRUN || err != -EPIPE) {
		printf("FAILED read in XRUN (state %d): %s, not EPIPE\n", st,
		       strerror(-err));
		return 1;
	}
	printf("read in XRUN: EPIPE\n");
	if (ioctl(fd, SNDRV_PCM_IOCTL_PREPARE) < 0)
		return fail_msg("PREPARE after XRUN", errno);
	if (ioctl(fd, SNDRV_PCM_IOCTL_START) < 0)
		return fail_msg("START after XRUN", errno);
	err = read_frames(fd, buf, rate / 2);
	if (err)
		return fail_msg("READI_FRAMES after recovery", -err);
	printf("read %u frames after recovery\n", rate / 2);
	if (ioctl(fd, SNDRV_PCM_IOCTL_DROP) < 0)
		return fail_msg("DROP", errno);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "openclose"))
		return openclose(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "hwparams"))
		return hwparams(argv[2]);
	if (argc == 6 && !strcmp(argv[1], "xrun-play"))
		return xrun_play(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "xrun-capture"))
		return xrun_capture(argv[2], atoi(argv[3]), atol(argv[4]));
	fprintf(stderr, "usage: pcm-stress openclose NODE COUNT\n"
		"       pcm-stress hwparams NODE\n"
		"       pcm-stress xrun-play NODE FILE.wav STOP_AT_FRAME STALL_MS\n"
		"       pcm-stress xrun-capture NODE RATE STALL_MS\n");
	return 2;
}
