// SPDX-License-Identifier: GPL-2.0
/*
 * The shared core of snd-omnibus (card slots, bus layer, PCM core, mixer),
 * compiled into snd-omnibus-es1370.  Each backend module carries its own
 * copy, so that loading it loads no other snd-omnibus module (src/Kbuild).
 */
#define OMNIBUS_MODULE "snd-omnibus-es1370"

#include "card.c"
#include "bus.c"
#include "pcm.c"
#include "pci.c"
#include "mixer.c"
