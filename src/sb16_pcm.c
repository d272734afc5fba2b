// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-sb16: the PCM streams of the Sound Blaster 16, its two ISA
 * DMA channels and its interrupt.
 *
 * Samples move by ISA DMA: the 8237 controller reads (playback) or writes
 * (capture) a ring buffer in the first 16 MiB of memory while the DSP
 * counts samples and interrupts at the end of every block:
 *
 *   0x41 hi lo / 0x42 hi lo   output / input sample rate in Hz
 *   0xC6 / 0xCE mode lo hi    8-bit output / input, auto-init, FIFO
 *   0xB6 / 0xBE mode lo hi    16-bit output / input, auto-init, FIFO
 *                             (mode: bit 4 signed, bit 5 stereo;
 *                              lo hi: samples per block - 1)
 *   0xD0 / 0xD4               halt / continue 8-bit DMA
 *   0xD5 / 0xD6               halt / continue 16-bit DMA
 *
 * The card has two DMA channels: an 8-bit one (0, 1 or 3), which carries
 * 8-bit samples, and a 16-bit one (5, 6 or 7), which carries 16-bit
 * samples.  A stream takes the channel its sample width needs when it sets
 * its hardware parameters and gives it back when it frees them.  So
 * playback and capture can run together when one is 8-bit and the other
 * 16-bit, and at the same rate (the DSP has one sample clock); while one
 * direction holds a channel and a rate, hw_params rules offer the other
 * direction only the formats of the free channel and only that rate.
 * A card set up without a 16-bit channel (dma16=-1) does 8-bit only.
 *
 * Which channel raised an interrupt shows in mixer register 0x82; reading
 * base+0xE acknowledges an 8-bit one, base+0xF a 16-bit one.  The position
 * comes from the 8237's count (snd_dma_pointer(), which masks the channel
 * while it reads the two count bytes).
 *
 * The 8237 cannot cross a 64 KiB (8-bit channel) or 128 KiB (16-bit
 * channel) boundary.  The buffers come from dma_alloc_coherent() on the
 * ISA platform device, whose DMA mask is 24 bits, so they lie in ZONE_DMA;
 * the allocator returns blocks aligned to their power-of-two size (buddy
 * pages and CMA alike), so a buffer of at most 64 KiB (128 KiB) never
 * crosses such a boundary.  8-bit streams are kept to 64 KiB by a
 * hw_params rule, and hw_params checks the placement anyway.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <asm/dma.h>
#include <sound/core.h>
#include <sound/pcm.h>
#include <sound/pcm_params.h>
#include "omnibus.h"
#include "isa.h"
#include "sb16.h"

/* ---- DSP commands --------------------------------------------------------- */

#define SB_CMD_RATE_OUT		0x41
#define SB_CMD_RATE_IN		0x42
#define SB_CMD_DMA16		0xb0	/* 16-bit transfer, | below */
#define SB_CMD_DMA8		0xc0	/* 8-bit transfer, | below */
#define   SB_CMD_FIFO		0x02
#define   SB_CMD_AUTO		0x04
#define   SB_CMD_ADC		0x08
#define SB_MODE_SIGNED		0x10
#define SB_MODE_STEREO		0x20
#define SB_CMD_HALT8		0xd0
#define SB_CMD_CONT8		0xd4
#define SB_CMD_HALT16		0xd5
#define SB_CMD_CONT16		0xd6

#define SB_RATE_MIN		5000
#define SB_RATE_MAX		44100

static struct sb16_stream *sb16_stream_of(struct snd_pcm_substream *ss)
{
	struct sb16 *chip = omnibus_chip(ss);

	return &chip->st[ss->stream];
}

/* ---- PCM ------------------------------------------------------------------ */

#define SB_FORMATS8	(SNDRV_PCM_FMTBIT_U8 | SNDRV_PCM_FMTBIT_S8)
#define SB_FORMATS16	(SNDRV_PCM_FMTBIT_S16_LE | SNDRV_PCM_FMTBIT_U16_LE)
#define SB_BUF8_MAX	SZ_64K		/* the 8237's page for channels 0-3 */
#define SB_BUF16_MAX	SZ_128K		/* and for channels 5-7 */
#define SB_PREALLOC	SZ_64K		/* pre-allocated per substream */

static const struct snd_pcm_hardware sb16_hw = {
	.info = SNDRV_PCM_INFO_MMAP | SNDRV_PCM_INFO_MMAP_VALID |
		SNDRV_PCM_INFO_INTERLEAVED | SNDRV_PCM_INFO_BLOCK_TRANSFER |
		SNDRV_PCM_INFO_PAUSE,
	.formats = SB_FORMATS8 | SB_FORMATS16,	/* narrowed in open */
	.rates = SNDRV_PCM_RATE_CONTINUOUS | SNDRV_PCM_RATE_8000_44100,
	.rate_min = SB_RATE_MIN,
	.rate_max = SB_RATE_MAX,
	.channels_min = 1,
	.channels_max = 2,
	.buffer_bytes_max = SB_BUF16_MAX,
	.period_bytes_min = 64,
	.period_bytes_max = SB_BUF16_MAX,
	.periods_min = 2,
	.periods_max = 1024,
};

static u64 sb_chan_formats(int ch)
{
	return ch == SB_CH16 ? SB_FORMATS16 : SB_FORMATS8;
}

const char *sb16_chan_name(int ch)
{
	return ch == SB_CH16 ? "16-bit" : "8-bit";
}

/* Formats whose channel exists and is not held by the other direction. */
static u64 sb_free_formats(struct sb16_stream *st)
{
	struct sb16 *chip = st->chip;
	unsigned long flags;
	u64 formats = 0;
	int ch;

	spin_lock_irqsave(&chip->lock, flags);
	for (ch = 0; ch < SB_NUM_CHANS; ch++)
		if (chip->chan[ch].dma >= 0 &&
		    chip->chan[ch].owner != !st->dir)
			formats |= sb_chan_formats(ch);
	spin_unlock_irqrestore(&chip->lock, flags);
	return formats;
}

static int sb16_rule_format(struct snd_pcm_hw_params *params,
			    struct snd_pcm_hw_rule *rule)
{
	u64 formats = sb_free_formats(rule->private);
	struct snd_mask m;

	snd_mask_none(&m);
	m.bits[0] = lower_32_bits(formats);
	m.bits[1] = upper_32_bits(formats);
	return snd_mask_refine(hw_param_mask(params, SNDRV_PCM_HW_PARAM_FORMAT),
			       &m);
}

/* The DSP has one sample clock: the rate of the other direction, if set. */
static int sb16_rule_rate(struct snd_pcm_hw_params *params,
			  struct snd_pcm_hw_rule *rule)
{
	struct sb16_stream *st = rule->private;
	struct sb16 *chip = st->chip;
	unsigned long flags;
	unsigned int rate;

	spin_lock_irqsave(&chip->lock, flags);
	rate = chip->st[!st->dir].rate;
	spin_unlock_irqrestore(&chip->lock, flags);
	return omnibus_pcm_refine_rate(params, rate);
}

/* 8-bit formats go through the 8-bit channel: 64 KiB at most. */
static int sb16_rule_buffer(struct snd_pcm_hw_params *params,
			    struct snd_pcm_hw_rule *rule)
{
	const struct snd_mask *fmt = hw_param_mask_c(params,
						     SNDRV_PCM_HW_PARAM_FORMAT);
	struct snd_interval t;

	if (snd_mask_test(fmt, (__force unsigned int)SNDRV_PCM_FORMAT_S16_LE) ||
	    snd_mask_test(fmt, (__force unsigned int)SNDRV_PCM_FORMAT_U16_LE))
		return 0;
	snd_interval_any(&t);
	t.max = SB_BUF8_MAX;
	t.integer = 1;
	return snd_interval_refine(hw_param_interval(params, rule->var), &t);
}

static int sb16_open(struct snd_pcm_substream *ss)
{
	struct sb16_stream *st = sb16_stream_of(ss);
	struct sb16 *chip = st->chip;
	struct snd_pcm_runtime *rt = ss->runtime;
	int err;

	rt->hw.formats = SB_FORMATS8;
	if (chip->chan[SB_CH16].dma >= 0) {
		rt->hw.formats |= SB_FORMATS16;
	} else {
		rt->hw.buffer_bytes_max = SB_BUF8_MAX;
		rt->hw.period_bytes_max = SB_BUF8_MAX;
	}

	err = snd_pcm_hw_constraint_integer(rt, SNDRV_PCM_HW_PARAM_PERIODS);
	if (err < 0)
		return err;
	err = snd_pcm_hw_rule_add(rt, 0, SNDRV_PCM_HW_PARAM_FORMAT,
				  sb16_rule_format, st,
				  SNDRV_PCM_HW_PARAM_FORMAT, -1);
	if (err < 0)
		return err;
	err = snd_pcm_hw_rule_add(rt, 0, SNDRV_PCM_HW_PARAM_RATE,
				  sb16_rule_rate, st,
				  SNDRV_PCM_HW_PARAM_RATE, -1);
	if (err < 0)
		return err;
	err = snd_pcm_hw_rule_add(rt, 0, SNDRV_PCM_HW_PARAM_BUFFER_BYTES,
				  sb16_rule_buffer, st,
				  SNDRV_PCM_HW_PARAM_FORMAT, -1);
	if (err < 0)
		return err;
	err = snd_pcm_hw_rule_add(rt, 0, SNDRV_PCM_HW_PARAM_PERIOD_BYTES,
				  sb16_rule_buffer, st,
				  SNDRV_PCM_HW_PARAM_FORMAT, -1);
	if (err < 0)
		return err;

	spin_lock_irq(&chip->lock);
	st->ss = ss;
	st->ch = -1;
	st->rate = 0;
	st->running = false;
	spin_unlock_irq(&chip->lock);
	return 0;
}

/* Gives back the stream's channel; lock held.  Returns the DMA channel. */
static int sb_release_chan(struct sb16_stream *st)
{
	struct sb16_chan *c;

	st->rate = 0;
	st->running = false;
	if (st->ch < 0)
		return -1;
	c = &st->chip->chan[st->ch];
	c->owner = -1;
	c->bytes = 0;
	st->ch = -1;
	return c->dma;
}

static void sb16_close(struct snd_pcm_substream *ss)
{
	struct sb16_stream *st = sb16_stream_of(ss);
	struct sb16 *chip = st->chip;
	int dma;

	spin_lock_irq(&chip->lock);
	dma = sb_release_chan(st);
	st->ss = NULL;
	spin_unlock_irq(&chip->lock);
	if (dma >= 0)
		snd_dma_disable(dma);
}

static int sb16_hw_params(struct snd_pcm_substream *ss,
			  struct snd_pcm_hw_params *params)
{
	struct sb16_stream *st = sb16_stream_of(ss);
	struct sb16 *chip = st->chip;
	struct device *dev = chip->oc.card->dev;
	struct snd_pcm_runtime *rt = ss->runtime;
	unsigned int rate = params_rate(params);
	size_t bytes = params_buffer_bytes(params);
	int ch, old = -1, busy = 0, err;
	unsigned int other_rate;

	ch = snd_pcm_format_width(params_format(params)) == 16 ? SB_CH16 : SB_CH8;
	if (chip->chan[ch].dma < 0)
		return -EINVAL;
	err = omnibus_isa_dma_reach(dev, chip->chan[ch].dma, rt->dma_addr,
				    bytes);
	if (err < 0)
		return err;

	spin_lock_irq(&chip->lock);
	other_rate = chip->st[!st->dir].rate;
	if (chip->chan[ch].owner == !st->dir)
		busy = 1;
	else if (other_rate && other_rate != rate)
		busy = 2;
	if (!busy) {
		if (st->ch >= 0 && st->ch != ch)
			old = sb_release_chan(st);
		chip->chan[ch].owner = st->dir;
		chip->chan[ch].bytes = bytes;
		st->ch = ch;
		st->rate = rate;
	}
	spin_unlock_irq(&chip->lock);

	if (old >= 0)
		snd_dma_disable(old);
	if (busy == 1) {
		/* only a race between the two directions' hw_params gets here */
		dev_err_ratelimited(dev, "%s: the %s DMA channel is in use by %s: %d\n",
				    st->dir ? "capture" : "playback",
				    sb16_chan_name(ch),
				    st->dir ? "playback" : "capture", -EBUSY);
		return -EBUSY;
	}
	if (busy == 2) {
		dev_err_ratelimited(dev, "%s: %u Hz refused, %s runs at %u Hz (one clock): %d\n",
				    st->dir ? "capture" : "playback", rate,
				    st->dir ? "playback" : "capture",
				    other_rate, -EBUSY);
		return -EBUSY;
	}
	return 0;
}

static void sb16_hw_free(struct snd_pcm_substream *ss)
{
	struct sb16_stream *st = sb16_stream_of(ss);
	struct sb16 *chip = st->chip;
	int dma;

	spin_lock_irq(&chip->lock);
	dma = sb_release_chan(st);
	spin_unlock_irq(&chip->lock);
	if (dma >= 0)
		snd_dma_disable(dma);
}

/*
 * Programs the 8237 (masked) and the DSP's rate; the DMA command itself
 * waits for START, which unmasks the channel and sends it, so nothing
 * moves before it.  (Sent here and halted at once, the command would let
 * a DSP that buffers ahead, as QEMU's does, fill up meanwhile and pour
 * that out at START, faster than the rate.)
 */
static int sb16_prepare(struct snd_pcm_substream *ss)
{
	struct sb16_stream *st = sb16_stream_of(ss);
	struct sb16 *chip = st->chip;
	struct snd_pcm_runtime *rt = ss->runtime;
	bool play = st->dir == SNDRV_PCM_STREAM_PLAYBACK;
	unsigned int bytes = snd_pcm_lib_buffer_bytes(ss);
	unsigned int count = snd_pcm_lib_period_bytes(ss);
	u8 mode = 0, cmd[3];
	int ch = st->ch, dma, err;

	if (ch < 0)
		return -EINVAL;
	dma = chip->chan[ch].dma;
	if (snd_pcm_format_signed(rt->format) > 0)
		mode |= SB_MODE_SIGNED;
	if (rt->channels == 2)
		mode |= SB_MODE_STEREO;
	if (ch == SB_CH16)
		count /= 2;		/* the DSP counts samples */
	count--;

	spin_lock_irq(&chip->lock);
	st->running = false;
	st->interrupts = 0;
	chip->chan[ch].bytes = bytes;
	/* nothing pending from an earlier run */
	inb(chip->port + (ch == SB_CH16 ? SB_DSP_ACK16 : SB_DSP_RSTATUS));
	cmd[0] = play ? SB_CMD_RATE_OUT : SB_CMD_RATE_IN;
	cmd[1] = rt->rate >> 8;
	cmd[2] = rt->rate & 0xff;
	err = sb16_dsp_cmds(chip, cmd, 3);
	spin_unlock_irq(&chip->lock);
	if (err < 0)
		return err;

	snd_dma_program(dma, rt->dma_addr, bytes,
			(play ? DMA_MODE_WRITE : DMA_MODE_READ) | DMA_AUTOINIT |
			DMA_MODE_NO_ENABLE);

	spin_lock_irq(&chip->lock);
	st->start_cmd[0] = (ch == SB_CH16 ? SB_CMD_DMA16 : SB_CMD_DMA8) |
			   SB_CMD_AUTO | SB_CMD_FIFO | (play ? 0 : SB_CMD_ADC);
	st->start_cmd[1] = mode;
	st->start_cmd[2] = count & 0xff;
	st->start_cmd[3] = count >> 8;
	spin_unlock_irq(&chip->lock);
	return 0;
}

static int sb16_trigger(struct snd_pcm_substream *ss, int cmd)
{
	struct sb16_stream *st = sb16_stream_of(ss);
	struct sb16 *chip = st->chip;
	struct sb16_stream *other = &chip->st[!st->dir];
	int ch = st->ch, err = 0;
	unsigned long flags;

	if (ch < 0)
		return -EINVAL;
	spin_lock_irqsave(&chip->lock, flags);
	switch (cmd) {
	case SNDRV_PCM_TRIGGER_START:
	case SNDRV_PCM_TRIGGER_PAUSE_RELEASE:
		omnibus_isa_dma_mask(chip->chan[ch].dma, false);
		/* START always follows a prepare, PAUSE_RELEASE never */
		if (cmd == SNDRV_PCM_TRIGGER_START)
			err = sb16_dsp_cmds(chip, st->start_cmd, sizeof(st->start_cmd));
		else
			err = sb16_dsp_cmd(chip, ch == SB_CH16 ? SB_CMD_CONT16 : SB_CMD_CONT8);
		st->running = !err;
		st->started = jiffies;
		break;
	case SNDRV_PCM_TRIGGER_STOP:
	case SNDRV_PCM_TRIGGER_SUSPEND:
	case SNDRV_PCM_TRIGGER_PAUSE_PUSH:
		err = sb16_dsp_cmd(chip, ch == SB_CH16 ? SB_CMD_HALT16 : SB_CMD_HALT8);
		omnibus_isa_dma_mask(chip->chan[ch].dma, true);
		if (st->running && cmd != SNDRV_PCM_TRIGGER_PAUSE_PUSH)
			omnibus_isa_check_silent(ss, st->started,
						 st->interrupts,
						 chip->chan[ch].dma, chip->irq);
		st->running = false;
		/* some DSP 4.xx halt both directions: keep the other going */
		if (other->running && other->ch >= 0)
			sb16_dsp_cmd(chip, other->ch == SB_CH16 ? SB_CMD_CONT16 :
							    SB_CMD_CONT8);
		break;
	default:
		err = -EINVAL;
		break;
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	return err;
}

static snd_pcm_uframes_t sb16_pointer(struct snd_pcm_substream *ss)
{
	struct sb16_stream *st = sb16_stream_of(ss);
	struct sb16_chan *c;
	unsigned int pos;

	if (st->ch < 0)
		return 0;
	c = &st->chip->chan[st->ch];
	pos = snd_dma_pointer(c->dma, c->bytes);
	return bytes_to_frames(ss->runtime, pos);
}

static const struct omnibus_stream_ops sb16_stream_ops = {
	.open = sb16_open,
	.close = sb16_close,
	.hw_params = sb16_hw_params,
	.hw_free = sb16_hw_free,
	.prepare = sb16_prepare,
	.trigger = sb16_trigger,
	.pointer = sb16_pointer,
};

/* ---- interrupt ------------------------------------------------------------ */

irqreturn_t sb16_interrupt(int irq, void *dev_id)
{
	static const u8 status_bit[SB_NUM_CHANS] = {
		[SB_CH8] = CT1745_ST_DMA8,
		[SB_CH16] = CT1745_ST_DMA16,
	};
	static const unsigned int ack_port[SB_NUM_CHANS] = {
		[SB_CH8] = SB_DSP_RSTATUS,
		[SB_CH16] = SB_DSP_ACK16,
	};
	struct snd_pcm_substream *elapsed[SB_NUM_CHANS] = { NULL, NULL };
	struct sb16 *chip = dev_id;
	struct sb16_stream *st;
	int ch, owner;
	u8 status;

	status = omnibus_ct1745_read(&chip->mixer, CT1745_R_STATUS);
	if (!(status & (CT1745_ST_DMA8 | CT1745_ST_DMA16 | CT1745_ST_MPU)))
		return IRQ_NONE;

	spin_lock(&chip->lock);
	chip->interrupts++;
	if (status & CT1745_ST_MPU)
		sb16_mpu_interrupt(chip, irq);
	for (ch = 0; ch < SB_NUM_CHANS; ch++) {
		if (!(status & status_bit[ch]))
			continue;
		inb(chip->port + ack_port[ch]);
		owner = chip->chan[ch].owner;
		if (owner < 0)
			continue;
		st = &chip->st[owner];
		if (st->running && st->ch == ch) {
			st->interrupts++;
			elapsed[ch] = st->ss;
		}
	}
	spin_unlock(&chip->lock);

	for (ch = 0; ch < SB_NUM_CHANS; ch++)
		if (elapsed[ch])
			snd_pcm_period_elapsed(elapsed[ch]);
	return IRQ_HANDLED;
}

/* ---- the PCM device ---------------------------------------------------------- */

int sb16_pcm_new(struct sb16 *chip)
{
	size_t prealloc, prealloc_max;
	struct snd_pcm *pcm;
	int ch, err;

	/*
	 * The widest channel decides what a stream may need (128 KiB with a
	 * 16-bit channel); pre-allocate 64 KiB of it, as snd-sb16 does, and
	 * let the prealloc proc file raise that to the whole page.
	 */
	snd_pcm_limit_isa_dma_size(chip->chan[SB_CH16].dma >= 0 ?
				   chip->chan[SB_CH16].dma :
				   chip->chan[SB_CH8].dma, &prealloc_max);
	prealloc = min_t(size_t, prealloc_max, SB_PREALLOC);
	chip->desc.name = "SB16 DSP";
	chip->desc.device = 0;
	chip->desc.buffer = OMNIBUS_BUF_DMA;
	for (ch = 0; ch < 2; ch++) {
		chip->desc.stream[ch].substreams = 1;
		chip->desc.stream[ch].hw = &sb16_hw;
		chip->desc.stream[ch].ops = &sb16_stream_ops;
		chip->desc.stream[ch].prealloc = prealloc;
		chip->desc.stream[ch].prealloc_max = prealloc_max;
	}
	err = omnibus_pcm_new(&chip->oc, &chip->desc, chip, &pcm);
	if (err < 0)
		return err;
	pcm->info_flags = chip->chan[SB_CH16].dma >= 0 ?
			  SNDRV_PCM_INFO_JOINT_DUPLEX : SNDRV_PCM_INFO_HALF_DUPLEX;
	snprintf(pcm->name, sizeof(pcm->name), "DSP v%d.%02d",
		 chip->version >> 8, chip->version & 0xff);
	return 0;
}
