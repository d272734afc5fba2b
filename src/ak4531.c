// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus: ALSA mixer for the Asahi Kasei AK4531 codec.
 *
 * Signal flow inside the codec, as far as the mixer is concerned:
 *
 *   source --> gain (+12..-50 dB) + mute --+--> output mixer --> master --> out
 *                                          |   (per-source switches)
 *                                          +--> ADC mixer L/R --> ADC
 *                                              (per-source switches)
 *
 * The gain stage and its mute bit act on both paths, so their controls
 * carry no direction ("Line Volume", "Line Switch"); the routing switches
 * are "Line Playback Switch" and "Line Capture Switch".  On the ES1370,
 * DAC2 feeds the voice input (named "PCM") and DAC1 the FM input (named
 * "Synth").  Stereo capture switches route left to left and right to
 * right; the codec's cross routes are left unused.
 *
 * Each control describes where its bits live; the register-cached mixer
 * of mixer.c serves them all.
 */
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/string.h>
#include <sound/info.h>
#include <sound/tlv.h>
#include "ak4531.h"

/* AK4531_R_RESET: bit 1 low = powered down, bit 0 low = held in reset */
#define AK4531_RESET_RUN	0x03
#define AK4531_RESET_HOLD	0x02	/* powered, still in reset */
#define AK4531_RESET_SLEEP	0x01	/* powered down */

#define AK4531_MUTE		BIT(7)	/* in every gain/attenuation register */
#define AK4531_GAIN_0DB		0x06	/* input gain code for 0 dB */

/* a stereo pair of 5-bit gain or attenuation fields */
#define AKC_VOL2(xname, lreg, rreg, xtlv) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { 0, 0 }, \
	  .max = 0x1f, .flags = OMNIBUS_MIXER_INVERT, .tlv = xtlv }
/* a single gain or attenuation field, @xmax its largest code */
#define AKC_VOL1(xname, xindex, xreg, xmax, xtlv) \
	{ .name = xname, .index = xindex, .reg = { xreg, OMNIBUS_MIXER_NONE }, \
	  .max = xmax, .flags = OMNIBUS_MIXER_INVERT, .tlv = xtlv }
/* the mute bits of a stereo pair, shown as an on/off switch */
#define AKC_MUTE2(xname, lreg, rreg) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { 7, 7 }, \
	  .max = 1, .flags = OMNIBUS_MIXER_INVERT }
#define AKC_MUTE1(xname, xindex, xreg) \
	{ .name = xname, .index = xindex, .reg = { xreg, OMNIBUS_MIXER_NONE }, \
	  .shift = { 7, 0 }, .max = 1, .flags = OMNIBUS_MIXER_INVERT }
/* a stereo routing switch: bit @lbit of @lreg and bit @rbit of @rreg */
#define AKC_SW2(xname, lreg, lbit, rreg, rbit) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { lbit, rbit }, \
	  .max = 1 }
/* a mono routing switch */
#define AKC_SW1(xname, xindex, xreg, xbit) \
	{ .name = xname, .index = xindex, .reg = { xreg, OMNIBUS_MIXER_NONE }, \
	  .shift = { xbit, 0 }, .max = 1 }
/* a mono source routed to both ADC mixers by one switch */
#define AKC_SW1X2(xname, xindex, lreg, lbit, rreg, rbit) \
	{ .name = xname, .index = xindex, .reg = { lreg, rreg }, \
	  .shift = { lbit, rbit }, .max = 1, .flags = OMNIBUS_MIXER_BOTH }

static const DECLARE_TLV_DB_SCALE(akc_tlv_master, -6200, 200, 0);
static const DECLARE_TLV_DB_SCALE(akc_tlv_mono_out, -2800, 400, 0);
static const DECLARE_TLV_DB_SCALE(akc_tlv_gain, -5000, 200, 0);

static const struct omnibus_mixer_ctl akc_controls[] = {
	AKC_VOL2("Master Playback Volume",
		 AK4531_R_MASTER_L, AK4531_R_MASTER_R, akc_tlv_master),
	AKC_MUTE2("Master Playback Switch",
		  AK4531_R_MASTER_L, AK4531_R_MASTER_R),
	AKC_VOL1("Master Mono Playback Volume", 0,
		 AK4531_R_MONO_OUT, 0x07, akc_tlv_mono_out),
	AKC_MUTE1("Master Mono Playback Switch", 0, AK4531_R_MONO_OUT),

	/* voice input: the ES1370's DAC2 (PCM device 0) */
	AKC_VOL2("PCM Volume", AK4531_R_VOICE_L, AK4531_R_VOICE_R,
		 akc_tlv_gain),
	AKC_MUTE2("PCM Switch", AK4531_R_VOICE_L, AK4531_R_VOICE_R),
	AKC_SW2("PCM Playback Switch",
		AK4531_R_OUTMIX2, 3, AK4531_R_OUTMIX2, 2),
	AKC_SW2("PCM Capture Switch",
		AK4531_R_INMIX2_L, 2, AK4531_R_INMIX2_R, 2),

	/* FM input: the ES1370's DAC1 (PCM device 1) */
	AKC_VOL2("Synth Volume", AK4531_R_FM_L, AK4531_R_FM_R, akc_tlv_gain),
	AKC_MUTE2("Synth Switch", AK4531_R_FM_L, AK4531_R_FM_R),
	AKC_SW2("Synth Playback Switch",
		AK4531_R_OUTMIX1, 6, AK4531_R_OUTMIX1, 5),
	AKC_SW2("Synth Capture Switch",
		AK4531_R_INMIX1_L, 6, AK4531_R_INMIX1_R, 5),

	AKC_VOL2("CD Volume", AK4531_R_CD_L, AK4531_R_CD_R, akc_tlv_gain),
	AKC_MUTE2("CD Switch", AK4531_R_CD_L, AK4531_R_CD_R),
	AKC_SW2("CD Playback Switch",
		AK4531_R_OUTMIX1, 2, AK4531_R_OUTMIX1, 1),
	AKC_SW2("CD Capture Switch",
		AK4531_R_INMIX1_L, 2, AK4531_R_INMIX1_R, 1),

	AKC_VOL2("Line Volume", AK4531_R_LINE_L, AK4531_R_LINE_R,
		 akc_tlv_gain),
	AKC_MUTE2("Line Switch", AK4531_R_LINE_L, AK4531_R_LINE_R),
	AKC_SW2("Line Playback Switch",
		AK4531_R_OUTMIX1, 4, AK4531_R_OUTMIX1, 3),
	AKC_SW2("Line Capture Switch",
		AK4531_R_INMIX1_L, 4, AK4531_R_INMIX1_R, 3),

	AKC_VOL2("Aux Volume", AK4531_R_AUX_L, AK4531_R_AUX_R, akc_tlv_gain),
	AKC_MUTE2("Aux Switch", AK4531_R_AUX_L, AK4531_R_AUX_R),
	AKC_SW2("Aux Playback Switch",
		AK4531_R_OUTMIX2, 5, AK4531_R_OUTMIX2, 4),
	AKC_SW2("Aux Capture Switch",
		AK4531_R_INMIX2_L, 4, AK4531_R_INMIX2_R, 3),

	/* the two mono inputs */
	AKC_VOL1("Mono Volume", 0, AK4531_R_MONO1, 0x1f, akc_tlv_gain),
	AKC_MUTE1("Mono Switch", 0, AK4531_R_MONO1),
	AKC_SW1("Mono Playback Switch", 0, AK4531_R_OUTMIX2, 0),
	AKC_SW1X2("Mono Capture Switch", 0,
		  AK4531_R_INMIX2_L, 0, AK4531_R_INMIX2_R, 0),
	AKC_VOL1("Mono Volume", 1, AK4531_R_MONO2, 0x1f, akc_tlv_gain),
	AKC_MUTE1("Mono Switch", 1, AK4531_R_MONO2),
	AKC_SW1("Mono Playback Switch", 1, AK4531_R_OUTMIX2, 1),
	AKC_SW1X2("Mono Capture Switch", 1,
		  AK4531_R_INMIX2_L, 1, AK4531_R_INMIX2_R, 1),

	AKC_VOL1("Mic Volume", 0, AK4531_R_MIC, 0x1f, akc_tlv_gain),
	AKC_MUTE1("Mic Switch", 0, AK4531_R_MIC),
	AKC_SW1("Mic Playback Switch", 0, AK4531_R_OUTMIX1, 0),
	AKC_SW1X2("Mic Capture Switch", 0,
		  AK4531_R_INMIX1_L, 0, AK4531_R_INMIX1_R, 0),
	AKC_SW1("Mic Boost (+30dB) Switch", 0, AK4531_R_MIC_AMP, 0),
};

/*
 * Power-on settings: master and the two DACs at 0 dB and audible, the
 * other inputs at 0 dB but routed nowhere except Line, which is the
 * capture source.  Mono out follows the master mix at 0 dB.
 */
static const u8 akc_defaults[AK4531_NUM_REGS] = {
	[AK4531_R_MASTER_L]	= 0x00,
	[AK4531_R_MASTER_R]	= 0x00,
	[AK4531_R_VOICE_L]	= AK4531_GAIN_0DB,
	[AK4531_R_VOICE_R]	= AK4531_GAIN_0DB,
	[AK4531_R_FM_L]		= AK4531_GAIN_0DB,
	[AK4531_R_FM_R]		= AK4531_GAIN_0DB,
	[AK4531_R_CD_L]		= AK4531_GAIN_0DB,
	[AK4531_R_CD_R]		= AK4531_GAIN_0DB,
	[AK4531_R_LINE_L]	= AK4531_GAIN_0DB,
	[AK4531_R_LINE_R]	= AK4531_GAIN_0DB,
	[AK4531_R_AUX_L]	= AK4531_GAIN_0DB,
	[AK4531_R_AUX_R]	= AK4531_GAIN_0DB,
	[AK4531_R_MONO1]	= AK4531_GAIN_0DB,
	[AK4531_R_MONO2]	= AK4531_GAIN_0DB,
	[AK4531_R_MIC]		= AK4531_GAIN_0DB,
	[AK4531_R_MONO_OUT]	= 0x00,
	[AK4531_R_OUTMIX1]	= BIT(6) | BIT(5),	/* Synth */
	[AK4531_R_OUTMIX2]	= BIT(3) | BIT(2),	/* PCM */
	[AK4531_R_INMIX1_L]	= BIT(4),		/* Line left */
	[AK4531_R_INMIX1_R]	= BIT(3),		/* Line right */
	[AK4531_R_INMIX2_L]	= 0x00,
	[AK4531_R_INMIX2_R]	= 0x00,
	[AK4531_R_RESET]	= AK4531_RESET_RUN,
	[AK4531_R_CLOCK]	= 0x00,	/* ADC and DAC clocked by the host */
	[AK4531_R_ADC_SEL]	= 0x00,	/* ADC fed by the ADC mixers */
	[AK4531_R_MIC_AMP]	= 0x00,	/* no +30 dB boost */
};

static struct omnibus_ak4531 *akc_chip(struct omnibus_mixer *mixer)
{
	return container_of(mixer, struct omnibus_ak4531, mixer);
}

static int akc_write(struct omnibus_mixer *mixer, unsigned int reg, u8 val)
{
	struct omnibus_ak4531 *ak = akc_chip(mixer);

	return ak->write(ak->host, reg, val);
}

static void akc_lock(struct omnibus_mixer *mixer)
{
	mutex_lock(&akc_chip(mixer)->lock);
}

static void akc_unlock(struct omnibus_mixer *mixer)
{
	mutex_unlock(&akc_chip(mixer)->lock);
}

/*
 * Takes the codec out of reset and sets its clock source, before the
 * cache goes back into it (which writes these two registers once more,
 * with the same values).
 */
static int akc_reset(struct omnibus_mixer *mixer)
{
	struct omnibus_ak4531 *ak = akc_chip(mixer);
	int err;

	err = ak->write(ak->host, AK4531_R_RESET, AK4531_RESET_HOLD);
	if (err < 0)
		return err;
	usleep_range(100, 200);
	err = ak->write(ak->host, AK4531_R_RESET, AK4531_RESET_RUN);
	if (err < 0)
		return err;
	usleep_range(100, 200);
	return ak->write(ak->host, AK4531_R_CLOCK, ak->regs[AK4531_R_CLOCK]);
}

static const struct omnibus_mixer_ops akc_ops = {
	.chip = "AK4531",
	.write = akc_write,
	.lock = akc_lock,
	.unlock = akc_unlock,
	.reset = akc_reset,
};

int omnibus_ak4531_resume(struct omnibus_ak4531 *ak)
{
	return omnibus_mixer_restore(&ak->mixer);
}

void omnibus_ak4531_suspend(struct omnibus_ak4531 *ak)
{
	int err;

	mutex_lock(&ak->lock);
	/* silence the outputs before the analogue stages power down */
	err = ak->write(ak->host, AK4531_R_MASTER_L,
			ak->regs[AK4531_R_MASTER_L] | AK4531_MUTE);
	if (!err)
		err = ak->write(ak->host, AK4531_R_MASTER_R,
				ak->regs[AK4531_R_MASTER_R] | AK4531_MUTE);
	if (!err)
		err = ak->write(ak->host, AK4531_R_RESET, AK4531_RESET_SLEEP);
	mutex_unlock(&ak->lock);
	if (err < 0)
		dev_warn(ak->mixer.card->dev,
			 "AK4531: could not power the codec down (%d)\n", err);
}

static void akc_proc_read(struct snd_info_entry *entry,
			  struct snd_info_buffer *buf)
{
	struct omnibus_ak4531 *ak = entry->private_data;
	unsigned int reg;

	mutex_lock(&ak->lock);
	snd_iprintf(buf, "AK4531 register cache (what the codec was sent)\n");
	for (reg = 0; reg < AK4531_NUM_REGS; reg++)
		snd_iprintf(buf, "%s0x%02x%s", reg % 8 ? " " : "",
			    ak->regs[reg],
			    reg % 8 == 7 || reg == AK4531_NUM_REGS - 1 ?
			    "\n" : "");
	snd_iprintf(buf, "ADC input: %s, mic boost: %s\n",
		    ak->regs[AK4531_R_ADC_SEL] & 1 ? "direct" : "ADC mixers",
		    ak->regs[AK4531_R_MIC_AMP] & 1 ? "+30 dB" : "off");
	mutex_unlock(&ak->lock);
}

int omnibus_ak4531_init(struct omnibus_ak4531 *ak, struct snd_card *card,
			omnibus_ak4531_write_t write, void *host)
{
	int err;

	ak->write = write;
	ak->host = host;
	mutex_init(&ak->lock);
	memcpy(ak->regs, akc_defaults, sizeof(ak->regs));
	omnibus_mixer_init(&ak->mixer, card, &akc_ops, ak->regs, 0,
			   AK4531_NUM_REGS);

	err = omnibus_ak4531_resume(ak);
	if (err < 0) {
		dev_err(card->dev, "AK4531 codec does not take register writes (%d)\n",
			err);
		return err;
	}

	err = omnibus_mixer_add_controls(&ak->mixer, akc_controls,
					 ARRAY_SIZE(akc_controls));
	if (err < 0)
		return err;

	err = snd_component_add(card, "AK4531");
	if (err < 0) {
		dev_err(card->dev, "cannot name the AK4531 in the card's components: %d\n",
			err);
		return err;
	}
	strscpy(card->mixername, "Asahi Kasei AK4531", sizeof(card->mixername));
	snd_card_ro_proc_new(card, "ak4531", ak, akc_proc_read);
	return 0;
}
