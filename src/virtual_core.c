// SPDX-License-Identifier: GPL-2.0
/*
 * The shared core of snd-omnibus (card slots, bus layer, PCM core),
 * compiled into snd-omnibus-virtual.  Each backend module carries its own
 * copy, so that loading it loads no other snd-omnibus module (src/Kbuild).
 */
#define OMNIBUS_MODULE "snd-omnibus-virtual"

#include "card.c"
#include "bus.c"
#include "pcm.c"
