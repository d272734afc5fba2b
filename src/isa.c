// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-sb16, its ISA side: Sound Blaster 16 cards on a platform
 * device each, on 64-bit kernels (which build no ISA bus) as on 32-bit ones.
 *
 * Nothing is probed unless asked.  A card is set up for every slot n with
 * port[n] set, and with isa_autodetect=1 for every Sound Blaster DSP that
 * answers the reset handshake at 0x220, 0x240, 0x260 or 0x280 (a range
 * some other driver has claimed is not touched; see isa_dsp_answers() for
 * what is written and what that does not protect); those take the slots
 * whose port is unset, in order.  Card n uses slot n of index/id/enable, and
 * irq[n], dma8[n], dma16[n]; left unset, they are read from the card.
 * The parameters have the names and meanings of the in-tree snd-sb16's.
 *
 * Each card is a platform device whose DMA mask is 24 bits, so that its
 * buffers come from the first 16 MiB, where the ISA DMA controller
 * reaches.  This file requests the I/O ports, IRQ and DMA channels and
 * says in one line which one failed and why; sb16.c does the rest.  A
 * card that fails makes the module's load fail with its errno, after
 * everything already set up has been given back.  This file has the
 * module's init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <asm/dma.h>
#include <sound/core.h>
#include <sound/initval.h>
#include "omnibus.h"
#include "sb16.h"

#define ISA_DRIVER	"snd_omnibus_isa"
#define ISA_IO_NAME	"snd-omnibus SB16"

static long port[SNDRV_CARDS] = SNDRV_DEFAULT_PORT;
static int irq[SNDRV_CARDS] = SNDRV_DEFAULT_IRQ;
static int dma8[SNDRV_CARDS] = SNDRV_DEFAULT_DMA;
static int dma16[SNDRV_CARDS] = SNDRV_DEFAULT_DMA;
static bool isa_autodetect;

module_param_hw_array(port, long, ioport, NULL, 0444);
MODULE_PARM_DESC(port, "Port of each ISA Sound Blaster 16, in card slot order (0x220, 0x240, 0x260, 0x280).");
module_param_hw_array(irq, int, irq, NULL, 0444);
MODULE_PARM_DESC(irq, "IRQ of each ISA Sound Blaster 16 (5, 7, 9, 10; unset: what the card says).");
module_param_hw_array(dma8, int, dma, NULL, 0444);
MODULE_PARM_DESC(dma8, "8-bit DMA channel of each ISA Sound Blaster 16 (0, 1, 3; unset: the card's).");
module_param_hw_array(dma16, int, dma, NULL, 0444);
MODULE_PARM_DESC(dma16, "16-bit DMA channel of each ISA Sound Blaster 16 (5, 6, 7, or -1 for none; unset: the card's).");
module_param(isa_autodetect, bool, 0444);
MODULE_PARM_DESC(isa_autodetect, "Look for Sound Blaster 16 cards at 0x220, 0x240, 0x260 and 0x280 by writing the DSP reset to base+0x6 of each range no driver has claimed (no ISA probing without it or port=).");

MODULE_AUTHOR("The snd-omnibus developers");
MODULE_DESCRIPTION("ALSA driver for the ISA Sound Blaster 16, on 64-bit kernels too (snd-omnibus)");
MODULE_LICENSE("GPL");
MODULE_VERSION(OMNIBUS_VERSION);
OMNIBUS_IMPORT_NS();

static int index[SNDRV_CARDS] = SNDRV_DEFAULT_IDX;
static char *id[SNDRV_CARDS] = SNDRV_DEFAULT_STR;
static bool enable[SNDRV_CARDS] = SNDRV_DEFAULT_ENABLE_PNP;

module_param_array(index, int, NULL, 0444);
MODULE_PARM_DESC(index, "Index value for each snd-omnibus-sb16 card, in slot order.");
module_param_array(id, charp, NULL, 0444);
MODULE_PARM_DESC(id, "ID string for each snd-omnibus-sb16 card, in slot order.");
module_param_array(enable, bool, NULL, 0444);
MODULE_PARM_DESC(enable, "Enable each snd-omnibus-sb16 card slot (a disabled slot is skipped).");

struct omnibus_driver omnibus_sb16_core = OMNIBUS_DRIVER(index, id, enable);

static const unsigned long isa_ports[] = { 0x220, 0x240, 0x260, 0x280 };

static struct platform_device *isa_devices[SNDRV_CARDS];
static bool isa_driver_registered;

/* ---- resources (see sb16.h) ------------------------------------------------ */

int omnibus_isa_request_irq(struct device *dev, int nr, irq_handler_t handler,
			    void *data)
{
	/*
	 * Not shared (ISA lines are edge-triggered); IRQF_PROBE_SHARED only
	 * keeps genirq from adding its own line when another holds the IRQ.
	 */
	int err = request_irq(nr, handler, IRQF_PROBE_SHARED, ISA_IO_NAME,
			      data);

	if (err < 0)
		dev_err(dev, "IRQ %d is in use (see /proc/interrupts): %d\n",
			nr, err);
	return err;
}

void omnibus_isa_free_irq(int nr, void *data)
{
	free_irq(nr, data);
}

int omnibus_isa_request_dma(struct device *dev, int dma, const char *what)
{
	int err = request_dma(dma, what);

	if (err < 0)
		dev_err(dev, "DMA channel %d is in use (see /proc/dma): %d\n",
			dma, err);
	return err;
}

void omnibus_isa_free_dma(int dma)
{
	snd_dma_disable(dma);
	free_dma(dma);
}

/* ---- the platform driver -------------------------------------------------- */

static int isa_probe(struct platform_device *pdev)
{
	struct omnibus_isa_cfg *cfg = dev_get_platdata(&pdev->dev);
	int err;

	if (!devm_request_region(&pdev->dev, cfg->port, SB_IO_SIZE,
				 ISA_IO_NAME)) {
		err = -EBUSY;
		dev_err(&pdev->dev, "I/O ports 0x%lx-0x%lx are in use (see /proc/ioports): %d\n",
			cfg->port, cfg->port + SB_IO_SIZE - 1, err);
	} else {
		err = omnibus_sb16_probe(pdev, cfg);
	}
	/*
	 * The line above said what went wrong; the errno goes to the
	 * module's init through the platform data.  -ENODEV keeps the
	 * driver core from logging a second line.
	 */
	cfg->err = err;
	return err ? -ENODEV : 0;
}

static void isa_remove(struct platform_device *pdev)
{
	omnibus_sb16_remove(pdev);
}

OMNIBUS_DEFINE_PLATFORM_REMOVE(isa_remove)

#ifdef CONFIG_PM_SLEEP
static SIMPLE_DEV_PM_OPS(isa_pm, omnibus_sb16_suspend, omnibus_sb16_resume);
#define ISA_PM_OPS	(&isa_pm)
#else
#define ISA_PM_OPS	NULL
#endif

static struct platform_driver isa_driver = {
	.probe = isa_probe,
	.remove = OMNIBUS_PLATFORM_REMOVE(isa_remove),
	.driver = {
		.name = ISA_DRIVER,
		.pm = ISA_PM_OPS,
		/*
		 * isa_add_card() reads what the probe left behind as soon
		 * as the device is registered, so that a failed card makes
		 * the load fail with its errno: never probe later, whatever
		 * async_probe= or driver_async_probe= ask.
		 */
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

/* ---- configuration ----------------------------------------------------------- */

static bool isa_port_set(int n)
{
	return port[n] != SNDRV_AUTO_PORT;
}

/* Checks slot @n's parameters; one line and -EINVAL if one is impossible. */
static int isa_check_params(int n)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(isa_ports); i++)
		if (port[n] == isa_ports[i])
			break;
	if (isa_port_set(n) && i == ARRAY_SIZE(isa_ports)) {
		pr_err("port=0x%lx (card %d) is not a Sound Blaster 16 port (0x220, 0x240, 0x260, 0x280): %d\n",
		       port[n], n, -EINVAL);
		return -EINVAL;
	}
	switch (irq[n]) {
	case OMNIBUS_ISA_AUTO:
	case 5:
	case 7:
	case 9:
	case 10:
		break;
	default:
		pr_err("irq=%d (card %d) is not wired to a Sound Blaster 16 (5, 7, 9, 10): %d\n",
		       irq[n], n, -EINVAL);
		return -EINVAL;
	}
	switch (dma8[n]) {
	case OMNIBUS_ISA_AUTO:
	case 0:
	case 1:
	case 3:
		break;
	default:
		pr_err("dma8=%d (card %d) is not an 8-bit DMA channel of a Sound Blaster 16 (0, 1, 3): %d\n",
		       dma8[n], n, -EINVAL);
		return -EINVAL;
	}
	switch (dma16[n]) {
	case OMNIBUS_ISA_AUTO:
	case OMNIBUS_ISA_NONE:
	case 5:
	case 6:
	case 7:
		break;
	default:
		pr_err("dma16=%d (card %d) is not a 16-bit DMA channel of a Sound Blaster 16 (5, 6, 7, or -1 for none): %d\n",
		       dma16[n], n, -EINVAL);
		return -EINVAL;
	}
	return 0;
}

/*
 * The reset handshake at @base: 1 then 0 written to base+0x6, then
 * base+0xe read until bit 7 is set (at most about 2 ms, 2000 reads) and
 * base+0xa read once if it is.  Nothing else is read or written at a
 * port where no DSP answers.
 *
 * request_region() is all that guards it, and it guards less than it
 * seems: it fails only for a range a driver has claimed.  It succeeds
 * inside the ranges ACPI or PnP reserve for the motherboard (the PnP
 * system driver marks those not busy, so that drivers may claim parts of
 * them) and on a device that no driver has claimed yet: an NE2000 at
 * 0x240 before its driver loads takes the write to base+0x6 as one to its
 * own register.  The in-tree snd-sb16 probes the same four ports the same
 * way; this is why it is done only when isa_autodetect=1 asks.
 */
static bool isa_dsp_answers(unsigned long base)
{
	bool found;

	if (!request_region(base, SB_IO_SIZE, ISA_IO_NAME " probe")) {
		pr_info("isa_autodetect: 0x%lx-0x%lx are in use, not probed\n",
			base, base + SB_IO_SIZE - 1);
		return false;
	}
	found = !omnibus_sb16_reset(base);
	release_region(base, SB_IO_SIZE);
	return found;
}

/* isa_autodetect: the ports where a DSP answers go to the free slots. */
static void isa_autodetect_cards(struct omnibus_isa_cfg *cards, int *ncards)
{
	unsigned int i;
	int n, slot = 0, found = 0;

	for (i = 0; i < ARRAY_SIZE(isa_ports); i++) {
		for (n = 0; n < SNDRV_CARDS; n++)
			if (port[n] == isa_ports[i])
				break;
		if (n < SNDRV_CARDS || !isa_dsp_answers(isa_ports[i]))
			continue;	/* given by port=, or nothing there */
		found++;
		while (slot < SNDRV_CARDS &&
		       (isa_port_set(slot) || !omnibus_slot_enabled(&omnibus_sb16_core, slot)))
			slot++;
		if (slot == SNDRV_CARDS) {
			pr_warn("isa_autodetect: no free card slot for the DSP at 0x%lx\n",
				isa_ports[i]);
			break;
		}
		cards[*ncards] = (struct omnibus_isa_cfg) {
			.slot = slot,
			.port = isa_ports[i],
			.irq = irq[slot],
			.dma8 = dma8[slot],
			.dma16 = dma16[slot],
			.autodetected = true,
		};
		(*ncards)++;
		slot++;
	}
	if (!found)
		pr_info("isa_autodetect: found no Sound Blaster DSP\n");
}

static void isa_teardown(void)
{
	int n;

	for (n = SNDRV_CARDS - 1; n >= 0; n--) {
		platform_device_unregister(isa_devices[n]);
		isa_devices[n] = NULL;
	}
	if (isa_driver_registered)
		platform_driver_unregister(&isa_driver);
	isa_driver_registered = false;
}

static int isa_add_card(const struct omnibus_isa_cfg *cfg)
{
	struct platform_device_info info = {
		.name = ISA_DRIVER,
		.id = cfg->slot,
		.data = cfg,
		.size_data = sizeof(*cfg),
		.dma_mask = DMA_BIT_MASK(24),
	};
	struct platform_device *pdev;
	struct omnibus_isa_cfg *pcfg;
	int err;

	pdev = platform_device_register_full(&info);
	if (IS_ERR(pdev)) {
		pr_err("cannot create the platform device of ISA card %d: %ld\n",
		       cfg->slot, PTR_ERR(pdev));
		return PTR_ERR(pdev);
	}
	isa_devices[cfg->slot] = pdev;
	if (platform_get_drvdata(pdev))
		return 0;
	/* the probe said why, and left its errno here */
	pcfg = dev_get_platdata(&pdev->dev);
	err = pcfg && pcfg->err ? pcfg->err : -ENODEV;
	return err;
}

static int isa_cmp_slot(const void *a, const void *b)
{
	const struct omnibus_isa_cfg *ca = a, *cb = b;

	return ca->slot - cb->slot;
}

static int __init isa_init(void)
{
	struct omnibus_isa_cfg *cards;
	int n, ncards = 0, err = 0;
	bool hw_params = false;

	err = omnibus_card_check_params(&omnibus_sb16_core);
	if (err < 0)
		return err;
	for (n = 0; n < SNDRV_CARDS; n++) {
		if (!isa_port_set(n) && !isa_autodetect) {
			hw_params |= irq[n] != OMNIBUS_ISA_AUTO ||
				     dma8[n] != OMNIBUS_ISA_AUTO ||
				     dma16[n] != OMNIBUS_ISA_AUTO;
			continue;
		}
		err = isa_check_params(n);
		if (err < 0)
			return err;
	}
	/* one port for two cards is a typing error, not a busy port */
	for (n = 0; n < SNDRV_CARDS; n++) {
		int m;

		for (m = 0; m < n && isa_port_set(n); m++) {
			if (port[m] == port[n]) {
				pr_err("port=0x%lx is given to cards %d and %d: %d\n",
				       port[n], m, n, -EINVAL);
				return -EINVAL;
			}
		}
	}
	if (hw_params)
		pr_info("irq=, dma8= or dma16= given without port= or isa_autodetect=1: no ISA card is set up for them\n");

	cards = kcalloc(SNDRV_CARDS, sizeof(*cards), GFP_KERNEL);
	if (!cards)
		return -ENOMEM;
	for (n = 0; n < SNDRV_CARDS; n++) {
		if (!isa_port_set(n) || !omnibus_slot_enabled(&omnibus_sb16_core, n))
			continue;
		cards[ncards++] = (struct omnibus_isa_cfg) {
			.slot = n,
			.port = port[n],
			.irq = irq[n],
			.dma8 = dma8[n],
			.dma16 = dma16[n],
		};
	}
	if (isa_autodetect)
		isa_autodetect_cards(cards, &ncards);
	if (!ncards)
		goto out;
	/* in slot order, so that card numbers follow the slots */
	sort(cards, ncards, sizeof(*cards), isa_cmp_slot, NULL);

	err = platform_driver_register(&isa_driver);
	if (err < 0) {
		pr_err("cannot register the ISA platform driver: %d\n",
		       err);
		goto out;
	}
	isa_driver_registered = true;
	for (n = 0; n < ncards; n++) {
		err = isa_add_card(&cards[n]);
		if (err < 0) {
			isa_teardown();
			break;
		}
	}
out:
	kfree(cards);
	return err;
}

static void __exit isa_exit(void)
{
	isa_teardown();
}

module_init(isa_init);
module_exit(isa_exit);
