// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-es1370: Ensoniq AudioPCI ES1370 (PCI 1274:5000).
 *
 * The ES1370 moves audio through three bus-master channels.  Each one walks
 * a ring buffer in host memory in 32-bit words:
 *
 *   DAC1  playback  5512, 11025, 22050 or 44100 Hz      PCM device 1
 *   DAC2  playback  1411200 / (div + 2) Hz, shared div  PCM device 0
 *   ADC   capture   1411200 / (div + 2) Hz, shared div  PCM device 0
 *
 * A channel counts samples down from the period length, reloads the count
 * when it runs out and flags an interrupt; clearing and setting the
 * channel's interrupt enable acknowledges it.  The word the channel is
 * working on can be read from its frame size register, which lives in a
 * memory page selected through MEMPAGE.
 *
 * DAC2 and ADC share the clock divider.  Whichever of them sets its
 * hardware parameters first owns the rate until it frees them; meanwhile
 * a hw_params rule lets the other choose that rate only.
 *
 * The analogue side is an AK4531 codec (ak4531.c), programmed through the
 * CODEC register.  Two general purpose outputs of the chip drive board
 * switches: the line-in jack as a second output and the microphone bias.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <sound/control.h>
#include <sound/core.h>
#include <sound/initval.h>
#include <sound/info.h>
#include <sound/pcm.h>
#include <sound/pcm_params.h>
#include "omnibus.h"
#include "ak4531.h"

MODULE_AUTHOR("The snd-omnibus developers");
MODULE_DESCRIPTION("ALSA driver for the Ensoniq AudioPCI ES1370 (snd-omnibus)");
MODULE_LICENSE("GPL");
MODULE_VERSION(OMNIBUS_VERSION);
OMNIBUS_IMPORT_NS();

static int index[SNDRV_CARDS] = SNDRV_DEFAULT_IDX;
static char *id[SNDRV_CARDS] = SNDRV_DEFAULT_STR;
static bool enable[SNDRV_CARDS] = SNDRV_DEFAULT_ENABLE_PNP;

module_param_array(index, int, NULL, 0444);
MODULE_PARM_DESC(index, "Index value for each snd-omnibus-es1370 card, in slot order.");
module_param_array(id, charp, NULL, 0444);
MODULE_PARM_DESC(id, "ID string for each snd-omnibus-es1370 card, in slot order.");
module_param_array(enable, bool, NULL, 0444);
MODULE_PARM_DESC(enable, "Enable each snd-omnibus-es1370 card slot (a disabled slot is skipped).");

static struct omnibus_driver es1370_core = OMNIBUS_DRIVER(index, id, enable);

/* ---- registers (BAR 0, I/O space) ------------------------------------- */

#define ES_CONTROL		0x00
#define   ES_CTL_XCTL1		BIT(30)		/* board: mic +5 V bias */
#define   ES_CTL_PCLKDIV	GENMASK(28, 16)	/* DAC2/ADC divider */
#define   ES_CTL_WTSRSEL	GENMASK(13, 12)	/* DAC1 rate select */
#define   ES_CTL_XCTL0		BIT(8)		/* board: DAC2 on line jack */
#define   ES_CTL_DAC1_EN	BIT(6)
#define   ES_CTL_DAC2_EN	BIT(5)
#define   ES_CTL_ADC_EN		BIT(4)
#define   ES_CTL_CDC_EN		BIT(1)		/* codec port enable */
#define   ES_CTL_SERR_DIS	BIT(0)		/* no PCI SERR# */
#define ES_STATUS		0x04
#define   ES_ST_INTR		BIT(31)		/* an interrupt is pending */
#define   ES_ST_CSTAT		BIT(10)		/* codec port busy */
#define   ES_ST_DAC1		BIT(2)
#define   ES_ST_DAC2		BIT(1)
#define   ES_ST_ADC		BIT(0)
#define ES_UART_CONTROL		0x09		/* byte wide */
#define ES_UART_TEST		0x0a		/* byte wide */
#define ES_MEMPAGE		0x0c
#define ES_CODEC		0x10		/* 16 bit: reg << 8 | value */
#define ES_SERIAL		0x20
#define   ES_SER_P2_END_INC	GENMASK(21, 19)	/* DAC2 loop end increment */
#define   ES_SER_P2_ST_INC	GENMASK(18, 16)	/* DAC2 start increment */
#define   ES_SER_R1_LOOP_SEL	BIT(15)		/* set: stop at ring end */
#define   ES_SER_P2_LOOP_SEL	BIT(14)
#define   ES_SER_P1_LOOP_SEL	BIT(13)
#define   ES_SER_P2_PAUSE	BIT(12)
#define   ES_SER_P1_PAUSE	BIT(11)
#define   ES_SER_R1_INT_EN	BIT(10)
#define   ES_SER_P2_INT_EN	BIT(9)
#define   ES_SER_P1_INT_EN	BIT(8)
#define   ES_SER_P1_SCT_RLD	BIT(7)		/* DAC1 counter reload */
#define   ES_SER_P2_DAC_SEN	BIT(6)		/* DAC2 stopped: repeat */
#define   ES_SER_R1_MODE_SHIFT	4		/* 2-bit sample formats */
#define   ES_SER_P2_MODE_SHIFT	2
#define   ES_SER_P1_MODE_SHIFT	0
#define   ES_FMT_16BIT		BIT(1)
#define   ES_FMT_STEREO		BIT(0)
#define   ES_FMT_MASK		0x3
#define ES_DAC1_COUNT		0x24		/* samples per period - 1 */
#define ES_DAC2_COUNT		0x28
#define ES_ADC_COUNT		0x2c

/* 0x30..0x3f show the memory page selected in MEMPAGE */
#define ES_PAGE_DAC		0x0c
#define ES_PAGE_ADC		0x0d
#define ES_DAC1_FRAME		0x30		/* page DAC: ring address */
#define ES_DAC1_SIZE		0x34		/* page DAC: ES_FSIZE_* */
#define ES_DAC2_FRAME		0x38
#define ES_DAC2_SIZE		0x3c
#define ES_ADC_FRAME		0x30		/* page ADC */
#define ES_ADC_SIZE		0x34
#define ES_PHANTOM_FRAME	0x38		/* page ADC */
#define ES_PHANTOM_COUNT	0x3c
#define   ES_FSIZE_LAST		GENMASK(15, 0)	/* ring length in words - 1 */
#define   ES_FSIZE_POS		GENMASK(31, 16)	/* word in progress */

#define ES_IO_SIZE		0x40

/* ALSA PCM devices */
#define ES_PCM_DAC2_ADC		0
#define ES_PCM_DAC1		1

/* ---- limits ------------------------------------------------------------ */

#define ES_PCLK			1411200		/* DAC2/ADC clock in Hz */
#define ES_DEN_MIN		30		/* 47040 Hz */
#define ES_DEN_MAX		352		/* 4009 Hz */
#define ES_DEN_DEFAULT		32		/* 44100 Hz */
#define ES_PERIOD_FRAMES_MAX	65536		/* 16-bit sample counter */
#define ES_BUF_PREALLOC		(64 * 1024)
#define ES_BUF_MAX		(128 * 1024)	/* the ring may be 256 KiB */
#define ES_PHANTOM_BYTES	64
#define ES_CODEC_TIMEOUT_MS	100

/* ---- the chip ------------------------------------------------------------ */

enum es1370_chan_id { ES_DAC1, ES_DAC2, ES_ADC, ES_NUM_CHANS };

/* Where one channel's bits and registers are. */
struct es1370_chan_info {
	const char *name;
	u32 enable;		/* CONTROL */
	u32 int_en;		/* SERIAL */
	u32 pause;		/* SERIAL; 0: the channel cannot pause */
	u32 loop_sel;		/* SERIAL */
	unsigned int mode_shift;/* SERIAL sample format field */
	u32 pending;		/* STATUS */
	unsigned int count;	/* sample counter */
	unsigned int page;	/* MEMPAGE value for frame and size */
	unsigned int frame;
	unsigned int size;
};

static const struct es1370_chan_info es1370_chans[ES_NUM_CHANS] = {
	[ES_DAC1] = {
		.name = "DAC1",
		.enable = ES_CTL_DAC1_EN,
		.int_en = ES_SER_P1_INT_EN,
		.pause = ES_SER_P1_PAUSE,
		.loop_sel = ES_SER_P1_LOOP_SEL,
		.mode_shift = ES_SER_P1_MODE_SHIFT,
		.pending = ES_ST_DAC1,
		.count = ES_DAC1_COUNT,
		.page = ES_PAGE_DAC,
		.frame = ES_DAC1_FRAME,
		.size = ES_DAC1_SIZE,
	},
	[ES_DAC2] = {
		.name = "DAC2",
		.enable = ES_CTL_DAC2_EN,
		.int_en = ES_SER_P2_INT_EN,
		.pause = ES_SER_P2_PAUSE,
		.loop_sel = ES_SER_P2_LOOP_SEL,
		.mode_shift = ES_SER_P2_MODE_SHIFT,
		.pending = ES_ST_DAC2,
		.count = ES_DAC2_COUNT,
		.page = ES_PAGE_DAC,
		.frame = ES_DAC2_FRAME,
		.size = ES_DAC2_SIZE,
	},
	[ES_ADC] = {
		.name = "ADC",
		.enable = ES_CTL_ADC_EN,
		.int_en = ES_SER_R1_INT_EN,
		.pause = 0,
		.loop_sel = ES_SER_R1_LOOP_SEL,
		.mode_shift = ES_SER_R1_MODE_SHIFT,
		.pending = ES_ST_ADC,
		.count = ES_ADC_COUNT,
		.page = ES_PAGE_ADC,
		.frame = ES_ADC_FRAME,
		.size = ES_ADC_SIZE,
	},
};

/* DAC1 rates, indexed by their WTSRSEL code */
static const unsigned int es1370_dac1_rates[] = { 5512, 11025, 22050, 44100 };

struct es1370;

struct es1370_chan {
	struct es1370 *chip;
	const struct es1370_chan_info *info;
	unsigned int id;
	struct snd_pcm_substream *ss;	/* the open substream, or NULL */
	unsigned int den;		/* DAC2/ADC: clock divisor in use */
};

struct es1370 {
	struct omnibus_card oc;		/* must come first */
	struct pci_dev *pci;
	unsigned long port;
	int irq;			/* -1 until requested */
	bool enabled;			/* pci_enable_device() done */
	bool regions;			/* pci_request_regions() done */

	spinlock_t lock;		/* all below, MEMPAGE and the registers */
	u32 ctrl;			/* last value written to CONTROL */
	u32 sctrl;			/* last value written to SERIAL */
	unsigned int pclk_users;	/* BIT(ES_DAC2) | BIT(ES_ADC) */
	unsigned int pclk_den;		/* their divisor while they hold it */
	struct es1370_chan chan[ES_NUM_CHANS];

	/* a harmless target for the chip's phantom frame */
	void *phantom;
	dma_addr_t phantom_addr;

	struct omnibus_ak4531 codec;
};

static inline void es_out(struct es1370 *chip, unsigned int reg, u32 val)
{
	outl(val, chip->port + reg);
}

static inline u32 es_in(struct es1370 *chip, unsigned int reg)
{
	return inl(chip->port + reg);
}

static struct es1370 *es1370_of(struct omnibus_card *oc)
{
	return container_of(oc, struct es1370, oc);
}

static struct es1370_chan *es1370_chan_of(struct snd_pcm_substream *ss)
{
	struct es1370 *chip = omnibus_chip(ss);

	if (ss->pcm->device == ES_PCM_DAC1)
		return &chip->chan[ES_DAC1];
	if (ss->stream == SNDRV_PCM_STREAM_PLAYBACK)
		return &chip->chan[ES_DAC2];
	return &chip->chan[ES_ADC];
}

/* Turns every channel and its interrupt off; lock held. */
static void es1370_stop_all(struct es1370 *chip)
{
	unsigned int i;

	for (i = 0; i < ES_NUM_CHANS; i++) {
		chip->ctrl &= ~es1370_chans[i].enable;
		chip->sctrl &= ~(es1370_chans[i].int_en |
				 es1370_chans[i].pause);
	}
	es_out(chip, ES_CONTROL, chip->ctrl);
	es_out(chip, ES_SERIAL, chip->sctrl);
}

/*
 * Writes the chip state kept in the driver: CONTROL (clocks, codec port,
 * board switches), SERIAL (sample formats), the phantom frame and the
 * UART.  Channels and their interrupts are left off; prepare and trigger
 * turn them on.
 */
static void es1370_hw_init(struct es1370 *chip)
{
	spin_lock_irq(&chip->lock);
	es1370_stop_all(chip);
	es_out(chip, ES_MEMPAGE, ES_PAGE_ADC);
	es_out(chip, ES_PHANTOM_FRAME, lower_32_bits(chip->phantom_addr));
	es_out(chip, ES_PHANTOM_COUNT, 0);
	outb(0, chip->port + ES_UART_CONTROL);
	outb(0, chip->port + ES_UART_TEST);
	spin_unlock_irq(&chip->lock);
}

/* omnibus_ak4531_write_t: one codec register through the CODEC port */
static int es1370_codec_write(void *host, unsigned int reg, unsigned int val)
{
	struct es1370 *chip = host;
	unsigned long deadline;

	deadline = jiffies + msecs_to_jiffies(ES_CODEC_TIMEOUT_MS);
	while (es_in(chip, ES_STATUS) & ES_ST_CSTAT) {
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(10, 50);
	}
	outw((reg & 0xff) << 8 | (val & 0xff), chip->port + ES_CODEC);
	return 0;
}

/* ---- PCM ------------------------------------------------------------------ */

#define ES_PCM_INFO	(SNDRV_PCM_INFO_MMAP | SNDRV_PCM_INFO_MMAP_VALID | \
			 SNDRV_PCM_INFO_INTERLEAVED | \
			 SNDRV_PCM_INFO_BLOCK_TRANSFER)
#define ES_PCM_FORMATS	(SNDRV_PCM_FMTBIT_U8 | SNDRV_PCM_FMTBIT_S16_LE)

static const struct snd_pcm_hardware es1370_hw_dac1 = {
	.info = ES_PCM_INFO | SNDRV_PCM_INFO_PAUSE,
	.formats = ES_PCM_FORMATS,
	.rates = SNDRV_PCM_RATE_KNOT | SNDRV_PCM_RATE_11025 |
		 SNDRV_PCM_RATE_22050 | SNDRV_PCM_RATE_44100,
	.rate_min = 5512,
	.rate_max = 44100,
	.channels_min = 1,
	.channels_max = 2,
	.buffer_bytes_max = ES_BUF_MAX,
	.period_bytes_min = 64,
	.period_bytes_max = ES_BUF_MAX / 2,
	.periods_min = 2,
	.periods_max = 1024,
};

static const struct snd_pcm_hardware es1370_hw_dac2 = {
	.info = ES_PCM_INFO | SNDRV_PCM_INFO_PAUSE,
	.formats = ES_PCM_FORMATS,
	.rates = SNDRV_PCM_RATE_CONTINUOUS,	/* 1411200 / den, see open */
	.rate_min = ES_PCLK / ES_DEN_MAX,
	.rate_max = ES_PCLK / ES_DEN_MIN,
	.channels_min = 1,
	.channels_max = 2,
	.buffer_bytes_max = ES_BUF_MAX,
	.period_bytes_min = 64,
	.period_bytes_max = ES_BUF_MAX / 2,
	.periods_min = 2,
	.periods_max = 1024,
};

/* the ADC has no pause bit */
static const struct snd_pcm_hardware es1370_hw_adc = {
	.info = ES_PCM_INFO,
	.formats = ES_PCM_FORMATS,
	.rates = SNDRV_PCM_RATE_CONTINUOUS,	/* 1411200 / den, see open */
	.rate_min = ES_PCLK / ES_DEN_MAX,
	.rate_max = ES_PCLK / ES_DEN_MIN,
	.channels_min = 1,
	.channels_max = 2,
	.buffer_bytes_max = ES_BUF_MAX,
	.period_bytes_min = 64,
	.period_bytes_max = ES_BUF_MAX / 2,
	.periods_min = 2,
	.periods_max = 1024,
};

static const struct snd_pcm_hw_constraint_list es1370_dac1_rate_list = {
	.count = ARRAY_SIZE(es1370_dac1_rates),
	.list = es1370_dac1_rates,
};

static const struct snd_ratnum es1370_pclk = {
	.num = ES_PCLK,
	.den_min = ES_DEN_MIN,
	.den_max = ES_DEN_MAX,
	.den_step = 1,
};

static const struct snd_pcm_hw_constraint_ratnums es1370_pclk_rates = {
	.nrats = 1,
	.rats = &es1370_pclk,
};

/*
 * hw_params rule of DAC2 and ADC: while the other one of the pair holds the
 * divider, the rate interval shrinks to the rate it makes.
 */
static int es1370_rule_shared_pclk(struct snd_pcm_hw_params *params,
				   struct snd_pcm_hw_rule *rule)
{
	struct es1370_chan *ch = rule->private;
	struct es1370 *chip = ch->chip;
	struct snd_ratnum held = { .num = ES_PCLK, .den_step = 1 };
	unsigned int num = 0, den = 0, others;
	unsigned long flags;
	int err;

	spin_lock_irqsave(&chip->lock, flags);
	others = chip->pclk_users & ~BIT(ch->id);
	held.den_min = chip->pclk_den;
	held.den_max = chip->pclk_den;
	spin_unlock_irqrestore(&chip->lock, flags);
	if (!others)
		return 0;

	err = snd_interval_ratnum(hw_param_interval(params, rule->var), 1,
				  &held, &num, &den);
	if (err >= 0 && den) {
		params->rate_num = num;
		params->rate_den = den;
	}
	return err;
}

static int es1370_open(struct snd_pcm_substream *ss)
{
	struct es1370_chan *ch = es1370_chan_of(ss);
	struct es1370 *chip = ch->chip;
	struct snd_pcm_runtime *rt = ss->runtime;
	int err;

	/* the period is counted in 16 bits, the ring in 32-bit words */
	err = snd_pcm_hw_constraint_minmax(rt, SNDRV_PCM_HW_PARAM_PERIOD_SIZE,
					   1, ES_PERIOD_FRAMES_MAX);
	if (err < 0)
		return err;
	err = snd_pcm_hw_constraint_step(rt, 0,
					 SNDRV_PCM_HW_PARAM_PERIOD_BYTES, 4);
	if (err < 0)
		return err;
	err = snd_pcm_hw_constraint_step(rt, 0,
					 SNDRV_PCM_HW_PARAM_BUFFER_BYTES, 4);
	if (err < 0)
		return err;
	err = snd_pcm_hw_constraint_integer(rt, SNDRV_PCM_HW_PARAM_PERIODS);
	if (err < 0)
		return err;

	if (ch->id == ES_DAC1) {
		err = snd_pcm_hw_constraint_list(rt, 0, SNDRV_PCM_HW_PARAM_RATE,
						 &es1370_dac1_rate_list);
	} else {
		err = snd_pcm_hw_constraint_ratnums(rt, 0,
						    SNDRV_PCM_HW_PARAM_RATE,
						    &es1370_pclk_rates);
		if (err < 0)
			return err;
		err = snd_pcm_hw_rule_add(rt, 0, SNDRV_PCM_HW_PARAM_RATE,
					  es1370_rule_shared_pclk, ch,
					  SNDRV_PCM_HW_PARAM_RATE, -1);
	}
	if (err < 0)
		return err;

	spin_lock_irq(&chip->lock);
	ch->ss = ss;
	spin_unlock_irq(&chip->lock);
	return 0;
}

static void es1370_close(struct snd_pcm_substream *ss)
{
	struct es1370_chan *ch = es1370_chan_of(ss);
	struct es1370 *chip = ch->chip;

	spin_lock_irq(&chip->lock);
	ch->ss = NULL;
	chip->pclk_users &= ~BIT(ch->id);
	spin_unlock_irq(&chip->lock);
}

/* The divisor (divider + 2) for the rate hw_params settled on. */
static unsigned int es1370_params_den(struct snd_pcm_hw_params *params)
{
	unsigned int den;

	if (params->rate_num == ES_PCLK && params->rate_den)
		den = params->rate_den;
	else
		den = DIV_ROUND_CLOSEST(ES_PCLK, params_rate(params));
	return clamp_t(unsigned int, den, ES_DEN_MIN, ES_DEN_MAX);
}

static int es1370_hw_params(struct snd_pcm_substream *ss,
			    struct snd_pcm_hw_params *params)
{
	struct es1370_chan *ch = es1370_chan_of(ss);
	struct es1370 *chip = ch->chip;
	unsigned int den, others, held = 0;

	if (ch->id == ES_DAC1)
		return 0;

	den = es1370_params_den(params);
	spin_lock_irq(&chip->lock);
	others = chip->pclk_users & ~BIT(ch->id);
	if (others && chip->pclk_den != den) {
		held = chip->pclk_den;
	} else {
		chip->pclk_users |= BIT(ch->id);
		chip->pclk_den = den;
		ch->den = den;
	}
	spin_unlock_irq(&chip->lock);

	if (held) {
		/* only a race with the other stream's hw_params gets here */
		dev_err_ratelimited(chip->oc.card->dev,
				    "%s: %u Hz refused, %s holds the shared clock at %u Hz\n",
				    ch->info->name, ES_PCLK / den,
				    es1370_chans[ch->id == ES_DAC2 ?
						 ES_ADC : ES_DAC2].name,
				    ES_PCLK / held);
		return -EBUSY;
	}
	return 0;
}

static void es1370_hw_free(struct snd_pcm_substream *ss)
{
	struct es1370_chan *ch = es1370_chan_of(ss);
	struct es1370 *chip = ch->chip;

	spin_lock_irq(&chip->lock);
	chip->pclk_users &= ~BIT(ch->id);
	spin_unlock_irq(&chip->lock);
}

static int es1370_prepare(struct snd_pcm_substream *ss)
{
	struct es1370_chan *ch = es1370_chan_of(ss);
	const struct es1370_chan_info *info = ch->info;
	struct es1370 *chip = ch->chip;
	struct snd_pcm_runtime *rt = ss->runtime;
	size_t bytes = snd_pcm_lib_buffer_bytes(ss);
	u32 fmt = 0, rate_mask, rate_bits;
	unsigned int i;

	if (snd_pcm_format_width(rt->format) == 16)
		fmt |= ES_FMT_16BIT;
	if (rt->channels == 2)
		fmt |= ES_FMT_STEREO;

	if (ch->id == ES_DAC1) {
		for (i = 0; i < ARRAY_SIZE(es1370_dac1_rates); i++)
			if (es1370_dac1_rates[i] == rt->rate)
				break;
		if (i == ARRAY_SIZE(es1370_dac1_rates)) {
			dev_err(chip->oc.card->dev, "DAC1 cannot play at %u Hz\n",
				rt->rate);
			return -EINVAL;
		}
		rate_mask = ES_CTL_WTSRSEL;
		rate_bits = FIELD_PREP(ES_CTL_WTSRSEL, i);
	} else {
		rate_mask = ES_CTL_PCLKDIV;
		rate_bits = FIELD_PREP(ES_CTL_PCLKDIV, ch->den - 2);
	}

	spin_lock_irq(&chip->lock);
	/* channel off while its ring changes */
	chip->ctrl &= ~info->enable;
	es_out(chip, ES_CONTROL, chip->ctrl);

	chip->sctrl &= ~(info->int_en | info->pause | info->loop_sel |
			 ES_FMT_MASK << info->mode_shift);
	chip->sctrl |= fmt << info->mode_shift;
	if (ch->id == ES_DAC2) {
		/* DAC2 steps one byte per 8-bit sample, two per 16-bit one */
		chip->sctrl &= ~(ES_SER_P2_END_INC | ES_SER_P2_ST_INC |
				 ES_SER_P2_DAC_SEN);
		chip->sctrl |= FIELD_PREP(ES_SER_P2_END_INC,
					  fmt & ES_FMT_16BIT ? 2 : 1);
	} else if (ch->id == ES_DAC1) {
		chip->sctrl &= ~ES_SER_P1_SCT_RLD;
	}
	es_out(chip, ES_SERIAL, chip->sctrl);

	es_out(chip, ES_MEMPAGE, info->page);
	es_out(chip, info->frame, lower_32_bits(rt->dma_addr));
	es_out(chip, info->size, FIELD_PREP(ES_FSIZE_LAST, bytes / 4 - 1));
	es_out(chip, info->count, rt->period_size - 1);

	chip->ctrl = (chip->ctrl & ~rate_mask) | rate_bits;
	es_out(chip, ES_CONTROL, chip->ctrl);
	spin_unlock_irq(&chip->lock);
	return 0;
}

static int es1370_trigger(struct snd_pcm_substream *ss, int cmd)
{
	struct es1370_chan *ch = es1370_chan_of(ss);
	const struct es1370_chan_info *info = ch->info;
	struct es1370 *chip = ch->chip;
	int err = 0;

	spin_lock(&chip->lock);
	switch (cmd) {
	case SNDRV_PCM_TRIGGER_START:
		chip->sctrl = (chip->sctrl & ~info->pause) | info->int_en;
		es_out(chip, ES_SERIAL, chip->sctrl);
		chip->ctrl |= info->enable;
		es_out(chip, ES_CONTROL, chip->ctrl);
		break;
	case SNDRV_PCM_TRIGGER_STOP:
	case SNDRV_PCM_TRIGGER_SUSPEND:
		chip->ctrl &= ~info->enable;
		es_out(chip, ES_CONTROL, chip->ctrl);
		chip->sctrl &= ~(info->int_en | info->pause);
		es_out(chip, ES_SERIAL, chip->sctrl);
		break;
	case SNDRV_PCM_TRIGGER_PAUSE_PUSH:
	case SNDRV_PCM_TRIGGER_PAUSE_RELEASE:
		if (!info->pause) {
			err = -EINVAL;
			break;
		}
		if (cmd == SNDRV_PCM_TRIGGER_PAUSE_PUSH)
			chip->sctrl |= info->pause;
		else
			chip->sctrl &= ~info->pause;
		es_out(chip, ES_SERIAL, chip->sctrl);
		break;
	default:
		err = -EINVAL;
		break;
	}
	spin_unlock(&chip->lock);
	return err;
}

static snd_pcm_uframes_t es1370_pointer(struct snd_pcm_substream *ss)
{
	struct es1370_chan *ch = es1370_chan_of(ss);
	struct es1370 *chip = ch->chip;
	size_t pos;
	u32 val;

	spin_lock(&chip->lock);
	es_out(chip, ES_MEMPAGE, ch->info->page);
	val = es_in(chip, ch->info->size);
	spin_unlock(&chip->lock);

	pos = (size_t)FIELD_GET(ES_FSIZE_POS, val) * 4;
	if (pos >= snd_pcm_lib_buffer_bytes(ss))
		pos = 0;
	return bytes_to_frames(ss->runtime, pos);
}

static const struct omnibus_stream_ops es1370_stream_ops = {
	.open = es1370_open,
	.close = es1370_close,
	.hw_params = es1370_hw_params,
	.hw_free = es1370_hw_free,
	.prepare = es1370_prepare,
	.trigger = es1370_trigger,
	.pointer = es1370_pointer,
};

static const struct omnibus_pcm_desc es1370_pcm_dac2_adc = {
	.name = "ES1370 DAC2/ADC",
	.device = ES_PCM_DAC2_ADC,
	.buffer = OMNIBUS_BUF_DMA,
	.stream = {
		[SNDRV_PCM_STREAM_PLAYBACK] =
			OMNIBUS_STREAM(&es1370_hw_dac2, &es1370_stream_ops,
				       ES_BUF_PREALLOC, ES_BUF_MAX),
		[SNDRV_PCM_STREAM_CAPTURE] =
			OMNIBUS_STREAM(&es1370_hw_adc, &es1370_stream_ops,
				       ES_BUF_PREALLOC, ES_BUF_MAX),
	},
};

static const struct omnibus_pcm_desc es1370_pcm_dac1 = {
	.name = "ES1370 DAC1",
	.device = ES_PCM_DAC1,
	.buffer = OMNIBUS_BUF_DMA,
	.stream = {
		[SNDRV_PCM_STREAM_PLAYBACK] =
			OMNIBUS_STREAM(&es1370_hw_dac1, &es1370_stream_ops,
				       ES_BUF_PREALLOC, ES_BUF_MAX),
	},
};

/* ---- interrupt -------------------------------------------------------- */

static irqreturn_t es1370_interrupt(int irq, void *dev_id)
{
	struct es1370 *chip = dev_id;
	struct snd_pcm_substream *elapsed[ES_NUM_CHANS];
	const struct es1370_chan_info *info;
	u32 status, ack = 0;
	unsigned int i;

	status = es_in(chip, ES_STATUS);
	/* all ones: the device is gone or asleep; no INTR: another device */
	if (status == ~0U || !(status & ES_ST_INTR))
		return IRQ_NONE;

	spin_lock(&chip->lock);
	for (i = 0; i < ES_NUM_CHANS; i++) {
		info = &es1370_chans[i];
		elapsed[i] = NULL;
		if (!(status & info->pending))
			continue;
		ack |= info->int_en;
		if (chip->ctrl & info->enable)
			elapsed[i] = chip->chan[i].ss;
	}
	if (ack) {
		/* a falling interrupt enable clears the channel's flag */
		es_out(chip, ES_SERIAL, chip->sctrl & ~ack);
		es_out(chip, ES_SERIAL, chip->sctrl);
	}
	spin_unlock(&chip->lock);
	if (!ack)
		return IRQ_NONE;

	for (i = 0; i < ES_NUM_CHANS; i++)
		if (elapsed[i])
			snd_pcm_period_elapsed(elapsed[i]);
	return IRQ_HANDLED;
}

/* ---- board switches ------------------------------------------------------ */

static int es1370_gpo_get(struct snd_kcontrol *kc,
			  struct snd_ctl_elem_value *uval)
{
	struct es1370 *chip = snd_kcontrol_chip(kc);
	u32 bit = kc->private_value;

	spin_lock_irq(&chip->lock);
	uval->value.integer.value[0] = !!(chip->ctrl & bit);
	spin_unlock_irq(&chip->lock);
	return 0;
}

static int es1370_gpo_put(struct snd_kcontrol *kc,
			  struct snd_ctl_elem_value *uval)
{
	struct es1370 *chip = snd_kcontrol_chip(kc);
	u32 bit = kc->private_value;
	long on = uval->value.integer.value[0];
	int changed;
	u32 old;

	if (on < 0 || on > 1)
		return -EINVAL;
	spin_lock_irq(&chip->lock);
	old = chip->ctrl;
	if (on)
		chip->ctrl |= bit;
	else
		chip->ctrl &= ~bit;
	changed = chip->ctrl != old;
	if (changed)
		es_out(chip, ES_CONTROL, chip->ctrl);
	spin_unlock_irq(&chip->lock);
	return changed;
}

static const struct snd_kcontrol_new es1370_gpo_controls[] = {
	{
		/*
		 * alsa-lib's cards/ENS1370.conf sets the control of this name
		 * and interface for its "rear" and "surround40" devices
		 */
		.iface = SNDRV_CTL_ELEM_IFACE_CARD,
		.name = "PCM 0 Output also on Line-In Jack",
		.info = snd_ctl_boolean_mono_info,
		.get = es1370_gpo_get,
		.put = es1370_gpo_put,
		.private_value = ES_CTL_XCTL0,
	},
	{
		.iface = SNDRV_CTL_ELEM_IFACE_MIXER,
		.name = "Mic +5V Bias Switch",
		.info = snd_ctl_boolean_mono_info,
		.get = es1370_gpo_get,
		.put = es1370_gpo_put,
		.private_value = ES_CTL_XCTL1,
	},
};

/* ---- proc ---------------------------------------------------------------- */

static void es1370_proc_read(struct snd_info_entry *entry,
			     struct snd_info_buffer *buf)
{
	struct es1370 *chip = entry->private_data;
	unsigned int users, den, i;
	u32 ctrl, sctrl;

	spin_lock_irq(&chip->lock);
	ctrl = chip->ctrl;
	sctrl = chip->sctrl;
	users = chip->pclk_users;
	den = FIELD_GET(ES_CTL_PCLKDIV, ctrl) + 2;
	spin_unlock_irq(&chip->lock);

	snd_iprintf(buf, "Ensoniq ES1370 at 0x%lx, irq %d\n",
		    chip->port, chip->irq);
	snd_iprintf(buf, "CONTROL 0x%08x, SERIAL 0x%08x\n", ctrl, sctrl);
	for (i = 0; i < ES_NUM_CHANS; i++)
		snd_iprintf(buf, "%-4s  %s\n", es1370_chans[i].name,
			    ctrl & es1370_chans[i].enable ? "running" :
			    "stopped");
	snd_iprintf(buf, "DAC1 rate: %u Hz\n",
		    es1370_dac1_rates[FIELD_GET(ES_CTL_WTSRSEL, ctrl)]);
	snd_iprintf(buf, "DAC2/ADC rate: %u Hz (divider %u), held by %s%s%s\n",
		    ES_PCLK / den, den - 2,
		    users & BIT(ES_DAC2) ? "DAC2 " : "",
		    users & BIT(ES_ADC) ? "ADC " : "",
		    users ? "" : "nobody");
	snd_iprintf(buf, "Line-in jack output: %s, mic bias: %s\n",
		    ctrl & ES_CTL_XCTL0 ? "on" : "off",
		    ctrl & ES_CTL_XCTL1 ? "on" : "off");
}

/* ---- probe and remove ------------------------------------------------------ */

/* omnibus_card.free: undoes what the probe got, in reverse order */
static void es1370_free(struct omnibus_card *oc)
{
	struct es1370 *chip = es1370_of(oc);

	if (chip->regions) {
		/* channels, interrupts and codec port off */
		es_out(chip, ES_CONTROL, ES_CTL_SERR_DIS);
		es_out(chip, ES_SERIAL, 0);
	}
	if (chip->irq >= 0)
		free_irq(chip->irq, chip);
	if (chip->phantom)
		dma_free_coherent(&chip->pci->dev, ES_PHANTOM_BYTES,
				  chip->phantom, chip->phantom_addr);
	if (chip->regions)
		pci_release_regions(chip->pci);
	if (chip->enabled)
		pci_disable_device(chip->pci);
}

static int es1370_probe(struct pci_dev *pci, const struct pci_device_id *id)
{
	struct omnibus_card *oc;
	struct snd_card *card;
	struct snd_kcontrol *kctl;
	struct es1370 *chip;
	unsigned int i;
	int err;

	err = omnibus_card_new(&es1370_core, &pci->dev, OMNIBUS_BUS_PCI, -1,
			       sizeof(*chip), &oc);
	if (err < 0)
		return -ENODEV;	/* it said why; the driver core says no more */
	chip = es1370_of(oc);
	card = oc->card;
	chip->pci = pci;
	chip->irq = -1;
	spin_lock_init(&chip->lock);
	for (i = 0; i < ES_NUM_CHANS; i++) {
		chip->chan[i].chip = chip;
		chip->chan[i].info = &es1370_chans[i];
		chip->chan[i].id = i;
		chip->chan[i].den = ES_DEN_DEFAULT;
	}
	chip->pclk_den = ES_DEN_DEFAULT;
	oc->free = es1370_free;

	err = pci_enable_device(pci);
	if (err < 0) {
		dev_err(&pci->dev, "cannot enable the PCI device: %d\n", err);
		goto fail;
	}
	chip->enabled = true;

	err = dma_set_mask_and_coherent(&pci->dev, DMA_BIT_MASK(32));
	if (err < 0) {
		dev_err(&pci->dev, "32-bit DMA is not available: %d\n", err);
		goto fail;
	}

	if (!(pci_resource_flags(pci, 0) & IORESOURCE_IO) ||
	    pci_resource_len(pci, 0) < ES_IO_SIZE) {
		dev_err(&pci->dev, "BAR 0 is not the ES1370's I/O range: %pR\n",
			&pci->resource[0]);
		err = -ENODEV;
		goto fail;
	}
	err = pci_request_regions(pci, "snd-omnibus ES1370");
	if (err < 0) {
		/* -EBUSY both for a conflict and a failed allocation */
		dev_err(&pci->dev, "cannot reserve I/O ports %pR (another driver has them, or no memory): %d\n",
			&pci->resource[0], err);
		goto fail;
	}
	chip->regions = true;
	chip->port = pci_resource_start(pci, 0);

	chip->phantom = dma_alloc_coherent(&pci->dev, ES_PHANTOM_BYTES,
					   &chip->phantom_addr, GFP_KERNEL);
	if (!chip->phantom) {
		err = -ENOMEM;
		goto fail;
	}
	pci_set_master(pci);

	chip->ctrl = ES_CTL_CDC_EN |
		     FIELD_PREP(ES_CTL_PCLKDIV, ES_DEN_DEFAULT - 2) |
		     FIELD_PREP(ES_CTL_WTSRSEL, 3);
	chip->sctrl = 0;
	es1370_hw_init(chip);

	err = request_irq(pci->irq, es1370_interrupt, IRQF_SHARED,
			  KBUILD_MODNAME, chip);
	if (err < 0) {
		dev_err(&pci->dev, "cannot get IRQ %d: %d\n", pci->irq, err);
		goto fail;
	}
	chip->irq = pci->irq;
	card->sync_irq = chip->irq;

	err = omnibus_ak4531_init(&chip->codec, card, es1370_codec_write, chip);
	if (err < 0)
		goto fail;
	for (i = 0; i < ARRAY_SIZE(es1370_gpo_controls); i++) {
		kctl = snd_ctl_new1(&es1370_gpo_controls[i], chip);
		err = kctl ? snd_ctl_add(card, kctl) : -ENOMEM;
		if (err < 0) {
			dev_err(&pci->dev, "cannot add control '%s': %d\n",
				es1370_gpo_controls[i].name, err);
			goto fail;
		}
	}

	err = omnibus_pcm_new(oc, &es1370_pcm_dac2_adc, chip, NULL);
	if (err < 0)
		goto fail;
	err = omnibus_pcm_new(oc, &es1370_pcm_dac1, chip, NULL);
	if (err < 0)
		goto fail;
	err = omnibus_pcm_proc_init(oc);
	if (err < 0) {
		dev_err(&pci->dev, "cannot create the buffers proc file: %d\n",
			err);
		goto fail;
	}
	snd_card_ro_proc_new(card, "es1370", chip, es1370_proc_read);

	/* "ENS1370" makes alsa-lib use its cards/ENS1370.conf */
	strscpy(card->driver, "ENS1370", sizeof(card->driver));
	strscpy(card->shortname, "Ensoniq AudioPCI ES1370",
		sizeof(card->shortname));
	snprintf(card->longname, sizeof(card->longname), "%s at 0x%lx, irq %i",
		 card->shortname, chip->port, chip->irq);

	err = omnibus_card_register(oc);
	if (err < 0)
		goto fail;
	pci_set_drvdata(pci, card);
	return 0;

fail:
	omnibus_card_free(oc);
	return err;
}

static void es1370_remove(struct pci_dev *pci)
{
	struct snd_card *card = pci_get_drvdata(pci);

	omnibus_card_free(card->private_data);
}

#ifdef CONFIG_PM_SLEEP
static int es1370_suspend(struct device *dev)
{
	struct snd_card *card = dev_get_drvdata(dev);
	struct es1370 *chip = es1370_of(card->private_data);

	/* the ALSA core has stopped the running streams, not paused ones */
	snd_power_change_state(card, SNDRV_CTL_POWER_D3hot);
	spin_lock_irq(&chip->lock);
	es1370_stop_all(chip);
	spin_unlock_irq(&chip->lock);
	omnibus_ak4531_suspend(&chip->codec);
	return 0;
}

static int es1370_resume(struct device *dev)
{
	struct snd_card *card = dev_get_drvdata(dev);
	struct es1370 *chip = es1370_of(card->private_data);
	int err;

	es1370_hw_init(chip);
	err = omnibus_ak4531_resume(&chip->codec);
	if (err < 0)
		dev_err(dev, "AK4531 codec not restored after resume: %d\n",
			err);
	snd_power_change_state(card, SNDRV_CTL_POWER_D0);
	return 0;
}

static SIMPLE_DEV_PM_OPS(es1370_pm, es1370_suspend, es1370_resume);
#define ES1370_PM_OPS	(&es1370_pm)
#else
#define ES1370_PM_OPS	NULL
#endif

static const struct pci_device_id es1370_ids[] = {
	{ PCI_VDEVICE(ENSONIQ, PCI_DEVICE_ID_ENSONIQ_ES1370) },
	{ }
};

static struct pci_driver es1370_driver = {
	.name = "snd_omnibus_es1370",
	.id_table = es1370_ids,
	.probe = es1370_probe,
	.remove = es1370_remove,
	.driver = {
		.pm = ES1370_PM_OPS,
	},
};

static int __init es1370_init(void)
{
	int err;

	err = omnibus_card_check_params(&es1370_core);
	if (err < 0)
		return err;
	err = pci_register_driver(&es1370_driver);
	if (err < 0) {
		pr_err("cannot register the ES1370 PCI driver: %d\n",
		       err);
		return err;
	}
	omnibus_pci_report_foreign(&es1370_core, &es1370_driver, "ES1370");
	return 0;
}

static void __exit es1370_exit(void)
{
	pci_unregister_driver(&es1370_driver);
}

module_init(es1370_init);
module_exit(es1370_exit);
