// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-wss: a Windows Sound System codec card (AD1848, CS4248,
 * CS4231, CS4231A and compatibles).  Its module parameters, what the ISA
 * layer (isa.c) needs to know of the codec, the probe, remove, power
 * management, the proc file, and the module's init and exit.
 *
 * Nothing is probed unless asked: a card for every slot n with port[n]
 * set, and with isa_autodetect=1 for every codec that passes the register
 * test at 0x534, 0x608, 0xe84 or 0xf44 (the codec's own ports on a WSS
 * board at 0x530, 0x604, 0xe80 or 0xf40).  port= is the codec's base, as
 * snd-cs4231 takes it.  A codec cannot tell its IRQ or DMA channel: irq=
 * and dma1= must be given; dma2= (capture) is optional, and without it
 * both directions share dma1, one at a time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <sound/core.h>
#include <sound/info.h>
#include <sound/initval.h>
#include <sound/pcm.h>
#include "omnibus.h"
#include "isa.h"
#include "wss.h"

MODULE_AUTHOR("The snd-omnibus developers");
MODULE_DESCRIPTION("ALSA driver for ISA Windows Sound System codecs (AD1848, CS4231 family), on 64-bit kernels too (snd-omnibus)");
MODULE_LICENSE("GPL");
MODULE_VERSION(OMNIBUS_VERSION);
OMNIBUS_IMPORT_NS();

static int index[SNDRV_CARDS] = SNDRV_DEFAULT_IDX;
static char *id[SNDRV_CARDS] = SNDRV_DEFAULT_STR;
static bool enable[SNDRV_CARDS] = SNDRV_DEFAULT_ENABLE_PNP;
static long port[SNDRV_CARDS] = SNDRV_DEFAULT_PORT;
static int irq[SNDRV_CARDS] = SNDRV_DEFAULT_IRQ;
static int dma1[SNDRV_CARDS] = SNDRV_DEFAULT_DMA;
static int dma2[SNDRV_CARDS] = SNDRV_DEFAULT_DMA;
static bool isa_autodetect;

module_param_array(index, int, NULL, 0444);
MODULE_PARM_DESC(index, "Index value for each snd-omnibus-wss card, in slot order.");
module_param_array(id, charp, NULL, 0444);
MODULE_PARM_DESC(id, "ID string for each snd-omnibus-wss card, in slot order.");
module_param_array(enable, bool, NULL, 0444);
MODULE_PARM_DESC(enable, "Enable each snd-omnibus-wss card slot (a disabled slot is skipped).");
module_param_hw_array(port, long, ioport, NULL, 0444);
MODULE_PARM_DESC(port, "Port of each WSS codec, in card slot order (0x534, 0x608, 0xe84, 0xf44: the board's base + 4).");
module_param_hw_array(irq, int, irq, NULL, 0444);
MODULE_PARM_DESC(irq, "IRQ of each WSS codec (5, 7, 9, 11, 12, 15; required).");
module_param_hw_array(dma1, int, dma, NULL, 0444);
MODULE_PARM_DESC(dma1, "Playback DMA channel of each WSS codec (0, 1, 3; required).");
module_param_hw_array(dma2, int, dma, NULL, 0444);
MODULE_PARM_DESC(dma2, "Capture DMA channel of each WSS codec (0, 1, 3; -1 or unset: dma1, one direction at a time).");
module_param(isa_autodetect, bool, 0444);
MODULE_PARM_DESC(isa_autodetect, "Look for WSS codecs at 0x534, 0x608, 0xe84 and 0xf44 by writing and reading back their input registers 0, 1 and 12 in each range no driver has claimed (no ISA probing without it or port=).");

static struct omnibus_driver wss_core = OMNIBUS_DRIVER(index, id, enable);

/* the order of wss_params[] and of omnibus_isa_cfg.val[] */
enum { WSS_P_IRQ, WSS_P_DMA1, WSS_P_DMA2, WSS_NUM_PARAMS };

static struct wss *wss_of(struct omnibus_card *oc)
{
	return container_of(oc, struct wss, oc);
}

/* ---- proc ------------------------------------------------------------------ */

static void wss_proc_read(struct snd_info_entry *entry,
			  struct snd_info_buffer *buf)
{
	struct wss *chip = entry->private_data;
	u8 image[WSS_REGS], now[WSS_REGS];
	unsigned long interrupts[3];
	unsigned int i;

	spin_lock_irq(&chip->reg_lock);
	memcpy(image, chip->image, sizeof(image));
	for (i = 0; i < chip->nregs; i++)
		now[i] = wss_in(chip, i);
	spin_unlock_irq(&chip->reg_lock);
	spin_lock_irq(&chip->lock);
	interrupts[0] = chip->interrupts;
	interrupts[1] = chip->st[0].interrupts;
	interrupts[2] = chip->st[1].interrupts;
	spin_unlock_irq(&chip->lock);

	snd_iprintf(buf, "%s at 0x%lx, mode %d", wss_kind_name(chip->kind),
		    chip->port, wss_mode2(chip) ? 2 : 1);
	if (wss_mode2(chip))
		snd_iprintf(buf, ", version 0x%02x", chip->version);
	snd_iprintf(buf, "\nIRQ %d, playback DMA %d, capture DMA %d%s\n",
		    chip->irq, chip->dma1,
		    chip->dma2 >= 0 ? chip->dma2 : chip->dma1,
		    chip->dma2 >= 0 ? "" : " (one channel, SDC)");
	snd_iprintf(buf, "interrupts: %lu (playback %lu, capture %lu since prepare)\n",
		    interrupts[0], interrupts[1], interrupts[2]);
	snd_iprintf(buf, "reg written read\n");
	for (i = 0; i < chip->nregs; i++)
		snd_iprintf(buf, "I%-2u 0x%02x    0x%02x\n", i, image[i], now[i]);
}

/* root's only: reading it touches the index register 32 times */
static void wss_proc_init(struct wss *chip)
{
	struct snd_info_entry *entry;

	if (snd_card_proc_new(chip->oc.card, "wss", &entry) < 0)
		return;
	entry->mode = S_IFREG | 0400;
	snd_info_set_text_ops(entry, chip, wss_proc_read);
}

/* ---- probe, free, power ----------------------------------------------------- */

/* omnibus_card.free: undoes the probe, whatever part of it was done */
static void wss_free(struct omnibus_card *oc)
{
	struct wss *chip = wss_of(oc);

	if (chip->nregs)
		wss_codec_quiet(chip);
	if (chip->irq_held)
		omnibus_isa_free_irq(chip->irq, chip);
	if (chip->dma2_held)
		omnibus_isa_free_dma(chip->dma2);
	if (chip->dma1_held)
		omnibus_isa_free_dma(chip->dma1);
}

/* irq= and dma1= are not to be read from a codec: one line if unset */
static int wss_check_given(struct device *dev, const struct omnibus_isa_cfg *cfg)
{
	static const char * const names[] = { "irq", "dma1" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (cfg->val[i] != OMNIBUS_ISA_AUTO)
			continue;
		dev_err(dev, "%s= not given for the codec at 0x%lx: a WSS codec cannot tell it, set %s=: %d\n",
			names[i], cfg->port, names[i], -EINVAL);
		return -EINVAL;
	}
	return 0;
}

/* omnibus_isa_driver.probe: the card for @cfg; its I/O region is held */
static int wss_probe(struct platform_device *pdev,
		     const struct omnibus_isa_cfg *cfg)
{
	struct device *dev = &pdev->dev;
	struct omnibus_card *oc;
	struct snd_card *card;
	enum wss_kind kind;
	struct wss *chip;
	u8 version;
	int err;

	if (wss_detect(cfg->port, &kind, &version) < 0) {
		dev_err(dev, "no WSS codec answers at 0x%lx (register test): %d\n",
			cfg->port, -ENODEV);
		return -ENODEV;
	}
	err = wss_check_given(dev, cfg);
	if (err < 0)
		return err;

	err = omnibus_card_new(&wss_core, dev, OMNIBUS_BUS_ISA, cfg->slot,
			       sizeof(*chip), &oc);
	if (err < 0)
		return err;
	chip = wss_of(oc);
	card = oc->card;
	chip->port = cfg->port;
	chip->kind = kind;
	chip->version = version;
	chip->irq = cfg->val[WSS_P_IRQ];
	chip->dma1 = cfg->val[WSS_P_DMA1];
	chip->dma2 = cfg->val[WSS_P_DMA2];
	if (chip->dma2 == OMNIBUS_ISA_AUTO || chip->dma2 == chip->dma1)
		chip->dma2 = OMNIBUS_ISA_NONE;
	spin_lock_init(&chip->reg_lock);
	spin_lock_init(&chip->lock);
	chip->st[0].chip = chip;
	chip->st[0].dir = SNDRV_PCM_STREAM_PLAYBACK;
	chip->st[0].dma = -1;
	chip->st[1].chip = chip;
	chip->st[1].dir = SNDRV_PCM_STREAM_CAPTURE;
	chip->st[1].dma = -1;
	oc->free = wss_free;

	err = omnibus_isa_request_irq(dev, chip->irq, wss_interrupt, chip);
	if (err < 0)
		goto fail;
	chip->irq_held = true;
	card->sync_irq = chip->irq;
	err = omnibus_isa_request_dma(dev, chip->dma1, "WSS playback");
	if (err < 0)
		goto fail;
	chip->dma1_held = true;
	if (chip->dma2 >= 0) {
		err = omnibus_isa_request_dma(dev, chip->dma2, "WSS capture");
		if (err < 0)
			goto fail;
		chip->dma2_held = true;
	}

	/* from here on the codec is written: wss_free quiets it */
	chip->nregs = kind == WSS_AD1848 || kind == WSS_CS4248 ? 16 : WSS_REGS;
	wss_mixer_attach(chip);
	err = wss_codec_init(chip);
	if (err < 0)
		goto fail;
	err = wss_mixer_new(chip);
	if (err < 0)
		goto fail;
	err = wss_pcm_new(chip);
	if (err < 0)
		goto fail;
	err = omnibus_pcm_proc_init(oc);
	if (err < 0) {
		dev_err(dev, "cannot create the buffers proc file: %d\n", err);
		goto fail;
	}
	wss_proc_init(chip);

	strscpy(card->driver, wss_kind_name(kind), sizeof(card->driver));
	strscpy(card->shortname, wss_kind_name(kind), sizeof(card->shortname));
	if (chip->dma2 >= 0)
		snprintf(card->longname, sizeof(card->longname),
			 "%s at 0x%lx, irq %d, dma %d&%d", card->shortname,
			 chip->port, chip->irq, chip->dma1, chip->dma2);
	else
		snprintf(card->longname, sizeof(card->longname),
			 "%s at 0x%lx, irq %d, dma %d", card->shortname,
			 chip->port, chip->irq, chip->dma1);

	err = omnibus_card_register(oc);
	if (err < 0)
		goto fail;
	platform_set_drvdata(pdev, oc);
	dev_info(dev, "%s, mode %d%s\n", card->longname,
		 wss_mode2(chip) ? 2 : 1,
		 cfg->autodetected ? ", found by isa_autodetect" : "");
	return 0;

fail:
	omnibus_card_free(oc);
	return err;
}

static void wss_remove(struct platform_device *pdev)
{
	omnibus_card_free(platform_get_drvdata(pdev));
}

#ifdef CONFIG_PM_SLEEP
static int wss_suspend(struct device *dev)
{
	struct omnibus_card *oc = dev_get_drvdata(dev);

	/* the ALSA core has stopped the running streams, not paused ones */
	snd_power_change_state(oc->card, SNDRV_CTL_POWER_D3hot);
	wss_codec_quiet(wss_of(oc));
	return 0;
}

static int wss_resume(struct device *dev)
{
	struct omnibus_card *oc = dev_get_drvdata(dev);
	struct wss *chip = wss_of(oc);

	/* power off lost the mode, the levels and the clock */
	if (wss_codec_restore(chip) < 0)
		dev_err(dev, "the codec at 0x%lx did not take its settings back after resume\n",
			chip->port);
	snd_power_change_state(oc->card, SNDRV_CTL_POWER_D0);
	return 0;
}

static SIMPLE_DEV_PM_OPS(wss_pm, wss_suspend, wss_resume);
#define WSS_PM_OPS	(&wss_pm)
#else
#define WSS_PM_OPS	NULL
#endif

/* ---- the module -------------------------------------------------------------- */

/* where a codec can be, in the order isa_autodetect tries them */
static const unsigned long wss_ports[] = { 0x534, 0x608, 0xe84, 0xf44 };
static const int wss_irqs[] = { 5, 7, 9, 11, 12, 15 };
static const int wss_dmas[] = { 0, 1, 3 };

static const struct omnibus_isa_param wss_params[WSS_NUM_PARAMS] = {
	[WSS_P_IRQ] = {
		.name = "irq",
		.values = irq,
		.valid = wss_irqs,
		.num_valid = ARRAY_SIZE(wss_irqs),
		.not_what = "is not an IRQ of a",
	},
	[WSS_P_DMA1] = {
		.name = "dma1",
		.values = dma1,
		.valid = wss_dmas,
		.num_valid = ARRAY_SIZE(wss_dmas),
		.not_what = "is not an 8-bit DMA channel of a",
	},
	[WSS_P_DMA2] = {
		.name = "dma2",
		.values = dma2,
		.valid = wss_dmas,
		.num_valid = ARRAY_SIZE(wss_dmas),
		.none_ok = true,
		.not_what = "is not an 8-bit DMA channel of a",
	},
};

/* isa_autodetect: something at @base passes the codec's register test */
static bool wss_detect_at(unsigned long base)
{
	enum wss_kind kind;
	u8 version;

	return !wss_detect(base, &kind, &version);
}

static struct omnibus_isa_driver wss_isa = {
	.core = &wss_core,
	.chip = "WSS codec",
	.drv_name = "snd_omnibus_wss",
	.io_name = "snd-omnibus WSS",
	.io_size = WSS_IO_SIZE,
	.port = port,
	.ports = wss_ports,
	.num_ports = ARRAY_SIZE(wss_ports),
	.params = wss_params,
	.num_params = ARRAY_SIZE(wss_params),
	.autodetect = &isa_autodetect,
	.found = "WSS codec",
	.found_short = "codec",
	.detect = wss_detect_at,
	.probe = wss_probe,
	.remove = wss_remove,
	.pm = WSS_PM_OPS,
};

static int __init wss_init(void)
{
	return omnibus_isa_register(&wss_isa);
}

static void __exit wss_exit(void)
{
	omnibus_isa_unregister(&wss_isa);
}

module_init(wss_init);
module_exit(wss_exit);
