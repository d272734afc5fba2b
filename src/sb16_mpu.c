// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-sb16: the MPU-401 UART of a Sound Blaster 16, at mpu_port=
 * (0x330 or 0x300), through the kernel's snd-mpu401-uart.
 *
 * The library never looks whether anything answers at the port, so this
 * file does, once, before handing the port over: an MPU-401 has a data
 * port (base) and a status/command port (base + 1).  Status bit 6 clear
 * means it takes a command, bit 7 clear means a byte waits in the data
 * port.  The reset command (0xff) is answered by the byte 0xfe.  A port
 * nothing drives reads 0xff.  The driver reads the status port, writes
 * 0xff to it once it takes commands and reads the data port until the
 * answer comes (20 ms at most each; a second reset if the first got no
 * answer, as an MPU left in UART mode may not answer its first).
 *
 * Before that, the port is selected in mixer register 0x84 (bit 2 set:
 * 0x300, clear: 0x330; bit 1 set would disable the MPU), which the
 * SB16s that have the register decode (a jumpered card ignores it); a port
 * where nothing answers gets the register's old value back.
 *
 * The SB16 raises the MPU's interrupts on its own line and flags them in
 * mixer register 0x82 (bit 2): the card's handler passes them on
 * (MPU401_INFO_IRQ_HOOK).  The region stays held by this driver
 * (MPU401_INFO_INTEGRATED); the library opens the UART mode itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/jiffies.h>
#include <sound/core.h>
#include <sound/mpu401.h>
#include "sb16.h"

#define MPU_DATA		0
#define MPU_STATUS		1	/* read: status; write: command */
#define   MPU_ST_BUSY		0x40	/* it takes no command now */
#define   MPU_ST_EMPTY		0x80	/* no byte to read */
#define MPU_CMD_RESET		0xff
#define MPU_ACK			0xfe
#define MPU_IO_SIZE		2
#define MPU_WAIT_MS		20

/* Waits until status & @bit is clear; false after MPU_WAIT_MS. */
static bool mpu_wait(unsigned long port, u8 bit, u8 *status)
{
	unsigned long end = jiffies + msecs_to_jiffies(MPU_WAIT_MS) + 1;

	for (;;) {
		*status = inb(port + MPU_STATUS);
		if (!(*status & bit))
			return true;
		if (time_after(jiffies, end))
			return false;
		usleep_range(100, 200);
	}
}

/* 0 when a reset at @port is answered, else what the status port read. */
static int mpu_reset(unsigned long port, u8 *status)
{
	int tries, bytes;

	for (tries = 0; tries < 2; tries++) {
		if (!mpu_wait(port, MPU_ST_BUSY, status))
			return -ENODEV;
		outb(MPU_CMD_RESET, port + MPU_STATUS);
		/* MIDI input that was under way may come before the answer */
		for (bytes = 0; bytes < 16; bytes++) {
			if (!mpu_wait(port, MPU_ST_EMPTY, status))
				break;
			if (inb(port + MPU_DATA) == MPU_ACK)
				return 0;
		}
	}
	return -ENODEV;
}

int sb16_mpu_new(struct sb16 *chip, unsigned long mpu_port)
{
	struct device *dev = &chip->pdev->dev;
	u8 status = 0, old_sel;
	int err;

	if (!devm_request_region(dev, mpu_port, MPU_IO_SIZE,
				 "snd-omnibus SB16 MPU-401")) {
		dev_warn(dev, "MPU-401 ports 0x%lx-0x%lx are in use (see /proc/ioports): card without MIDI\n",
			 mpu_port, mpu_port + MPU_IO_SIZE - 1);
		return -EBUSY;
	}
	old_sel = omnibus_ct1745_read(&chip->mixer, CT1745_R_MPU);
	chip->mpu_sel = (old_sel & ~(CT1745_MPU_300 | CT1745_MPU_OFF)) |
			(mpu_port == 0x300 ? CT1745_MPU_300 : 0);
	omnibus_ct1745_write(&chip->mixer, CT1745_R_MPU, chip->mpu_sel);
	if (mpu_reset(mpu_port, &status) < 0) {
		omnibus_ct1745_write(&chip->mixer, CT1745_R_MPU, old_sel);
		devm_release_region(dev, mpu_port, MPU_IO_SIZE);
		dev_warn(dev, "no MPU-401 answers the reset at 0x%lx (status port reads 0x%02x): card without MIDI\n",
			 mpu_port, status);
		return -ENODEV;
	}
	/* from here the card's handler may pass interrupts on */
	err = snd_mpu401_uart_new(chip->oc.card, 0, MPU401_HW_SB, mpu_port,
				  MPU401_INFO_INTEGRATED | MPU401_INFO_IRQ_HOOK,
				  -1, &chip->rmidi);
	if (err < 0) {
		devm_release_region(dev, mpu_port, MPU_IO_SIZE);
		dev_warn(dev, "cannot create the MPU-401 MIDI device at 0x%lx: card without MIDI: %d\n",
			 mpu_port, err);
		return err;
	}
	chip->mpu_port = mpu_port;
	return 0;
}

/*
 * The card's devices go before its IRQ: from here on the handler passes
 * nothing to the MPU, and no handler still does when this returns.
 */
void sb16_mpu_detach(struct sb16 *chip)
{
	spin_lock_irq(&chip->lock);
	chip->rmidi = NULL;
	spin_unlock_irq(&chip->lock);
}

/* From the card's handler, chip->lock held: an MPU interrupt. */
void sb16_mpu_interrupt(struct sb16 *chip, int irq)
{
	if (chip->rmidi)
		snd_mpu401_uart_interrupt(irq, chip->rmidi->private_data);
}

/* After a resume: the port selection again (open resets the UART). */
void sb16_mpu_resume(struct sb16 *chip)
{
	if (chip->mpu_port)
		omnibus_ct1745_write(&chip->mixer, CT1745_R_MPU, chip->mpu_sel);
}
