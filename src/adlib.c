// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-adlib: an OPL2 or OPL3 FM synthesizer on its own, as on an
 * AdLib card (port 0x388), through the kernel's snd-opl3-lib: its hwdep
 * device (SBI instruments) and the sequencer synth snd-opl3-synth binds
 * to, as the in-tree snd-adlib offers them.
 *
 * Nothing is probed unless asked: a card for every enabled slot n with
 * port[n] set, none without (one line, and the load fails).  An OPL has
 * no IRQ or DMA channel to set; its 4 ports are held for the card.  The
 * library tells an OPL2 from an OPL3 by its status register.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <sound/core.h>
#include <sound/initval.h>
#include <sound/opl3.h>
#include "omnibus.h"
#include "isa.h"

MODULE_AUTHOR("The snd-omnibus developers");
MODULE_DESCRIPTION("ALSA driver for ISA AdLib (OPL2/OPL3 FM) cards, on 64-bit kernels too (snd-omnibus)");
MODULE_LICENSE("GPL");
MODULE_VERSION(OMNIBUS_VERSION);
OMNIBUS_IMPORT_NS();

#define ADLIB_IO_SIZE	4	/* left bank base + 0/1, right bank + 2/3 */

static int index[SNDRV_CARDS] = SNDRV_DEFAULT_IDX;
static char *id[SNDRV_CARDS] = SNDRV_DEFAULT_STR;
static bool enable[SNDRV_CARDS] = SNDRV_DEFAULT_ENABLE_PNP;
static long port[SNDRV_CARDS] = SNDRV_DEFAULT_PORT;

module_param_array(index, int, NULL, 0444);
MODULE_PARM_DESC(index, "Index value for each snd-omnibus-adlib card, in slot order.");
module_param_array(id, charp, NULL, 0444);
MODULE_PARM_DESC(id, "ID string for each snd-omnibus-adlib card, in slot order.");
module_param_array(enable, bool, NULL, 0444);
MODULE_PARM_DESC(enable, "Enable each snd-omnibus-adlib card slot (a disabled slot is skipped).");
module_param_hw_array(port, long, ioport, NULL, 0444);
MODULE_PARM_DESC(port, "Port of each OPL, in card slot order (required: 0x388 on an AdLib; 0x220, 0x240, 0x260, 0x280 for the FM of a Sound Blaster at that base).");

static struct omnibus_driver adlib_core = OMNIBUS_DRIVER(index, id, enable);

static const char *adlib_kind(const struct snd_opl3 *opl3)
{
	switch (opl3->hardware & OPL3_HW_MASK) {
	case OPL3_HW_OPL2:
		return "OPL2";
	case OPL3_HW_OPL3:
		return "OPL3";
	default:
		return "OPL";
	}
}

/* omnibus_isa_driver.probe: the card for @cfg; its 4 ports are held */
static int adlib_probe(struct platform_device *pdev,
		       const struct omnibus_isa_cfg *cfg)
{
	struct device *dev = &pdev->dev;
	struct omnibus_card *oc;
	struct snd_card *card;
	struct snd_opl3 *opl3;
	int err;

	if (!OMNIBUS_HAVE_OPL3)
		return -ENODEV;	/* not reached: adlib_init() refused */
	err = omnibus_card_new(&adlib_core, dev, OMNIBUS_BUS_ISA, cfg->slot,
			       sizeof(*oc), &oc);
	if (err < 0)
		return err;
	card = oc->card;

	/* the ports are the ISA layer's: the library requests none */
	err = snd_opl3_create(card, cfg->port, cfg->port + 2, OPL3_HW_AUTO, 1,
			      &opl3);
	if (err < 0) {
		/* the library has freed what it made */
		if (err == -ENODEV)
			dev_err(dev, "no OPL answers at 0x%lx (status and timer test): %d\n",
				cfg->port, err);
		else
			dev_err(dev, "cannot set up the OPL at 0x%lx: %d\n",
				cfg->port, err);
		goto fail;
	}
	/* on failure the library frees the OPL with its hwdep device */
	err = snd_opl3_hwdep_new(opl3, 0, 0, NULL);
	if (err < 0) {
		dev_err(dev, "cannot create the FM device of the %s at 0x%lx: %d\n",
			adlib_kind(opl3), cfg->port, err);
		goto fail;
	}

	strscpy(card->driver, "AdLib", sizeof(card->driver));
	strscpy(card->shortname, "AdLib FM", sizeof(card->shortname));
	snprintf(card->longname, sizeof(card->longname), "AdLib FM (%s) at 0x%lx",
		 adlib_kind(opl3), cfg->port);

	err = omnibus_card_register(oc);
	if (err < 0)
		goto fail;
	platform_set_drvdata(pdev, oc);
	dev_info(dev, "%s\n", card->longname);
	return 0;

fail:
	omnibus_card_free(oc);
	return err;
}

static void adlib_remove(struct platform_device *pdev)
{
	omnibus_card_free(platform_get_drvdata(pdev));
}

/* ---- the module -------------------------------------------------------------- */

/* where an OPL can be: an AdLib's, and a Sound Blaster's at its base */
static const unsigned long adlib_ports[] = {
	0x388, 0x220, 0x240, 0x260, 0x280,
};

static struct omnibus_isa_driver adlib_isa = {
	.core = &adlib_core,
	.chip = "standalone OPL",
	.drv_name = "snd_omnibus_adlib",
	.io_name = "snd-omnibus AdLib",
	.io_size = ADLIB_IO_SIZE,
	.port = port,
	.ports = adlib_ports,
	.num_ports = ARRAY_SIZE(adlib_ports),
	.probe = adlib_probe,
	.remove = adlib_remove,
};

static int __init adlib_init(void)
{
	int n;

	if (!OMNIBUS_HAVE_OPL3) {
		pr_err("this kernel has no snd-opl3-lib (CONFIG_SND_OPL3_LIB), no OPL can be driven: %d\n",
		       -ENODEV);
		return -ENODEV;
	}
	/* no blind probing: an enabled slot needs its port= */
	for (n = 0; n < SNDRV_CARDS; n++)
		if (enable[n] && port[n] != SNDRV_AUTO_PORT)
			break;
	if (n == SNDRV_CARDS) {
		pr_err("port= not given: no AdLib card is set up (an OPL is never looked for; port=0x388 on an AdLib): %d\n",
		       -ENODEV);
		return -ENODEV;
	}
	return omnibus_isa_register(&adlib_isa);
}

static void __exit adlib_exit(void)
{
	omnibus_isa_unregister(&adlib_isa);
}

module_init(adlib_init);
module_exit(adlib_exit);
