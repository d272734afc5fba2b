/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-omnibus: Sound Blaster 16 on the ISA bus.
 *
 *   isa.c          module parameters, the platform devices and driver, and
 *                  the requests for I/O ports, IRQ and DMA channels;
 *   sb16.c         the DSP: reset, version, configuration, PCM, interrupt;
 *   sb16_mixer.c   the CT1745 mixer.
 *
 * isa.c owns resources and messages about them; sb16.c decides when each
 * resource is needed and gives it back in its card's free function.
 */
#ifndef OMNIBUS_SB16_H
#define OMNIBUS_SB16_H

#include <linux/interrupt.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <sound/core.h>
#include "mixer.h"

struct snd_info_buffer;

/* ---- the card's I/O ports, as offsets from its base -------------------- */

#define SB_IO_SIZE		0x10
#define SB_MIXER_ADDR		0x04
#define SB_MIXER_DATA		0x05
#define SB_DSP_RESET		0x06
#define SB_DSP_READ		0x0a
#define SB_DSP_WRITE		0x0c	/* write: command/data; read: bit 7 busy */
#define SB_DSP_RSTATUS		0x0e	/* bit 7: data to read; read = 8-bit ack */
#define SB_DSP_ACK16		0x0f	/* read = 16-bit interrupt ack */

/* ---- configuration (isa.c -> sb16.c) ------------------------------------- */

/* irq/dma values: the in-tree snd-sb16's, so that options lines carry over */
#define OMNIBUS_ISA_AUTO	0xffff	/* unset: ask the card (SNDRV_AUTO_*) */
#define OMNIBUS_ISA_NONE	(-1)	/* dma16 only: no 16-bit channel */

/* One ISA card; the probe's copy lives in the device's platform data. */
struct omnibus_isa_cfg {
	int slot;		/* card slot (index/id/enable) = card number */
	unsigned long port;
	int irq;		/* 5, 7, 9, 10 or OMNIBUS_ISA_AUTO */
	int dma8;		/* 0, 1, 3 or OMNIBUS_ISA_AUTO */
	int dma16;		/* 5, 6, 7, OMNIBUS_ISA_NONE or _AUTO */
	bool autodetected;	/* port found by isa_autodetect=1 */
	int err;		/* the probe's result, for the module's init */
};

/* ---- isa.c: the module's parameters and resources --------------------- */

/* index/id/enable of snd-omnibus-sb16, for the core's card slots */
extern struct omnibus_driver omnibus_sb16_core;

/* ---- isa.c: resources -------------------------------------------------- */

/*
 * Each prints one line naming the resource and the errno when it fails,
 * and holds nothing then.  IRQs and DMA channels are not device-managed:
 * the chip gives them back before its card's memory goes.
 */
int omnibus_isa_request_irq(struct device *dev, int irq, irq_handler_t handler,
			    void *data);
void omnibus_isa_free_irq(int irq, void *data);
int omnibus_isa_request_dma(struct device *dev, int dma, const char *what);
void omnibus_isa_free_dma(int dma);

/* ---- sb16.c: the chip ---------------------------------------------------- */

/* 0 when a DSP at @port answers the reset handshake (region held by caller) */
int omnibus_sb16_reset(unsigned long port);
/* The card for @cfg; @pdev's I/O region is held.  0 or a negative errno. */
int omnibus_sb16_probe(struct platform_device *pdev,
		       const struct omnibus_isa_cfg *cfg);
void omnibus_sb16_remove(struct platform_device *pdev);
int omnibus_sb16_suspend(struct device *dev);
int omnibus_sb16_resume(struct device *dev);

/* ---- sb16_mixer.c: the CT1745 -------------------------------------------- */

#define CT1745_R_RESET		0x00	/* any write: power-on values */
#define CT1745_R_FIRST		0x30	/* first register of the volume block */
#define CT1745_R_LAST		0x47	/* last one (bass right) */
#define CT1745_R_IRQ		0x80	/* IRQ select */
#define CT1745_R_DMA		0x81	/* DMA select */
#define CT1745_R_STATUS		0x82	/* interrupt status */
#define   CT1745_ST_DMA8	0x01
#define   CT1745_ST_DMA16	0x02
#define   CT1745_ST_MPU		0x04

struct omnibus_ct1745 {
	struct omnibus_mixer mixer;	/* its cache is regs[] */
	unsigned long port;
	spinlock_t lock;	/* the index/data port pair and regs[] */
	unsigned long irqflags;	/* saved by the mixer's lock callback */
	u8 regs[CT1745_R_LAST - CT1745_R_FIRST + 1];	/* what was written */
};

/* Where the chip is; the register functions work from then on. */
void omnibus_ct1745_attach(struct omnibus_ct1745 *mix, struct snd_card *card,
			   unsigned long port);
/* One register through the index/data pair; any register, lock taken. */
u8 omnibus_ct1745_read(struct omnibus_ct1745 *mix, u8 reg);
void omnibus_ct1745_write(struct omnibus_ct1745 *mix, u8 reg, u8 val);
/* Loads the driver's settings into the chip and adds the controls. */
int omnibus_ct1745_init(struct omnibus_ct1745 *mix);
/* Turns the master down before power goes; the copy stays as it is. */
void omnibus_ct1745_suspend(struct omnibus_ct1745 *mix);
/* Writes the whole copy back (after a reset or a power loss). */
void omnibus_ct1745_restore(struct omnibus_ct1745 *mix);
/* For the proc file: what the chip's level registers read back. */
void omnibus_ct1745_proc(struct omnibus_ct1745 *mix,
			 struct snd_info_buffer *buf);

#endif /* OMNIBUS_SB16_H */
