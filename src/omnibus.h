/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-omnibus-core: the API the chips call.
 *
 *   chips (virtual.c, es1370.c, ...)  describe their PCM devices and supply
 *                                     the register-level stream operations;
 *   pcm.c                             the one PCM core: buffers, constraints,
 *                                     the snd_pcm_ops the ALSA core calls;
 *   bus.c                             turns "what kind of buffer" plus "which
 *                                     bus" into ALSA's DMA type and device;
 *   card.c                            the card slots over each backend's
 *                                     index/id/enable;
 *   pci.c                             what the PCI backends share.
 *
 * The bus layer never touches a register and the chips never ask which bus
 * they sit on.  Calls go one way: a chip calls the core, the core never
 * names a chip.
 *
 * The core is a module of its own, snd-omnibus-core, exporting this API
 * in the symbol namespace SND_OMNIBUS (EXPORT_SYMBOL_OMNIBUS, compat.h).
 * Each backend (snd-omnibus-virtual, -es1370, -ich, -sb16) is a module that
 * imports it (OMNIBUS_IMPORT_NS()); modprobe loads the core first.
 */
#ifndef OMNIBUS_H
#define OMNIBUS_H

#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/module.h>
#include <sound/core.h>
#include <sound/pcm.h>
#include "compat.h"

#define OMNIBUS_VERSION "0.1.0"

/* ---- bus layer (bus.c) ------------------------------------------------ */

enum omnibus_bus_type {
	OMNIBUS_BUS_PCI,
	OMNIBUS_BUS_ISA,
	OMNIBUS_BUS_VIRTUAL,
};

/* The buffer strategies of the ALSA guide's "Buffer and Memory" chapter. */
enum omnibus_buffer {
	OMNIBUS_BUF_DMA,	/* one block the device's DMA engine reaches */
	OMNIBUS_BUF_SG,		/* scattered pages, mapped for the device */
	OMNIBUS_BUF_CONTINUOUS,	/* physically contiguous pages, no device */
	OMNIBUS_BUF_VMALLOC,	/* virtually contiguous pages, no device */
	OMNIBUS_BUF_EXTERNAL,	/* the device's own memory, reached by copy */
};

struct omnibus_bus {
	enum omnibus_bus_type type;
	struct device *dev;	/* PCI function, ISA or virtual platform dev */
};

/* What the bus layer picked for one PCM device. */
struct omnibus_dma {
	enum omnibus_buffer buffer;	/* may differ from the wish */
	int type;			/* SNDRV_DMA_TYPE_* (UNKNOWN: external) */
	struct device *dev;		/* device handed to the allocator */
};

int omnibus_bus_pick(const struct omnibus_bus *bus, enum omnibus_buffer wish,
		     struct omnibus_dma *dma);
const char *omnibus_bus_name(enum omnibus_bus_type type);
const char *omnibus_buffer_name(enum omnibus_buffer buffer);

/* ---- PCI backends (pci.c) --------------------------------------------- */

struct pci_driver;
struct omnibus_driver;
/* one notice per device of @pdrv's id_table that another driver owns */
void omnibus_pci_report_foreign(const struct omnibus_driver *drv,
				struct pci_driver *pdrv, const char *chip);

/* ---- cards (card.c) --------------------------------------------------- */

#define OMNIBUS_MAX_PCMS 4

/*
 * What a backend module hands the core: its name for the kernel log, the
 * module the cards belong to, and its index/id/enable arrays (SNDRV_CARDS
 * entries each, module parameters of the backend, as in every ALSA
 * driver).  The backend defines one of these statically with
 * OMNIBUS_DRIVER(); the slot bitmap is the core's.
 */
struct omnibus_driver {
	const char *name;
	struct module *owner;
	const int *index;
	char * const *id;
	const bool *enable;
	unsigned long slots_used[BITS_TO_LONGS(SNDRV_CARDS)];
};

#define OMNIBUS_DRIVER(_index, _id, _enable)				\
	{								\
		.name = KBUILD_MODNAME,					\
		.owner = THIS_MODULE,					\
		.index = (_index),					\
		.id = (_id),						\
		.enable = (_enable),					\
	}

struct omnibus_pcm;

struct omnibus_card {
	struct snd_card *card;
	struct omnibus_bus bus;
	struct omnibus_driver *drv;	/* the backend the card belongs to */
	int slot;		/* index into the index/id/enable arrays */
	struct omnibus_pcm *pcms[OMNIBUS_MAX_PCMS];	/* set by pcm.c */
	unsigned int num_pcms;
	/* chip teardown, run once when the card is freed (may be NULL) */
	void (*free)(struct omnibus_card *oc);
};

/*
 * Create a card for a probed device.  @size is the size of the chip's own
 * structure, which must begin with a struct omnibus_card; the returned
 * pointer is that structure.  @slot is the array slot to use, or -1 for
 * the first free enabled one.  On failure nothing is left allocated.
 */
int omnibus_card_new(struct omnibus_driver *drv, struct device *parent,
		     enum omnibus_bus_type type, int slot, size_t size,
		     struct omnibus_card **roc);
/*
 * snd_card_register() for a card made by omnibus_card_new(); on failure it
 * says so in the kernel log and leaves a card that omnibus_card_free()
 * can free.
 */
int omnibus_card_register(struct omnibus_card *oc);
/* Frees the card; the chip's ->free runs first.  Safe on a NULL card. */
void omnibus_card_free(struct omnibus_card *oc);
/* enable[slot], for backends that give cards fixed slots */
bool omnibus_slot_enabled(const struct omnibus_driver *drv, int slot);
/*
 * index= and id= as the ALSA core takes them; otherwise one line in the
 * kernel log and -EINVAL.  For the backend's module_init, before any card.
 */
int omnibus_card_check_params(const struct omnibus_driver *drv);

/* ---- the PCM core (pcm.c) --------------------------------------------- */

/* Chip operations for one direction of one PCM device. */
struct omnibus_stream_ops {
	int (*open)(struct snd_pcm_substream *ss);
	void (*close)(struct snd_pcm_substream *ss);
	/* after the buffer is in place: runtime->dma_area/dma_addr are valid */
	int (*hw_params)(struct snd_pcm_substream *ss,
			 struct snd_pcm_hw_params *params);
	void (*hw_free)(struct snd_pcm_substream *ss);
	int (*prepare)(struct snd_pcm_substream *ss);
	int (*trigger)(struct snd_pcm_substream *ss, int cmd);
	snd_pcm_uframes_t (*pointer)(struct snd_pcm_substream *ss);
	void (*sync_stop)(struct snd_pcm_substream *ss);
	/* OMNIBUS_BUF_EXTERNAL only: device memory holding buffer byte @pos */
	void *(*ext_area)(struct snd_pcm_substream *ss, unsigned long pos);
};

struct omnibus_stream_desc {
	unsigned int substreams;	/* 0: this direction is absent */
	const struct snd_pcm_hardware *hw;
	const struct omnibus_stream_ops *ops;
	size_t prealloc;	/* bytes pre-allocated per substream */
	size_t prealloc_max;	/* largest the prealloc proc file accepts */
};

/* A direction with one substream, for struct omnibus_pcm_desc tables. */
#define OMNIBUS_STREAM(_hw, _ops, _prealloc, _max)			\
	{								\
		.substreams = 1,					\
		.hw = (_hw),						\
		.ops = (_ops),						\
		.prealloc = (_prealloc),				\
		.prealloc_max = (_max),					\
	}

struct omnibus_pcm_desc {
	const char *name;
	int device;			/* ALSA PCM device number */
	enum omnibus_buffer buffer;	/* the chip's wish; bus.c decides */
	struct omnibus_stream_desc stream[2];	/* SNDRV_PCM_STREAM_* */
};

/* The core's record of one PCM device; pcm->private_data points to it. */
struct omnibus_pcm {
	struct omnibus_card *oc;
	const struct omnibus_pcm_desc *desc;
	struct omnibus_dma dma;
	struct snd_pcm *pcm;
	void *chip;
};

int omnibus_pcm_new(struct omnibus_card *oc, const struct omnibus_pcm_desc *desc,
		    void *chip, struct snd_pcm **rpcm);
/* /proc/asound/cardN/buffers: what each substream's buffer is and holds */
int omnibus_pcm_proc_init(struct omnibus_card *oc);
/*
 * For a hw_params rule of a chip with one sample clock: @rate, when not 0
 * (the rate the other direction holds), is the only rate left.
 */
int omnibus_pcm_refine_rate(struct snd_pcm_hw_params *params,
			    unsigned int rate);

static inline void *omnibus_chip(struct snd_pcm_substream *ss)
{
	struct omnibus_pcm *op = ss->pcm->private_data;

	return op->chip;
}

#endif /* OMNIBUS_H */
