// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-core: the ISA layer, for any chip a struct
 * omnibus_isa_driver describes (isa.h).  It names no chip: names, ports, IRQs, DMA channels
 * and what to do with a card all come from the chip's card file.
 *
 * Nothing is probed unless asked.  A card is set up for every slot n with
 * port[n] set, and with isa_autodetect=1 for every chip that answers the
 * chip's detect callback at one of its candidate ports (a range some other
 * driver has claimed is not touched; see isa_detect_at() for what that
 * does not protect); those take the slots whose port is unset, in order.
 * Card n uses slot n of index/id/enable and of each IRQ/DMA parameter;
 * left unset, the chip reads them from the card.
 *
 * Each card is a platform device whose DMA mask is 24 bits, so that its
 * buffers come from the first 16 MiB, where the ISA DMA controller
 * reaches.  This file requests the I/O ports, IRQ and DMA channels and
 * says in one line which one failed and why; the chip does the rest.  A
 * card that fails makes the module's load fail with its errno, after
 * everything already set up has been given back.
 */
/* lines without a device name the chip's module (drv->core->name) */
#define pr_fmt(fmt) fmt

#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <asm/dma.h>
#include <sound/core.h>
#include <sound/initval.h>
#include <sound/pcm.h>
#include "omnibus.h"
#include "isa.h"

/* ---- resources ------------------------------------------------------------- */

int omnibus_isa_request_irq(struct device *dev, int nr, irq_handler_t handler,
			    void *data)
{
	const struct omnibus_isa_cfg *cfg = dev_get_platdata(dev);
	int err;

	/*
	 * Not shared (ISA lines are edge-triggered); IRQF_PROBE_SHARED only
	 * keeps genirq from adding its own line when another holds the IRQ.
	 */
	err = request_irq(nr, handler, IRQF_PROBE_SHARED, cfg->drv->io_name,
			  data);
	if (err < 0)
		dev_err(dev, "IRQ %d is in use (see /proc/interrupts): %d\n",
			nr, err);
	return err;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_isa_request_irq);

void omnibus_isa_free_irq(int nr, void *data)
{
	free_irq(nr, data);
}
EXPORT_SYMBOL_OMNIBUS(omnibus_isa_free_irq);

int omnibus_isa_request_dma(struct device *dev, int dma, const char *what)
{
	int err = request_dma(dma, what);

	if (err == -EBUSY)
		dev_err(dev, "DMA channel %d is in use (see /proc/dma): %d\n",
			dma, err);
	else if (err < 0)
		dev_err(dev, "DMA channel %d cannot be requested (channels 0-3, 5-7): %d\n",
			dma, err);
	return err;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_isa_request_dma);

void omnibus_isa_free_dma(int dma)
{
	snd_dma_disable(dma);
	free_dma(dma);
}
EXPORT_SYMBOL_OMNIBUS(omnibus_isa_free_dma);

/* ---- streams on the 8237 ------------------------------------------------- */

void omnibus_isa_dma_mask(int dma, bool mask)
{
	unsigned long flags;

	flags = claim_dma_lock();
	if (mask)
		disable_dma(dma);
	else
		enable_dma(dma);
	release_dma_lock(flags);
}
EXPORT_SYMBOL_OMNIBUS(omnibus_isa_dma_mask);

int omnibus_isa_dma_reach(struct device *dev, int dma, dma_addr_t start,
			  size_t bytes)
{
	size_t page = dma >= 4 ? SZ_128K : SZ_64K;
	dma_addr_t last = start + bytes - 1;

	if (last < SZ_16M && (start & ~(dma_addr_t)(page - 1)) ==
			     (last & ~(dma_addr_t)(page - 1)))
		return 0;
	dev_err(dev, "%zu-byte buffer at %pad is out of the ISA DMA controller's reach (below 16 MiB, within %zu KiB): %d\n",
		bytes, &start, page / 1024, -ENOMEM);
	return -ENOMEM;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_isa_dma_reach);

void omnibus_isa_check_silent(struct snd_pcm_substream *ss,
			      unsigned long started, unsigned int interrupts,
			      int dma, int irq)
{
	struct snd_pcm_runtime *rt = ss->runtime;
	unsigned int ms = jiffies_to_msecs(jiffies - started);
	unsigned int limit = max_t(unsigned int, 100,
				   rt->period_size * 2000 / rt->rate);

	if (interrupts || ms < limit)
		return;
	dev_warn(ss->pcm->card->dev,
		 "%s stopped after %u ms without an interrupt: no data moved (DMA channel %d, IRQ %d)\n",
		 ss->stream == SNDRV_PCM_STREAM_PLAYBACK ? "playback" :
		 "capture", ms, dma, irq);
}
EXPORT_SYMBOL_OMNIBUS(omnibus_isa_check_silent);

/* ---- the platform driver -------------------------------------------------- */

static int isa_probe(struct platform_device *pdev)
{
	struct omnibus_isa_cfg *cfg = dev_get_platdata(&pdev->dev);
	const struct omnibus_isa_driver *drv = cfg->drv;
	int err;

	if (!devm_request_region(&pdev->dev, cfg->port, drv->io_size,
				 drv->io_name)) {
		err = -EBUSY;
		dev_err(&pdev->dev, "I/O ports 0x%lx-0x%lx are in use (see /proc/ioports): %d\n",
			cfg->port, cfg->port + drv->io_size - 1, err);
	} else {
		err = drv->probe(pdev, cfg);
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
	const struct omnibus_isa_cfg *cfg = dev_get_platdata(&pdev->dev);

	cfg->drv->remove(pdev);
}

OMNIBUS_DEFINE_PLATFORM_REMOVE(isa_remove)

static void isa_fill_driver(struct omnibus_isa_driver *drv)
{
	drv->pdrv = (struct platform_driver) {
		.probe = isa_probe,
		.remove = OMNIBUS_PLATFORM_REMOVE(isa_remove),
		.driver = {
			.name = drv->drv_name,
			.pm = drv->pm,
			/*
			 * isa_add_card() reads what the probe left behind as
			 * soon as the device is registered, so that a failed
			 * card makes the load fail with its errno: never
			 * probe later, whatever async_probe= or
			 * driver_async_probe= ask.
			 */
			.probe_type = PROBE_FORCE_SYNCHRONOUS,
		},
	};
}

/* ---- configuration ----------------------------------------------------------- */

static bool isa_port_set(const struct omnibus_isa_driver *drv, int n)
{
	return drv->port[n] != SNDRV_AUTO_PORT;
}

/* "5, 6, 7, or -1 for none": @p's values, for the line refusing one */
static void isa_param_list(const struct omnibus_isa_param *p, char *buf,
			   size_t size)
{
	unsigned int i;
	size_t len = 0;

	buf[0] = '\0';
	for (i = 0; i < p->num_valid; i++)
		len += scnprintf(buf + len, size - len, "%s%d",
				 i ? ", " : "", p->valid[i]);
	if (p->none_ok)
		scnprintf(buf + len, size - len, ", or %d for none",
			  OMNIBUS_ISA_NONE);
}

static void isa_port_list(const struct omnibus_isa_driver *drv, char *buf,
			  size_t size)
{
	unsigned int i;
	size_t len = 0;

	buf[0] = '\0';
	for (i = 0; i < drv->num_ports; i++)
		len += scnprintf(buf + len, size - len, "%s0x%lx",
				 i ? ", " : "", drv->ports[i]);
}

static bool isa_param_valid(const struct omnibus_isa_param *p, int val)
{
	unsigned int i;

	if (val == OMNIBUS_ISA_AUTO || (p->none_ok && val == OMNIBUS_ISA_NONE))
		return true;
	for (i = 0; i < p->num_valid; i++)
		if (val == p->valid[i])
			return true;
	return false;
}

/* Checks slot @n's parameters; one line and -EINVAL if one is impossible. */
static int isa_check_params(const struct omnibus_isa_driver *drv, int n)
{
	const struct omnibus_isa_param *p;
	char list[80];
	unsigned int i;

	for (i = 0; i < drv->num_ports; i++)
		if (drv->port[n] == drv->ports[i])
			break;
	if (isa_port_set(drv, n) && i == drv->num_ports) {
		isa_port_list(drv, list, sizeof(list));
		pr_err("%s: port=0x%lx (card %d) is not a %s port (%s): %d\n",
		       drv->core->name, drv->port[n], n, drv->chip, list, -EINVAL);
		return -EINVAL;
	}
	for (p = drv->params; p < drv->params + drv->num_params; p++) {
		if (isa_param_valid(p, p->values[n]))
			continue;
		isa_param_list(p, list, sizeof(list));
		pr_err("%s: %s=%d (card %d) %s %s (%s): %d\n",
		       drv->core->name, p->name, p->values[n], n, p->not_what,
		       drv->chip, list, -EINVAL);
		return -EINVAL;
	}
	return 0;
}

/* True if slot @n has an IRQ or DMA parameter set. */
static bool isa_params_set(const struct omnibus_isa_driver *drv, int n)
{
	unsigned int i;

	for (i = 0; i < drv->num_params; i++)
		if (drv->params[i].values[n] != OMNIBUS_ISA_AUTO)
			return true;
	return false;
}

/* "irq=, dma8= or dma16= given without port= ...": they do nothing */
static void isa_note_unused_params(const struct omnibus_isa_driver *drv)
{
	char names[80];
	size_t len = 0;
	unsigned int i;

	names[0] = '\0';
	for (i = 0; i < drv->num_params; i++)
		len += scnprintf(names + len, sizeof(names) - len, "%s%s=",
				 !i ? "" : i + 1 < drv->num_params ? ", " :
				 " or ", drv->params[i].name);
	pr_info("%s: %s given without port=%s: no ISA card is set up for them\n",
		drv->core->name, names,
		drv->autodetect ? " or isa_autodetect=1" : "");
}

/*
 * The chip's detect callback at @base, with the range held.  Nothing is
 * read or written where the range is claimed.
 *
 * request_region() is all that guards it, and it guards less than it
 * seems: it fails only for a range a driver has claimed.  It succeeds
 * inside the ranges ACPI or PnP reserve for the motherboard (the PnP
 * system driver marks those not busy, so that drivers may claim parts of
 * them) and on a device that no driver has claimed yet: another card at
 * the same port before its driver loads takes what detect writes as
 * writes to its own registers.  This is why it is done only when
 * isa_autodetect=1 asks.
 */
static bool isa_detect_at(const struct omnibus_isa_driver *drv,
			  unsigned long base)
{
	bool found;

	if (!request_region(base, drv->io_size, drv->probe_name)) {
		pr_info("%s: isa_autodetect: 0x%lx-0x%lx are in use, not probed\n",
			drv->core->name, base, base + drv->io_size - 1);
		return false;
	}
	found = drv->detect(base);
	release_region(base, drv->io_size);
	return found;
}

static void isa_fill_cfg(const struct omnibus_isa_driver *drv,
			 struct omnibus_isa_cfg *cfg, int slot,
			 unsigned long port)
{
	unsigned int i;

	*cfg = (struct omnibus_isa_cfg) {
		.drv = drv,
		.slot = slot,
		.port = port,
	};
	for (i = 0; i < drv->num_params; i++)
		cfg->val[i] = drv->params[i].values[slot];
}

/* isa_autodetect: the ports where the chip answers go to the free slots. */
static void isa_autodetect_cards(const struct omnibus_isa_driver *drv,
				 struct omnibus_isa_cfg *cards, int *ncards)
{
	unsigned int i;
	int n, slot = 0, found = 0;

	for (i = 0; i < drv->num_ports; i++) {
		for (n = 0; n < SNDRV_CARDS; n++)
			if (drv->port[n] == drv->ports[i])
				break;
		if (n < SNDRV_CARDS || !isa_detect_at(drv, drv->ports[i]))
			continue;	/* given by port=, or nothing there */
		found++;
		while (slot < SNDRV_CARDS &&
		       (isa_port_set(drv, slot) || !omnibus_slot_enabled(drv->core, slot)))
			slot++;
		if (slot == SNDRV_CARDS) {
			pr_warn("%s: isa_autodetect: no free card slot for the %s at 0x%lx\n",
				drv->core->name, drv->found_short, drv->ports[i]);
			break;
		}
		isa_fill_cfg(drv, &cards[*ncards], slot, drv->ports[i]);
		cards[*ncards].autodetected = true;
		(*ncards)++;
		slot++;
	}
	if (!found)
		pr_info("%s: isa_autodetect: found no %s\n", drv->core->name,
			drv->found);
}

static void isa_teardown(struct omnibus_isa_driver *drv)
{
	int n;

	for (n = SNDRV_CARDS - 1; n >= 0; n--) {
		platform_device_unregister(drv->devices[n]);
		drv->devices[n] = NULL;
	}
	if (drv->registered)
		platform_driver_unregister(&drv->pdrv);
	drv->registered = false;
}

static int isa_add_card(struct omnibus_isa_driver *drv,
			const struct omnibus_isa_cfg *cfg)
{
	struct platform_device_info info = {
		.name = drv->drv_name,
		.id = cfg->slot,
		.data = cfg,
		.size_data = sizeof(*cfg),
		.dma_mask = DMA_BIT_MASK(24),
	};
	struct platform_device *pdev;
	struct omnibus_isa_cfg *pcfg;

	pdev = platform_device_register_full(&info);
	if (IS_ERR(pdev)) {
		pr_err("%s: cannot create the platform device of ISA card %d: %ld\n",
		       drv->core->name, cfg->slot, PTR_ERR(pdev));
		return PTR_ERR(pdev);
	}
	drv->devices[cfg->slot] = pdev;
	if (platform_get_drvdata(pdev))
		return 0;
	/* the probe said why, and left its errno here */
	pcfg = dev_get_platdata(&pdev->dev);
	return pcfg && pcfg->err ? pcfg->err : -ENODEV;
}

static int isa_cmp_slot(const void *a, const void *b)
{
	const struct omnibus_isa_cfg *ca = a, *cb = b;

	return ca->slot - cb->slot;
}

/* One port for two cards is a typing error, not a busy port. */
static int isa_check_ports_distinct(const struct omnibus_isa_driver *drv)
{
	int n, m;

	for (n = 0; n < SNDRV_CARDS; n++) {
		for (m = 0; m < n && isa_port_set(drv, n); m++) {
			if (drv->port[m] == drv->port[n]) {
				pr_err("%s: port=0x%lx is given to cards %d and %d: %d\n",
				       drv->core->name, drv->port[n], m, n,
				       -EINVAL);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int isa_check_all_params(const struct omnibus_isa_driver *drv)
{
	bool autodetect = drv->autodetect && *drv->autodetect;
	bool unused = false;
	int n, err;

	err = omnibus_card_check_params(drv->core);
	if (err < 0)
		return err;
	for (n = 0; n < SNDRV_CARDS; n++) {
		if (!isa_port_set(drv, n) && !autodetect) {
			unused |= isa_params_set(drv, n);
			continue;
		}
		err = isa_check_params(drv, n);
		if (err < 0)
			return err;
	}
	err = isa_check_ports_distinct(drv);
	if (err < 0)
		return err;
	if (unused)
		isa_note_unused_params(drv);
	return 0;
}

int __omnibus_isa_register(struct omnibus_isa_driver *drv,
			   int (*reg)(struct platform_driver *pdrv))
{
	struct omnibus_isa_cfg *cards;
	int n, ncards = 0, err;

	if (WARN_ON(drv->num_params > OMNIBUS_ISA_MAX_PARAMS))
		return -EINVAL;
	err = isa_check_all_params(drv);
	if (err < 0)
		return err;

	cards = kcalloc(SNDRV_CARDS, sizeof(*cards), GFP_KERNEL);
	if (!cards)
		return -ENOMEM;
	for (n = 0; n < SNDRV_CARDS; n++)
		if (isa_port_set(drv, n) && omnibus_slot_enabled(drv->core, n))
			isa_fill_cfg(drv, &cards[ncards++], n, drv->port[n]);
	if (drv->autodetect && *drv->autodetect) {
		snprintf(drv->probe_name, sizeof(drv->probe_name), "%s probe",
			 drv->io_name);
		isa_autodetect_cards(drv, cards, &ncards);
	}
	if (!ncards)
		goto out;
	/* in slot order, so that card numbers follow the slots */
	sort(cards, ncards, sizeof(*cards), isa_cmp_slot, NULL);

	isa_fill_driver(drv);
	err = reg(&drv->pdrv);
	if (err < 0) {
		pr_err("%s: cannot register the ISA platform driver: %d\n",
		       drv->core->name, err);
		goto out;
	}
	drv->registered = true;
	for (n = 0; n < ncards; n++) {
		err = isa_add_card(drv, &cards[n]);
		if (err < 0) {
			isa_teardown(drv);
			break;
		}
	}
out:
	kfree(cards);
	return err;
}
EXPORT_SYMBOL_OMNIBUS(__omnibus_isa_register);

void omnibus_isa_unregister(struct omnibus_isa_driver *drv)
{
	isa_teardown(drv);
}
EXPORT_SYMBOL_OMNIBUS(omnibus_isa_unregister);
