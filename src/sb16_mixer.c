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
 * resume writes back.  Each control describes where its bits are; one set
 * of callbacks serves them all.
 */
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/string.h>
#include <sound/control.h>
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

#define CTC_NONE	0xff	/* no second register */
#define CTC_INVERT	BIT(0)	/* user value = max - field */
#define CTC_BOTH	BIT(1)	/* one user value in both registers */
#define CTC_SAME	0xff	/* right field where the left one is */

struct ctc_desc {
	const char *name;
	u8 reg[2];		/* left (or only) and right register */
	u8 shift[2];
	u8 max;			/* field mask after shifting down; 1: switch */
	u8 flags;
	const unsigned int *tlv;
};

#define CTC_STEREO(xname, lreg, rreg, xshift, xmax, xtlv) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { xshift, CTC_SAME }, \
	  .max = xmax, .tlv = xtlv }
#define CTC_MONO(xname, xreg, xshift, xmax, xtlv) \
	{ .name = xname, .reg = { xreg, CTC_NONE }, .shift = { xshift, 0 }, \
	  .max = xmax, .tlv = xtlv }
/* left from bit @lbit of @lreg, right from bit @rbit of @rreg */
#define CTC_SW2(xname, lreg, lbit, rreg, rbit) \
	{ .name = xname, .reg = { lreg, rreg }, .shift = { lbit, rbit }, \
	  .max = 1 }

static const DECLARE_TLV_DB_SCALE(ctc_tlv_volume, -6200, 200, 0);
static const DECLARE_TLV_DB_SCALE(ctc_tlv_speaker, -1800, 600, 0);
static const DECLARE_TLV_DB_SCALE(ctc_tlv_gain, 0, 600, 0);
static const DECLARE_TLV_DB_SCALE(ctc_tlv_tone, -1600, 200, 0);

static const struct ctc_desc ctc_controls[] = {
	CTC_STEREO("Master Playback Volume", CT_MASTER_L, CT_MASTER_R, 3, 31,
		   ctc_tlv_volume),
	CTC_STEREO("PCM Playback Volume", CT_VOICE_L, CT_VOICE_R, 3, 31,
		   ctc_tlv_volume),
	CTC_STEREO("Synth Playback Volume", CT_MIDI_L, CT_MIDI_R, 3, 31,
		   ctc_tlv_volume),
	CTC_SW2("Synth Capture Switch", CT_IN_SW_L, 6, CT_IN_SW_R, 5),
	CTC_STEREO("CD Playback Volume", CT_CD_L, CT_CD_R, 3, 31,
		   ctc_tlv_volume),
	CTC_SW2("CD Playback Switch", CT_OUT_SW, 2, CT_OUT_SW, 1),
	CTC_SW2("CD Capture Switch", CT_IN_SW_L, 2, CT_IN_SW_R, 1),
	CTC_STEREO("Line Playback Volume", CT_LINE_L, CT_LINE_R, 3, 31,
		   ctc_tlv_volume),
	CTC_SW2("Line Playback Switch", CT_OUT_SW, 4, CT_OUT_SW, 3),
	CTC_SW2("Line Capture Switch", CT_IN_SW_L, 4, CT_IN_SW_R, 3),
	CTC_MONO("Mic Playback Volume", CT_MIC, 3, 31, ctc_tlv_volume),
	CTC_MONO("Mic Playback Switch", CT_OUT_SW, 0, 1, NULL),
	/* the mono mic feeds both ADC mixers through one switch */
	{ .name = "Mic Capture Switch", .reg = { CT_IN_SW_L, CT_IN_SW_R },
	  .shift = { 0, 0 }, .max = 1, .flags = CTC_BOTH },
	{ .name = "Mic Auto Gain Switch", .reg = { CT_AGC, CTC_NONE },
	  .max = 1, .flags = CTC_INVERT },
	CTC_MONO("Beep Playback Volume", CT_SPEAKER, 6, 3, ctc_tlv_speaker),
	CTC_STEREO("Capture Volume", CT_IGAIN_L, CT_IGAIN_R, 6, 3,
		   ctc_tlv_gain),
	CTC_STEREO("Playback Volume", CT_OGAIN_L, CT_OGAIN_R, 6, 3,
		   ctc_tlv_gain),
	CTC_STEREO("Tone Control - Bass", CT_BASS_L, CT_BASS_R, 4, 15,
		   ctc_tlv_tone),
	CTC_STEREO("Tone Control - Treble", CT_TREBLE_L, CT_TREBLE_R, 4, 15,
		   ctc_tlv_tone),
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

static u8 *ct_cache(struct omnibus_ct1745 *mix, u8 reg)
{
	return &mix->regs[reg - CT1745_R_FIRST];
}

static unsigned int ctc_values(const struct ctc_desc *d)
{
	return d->reg[1] == CTC_NONE || (d->flags & CTC_BOTH) ? 1 : 2;
}

static unsigned int ctc_regs(const struct ctc_desc *d)
{
	return d->reg[1] == CTC_NONE ? 1 : 2;
}

static unsigned int ctc_shift(const struct ctc_desc *d, unsigned int i)
{
	return d->shift[i] == CTC_SAME ? d->shift[0] : d->shift[i];
}

static int ctc_info(struct snd_kcontrol *kc, struct snd_ctl_elem_info *uinfo)
{
	const struct ctc_desc *d = (const struct ctc_desc *)kc->private_value;

	uinfo->type = d->max == 1 ? SNDRV_CTL_ELEM_TYPE_BOOLEAN :
				    SNDRV_CTL_ELEM_TYPE_INTEGER;
	uinfo->count = ctc_values(d);
	uinfo->value.integer.min = 0;
	uinfo->value.integer.max = d->max;
	return 0;
}

static int ctc_get(struct snd_kcontrol *kc, struct snd_ctl_elem_value *uval)
{
	struct omnibus_ct1745 *mix = snd_kcontrol_chip(kc);
	const struct ctc_desc *d = (const struct ctc_desc *)kc->private_value;
	unsigned long flags;
	unsigned int i, field;

	spin_lock_irqsave(&mix->lock, flags);
	for (i = 0; i < ctc_values(d); i++) {
		field = (*ct_cache(mix, d->reg[i]) >> ctc_shift(d, i)) & d->max;
		uval->value.integer.value[i] =
			d->flags & CTC_INVERT ? d->max - field : field;
	}
	spin_unlock_irqrestore(&mix->lock, flags);
	return 0;
}

static int ctc_put(struct snd_kcontrol *kc, struct snd_ctl_elem_value *uval)
{
	struct omnibus_ct1745 *mix = snd_kcontrol_chip(kc);
	const struct ctc_desc *d = (const struct ctc_desc *)kc->private_value;
	u8 next[ARRAY_SIZE(mix->regs)];
	unsigned int i, field, reg;
	unsigned long flags;
	int changed = 0;
	long v;

	for (i = 0; i < ctc_values(d); i++) {
		v = uval->value.integer.value[i];
		if (v < 0 || v > d->max)
			return -EINVAL;
	}

	spin_lock_irqsave(&mix->lock, flags);
	memcpy(next, mix->regs, sizeof(next));
	for (i = 0; i < ctc_regs(d); i++) {
		v = uval->value.integer.value[d->flags & CTC_BOTH ? 0 : i];
		field = d->flags & CTC_INVERT ? d->max - v : v;
		reg = d->reg[i] - CT1745_R_FIRST;
		next[reg] &= ~(d->max << ctc_shift(d, i));
		next[reg] |= field << ctc_shift(d, i);
	}
	for (i = 0; i < ctc_regs(d); i++) {
		reg = d->reg[i] - CT1745_R_FIRST;
		if (next[reg] == mix->regs[reg])
			continue;
		ct_write_locked(mix, d->reg[i], next[reg]);
		mix->regs[reg] = next[reg];
		changed = 1;
	}
	spin_unlock_irqrestore(&mix->lock, flags);
	return changed;
}

void omnibus_ct1745_restore(struct omnibus_ct1745 *mix)
{
	unsigned long flags;
	unsigned int reg;

	/* one register at a time: the interrupt handler shares the ports */
	for (reg = CT1745_R_FIRST; reg <= CT1745_R_LAST; reg++) {
		spin_lock_irqsave(&mix->lock, flags);
		ct_write_locked(mix, reg, *ct_cache(mix, reg));
		spin_unlock_irqrestore(&mix->lock, flags);
	}
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
		if (val != *ct_cache(mix, reg))
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
	mix->card = card;
	mix->port = port;
	spin_lock_init(&mix->lock);
	memcpy(mix->regs, ct_defaults + CT1745_R_FIRST, sizeof(mix->regs));
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
	struct snd_card *card = mix->card;
	struct snd_kcontrol_new tmpl;
	const struct ctc_desc *d;
	unsigned int i;
	int err;

	omnibus_ct1745_write(mix, CT1745_R_RESET, 0);
	omnibus_ct1745_restore(mix);

	for (i = 0; i < ARRAY_SIZE(ctc_controls); i++) {
		d = &ctc_controls[i];
		memset(&tmpl, 0, sizeof(tmpl));
		tmpl.iface = SNDRV_CTL_ELEM_IFACE_MIXER;
		tmpl.name = d->name;
		tmpl.access = SNDRV_CTL_ELEM_ACCESS_READWRITE;
		if (d->tlv) {
			tmpl.access |= SNDRV_CTL_ELEM_ACCESS_TLV_READ;
			tmpl.tlv.p = d->tlv;
		}
		tmpl.info = ctc_info;
		tmpl.get = ctc_get;
		tmpl.put = ctc_put;
		tmpl.private_value = (unsigned long)d;
		err = snd_ctl_add(card, snd_ctl_new1(&tmpl, mix));
		if (err < 0) {
			dev_err(card->dev, "cannot add mixer control '%s': %d\n",
				d->name, err);
			return err;
		}
	}

	err = snd_component_add(card, "CTL1745");
	if (err < 0) {
		dev_err(card->dev, "cannot name the CT1745 in the card's components: %d\n",
			err);
		return err;
	}
	strscpy(card->mixername, "CTL1745", sizeof(card->mixername));
	return 0;
}
