// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-ich: Intel ICH AC'97 controller (82801AA and the ICH family with
 * the same register layout), scatter-gather buffers.
 *
 * The controller has two register blocks: the native audio mixer (NAM),
 * through which the AC'97 codec's registers are read and written, and the
 * native audio bus master (NABM) with one DMA engine per channel:
 *
 *   PI  PCM in    capture    PCM device 0
 *   PO  PCM out   playback   PCM device 0
 *   MC  mic in    capture    PCM device 1
 *
 * A DMA engine walks a buffer descriptor list (BDL) of 32 entries in host
 * memory, each an address and a length in 16-bit samples, with a bit asking
 * for an interrupt when the entry is done (IOC).  It plays or records entry
 * after entry, from the current index (CIV) up to the last valid index
 * (LVI), and stops there.  So the buffer needs not be contiguous: every
 * entry points at one physically contiguous piece of it.
 *
 * The ring buffer is cut into "segments": no segment crosses a period end,
 * a page-chunk boundary of the scatter-gather buffer or the 16-bit length
 * limit.  Segments ending a period carry IOC; so does every 16th segment
 * of a long run without one, so that the driver hears from the engine often
 * enough to refill.  The 32 BDL entries are a sliding window over the ring
 * of segments: each interrupt counts the entries the engine has finished
 * (from CIV), writes the next segments into them and moves LVI on, so the
 * engine always has 31 entries ahead of it.
 *
 * The codec is ALSA's AC'97 codec layer (snd-ac97-codec): it builds the
 * mixer and sets the sample rates through the codec's variable rate audio.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <sound/ac97_codec.h>
#include <sound/core.h>
#include <sound/initval.h>
#include <sound/info.h>
#include <sound/pcm.h>
#include <sound/pcm_params.h>
#include "omnibus.h"

MODULE_AUTHOR("The snd-omnibus developers");
MODULE_DESCRIPTION("ALSA driver for Intel ICH AC'97 controllers (snd-omnibus)");
MODULE_LICENSE("GPL");
MODULE_VERSION(OMNIBUS_VERSION);
OMNIBUS_IMPORT_NS();

static int index[SNDRV_CARDS] = SNDRV_DEFAULT_IDX;
static char *id[SNDRV_CARDS] = SNDRV_DEFAULT_STR;
static bool enable[SNDRV_CARDS] = SNDRV_DEFAULT_ENABLE_PNP;

module_param_array(index, int, NULL, 0444);
MODULE_PARM_DESC(index, "Index value for each snd-omnibus-ich card, in slot order.");
module_param_array(id, charp, NULL, 0444);
MODULE_PARM_DESC(id, "ID string for each snd-omnibus-ich card, in slot order.");
module_param_array(enable, bool, NULL, 0444);
MODULE_PARM_DESC(enable, "Enable each snd-omnibus-ich card slot (a disabled slot is skipped).");

static struct omnibus_driver ich_core = OMNIBUS_DRIVER(index, id, enable);

/* ---- registers ------------------------------------------------------------ */

/* bus master: one block of registers per channel */
#define ICH_PI_BASE		0x00
#define ICH_PO_BASE		0x10
#define ICH_MC_BASE		0x20
#define ICH_BDBAR		0x00	/* dword: BDL address */
#define ICH_CIV			0x04	/* byte: current index */
#define ICH_LVI			0x05	/* byte: last valid index */
#define ICH_SR			0x06	/* word: status */
#define   ICH_SR_FIFOE		BIT(4)	/* FIFO error (write 1 to clear) */
#define   ICH_SR_BCIS		BIT(3)	/* IOC entry done (write 1 to clear) */
#define   ICH_SR_LVBCI		BIT(2)	/* last valid entry done (w1c) */
#define   ICH_SR_CELV		BIT(1)	/* CIV == LVI and that entry done */
#define   ICH_SR_DCH		BIT(0)	/* DMA halted */
#define   ICH_SR_EVENTS		(ICH_SR_FIFOE | ICH_SR_BCIS | ICH_SR_LVBCI)
#define ICH_PICB		0x08	/* word: samples left in this entry */
#define ICH_PIV			0x0a	/* byte: prefetched index */
#define ICH_CR			0x0b	/* byte: control */
#define   ICH_CR_IOCE		BIT(4)	/* interrupt on IOC entries */
#define   ICH_CR_FEIE		BIT(3)	/* interrupt on FIFO errors */
#define   ICH_CR_LVBIE		BIT(2)	/* interrupt on last valid entry */
#define   ICH_CR_RR		BIT(1)	/* reset the channel's registers */
#define   ICH_CR_RPBM		BIT(0)	/* run */
#define ICH_INDEX_MASK		0x1f

/* ICH4 and later: three more channels the driver keeps idle */
#define ICH_MC2_BASE		0x40
#define ICH_PI2_BASE		0x50
#define ICH_SP_BASE		0x60

/* bus master: global registers */
#define ICH_GLOB_CNT		0x2c
#define   ICH_GC_PCM_20BIT	BIT(22)	/* ICH4+: 20-bit samples */
#define   ICH_GC_PCM_CHANS	GENMASK(21, 20)	/* 0: 2 channels */
#define   ICH_GC_SRIE		BIT(5)	/* secondary resume interrupt */
#define   ICH_GC_PRIE		BIT(4)	/* primary resume interrupt */
#define   ICH_GC_ACLINK_OFF	BIT(3)	/* AC-link shut off */
#define   ICH_GC_WARM		BIT(2)	/* warm reset, self-clearing */
#define   ICH_GC_COLD		BIT(1)	/* 0: cold reset asserted */
#define   ICH_GC_GIE		BIT(0)	/* GPI interrupt */
#define ICH_GLOB_STA		0x30
#define   ICH_GS_TCR		BIT(28)	/* ICH4+: tertiary codec ready */
#define   ICH_GS_RCS		BIT(15)	/* codec read timed out (w1c) */
#define   ICH_GS_SRI		BIT(11)	/* secondary resume (w1c) */
#define   ICH_GS_PRI		BIT(10)	/* primary resume (w1c) */
#define   ICH_GS_SCR		BIT(9)	/* secondary codec ready */
#define   ICH_GS_PCR		BIT(8)	/* primary codec ready */
#define   ICH_GS_MCINT		BIT(7)	/* MC channel interrupt */
#define   ICH_GS_POINT		BIT(6)	/* PO channel interrupt */
#define   ICH_GS_PIINT		BIT(5)	/* PI channel interrupt */
#define   ICH_GS_GSCI		BIT(0)	/* GPI status change (w1c) */
#define ICH_ACC_SEMA		0x34	/* byte: codec access semaphore */
#define   ICH_CAS		BIT(0)	/* set: someone owns the codec */

/* buffer descriptor list entry */
#define ICH_BDL_ENTRIES		32
#define ICH_BDL_BYTES		(ICH_BDL_ENTRIES * 8)
#define ICH_BD_IOC		BIT(31)
#define ICH_BD_LEN		GENMASK(15, 0)	/* in 16-bit samples */
/* the longest entry that holds whole S16 stereo frames */
#define ICH_FRAME_BYTES		4
#define ICH_BD_MAX_BYTES	(0xfffe * 2)

/* codec registers through NAM: 0x80 bytes per codec, 16-bit access only */
#define ICH_NAM_CODEC_BYTES	0x80
#define ICH_NABM_MIN_BYTES	0x40

/* ---- limits ----------------------------------------------------------------- */

#define ICH_RATE_MIN		8000
#define ICH_RATE_MAX		48000
#define ICH_BUF_PREALLOC	(64 * 1024)
#define ICH_BUF_MAX		(4 * 1024 * 1024)
#define ICH_PERIOD_MIN		256
#define ICH_PERIODS_MAX		1024
#define ICH_REFILL_EVERY	16	/* an IOC at least every 16 entries */
#define ICH_SEMA_TIMEOUT_US	1000
#define ICH_CODEC_READY_MS	1000
#define ICH_WARM_RESET_MS	250
#define ICH_HALT_TIMEOUT_US	1000
#define ICH_POINTER_TRIES	10

/* PCI driver_data: the ICH4 generation (3 codecs, 6 channels, MMIO bars) */
#define ICH_F_ICH4		BIT(0)

/* ALSA PCM devices */
#define ICH_PCM_MAIN		0
#define ICH_PCM_MIC		1

/* ---- the chip --------------------------------------------------------------- */

enum ich_chan_id { ICH_PI, ICH_PO, ICH_MC, ICH_NUM_CHANS };

struct ich_chan_info {
	const char *name;
	unsigned int base;	/* register block in NABM */
	u32 int_bit;		/* GLOB_STA */
	int rate_reg;		/* AC'97 rate register */
	int rates_idx;		/* AC97_RATES_* */
};

static const struct ich_chan_info ich_chans[ICH_NUM_CHANS] = {
	[ICH_PI] = {
		.name = "PCM in",
		.base = ICH_PI_BASE,
		.int_bit = ICH_GS_PIINT,
		.rate_reg = AC97_PCM_LR_ADC_RATE,
		.rates_idx = AC97_RATES_ADC,
	},
	[ICH_PO] = {
		.name = "PCM out",
		.base = ICH_PO_BASE,
		.int_bit = ICH_GS_POINT,
		.rate_reg = AC97_PCM_FRONT_DAC_RATE,
		.rates_idx = AC97_RATES_FRONT_DAC,
	},
	[ICH_MC] = {
		.name = "Mic in",
		.base = ICH_MC_BASE,
		.int_bit = ICH_GS_MCINT,
		.rate_reg = AC97_PCM_MIC_ADC_RATE,
		.rates_idx = AC97_RATES_MIC_ADC,
	},
};

#define ICH_SEG_IOC		BIT(0)	/* the entry asks for an interrupt */
#define ICH_SEG_PERIOD_END	BIT(1)	/* the entry ends a period */

/* One physically contiguous piece of the ring buffer. */
struct ich_seg {
	u32 addr;		/* bus address */
	u32 offset;		/* byte offset in the ring buffer */
	u32 bytes;
	u32 flags;		/* ICH_SEG_* */
};

struct ich;

struct ich_chan {
	struct ich *chip;
	const struct ich_chan_info *info;
	struct snd_pcm_substream *ss;	/* the open substream, or NULL */

	/* the BDL, in coherent memory of its own */
	__le32 *bdl;
	dma_addr_t bdl_addr;

	/* the ring of segments, built in hw_params */
	struct ich_seg *segs;
	unsigned int nsegs;
	unsigned int nchunks;		/* contiguous pieces of the buffer */
	size_t buf_bytes;

	/* the window; all under chip->lock */
	unsigned int slot_seg[ICH_BDL_ENTRIES];	/* segment in each entry */
	u32 counted;		/* entries finished and counted, not refilled */
	unsigned int lvi;	/* last entry handed to the engine */
	unsigned int next_seg;	/* segment for the next free entry */
	size_t last_pos;	/* bytes, last pointer reported */
	bool prepared;
	bool running;
	unsigned int rate;

	/* for the proc file */
	unsigned long irqs, refilled, fifo_errors, halts;
};

struct ich {
	struct omnibus_card oc;		/* must come first */
	struct pci_dev *pci;
	unsigned long flags;		/* ICH_F_* */
	void __iomem *nam;
	void __iomem *nabm;
	int nam_bar, nabm_bar;
	int irq;			/* -1 until requested */
	bool enabled;			/* pci_enable_device() done */
	bool regions;			/* pci_request_regions() done */
	bool quiet_codec;		/* probing: codec errors are expected */
	u32 codec_ready;		/* GLOB_STA bits of a ready codec */
	u32 int_mask;			/* GLOB_STA bits of our channels */

	spinlock_t lock;		/* channel state and NABM accesses */
	struct ich_chan chan[ICH_NUM_CHANS];

	struct snd_ac97_bus *ac97_bus;
	struct snd_ac97 *ac97;
};

static inline u8 ich_readb(struct ich *chip, unsigned int reg)
{
	return ioread8(chip->nabm + reg);
}

static inline u16 ich_readw(struct ich *chip, unsigned int reg)
{
	return ioread16(chip->nabm + reg);
}

static inline u32 ich_readl(struct ich *chip, unsigned int reg)
{
	return ioread32(chip->nabm + reg);
}

static inline void ich_writeb(struct ich *chip, unsigned int reg, u8 val)
{
	iowrite8(val, chip->nabm + reg);
}

static inline void ich_writel(struct ich *chip, unsigned int reg, u32 val)
{
	iowrite32(val, chip->nabm + reg);
}

static struct ich *ich_of(struct omnibus_card *oc)
{
	return container_of(oc, struct ich, oc);
}

static struct ich_chan *ich_chan_of(struct snd_pcm_substream *ss)
{
	struct ich *chip = omnibus_chip(ss);

	if (ss->pcm->device == ICH_PCM_MIC)
		return &chip->chan[ICH_MC];
	if (ss->stream == SNDRV_PCM_STREAM_PLAYBACK)
		return &chip->chan[ICH_PO];
	return &chip->chan[ICH_PI];
}

/* ---- codec access ------------------------------------------------------------ */

/*
 * Waits until the controller may start a codec access: a codec must be
 * ready, and the access semaphore free (reading it takes it; the next NAM
 * access gives it back).  -EBUSY still lets the access go ahead: the
 * semaphore only guards against two accesses at once on the AC-link.
 */
static int ich_codec_acquire(struct ich *chip)
{
	u8 sema;

	if (!(ich_readl(chip, ICH_GLOB_STA) & chip->codec_ready))
		return -EIO;
	if (read_poll_timeout(ich_readb, sema, !(sema & ICH_CAS), 10,
			      ICH_SEMA_TIMEOUT_US, false, chip, ICH_ACC_SEMA))
		return -EBUSY;
	return 0;
}

static void ich_codec_write(struct snd_ac97 *ac97, unsigned short reg,
			    unsigned short val)
{
	struct ich *chip = ac97->private_data;
	int err;

	err = ich_codec_acquire(chip);
	if (err == -EIO) {
		if (!chip->quiet_codec)
			dev_err_ratelimited(&chip->pci->dev,
					    "codec not ready, write of register 0x%02x dropped\n",
					    reg);
		return;
	}
	if (err < 0 && !chip->quiet_codec)
		dev_err_ratelimited(&chip->pci->dev,
				    "codec semaphore stuck, writing register 0x%02x anyway\n",
				    reg);
	iowrite16(val, chip->nam + ac97->num * ICH_NAM_CODEC_BYTES + reg);
}

static unsigned short ich_codec_read(struct snd_ac97 *ac97, unsigned short reg)
{
	struct ich *chip = ac97->private_data;
	unsigned short val;
	u32 sta;
	int err;

	err = ich_codec_acquire(chip);
	if (err == -EIO) {
		if (!chip->quiet_codec)
			dev_err_ratelimited(&chip->pci->dev,
					    "codec not ready, read of register 0x%02x failed\n",
					    reg);
		return 0xffff;
	}
	if (err < 0 && !chip->quiet_codec)
		dev_err_ratelimited(&chip->pci->dev,
				    "codec semaphore stuck, reading register 0x%02x anyway\n",
				    reg);
	val = ioread16(chip->nam + ac97->num * ICH_NAM_CODEC_BYTES + reg);
	sta = ich_readl(chip, ICH_GLOB_STA);
	if (sta & ICH_GS_RCS) {
		/* the codec did not answer: clear RCS only */
		ich_writel(chip, ICH_GLOB_STA, ICH_GS_RCS);
		if (!chip->quiet_codec)
			dev_err_ratelimited(&chip->pci->dev,
					    "codec read of register 0x%02x timed out\n",
					    reg);
		return 0xffff;
	}
	return val;
}

static const struct snd_ac97_bus_ops ich_ac97_ops = {
	.write = ich_codec_write,
	.read = ich_codec_read,
};

/* ---- controller reset --------------------------------------------------------- */

/*
 * Stops one channel and resets its registers.  Called with the lock held
 * (interrupts off) from trigger and prepare, so each wait is bounded by
 * ICH_HALT_TIMEOUT_US: a controller that does not answer (one that reads
 * all ones after a surprise removal keeps RR set) costs at most 2 ms with
 * interrupts off per channel, and the channel is left as it is.
 */
static void ich_chan_reset(struct ich *chip, unsigned int base)
{
	u16 sr;
	u8 cr;

	ich_writeb(chip, base + ICH_CR, 0);
	/* a timeout here is no worse than not waiting */
	read_poll_timeout_atomic(ich_readw, sr, sr & ICH_SR_DCH, 10,
				 ICH_HALT_TIMEOUT_US, false, chip, base + ICH_SR);
	ich_writeb(chip, base + ICH_CR, ICH_CR_RR);
	read_poll_timeout_atomic(ich_readb, cr, !(cr & ICH_CR_RR), 10,
				 ICH_HALT_TIMEOUT_US, false, chip, base + ICH_CR);
	ich_writeb(chip, base + ICH_SR, ICH_SR_EVENTS);
}

/* Every channel of the chip stopped, reset and without interrupts. */
static void ich_reset_all_chans(struct ich *chip)
{
	static const unsigned int ich4_extra[] = {
		ICH_MC2_BASE, ICH_PI2_BASE, ICH_SP_BASE,
	};
	unsigned int i;

	for (i = 0; i < ICH_NUM_CHANS; i++)
		ich_chan_reset(chip, ich_chans[i].base);
	if (chip->flags & ICH_F_ICH4)
		for (i = 0; i < ARRAY_SIZE(ich4_extra); i++)
			ich_chan_reset(chip, ich4_extra[i]);
}

/*
 * Brings the AC-link up: ends a cold reset that is still asserted, or else
 * warm-resets the codecs, and waits (at most ICH_CODEC_READY_MS) for a
 * codec to say it is ready.  Leaves every channel stopped and reset.
 */
static int ich_chip_init(struct ich *chip)
{
	unsigned long deadline;
	u32 cnt, sta;

	/* clear old read timeouts, resume and GPI events */
	ich_writel(chip, ICH_GLOB_STA, ICH_GS_RCS | ICH_GS_SRI | ICH_GS_PRI |
		   ICH_GS_GSCI);

	cnt = ich_readl(chip, ICH_GLOB_CNT);
	cnt &= ~(ICH_GC_ACLINK_OFF | ICH_GC_PCM_CHANS | ICH_GC_PCM_20BIT |
		 ICH_GC_SRIE | ICH_GC_PRIE | ICH_GC_GIE | ICH_GC_WARM);
	if (!(cnt & ICH_GC_COLD)) {
		/* cold reset still asserted: release it */
		ich_writel(chip, ICH_GLOB_CNT, cnt | ICH_GC_COLD);
	} else {
		ich_writel(chip, ICH_GLOB_CNT, cnt | ICH_GC_WARM);
		deadline = jiffies + msecs_to_jiffies(ICH_WARM_RESET_MS);
		while (ich_readl(chip, ICH_GLOB_CNT) & ICH_GC_WARM) {
			if (time_after(jiffies, deadline)) {
				dev_err(&chip->pci->dev,
					"AC'97 warm reset does not end (GLOB_CNT 0x%08x)\n",
					ich_readl(chip, ICH_GLOB_CNT));
				return -EIO;
			}
			usleep_range(1000, 2000);
		}
	}

	deadline = jiffies + msecs_to_jiffies(ICH_CODEC_READY_MS);
	for (;;) {
		sta = ich_readl(chip, ICH_GLOB_STA);
		if (sta & chip->codec_ready)
			break;
		if (time_after(jiffies, deadline)) {
			dev_err(&chip->pci->dev,
				"no AC'97 codec became ready within %d ms (GLOB_STA 0x%08x)\n",
				ICH_CODEC_READY_MS, sta);
			return -EIO;
		}
		usleep_range(1000, 2000);
	}

	spin_lock_irq(&chip->lock);
	ich_reset_all_chans(chip);
	spin_unlock_irq(&chip->lock);
	return 0;
}

/* ---- the BDL window ------------------------------------------------------------ */

/* Puts the next segment into BDL entry @slot; lock held. */
static void ich_fill_slot(struct ich_chan *ch, unsigned int slot)
{
	const struct ich_seg *seg = &ch->segs[ch->next_seg];
	u32 ctl = seg->bytes / 2;

	if (seg->flags & ICH_SEG_IOC)
		ctl |= ICH_BD_IOC;
	ch->bdl[slot * 2] = cpu_to_le32(seg->addr);
	ch->bdl[slot * 2 + 1] = cpu_to_le32(ctl);
	ch->slot_seg[slot] = ch->next_seg;
	ch->counted &= ~BIT(slot);
	if (++ch->next_seg == ch->nsegs)
		ch->next_seg = 0;
}

/* Whether the segment in BDL entry @slot ends a period; lock held. */
static bool ich_slot_ends_period(struct ich_chan *ch, unsigned int slot)
{
	return !(ch->counted & BIT(slot)) &&
	       (ch->segs[ch->slot_seg[slot]].flags & ICH_SEG_PERIOD_END);
}

/*
 * The entries after LVI up to the one before CIV are finished: fills them
 * with the next segments, in ring order, and moves LVI to the entry before
 * CIV, so the engine again has every other entry ahead of it (a halted
 * engine goes on at the entry after CIV).  The entry at CIV itself may be
 * finished too (@events had IOC and nothing is left of it, or the engine
 * halted there): it counts now but is refilled only once the engine has
 * moved on, or LVI would have to equal CIV.  (IOC with CIV where it was
 * means the engine signalled before it moved on.)  Returns true if a finished
 * entry ended a period.  Lock held.
 */
static bool ich_chan_advance(struct ich *chip, struct ich_chan *ch, u16 events)
{
	unsigned int base = ch->info->base;
	unsigned int civ, slot, n = 0;
	bool period = false;
	u16 sr;

	civ = ich_readb(chip, base + ICH_CIV) & ICH_INDEX_MASK;
	sr = ich_readw(chip, base + ICH_SR);

	for (slot = (ch->lvi + 1) & ICH_INDEX_MASK; slot != civ;
	     slot = (slot + 1) & ICH_INDEX_MASK) {
		period |= ich_slot_ends_period(ch, slot);
		ich_fill_slot(ch, slot);
		n++;
	}
	if ((sr & ICH_SR_CELV) ||
	    (!n && (events & ICH_SR_BCIS) &&
	     !ich_readw(chip, base + ICH_PICB))) {
		period |= ich_slot_ends_period(ch, civ);
		ch->counted |= BIT(civ);
		if (sr & ICH_SR_CELV)
			ch->halts++;
	}
	if (n) {
		ch->refilled += n;
		ch->lvi = (civ - 1) & ICH_INDEX_MASK;
		ich_writeb(chip, base + ICH_LVI, ch->lvi);
	}
	return period;
}

/*
 * Cuts the ring buffer of @buf bytes into segments: none crosses a period
 * end, the end of a physically contiguous chunk or ICH_BD_MAX_BYTES; a run
 * too long for one entry is shared evenly, in whole frames, between as few
 * entries as hold it.  With @segs NULL only counts them.  Returns the
 * number of segments, or -EINVAL if a piece lies above 4 GiB.  (hw_params
 * runs before the runtime knows the buffer and period sizes: they come from
 * the caller.)
 */
static int ich_build_segs(struct snd_pcm_substream *ss, size_t buf,
			  size_t period, struct ich_seg *segs,
			  unsigned int *nchunks)
{
	unsigned int n = 0, chunks = 0, since_ioc = 0;
	dma_addr_t addr, prev_end = 0;
	size_t off = 0, end, run, len;

	while (off < buf) {
		end = min_t(size_t, (off / period + 1) * period, buf);
		run = snd_pcm_sgbuf_get_chunk_size(ss, off, end - off);
		if (!run || run % ICH_FRAME_BYTES)
			return -EINVAL;
		len = DIV_ROUND_UP(run, DIV_ROUND_UP(run, ICH_BD_MAX_BYTES));
		len = min(round_up(len, ICH_FRAME_BYTES), run);
		addr = snd_pcm_sgbuf_get_addr(ss, off);
		if (upper_32_bits(addr) || upper_32_bits(addr + len - 1))
			return -EINVAL;
		if (!n || addr != prev_end)
			chunks++;
		prev_end = addr + len;
		if (segs) {
			segs[n].addr = lower_32_bits(addr);
			segs[n].offset = off;
			segs[n].bytes = len;
			segs[n].flags = 0;
			if (off + len == end) {
				segs[n].flags = ICH_SEG_IOC | ICH_SEG_PERIOD_END;
				since_ioc = 0;
			} else if (++since_ioc == ICH_REFILL_EVERY) {
				segs[n].flags = ICH_SEG_IOC;
				since_ioc = 0;
			}
		}
		n++;
		off += len;
	}
	if (nchunks)
		*nchunks = chunks;
	return n;
}

/* ---- PCM ---------------------------------------------------------------------- */

static const struct snd_pcm_hardware ich_hw = {
	.info = SNDRV_PCM_INFO_MMAP | SNDRV_PCM_INFO_MMAP_VALID |
		SNDRV_PCM_INFO_INTERLEAVED | SNDRV_PCM_INFO_BLOCK_TRANSFER |
		SNDRV_PCM_INFO_PAUSE,
	.formats = SNDRV_PCM_FMTBIT_S16_LE,
	/* the codec's own rates replace these in open */
	.rates = SNDRV_PCM_RATE_48000,
	.rate_min = 48000,
	.rate_max = 48000,
	.channels_min = 2,
	.channels_max = 2,
	.buffer_bytes_max = ICH_BUF_MAX,
	.period_bytes_min = ICH_PERIOD_MIN,
	.period_bytes_max = ICH_BUF_MAX / 2,
	.periods_min = 2,
	.periods_max = ICH_PERIODS_MAX,
};

static int ich_open(struct snd_pcm_substream *ss)
{
	struct ich_chan *ch = ich_chan_of(ss);
	struct ich *chip = ch->chip;
	struct snd_pcm_runtime *rt = ss->runtime;
	int err;

	/* 8000..48000 Hz where the codec has variable rates, else 48000 */
	rt->hw.rates = chip->ac97->rates[ch->info->rates_idx];
	err = snd_pcm_limit_hw_rates(rt);
	if (err < 0)
		return err;
	rt->hw.rate_min = max_t(unsigned int, rt->hw.rate_min, ICH_RATE_MIN);
	rt->hw.rate_max = min_t(unsigned int, rt->hw.rate_max, ICH_RATE_MAX);
	if (rt->hw.rate_min > rt->hw.rate_max) {
		dev_err(chip->oc.card->dev, "%s: the codec offers no rate in %d..%d Hz\n",
			ch->info->name, ICH_RATE_MIN, ICH_RATE_MAX);
		return -ENODEV;
	}
	err = snd_pcm_hw_constraint_integer(rt, SNDRV_PCM_HW_PARAM_PERIODS);
	if (err < 0)
		return err;

	spin_lock_irq(&chip->lock);
	ch->ss = ss;
	spin_unlock_irq(&chip->lock);
	return 0;
}

static void ich_close(struct snd_pcm_substream *ss)
{
	struct ich_chan *ch = ich_chan_of(ss);

	spin_lock_irq(&ch->chip->lock);
	ch->ss = NULL;
	spin_unlock_irq(&ch->chip->lock);
}

static void ich_free_segs(struct ich_chan *ch)
{
	struct ich_seg *segs;

	spin_lock_irq(&ch->chip->lock);
	segs = ch->segs;
	ch->segs = NULL;
	ch->nsegs = 0;
	ch->prepared = false;
	spin_unlock_irq(&ch->chip->lock);
	kvfree(segs);
}

static int ich_hw_params(struct snd_pcm_substream *ss,
			 struct snd_pcm_hw_params *params)
{
	struct ich_chan *ch = ich_chan_of(ss);
	struct ich *chip = ch->chip;
	size_t buf = params_buffer_bytes(params);
	size_t period = params_period_bytes(params);
	unsigned int nchunks = 0;
	struct ich_seg *segs;
	int n;

	ich_free_segs(ch);
	n = buf && period ? ich_build_segs(ss, buf, period, NULL, NULL) : 0;
	if (n <= 0) {
		dev_err(chip->oc.card->dev,
			"%s: a %zu-byte buffer at %pad cannot be described to the DMA engine (32-bit, whole frames)\n",
			ch->info->name, buf, &ss->runtime->dma_addr);
		return -EINVAL;
	}
	segs = kvcalloc(n, sizeof(*segs), GFP_KERNEL);
	if (!segs)
		return -ENOMEM;
	ich_build_segs(ss, buf, period, segs, &nchunks);

	spin_lock_irq(&chip->lock);
	ch->segs = segs;
	ch->nsegs = n;
	ch->nchunks = nchunks;
	ch->buf_bytes = buf;
	spin_unlock_irq(&chip->lock);
	return 0;
}

static void ich_hw_free(struct snd_pcm_substream *ss)
{
	ich_free_segs(ich_chan_of(ss));
}

static int ich_prepare(struct snd_pcm_substream *ss)
{
	struct ich_chan *ch = ich_chan_of(ss);
	struct ich *chip = ch->chip;
	unsigned int base = ch->info->base;
	unsigned int rate = ss->runtime->rate;
	unsigned int slot;
	int err;

	if (!ch->segs)
		return -EINVAL;
	err = snd_ac97_set_rate(chip->ac97, ch->info->rate_reg, rate);
	if (err < 0) {
		dev_err(chip->oc.card->dev, "%s: the codec refused %u Hz: %d\n",
			ch->info->name, rate, err);
		return err;
	}

	spin_lock_irq(&chip->lock);
	ch->running = false;
	ich_chan_reset(chip, base);
	ich_writel(chip, base + ICH_BDBAR, ch->bdl_addr);
	ch->next_seg = 0;
	for (slot = 0; slot < ICH_BDL_ENTRIES; slot++)
		ich_fill_slot(ch, slot);
	ch->lvi = ICH_BDL_ENTRIES - 1;
	ich_writeb(chip, base + ICH_LVI, ch->lvi);
	ch->last_pos = 0;
	ch->rate = rate;
	ch->prepared = true;
	spin_unlock_irq(&chip->lock);
	return 0;
}

static int ich_trigger(struct snd_pcm_substream *ss, int cmd)
{
	struct ich_chan *ch = ich_chan_of(ss);
	struct ich *chip = ch->chip;
	unsigned int base = ch->info->base;
	/* IOC entries, and the last valid one: a dry window refills too */
	u8 run = ICH_CR_IOCE | ICH_CR_LVBIE;
	int err = 0;

	spin_lock(&chip->lock);
	switch (cmd) {
	case SNDRV_PCM_TRIGGER_START:
		if (!ch->prepared) {
			err = -EINVAL;
			break;
		}
		ch->running = true;
		ich_writeb(chip, base + ICH_CR, run | ICH_CR_RPBM);
		break;
	case SNDRV_PCM_TRIGGER_PAUSE_RELEASE:
		ch->running = true;
		ich_writeb(chip, base + ICH_CR, run | ICH_CR_RPBM);
		break;
	case SNDRV_PCM_TRIGGER_PAUSE_PUSH:
		/* the engine halts where it is; interrupts stay on */
		ich_writeb(chip, base + ICH_CR, run);
		ch->running = false;
		break;
	case SNDRV_PCM_TRIGGER_STOP:
	case SNDRV_PCM_TRIGGER_SUSPEND:
		ch->running = false;
		ch->prepared = false;
		ich_chan_reset(chip, base);
		break;
	default:
		err = -EINVAL;
		break;
	}
	spin_unlock(&chip->lock);
	return err;
}

/*
 * The position is the start of the current entry's segment plus what the
 * engine has done of it.  CIV and PICB are two reads: CIV is read again
 * and the pair retried if the engine moved on in between.
 */
static snd_pcm_uframes_t ich_pointer(struct snd_pcm_substream *ss)
{
	struct ich_chan *ch = ich_chan_of(ss);
	struct ich *chip = ch->chip;
	unsigned int base = ch->info->base;
	const struct ich_seg *seg;
	unsigned int civ, tries;
	size_t done, pos;
	u16 picb;

	spin_lock(&chip->lock);
	for (tries = 0; ; tries++) {
		civ = ich_readb(chip, base + ICH_CIV) & ICH_INDEX_MASK;
		picb = ich_readw(chip, base + ICH_PICB);
		if ((ich_readb(chip, base + ICH_CIV) & ICH_INDEX_MASK) == civ)
			break;
		if (tries == ICH_POINTER_TRIES) {
			/* never steady: keep the last answer */
			picb = 0;
			break;
		}
	}
	pos = ch->last_pos;
	if (ch->segs && picb) {
		seg = &ch->segs[ch->slot_seg[civ]];
		done = (size_t)picb * 2;
		/* PICB 0 (entry not fetched yet, or finished) keeps last_pos */
		if (done <= seg->bytes) {
			pos = seg->offset + seg->bytes - done;
			if (pos >= ch->buf_bytes)
				pos = 0;
			ch->last_pos = pos;
		}
	}
	spin_unlock(&chip->lock);
	return bytes_to_frames(ss->runtime, pos);
}

static const struct omnibus_stream_ops ich_stream_ops = {
	.open = ich_open,
	.close = ich_close,
	.hw_params = ich_hw_params,
	.hw_free = ich_hw_free,
	.prepare = ich_prepare,
	.trigger = ich_trigger,
	.pointer = ich_pointer,
};

static const struct omnibus_pcm_desc ich_pcm_main = {
	.name = "ICH AC'97",
	.device = ICH_PCM_MAIN,
	.buffer = OMNIBUS_BUF_SG,
	.stream = {
		[SNDRV_PCM_STREAM_PLAYBACK] =
			OMNIBUS_STREAM(&ich_hw, &ich_stream_ops,
				       ICH_BUF_PREALLOC, ICH_BUF_MAX),
		[SNDRV_PCM_STREAM_CAPTURE] =
			OMNIBUS_STREAM(&ich_hw, &ich_stream_ops,
				       ICH_BUF_PREALLOC, ICH_BUF_MAX),
	},
};

static const struct omnibus_pcm_desc ich_pcm_mic = {
	.name = "ICH AC'97 Mic",
	.device = ICH_PCM_MIC,
	.buffer = OMNIBUS_BUF_SG,
	.stream = {
		[SNDRV_PCM_STREAM_CAPTURE] =
			OMNIBUS_STREAM(&ich_hw, &ich_stream_ops,
				       ICH_BUF_PREALLOC, ICH_BUF_MAX),
	},
};

/* ---- interrupt ------------------------------------------------------------ */

/*
 * One channel: acknowledge its events first (a completion after that
 * raises a new interrupt), then refill.  Returns the substream whose
 * period elapsed, or NULL.  Lock held.
 */
static struct snd_pcm_substream *ich_chan_interrupt(struct ich *chip,
						    struct ich_chan *ch)
{
	unsigned int base = ch->info->base;
	u16 sr;

	sr = ich_readw(chip, base + ICH_SR);
	if (!(sr & ICH_SR_EVENTS))
		return NULL;
	ich_writeb(chip, base + ICH_SR, sr & ICH_SR_EVENTS);
	ch->irqs++;
	if (sr & ICH_SR_FIFOE)
		ch->fifo_errors++;
	if (!ch->running || !ch->segs)
		return NULL;
	if (ich_chan_advance(chip, ch, sr))
		return ch->ss;
	return NULL;
}

static irqreturn_t ich_interrupt(int irq, void *dev_id)
{
	struct ich *chip = dev_id;
	struct snd_pcm_substream *elapsed[ICH_NUM_CHANS] = { };
	struct snd_pcm_substream *ss;
	unsigned int i, round;
	u32 sta;

	sta = ich_readl(chip, ICH_GLOB_STA);
	/* all ones: the device is gone or asleep; no bit of ours: not us */
	if (sta == ~0U || !(sta & chip->int_mask))
		return IRQ_NONE;

	spin_lock(&chip->lock);
	/*
	 * Acknowledging one channel may drop the interrupt line while another
	 * channel is still pending (QEMU does): look again until no channel
	 * reports anything.
	 */
	for (round = 0; round < 4 && (sta & chip->int_mask); round++) {
		for (i = 0; i < ICH_NUM_CHANS; i++) {
			if (!(sta & ich_chans[i].int_bit))
				continue;
			ss = ich_chan_interrupt(chip, &chip->chan[i]);
			if (ss)
				elapsed[i] = ss;
		}
		sta = ich_readl(chip, ICH_GLOB_STA);
		if (sta == ~0U)
			break;
	}
	spin_unlock(&chip->lock);

	for (i = 0; i < ICH_NUM_CHANS; i++)
		if (elapsed[i])
			snd_pcm_period_elapsed(elapsed[i]);
	return IRQ_HANDLED;
}

/* ---- proc --------------------------------------------------------------------- */

static void ich_proc_chan(struct snd_info_buffer *buf, struct ich *chip,
			  struct ich_chan *ch)
{
	unsigned int base = ch->info->base;
	unsigned int slot, s;
	u32 addr, ctl;

	snd_iprintf(buf, "\n%s (%s): %s\n", ch->info->name,
		    base == ICH_PI_BASE ? "PI" : base == ICH_PO_BASE ? "PO" : "MC",
		    ch->running ? "running" : ch->prepared ? "prepared" :
		    ch->segs ? "set up" : "idle");
	snd_iprintf(buf, "  CIV %u LVI %u PIV %u SR 0x%04x PICB %u CR 0x%02x\n",
		    ich_readb(chip, base + ICH_CIV) & ICH_INDEX_MASK,
		    ich_readb(chip, base + ICH_LVI) & ICH_INDEX_MASK,
		    ich_readb(chip, base + ICH_PIV) & ICH_INDEX_MASK,
		    ich_readw(chip, base + ICH_SR),
		    ich_readw(chip, base + ICH_PICB),
		    ich_readb(chip, base + ICH_CR));
	snd_iprintf(buf, "  interrupts %lu, entries refilled %lu, halts %lu, FIFO errors %lu\n",
		    ch->irqs, ch->refilled, ch->halts, ch->fifo_errors);
	if (!ch->segs)
		return;
	snd_iprintf(buf, "  rate %u Hz, buffer %zu bytes in %u chunks, %u segments\n",
		    ch->rate, ch->buf_bytes, ch->nchunks, ch->nsegs);
	snd_iprintf(buf, "  BDL at %pad: entry address bytes ioc segment offset\n",
		    &ch->bdl_addr);
	for (slot = 0; slot < ICH_BDL_ENTRIES; slot++) {
		addr = le32_to_cpu(ch->bdl[slot * 2]);
		ctl = le32_to_cpu(ch->bdl[slot * 2 + 1]);
		s = ch->slot_seg[slot];
		snd_iprintf(buf, "  bd %2u 0x%08x %6u %s %4u %7u\n", slot, addr,
			    (unsigned int)FIELD_GET(ICH_BD_LEN, ctl) * 2,
			    ctl & ICH_BD_IOC ? "ioc" : "-",
			    s, s < ch->nsegs ? ch->segs[s].offset : 0);
	}
}

static void ich_proc_read(struct snd_info_entry *entry,
			  struct snd_info_buffer *buf)
{
	struct ich *chip = entry->private_data;
	unsigned int i;

	snd_iprintf(buf, "Intel ICH AC'97 %04x:%04x, %s bars %d/%d, irq %d\n",
		    chip->pci->vendor, chip->pci->device,
		    chip->nam_bar == 2 ? "memory" : "I/O",
		    chip->nam_bar, chip->nabm_bar, chip->irq);
	snd_iprintf(buf, "GLOB_CNT 0x%08x GLOB_STA 0x%08x\n",
		    ich_readl(chip, ICH_GLOB_CNT), ich_readl(chip, ICH_GLOB_STA));
	snd_iprintf(buf, "codec: %s\n", chip->ac97 ?
		    snd_ac97_get_short_name(chip->ac97) : "none");
	/* the lock keeps the window still while it is printed */
	spin_lock_irq(&chip->lock);
	for (i = 0; i < ICH_NUM_CHANS; i++)
		ich_proc_chan(buf, chip, &chip->chan[i]);
	spin_unlock_irq(&chip->lock);
}

static int ich_proc_init(struct ich *chip)
{
	struct snd_info_entry *entry;
	int err;

	err = snd_card_proc_new(chip->oc.card, "ich", &entry);
	if (err < 0)
		return err;
	/* DMA addresses are for root's eyes only */
	entry->mode = S_IFREG | 0400;
	snd_info_set_text_ops(entry, chip, ich_proc_read);
	return 0;
}

/* ---- probe and remove ------------------------------------------------------------ */

/* omnibus_card.free: undoes what the probe got, in reverse order */
static void ich_free(struct omnibus_card *oc)
{
	struct ich *chip = ich_of(oc);
	unsigned int i;

	if (chip->nabm) {
		spin_lock_irq(&chip->lock);
		ich_reset_all_chans(chip);
		spin_unlock_irq(&chip->lock);
	}
	if (chip->irq >= 0)
		free_irq(chip->irq, chip);
	for (i = 0; i < ICH_NUM_CHANS; i++) {
		kvfree(chip->chan[i].segs);
		if (chip->chan[i].bdl)
			dma_free_coherent(&chip->pci->dev, ICH_BDL_BYTES,
					  chip->chan[i].bdl,
					  chip->chan[i].bdl_addr);
	}
	if (chip->nabm)
		pci_iounmap(chip->pci, chip->nabm);
	if (chip->nam)
		pci_iounmap(chip->pci, chip->nam);
	if (chip->regions)
		pci_release_regions(chip->pci);
	if (chip->enabled)
		pci_disable_device(chip->pci);
}

/*
 * ICH4 and later decode the registers in memory bars 2 (mixer) and 3 (bus
 * master) as well; BIOSes may leave their I/O bars 0 and 1 off.  Earlier
 * chips have the I/O bars only.
 */
static int ich_pick_bars(struct ich *chip)
{
	struct pci_dev *pci = chip->pci;
	unsigned long want = IORESOURCE_IO;

	chip->nam_bar = 0;
	chip->nabm_bar = 1;
	if ((chip->flags & ICH_F_ICH4) &&
	    (pci_resource_flags(pci, 2) & IORESOURCE_MEM) &&
	    (pci_resource_flags(pci, 3) & IORESOURCE_MEM)) {
		chip->nam_bar = 2;
		chip->nabm_bar = 3;
		want = IORESOURCE_MEM;
	}
	if (!(pci_resource_flags(pci, chip->nam_bar) & want) ||
	    pci_resource_len(pci, chip->nam_bar) < ICH_NAM_CODEC_BYTES ||
	    !(pci_resource_flags(pci, chip->nabm_bar) & want) ||
	    pci_resource_len(pci, chip->nabm_bar) < ICH_NABM_MIN_BYTES) {
		dev_err(&pci->dev, "bars %d and %d are not the ICH's mixer and bus master ranges: %pR %pR\n",
			chip->nam_bar, chip->nabm_bar,
			&pci->resource[chip->nam_bar],
			&pci->resource[chip->nabm_bar]);
		return -ENODEV;
	}
	return 0;
}

static int ich_mixer_new(struct ich *chip)
{
	struct snd_ac97_template tmpl = { };
	int err;

	err = snd_ac97_bus(chip->oc.card, 0, &ich_ac97_ops, chip,
			   &chip->ac97_bus);
	if (err < 0) {
		dev_err(&chip->pci->dev, "cannot create the AC'97 bus: %d\n",
			err);
		return err;
	}
	tmpl.private_data = chip;
	tmpl.pci = chip->pci;
	tmpl.num = 0;
	tmpl.scaps = AC97_SCAP_SKIP_MODEM;
	chip->quiet_codec = true;
	err = snd_ac97_mixer(chip->ac97_bus, &tmpl, &chip->ac97);
	chip->quiet_codec = false;
	if (err < 0) {
		dev_err(&chip->pci->dev, "the AC'97 codec did not answer: %d\n",
			err);
		return err;
	}
	return 0;
}

static int ich_probe(struct pci_dev *pci, const struct pci_device_id *id)
{
	struct omnibus_card *oc;
	struct snd_card *card;
	struct ich *chip;
	unsigned int i;
	int err;

	err = omnibus_card_new(&ich_core, &pci->dev, OMNIBUS_BUS_PCI, -1,
			       sizeof(*chip), &oc);
	if (err < 0)
		return -ENODEV;	/* it said why; the driver core says no more */
	chip = ich_of(oc);
	card = oc->card;
	chip->pci = pci;
	chip->flags = id->driver_data;
	chip->irq = -1;
	spin_lock_init(&chip->lock);
	chip->codec_ready = ICH_GS_PCR | ICH_GS_SCR;
	if (chip->flags & ICH_F_ICH4)
		chip->codec_ready |= ICH_GS_TCR;
	for (i = 0; i < ICH_NUM_CHANS; i++) {
		chip->chan[i].chip = chip;
		chip->chan[i].info = &ich_chans[i];
		chip->int_mask |= ich_chans[i].int_bit;
	}
	oc->free = ich_free;

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

	err = ich_pick_bars(chip);
	if (err < 0)
		goto fail;
	err = pci_request_regions(pci, "snd-omnibus ICH");
	if (err < 0) {
		/* -EBUSY both for a conflict and a failed allocation */
		dev_err(&pci->dev, "cannot reserve registers %pR %pR (another driver has them, or no memory): %d\n",
			&pci->resource[chip->nam_bar],
			&pci->resource[chip->nabm_bar], err);
		goto fail;
	}
	chip->regions = true;
	chip->nam = pci_iomap(pci, chip->nam_bar, 0);
	chip->nabm = pci_iomap(pci, chip->nabm_bar, 0);
	if (!chip->nam || !chip->nabm) {
		dev_err(&pci->dev, "cannot map the registers\n");
		err = -ENOMEM;
		goto fail;
	}

	for (i = 0; i < ICH_NUM_CHANS; i++) {
		chip->chan[i].bdl = dma_alloc_coherent(&pci->dev, ICH_BDL_BYTES,
						       &chip->chan[i].bdl_addr,
						       GFP_KERNEL);
		if (!chip->chan[i].bdl) {
			err = -ENOMEM;
			goto fail;
		}
	}
	pci_set_master(pci);

	err = ich_chip_init(chip);
	if (err < 0)
		goto fail;

	err = request_irq(pci->irq, ich_interrupt, IRQF_SHARED,
			  KBUILD_MODNAME, chip);
	if (err < 0) {
		dev_err(&pci->dev, "cannot get IRQ %d: %d\n", pci->irq, err);
		goto fail;
	}
	chip->irq = pci->irq;
	card->sync_irq = chip->irq;

	err = ich_mixer_new(chip);
	if (err < 0)
		goto fail;

	err = omnibus_pcm_new(oc, &ich_pcm_main, chip, NULL);
	if (err < 0)
		goto fail;
	err = omnibus_pcm_new(oc, &ich_pcm_mic, chip, NULL);
	if (err < 0)
		goto fail;
	err = omnibus_pcm_proc_init(oc);
	if (err < 0) {
		dev_err(&pci->dev, "cannot create the buffers proc file: %d\n",
			err);
		goto fail;
	}
	err = ich_proc_init(chip);
	if (err < 0) {
		dev_err(&pci->dev, "cannot create the ich proc file: %d\n",
			err);
		goto fail;
	}

	/* the driver names alsa-lib knows: cards/ICH.conf, cards/ICH4.conf */
	strscpy(card->driver, chip->flags & ICH_F_ICH4 ? "ICH4" : "ICH",
		sizeof(card->driver));
	strscpy(card->shortname, "Intel ICH AC'97", sizeof(card->shortname));
	snprintf(card->longname, sizeof(card->longname),
		 "%s %04x:%04x with %s at %s bars, irq %d", card->shortname,
		 pci->vendor, pci->device, snd_ac97_get_short_name(chip->ac97),
		 chip->nam_bar == 2 ? "memory" : "I/O", chip->irq);

	err = omnibus_card_register(oc);
	if (err < 0)
		goto fail;
	pci_set_drvdata(pci, card);
	return 0;

fail:
	omnibus_card_free(oc);
	return err;
}

static void ich_remove(struct pci_dev *pci)
{
	struct snd_card *card = pci_get_drvdata(pci);

	omnibus_card_free(card->private_data);
}

#ifdef CONFIG_PM_SLEEP
static int ich_suspend(struct device *dev)
{
	struct snd_card *card = dev_get_drvdata(dev);
	struct ich *chip = ich_of(card->private_data);
	unsigned int i;

	/* the ALSA core has stopped the running streams, not paused ones */
	snd_power_change_state(card, SNDRV_CTL_POWER_D3hot);
	spin_lock_irq(&chip->lock);
	for (i = 0; i < ICH_NUM_CHANS; i++) {
		chip->chan[i].running = false;
		chip->chan[i].prepared = false;
	}
	ich_reset_all_chans(chip);
	spin_unlock_irq(&chip->lock);
	snd_ac97_suspend(chip->ac97);
	return 0;
}

static int ich_resume(struct device *dev)
{
	struct snd_card *card = dev_get_drvdata(dev);
	struct ich *chip = ich_of(card->private_data);
	unsigned int i;
	int err;

	err = ich_chip_init(chip);
	if (err < 0)
		dev_err(dev, "AC-link not back after resume: %d\n", err);
	/* the BDL addresses; prepare writes the entries and LVI again */
	spin_lock_irq(&chip->lock);
	for (i = 0; i < ICH_NUM_CHANS; i++)
		ich_writel(chip, ich_chans[i].base + ICH_BDBAR,
			   chip->chan[i].bdl_addr);
	spin_unlock_irq(&chip->lock);
	/* the codec registers, rates included, from the layer's cache */
	snd_ac97_resume(chip->ac97);
	snd_power_change_state(card, SNDRV_CTL_POWER_D0);
	return 0;
}

static SIMPLE_DEV_PM_OPS(ich_pm, ich_suspend, ich_resume);
#define ICH_PM_OPS	(&ich_pm)
#else
#define ICH_PM_OPS	NULL
#endif

/*
 * The Intel controllers with the 82801AA register layout: the in-tree
 * snd-intel8x0 drives these as DEVICE_INTEL and DEVICE_INTEL_ICH4.  Left
 * out: the 440MX (it needs uncached buffers, an erratum), and the SiS,
 * nVidia, ALi and AMD parts, whose registers or quirks differ.
 *
 * No MODULE_DEVICE_TABLE: the in-tree driver keeps these chips unless
 * snd-omnibus-ich is loaded first (or the in-tree one is not bound).
 */
static const struct pci_device_id ich_ids[] = {
	{ PCI_VDEVICE(INTEL, 0x2415), 0 },		/* 82801AA (ICH) */
	{ PCI_VDEVICE(INTEL, 0x2425), 0 },		/* 82801AB (ICH0) */
	{ PCI_VDEVICE(INTEL, 0x2445), 0 },		/* 82801BA (ICH2) */
	{ PCI_VDEVICE(INTEL, 0x2485), 0 },		/* 82801CA (ICH3) */
	{ PCI_VDEVICE(INTEL, 0x24c5), ICH_F_ICH4 },	/* 82801DB (ICH4) */
	{ PCI_VDEVICE(INTEL, 0x24d5), ICH_F_ICH4 },	/* 82801EB (ICH5) */
	{ PCI_VDEVICE(INTEL, 0x25a6), ICH_F_ICH4 },	/* 6300ESB */
	{ PCI_VDEVICE(INTEL, 0x266e), ICH_F_ICH4 },	/* 82801FB (ICH6) */
	{ PCI_VDEVICE(INTEL, 0x27de), ICH_F_ICH4 },	/* 82801GB (ICH7) */
	{ PCI_VDEVICE(INTEL, 0x2698), ICH_F_ICH4 },	/* 631xESB (ESB2) */
	{ }
};

static struct pci_driver ich_driver = {
	.name = "snd_omnibus_ich",
	.id_table = ich_ids,
	.probe = ich_probe,
	.remove = ich_remove,
	.driver = {
		.pm = ICH_PM_OPS,
	},
};

static int __init ich_init(void)
{
	int err;

	err = omnibus_card_check_params(&ich_core);
	if (err < 0)
		return err;
	err = pci_register_driver(&ich_driver);
	if (err < 0) {
		pr_err("cannot register the ICH PCI driver: %d\n",
		       err);
		return err;
	}
	omnibus_pci_report_foreign(&ich_core, &ich_driver, "Intel ICH AC'97");
	return 0;
}

static void __exit ich_exit(void)
{
	pci_unregister_driver(&ich_driver);
}

module_init(ich_init);
module_exit(ich_exit);
