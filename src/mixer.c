// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-core: the register-cached mixer (see mixer.h).
 *
 * get() answers from the cache; put() works out the new value of each
 * register the control touches, writes only those that change, and
 * updates the cache after each write that worked.  A control's two fields
 * may sit in one register (two bits of a routing register): the second
 * field is then set on top of the first and the register written once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>
#include <sound/control.h>
#include "compat.h"
#include "mixer.h"

static const struct omnibus_mixer_ctl *mixer_ctl(struct snd_kcontrol *kc)
{
	return (const struct omnibus_mixer_ctl *)kc->private_value;
}

static unsigned int mixer_values(const struct omnibus_mixer_ctl *c)
{
	return c->reg[1] == OMNIBUS_MIXER_NONE ||
	       (c->flags & OMNIBUS_MIXER_BOTH) ? 1 : 2;
}

static unsigned int mixer_regs(const struct omnibus_mixer_ctl *c)
{
	return c->reg[1] == OMNIBUS_MIXER_NONE ? 1 : 2;
}

static int mixer_info(struct snd_kcontrol *kc,
		      struct snd_ctl_elem_info *uinfo)
{
	const struct omnibus_mixer_ctl *c = mixer_ctl(kc);

	if (c->items)
		return snd_ctl_enum_info(uinfo, mixer_values(c), c->max + 1,
					 c->items);
	uinfo->type = c->max == 1 ? SNDRV_CTL_ELEM_TYPE_BOOLEAN :
				    SNDRV_CTL_ELEM_TYPE_INTEGER;
	uinfo->count = mixer_values(c);
	uinfo->value.integer.min = 0;
	uinfo->value.integer.max = c->max;
	return 0;
}

static int mixer_get(struct snd_kcontrol *kc, struct snd_ctl_elem_value *uval)
{
	struct omnibus_mixer *mixer = snd_kcontrol_chip(kc);
	const struct omnibus_mixer_ctl *c = mixer_ctl(kc);
	unsigned int i, field;

	mixer->ops->lock(mixer);
	for (i = 0; i < mixer_values(c); i++) {
		field = *omnibus_mixer_cache(mixer, c->reg[i]) >> c->shift[i];
		field &= c->max;
		if (c->flags & OMNIBUS_MIXER_INVERT)
			field = c->max - field;
		if (c->items)
			uval->value.enumerated.item[i] = field;
		else
			uval->value.integer.value[i] = field;
	}
	mixer->ops->unlock(mixer);
	return 0;
}

static int mixer_put(struct snd_kcontrol *kc, struct snd_ctl_elem_value *uval)
{
	struct omnibus_mixer *mixer = snd_kcontrol_chip(kc);
	const struct omnibus_mixer_ctl *c = mixer_ctl(kc);
	unsigned int i, n = mixer_regs(c), field, reg = 0;
	bool shared = n == 2 && c->reg[0] == c->reg[1];
	int changed = 0, err = 0;
	long want[2] = { 0, 0 }, v;
	u8 next[2];

	for (i = 0; i < mixer_values(c); i++) {
		v = c->items ? uval->value.enumerated.item[i] :
			       uval->value.integer.value[i];
		if (v < 0 || v > c->max)
			return -EINVAL;
		want[i] = v;
	}

	mixer->ops->lock(mixer);
	for (i = 0; i < n; i++) {
		v = want[c->flags & OMNIBUS_MIXER_BOTH ? 0 : i];
		field = c->flags & OMNIBUS_MIXER_INVERT ? c->max - v : v;
		next[i] = i && shared ? next[0] :
			  *omnibus_mixer_cache(mixer, c->reg[i]);
		next[i] &= ~(c->max << c->shift[i]);
		next[i] |= field << c->shift[i];
	}
	if (shared) {
		next[0] = next[1];
		n = 1;
	}
	for (i = 0; i < n; i++) {
		reg = c->reg[i];
		if (next[i] == *omnibus_mixer_cache(mixer, reg))
			continue;
		err = mixer->ops->write(mixer, reg, next[i]);
		if (err < 0)
			break;
		*omnibus_mixer_cache(mixer, reg) = next[i];
		changed = 1;
	}
	mixer->ops->unlock(mixer);

	if (err < 0) {
		dev_err_ratelimited(mixer->card->dev,
				    "%s: '%s' not set, register 0x%02x write failed (%d)\n",
				    mixer->ops->chip, c->name, reg, err);
		return err;
	}
	return changed;
}

void omnibus_mixer_init(struct omnibus_mixer *mixer, struct snd_card *card,
			const struct omnibus_mixer_ops *ops, u8 *regs,
			unsigned int first, unsigned int count)
{
	mixer->card = card;
	mixer->ops = ops;
	mixer->regs = regs;
	mixer->first = first;
	mixer->count = count;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_mixer_init);

int omnibus_mixer_add_controls(struct omnibus_mixer *mixer,
			       const struct omnibus_mixer_ctl *ctls,
			       unsigned int n)
{
	struct snd_kcontrol_new tmpl;
	const struct omnibus_mixer_ctl *c;
	struct snd_kcontrol *kctl;
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		c = &ctls[i];
		memset(&tmpl, 0, sizeof(tmpl));
		tmpl.iface = SNDRV_CTL_ELEM_IFACE_MIXER;
		tmpl.name = c->name;
		tmpl.index = c->index;
		tmpl.access = SNDRV_CTL_ELEM_ACCESS_READWRITE;
		if (c->tlv) {
			tmpl.access |= SNDRV_CTL_ELEM_ACCESS_TLV_READ;
			tmpl.tlv.p = c->tlv;
		}
		tmpl.info = mixer_info;
		tmpl.get = mixer_get;
		tmpl.put = mixer_put;
		tmpl.private_value = (unsigned long)c;
		/* snd_ctl_add() would call a failed snd_ctl_new1() -EINVAL */
		kctl = snd_ctl_new1(&tmpl, mixer);
		err = kctl ? snd_ctl_add(mixer->card, kctl) : -ENOMEM;
		if (err < 0) {
			dev_err(mixer->card->dev,
				"%s: cannot add mixer control '%s' %u: %d\n",
				mixer->ops->chip, c->name, c->index, err);
			return err;
		}
	}
	return 0;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_mixer_add_controls);

int omnibus_mixer_restore(struct omnibus_mixer *mixer)
{
	unsigned int i;
	int err = 0;

	if (mixer->ops->reset) {
		mixer->ops->lock(mixer);
		err = mixer->ops->reset(mixer);
		mixer->ops->unlock(mixer);
	}
	/* one register at a time: others may be waiting for the chip */
	for (i = 0; i < mixer->count && !err; i++) {
		mixer->ops->lock(mixer);
		err = mixer->ops->write(mixer, mixer->first + i, mixer->regs[i]);
		mixer->ops->unlock(mixer);
	}
	return err;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_mixer_restore);
