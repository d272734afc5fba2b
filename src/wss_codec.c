// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-wss: the codec's registers.
 *
 * A WSS codec has four I/O ports: an index register (base+0), the data of
 * the indexed register (base+1), a status register (base+2) and a
 * programmed-I/O data port (base+3, not used here).  The AD1848 and the
 * CS4248 have 16 indirect registers; the CS4231 family has 32 once bit 6
 * of register 12 (MODE2) is set, and 16 until then, the upper ones being
 * reached through the lower ones' numbers.
 *
 * Registers 8 (format and clock), 9 (interface: DMA enables, single DMA,
 * calibration) and 28 (capture format) take writes only while the Mode
 * Change Enable bit (MCE, bit 6 of the index register) is set; when MCE
 * is cleared the codec recalibrates (with ACAL set in register 9) and
 * shows it in bit 5 (ACI) of register 11, and reads 0x80 from the index
 * register (INIT) while it cannot be accessed.  The enables PEN and CEN,
 * bits 0 and 1 of register 9, may be written at any time.
 *
 * Every write goes to the codec and to chip->image, which the mixer
 * controls read and which resume writes back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include "wss.h"

#define WSS_INIT_SPINS		100	/* us of INIT polling per access */
#define WSS_CAL_MS		300	/* calibration: 2 ms on the chips */

const char *wss_kind_name(enum wss_kind kind)
{
	switch (kind) {
	case WSS_AD1848:
		return "AD1848";
	case WSS_CS4248:
		return "CS4248";
	case WSS_CS4231:
		return "CS4231";
	case WSS_CS4231A:
		return "CS4231A";
	default:
		return "CS4231 compatible";
	}
}

/* ---- access ------------------------------------------------------------------- */

/* Waits a little for INIT to clear; a codec that stays busy is written anyway. */
static void wss_spin_ready(unsigned long port)
{
	unsigned int i;

	for (i = 0; i < WSS_INIT_SPINS; i++) {
		if (!(inb(port + WSS_R_INDEX) & WSS_INIT))
			return;
		udelay(1);
	}
}

static u8 wss_raw_in(unsigned long port, u8 mce, u8 reg)
{
	wss_spin_ready(port);
	outb(mce | (reg & WSS_INDEX_MASK), port + WSS_R_INDEX);
	return inb(port + WSS_R_DATA);
}

static void wss_raw_out(unsigned long port, u8 mce, u8 reg, u8 val)
{
	wss_spin_ready(port);
	outb(mce | (reg & WSS_INDEX_MASK), port + WSS_R_INDEX);
	outb(val, port + WSS_R_DATA);
}

u8 wss_in(struct wss *chip, u8 reg)
{
	return wss_raw_in(chip->port, 0, reg);
}

void wss_out(struct wss *chip, u8 reg, u8 val)
{
	wss_raw_out(chip->port, 0, reg, val);
	chip->image[reg] = val;
}

bool wss_reg_plain(const struct wss *chip, u8 reg)
{
	if (reg >= chip->nregs)
		return false;
	switch (reg) {
	case WSS_I_FORMAT:
	case WSS_I_IFACE:
	case WSS_I_CFORMAT:	/* MCE */
	case WSS_I_ERRSTAT:
	case WSS_I_VERSION:	/* read-only (QEMU lets it be written) */
	case WSS_I_IRQSTAT:	/* flags, not settings */
	case 0x16:
	case 0x17:
	case 0x1b:
	case 0x1d:		/* reserved on the CS4231 */
		return false;
	default:
		return true;
	}
}

/*
 * After MCE goes down: the codec is inaccessible (INIT) and then
 * calibrates (ACI) for a few ms.  Sleeps.
 */
static int wss_wait_calibration(struct wss *chip)
{
	unsigned long end = jiffies + msecs_to_jiffies(WSS_CAL_MS);
	unsigned long flags;
	bool busy;

	for (;;) {
		spin_lock_irqsave(&chip->reg_lock, flags);
		busy = inb(chip->port + WSS_R_INDEX) & WSS_INIT;
		if (!busy)
			busy = wss_in(chip, WSS_I_ERRSTAT) & WSS_ACI;
		spin_unlock_irqrestore(&chip->reg_lock, flags);
		if (!busy)
			return 0;
		if (time_after(jiffies, end))
			break;
		usleep_range(500, 1000);
	}
	dev_err(chip->oc.card->dev,
		"the codec at 0x%lx did not finish calibrating within %d ms: %d\n",
		chip->port, WSS_CAL_MS, -ETIMEDOUT);
	return -ETIMEDOUT;
}

int wss_mce_write(struct wss *chip, const u8 *pairs, unsigned int n)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&chip->reg_lock, flags);
	wss_spin_ready(chip->port);
	outb(WSS_MCE, chip->port + WSS_R_INDEX);
	for (i = 0; i < n; i++) {
		wss_raw_out(chip->port, WSS_MCE, pairs[2 * i], pairs[2 * i + 1]);
		chip->image[pairs[2 * i]] = pairs[2 * i + 1];
	}
	wss_spin_ready(chip->port);
	outb(0, chip->port + WSS_R_INDEX);
	spin_unlock_irqrestore(&chip->reg_lock, flags);
	return wss_wait_calibration(chip);
}

/* ---- detection ------------------------------------------------------------------ */

/* the register test's patterns; bits 4 and 5 of registers 0/1 may be stuck */
#define WSS_TEST_MASK		0xcf
#define WSS_TEST0		0xa5
#define WSS_TEST1		0x4a

int wss_detect(unsigned long port, enum wss_kind *kind, u8 *version)
{
	unsigned int i;
	u8 mode, a, b;

	/* a codec leaves INIT within about 1 ms of power-on */
	for (i = 0; i < 50 && (inb(port + WSS_R_INDEX) & WSS_INIT); i++)
		usleep_range(1000, 1200);
	if (inb(port + WSS_R_INDEX) & WSS_INIT)
		return -ENODEV;		/* nothing there reads 0xff */

	/* mode 1, then two registers must keep what they are given */
	mode = wss_raw_in(port, 0, WSS_I_MODE);
	wss_raw_out(port, 0, WSS_I_MODE, 0);
	wss_raw_out(port, 0, WSS_I_LIN, WSS_TEST0);
	wss_raw_out(port, 0, WSS_I_RIN, WSS_TEST1);
	a = wss_raw_in(port, 0, WSS_I_LIN);
	b = wss_raw_in(port, 0, WSS_I_RIN);
	if ((a & WSS_TEST_MASK) != (WSS_TEST0 & WSS_TEST_MASK) ||
	    (b & WSS_TEST_MASK) != (WSS_TEST1 & WSS_TEST_MASK))
		return -ENODEV;

	/*
	 * Mode 2: a CS4231 then has registers 16-31 of their own; an AD1848
	 * or CS4248 answers at 16 what register 0 holds, whatever it is.
	 */
	wss_raw_out(port, 0, WSS_I_MODE, WSS_MODE2);
	for (i = 0; i < 2; i++) {
		a = i ? WSS_TEST1 : WSS_TEST0;
		wss_raw_out(port, 0, WSS_I_LIN, a);
		b = wss_raw_in(port, 0, WSS_I_ALT1);
		if ((b & WSS_TEST_MASK) != (a & WSS_TEST_MASK))
			break;
	}
	wss_raw_out(port, 0, WSS_I_LIN, 0);
	wss_raw_out(port, 0, WSS_I_RIN, 0);
	if (i == 2 || !(wss_raw_in(port, 0, WSS_I_MODE) & WSS_MODE2)) {
		/* 16 registers only: bit 7 of the ID tells the CS4248 */
		wss_raw_out(port, 0, WSS_I_MODE, 0);
		*kind = mode & 0x80 ? WSS_CS4248 : WSS_AD1848;
		*version = 0;
		return 0;
	}
	/* read, never written: QEMU's model takes writes to it */
	*version = wss_raw_in(port, 0, WSS_I_VERSION);
	switch (*version & 0xe7) {
	case 0x80:
		*kind = WSS_CS4231;
		break;
	case 0xa0:
		*kind = WSS_CS4231A;
		break;
	default:
		*kind = WSS_CS4231_LIKE;
		break;
	}
	return 0;
}

/* ---- the register image ------------------------------------------------------ */

/*
 * Power-on settings: inputs from Line at 0 dB gain, Aux 1, Aux 2 and Line
 * muted at 0 dB, the DAC at 0 dB, loopback off, the mono output on and
 * its input muted; 8 kHz U8 mono; calibration on every mode change;
 * interrupts enabled (only running streams raise them).
 */
static const u8 wss_defaults[WSS_REGS] = {
	[WSS_I_LIN] = 0x00,	[WSS_I_RIN] = 0x00,
	[WSS_I_AUX1L] = 0x88,	[WSS_I_AUX1R] = 0x88,
	[WSS_I_AUX2L] = 0x88,	[WSS_I_AUX2R] = 0x88,
	[WSS_I_DACL] = 0x00,	[WSS_I_DACR] = 0x00,
	[WSS_I_FORMAT] = 0x00,	[WSS_I_IFACE] = WSS_ACAL,
	[WSS_I_PIN] = WSS_IEN,
	[WSS_I_LINEL] = 0x88,	[WSS_I_LINER] = 0x88,
	[WSS_I_MONO] = 0x80,
};

int wss_codec_init(struct wss *chip)
{
	memcpy(chip->image, wss_defaults, sizeof(chip->image));
	if (wss_mode2(chip))
		chip->image[WSS_I_MODE] = WSS_MODE2;
	if (chip->dma2 < 0)
		chip->image[WSS_I_IFACE] |= WSS_SDC;
	return wss_codec_restore(chip);
}

int wss_codec_restore(struct wss *chip)
{
	u8 mce[6];
	unsigned int n = 0;
	int err;

	/* the mode first: it decides what registers 16-31 are */
	err = omnibus_mixer_restore(&chip->mixer);
	if (err < 0)
		return err;
	/* never a running engine: the streams prepare again */
	mce[n++] = WSS_I_FORMAT;
	mce[n++] = chip->image[WSS_I_FORMAT];
	mce[n++] = WSS_I_IFACE;
	mce[n++] = chip->image[WSS_I_IFACE] & ~(WSS_PEN | WSS_CEN);
	if (wss_mode2(chip)) {
		mce[n++] = WSS_I_CFORMAT;
		mce[n++] = chip->image[WSS_I_CFORMAT];
	}
	return wss_mce_write(chip, mce, n / 2);
}

void wss_codec_quiet(struct wss *chip)
{
	unsigned long flags;

	spin_lock_irqsave(&chip->reg_lock, flags);
	wss_out(chip, WSS_I_IFACE,
		chip->image[WSS_I_IFACE] & ~(WSS_PEN | WSS_CEN));
	/* IEN stays in the image: restore enables interrupts again */
	wss_raw_out(chip->port, 0, WSS_I_PIN, chip->image[WSS_I_PIN] & ~WSS_IEN);
	if (wss_mode2(chip))
		wss_raw_out(chip->port, 0, WSS_I_IRQSTAT, 0);
	outb(0, chip->port + WSS_R_STATUS);
	spin_unlock_irqrestore(&chip->reg_lock, flags);
}
