// SPDX-License-Identifier: GPL-2.0
/*
 * The shared core of snd-omnibus (card slots, bus layer, PCM core, mixer),
 * compiled into snd-omnibus-sb16.  Each backend module carries its own
 * copy, so that loading it loads no other snd-omnibus module (src/Kbuild).
 */
#define OMNIBUS_MODULE "snd-omnibus-sb16"

#include "card.c"
#include "bus.c"
#include "pcm.c"
#include "mixer.c"
