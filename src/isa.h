/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-omnibus-core: the ISA layer (isa.c), what every ISA chip's module
 * uses.
 *
 * A chip's card file describes the chip in a struct omnibus_isa_driver:
 * its names, I/O size, the ports it can sit at, the IRQ and DMA
 * parameters it takes and the values each may have, the module parameter
 * arrays that hold them, and the callbacks that detect, probe and remove
 * one card.  isa.c does the rest: it checks the parameters, looks for
 * cards at the candidate ports when isa_autodetect=1 asks, makes one
 * platform device per card (DMA mask 24 bits: buffers in the first
 * 16 MiB, where the ISA DMA controller reaches), requests the I/O ports
 * before the chip's probe, and gives the errno of a failed card back to
 * the module's init after undoing everything.  It knows no chip.
 *
 * The chip requests its IRQ and DMA channels through the functions below,
 * which say in one line which one failed and why.
 */
#ifndef OMNIBUS_ISA_H
#define OMNIBUS_ISA_H

#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/pm.h>
#include <linux/types.h>
#include <sound/core.h>
#include "omnibus.h"

/* irq/dma values: the in-tree drivers', so that options lines carry over */
#define OMNIBUS_ISA_AUTO	0xffff	/* unset: ask the card (SNDRV_AUTO_*) */
#define OMNIBUS_ISA_NONE	(-1)	/* "-1 for none", where a param allows */

#define OMNIBUS_ISA_MAX_PARAMS	4

/* One IRQ or DMA parameter of the chip (irq=, dma8=, dma1= ...). */
struct omnibus_isa_param {
	const char *name;	/* the module parameter's name */
	int *values;		/* its array, SNDRV_CARDS long */
	const int *valid;	/* the values a card can have */
	unsigned int num_valid;
	bool none_ok;		/* OMNIBUS_ISA_NONE is allowed too */
	/*
	 * What a value outside the list is not, before the chip's name:
	 * "is not wired to a" gives "irq=3 (card 0) is not wired to a
	 * Sound Blaster 16 (5, 7, 9, 10): -22".
	 */
	const char *not_what;
};

struct omnibus_isa_driver;

/* One card; the probe's copy lives in the device's platform data. */
struct omnibus_isa_cfg {
	const struct omnibus_isa_driver *drv;
	int slot;		/* card slot (index/id/enable) = card number */
	unsigned long port;
	int val[OMNIBUS_ISA_MAX_PARAMS];	/* in the order of drv->params */
	bool autodetected;	/* port found by isa_autodetect=1 */
	int err;		/* the probe's result, for the module's init */
};

/* A chip, as its card file describes it; isa.c fills in the rest. */
struct omnibus_isa_driver {
	/* the module's index/id/enable, and its name for lines without a device */
	struct omnibus_driver *core;
	const char *chip;	/* "Sound Blaster 16" */
	const char *drv_name;	/* the platform driver's and devices' name */
	const char *io_name;	/* the I/O ports' and the IRQ's owner */
	unsigned int io_size;	/* I/O ports from the base */

	long *port;		/* port=, SNDRV_CARDS long */
	const unsigned long *ports;	/* where the chip can be, in order */
	unsigned int num_ports;
	const struct omnibus_isa_param *params;
	unsigned int num_params;

	/* isa_autodetect=; NULL: the chip is never looked for */
	bool *autodetect;
	const char *found;	/* "Sound Blaster DSP": "found no %s" */
	const char *found_short;	/* "DSP": "no free card slot for the %s" */
	/* true if the chip answers at @port; its I/O region is held */
	bool (*detect)(unsigned long port);

	/* the card for @cfg; the I/O region is held.  0 or a negative errno */
	int (*probe)(struct platform_device *pdev,
		     const struct omnibus_isa_cfg *cfg);
	void (*remove)(struct platform_device *pdev);
	const struct dev_pm_ops *pm;

	/* isa.c's own */
	struct platform_driver pdrv;
	bool registered;
	struct platform_device *devices[SNDRV_CARDS];
	char probe_name[48];	/* region name while detecting */
};

/*
 * platform_driver_register() of the module that includes this: THIS_MODULE
 * and KBUILD_MODNAME are the chip module's, whatever the kernel's
 * __platform_driver_register() takes (7.2 added the module's name).
 */
static inline int omnibus_isa_register_pdrv(struct platform_driver *pdrv)
{
	return platform_driver_register(pdrv);
}

/*
 * For the module's init: checks the parameters, sets up every card asked
 * for.  0, or the errno of the first card that failed (or of a bad
 * parameter), with nothing left registered.  The platform driver belongs
 * to the calling module: @reg registers it from there.
 */
int __omnibus_isa_register(struct omnibus_isa_driver *drv,
			   int (*reg)(struct platform_driver *pdrv));
#define omnibus_isa_register(drv) \
	__omnibus_isa_register(drv, omnibus_isa_register_pdrv)
/* For the module's exit: every card and the driver go. */
void omnibus_isa_unregister(struct omnibus_isa_driver *drv);

/*
 * Each prints one line naming the resource and the errno when it fails,
 * and holds nothing then.  IRQs and DMA channels are not device-managed:
 * the chip gives them back before its card's memory goes.  @dev is the
 * card's platform device.
 */
int omnibus_isa_request_irq(struct device *dev, int irq, irq_handler_t handler,
			    void *data);
void omnibus_isa_free_irq(int irq, void *data);
int omnibus_isa_request_dma(struct device *dev, int dma, const char *what);
void omnibus_isa_free_dma(int dma);

/*
 * For streams on the 8237.  omnibus_isa_dma_mask() masks (or unmasks) the
 * channel.  omnibus_isa_dma_reach() is 0 for a buffer the controller can
 * walk (below 16 MiB, within one 64 KiB page for channels 0-3, 128 KiB
 * for 5-7), else one line and -ENOMEM.  omnibus_isa_check_silent(), for a
 * stream that stops: if it ran two periods (100 ms at least) since
 * @started without one interrupt, no data moved, and one line says so
 * with the channel and IRQ to check.  (The ALSA core gives up on such a
 * stream after about a buffer's time, 10 s on older kernels, with -EIO.)
 */
void omnibus_isa_dma_mask(int dma, bool mask);
int omnibus_isa_dma_reach(struct device *dev, int dma, dma_addr_t start,
			  size_t bytes);
void omnibus_isa_check_silent(struct snd_pcm_substream *ss,
			      unsigned long started, unsigned int interrupts,
			      int dma, int irq);

#endif /* OMNIBUS_ISA_H */
