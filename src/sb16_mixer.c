// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus: ALSA mixer for the Creative CT1745, the Sound Blaster 16's
 * mixer chip.
 *
 * The CT1745 is reached through two I/O ports: the register number goes to
 * base+4, the value to or from base+5.  Registers 0x30-0x47 hold the
 * levels and routing, 0x80-0x82 the card's IRQ and DMA setup and its
 * interrupt status (sb16.c uses those).
 *
 *   source --> volume --+--> output mixer (switches) --> master --> gain -->
 *                       +--> ADC mixers L/R (switches) --> input gain --> ADC
 *
 * PCM (the DSP's "voice") and Synth always reach the output mixer; Line,
 * CD and Mic have output switches.  Each ADC mixer has a switch per source
 * channel; a stereo "X Capture Switch" routes left to left and right to
 * right, and the mono Mic feeds both.  Volumes are 5-bit fields counting
 * 2 dB steps from -62 dB, the speaker input and the two gain stages 2-bit
 * fields of 6 dB, and the tone controls 4-bit fields of 2 dB with 8 flat.
 *
 * Every write goes to the chip and to a copy, which get() answers from and
 * resume writes back.  Each control describes where its bits are; the
 * register-cached mixer of mixer.c serves them all.
 */
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/string.h>
#include <sound/info.h>
#include <sound/tlv.h>
#include "sb16.h"

#define CT_MASTER_L	0x30
#define CT_MASTER_R	0x31
#define CT_VOICE_L	0x32
#define CT_VOICE_R	0x33
#define CT_MIDI_L	0x34
#define CT_MIDI_R	0x35
#define CT_CD_L		0x36
#define CT_CD_R		0x37
#define CT_LINE_L	0x38
#define CT_LINE_R	0x39
#define CT_MIC		0x3a
#define CT_SPEAKER	0x3b
#define CT_OUT_SW	0x3c	/* output mixer switches */
#define CT_IN_SW_L	0x3d	/* left ADC mixer switches */
#define CT_IN_SW_R	0x3e	/* right ADC mixer switches */
#define CT_IGAIN_L	0x3f
#define CT_IGAIN_R	0x40
#define CT_OGAIN_L	0x41
#define CT_OGAIN_R	0x42
#define CT_AGC		0x43	/* bit 0 set: fixed mic gain, no AGC */
#define CT_TREBLE_L	0x44
#define CT_TREBLE_R	0x45
#define CT_BASS_L	0x46
#define CT_BASS_R	0x47

/* bits of the switch registers (output: bits 0-4; ADC mixers: 0-6) */
#define CT_SW_MIC	BIT(0)
#define CT_SW_CD_R	BIT(1)
#define CT_SW_CD_L	BIT(2)
#define CT_SW_LINE_R	BIT(3)
#define CT_SW_LINE_L	BIT(4)
#define CT_SW_MIDI_R	BIT(5)
#define CT_SW_MIDI_L	BIT(6)

static const DECLARE_TLV_DB_SCALE(ctc_tlv_volume, -6200, 200, 0);
static const DECLARE_TLV_DB_SCALE(ctc_tlv_speaker, -1800, 600, 0);
static const DECLARE_TLV_DB_SCALE(ctc_tlv_gain, 0, 600, 0);
static const DECLARE_TLV_DB_SCALE(ctc_tlv_tone, -1600, 200, 0);

/* a stereo pair of volumes (bits 7-3), gains (7-6) or tone levels (7-4) */
#define CTC_VOL(xname, lreg, rreg) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { 3, 3 }, \
	  .max = 31, .tlv = ctc_tlv_volume }
#define CTC_GAIN(xname, lreg, rreg) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { 6, 6 }, \
	  .max = 3, .tlv = ctc_tlv_gain }
#define CTC_TONE(xname, lreg, rreg) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { 4, 4 }, \
	  .max = 15, .tlv = ctc_tlv_tone }
#define CTC_MONO(xname, xreg, xshift, xmax, xtlv) \
	{ .name = xname, .reg = { xreg, OMNIBUS_MIXER_NONE }, \
	  .shift = { xshift, 0 }, .max = xmax, .tlv = xtlv }
/* left from bit @lbit of @lreg, right from bit @rbit of @rreg */
#define CTC_SW2(xname, lreg, lbit, rreg, rbit) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { lbit, rbit }, \
	  .max = 1 }

static const struct omnibus_mixer_ctl ctc_controls[] = {
	CTC_VOL("Master Playback Volume", CT_MASTER_L, CT_MASTER_R),
	CTC_VOL("PCM Playback Volume", CT_VOICE_L, CT_VOICE_R),
	CTC_VOL("Synth Playback Volume", CT_MIDI_L, CT_MIDI_R),
	CTC_SW2("Synth Capture Switch", CT_IN_SW_L, 6, CT_IN_SW_R, 5),
	CTC_VOL("CD Playback Volume", CT_CD_L, CT_CD_R),
	CTC_SW2("CD Playback Switch", CT_OUT_SW, 2, CT_OUT_SW, 1),
	CTC_SW2("CD Capture Switch", CT_IN_SW_L, 2, CT_IN_SW_R, 1),
	CTC_VOL("Line Playback Volume", CT_LINE_L, CT_LINE_R),
	CTC_SW2("Line Playback Switch", CT_OUT_SW, 4, CT_OUT_SW, 3),
	CTC_SW2("Line Capture Switch", CT_IN_SW_L, 4, CT_IN_SW_R, 3),
	CTC_MONO("Mic Playback Volume", CT_MIC, 3, 31, ctc_tlv_volume),
	CTC_MONO("Mic Playback Switch", CT_OUT_SW, 0, 1, NULL),
	/* the mono mic feeds both ADC mixers through one switch */
	{ .name = "Mic Capture Switch", .reg = { CT_IN_SW_L, CT_IN_SW_R },
	  .shift = { 0, 0 }, .max = 1, .flags = OMNIBUS_MIXER_BOTH },
	{ .name = "Mic Auto Gain Switch",
	  .reg = { CT_AGC, OMNIBUS_MIXER_NONE },
	  .max = 1, .flags = OMNIBUS_MIXER_INVERT },
	CTC_MONO("Beep Playback Volume", CT_SPEAKER, 6, 3, ctc_tlv_speaker),
	CTC_GAIN("Capture Volume", CT_IGAIN_L, CT_IGAIN_R),
	CTC_GAIN("Playback Volume", CT_OGAIN_L, CT_OGAIN_R),
	CTC_TONE("Tone Control - Bass", CT_BASS_L, CT_BASS_R),
	CTC_TONE("Tone Control - Treble", CT_TREBLE_L, CT_TREBLE_R),
};

#define CT_VOL(v)	((v) << 3)
#define CT_TONE_FLAT	(8 << 4)

/*
 * The driver's power-on settings: PCM at 0 dB, every other source and
 * the master at -14 dB (the chip's own reset level); Line and CD audible,
 * the mic not (no feedback); Line is what gets recorded; no extra gain,
 * mic AGC on, tone flat.
 */
static const u8 ct_defaults[CT1745_R_LAST + 1] = {
	[CT_MASTER_L]	= CT_VOL(24),
	[CT_MASTER_R]	= CT_VOL(24),
	[CT_VOICE_L]	= CT_VOL(31),
	[CT_VOICE_R]	= CT_VOL(31),
	[CT_MIDI_L]	= CT_VOL(24),
	[CT_MIDI_R]	= CT_VOL(24),
	[CT_CD_L]	= CT_VOL(24),
	[CT_CD_R]	= CT_VOL(24),
	[CT_LINE_L]	= CT_VOL(24),
	[CT_LINE_R]	= CT_VOL(24),
	[CT_MIC]	= CT_VOL(24),
	[CT_SPEAKER]	= 0,
	[CT_OUT_SW]	= CT_SW_LINE_L | CT_SW_LINE_R | CT_SW_CD_L | CT_SW_CD_R,
	[CT_IN_SW_L]	= CT_SW_LINE_L,
	[CT_IN_SW_R]	= CT_SW_LINE_R,
	[CT_IGAIN_L]	= 0,
	[CT_IGAIN_R]	= 0,
	[CT_OGAIN_L]	= 0,
	[CT_OGAIN_R]	= 0,
	[CT_AGC]	= 0,
	[CT_TREBLE_L]	= CT_TONE_FLAT,
	[CT_TREBLE_R]	= CT_TONE_FLAT,
	[CT_BASS_L]	= CT_TONE_FLAT,
	[CT_BASS_R]	= CT_TONE_FLAT,
};

/* a few microseconds between index and data, as the chip wants */
static void ct_select(struct omnibus_ct1745 *mix, u8 reg)
{
	outb(reg, mix->port + SB_MIXER_ADDR);
	udelay(5);
}

static u8 ct_read_locked(struct omnibus_ct1745 *mix, u8 reg)
{
	u8 val;

	ct_select(mix, reg);
	val = inb(mix->port + SB_MIXER_DATA);
	udelay(5);
	return val;
}

static void ct_write_locked(struct omnibus_ct1745 *mix, u8 reg, u8 val)
{
	ct_select(mix, reg);
	outb(val, mix->port + SB_MIXER_DATA);
	udelay(5);
}

u8 omnibus_ct1745_read(struct omnibus_ct1745 *mix, u8 reg)
{
	unsigned long flags;
	u8 val;

	spin_lock_irqsave(&mix->lock, flags);
	val = ct_read_locked(mix, reg);
	spin_unlock_irqrestore(&mix->lock, flags);
	return val;
}

void omnibus_ct1745_write(struct omnibus_ct1745 *mix, u8 reg, u8 val)
{
	unsigned long flags;

	spin_lock_irqsave(&mix->lock, flags);
	ct_write_locked(mix, reg, val);
	spin_unlock_irqrestore(&mix->lock, flags);
}

static struct omnibus_ct1745 *ct_chip(struct omnibus_mixer *mixer)
{
	return container_of(mixer, struct omnibus_ct1745, mixer);
}

static int ct_write(struct omnibus_mixer *mixer, unsigned int reg, u8 val)
{
	ct_write_locked(ct_chip(mixer), reg, val);
	return 0;
}

static void ct_lock(struct omnibus_mixer *mixer)
	__acquires(&ct_chip(mixer)->lock)
{
	struct omnibus_ct1745 *mix = ct_chip(mixer);
	unsigned long flags;

	spin_lock_irqsave(&mix->lock, flags);
	mix->irqflags = flags;
}

static void ct_unlock(struct omnibus_mixer *mixer)
	__releases(&ct_chip(mixer)->lock)
{
	struct omnibus_ct1745 *mix = ct_chip(mixer);

	spin_unlock_irqrestore(&mix->lock, mix->irqflags);
}

static const struct omnibus_mixer_ops ct_ops = {
	.chip = "CT1745",
	.write = ct_write,
	.lock = ct_lock,
	.unlock = ct_unlock,
};

void omnibus_ct1745_restore(struct omnibus_ct1745 *mix)
{
	/* the register writes cannot fail */
	omnibus_mixer_restore(&mix->mixer);
}

void omnibus_ct1745_proc(struct omnibus_ct1745 *mix,
			 struct snd_info_buffer *buf)
{
	unsigned int reg, diff = 0;
	u8 val;

	snd_iprintf(buf, "CT1745 registers 0x%02x-0x%02x (read back):\n",
		    CT1745_R_FIRST, CT1745_R_LAST);
	for (reg = CT1745_R_FIRST; reg <= CT1745_R_LAST; reg++) {
		val = omnibus_ct1745_read(mix, reg);
		if (val != *omnibus_mixer_cache(&mix->mixer, reg))
			diff++;
		snd_iprintf(buf, "%s0x%02x%s", reg % 8 ? " " : "", val,
			    reg % 8 == 7 ? "\n" : "");
	}
	snd_iprintf(buf, "registers differing from what the driver wrote: %u\n",
		    diff);
}

void omnibus_ct1745_attach(struct omnibus_ct1745 *mix, struct snd_card *card,
			   unsigned long port)
{
	mix->port = port;
	spin_lock_init(&mix->lock);
	memcpy(mix->regs, ct_defaults + CT1745_R_FIRST, sizeof(mix->regs));
	omnibus_mixer_init(&mix->mixer, card, &ct_ops, mix->regs,
			   CT1745_R_FIRST, ARRAY_SIZE(mix->regs));
}

void omnibus_ct1745_suspend(struct omnibus_ct1745 *mix)
{
	unsigned long flags;

	/* no click when the power goes: master to its lowest level */
	spin_lock_irqsave(&mix->lock, flags);
	ct_write_locked(mix, CT_MASTER_L, 0);
	ct_write_locked(mix, CT_MASTER_R, 0);
	spin_unlock_irqrestore(&mix->lock, flags);
}

int omnibus_ct1745_init(struct omnibus_ct1745 *mix)
{
	struct snd_card *card = mix->mixer.card;
	int err;

	omnibus_ct1745_write(mix, CT1745_R_RESET, 0);
	omnibus_ct1745_restore(mix);

	err = omnibus_mixer_add_controls(&mix->mixer, ctc_controls,
					 ARRAY_SIZE(ctc_controls));
	if (err < 0)
		return err;

	err = snd_component_add(card, "CTL1745");
	if (err < 0) {
		dev_err(card->dev, "cannot name the CT1745 in the card's components: %d\n",
			err);
		return err;
	}
	strscpy(card->mixername, "CTL1745", sizeof(card->mixername));
	return 0;
}
