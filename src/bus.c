// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-core, the bus layer: the one place that knows, for each bus, which
 * memory a device's DMA engine can reach and how ALSA's allocator is told.
 *
 *   PCI      bus-master DMA: SNDRV_DMA_TYPE_DEV on the PCI function, which
 *            honours the DMA mask the chip set; scatter-gather on request.
 *   ISA      the 8237 reaches the first 16 MiB only: SNDRV_DMA_TYPE_DEV on
 *            a platform device whose DMA mask is 24 bits, so the allocator
 *            takes ZONE_DMA pages; no scatter-gather (the 8237 has none).
 *   virtual  no device at all: continuous pages or vmalloc, with no device
 *            pointer (what the guide calls snd_dma_continuous_data).
 *
 * Chips state a wish (enum omnibus_buffer); this file grants it or picks
 * the nearest the bus can do.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <sound/memalloc.h>
#include "omnibus.h"

const char *omnibus_bus_name(enum omnibus_bus_type type)
{
	switch (type) {
	case OMNIBUS_BUS_PCI:
		return "PCI";
	case OMNIBUS_BUS_ISA:
		return "ISA";
	case OMNIBUS_BUS_VIRTUAL:
		return "virtual";
	}
	return "?";
}
EXPORT_SYMBOL_OMNIBUS(omnibus_bus_name);

const char *omnibus_buffer_name(enum omnibus_buffer buffer)
{
	switch (buffer) {
	case OMNIBUS_BUF_DMA:
		return "dma";
	case OMNIBUS_BUF_SG:
		return "scatter-gather";
	case OMNIBUS_BUF_CONTINUOUS:
		return "continuous";
	case OMNIBUS_BUF_VMALLOC:
		return "vmalloc";
	case OMNIBUS_BUF_EXTERNAL:
		return "external";
	}
	return "?";
}
EXPORT_SYMBOL_OMNIBUS(omnibus_buffer_name);

int omnibus_bus_pick(const struct omnibus_bus *bus, enum omnibus_buffer wish,
		     struct omnibus_dma *dma)
{
	dma->buffer = wish;
	dma->dev = NULL;

	switch (wish) {
	case OMNIBUS_BUF_SG:
		/* only a bus-master engine walks a descriptor list */
		if (bus->type == OMNIBUS_BUS_PCI) {
			dma->type = SNDRV_DMA_TYPE_DEV_SG;
			dma->dev = bus->dev;
			return 0;
		}
		dma->buffer = OMNIBUS_BUF_DMA;
		fallthrough;
	case OMNIBUS_BUF_DMA:
		if (bus->type == OMNIBUS_BUS_VIRTUAL) {
			/* nothing does DMA: plain contiguous pages will do */
			dma->buffer = OMNIBUS_BUF_CONTINUOUS;
			dma->type = SNDRV_DMA_TYPE_CONTINUOUS;
			return 0;
		}
		if (bus->type == OMNIBUS_BUS_ISA &&
		    dma_get_mask(bus->dev) > DMA_BIT_MASK(24)) {
			dev_err(bus->dev, "ISA device without a 24-bit DMA mask\n");
			return -EINVAL;
		}
		dma->type = SNDRV_DMA_TYPE_DEV;
		dma->dev = bus->dev;
		return 0;
	case OMNIBUS_BUF_CONTINUOUS:
		/* a NULL device means GFP_KERNEL pages on every kernel */
		dma->type = SNDRV_DMA_TYPE_CONTINUOUS;
		return 0;
	case OMNIBUS_BUF_VMALLOC:
		dma->type = SNDRV_DMA_TYPE_VMALLOC;
		return 0;
	case OMNIBUS_BUF_EXTERNAL:
		dma->type = SNDRV_DMA_TYPE_UNKNOWN;
		return 0;
	}
	return -EINVAL;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_bus_pick);
