/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-omnibus-core: a register-cached mixer, for the chips' mixer tables.
 *
 * A mixer chip's registers are copied in a cache (a u8 array covering
 * registers @first to @first + @count - 1).  Controls are described by
 * tables of struct omnibus_mixer_ctl; one set of callbacks serves them all,
 * reads only the cache and writes the chip through the chip's own write
 * callback, under the chip's own lock.  The chip's code keeps the register
 * map, the tables, the power-on values, and what is special about it.
 */
#ifndef OMNIBUS_MIXER_H
#define OMNIBUS_MIXER_H

#include <linux/bits.h>
#include <linux/types.h>
#include <sound/core.h>

struct omnibus_mixer;

/* What the chip does; the helper calls write() and reset() with the lock held. */
struct omnibus_mixer_ops {
	const char *chip;	/* the chip's name, for messages */
	/* Puts @val into register @reg.  0 or a negative errno. */
	int (*write)(struct omnibus_mixer *mixer, unsigned int reg, u8 val);
	/* Guard the cache and the way to the chip (the chip keeps any flags). */
	void (*lock)(struct omnibus_mixer *mixer);
	void (*unlock)(struct omnibus_mixer *mixer);
	/* Optional: what restore must do before the cache goes back. */
	int (*reset)(struct omnibus_mixer *mixer);
};

struct omnibus_mixer {
	struct snd_card *card;
	const struct omnibus_mixer_ops *ops;
	u8 *regs;		/* regs[0] caches register @first */
	unsigned int first;
	unsigned int count;
};

/* omnibus_mixer_ctl.reg[1]: the control has one register */
#define OMNIBUS_MIXER_NONE	0xff

/* omnibus_mixer_ctl.flags */
#define OMNIBUS_MIXER_INVERT	BIT(0)	/* user value = max - field */
#define OMNIBUS_MIXER_BOTH	BIT(1)	/* one user value into both registers */

/*
 * One control: a field in each of one or two registers (left, right).  It
 * has one value when it has one register or OMNIBUS_MIXER_BOTH, two
 * otherwise; max 1 makes it a switch, @items an enumeration of max + 1
 * names (a source selector).
 */
struct omnibus_mixer_ctl {
	const char *name;
	unsigned int index;
	u8 reg[2];		/* left (or only) and right register */
	u8 shift[2];
	u8 max;			/* field mask after shifting down */
	u8 flags;
	const unsigned int *tlv;	/* dB scale, or NULL */
	const char * const *items;	/* names of the values 0 .. max, or NULL */
};

/* The cache of register @reg (which the mixer covers). */
static inline u8 *omnibus_mixer_cache(struct omnibus_mixer *mixer,
				      unsigned int reg)
{
	return &mixer->regs[reg - mixer->first];
}

/* Sets the mixer up; @regs (@count of them) must hold the power-on values. */
void omnibus_mixer_init(struct omnibus_mixer *mixer, struct snd_card *card,
			const struct omnibus_mixer_ops *ops, u8 *regs,
			unsigned int first, unsigned int count);
/*
 * Adds a control for each of @n entries of @ctls (which must outlive the
 * card); the first failure is logged and returned, the controls already
 * added stay with the card.
 */
int omnibus_mixer_add_controls(struct omnibus_mixer *mixer,
			       const struct omnibus_mixer_ctl *ctls,
			       unsigned int n);
/*
 * Calls ops->reset, then writes the whole cache back to the chip, taking
 * the lock for each register.  0 or the first error.
 */
int omnibus_mixer_restore(struct omnibus_mixer *mixer);

#endif /* OMNIBUS_MIXER_H */
