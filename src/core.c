// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-core: the library module every snd-omnibus backend uses.
 *
 * It holds the card slots (card.c), the bus layer (bus.c), the PCM core
 * (pcm.c), what the PCI backends share (pci.c) and the register-cached
 * mixer (mixer.c), and exports them in
 * the symbol namespace SND_OMNIBUS (EXPORT_SYMBOL_OMNIBUS, compat.h).  It
 * makes no card and touches no hardware by itself: it is loaded because a
 * backend needs it, and modprobe loads it first.
 */
#include <linux/module.h>
#include "omnibus.h"

MODULE_AUTHOR("The snd-omnibus developers");
MODULE_DESCRIPTION("Card slots, bus layer and PCM core shared by the snd-omnibus drivers");
MODULE_LICENSE("GPL");
MODULE_VERSION(OMNIBUS_VERSION);
