/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-omnibus: mixer for the Asahi Kasei AK4531 codec.
 *
 * The AK4531 sits behind the ES1370's serial codec port.  Its registers can
 * only be written, so the mixer keeps a copy of every register and answers
 * all reads from that copy.  The host chip supplies the function that puts
 * one register write on the wire.
 */
#ifndef OMNIBUS_AK4531_H
#define OMNIBUS_AK4531_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <sound/core.h>
#include "mixer.h"

/* register addresses */
#define AK4531_R_MASTER_L	0x00	/* master out, attenuation + mute */
#define AK4531_R_MASTER_R	0x01
#define AK4531_R_VOICE_L	0x02	/* input gains + mute: voice ... */
#define AK4531_R_VOICE_R	0x03
#define AK4531_R_FM_L		0x04	/* ... FM (the extra DAC) ... */
#define AK4531_R_FM_R		0x05
#define AK4531_R_CD_L		0x06
#define AK4531_R_CD_R		0x07
#define AK4531_R_LINE_L		0x08
#define AK4531_R_LINE_R		0x09
#define AK4531_R_AUX_L		0x0a
#define AK4531_R_AUX_R		0x0b
#define AK4531_R_MONO1		0x0c
#define AK4531_R_MONO2		0x0d
#define AK4531_R_MIC		0x0e	/* ... and the microphone */
#define AK4531_R_MONO_OUT	0x0f	/* mono out, attenuation + mute */
#define AK4531_R_OUTMIX1	0x10	/* output mixer routing, part 1 */
#define AK4531_R_OUTMIX2	0x11	/* output mixer routing, part 2 */
#define AK4531_R_INMIX1_L	0x12	/* left ADC mixer, part 1 */
#define AK4531_R_INMIX1_R	0x13	/* right ADC mixer, part 1 */
#define AK4531_R_INMIX2_L	0x14	/* left ADC mixer, part 2 */
#define AK4531_R_INMIX2_R	0x15	/* right ADC mixer, part 2 */
#define AK4531_R_RESET		0x16	/* reset and power-down */
#define AK4531_R_CLOCK		0x17	/* clock source of ADC and DAC */
#define AK4531_R_ADC_SEL	0x18	/* what feeds the ADC */
#define AK4531_R_MIC_AMP	0x19	/* microphone pre-amplifier */
#define AK4531_NUM_REGS		0x1a

/*
 * Puts @val into codec register @reg.  May sleep.  Returns 0 or a negative
 * errno (e.g. -ETIMEDOUT when the codec port stays busy).
 */
typedef int (*omnibus_ak4531_write_t)(void *host, unsigned int reg,
				      unsigned int val);

struct omnibus_ak4531 {
	struct omnibus_mixer mixer;	/* its cache is regs[] */
	omnibus_ak4531_write_t write;
	void *host;
	struct mutex lock;		/* guards regs[] and the codec port */
	u8 regs[AK4531_NUM_REGS];	/* what the codec holds (write-only) */
};

/*
 * Fills the register cache with the power-on mixer settings, resets and
 * programs the codec, and adds the mixer controls to @card.  On failure
 * the controls already added stay with the card (they go when it is freed).
 */
int omnibus_ak4531_init(struct omnibus_ak4531 *ak, struct snd_card *card,
			omnibus_ak4531_write_t write, void *host);
/* Mutes and powers the codec down; the cache is left as it is. */
void omnibus_ak4531_suspend(struct omnibus_ak4531 *ak);
/* Resets the codec and writes the whole cache back into it. */
int omnibus_ak4531_resume(struct omnibus_ak4531 *ak);

#endif /* OMNIBUS_AK4531_H */
