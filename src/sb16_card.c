// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-sb16: the Sound Blaster 16 card.  Its module parameters,
 * what the ISA layer (isa.c) needs to know of the chip, the probe (IRQ and
 * DMA setup through the mixer's select registers, the IRQ self-test, the
 * mixer and the PCM device), remove, power management, the proc file, and
 * the module's init and exit.
 *
 * Nothing is probed unless asked: a card for every slot n with port[n]
 * set, and with isa_autodetect=1 for every DSP that answers the reset
 * handshake at 0x220, 0x240, 0x260 or 0x280 (isa.c says what that does
 * not protect).  Card n uses slot n of index/id/enable, and irq[n],
 * dma8[n], dma16[n]; left unset, they are read from the card.  The
 * parameters have the names and meanings of the in-tree snd-sb16's.
 *
 * The card's OPL3 FM synthesizer is the kernel's snd-opl3-lib's: its
 * hwdep device (SBI instruments) and the sequencer synth snd-opl3-synth
 * binds to, as snd-sb16 offers them.  It sits at the card's base unless
 * fm_port[n] says otherwise; a card whose OPL3 does not answer works
 * without FM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <sound/core.h>
#include <sound/info.h>
#include <sound/initval.h>
#include <sound/opl3.h>
#include <sound/pcm.h>
#include "omnibus.h"
#include "isa.h"
#include "sb16.h"

MODULE_AUTHOR("The snd-omnibus developers");
MODULE_DESCRIPTION("ALSA driver for the ISA Sound Blaster 16, on 64-bit kernels too (snd-omnibus)");
MODULE_LICENSE("GPL");
MODULE_VERSION(OMNIBUS_VERSION);
OMNIBUS_IMPORT_NS();

static int index[SNDRV_CARDS] = SNDRV_DEFAULT_IDX;
static char *id[SNDRV_CARDS] = SNDRV_DEFAULT_STR;
static bool enable[SNDRV_CARDS] = SNDRV_DEFAULT_ENABLE_PNP;
static long port[SNDRV_CARDS] = SNDRV_DEFAULT_PORT;
static int irq[SNDRV_CARDS] = SNDRV_DEFAULT_IRQ;
static int dma8[SNDRV_CARDS] = SNDRV_DEFAULT_DMA;
static int dma16[SNDRV_CARDS] = SNDRV_DEFAULT_DMA;
static long fm_port[SNDRV_CARDS] = SNDRV_DEFAULT_PORT;
static long mpu_port[SNDRV_CARDS] = SNDRV_DEFAULT_PORT;
static bool isa_autodetect;

module_param_array(index, int, NULL, 0444);
MODULE_PARM_DESC(index, "Index value for each snd-omnibus-sb16 card, in slot order.");
module_param_array(id, charp, NULL, 0444);
MODULE_PARM_DESC(id, "ID string for each snd-omnibus-sb16 card, in slot order.");
module_param_array(enable, bool, NULL, 0444);
MODULE_PARM_DESC(enable, "Enable each snd-omnibus-sb16 card slot (a disabled slot is skipped).");
module_param_hw_array(port, long, ioport, NULL, 0444);
MODULE_PARM_DESC(port, "Port of each ISA Sound Blaster 16, in card slot order (0x220, 0x240, 0x260, 0x280).");
module_param_hw_array(irq, int, irq, NULL, 0444);
MODULE_PARM_DESC(irq, "IRQ of each ISA Sound Blaster 16 (5, 7, 9, 10; unset: what the card says).");
module_param_hw_array(dma8, int, dma, NULL, 0444);
MODULE_PARM_DESC(dma8, "8-bit DMA channel of each ISA Sound Blaster 16 (0, 1, 3; unset: the card's).");
module_param_hw_array(dma16, int, dma, NULL, 0444);
MODULE_PARM_DESC(dma16, "16-bit DMA channel of each ISA Sound Blaster 16 (5, 6, 7, or -1 for none; unset: the card's).");
module_param_hw_array(fm_port, long, ioport, NULL, 0444);
MODULE_PARM_DESC(fm_port, "Port of each Sound Blaster 16's OPL3 FM synthesizer (unset: the card's port, where every Sound Blaster 16 has it; 0 or -1: no FM).");
module_param_hw_array(mpu_port, long, ioport, NULL, 0444);
MODULE_PARM_DESC(mpu_port, "MPU-401 port of each ISA Sound Blaster 16 (0x330, 0x300; unset: no MIDI).");
module_param(isa_autodetect, bool, 0444);
MODULE_PARM_DESC(isa_autodetect, "Look for Sound Blaster 16 cards at 0x220, 0x240, 0x260 and 0x280 by writing the DSP reset to base+0x6 of each range no driver has claimed (no ISA probing without it or port=).");

static struct omnibus_driver sb16_core = OMNIBUS_DRIVER(index, id, enable);

/* the order of sb16_params[] and of omnibus_isa_cfg.val[] */
enum { SB16_P_IRQ, SB16_P_DMA8, SB16_P_DMA16, SB16_NUM_PARAMS };

/* IRQ select (mixer 0x80) and DMA select (mixer 0x81) bits */
static const struct {
	int irq;
	u8 bit;
} sb_irq_bits[] = {
	{ 9, 0x01 }, { 5, 0x02 }, { 7, 0x04 }, { 10, 0x08 },
};

#define SB_DMA8_BITS		0x0b	/* channels 0, 1, 3 */
#define SB_DMA16_BITS		0xe0	/* channels 5, 6, 7 */

static struct sb16 *sb16_of(struct omnibus_card *oc)
{
	return container_of(oc, struct sb16, oc);
}

/* ---- proc ------------------------------------------------------------------ */

static void sb16_proc_read(struct snd_info_entry *entry,
			   struct snd_info_buffer *buf)
{
	struct sb16 *chip = entry->private_data;
	struct sb16_chan chan[SB_NUM_CHANS];
	struct sb16_stream st[2];
	unsigned long interrupts;
	int ch;

	spin_lock_irq(&chip->lock);
	memcpy(chan, chip->chan, sizeof(chan));
	memcpy(st, chip->st, sizeof(st));
	interrupts = chip->interrupts;
	spin_unlock_irq(&chip->lock);

	snd_iprintf(buf, "Sound Blaster 16, DSP %d.%02d, at 0x%lx\n",
		    chip->version >> 8, chip->version & 0xff, chip->port);
	snd_iprintf(buf, "IRQ %d (%s)\n", chip->irq,
		    chip->irq_from_card ? "read from the card" : "irq=");
	snd_iprintf(buf, "written: IRQ select 0x%02x, DMA select 0x%02x\n",
		    chip->irq_sel, chip->dma_sel);
	snd_iprintf(buf, "mixer 0x80: 0x%02x, 0x81: 0x%02x\n",
		    omnibus_ct1745_read(&chip->mixer, CT1745_R_IRQ),
		    omnibus_ct1745_read(&chip->mixer, CT1745_R_DMA));
	for (ch = 0; ch < SB_NUM_CHANS; ch++) {
		snd_iprintf(buf, "%s DMA ", sb16_chan_name(ch));
		if (chan[ch].dma < 0) {
			snd_iprintf(buf, "none\n");
			continue;
		}
		snd_iprintf(buf, "%d: ", chan[ch].dma);
		if (chan[ch].owner < 0) {
			snd_iprintf(buf, "free\n");
			continue;
		}
		snd_iprintf(buf, "%s, %u Hz, %u-byte buffer, %s, %lu interrupts\n",
			    chan[ch].owner ? "capture" : "playback",
			    st[chan[ch].owner].rate, chan[ch].bytes,
			    st[chan[ch].owner].running ? "running" : "stopped",
			    st[chan[ch].owner].interrupts);
	}
	snd_iprintf(buf, "DMA channels %s\n",
		    chip->dma_from_card ? "read from the card" : "from dma8=/dma16=");
	snd_iprintf(buf, "interrupts: %lu\n", interrupts);
	if (chip->fm_port)
		snd_iprintf(buf, "OPL3 FM at 0x%lx\n", chip->fm_port);
	else
		snd_iprintf(buf, "no OPL3 FM\n");
	if (chip->mpu_port)
		snd_iprintf(buf, "MPU-401 UART at 0x%lx: MIDI device 0\n",
			    chip->mpu_port);
	else
		snd_iprintf(buf, "MPU-401 UART: none\n");
	omnibus_ct1745_proc(&chip->mixer, buf);
}

/*
 * Root's only: every read reads 26 mixer registers back from the card,
 * each access with 10 us of waits with interrupts off, which no user
 * should be able to repeat at will.  The file is for diagnosis and the
 * card works without it: failing to make it is not fatal.
 */
static void sb16_proc_init(struct sb16 *chip)
{
	struct snd_info_entry *entry;

	if (snd_card_proc_new(chip->oc.card, "sb16", &entry) < 0)
		return;
	entry->mode = S_IFREG | 0400;
	snd_info_set_text_ops(entry, chip, sb16_proc_read);
}

/* ---- IRQ and DMA setup ----------------------------------------------------- */

static int sb_decode_irq(u8 sel)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sb_irq_bits); i++)
		if (sel == sb_irq_bits[i].bit)
			return sb_irq_bits[i].irq;
	return -1;
}

static u8 sb_encode_irq(int irq)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sb_irq_bits); i++)
		if (irq == sb_irq_bits[i].irq)
			return sb_irq_bits[i].bit;
	return 0;
}

/* The one channel of @mask set in @sel, -1 if none, -2 if several. */
static int sb_decode_dma(u8 sel, u8 mask)
{
	sel &= mask;
	if (!sel)
		return -1;
	if (hweight8(sel) > 1)
		return -2;
	return __ffs(sel);
}

/*
 * Settles IRQ and DMA channels: parameters first, the card's own select
 * registers for what was left unset.  Writes the result back and checks
 * that the card kept it (a Plug and Play card ignores these registers).
 */
static int sb16_configure(struct sb16 *chip, const struct omnibus_isa_cfg *cfg)
{
	struct device *dev = &chip->pdev->dev;
	int irq = cfg->val[SB16_P_IRQ], dma8 = cfg->val[SB16_P_DMA8];
	int dma16 = cfg->val[SB16_P_DMA16];
	u8 isel, dsel;

	chip->old_irq_sel = omnibus_ct1745_read(&chip->mixer, CT1745_R_IRQ);
	chip->old_dma_sel = omnibus_ct1745_read(&chip->mixer, CT1745_R_DMA);

	if (irq == OMNIBUS_ISA_AUTO) {
		irq = sb_decode_irq(chip->old_irq_sel);
		if (irq < 0) {
			dev_err(dev, "irq not given and the card at 0x%lx names none (mixer 0x80 = 0x%02x): set irq=: %d\n",
				chip->port, chip->old_irq_sel, -EINVAL);
			return -EINVAL;
		}
		chip->irq_from_card = true;
	}
	if (dma8 == OMNIBUS_ISA_AUTO) {
		dma8 = sb_decode_dma(chip->old_dma_sel, SB_DMA8_BITS);
		if (dma8 < 0) {
			dev_err(dev, "dma8 not given and the card at 0x%lx names %s (mixer 0x81 = 0x%02x): set dma8=: %d\n",
				chip->port, dma8 == -1 ? "none" : "several",
				chip->old_dma_sel, -EINVAL);
			return -EINVAL;
		}
		chip->dma_from_card = true;
	}
	if (dma16 == OMNIBUS_ISA_AUTO) {
		dma16 = sb_decode_dma(chip->old_dma_sel, SB_DMA16_BITS);
		if (dma16 == -2) {
			dev_err(dev, "dma16 not given and the card at 0x%lx names several (mixer 0x81 = 0x%02x): set dma16=: %d\n",
				chip->port, chip->old_dma_sel, -EINVAL);
			return -EINVAL;
		}
		chip->dma_from_card = true;
	}

	isel = sb_encode_irq(irq);
	dsel = BIT(dma8) | (dma16 >= 0 ? BIT(dma16) : 0);
	omnibus_ct1745_write(&chip->mixer, CT1745_R_IRQ, isel);
	omnibus_ct1745_write(&chip->mixer, CT1745_R_DMA, dsel);
	chip->irq_sel = omnibus_ct1745_read(&chip->mixer, CT1745_R_IRQ);
	chip->dma_sel = omnibus_ct1745_read(&chip->mixer, CT1745_R_DMA);
	if ((chip->irq_sel & 0x0f) != isel || chip->dma_sel != dsel) {
		dev_err(dev, "the card at 0x%lx does not take IRQ %d, DMA %d/%d (mixer 0x80/0x81 read 0x%02x/0x%02x after 0x%02x/0x%02x; a Plug and Play card?): %d\n",
			chip->port, irq, dma8, dma16, chip->irq_sel,
			chip->dma_sel, isel, dsel, -ENODEV);
		return -ENODEV;
	}
	chip->irq = irq;
	chip->chan[SB_CH8].dma = dma8;
	chip->chan[SB_CH16].dma = dma16;
	return 0;
}

/* ---- FM ---------------------------------------------------------------------- */

/*
 * The OPL3 of card @slot, through snd-opl3-lib: the hwdep device 0 and
 * the sequencer device 1 (snd-opl3-synth), as snd-sb16 makes them.  At
 * the card's base it shares the I/O region the ISA layer holds for the
 * card; elsewhere the driver requests the OPL's two port pairs itself (so
 * that ports in use are our one line, not the library's too) and hands
 * the library the ports as held ("integrated").  An OPL3 that does not
 * answer is one line and a card without FM, holding no port.
 */
static int sb16_fm_new(struct sb16 *chip, int slot)
{
	struct device *dev = &chip->pdev->dev;
	long fm = fm_port[slot];
	struct snd_opl3 *opl3;
	bool integrated;
	int err;

	if (!OMNIBUS_HAVE_OPL3)
		return 0;	/* the kernel has no snd-opl3-lib */
	if (fm == SNDRV_AUTO_PORT)
		fm = chip->port;
	if (fm <= 0)
		return 0;	/* fm_port=0 or -1: no FM asked for */
	integrated = fm == chip->port;
	if (!integrated && fm < chip->port + SB_IO_SIZE && fm + 4 > chip->port) {
		dev_err(dev, "fm_port=0x%lx is inside the card's ports 0x%lx-0x%lx but not its base: %d\n",
			fm, chip->port, chip->port + SB_IO_SIZE - 1, -EINVAL);
		return -EINVAL;
	}
	if (!integrated) {
		if (!devm_request_region(dev, fm, 2, "OPL2/3 (left)")) {
			err = -EBUSY;
			goto without_fm;
		}
		if (!devm_request_region(dev, fm + 2, 2, "OPL2/3 (right)")) {
			devm_release_region(dev, fm, 2);
			err = -EBUSY;
			goto without_fm;
		}
	}
	err = snd_opl3_create(chip->oc.card, fm, fm + 2, OPL3_HW_OPL3, 1,
			      &opl3);
	if (err < 0) {
		/* the library has freed what it made; the ports go back */
		if (!integrated) {
			devm_release_region(dev, fm + 2, 2);
			devm_release_region(dev, fm, 2);
		}
		goto without_fm;
	}
	/* on failure the library frees the OPL3 with its hwdep device */
	err = snd_opl3_hwdep_new(opl3, 0, 1, NULL);
	if (err < 0) {
		dev_err(dev, "cannot create the OPL3 FM device at 0x%lx: %d\n",
			fm, err);
		return err;
	}
	chip->fm_port = fm;
	return 0;

without_fm:
	if (err == -ENODEV)
		dev_warn(dev, "no OPL3 FM answers at 0x%lx (%d): the card works without FM\n",
			 fm, err);
	else
		dev_warn(dev, "the OPL3 FM at 0x%lx could not be set up (%d%s): the card works without FM\n",
			 fm, err, err == -EBUSY ?
			 ", its ports are in use: see /proc/ioports" : "");
	return 0;
}

/* ---- probe, free, power ----------------------------------------------------- */

/* omnibus_card.free: undoes the probe, whatever part of it was done */
static void sb16_free(struct omnibus_card *oc)
{
	struct sb16 *chip = sb16_of(oc);
	int ch;

	/* nothing runs any more: quiet the DSP, drop what it holds */
	if (chip->version)
		sb16_dsp_reset(chip->port);
	if (chip->irq_held)
		omnibus_isa_free_irq(chip->irq, chip);
	for (ch = 0; ch < SB_NUM_CHANS; ch++)
		if (chip->chan[ch].held)
			omnibus_isa_free_dma(chip->chan[ch].dma);
	if (chip->version && !chip->configured) {
		/* a failed probe leaves the card as it found it */
		omnibus_ct1745_write(&chip->mixer, CT1745_R_IRQ,
				     chip->old_irq_sel);
		omnibus_ct1745_write(&chip->mixer, CT1745_R_DMA,
				     chip->old_dma_sel);
	}
}

/* omnibus_isa_driver.probe: the card for @cfg; its I/O region is held */
static int sb16_probe(struct platform_device *pdev,
		      const struct omnibus_isa_cfg *cfg)
{
	struct device *dev = &pdev->dev;
	struct omnibus_card *oc;
	struct snd_card *card;
	struct sb16 *chip;
	int version, err, ch;
	long mpu;

	mpu = mpu_port[cfg->slot];
	if (mpu == SNDRV_AUTO_PORT || mpu <= 0) {
		mpu = 0;
	} else if (mpu != 0x300 && mpu != 0x330) {
		dev_err(dev, "mpu_port=0x%lx is not an MPU-401 port of a Sound Blaster 16 (0x330, 0x300): %d\n",
			mpu, -EINVAL);
		return -EINVAL;
	}
	if (sb16_dsp_reset(cfg->port) < 0) {
		dev_err(dev, "no Sound Blaster DSP answers at 0x%lx (reset handshake): %d\n",
			cfg->port, -ENODEV);
		return -ENODEV;
	}
	version = sb16_dsp_version(dev, cfg->port);
	if (version < 0)
		return version;

	err = omnibus_card_new(&sb16_core, dev, OMNIBUS_BUS_ISA, cfg->slot, sizeof(*chip),
			       &oc);
	if (err < 0)
		return err;
	chip = sb16_of(oc);
	card = oc->card;
	chip->pdev = pdev;
	chip->port = cfg->port;
	chip->version = version;
	chip->irq = -1;
	spin_lock_init(&chip->lock);
	for (ch = 0; ch < SB_NUM_CHANS; ch++) {
		chip->chan[ch].dma = -1;
		chip->chan[ch].owner = -1;
	}
	for (ch = 0; ch < 2; ch++) {
		chip->st[ch].chip = chip;
		chip->st[ch].dir = ch;
		chip->st[ch].ch = -1;
	}
	omnibus_ct1745_attach(&chip->mixer, card, chip->port);
	oc->free = sb16_free;

	err = sb16_configure(chip, cfg);
	if (err < 0)
		goto fail;

	err = omnibus_isa_request_irq(dev, chip->irq, sb16_interrupt, chip);
	if (err < 0)
		goto fail;
	chip->irq_held = true;
	card->sync_irq = chip->irq;
	err = sb16_dsp_irq_test(chip);
	if (err < 0)
		goto fail;

	for (ch = 0; ch < SB_NUM_CHANS; ch++) {
		if (chip->chan[ch].dma < 0)
			continue;
		err = omnibus_isa_request_dma(dev, chip->chan[ch].dma,
					      ch == SB_CH16 ? "SB16 16-bit" :
							      "SB16 8-bit");
		if (err < 0)
			goto fail;
		chip->chan[ch].held = true;
	}

	err = omnibus_ct1745_init(&chip->mixer);
	if (err < 0)
		goto fail;

	err = sb16_pcm_new(chip);
	if (err < 0)
		goto fail;
	err = omnibus_pcm_proc_init(oc);
	if (err < 0) {
		dev_err(dev, "cannot create the buffers proc file: %d\n", err);
		goto fail;
	}
	sb16_proc_init(chip);

	strscpy(card->driver, "SB16", sizeof(card->driver));
	strscpy(card->shortname, "Sound Blaster 16", sizeof(card->shortname));
	if (chip->chan[SB_CH16].dma >= 0)
		snprintf(card->longname, sizeof(card->longname),
			 "Sound Blaster 16 at 0x%lx, irq %d, dma %d&%d",
			 chip->port, chip->irq, chip->chan[SB_CH8].dma,
			 chip->chan[SB_CH16].dma);
	else
		snprintf(card->longname, sizeof(card->longname),
			 "Sound Blaster 16 at 0x%lx, irq %d, dma %d",
			 chip->port, chip->irq, chip->chan[SB_CH8].dma);

	/* after the names: the library names its devices after the card */
	err = sb16_fm_new(chip, cfg->slot);
	if (err < 0)
		goto fail;
	if (mpu)
		sb16_mpu_new(chip, mpu);	/* without MIDI if it fails */

	err = omnibus_card_register(oc);
	if (err < 0)
		goto fail;
	chip->configured = true;
	platform_set_drvdata(pdev, oc);
	dev_info(dev, "%s, DSP %d.%02d%s%s\n", card->longname,
		 version >> 8, version & 0xff,
		 cfg->autodetected ? ", found by isa_autodetect" : "",
		 chip->irq_from_card || chip->dma_from_card ?
		 ", settings read from the card" : "");
	return 0;

fail:
	sb16_mpu_detach(chip);
	omnibus_card_free(oc);
	return err;
}

static void sb16_remove(struct platform_device *pdev)
{
	struct omnibus_card *oc = platform_get_drvdata(pdev);

	sb16_mpu_detach(sb16_of(oc));
	omnibus_card_free(oc);
}

#ifdef CONFIG_PM_SLEEP
static int sb16_suspend(struct device *dev)
{
	struct omnibus_card *oc = dev_get_drvdata(dev);
	struct sb16 *chip = sb16_of(oc);

	/* the ALSA core has stopped the running streams, not paused ones */
	snd_power_change_state(oc->card, SNDRV_CTL_POWER_D3hot);
	spin_lock_irq(&chip->lock);
	sb16_dsp_reset(chip->port);
	spin_unlock_irq(&chip->lock);
	omnibus_ct1745_suspend(&chip->mixer);
	return 0;
}

static int sb16_resume(struct device *dev)
{
	struct omnibus_card *oc = dev_get_drvdata(dev);
	struct sb16 *chip = sb16_of(oc);

	spin_lock_irq(&chip->lock);
	/* a DSP that answers the reset takes commands again */
	chip->dsp_stuck = sb16_dsp_reset(chip->port) < 0;
	if (chip->dsp_stuck)
		dev_err(dev, "no DSP at 0x%lx after resume: %d\n", chip->port,
			-ENODEV);
	spin_unlock_irq(&chip->lock);
	/* power off lost the IRQ and DMA setup and the levels */
	omnibus_ct1745_write(&chip->mixer, CT1745_R_IRQ, chip->irq_sel);
	omnibus_ct1745_write(&chip->mixer, CT1745_R_DMA, chip->dma_sel);
	sb16_mpu_resume(chip);
	omnibus_ct1745_restore(&chip->mixer);
	snd_power_change_state(oc->card, SNDRV_CTL_POWER_D0);
	return 0;
}

static SIMPLE_DEV_PM_OPS(sb16_pm, sb16_suspend, sb16_resume);
#define SB16_PM_OPS	(&sb16_pm)
#else
#define SB16_PM_OPS	NULL
#endif

/* ---- the module -------------------------------------------------------------- */

/* where a Sound Blaster 16 can be, in the order isa_autodetect tries them */
static const unsigned long sb16_ports[] = { 0x220, 0x240, 0x260, 0x280 };
static const int sb16_irqs[] = { 5, 7, 9, 10 };
static const int sb16_dma8s[] = { 0, 1, 3 };
static const int sb16_dma16s[] = { 5, 6, 7 };

static const struct omnibus_isa_param sb16_params[SB16_NUM_PARAMS] = {
	[SB16_P_IRQ] = {
		.name = "irq",
		.values = irq,
		.valid = sb16_irqs,
		.num_valid = ARRAY_SIZE(sb16_irqs),
		.not_what = "is not wired to a",
	},
	[SB16_P_DMA8] = {
		.name = "dma8",
		.values = dma8,
		.valid = sb16_dma8s,
		.num_valid = ARRAY_SIZE(sb16_dma8s),
		.not_what = "is not an 8-bit DMA channel of a",
	},
	[SB16_P_DMA16] = {
		.name = "dma16",
		.values = dma16,
		.valid = sb16_dma16s,
		.num_valid = ARRAY_SIZE(sb16_dma16s),
		.none_ok = true,
		.not_what = "is not a 16-bit DMA channel of a",
	},
};

/* isa_autodetect: a DSP answers the reset handshake at @base */
static bool sb16_detect(unsigned long base)
{
	return !sb16_dsp_reset(base);
}

static struct omnibus_isa_driver sb16_isa = {
	.core = &sb16_core,
	.chip = "Sound Blaster 16",
	.drv_name = "snd_omnibus_isa",
	.io_name = "snd-omnibus SB16",
	.io_size = SB_IO_SIZE,
	.port = port,
	.ports = sb16_ports,
	.num_ports = ARRAY_SIZE(sb16_ports),
	.params = sb16_params,
	.num_params = ARRAY_SIZE(sb16_params),
	.autodetect = &isa_autodetect,
	.found = "Sound Blaster DSP",
	.found_short = "DSP",
	.detect = sb16_detect,
	.probe = sb16_probe,
	.remove = sb16_remove,
	.pm = SB16_PM_OPS,
};

static int __init sb16_init(void)
{
	return omnibus_isa_register(&sb16_isa);
}

static void __exit sb16_exit(void)
{
	omnibus_isa_unregister(&sb16_isa);
}

module_init(sb16_init);
module_exit(sb16_exit);
