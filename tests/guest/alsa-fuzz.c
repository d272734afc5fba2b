// SPDX-License-Identifier: GPL-2.0
/*
 * alsa-fuzz - throw seeded random sequences of raw PCM and control ioctls
 * at ALSA device nodes (no alsa-lib), for the snd-omnibus reliability tests.
 *
 *   alsa-fuzz [-v] [-j JOBS] SEED ITERATIONS DEVICE...
 *
 * DEVICE is a /dev/snd/pcmC*D*[pc], /dev/snd/controlC* or /dev/snd/hwC*D*
 * node (a hwdep node: the ioctls of every hwdep device and those of the
 * OPL2/OPL3 FM one, SNDRV_DM_FM_IOCTL_* and the OSS numbers, with random
 * arguments, random ioctl numbers of its 'H' range, and writes of SBI
 * instruments, well-formed or not, which is what an OPL3's takes).  Each
 * iteration picks one device and one operation and its arguments from a
 * PRNG seeded with (SEED, iteration number) alone, so the same SEED gives
 * the same sequence of operations, and iteration N can be told from the
 * trace.  Operations are well-formed (a valid hw_params found by refining,
 * sane sw_params, writes of whole frames) or malformed (random masks and
 * intervals, empty or inverted or huge ones, random sw_params fields,
 * bad pointers, out-of-range control values, bad numids, huge TLV
 * lengths, mmap at random offsets and sizes, ...).
 *
 * Every PCM node is opened non-blocking (DRAIN, READI, WRITEI return
 * EAGAIN rather than wait).  A watchdog (alarm) makes any operation that
 * takes longer than WATCHDOG_S seconds a failure: the program prints which
 * operation of which iteration blocked and exits with status 3.  -v
 * traces every operation on stderr before it is made (unbuffered).
 * -j JOBS runs JOBS processes at once, worker k with seed SEED + k: each
 * sequence is reproducible, their interleaving (the races) is not.
 *
 * One conformance check rides along: after a control write that the
 * kernel accepted, the control (unless it is a user control, which stores
 * anything) must read back within the range its ELEM_INFO gives; a value
 * outside is printed as a VIOLATION.
 *
 * Exit status: 0 when all iterations ran (errors returned by the kernel
 * are expected and counted, not failures), 2 usage, 3 watchdog, 4 the
 * program itself was killed by an unexpected signal, 5 all iterations ran
 * but a control held a value outside its range.
 *
 * Built static on the host: gcc -static -O2 -o alsa-fuzz alsa-fuzz.c
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sound/asound.h>
#include <sound/asound_fm.h>
#include <sound/tlv.h>

#define WATCHDOG_S	10
#define MAX_DEVS	32
#define SLOTS		2	/* open files per device */
#define MAX_MAPS	4	/* mappings per open file */
#define BIG		(4 << 20)
#define PAGE		4096UL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- PRNG: splitmix64 ---------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)	/* 0 .. n-1 */
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int chance(int percent)
{
	return rnd(100) < (uint32_t)percent;
}

/* an "interesting" 32-bit value: small, boundary, huge or random */
static uint32_t rnd_u32(void)
{
	static const uint32_t edge[] = {
		0, 1, 2, 3, 4, 7, 8, 63, 64, 255, 256, 4095, 4096, 8000, 44100,
		48000, 65535, 65536, 0x7fffffff, 0x80000000, 0xfffffffe,
		0xffffffff,
	};

	switch (rnd(4)) {
	case 0:
		return edge[rnd(ARRAY_SIZE(edge))];
	case 1:
		return rnd(64);
	case 2:
		return 1U << rnd(32);
	default:
		return (uint32_t)rnd64();
	}
}

static long rnd_long(void)
{
	switch (rnd(5)) {
	case 0:
		return (long)rnd64();
	case 1:
		return -(long)rnd(4);
	case 2:
		return 0x7fffffffffffffffL - rnd(2);
	default:
		return (long)rnd_u32();
	}
}

/* ---- bookkeeping ----------------------------------------------------------- */

struct map {
	void *addr;
	size_t len;
	int prot;
};

struct slot {
	int fd;
	unsigned int frame_bytes;	/* of the last successful hw_params */
	unsigned long buffer_frames;
	unsigned int rate;
	int rw_access;		/* RW_INTERLEAVED was chosen */
	int linked;		/* LINK succeeded since the open */
	struct map maps[MAX_MAPS];
};

struct dev {
	const char *path;
	int is_ctl;
	int is_hwdep;
	struct slot slot[SLOTS];
};

static struct dev devs[MAX_DEVS];
static int ndevs;
static int verbose;
static char me[24] = "alsa-fuzz";	/* alsa-fuzz[N] in worker N of -j */
static unsigned long long seed;
static long iter;
static const char *cur_op = "start";

/* user memory: a big buffer, a read-only page, a hole, a guard page */
static unsigned char *big;	/* BIG bytes, followed by a PROT_NONE page */
static unsigned char *rdonly;	/* one read-only page */
static unsigned char *guard;	/* the PROT_NONE page after big */

static unsigned long violations;

static sigjmp_buf touch_jmp;
static volatile sig_atomic_t touching;
static unsigned long faults;

struct stat_op {
	const char *name;
	unsigned long calls, ok;
};

#define N_STATS 96
static struct stat_op stats[N_STATS];

static void count(const char *name, int ok)
{
	int i;

	for (i = 0; i < N_STATS && stats[i].name; i++)
		if (!strcmp(stats[i].name, name))
			break;
	if (i == N_STATS)
		return;
	stats[i].name = name;
	stats[i].calls++;
	if (ok)
		stats[i].ok++;
}

static void trace(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (!verbose)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(2, line, n) < 0)
		return;
}

/* ioctl with accounting; returns the ioctl's result, errno kept */
static int xioctl(int fd, const char *name, unsigned long req, void *arg)
{
	int r, e;

	cur_op = name;
	r = ioctl(fd, req, arg);
	e = errno;
	count(name, r >= 0);
	if (verbose)
		trace("  -> %s = %d%s%s", name, r, r < 0 ? " " : "",
		      r < 0 ? strerror(e) : "");
	errno = e;
	return r;
}

static void on_alarm(int sig)
{
	char msg[200];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg),
		     "%s: WATCHDOG: seed %llu iteration %ld: %s blocked for more than %d s\n",
		     me, seed, iter, cur_op, WATCHDOG_S);
	if (write(1, msg, n) < 0 || write(2, msg, n) < 0)
		_exit(3);
	_exit(3);
}

static void on_fault(int sig)
{
	char msg[200];
	int n;

	if (touching) {
		faults++;
		siglongjmp(touch_jmp, 1);
	}
	n = snprintf(msg, sizeof(msg),
		     "%s: signal %d: seed %llu iteration %ld during %s\n",
		     me, sig, seed, iter, cur_op);
	if (write(1, msg, n) < 0 || write(2, msg, n) < 0)
		_exit(4);
	_exit(4);
}

/* ---- user pointers: good, and bad in several ways ------------------------- */

/*
 * A buffer for the kernel to read from or write into.  bytes is how much
 * the kernel may touch; a bad pointer is chosen 1 time in "bad_pct".
 */
static void *user_ptr(size_t bytes, int bad_pct)
{
	if (chance(bad_pct)) {
		switch (rnd(6)) {
		case 0:
			return NULL;
		case 1:
			return (void *)1;
		case 2:
			return guard;
		case 3:
			return rdonly;
		case 4:
			return (void *)0xffff888000000000UL;	/* kernel */
		default:
			/* runs into the guard page */
			return guard - rnd(PAGE) - 1;
		}
	}
	if (bytes >= BIG)
		return big;
	return big + rnd(BIG - bytes + 1);
}

/* ---- PCM hw_params ---------------------------------------------------------- */

#define N_MASKS (SNDRV_PCM_HW_PARAM_LAST_MASK - SNDRV_PCM_HW_PARAM_FIRST_MASK + 1)
#define N_IVALS (SNDRV_PCM_HW_PARAM_LAST_INTERVAL - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL + 1)

static struct snd_mask *hw_mask(struct snd_pcm_hw_params *p, int n)
{
	return &p->masks[n - SNDRV_PCM_HW_PARAM_FIRST_MASK];
}

static struct snd_interval *hw_ival(struct snd_pcm_hw_params *p, int n)
{
	return &p->intervals[n - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];
}

static void hw_any(struct snd_pcm_hw_params *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < N_MASKS; i++)
		memset(&p->masks[i], 0xff, sizeof(p->masks[i]));
	for (i = 0; i < N_IVALS; i++) {
		p->intervals[i].min = 0;
		p->intervals[i].max = ~0U;
	}
	p->rmask = ~0U;
}

static void hw_random(struct snd_pcm_hw_params *p)
{
	struct snd_interval *v;
	unsigned int w;
	int i;

	hw_any(p);
	for (i = 0; i < N_MASKS; i++) {
		if (chance(40))
			continue;
		for (w = 0; w < sizeof(p->masks[i].bits) / 4; w++) {
			switch (rnd(4)) {
			case 0:
				p->masks[i].bits[w] = 0;
				break;
			case 1:
				p->masks[i].bits[w] = 1U << rnd(32);
				break;
			case 2:
				p->masks[i].bits[w] = (uint32_t)rnd64();
				break;
			default:
				break;
			}
		}
	}
	for (i = 0; i < N_IVALS; i++) {
		if (chance(40))
			continue;
		v = &p->intervals[i];
		v->min = rnd_u32();
		v->max = chance(20) ? v->min : rnd_u32();	/* may be < min */
		v->openmin = chance(20);
		v->openmax = chance(20);
		v->integer = chance(30);
		v->empty = chance(5);
	}
	p->rmask = chance(70) ? ~0U : rnd_u32();
	p->cmask = rnd_u32();
	p->flags = chance(70) ? 0 : rnd(8) | (chance(10) ? rnd_u32() : 0);
	p->info = rnd_u32();
	p->msbits = rnd_u32();
	p->rate_num = rnd_u32();
	p->rate_den = rnd_u32();
	p->fifo_size = rnd_u32();
}

/* a random set bit of a mask, -1 if none */
static int mask_pick(const struct snd_mask *m)
{
	int bits[256], n = 0, i;

	for (i = 0; i < 256; i++)
		if (m->bits[i >> 5] & (1U << (i & 31)))
			bits[n++] = i;
	return n ? bits[rnd(n)] : -1;
}

static unsigned int ival_pick(const struct snd_interval *v)
{
	unsigned int lo = v->min + v->openmin, hi = v->max - v->openmax;
	unsigned int span;

	if (hi <= lo)
		return lo;
	if (chance(30))
		return lo;
	if (chance(10))
		return hi;
	span = hi - lo;
	/* log-uniform: small values are as likely as large ones */
	if (span > 64 && chance(70))
		span = 1U << rnd(32 - __builtin_clz(span));
	return lo + rnd(span + 1 > span ? span + 1 : span);
}

/*
 * A valid configuration: refine "anything", then fix the parameters one
 * by one at random values inside what the driver offers, refining after
 * each; a choice that the refine refuses falls back to the minimum.
 */
static int hw_good(int fd, struct snd_pcm_hw_params *p)
{
	static const int order[] = {
		SNDRV_PCM_HW_PARAM_ACCESS, SNDRV_PCM_HW_PARAM_FORMAT,
		SNDRV_PCM_HW_PARAM_SUBFORMAT, SNDRV_PCM_HW_PARAM_CHANNELS,
		SNDRV_PCM_HW_PARAM_RATE, SNDRV_PCM_HW_PARAM_PERIOD_SIZE,
		SNDRV_PCM_HW_PARAM_PERIODS,
	};
	struct snd_pcm_hw_params save;
	unsigned int i, v;
	int n, bit;

	hw_any(p);
	if (xioctl(fd, "HW_REFINE(any)", SNDRV_PCM_IOCTL_HW_REFINE, p) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		n = order[i];
		save = *p;
		if (n <= SNDRV_PCM_HW_PARAM_LAST_MASK) {
			struct snd_mask *m = hw_mask(p, n);

			bit = mask_pick(m);
			if (bit < 0)
				return -1;
			/* mostly read/write, which WRITEI/READI can use */
			if (n == SNDRV_PCM_HW_PARAM_ACCESS && chance(60) &&
			    (m->bits[0] & (1U << SNDRV_PCM_ACCESS_RW_INTERLEAVED)))
				bit = SNDRV_PCM_ACCESS_RW_INTERLEAVED;
			memset(m, 0, sizeof(*m));
			m->bits[bit >> 5] = 1U << (bit & 31);
		} else {
			struct snd_interval *iv = hw_ival(p, n);

			v = ival_pick(iv);
			iv->min = v;
			iv->max = v;
			iv->openmin = 0;
			iv->openmax = 0;
			iv->integer = 1;
		}
		p->rmask = ~0U;
		if (xioctl(fd, "HW_REFINE(step)", SNDRV_PCM_IOCTL_HW_REFINE, p) < 0) {
			*p = save;
			if (n > SNDRV_PCM_HW_PARAM_LAST_MASK) {
				struct snd_interval *iv = hw_ival(p, n);

				iv->max = iv->min + iv->openmin;
				iv->min = iv->max;
				iv->openmin = 0;
				iv->openmax = 0;
			}
			p->rmask = ~0U;
			if (xioctl(fd, "HW_REFINE(step)", SNDRV_PCM_IOCTL_HW_REFINE, p) < 0)
				*p = save;
		}
	}
	p->rmask = ~0U;
	return xioctl(fd, "HW_PARAMS(good)", SNDRV_PCM_IOCTL_HW_PARAMS, p);
}

static void hw_done(struct slot *s, struct snd_pcm_hw_params *p)
{
	s->frame_bytes = hw_ival(p, SNDRV_PCM_HW_PARAM_FRAME_BITS)->min / 8;
	s->buffer_frames = hw_ival(p, SNDRV_PCM_HW_PARAM_BUFFER_SIZE)->min;
	s->rate = hw_ival(p, SNDRV_PCM_HW_PARAM_RATE)->min;
	s->rw_access = hw_mask(p, SNDRV_PCM_HW_PARAM_ACCESS)->bits[0] ==
		1U << SNDRV_PCM_ACCESS_RW_INTERLEAVED;
	if (!s->frame_bytes || s->frame_bytes > 1024)
		s->frame_bytes = 0;
}

/* ---- PCM operations ---------------------------------------------------------- */

static void pcm_unmap_all(struct slot *s)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		if (s->maps[i].addr) {
			munmap(s->maps[i].addr, s->maps[i].len);
			s->maps[i].addr = NULL;
		}
	}
}

static void slot_close(struct slot *s)
{
	pcm_unmap_all(s);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->frame_bytes = 0;
	s->buffer_frames = 0;
	s->rate = 0;
	s->rw_access = 0;
	s->linked = 0;
}

static void touch_maps(struct slot *s)
{
	volatile unsigned char sink = 0;
	size_t off;
	int i;

	for (i = 0; i < MAX_MAPS; i++) {
		struct map *m = &s->maps[i];

		if (!m->addr)
			continue;
		cur_op = "touch mmap";
		touching = 1;
		if (!sigsetjmp(touch_jmp, 1)) {
			for (off = 0; off < m->len; off += PAGE) {
				sink += ((volatile unsigned char *)m->addr)[off];
				if ((m->prot & PROT_WRITE) && chance(50))
					((volatile unsigned char *)m->addr)[off] =
						(unsigned char)rnd64();
			}
			/* the whole first page: a status or control area */
			if (m->prot & PROT_WRITE && chance(30))
				for (off = 0; off < PAGE && off < m->len; off += 8)
					*(volatile uint64_t *)((char *)m->addr + off) =
						chance(50) ? rnd64() : rnd_u32();
			count("touch mmap", 1);
		} else {
			count("touch mmap", 0);
		}
		touching = 0;
	}
	(void)sink;
}

static void pcm_mmap(struct slot *s)
{
	static const unsigned long offs[] = {
		SNDRV_PCM_MMAP_OFFSET_DATA, SNDRV_PCM_MMAP_OFFSET_STATUS_OLD,
		SNDRV_PCM_MMAP_OFFSET_CONTROL_OLD,
		SNDRV_PCM_MMAP_OFFSET_STATUS_NEW,
		SNDRV_PCM_MMAP_OFFSET_CONTROL_NEW,
	};
	unsigned long off = offs[rnd(5)];
	size_t len = PAGE;
	int prot, i;
	void *a;

	for (i = 0; i < MAX_MAPS && s->maps[i].addr; i++)
		;
	if (i == MAX_MAPS) {
		i = rnd(MAX_MAPS);
		munmap(s->maps[i].addr, s->maps[i].len);
		s->maps[i].addr = NULL;
	}
	if (off == SNDRV_PCM_MMAP_OFFSET_DATA) {
		len = s->buffer_frames * s->frame_bytes;
		if (!len || chance(30))
			len = (rnd(64) + 1) * PAGE;
		if (chance(20))
			off = rnd(16) * PAGE;
		len = (len + PAGE - 1) & ~(PAGE - 1);
		if (chance(10))
			len += PAGE;	/* past the end of the buffer */
	} else if (chance(15)) {
		len = (rnd(3) + 1) * PAGE;
		if (chance(50))
			off += rnd(4) * PAGE;
	}
	if (chance(5))
		off = (unsigned long)rnd_u32() & ~(PAGE - 1);
	switch (rnd(4)) {
	case 0:
		prot = PROT_READ;
		break;
	case 1:
		prot = PROT_WRITE;
		break;
	default:
		prot = PROT_READ | PROT_WRITE;
		break;
	}
	trace("  mmap off 0x%lx len %zu prot %d", off, len, prot);
	cur_op = "mmap";
	a = mmap(NULL, len, prot, chance(90) ? MAP_SHARED : MAP_PRIVATE,
		 s->fd, off);
	count("mmap", a != MAP_FAILED);
	if (a == MAP_FAILED)
		return;
	s->maps[i].addr = a;
	s->maps[i].len = len;
	s->maps[i].prot = prot;
	if (chance(70))
		touch_maps(s);
}

static void pcm_xfer(struct slot *s, int write_dir, int noninterleaved)
{
	unsigned long frames, maxf;
	unsigned int fb = s->frame_bytes ? s->frame_bytes : 128;
	void *bufs[64];
	int i, nch;

	maxf = BIG / fb / (noninterleaved ? 64 : 1);
	switch (rnd(4)) {
	case 0:
		frames = rnd(64);
		break;
	case 1:
		frames = s->buffer_frames ? rnd(s->buffer_frames + 2) : rnd(4096);
		break;
	case 2:
		frames = rnd(maxf + 1);
		break;
	default:
		frames = chance(50) ? rnd64() : 0x7fffffffUL + rnd(3);
		break;
	}
	if (!noninterleaved) {
		struct snd_xferi x;

		x.result = 0;
		x.frames = frames;
		/* a huge count is only safe with a pointer that faults early */
		x.buf = user_ptr(frames <= maxf ? frames * fb : BIG,
				 frames <= maxf ? 10 : 100);
		/*
		 * A NULL buffer writes silence, which never faults: with
		 * appl_ptr moved far from hw_ptr (SYNC_PTR, the mmapped
		 * control) the ALSA core's avail is up to the boundary and a
		 * huge count keeps __snd_pcm_lib_xfer() filling silence in
		 * the kernel for minutes (a soft lockup on 6.1, seed 6002 on
		 * the ES1370; the loop is the core's, whatever the driver).
		 * Keep those counts to 4 buffers.
		 */
		if (!x.buf && write_dir && frames > 4 * (s->buffer_frames ? : 4096))
			x.frames = frames = rnd(4 * (s->buffer_frames ? : 4096));
		trace("  xferi frames %lu buf %p", frames, x.buf);
		if (write_dir)
			xioctl(s->fd, "WRITEI", SNDRV_PCM_IOCTL_WRITEI_FRAMES, &x);
		else
			xioctl(s->fd, "READI", SNDRV_PCM_IOCTL_READI_FRAMES, &x);
		return;
	}
	{
		struct snd_xfern x;
		unsigned long sb = s->frame_bytes ? s->frame_bytes : 4;

		nch = rnd(65);
		if (frames > maxf)
			frames = maxf;
		for (i = 0; i < 64; i++)
			bufs[i] = user_ptr(frames * sb, 5);
		x.result = 0;
		x.frames = frames;
		x.bufs = chance(90) ? bufs : user_ptr(0, 100);
		trace("  xfern frames %lu channels-given %d", frames, nch);
		if (write_dir)
			xioctl(s->fd, "WRITEN", SNDRV_PCM_IOCTL_WRITEN_FRAMES, &x);
		else
			xioctl(s->fd, "READN", SNDRV_PCM_IOCTL_READN_FRAMES, &x);
	}
}

static void sw_random(struct slot *s, struct snd_pcm_sw_params *sw, int sane)
{
	unsigned long bf = s->buffer_frames ? s->buffer_frames : 4096;

	memset(sw, 0, sizeof(*sw));
	if (sane) {
		sw->tstamp_mode = rnd(2);
		sw->period_step = 1;
		sw->avail_min = 1 + rnd(bf);
		sw->start_threshold = chance(20) ? ~0UL >> 1 : 1 + rnd(bf);
		sw->stop_threshold = chance(20) ? ~0UL >> 1 : bf;
		sw->silence_threshold = chance(80) ? 0 : rnd(bf);
		sw->silence_size = chance(80) ? 0 : rnd(bf);
		sw->boundary = bf;
		while (sw->boundary * 2 <= (~0UL >> 1) - bf)
			sw->boundary *= 2;
		sw->proto = SNDRV_PCM_VERSION;
		sw->tstamp_type = rnd(3);
		return;
	}
	sw->tstamp_mode = (int)rnd_u32();
	sw->period_step = rnd_u32();
	sw->sleep_min = rnd_u32();
	sw->avail_min = rnd_long();
	sw->xfer_align = rnd_long();
	sw->start_threshold = rnd_long();
	sw->stop_threshold = rnd_long();
	sw->silence_threshold = rnd_long();
	sw->silence_size = rnd_long();
	sw->boundary = rnd_long();
	sw->proto = chance(50) ? SNDRV_PCM_VERSION : rnd_u32();
	sw->tstamp_type = rnd_u32();
	if (chance(10))
		sw->reserved[rnd(sizeof(sw->reserved))] = (unsigned char)rnd64();
}

static struct slot *other_pcm_slot(void)
{
	int d = rnd(ndevs), k = rnd(SLOTS);

	if (devs[d].is_ctl || devs[d].is_hwdep || devs[d].slot[k].fd < 0)
		return NULL;
	return &devs[d].slot[k];
}

/*
 * Slot 0 mostly; a second open of the same node now and then (EBUSY for
 * a single substream unless the first one is closed, which is done too).
 */
static struct slot *pick_slot(struct dev *d)
{
	return &d->slot[chance(85) ? 0 : 1];
}

static int slot_open(struct dev *d, struct slot *s)
{
	struct slot *other = &d->slot[s == &d->slot[0] ? 1 : 0];

	slot_close(s);
	cur_op = "open";
	s->fd = open(d->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	count(d->is_ctl ? "open control" : d->is_hwdep ? "open hwdep" : "open pcm",
	      s->fd >= 0);
	trace("  open %s = %d", d->path, s->fd);
	if (s->fd < 0 && other->fd >= 0 && chance(30)) {
		slot_close(other);
		count(d->is_ctl ? "close control" : d->is_hwdep ? "close hwdep" : "close pcm",
		      1);
	}
	return s->fd;
}

/*
 * A blocking DRAIN waits for the buffer to play out: only when that is
 * known to be short and no other stream (of another card, maybe) is
 * linked to this one.
 */
static void pcm_drain(struct slot *s)
{
	int fl;

	if (!s->rate || s->linked || s->buffer_frames > 2 * s->rate ||
	    chance(50)) {
		xioctl(s->fd, "DRAIN", SNDRV_PCM_IOCTL_DRAIN, NULL);
		return;
	}
	fl = fcntl(s->fd, F_GETFL);
	fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
	xioctl(s->fd, "DRAIN(blocking)", SNDRV_PCM_IOCTL_DRAIN, NULL);
	fcntl(s->fd, F_SETFL, fl);
}

/* a well-formed stream: data for a part of the buffer, then START */
static void pcm_stream(struct slot *s, int playback)
{
	struct snd_xferi x;

	if (!s->rw_access || !s->frame_bytes || !s->buffer_frames)
		return;
	x.result = 0;
	x.frames = 1 + rnd(s->buffer_frames);
	x.buf = user_ptr(x.frames * s->frame_bytes, 0);
	if (playback)
		xioctl(s->fd, "WRITEI(stream)", SNDRV_PCM_IOCTL_WRITEI_FRAMES, &x);
	if (chance(80))
		xioctl(s->fd, "START", SNDRV_PCM_IOCTL_START, NULL);
	if (!playback && chance(50)) {
		x.frames = 1 + rnd(s->buffer_frames);
		xioctl(s->fd, "READI(stream)", SNDRV_PCM_IOCTL_READI_FRAMES, &x);
	}
}

static void pcm_op(struct dev *d)
{
	struct slot *s = pick_slot(d), *o;
	struct snd_pcm_hw_params hw;
	struct snd_pcm_sw_params sw;
	struct snd_pcm_status st;
	struct snd_pcm_sync_ptr sp;
	struct snd_pcm_channel_info ci;
	struct snd_pcm_info info;
	struct pollfd pfd;
	snd_pcm_sframes_t delay;
	unsigned long frames;
	int arg, op, r;

	if (s->fd < 0 || chance(2)) {
		if (slot_open(d, s) < 0)
			return;
		if (chance(50)) {
			arg = chance(80) ? SNDRV_PCM_VERSION : (int)rnd_u32();
			xioctl(s->fd, "USER_PVERSION", SNDRV_PCM_IOCTL_USER_PVERSION, &arg);
		}
	}

	op = rnd(41);
	trace("  pcm op %d", op);
	switch (op) {
	case 0: case 1: case 2: case 3: case 4:
		r = hw_good(s->fd, &hw);
		if (r >= 0)
			hw_done(s, &hw);
		if (r >= 0 && chance(70)) {
			sw_random(s, &sw, 1);
			xioctl(s->fd, "SW_PARAMS(sane)", SNDRV_PCM_IOCTL_SW_PARAMS, &sw);
		}
		if (r >= 0 && chance(60) &&
		    xioctl(s->fd, "PREPARE", SNDRV_PCM_IOCTL_PREPARE, NULL) >= 0 &&
		    chance(60))
			pcm_stream(s, d->path[strlen(d->path) - 1] == 'p');
		break;
	case 5: case 6: case 7:
		hw_random(&hw);
		xioctl(s->fd, "HW_REFINE(random)", SNDRV_PCM_IOCTL_HW_REFINE, &hw);
		break;
	case 8: case 9:
		hw_random(&hw);
		if (xioctl(s->fd, "HW_PARAMS(random)", SNDRV_PCM_IOCTL_HW_PARAMS, &hw) >= 0)
			hw_done(s, &hw);
		break;
	case 10:
		xioctl(s->fd, "HW_REFINE(badptr)", SNDRV_PCM_IOCTL_HW_REFINE,
		       user_ptr(0, 100));
		break;
	case 11:
		if (xioctl(s->fd, "HW_FREE", SNDRV_PCM_IOCTL_HW_FREE, NULL) >= 0) {
			s->frame_bytes = 0;
			s->buffer_frames = 0;
		}
		break;
	case 12:
		sw_random(s, &sw, 0);
		xioctl(s->fd, "SW_PARAMS(random)", SNDRV_PCM_IOCTL_SW_PARAMS, &sw);
		break;
	case 13: case 14:
		xioctl(s->fd, "PREPARE", SNDRV_PCM_IOCTL_PREPARE, NULL);
		break;
	case 15: case 16:
		xioctl(s->fd, "START", SNDRV_PCM_IOCTL_START, NULL);
		break;
	case 17:
		xioctl(s->fd, "DROP", SNDRV_PCM_IOCTL_DROP, NULL);
		break;
	case 18:
		pcm_drain(s);
		break;
	case 19:
		arg = chance(90) ? (int)rnd(2) : (int)rnd_u32();
		xioctl(s->fd, "PAUSE", SNDRV_PCM_IOCTL_PAUSE, (void *)(long)arg);
		break;
	case 20:
		xioctl(s->fd, "RESET", SNDRV_PCM_IOCTL_RESET, NULL);
		break;
	case 21:
		if (chance(50))
			xioctl(s->fd, "RESUME", SNDRV_PCM_IOCTL_RESUME, NULL);
		else
			xioctl(s->fd, "XRUN", SNDRV_PCM_IOCTL_XRUN, NULL);
		break;
	case 22: case 23: case 24:
		pcm_xfer(s, 1, chance(10));
		break;
	case 25: case 26:
		pcm_xfer(s, 0, chance(10));
		break;
	case 27: case 28:
		pcm_mmap(s);
		break;
	case 29:
		if (chance(50)) {
			touch_maps(s);
		} else {
			pcm_unmap_all(s);
			count("munmap", 1);
		}
		break;
	case 30:
		xioctl(s->fd, "HWSYNC", SNDRV_PCM_IOCTL_HWSYNC, NULL);
		xioctl(s->fd, "DELAY", SNDRV_PCM_IOCTL_DELAY, &delay);
		break;
	case 31:
		memset(&sp, 0, sizeof(sp));
		sp.flags = chance(70) ? rnd(8) : rnd_u32();
		sp.c.control.appl_ptr = chance(50) ? rnd(1 << 20) : rnd_long();
		sp.c.control.avail_min = rnd_long();
		xioctl(s->fd, "SYNC_PTR", SNDRV_PCM_IOCTL_SYNC_PTR, &sp);
		break;
	case 32:
		memset(&st, 0, sizeof(st));
		st.audio_tstamp_data = rnd_u32();
		if (chance(50))
			xioctl(s->fd, "STATUS", SNDRV_PCM_IOCTL_STATUS, &st);
		else
			xioctl(s->fd, "STATUS_EXT", SNDRV_PCM_IOCTL_STATUS_EXT, &st);
		break;
	case 33:
		memset(&ci, 0, sizeof(ci));
		ci.channel = chance(70) ? rnd(4) : rnd_u32();
		xioctl(s->fd, "CHANNEL_INFO", SNDRV_PCM_IOCTL_CHANNEL_INFO, &ci);
		xioctl(s->fd, "INFO", SNDRV_PCM_IOCTL_INFO, &info);
		break;
	case 34:
		arg = chance(80) ? (int)rnd(4) : (int)rnd_u32();
		xioctl(s->fd, "TTSTAMP", SNDRV_PCM_IOCTL_TTSTAMP, &arg);
		arg = (int)rnd_u32();
		xioctl(s->fd, "TSTAMP", SNDRV_PCM_IOCTL_TSTAMP, &arg);
		xioctl(s->fd, "PVERSION", SNDRV_PCM_IOCTL_PVERSION, &arg);
		break;
	case 35:
		frames = chance(70) ? rnd(s->buffer_frames + 16) : (unsigned long)rnd_long();
		if (chance(50))
			xioctl(s->fd, "REWIND", SNDRV_PCM_IOCTL_REWIND, &frames);
		else
			xioctl(s->fd, "FORWARD", SNDRV_PCM_IOCTL_FORWARD, &frames);
		break;
	case 36:
		o = other_pcm_slot();
		if (o && chance(70)) {
			arg = o->fd;
			if (xioctl(s->fd, "LINK", SNDRV_PCM_IOCTL_LINK,
				   (void *)(long)arg) >= 0) {
				s->linked = 1;
				o->linked = 1;
			}
		} else {
			xioctl(s->fd, "UNLINK", SNDRV_PCM_IOCTL_UNLINK, NULL);
		}
		break;
	case 37:
		pfd.fd = s->fd;
		pfd.events = POLLIN | POLLOUT;
		cur_op = "poll";
		count("poll", poll(&pfd, 1, 0) >= 0);
		break;
	case 38:
		/* read()/write() syscalls: whole frames or not */
		cur_op = "read/write";
		frames = rnd(8192);
		if (chance(50))
			count("write()", write(s->fd, user_ptr(frames, 10), frames) >= 0);
		else
			count("read()", read(s->fd, user_ptr(frames, 0), frames) >= 0);
		break;
	case 39: {
		/* an ioctl number of the PCM range that may not exist */
		unsigned int nr = rnd(0x70);

		if (nr >= 0x50 && nr <= 0x53)	/* carry user pointers */
			nr = 0x6f;
		memset(big, 0, 4096);
		xioctl(s->fd, "ioctl(random nr)",
		       _IOC(rnd(4), 'A', nr, rnd(2) ? rnd(512) : 0), big);
		break;
	}
	default:
		slot_close(s);
		count("close pcm", 1);
		break;
	}
}

/* ---- control operations ------------------------------------------------------ */

static unsigned int ctl_count(int fd)
{
	struct snd_ctl_elem_list l;

	memset(&l, 0, sizeof(l));
	if (xioctl(fd, "ELEM_LIST(count)", SNDRV_CTL_IOCTL_ELEM_LIST, &l) < 0)
		return 0;
	return l.count;
}

/* the id of a random existing element, or a random (bad) one */
static void ctl_pick_id(int fd, struct snd_ctl_elem_id *id, int bad_pct)
{
	struct snd_ctl_elem_list l;
	struct snd_ctl_elem_id ids[1];
	unsigned int n = ctl_count(fd);

	memset(id, 0, sizeof(*id));
	if (chance(bad_pct) || !n) {
		switch (rnd(3)) {
		case 0:
			id->numid = rnd_u32();
			break;
		case 1:
			id->numid = n + rnd(3);
			break;
		default:
			id->iface = rnd(8);
			id->device = rnd(3);
			id->subdevice = rnd(2);
			id->index = rnd(3);
			snprintf((char *)id->name, sizeof(id->name), "%s",
				 chance(50) ? "Master Playback Volume" : "Fuzz");
			break;
		}
		return;
	}
	memset(&l, 0, sizeof(l));
	l.offset = rnd(n);
	l.space = 1;
	l.pids = ids;
	if (xioctl(fd, "ELEM_LIST", SNDRV_CTL_IOCTL_ELEM_LIST, &l) < 0 || !l.used) {
		id->numid = 1;
		return;
	}
	*id = ids[0];
	if (chance(50)) {	/* by name only */
		id->numid = 0;
	} else if (chance(50)) {	/* by numid only */
		unsigned int numid = id->numid;

		memset(id, 0, sizeof(*id));
		id->numid = numid;
	}
}

static void ctl_values(struct snd_ctl_elem_info *in, struct snd_ctl_elem_value *v,
		       int sane)
{
	unsigned int i, cnt = in->count;
	long lo, hi;

	if (cnt > 128)
		cnt = 128;
	for (i = 0; i < 128; i++) {
		switch (in->type) {
		case SNDRV_CTL_ELEM_TYPE_BOOLEAN:
			v->value.integer.value[i] = sane ? rnd(2) : rnd_long();
			break;
		case SNDRV_CTL_ELEM_TYPE_INTEGER:
			lo = in->value.integer.min;
			hi = in->value.integer.max;
			if (sane && hi >= lo)
				v->value.integer.value[i] = lo + rnd(hi - lo + 1);
			else
				switch (rnd(5)) {
				case 0:
					v->value.integer.value[i] = lo - 1 - rnd(3);
					break;
				case 1:
					v->value.integer.value[i] = hi + 1 + rnd(3);
					break;
				case 2:	/* between two steps */
					v->value.integer.value[i] = lo + 1 + 2 * rnd(8);
					break;
				default:
					v->value.integer.value[i] = rnd_long();
					break;
				}
			break;
		case SNDRV_CTL_ELEM_TYPE_ENUMERATED:
			v->value.enumerated.item[i] = sane && in->value.enumerated.items ?
				rnd(in->value.enumerated.items) :
				in->value.enumerated.items + rnd(3) - (chance(20) ? rnd_u32() : 0);
			break;
		case SNDRV_CTL_ELEM_TYPE_INTEGER64:
			v->value.integer64.value[i] = sane ?
				in->value.integer64.min : (long long)rnd64();
			break;
		default:
			break;
		}
	}
	if (in->type == SNDRV_CTL_ELEM_TYPE_BYTES ||
	    in->type == SNDRV_CTL_ELEM_TYPE_IEC958 || !sane)
		for (i = 0; i < sizeof(v->value.bytes.data); i++)
			if (!sane && chance(5))
				v->value.bytes.data[i] = (unsigned char)rnd64();
	(void)cnt;
}

/*
 * After a write the kernel took, a driver's control must hold values in
 * the range its info gives (user controls store anything: not checked).
 */
static void ctl_check_range(int fd, struct snd_ctl_elem_info *in)
{
	struct snd_ctl_elem_value v;
	unsigned int i, cnt = in->count;
	long val = 0;
	int bad = 0;

	if ((in->access & SNDRV_CTL_ELEM_ACCESS_USER) ||
	    !(in->access & SNDRV_CTL_ELEM_ACCESS_READ))
		return;
	memset(&v, 0, sizeof(v));
	v.id = in->id;
	if (xioctl(fd, "ELEM_READ(check)", SNDRV_CTL_IOCTL_ELEM_READ, &v) < 0)
		return;
	if (cnt > 128)
		cnt = 128;
	for (i = 0; i < cnt && !bad; i++) {
		switch (in->type) {
		case SNDRV_CTL_ELEM_TYPE_BOOLEAN:
			val = v.value.integer.value[i];
			bad = val != 0 && val != 1;
			break;
		case SNDRV_CTL_ELEM_TYPE_INTEGER:
			val = v.value.integer.value[i];
			bad = val < in->value.integer.min ||
			      val > in->value.integer.max;
			break;
		case SNDRV_CTL_ELEM_TYPE_ENUMERATED:
			val = v.value.enumerated.item[i];
			bad = v.value.enumerated.item[i] >= in->value.enumerated.items;
			break;
		default:
			break;
		}
	}
	if (bad) {
		violations++;
		printf("%s: VIOLATION: seed %llu iteration %ld: control %u '%s' holds %ld (value %u) after a write, outside its range\n",
		       me, seed, iter, in->id.numid, (char *)in->id.name, val, i - 1);
		fflush(stdout);
	}
}

static unsigned int user_ctl_seq;

static void ctl_add(int fd, int replace)
{
	struct snd_ctl_elem_info in;
	char (*names)[64] = (void *)big;
	unsigned int i, n;

	memset(&in, 0, sizeof(in));
	in.id.iface = chance(90) ? SNDRV_CTL_ELEM_IFACE_MIXER : rnd(8);
	snprintf((char *)in.id.name, sizeof(in.id.name), "Fuzz %u Volume",
		 replace || chance(20) ? rnd(4) : user_ctl_seq++ % 64);
	in.id.index = chance(80) ? 0 : rnd_u32();
	in.type = chance(90) ? 1 + rnd(6) : rnd_u32();
	in.count = chance(80) ? 1 + rnd(4) : rnd_u32();
	in.owner = chance(80) ? 0 : (int)rnd_u32();
	in.access = chance(70) ? SNDRV_CTL_ELEM_ACCESS_READWRITE : rnd_u32();
	if (chance(20))
		in.access |= SNDRV_CTL_ELEM_ACCESS_TLV_READWRITE;
	switch (in.type) {
	case SNDRV_CTL_ELEM_TYPE_INTEGER:
		in.value.integer.min = chance(80) ? -(long)rnd(100) : rnd_long();
		in.value.integer.max = chance(80) ? (long)rnd(100) : rnd_long();
		in.value.integer.step = chance(80) ? rnd(3) : rnd_long();
		break;
	case SNDRV_CTL_ELEM_TYPE_INTEGER64:
		in.value.integer64.min = -(long long)rnd(1000);
		in.value.integer64.max = chance(80) ? rnd(1000) : (long long)rnd64();
		in.value.integer64.step = rnd(2);
		break;
	case SNDRV_CTL_ELEM_TYPE_ENUMERATED:
		n = chance(80) ? 1 + rnd(8) : rnd_u32();
		in.value.enumerated.items = n;
		in.value.enumerated.names_length = chance(80) ?
			(n < 1000 ? n * 64 : 64) : rnd_u32();
		memset(big, 0, 64 * 1024);
		for (i = 0; i < n && i < 1000; i++)
			snprintf(names[i], 64, "%s%u",
				 chance(95) ? "item " : "", i);
		/* names are packed, NUL-separated */
		{
			char *p = (char *)big + 64 * 1024;

			for (i = 0; i < n && i < 1000; i++) {
				size_t l = strlen(names[i]) + 1;

				if (chance(2))
					l = 0;	/* an empty name */
				memcpy(p, names[i], l);
				p += l;
			}
			if (in.value.enumerated.names_length > p - ((char *)big + 64 * 1024) &&
			    chance(80))
				in.value.enumerated.names_length =
					p - ((char *)big + 64 * 1024);
			in.value.enumerated.names_ptr = chance(90) ?
				(uintptr_t)big + 64 * 1024 :
				(uintptr_t)user_ptr(0, 100);
		}
		break;
	default:
		break;
	}
	trace("  %s type %d count %u", replace ? "ELEM_REPLACE" : "ELEM_ADD",
	      in.type, in.count);
	if (replace)
		xioctl(fd, "ELEM_REPLACE", SNDRV_CTL_IOCTL_ELEM_REPLACE, &in);
	else
		xioctl(fd, "ELEM_ADD", SNDRV_CTL_IOCTL_ELEM_ADD, &in);
}

static void ctl_op(struct dev *d)
{
	struct slot *s = pick_slot(d);
	struct snd_ctl_elem_list l;
	struct snd_ctl_elem_info in;
	struct snd_ctl_elem_value v;
	struct snd_ctl_elem_id id;
	struct snd_ctl_card_info ci;
	struct snd_ctl_event ev[4];
	struct snd_ctl_tlv *tlv;
	struct snd_pcm_info pi;
	unsigned int n, len;
	int arg, op;
	ssize_t r;

	if ((s->fd < 0 || chance(2)) && slot_open(d, s) < 0)
		return;
	op = rnd(26);
	trace("  ctl op %d", op);
	switch (op) {
	case 0:
		xioctl(s->fd, "CARD_INFO", SNDRV_CTL_IOCTL_CARD_INFO, &ci);
		xioctl(s->fd, "PVERSION", SNDRV_CTL_IOCTL_PVERSION, &arg);
		break;
	case 1: case 2:
		n = ctl_count(s->fd);
		memset(&l, 0, sizeof(l));
		l.offset = chance(80) ? rnd(n + 2) : rnd_u32();
		l.space = chance(80) ? rnd(n + 2) : rnd_u32();
		len = l.space < BIG / sizeof(id) ? l.space : BIG / sizeof(id);
		l.pids = user_ptr(len * sizeof(id), l.space > len ? 100 : 10);
		xioctl(s->fd, "ELEM_LIST", SNDRV_CTL_IOCTL_ELEM_LIST, &l);
		break;
	case 3: case 4: case 5:
		memset(&in, 0, sizeof(in));
		ctl_pick_id(s->fd, &in.id, 20);
		if (chance(20))
			in.value.enumerated.item = chance(50) ? rnd(8) : rnd_u32();
		xioctl(s->fd, "ELEM_INFO", SNDRV_CTL_IOCTL_ELEM_INFO, &in);
		break;
	case 6: case 7: case 8:
		memset(&v, 0, sizeof(v));
		ctl_pick_id(s->fd, &v.id, 20);
		xioctl(s->fd, "ELEM_READ", SNDRV_CTL_IOCTL_ELEM_READ, &v);
		break;
	case 9: case 10: case 11: case 12: case 13: {
		int sane = chance(50);

		memset(&in, 0, sizeof(in));
		ctl_pick_id(s->fd, &in.id, 10);
		if (xioctl(s->fd, "ELEM_INFO", SNDRV_CTL_IOCTL_ELEM_INFO, &in) < 0 &&
		    chance(70))
			break;
		memset(&v, 0, sizeof(v));
		v.id = in.id;
		if (chance(30))
			xioctl(s->fd, "ELEM_READ", SNDRV_CTL_IOCTL_ELEM_READ, &v);
		ctl_values(&in, &v, sane);
		if (xioctl(s->fd, sane ? "ELEM_WRITE(in range)" : "ELEM_WRITE(out of range)",
			   SNDRV_CTL_IOCTL_ELEM_WRITE, &v) >= 0 && in.id.numid)
			ctl_check_range(s->fd, &in);
		if (chance(30))
			xioctl(s->fd, "ELEM_READ", SNDRV_CTL_IOCTL_ELEM_READ, &v);
		break;
	}
	case 14: case 15: {
		unsigned long req;
		const char *name;

		len = chance(70) ? rnd(256) : rnd_u32();
		if (len > BIG - sizeof(*tlv) && chance(50))
			len = BIG - sizeof(*tlv);
		tlv = (struct snd_ctl_tlv *)big;
		memset(tlv, 0, 64);
		memset(&id, 0, sizeof(id));
		ctl_pick_id(s->fd, &id, 10);
		if (!id.numid) {
			memset(&in, 0, sizeof(in));
			in.id = id;
			xioctl(s->fd, "ELEM_INFO", SNDRV_CTL_IOCTL_ELEM_INFO, &in);
			id = in.id;
		}
		tlv->numid = id.numid;
		tlv->length = len;
		if (chance(50)) {	/* a well-formed dB scale */
			tlv->tlv[0] = SNDRV_CTL_TLVT_DB_SCALE;
			tlv->tlv[1] = 8;
			tlv->tlv[2] = (unsigned int)-6000;
			tlv->tlv[3] = 100;
		} else {
			tlv->tlv[0] = rnd_u32();
			tlv->tlv[1] = rnd_u32();
		}
		switch (rnd(3)) {
		case 0:
			req = SNDRV_CTL_IOCTL_TLV_READ;
			name = "TLV_READ";
			break;
		case 1:
			req = SNDRV_CTL_IOCTL_TLV_WRITE;
			name = "TLV_WRITE";
			break;
		default:
			req = SNDRV_CTL_IOCTL_TLV_COMMAND;
			name = "TLV_COMMAND";
			break;
		}
		trace("  %s numid %u length %u", name, tlv->numid, len);
		xioctl(s->fd, name, req, tlv);
		break;
	}
	case 16: case 17:
		ctl_add(s->fd, chance(20));
		break;
	case 18:
		ctl_pick_id(s->fd, &id, 20);
		xioctl(s->fd, "ELEM_REMOVE", SNDRV_CTL_IOCTL_ELEM_REMOVE, &id);
		break;
	case 19:
		arg = chance(40) ? -1 : chance(80) ? (int)rnd(2) : (int)rnd_u32();
		xioctl(s->fd, "SUBSCRIBE_EVENTS", SNDRV_CTL_IOCTL_SUBSCRIBE_EVENTS, &arg);
		break;
	case 20: case 21:
		cur_op = "read events";
		n = chance(80) ? sizeof(ev) : rnd(sizeof(ev));
		r = read(s->fd, chance(90) ? (void *)ev : user_ptr(0, 100), n);
		count("read events", r >= 0);
		break;
	case 22:
		ctl_pick_id(s->fd, &id, 10);
		if (chance(50))
			xioctl(s->fd, "ELEM_LOCK", SNDRV_CTL_IOCTL_ELEM_LOCK, &id);
		else
			xioctl(s->fd, "ELEM_UNLOCK", SNDRV_CTL_IOCTL_ELEM_UNLOCK, &id);
		break;
	case 23:
		arg = chance(50) ? -1 : (int)rnd_u32();
		xioctl(s->fd, "PCM_NEXT_DEVICE", SNDRV_CTL_IOCTL_PCM_NEXT_DEVICE, &arg);
		memset(&pi, 0, sizeof(pi));
		pi.device = rnd(4);
		pi.stream = chance(90) ? rnd(2) : rnd_u32();
		pi.subdevice = chance(90) ? 0 : rnd_u32();
		xioctl(s->fd, "PCM_INFO", SNDRV_CTL_IOCTL_PCM_INFO, &pi);
		arg = chance(50) ? -1 : (int)rnd_u32();
		xioctl(s->fd, "PCM_PREFER_SUBDEVICE",
		       SNDRV_CTL_IOCTL_PCM_PREFER_SUBDEVICE, &arg);
		break;
	case 24:
		arg = (int)rnd_u32();
		if (chance(50))
			xioctl(s->fd, "POWER", SNDRV_CTL_IOCTL_POWER, &arg);
		else
			xioctl(s->fd, "POWER_STATE", SNDRV_CTL_IOCTL_POWER_STATE, &arg);
		break;
	default:
		slot_close(s);
		count("close control", 1);
		break;
	}
}

/* ---- hwdep: the OPL2/OPL3 FM device ----------------------------------------- */

/* n random bytes into p */
static void rnd_fill(void *p, size_t n)
{
	memcpy(p, big + rnd(BIG - n + 1), n);
}

/* an argument for an ioctl that reads or writes n bytes: mostly buf */
static void *hw_arg(void *buf, size_t n)
{
	return chance(90) ? buf : user_ptr(n, 100);
}

/* an SBI instrument (or not) to write: what the OPL3's hwdep takes */
static void hwdep_write(struct slot *s)
{
	static const char *const keys[] = { "SBI\032", "2OP\032", "4OP\032", "XYZ\032" };
	unsigned char buf[2 * sizeof(struct sbi_patch)];
	size_t n;
	ssize_t r;

	rnd_fill(buf, sizeof(buf));
	if (chance(80))
		memcpy(buf + offsetof(struct sbi_patch, key), keys[rnd(4)], 4);
	if (chance(50))
		buf[0] = rnd(4);	/* a few programs, replaced again and again */
	n = chance(70) ? sizeof(struct sbi_patch) : rnd(sizeof(buf) + 1);
	cur_op = "hwdep write";
	r = write(s->fd, chance(90) ? (void *)buf : user_ptr(n, 100), n);
	count("write hwdep", r >= 0);
}

static void hwdep_op(struct dev *d)
{
	struct slot *s = pick_slot(d);
	struct snd_hwdep_info hi;
	struct snd_hwdep_dsp_status ds;
	struct snd_hwdep_dsp_image im;
	struct snd_dm_fm_info fi;
	struct snd_dm_fm_note fn;
	struct snd_dm_fm_voice fv;
	struct snd_dm_fm_params fp;
	unsigned char any[256];
	unsigned long req;
	int arg, op;

	if ((s->fd < 0 || chance(2)) && slot_open(d, s) < 0)
		return;
	op = rnd(18);
	trace("  hwdep op %d", op);
	switch (op) {
	case 0:
		xioctl(s->fd, "HWDEP_PVERSION", SNDRV_HWDEP_IOCTL_PVERSION, hw_arg(&arg, sizeof(arg)));
		xioctl(s->fd, "HWDEP_INFO", SNDRV_HWDEP_IOCTL_INFO, hw_arg(&hi, sizeof(hi)));
		break;
	case 1:
		xioctl(s->fd, "HWDEP_DSP_STATUS", SNDRV_HWDEP_IOCTL_DSP_STATUS,
		       hw_arg(&ds, sizeof(ds)));
		rnd_fill(&im, sizeof(im));
		im.image = user_ptr(4096, 20);
		im.length = chance(50) ? rnd(4096) : rnd_long();
		xioctl(s->fd, "HWDEP_DSP_LOAD", SNDRV_HWDEP_IOCTL_DSP_LOAD, hw_arg(&im, sizeof(im)));
		break;
	case 2:
		xioctl(s->fd, "FM_INFO", SNDRV_DM_FM_IOCTL_INFO, hw_arg(&fi, sizeof(fi)));
		break;
	case 3:
		xioctl(s->fd, "FM_RESET", SNDRV_DM_FM_IOCTL_RESET, NULL);
		break;
	case 4: case 5:
		rnd_fill(&fn, sizeof(fn));
		if (chance(70))
			fn.voice = rnd(18);
		xioctl(s->fd, "FM_PLAY_NOTE", SNDRV_DM_FM_IOCTL_PLAY_NOTE, hw_arg(&fn, sizeof(fn)));
		break;
	case 6: case 7:
		rnd_fill(&fv, sizeof(fv));
		if (chance(70)) {
			fv.op = rnd(2);
			fv.voice = rnd(18);
		}
		xioctl(s->fd, "FM_SET_VOICE", SNDRV_DM_FM_IOCTL_SET_VOICE, hw_arg(&fv, sizeof(fv)));
		break;
	case 8:
		rnd_fill(&fp, sizeof(fp));
		xioctl(s->fd, "FM_SET_PARAMS", SNDRV_DM_FM_IOCTL_SET_PARAMS, hw_arg(&fp, sizeof(fp)));
		break;
	case 9:
		arg = chance(70) ? (int)rnd(2) : (int)rnd_u32();
		xioctl(s->fd, "FM_SET_MODE", SNDRV_DM_FM_IOCTL_SET_MODE, hw_arg(&arg, sizeof(arg)));
		break;
	case 10:
		arg = chance(70) ? (int)rnd(64) : (int)rnd_u32();
		xioctl(s->fd, "FM_SET_CONNECTION", SNDRV_DM_FM_IOCTL_SET_CONNECTION,
		       hw_arg(&arg, sizeof(arg)));
		break;
	case 11:
		xioctl(s->fd, "FM_CLEAR_PATCHES", SNDRV_DM_FM_IOCTL_CLEAR_PATCHES, NULL);
		break;
	case 12:
		/* the OSS numbers the library takes too */
		rnd_fill(any, sizeof(any));
		xioctl(s->fd, "FM_OSS_IOCTL", SNDRV_DM_FM_OSS_IOCTL_RESET + rnd(6),
		       hw_arg(any, sizeof(any)));
		break;
	case 13:
		/* any number of the 'H' range, any direction, any size */
		rnd_fill(any, sizeof(any));
		req = _IOC(rnd(4), 'H', rnd(0x48), rnd(sizeof(any)));
		xioctl(s->fd, "HWDEP_RANDOM", req, hw_arg(any, sizeof(any)));
		break;
	case 14: case 15: case 16:
		hwdep_write(s);
		break;
	default:
		slot_close(s);
		count("close hwdep", 1);
		break;
	}
}

/* ---- main -------------------------------------------------------------------- */

/*
 * -j JOBS: JOBS processes at once on the same nodes, worker k with seed
 * SEED + k (worker 0 runs what a single process would).  Each worker's
 * sequence is reproducible, their interleaving is not: this is for the
 * races between openers.  The status is the first failing worker's.
 */
static int run_jobs(int jobs, long iterations)
{
	struct timespec t0, t1;
	int k, st, rc = 0;
	pid_t pid;

	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0; k < jobs; k++) {
		pid = fork();
		if (pid < 0) {
			perror("alsa-fuzz: fork");
			return 2;
		}
		if (!pid) {
			snprintf(me, sizeof(me), "alsa-fuzz[%d]", k);
			seed += k;
			return -1;	/* the caller goes on as the worker */
		}
	}
	while ((pid = wait(&st)) > 0) {
		if (WIFEXITED(st) && !WEXITSTATUS(st))
			continue;
		printf("alsa-fuzz: worker %d ended with %s %d\n", (int)pid,
		       WIFEXITED(st) ? "status" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		if (!rc)
			rc = WIFEXITED(st) ? WEXITSTATUS(st) : 4;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!rc)
		printf("alsa-fuzz: done: seed %llu, %ld iterations in %.1f s (%d workers)\n",
		       seed, iterations * jobs,
		       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, jobs);
	return rc;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct timespec t0, t1;
	long iterations, i;
	int a = 1, k, n, jobs = 1;
	char *end;

	for (; a < argc; a++) {
		if (!strcmp(argv[a], "-v"))
			verbose = 1;
		else if (!strcmp(argv[a], "-j") && a + 1 < argc)
			jobs = atoi(argv[++a]);
		else
			break;
	}
	if (argc - a < 3 || jobs < 1 || jobs > 16) {
		fprintf(stderr, "usage: alsa-fuzz [-v] [-j JOBS] SEED ITERATIONS DEVICE...\n");
		return 2;
	}
	seed = strtoull(argv[a], &end, 0);
	if (*end) {
		fprintf(stderr, "alsa-fuzz: bad seed %s\n", argv[a]);
		return 2;
	}
	iterations = strtol(argv[a + 1], &end, 0);
	if (*end || iterations < 0) {
		fprintf(stderr, "alsa-fuzz: bad iteration count %s\n", argv[a + 1]);
		return 2;
	}
	for (k = a + 2; k < argc && ndevs < MAX_DEVS; k++) {
		devs[ndevs].path = argv[k];
		devs[ndevs].is_ctl = strstr(argv[k], "control") != NULL;
		devs[ndevs].is_hwdep = strstr(argv[k], "/hwC") != NULL;
		for (n = 0; n < SLOTS; n++)
			devs[ndevs].slot[n].fd = -1;
		ndevs++;
	}

	if (jobs > 1) {
		k = run_jobs(jobs, iterations);
		if (k >= 0)
			return k;
	}

	big = mmap(NULL, BIG + 3 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED) {
		perror("alsa-fuzz: mmap");
		return 2;
	}
	guard = big + BIG;
	rdonly = big + BIG + PAGE;
	mprotect(guard, PAGE, PROT_NONE);
	mprotect(rdonly, PAGE, PROT_READ);
	mprotect(rdonly + PAGE, PAGE, PROT_NONE);
	rng_state = seed;
	for (i = 0; i < BIG / 8; i++)
		((uint64_t *)big)[i] = rnd64();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	printf("%s: seed %llu, %ld iterations, %d devices\n",
	       me, seed, iterations, ndevs);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (iter = 0; iter < iterations; iter++) {
		struct dev *d;

		/* each iteration depends on (seed, iteration) only */
		rng_state = seed * 0x100000001b3ULL + (uint64_t)iter * 0x9e3779b97f4a7c15ULL;
		rnd64();
		d = &devs[rnd(ndevs)];
		trace("%ld %s", iter, d->path);
		alarm(WATCHDOG_S);
		if (d->is_ctl)
			ctl_op(d);
		else if (d->is_hwdep)
			hwdep_op(d);
		else
			pcm_op(d);
		alarm(0);
		if (iterations >= 10 && (iter + 1) % (iterations / 10) == 0) {
			printf("%s: %ld/%ld\n", me, iter + 1, iterations);
			fflush(stdout);
		}
	}
	/* close everything: the card must be as usable as before */
	alarm(WATCHDOG_S);
	cur_op = "final close";
	for (k = 0; k < ndevs; k++)
		for (n = 0; n < SLOTS; n++)
			slot_close(&devs[k].slot[n]);
	alarm(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("%s: %-26s %8s %8s\n", me, "operation", "calls", "ok");
	for (k = 0; k < N_STATS && stats[k].name; k++)
		printf("%s: %-26s %8lu %8lu\n", me, stats[k].name,
		       stats[k].calls, stats[k].ok);
	printf("%s: done: seed %llu, %ld iterations in %.1f s, %lu faults on mapped pages, %lu control range violations\n",
	       me, seed, iterations, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       faults, violations);
	return violations ? 5 : 0;
}
