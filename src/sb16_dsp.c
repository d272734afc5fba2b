// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-sb16: the DSP of the Sound Blaster 16 (DSP 4.xx), reached by
 * polling: reset, version, commands, and the IRQ self-test.
 *
 * The DSP is programmed through base+0xC (commands and their bytes, when
 * bit 7 of base+0xC reads clear) and answers through base+0xA (when bit 7
 * of base+0xE is set).  Writing 1 then 0 to base+6 resets it; a working
 * DSP then offers 0xAA.  Command 0xE1 returns the version, major first;
 * 0xF2 raises an 8-bit interrupt.
 *
 * A DSP that stops taking commands is said to hang once; from then on
 * every command fails at once (chip->dsp_stuck) until a reset answers
 * again, so that a dead card costs one 2 ms wait with interrupts off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/spinlock.h>
#include "sb16.h"

#define SB_CMD_VERSION		0xe1
#define SB_CMD_IRQ8		0xf2

#define SB_RESET_ACK		0xaa
#define SB_DSP_LOOPS		2000	/* about 2 ms of polling, 1 us each */
#define SB_IRQ_TEST_MS		100

static int sb_dsp_write(unsigned long port, u8 val)
{
	unsigned int i;

	for (i = 0; i < SB_DSP_LOOPS; i++) {
		if (!(inb(port + SB_DSP_WRITE) & 0x80)) {
			outb(val, port + SB_DSP_WRITE);
			return 0;
		}
		udelay(1);
	}
	return -ETIMEDOUT;
}

static int sb_dsp_read(unsigned long port)
{
	unsigned int i;

	for (i = 0; i < SB_DSP_LOOPS; i++) {
		if (inb(port + SB_DSP_RSTATUS) & 0x80)
			return inb(port + SB_DSP_READ);
		udelay(1);
	}
	return -ETIMEDOUT;
}

int sb16_dsp_reset(unsigned long port)
{
	outb(1, port + SB_DSP_RESET);
	udelay(5);		/* the DSP wants at least 3 us */
	outb(0, port + SB_DSP_RESET);
	/* then about 100 us until the 0xAA, which sb_dsp_read() waits for */
	return sb_dsp_read(port) == SB_RESET_ACK ? 0 : -ENODEV;
}

/*
 * Sends @n bytes to the DSP; lock held, so interrupts are off while it
 * polls.  A DSP that does not take a byte within SB_DSP_LOOPS (about 2 ms)
 * is said to hang, once; from then on every command fails at once, without
 * polling, until a DSP reset answers again (resume), so that a dead card
 * costs no more than one 2 ms wait with interrupts off.
 */
int sb16_dsp_cmds(struct sb16 *chip, const u8 *bytes, unsigned int n)
{
	unsigned int i;

	if (chip->dsp_stuck)
		return -EIO;
	for (i = 0; i < n; i++) {
		if (sb_dsp_write(chip->port, bytes[i]) < 0) {
			dev_err(chip->oc.card->dev,
				"DSP at 0x%lx does not take command byte 0x%02x: %d\n",
				chip->port, bytes[i], -ETIMEDOUT);
			chip->dsp_stuck = true;
			return -EIO;
		}
	}
	return 0;
}

int sb16_dsp_cmd(struct sb16 *chip, u8 cmd)
{
	return sb16_dsp_cmds(chip, &cmd, 1);
}

/* Acknowledges whatever interrupt the card holds; takes the 0xAA of 0xF2. */
static void sb_drain(struct sb16 *chip)
{
	unsigned int i;

	for (i = 0; i < 16 && (inb(chip->port + SB_DSP_RSTATUS) & 0x80); i++)
		inb(chip->port + SB_DSP_READ);
	inb(chip->port + SB_DSP_ACK16);
}

/* DSP 4.xx only: its version, major << 8 | minor */
int sb16_dsp_version(struct device *dev, unsigned long port)
{
	int major, minor;

	if (sb_dsp_write(port, SB_CMD_VERSION) < 0)
		goto mute;
	major = sb_dsp_read(port);
	minor = sb_dsp_read(port);
	if (major < 0 || minor < 0)
		goto mute;
	if (major == 4)
		return major << 8 | minor;
	dev_err(dev, "DSP %d.%02d at 0x%lx is not a Sound Blaster 16 (DSP 4.xx needed), not supported: %d\n",
		major, minor, port, -ENODEV);
	return -ENODEV;
mute:
	dev_err(dev, "DSP at 0x%lx does not report its version: %d\n",
		port, -ENODEV);
	return -ENODEV;
}

/*
 * Asks the card for an interrupt and waits until the handler (sb16_pcm.c)
 * counted it in chip->interrupts.
 */
int sb16_dsp_irq_test(struct sb16 *chip)
{
	unsigned long before;
	unsigned int ms;
	int err;

	spin_lock_irq(&chip->lock);
	before = chip->interrupts;
	err = sb16_dsp_cmd(chip, SB_CMD_IRQ8);
	spin_unlock_irq(&chip->lock);
	for (ms = 0; !err && ms < SB_IRQ_TEST_MS; ms++) {
		if (READ_ONCE(chip->interrupts) != before)
			break;
		usleep_range(1000, 1100);
	}
	/* the test's 0xAA, and its interrupt if it went elsewhere */
	sb_drain(chip);
	if (err || READ_ONCE(chip->interrupts) != before)
		return err;
	dev_err(&chip->pdev->dev, "no interrupt on IRQ %d from the card at 0x%lx in %d ms (irq= not the card's?): %d\n",
		chip->irq, chip->port, SB_IRQ_TEST_MS, -ENODEV);
	return -ENODEV;
}
