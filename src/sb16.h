/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-omnibus-sb16: Sound Blaster 16 on the ISA bus, what its files share.
 *
 *   sb16_card.c    module parameters, the chip's description for the ISA
 *                  layer (isa.c), probe, IRQ/DMA setup, remove, power, proc;
 *   sb16_pcm.c     the PCM streams, the DMA channels, the interrupt;
 *   sb16_dsp.c     the DSP: reset, version, commands, the IRQ self-test;
 *   sb16_mixer.c   the CT1745 mixer.
 *
 * Calls go one way: sb16_card.c -> sb16_pcm.c -> sb16_dsp.c, and from
 * each to sb16_mixer.c.  isa.c owns resources and messages about them;
 * the card file decides when each resource is needed and gives it back in
 * its card's free function.
 */
#ifndef OMNIBUS_SB16_H
#define OMNIBUS_SB16_H

#include <linux/interrupt.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <sound/core.h>
#include <sound/pcm.h>
#include "omnibus.h"
#include "mixer.h"

struct snd_info_buffer;
struct snd_rawmidi;

/* ---- the card's I/O ports, as offsets from its base -------------------- */

#define SB_IO_SIZE		0x10
#define SB_MIXER_ADDR		0x04
#define SB_MIXER_DATA		0x05
#define SB_DSP_RESET		0x06
#define SB_DSP_READ		0x0a
#define SB_DSP_WRITE		0x0c	/* write: command/data; read: bit 7 busy */
#define SB_DSP_RSTATUS		0x0e	/* bit 7: data to read; read = 8-bit ack */
#define SB_DSP_ACK16		0x0f	/* read = 16-bit interrupt ack */

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
#define CT1745_R_MPU		0x84	/* MPU-401 select (on most SB16s) */
#define   CT1745_MPU_OFF	0x02
#define   CT1745_MPU_300	0x04	/* else 0x330 */

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

/* ---- the chip ------------------------------------------------------------- */

enum sb16_chan_id { SB_CH8, SB_CH16, SB_NUM_CHANS };

struct sb16_chan {
	int dma;		/* ISA DMA channel, -1: the card has none */
	bool held;		/* request_dma() done */
	int owner;		/* SNDRV_PCM_STREAM_* holding it, or -1 */
	unsigned int bytes;	/* buffer size programmed into the 8237 */
};

struct sb16;

struct sb16_stream {
	struct sb16 *chip;
	int dir;			/* SNDRV_PCM_STREAM_* */
	struct snd_pcm_substream *ss;	/* open substream, or NULL */
	int ch;				/* channel held, or -1 */
	unsigned int rate;		/* while it holds a channel, else 0 */
	bool running;
	unsigned long interrupts;	/* since the last prepare */
	unsigned long started;		/* jiffies at START */
	u8 start_cmd[4];		/* the DSP's DMA command, sent at START */
};

struct sb16 {
	struct omnibus_card oc;		/* must come first */
	struct platform_device *pdev;
	unsigned long port;
	int irq;
	bool irq_held;			/* request_irq() done */
	u16 version;			/* major << 8 | minor */
	bool irq_from_card, dma_from_card;
	bool configured;		/* the probe finished */
	u8 old_irq_sel, old_dma_sel;	/* mixer 0x80/0x81 before the probe */
	u8 irq_sel, dma_sel;		/* what the driver wrote there */

	spinlock_t lock;		/* the DSP command port, chan[], st[] */
	struct sb16_chan chan[SB_NUM_CHANS];
	struct sb16_stream st[2];	/* SNDRV_PCM_STREAM_* */
	unsigned long interrupts;	/* every one the card raised */
	bool dsp_stuck;			/* a command timed out (said once) */

	struct omnibus_ct1745 mixer;
	struct omnibus_pcm_desc desc;	/* prealloc sizes follow the channels */
	long fm_port;			/* the OPL3's base, 0: no FM */
	/* the MPU-401, when mpu_port= found one; rmidi under lock */
	struct snd_rawmidi *rmidi;
	unsigned long mpu_port;
	u8 mpu_sel;			/* what the driver wrote to 0x84 */
};

/* ---- sb16_pcm.c: streams and interrupt ---------------------------------- */

/* The PCM device, its buffers sized for the channels the card has. */
int sb16_pcm_new(struct sb16 *chip);
/* The card's interrupt handler; @dev_id is the struct sb16. */
irqreturn_t sb16_interrupt(int irq, void *dev_id);
/* "8-bit" or "16-bit" */
const char *sb16_chan_name(int ch);

/* ---- sb16_mpu.c: the MPU-401 UART ------------------------------------ */

/*
 * Looks for an MPU-401 at @mpu_port and makes the card's MIDI device.
 * Not fatal: a port in use or silent is one line (and the errno); the
 * card goes on without MIDI, holding nothing of the port.
 */
int sb16_mpu_new(struct sb16 *chip, unsigned long mpu_port);
void sb16_mpu_detach(struct sb16 *chip);
void sb16_mpu_interrupt(struct sb16 *chip, int irq);
void sb16_mpu_resume(struct sb16 *chip);

/* ---- sb16_dsp.c: the DSP ------------------------------------------------- */

/* 0 when a DSP at @port answers the reset handshake (region held by caller) */
int sb16_dsp_reset(unsigned long port);
/* major << 8 | minor of a DSP 4.xx; else one line and -ENODEV */
int sb16_dsp_version(struct device *dev, unsigned long port);
/*
 * Sends @n bytes to the DSP, chip->lock held.  -EIO once a byte timed out
 * (said once; every command fails at once until chip->dsp_stuck is reset).
 */
int sb16_dsp_cmds(struct sb16 *chip, const u8 *bytes, unsigned int n);
int sb16_dsp_cmd(struct sb16 *chip, u8 cmd);
/* Raises an interrupt and waits until the handler counted it; lock free. */
int sb16_dsp_irq_test(struct sb16 *chip);

#endif /* OMNIBUS_SB16_H */
