// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-wss: the PCM streams of a WSS codec, its ISA DMA channels
 * and its interrupt.
 *
 * The codec takes samples from (playback) or gives them to (capture) the
 * 8237 DMA controller, which walks a ring buffer in the first 16 MiB of
 * memory; it counts samples and interrupts at the end of each period
 * (registers 14/15, and 30/31 for capture in mode 2: samples - 1).
 * Playback uses dma1; capture uses dma2, or with dma2=-1 dma1 too (the
 * codec's single-DMA mode, SDC), and then one direction at a time.
 *
 * Register 8 holds the sample clock (a crystal and a divider: 14 rates)
 * and the playback format; in mode 2 register 28 holds the capture
 * format, the clock staying shared.  So both directions run at one rate,
 * and on an AD1848 (mode 1) in one format too: while one direction holds
 * its hw_params, the other is offered only those.
 *
 * Formats: U8, mu-law, A-law and S16_LE on every codec, S16_BE in mode 2;
 * mono or stereo.  Changing register 8 or 28 needs the mode change
 * sequence (wss_mce_write(), which sleeps): prepare does it when the
 * value changes.  PEN and CEN in register 9 start and stop the engines.
 *
 * The position comes from the 8237's count (snd_dma_pointer()), not from
 * counting interrupts (QEMU's model interrupts one sample early).  The
 * interrupt is bit 0 of the status register; in mode 2 register 24 says
 * which engine raised it and is cleared by writing 0 to those bits (QEMU
 * keeps what is written there: the other bits are written as read); in
 * mode 1 a write to the status register clears it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <asm/dma.h>
#include <sound/core.h>
#include <sound/pcm.h>
#include <sound/pcm_params.h>
#include "isa.h"
#include "wss.h"

#define WSS_BUF_MAX		SZ_64K	/* the 8237's page for channels 0-3 */

/* the rates the two crystals give, and register 8's low nibble for each */
static const unsigned int wss_rates[] = {
	5512, 6615, 8000, 9600, 11025, 16000, 18900, 22050, 27429, 32000,
	33075, 37800, 44100, 48000,
};

static const u8 wss_clock_codes[ARRAY_SIZE(wss_rates)] = {
	0x01, 0x0f, 0x00, 0x0e, 0x03, 0x02, 0x05, 0x07, 0x04, 0x06,
	0x0d, 0x09, 0x0b, 0x0c,
};

static const struct snd_pcm_hw_constraint_list wss_rate_list = {
	.count = ARRAY_SIZE(wss_rates),
	.list = wss_rates,
};

#define WSS_FORMATS	(SNDRV_PCM_FMTBIT_U8 | SNDRV_PCM_FMTBIT_MU_LAW | \
			 SNDRV_PCM_FMTBIT_A_LAW | SNDRV_PCM_FMTBIT_S16_LE)

static const struct snd_pcm_hardware wss_hw = {
	.info = SNDRV_PCM_INFO_MMAP | SNDRV_PCM_INFO_MMAP_VALID |
		SNDRV_PCM_INFO_INTERLEAVED | SNDRV_PCM_INFO_BLOCK_TRANSFER |
		SNDRV_PCM_INFO_PAUSE,
	.formats = WSS_FORMATS,		/* S16_BE added in open, mode 2 */
	.rates = SNDRV_PCM_RATE_KNOT | SNDRV_PCM_RATE_8000 |
		 SNDRV_PCM_RATE_11025 | SNDRV_PCM_RATE_16000 |
		 SNDRV_PCM_RATE_22050 | SNDRV_PCM_RATE_32000 |
		 SNDRV_PCM_RATE_44100 | SNDRV_PCM_RATE_48000,
	.rate_min = 5512,
	.rate_max = 48000,
	.channels_min = 1,
	.channels_max = 2,
	.buffer_bytes_max = WSS_BUF_MAX,
	.period_bytes_min = 64,
	.period_bytes_max = WSS_BUF_MAX,
	.periods_min = 2,
	.periods_max = 1024,
};

static struct wss_stream *wss_stream_of(struct snd_pcm_substream *ss)
{
	struct wss *chip = omnibus_chip(ss);

	return &chip->st[ss->stream];
}

static const char *wss_dir(int dir)
{
	return dir == SNDRV_PCM_STREAM_PLAYBACK ? "playback" : "capture";
}

/* the channel of direction @dir */
static int wss_dma_of(struct wss *chip, int dir)
{
	return dir == SNDRV_PCM_STREAM_CAPTURE && chip->dma2 >= 0 ?
	       chip->dma2 : chip->dma1;
}

static u8 wss_format_bits(snd_pcm_format_t format)
{
	switch ((__force int)format) {
	case (__force int)SNDRV_PCM_FORMAT_MU_LAW:
		return WSS_FMT_MU_LAW;
	case (__force int)SNDRV_PCM_FORMAT_A_LAW:
		return WSS_FMT_A_LAW;
	case (__force int)SNDRV_PCM_FORMAT_S16_LE:
		return WSS_FMT_S16_LE;
	case (__force int)SNDRV_PCM_FORMAT_S16_BE:
		return WSS_FMT_S16_BE;
	default:
		return WSS_FMT_U8;
	}
}

static u8 wss_clock_bits(unsigned int rate)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wss_rates); i++)
		if (wss_rates[i] == rate)
			return wss_clock_codes[i];
	return 0x0c;		/* hw_params allows no other rate */
}

/* ---- rules: one clock, and on an AD1848 one format ---------------------------- */

static int wss_rule_rate(struct snd_pcm_hw_params *params,
			 struct snd_pcm_hw_rule *rule)
{
	struct wss_stream *st = rule->private;
	struct wss *chip = st->chip;
	unsigned long flags;
	unsigned int rate;

	spin_lock_irqsave(&chip->lock, flags);
	rate = chip->st[!st->dir].rate;
	spin_unlock_irqrestore(&chip->lock, flags);
	return omnibus_pcm_refine_rate(params, rate);
}

static int wss_rule_format(struct snd_pcm_hw_params *params,
			   struct snd_pcm_hw_rule *rule)
{
	struct wss_stream *st = rule->private;
	struct wss *chip = st->chip;
	unsigned long flags;
	snd_pcm_format_t format = 0;
	unsigned int rate;
	struct snd_mask m;

	spin_lock_irqsave(&chip->lock, flags);
	rate = chip->st[!st->dir].rate;
	if (rate)
		format = chip->st[!st->dir].format;
	spin_unlock_irqrestore(&chip->lock, flags);
	if (!rate)
		return 0;
	snd_mask_none(&m);
	snd_mask_set_format(&m, format);
	return snd_mask_refine(hw_param_mask(params, SNDRV_PCM_HW_PARAM_FORMAT),
			       &m);
}

static int wss_open(struct snd_pcm_substream *ss)
{
	struct wss_stream *st = wss_stream_of(ss);
	struct wss *chip = st->chip;
	struct snd_pcm_runtime *rt = ss->runtime;
	int err;

	if (wss_mode2(chip))
		rt->hw.formats |= SNDRV_PCM_FMTBIT_S16_BE;
	err = snd_pcm_hw_constraint_integer(rt, SNDRV_PCM_HW_PARAM_PERIODS);
	if (err < 0)
		return err;
	err = snd_pcm_hw_constraint_list(rt, 0, SNDRV_PCM_HW_PARAM_RATE,
					 &wss_rate_list);
	if (err < 0)
		return err;
	err = snd_pcm_hw_rule_add(rt, 0, SNDRV_PCM_HW_PARAM_RATE,
				  wss_rule_rate, st,
				  SNDRV_PCM_HW_PARAM_RATE, -1);
	if (err < 0)
		return err;
	if (!wss_mode2(chip)) {
		err = snd_pcm_hw_rule_add(rt, 0, SNDRV_PCM_HW_PARAM_FORMAT,
					  wss_rule_format, st,
					  SNDRV_PCM_HW_PARAM_FORMAT, -1);
		if (err < 0)
			return err;
	}

	spin_lock_irq(&chip->lock);
	st->ss = ss;
	st->dma = -1;
	st->rate = 0;
	st->running = false;
	spin_unlock_irq(&chip->lock);
	return 0;
}

/* Gives back the stream's channel; lock held.  Returns it, or -1. */
static int wss_release(struct wss_stream *st)
{
	int dma = st->dma;

	st->rate = 0;
	st->running = false;
	st->dma = -1;
	st->bytes = 0;
	return dma;
}

static void wss_close(struct snd_pcm_substream *ss)
{
	struct wss_stream *st = wss_stream_of(ss);
	struct wss *chip = st->chip;
	int dma;

	spin_lock_irq(&chip->lock);
	dma = wss_release(st);
	st->ss = NULL;
	spin_unlock_irq(&chip->lock);
	if (dma >= 0)
		snd_dma_disable(dma);
}

static int wss_hw_params(struct snd_pcm_substream *ss,
			 struct snd_pcm_hw_params *params)
{
	struct wss_stream *st = wss_stream_of(ss);
	struct wss *chip = st->chip;
	struct wss_stream *other = &chip->st[!st->dir];
	struct device *dev = chip->oc.card->dev;
	struct snd_pcm_runtime *rt = ss->runtime;
	unsigned int rate = params_rate(params);
	snd_pcm_format_t format = params_format(params);
	size_t bytes = params_buffer_bytes(params);
	int dma = wss_dma_of(chip, st->dir), busy = 0;
	unsigned int other_rate = 0;
	int err;

	err = omnibus_isa_dma_reach(dev, dma, rt->dma_addr, bytes);
	if (err < 0)
		return err;

	spin_lock_irq(&chip->lock);
	if (other->dma == dma)
		busy = 1;
	else if (other->rate && other->rate != rate)
		busy = 2;
	else if (other->rate && !wss_mode2(chip) && other->format != format)
		busy = 3;
	if (busy) {
		other_rate = other->rate;
	} else {
		st->dma = dma;
		st->bytes = bytes;
		st->rate = rate;
		st->format = format;
	}
	spin_unlock_irq(&chip->lock);

	switch (busy) {
	case 1:
		dev_err_ratelimited(dev, "%s: DMA channel %d is in use by %s (one channel: dma2=-1): %d\n",
				    wss_dir(st->dir), dma, wss_dir(!st->dir),
				    -EBUSY);
		return -EBUSY;
	case 2:
		dev_err_ratelimited(dev, "%s: %u Hz refused, %s runs at %u Hz (one clock): %d\n",
				    wss_dir(st->dir), rate, wss_dir(!st->dir),
				    other_rate, -EBUSY);
		return -EBUSY;
	case 3:
		dev_err_ratelimited(dev, "%s: the %s codec has one format for both directions, %s holds another: %d\n",
				    wss_dir(st->dir), wss_kind_name(chip->kind),
				    wss_dir(!st->dir), -EBUSY);
		return -EBUSY;
	}
	return 0;
}

static void wss_hw_free(struct snd_pcm_substream *ss)
{
	struct wss_stream *st = wss_stream_of(ss);
	struct wss *chip = st->chip;
	int dma;

	spin_lock_irq(&chip->lock);
	dma = wss_release(st);
	spin_unlock_irq(&chip->lock);
	if (dma >= 0)
		snd_dma_disable(dma);
}

/*
 * Sets the clock and format (a mode change only when they change), the
 * period count and the 8237 (masked until START).
 */
static int wss_prepare(struct snd_pcm_substream *ss)
{
	struct wss_stream *st = wss_stream_of(ss);
	struct wss *chip = st->chip;
	struct snd_pcm_runtime *rt = ss->runtime;
	bool play = st->dir == SNDRV_PCM_STREAM_PLAYBACK;
	unsigned int bytes = snd_pcm_lib_buffer_bytes(ss);
	unsigned int count = rt->period_size - 1;
	u8 fmt, mce[4], creg_hi, creg_lo;
	unsigned int n = 0;
	unsigned long flags;
	bool fresh;
	int err;

	if (st->dma < 0)
		return -EINVAL;
	fmt = wss_format_bits(rt->format) | wss_clock_bits(rt->rate) |
	      (rt->channels == 2 ? WSS_FMT_STEREO : 0);

	/*
	 * The format goes in with a mode change when it changes, and also
	 * when the other direction is not running (a mode change would
	 * disturb it): a codec whose format register was written anew
	 * starts its stream afresh.  QEMU's model otherwise starts with the
	 * output room it had when the last stream stopped and moves two
	 * periods at once (seen: an xrun within 3 ms of the start with
	 * 32- to 128-frame periods after an xrun; snd-cs4231 writes the
	 * format at every hw_params).
	 */
	spin_lock_irq(&chip->lock);
	fresh = !chip->st[!st->dir].running;
	spin_unlock_irq(&chip->lock);
	spin_lock_irqsave(&chip->reg_lock, flags);
	if (play || !wss_mode2(chip)) {
		if (fresh || chip->image[WSS_I_FORMAT] != fmt) {
			mce[n++] = WSS_I_FORMAT;
			mce[n++] = fmt;
		}
	} else {
		/* capture in mode 2: the clock in 8, the format in 28 */
		u8 clock = (chip->image[WSS_I_FORMAT] & 0xf0) | (fmt & 0x0f);

		if (fresh || chip->image[WSS_I_FORMAT] != clock) {
			mce[n++] = WSS_I_FORMAT;
			mce[n++] = clock;
		}
		if (fresh || chip->image[WSS_I_CFORMAT] != fmt) {
			mce[n++] = WSS_I_CFORMAT;
			mce[n++] = fmt;
		}
	}
	spin_unlock_irqrestore(&chip->reg_lock, flags);
	if (n) {
		err = wss_mce_write(chip, mce, n / 2);
		if (err < 0)
			return err;
	}

	/* capture counts in 30/31 in mode 2, but with one channel in 14/15 */
	if (!play && wss_mode2(chip) && chip->dma2 >= 0) {
		creg_hi = WSS_I_CCOUNT_HI;
		creg_lo = WSS_I_CCOUNT_LO;
	} else {
		creg_hi = WSS_I_PCOUNT_HI;
		creg_lo = WSS_I_PCOUNT_LO;
	}
	spin_lock_irqsave(&chip->reg_lock, flags);
	wss_out(chip, creg_lo, count & 0xff);
	wss_out(chip, creg_hi, count >> 8);
	spin_unlock_irqrestore(&chip->reg_lock, flags);

	snd_dma_program(st->dma, rt->dma_addr, bytes,
			(play ? DMA_MODE_WRITE : DMA_MODE_READ) | DMA_AUTOINIT |
			DMA_MODE_NO_ENABLE);

	spin_lock_irq(&chip->lock);
	st->running = false;
	st->interrupts = 0;
	st->bytes = bytes;
	spin_unlock_irq(&chip->lock);
	return 0;
}

static int wss_trigger(struct snd_pcm_substream *ss, int cmd)
{
	struct wss_stream *st = wss_stream_of(ss);
	struct wss *chip = st->chip;
	u8 enable = st->dir == SNDRV_PCM_STREAM_PLAYBACK ? WSS_PEN : WSS_CEN;
	unsigned long flags;
	bool start;

	if (st->dma < 0)
		return -EINVAL;
	switch (cmd) {
	case SNDRV_PCM_TRIGGER_START:
	case SNDRV_PCM_TRIGGER_PAUSE_RELEASE:
		start = true;
		break;
	case SNDRV_PCM_TRIGGER_STOP:
	case SNDRV_PCM_TRIGGER_SUSPEND:
	case SNDRV_PCM_TRIGGER_PAUSE_PUSH:
		start = false;
		break;
	default:
		return -EINVAL;
	}

	spin_lock_irqsave(&chip->lock, flags);
	if (start)
		omnibus_isa_dma_mask(st->dma, false);
	spin_lock(&chip->reg_lock);
	wss_out(chip, WSS_I_IFACE, start ? chip->image[WSS_I_IFACE] | enable :
				   chip->image[WSS_I_IFACE] & ~enable);
	spin_unlock(&chip->reg_lock);
	if (!start) {
		omnibus_isa_dma_mask(st->dma, true);
		if (st->running && cmd != SNDRV_PCM_TRIGGER_PAUSE_PUSH)
			omnibus_isa_check_silent(ss, st->started,
						 st->interrupts, st->dma,
						 chip->irq);
	} else {
		st->started = jiffies;
	}
	st->running = start;
	spin_unlock_irqrestore(&chip->lock, flags);
	return 0;
}

static snd_pcm_uframes_t wss_pointer(struct snd_pcm_substream *ss)
{
	struct wss_stream *st = wss_stream_of(ss);

	if (st->dma < 0)
		return 0;
	return bytes_to_frames(ss->runtime, snd_dma_pointer(st->dma, st->bytes));
}

static const struct omnibus_stream_ops wss_stream_ops = {
	.open = wss_open,
	.close = wss_close,
	.hw_params = wss_hw_params,
	.hw_free = wss_hw_free,
	.prepare = wss_prepare,
	.trigger = wss_trigger,
	.pointer = wss_pointer,
};

/* ---- interrupt ------------------------------------------------------------ */

irqreturn_t wss_interrupt(int irq, void *dev_id)
{
	struct snd_pcm_substream *elapsed[2] = { NULL, NULL };
	struct wss *chip = dev_id;
	u8 status, seen = WSS_PI | WSS_CI;
	int dir;

	if (!(inb(chip->port + WSS_R_STATUS) & WSS_ST_INT))
		return IRQ_NONE;

	spin_lock(&chip->reg_lock);
	if (wss_mode2(chip)) {
		status = wss_in(chip, WSS_I_IRQSTAT);
		seen = status & (WSS_PI | WSS_CI | WSS_TI);
		/* 0 clears a flag; the others are written as they were read */
		wss_out(chip, WSS_I_IRQSTAT, status & ~seen);
	}
	outb(0, chip->port + WSS_R_STATUS);
	spin_unlock(&chip->reg_lock);

	spin_lock(&chip->lock);
	chip->interrupts++;
	for (dir = 0; dir < 2; dir++) {
		struct wss_stream *st = &chip->st[dir];
		/* with one channel the engine that runs raised it, as PI */
		u8 bit = dir == SNDRV_PCM_STREAM_CAPTURE && chip->dma2 >= 0 ?
			 WSS_CI : WSS_PI;

		if (chip->dma2 < 0)
			bit = WSS_PI | WSS_CI;
		if (st->running && (seen & bit)) {
			st->interrupts++;
			elapsed[dir] = st->ss;
		}
	}
	spin_unlock(&chip->lock);

	for (dir = 0; dir < 2; dir++)
		if (elapsed[dir])
			snd_pcm_period_elapsed(elapsed[dir]);
	return IRQ_HANDLED;
}

/* ---- the PCM device ---------------------------------------------------------- */

int wss_pcm_new(struct wss *chip)
{
	size_t prealloc_max;
	struct snd_pcm *pcm;
	int dir, err;

	snd_pcm_limit_isa_dma_size(chip->dma1, &prealloc_max);
	chip->desc.name = "WSS";
	chip->desc.device = 0;
	chip->desc.buffer = OMNIBUS_BUF_DMA;
	for (dir = 0; dir < 2; dir++) {
		chip->desc.stream[dir].substreams = 1;
		chip->desc.stream[dir].hw = &wss_hw;
		chip->desc.stream[dir].ops = &wss_stream_ops;
		chip->desc.stream[dir].prealloc = prealloc_max;
		chip->desc.stream[dir].prealloc_max = prealloc_max;
	}
	err = omnibus_pcm_new(&chip->oc, &chip->desc, chip, &pcm);
	if (err < 0)
		return err;
	pcm->info_flags = chip->dma2 >= 0 ? 0 : SNDRV_PCM_INFO_HALF_DUPLEX;
	if (!wss_mode2(chip))
		pcm->info_flags |= SNDRV_PCM_INFO_JOINT_DUPLEX;
	strscpy(pcm->name, wss_kind_name(chip->kind), sizeof(pcm->name));
	return 0;
}
