// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-wss: the mixer of a WSS codec.
 *
 *   Line/Aux 1/Mic/mix --> input select --> input gain --> ADC
 *   Aux 1, Aux 2, (Line, mono in) --> output mixer <-- DAC <-- loopback
 *
 * Registers 0/1 select the ADC's source (bits 7-6), the mic's +20 dB
 * (bit 5) and the input gain (bits 3-0, 1.5 dB steps up from 0 dB);
 * registers 2-5 are Aux 1 and Aux 2, mute in bit 7 and a 5-bit level of
 * 1.5 dB steps from +12 dB down to -34.5 dB; registers 6/7 are the DAC,
 * mute in bit 7 and a 6-bit attenuation of 1.5 dB steps; register 13
 * mixes the ADC digitally into the DAC (bit 0 on, bits 7-2 attenuation).
 * The CS4231 family adds Line (registers 18/19, like Aux) and a mono
 * input and output (register 26: input mute in bit 7, output mute in bit
 * 6, input attenuation in bits 3-0, 3 dB steps).
 *
 * The controls are a table for the register-cached mixer (mixer.c) over
 * the codec's register image; its lock is the codec's register lock.
 */
#include <linux/kernel.h>
#include <sound/tlv.h>
#include "wss.h"

static const DECLARE_TLV_DB_SCALE(wss_tlv_dac, -9450, 150, 0);
static const DECLARE_TLV_DB_SCALE(wss_tlv_aux, -3450, 150, 0);
static const DECLARE_TLV_DB_SCALE(wss_tlv_gain, 0, 150, 0);
static const DECLARE_TLV_DB_SCALE(wss_tlv_mono, -4500, 300, 0);

static const char * const wss_sources[] = { "Line", "Aux", "Mic", "Mix" };

/* a stereo level in bits @max of registers @l and @r, attenuation inverted */
#define WSS_VOL(_name, _idx, _l, _r, _max, _tlv)			\
	{ .name = (_name), .index = (_idx), .reg = { (_l), (_r) },	\
	  .shift = { 0, 0 }, .max = (_max),				\
	  .flags = OMNIBUS_MIXER_INVERT, .tlv = (_tlv) }
/* a stereo pair of mute bits (bit 7), shown as an on switch */
#define WSS_ON(_name, _idx, _l, _r)					\
	{ .name = (_name), .index = (_idx), .reg = { (_l), (_r) },	\
	  .shift = { 7, 7 }, .max = 1, .flags = OMNIBUS_MIXER_INVERT }
#define WSS_MONO(_name, _reg, _shift, _max, _flags, _tlv)		\
	{ .name = (_name), .reg = { (_reg), OMNIBUS_MIXER_NONE },	\
	  .shift = { (_shift), 0 }, .max = (_max), .flags = (_flags),	\
	  .tlv = (_tlv) }
#define INV	OMNIBUS_MIXER_INVERT

/* every codec of the family */
static const struct omnibus_mixer_ctl wss_controls[] = {
	WSS_ON("PCM Playback Switch", 0, WSS_I_DACL, WSS_I_DACR),
	WSS_VOL("PCM Playback Volume", 0, WSS_I_DACL, WSS_I_DACR, 63,
		wss_tlv_dac),
	WSS_ON("Aux Playback Switch", 0, WSS_I_AUX1L, WSS_I_AUX1R),
	WSS_VOL("Aux Playback Volume", 0, WSS_I_AUX1L, WSS_I_AUX1R, 31,
		wss_tlv_aux),
	WSS_ON("Aux Playback Switch", 1, WSS_I_AUX2L, WSS_I_AUX2R),
	WSS_VOL("Aux Playback Volume", 1, WSS_I_AUX2L, WSS_I_AUX2R, 31,
		wss_tlv_aux),
	{ .name = "Capture Volume", .reg = { WSS_I_LIN, WSS_I_RIN },
	  .shift = { 0, 0 }, .max = 15, .tlv = wss_tlv_gain },
	{ .name = "Capture Source", .reg = { WSS_I_LIN, WSS_I_RIN },
	  .shift = { 6, 6 }, .max = 3, .items = wss_sources },
	{ .name = "Mic Boost (+20dB) Switch", .reg = { WSS_I_LIN, WSS_I_RIN },
	  .shift = { 5, 5 }, .max = 1 },
	WSS_MONO("Loopback Capture Switch", WSS_I_LOOPBACK, 0, 1, 0, NULL),
	WSS_MONO("Loopback Capture Volume", WSS_I_LOOPBACK, 2, 63, INV,
		 wss_tlv_dac),
};

/* the CS4231 family's, in mode 2 */
static const struct omnibus_mixer_ctl wss_controls_mode2[] = {
	WSS_ON("Line Playback Switch", 0, WSS_I_LINEL, WSS_I_LINER),
	WSS_VOL("Line Playback Volume", 0, WSS_I_LINEL, WSS_I_LINER, 31,
		wss_tlv_aux),
	WSS_MONO("Beep Playback Switch", WSS_I_MONO, 7, 1, INV, NULL),
	WSS_MONO("Beep Playback Volume", WSS_I_MONO, 0, 15, INV, wss_tlv_mono),
	WSS_MONO("Mono Output Playback Switch", WSS_I_MONO, 6, 1, INV, NULL),
};

static struct wss *wss_of(struct omnibus_mixer *mixer)
{
	return container_of(mixer, struct wss, mixer);
}

/* reg_lock held; registers that take no plain write are left alone */
static int wss_mixer_write(struct omnibus_mixer *mixer, unsigned int reg,
			   u8 val)
{
	struct wss *chip = wss_of(mixer);

	if (wss_reg_plain(chip, reg))
		wss_out(chip, reg, val);
	return 0;
}

static void wss_mixer_lock(struct omnibus_mixer *mixer)
	__acquires(&wss_of(mixer)->reg_lock)
{
	struct wss *chip = wss_of(mixer);
	unsigned long flags;

	spin_lock_irqsave(&chip->reg_lock, flags);
	chip->irqflags = flags;
}

static void wss_mixer_unlock(struct omnibus_mixer *mixer)
	__releases(&wss_of(mixer)->reg_lock)
{
	struct wss *chip = wss_of(mixer);

	spin_unlock_irqrestore(&chip->reg_lock, chip->irqflags);
}

static const struct omnibus_mixer_ops wss_mixer_ops = {
	.chip = "WSS codec",
	.write = wss_mixer_write,
	.lock = wss_mixer_lock,
	.unlock = wss_mixer_unlock,
};

void wss_mixer_attach(struct wss *chip)
{
	omnibus_mixer_init(&chip->mixer, chip->oc.card, &wss_mixer_ops,
			   chip->image, 0, chip->nregs);
}

int wss_mixer_new(struct wss *chip)
{
	struct snd_card *card = chip->oc.card;
	int err;

	strscpy(card->mixername, wss_kind_name(chip->kind),
		sizeof(card->mixername));
	err = omnibus_mixer_add_controls(&chip->mixer, wss_controls,
					 ARRAY_SIZE(wss_controls));
	if (err < 0 || !wss_mode2(chip))
		return err;
	return omnibus_mixer_add_controls(&chip->mixer, wss_controls_mode2,
					  ARRAY_SIZE(wss_controls_mode2));
}
