/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-omnibus-wss: Windows Sound System codecs (AD1848, CS4248, CS4231,
 * CS4231A and compatibles) on the ISA bus, what its files share.
 *
 *   wss_card.c     module parameters, the chip's description for the ISA
 *                  layer (isa.c), probe, remove, power, proc;
 *   wss_pcm.c      the PCM streams, the DMA channels, the interrupt;
 *   wss_codec.c    the codec: indirect registers, mode change, calibration,
 *                  detection, the register image;
 *   wss_mixer.c    the mixer controls, a table over the register image.
 *
 * Calls go one way: wss_card.c calls the other three, wss_pcm.c and
 * wss_mixer.c call wss_codec.c, which calls none of them.
 */
#ifndef OMNIBUS_WSS_H
#define OMNIBUS_WSS_H

#include <linux/interrupt.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <sound/core.h>
#include <sound/pcm.h>
#include "omnibus.h"
#include "mixer.h"

/* ---- direct registers, offsets from the codec's base ---------------------- */

#define WSS_IO_SIZE		4
#define WSS_R_INDEX		0	/* index, MCE, TRD; INIT when read */
#define   WSS_INDEX_MASK	0x1f
#define   WSS_TRD		0x20
#define   WSS_MCE		0x40
#define   WSS_INIT		0x80
#define WSS_R_DATA		1
#define WSS_R_STATUS		2	/* INT; any write clears the flags */
#define   WSS_ST_INT		0x01
#define WSS_R_PIO		3

/* ---- indirect registers ---------------------------------------------------- */

#define WSS_I_LIN		0x00	/* left input: source, mic +20 dB, gain */
#define WSS_I_RIN		0x01
#define WSS_I_AUX1L		0x02
#define WSS_I_AUX1R		0x03
#define WSS_I_AUX2L		0x04
#define WSS_I_AUX2R		0x05
#define WSS_I_DACL		0x06	/* DAC output: mute, attenuation */
#define WSS_I_DACR		0x07
#define WSS_I_FORMAT		0x08	/* playback format, the clock (MCE) */
#define   WSS_FMT_XTAL2		0x01
#define   WSS_FMT_STEREO	0x10
#define   WSS_FMT_U8		0x00
#define   WSS_FMT_MU_LAW	0x20
#define   WSS_FMT_S16_LE	0x40
#define   WSS_FMT_A_LAW		0x60
#define   WSS_FMT_S16_BE	0xc0	/* mode 2 only */
#define WSS_I_IFACE		0x09	/* PEN, CEN, SDC, calibration (MCE) */
#define   WSS_PEN		0x01
#define   WSS_CEN		0x02
#define   WSS_SDC		0x04
#define   WSS_ACAL		0x08
#define WSS_I_PIN		0x0a	/* IEN */
#define   WSS_IEN		0x02
#define WSS_I_ERRSTAT		0x0b	/* read-only: ACI while calibrating */
#define   WSS_ACI		0x20
#define WSS_I_MODE		0x0c	/* MODE2, chip ID */
#define   WSS_MODE2		0x40
#define WSS_I_LOOPBACK		0x0d	/* digital mix: attenuation, enable */
#define WSS_I_PCOUNT_HI		0x0e	/* samples per period - 1 */
#define WSS_I_PCOUNT_LO		0x0f
/* mode 2 only */
#define WSS_I_ALT1		0x10
#define WSS_I_ALT2		0x11
#define WSS_I_LINEL		0x12
#define WSS_I_LINER		0x13
#define WSS_I_TIMER_LO		0x14
#define WSS_I_TIMER_HI		0x15
#define WSS_I_IRQSTAT		0x18	/* PI, CI, TI; write 0 to clear */
#define   WSS_PI		0x10
#define   WSS_CI		0x20
#define   WSS_TI		0x40
#define WSS_I_VERSION		0x19	/* read-only on the chip */
#define WSS_I_MONO		0x1a
#define WSS_I_CFORMAT		0x1c	/* capture format (MCE) */
#define WSS_I_CCOUNT_HI		0x1e
#define WSS_I_CCOUNT_LO		0x1f

#define WSS_REGS		32

/* ---- the chip ---------------------------------------------------------------- */

enum wss_kind {
	WSS_AD1848,		/* 16 registers */
	WSS_CS4248,		/* 16 registers, ID bit 7 */
	WSS_CS4231,		/* mode 2: 32 registers */
	WSS_CS4231A,
	WSS_CS4231_LIKE,	/* mode 2, another version */
};

struct wss;

struct wss_stream {
	struct wss *chip;
	int dir;			/* SNDRV_PCM_STREAM_* */
	struct snd_pcm_substream *ss;	/* open substream, or NULL */
	int dma;			/* channel in use, -1 when none */
	unsigned int bytes;		/* buffer programmed into the 8237 */
	unsigned int rate;		/* while it has hw_params, else 0 */
	snd_pcm_format_t format;	/* valid while rate != 0 */
	bool running;
	unsigned long interrupts;	/* since the last prepare */
	unsigned long started;		/* jiffies at START */
};

struct wss {
	struct omnibus_card oc;		/* must come first */
	unsigned long port;
	int irq;
	int dma1, dma2;			/* dma2 -1: one channel for both */
	bool irq_held, dma1_held, dma2_held;
	enum wss_kind kind;
	u8 version;			/* I25 as read at detection (mode 2) */
	unsigned int nregs;		/* 16 or 32 */

	spinlock_t reg_lock;		/* R0 and the image; mixer's lock too */
	unsigned long irqflags;		/* saved by the mixer's lock callback */
	u8 image[WSS_REGS];		/* what was written to each register */

	spinlock_t lock;		/* st[] */
	struct wss_stream st[2];	/* SNDRV_PCM_STREAM_* */
	unsigned long interrupts;

	struct omnibus_mixer mixer;	/* over image[0 .. nregs - 1] */
	struct omnibus_pcm_desc desc;
};

static inline bool wss_mode2(const struct wss *chip)
{
	return chip->nregs == WSS_REGS;
}

/* ---- wss_codec.c ------------------------------------------------------------ */

/* The codec's name ("CS4231A", ...). */
const char *wss_kind_name(enum wss_kind kind);
/*
 * Finds out what answers at @port: 0 and @kind/@version, or -ENODEV
 * (nothing that behaves like a WSS codec).  Leaves the codec in mode 2
 * when it has it.  The caller holds the I/O region.
 */
int wss_detect(unsigned long port, enum wss_kind *kind, u8 *version);
/* An indirect register, reg_lock held. */
u8 wss_in(struct wss *chip, u8 reg);
void wss_out(struct wss *chip, u8 reg, u8 val);
/* False for registers that take no plain write: MCE, read-only, flags. */
bool wss_reg_plain(const struct wss *chip, u8 reg);
/*
 * Writes MCE-protected registers: sets MCE, writes each of @n (reg, val)
 * pairs, clears MCE and waits for the calibration to end (sleeps; no
 * lock held).  0 or -ETIMEDOUT, said once per card.
 */
int wss_mce_write(struct wss *chip, const u8 *pairs, unsigned int n);
/* The power-on register image for @chip->kind, written to the codec. */
int wss_codec_init(struct wss *chip);
/* Everything in the image back into the codec (after a power loss). */
int wss_codec_restore(struct wss *chip);
/* Stops the DMA engines and interrupts, before power goes or at the end. */
void wss_codec_quiet(struct wss *chip);

/* ---- wss_mixer.c ----------------------------------------------------------- */

/* The mixer helper over the image; before wss_codec_init(). */
void wss_mixer_attach(struct wss *chip);
/* The controls the codec has. */
int wss_mixer_new(struct wss *chip);

/* ---- wss_pcm.c -------------------------------------------------------------- */

int wss_pcm_new(struct wss *chip);
irqreturn_t wss_interrupt(int irq, void *dev_id);

#endif /* OMNIBUS_WSS_H */
