// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-core: the card slots over each backend's index/id/enable.
 *
 * index/id/enable are arrays as in every in-tree ALSA driver, module
 * parameters of the backend, which hands them over in its struct
 * omnibus_driver: every card the backend makes takes the next free slot
 * that is enabled, in the order the cards appear (virtual cards at load
 * time, PCI cards in bus order); ISA cards take the slot of their port=
 * entry.  The backend's module_init calls omnibus_card_check_params()
 * before it makes any card.  Messages about a backend's parameters carry
 * the backend's name, the module the user gave them to.
 */
#define pr_fmt(fmt) fmt

#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include "omnibus.h"

/* guards every backend's slots_used */
static DEFINE_MUTEX(slot_lock);

static int slot_claim(struct omnibus_driver *drv, int want)
{
	int slot, ret = -ENODEV;

	mutex_lock(&slot_lock);
	for (slot = 0; slot < SNDRV_CARDS; slot++) {
		if (want >= 0 && slot != want)
			continue;
		if (!drv->enable[slot] || test_bit(slot, drv->slots_used))
			continue;
		set_bit(slot, drv->slots_used);
		ret = slot;
		break;
	}
	mutex_unlock(&slot_lock);
	return ret;
}

static void slot_release(struct omnibus_driver *drv, int slot)
{
	mutex_lock(&slot_lock);
	clear_bit(slot, drv->slots_used);
	mutex_unlock(&slot_lock);
}

static void omnibus_card_private_free(struct snd_card *card)
{
	struct omnibus_card *oc = card->private_data;

	if (oc->free)
		oc->free(oc);
	slot_release(oc->drv, oc->slot);
}

int omnibus_card_new(struct omnibus_driver *drv, struct device *parent,
		     enum omnibus_bus_type type, int want, size_t size,
		     struct omnibus_card **roc)
{
	const int *index = drv->index;
	char * const *id = drv->id;
	struct omnibus_card *oc;
	struct snd_card *card;
	int slot, err;

	if (WARN_ON(size < sizeof(*oc)))
		return -EINVAL;
	slot = slot_claim(drv, want);
	if (slot < 0) {
		if (want >= 0)
			dev_err(parent, "card slot %d is disabled or in use\n", want);
		else
			dev_err(parent, "no free enabled card slot (enable=, at most %d cards)\n",
				SNDRV_CARDS);
		return slot;
	}
	/* an index another driver's card holds: say which card */
	if (index[slot] >= 0) {
		card = snd_card_ref(index[slot]);
		if (card) {
			dev_err(parent, "index=%d (card slot %d) is taken by card %s [%s] (see /proc/asound/cards): %d\n",
				index[slot], slot, card->shortname, card->id, -EBUSY);
			snd_card_unref(card);
			slot_release(drv, slot);
			return -EBUSY;
		}
	}
	err = snd_card_new(parent, index[slot], id[slot], drv->owner, size,
			   &card);
	if (err < 0) {
		/* the ALSA core has said why it found no index */
		if (err != -EBUSY && err != -ENODEV)
			dev_err(parent, "cannot create sound card in slot %d (index %d): %d\n",
				slot, index[slot], err);
		slot_release(drv, slot);
		return err;
	}
	oc = card->private_data;
	oc->card = card;
	oc->drv = drv;
	oc->slot = slot;
	oc->bus.type = type;
	oc->bus.dev = parent;
	card->private_free = omnibus_card_private_free;
	*roc = oc;
	return 0;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_card_new);

/*
 * snd_card_register() registers the card's devices one after another.  If
 * a PCM's capture node fails to register (its kobject or sysfs entry
 * cannot be allocated), the ALSA core leaves the PCM's playback node
 * registered but the PCM itself unregistered, so snd_card_free() never
 * disconnects that node; it keeps the card device referenced and
 * snd_card_free() then waits for ever.  Unregistering our PCM nodes here
 * lets the card go; for a PCM that did register, the core's own
 * disconnect later finds its nodes gone, which it allows.
 */
int omnibus_card_register(struct omnibus_card *oc)
{
	struct device *dev;
	unsigned int i;
	int err, dir;

	err = snd_card_register(oc->card);
	if (err >= 0)
		return 0;
	for (i = 0; i < oc->num_pcms; i++)
		for (dir = 0; dir < 2; dir++) {
			dev = omnibus_pcm_stream_dev(oc->pcms[i]->pcm, dir);
			if (dev && device_is_registered(dev))
				snd_unregister_device(dev);
		}
	dev_err(oc->bus.dev, "cannot register the sound card: %d\n", err);
	return err;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_card_register);

void omnibus_card_free(struct omnibus_card *oc)
{
	if (oc)
		snd_card_free(oc->card);
}
EXPORT_SYMBOL_OMNIBUS(omnibus_card_free);

bool omnibus_slot_enabled(const struct omnibus_driver *drv, int slot)
{
	return slot >= 0 && slot < SNDRV_CARDS && drv->enable[slot];
}
EXPORT_SYMBOL_OMNIBUS(omnibus_slot_enabled);

/* A card id the ALSA core takes as it is: 1-15 ASCII letters and digits, a letter first */
static bool id_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len < 1 || len > 15 || !isalpha(s[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!isascii(s[i]) || !isalnum(s[i]))
			return false;
	return true;
}

/*
 * index= and id= values the ALSA core would refuse, or change without a
 * word: one line and -EINVAL before any card is made.
 */
int omnibus_card_check_params(const struct omnibus_driver *drv)
{
	const bool *enable = drv->enable;
	const int *index = drv->index;
	char * const *id = drv->id;
	int i, j;

	for (i = 0; i < SNDRV_CARDS; i++) {
		if (!enable[i])
			continue;
		if (index[i] >= SNDRV_CARDS) {
			pr_err("%s: index=%d (card slot %d) is out of range (-1 for any, 0-%d): %d\n",
			       drv->name, index[i], i, SNDRV_CARDS - 1, -EINVAL);
			return -EINVAL;
		}
		if (id[i] && *id[i] && !id_valid(id[i])) {
			pr_err("%s: id=%s (card slot %d) is not a card id (1-15 letters and digits, a letter first): %d\n",
			       drv->name, id[i], i, -EINVAL);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (!enable[j])
				continue;
			if (index[i] >= 0 && index[i] == index[j]) {
				pr_err("%s: index=%d is given to card slots %d and %d: %d\n",
				       drv->name, index[i], j, i, -EINVAL);
				return -EINVAL;
			}
			if (id[i] && *id[i] && id[j] && !strcmp(id[i], id[j])) {
				pr_err("%s: id=%s is given to card slots %d and %d: %d\n",
				       drv->name, id[i], j, i, -EINVAL);
				return -EINVAL;
			}
		}
	}
	return 0;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_card_check_params);
