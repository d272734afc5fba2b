/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snd-omnibus: every difference between the kernels we build for lives here.
 *
 * Supported: Debian's 5.10, 6.1, 6.12, 7.2 and 7.3.  Where an interface
 * changed, this header gives the rest of the driver one spelling of it;
 * no other file tests LINUX_VERSION_CODE.
 */
#ifndef OMNIBUS_COMPAT_H
#define OMNIBUS_COMPAT_H

#include <linux/version.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/hrtimer.h>
#include <linux/platform_device.h>
#include <linux/timer.h>
#include <sound/pcm.h>

/*
 * hrtimer_setup() replaced hrtimer_init() plus a direct store to
 * ->function in 6.13; 7.x no longer has hrtimer_init().
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
static inline void omnibus_hrtimer_setup(struct hrtimer *timer,
					 enum hrtimer_restart (*fn)(struct hrtimer *),
					 clockid_t clock, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
}
#else
#define omnibus_hrtimer_setup hrtimer_setup
#endif

/*
 * struct snd_pcm_ops: 6.6 folded .copy_user/.copy_kernel into one .copy
 * taking an iov_iter.  OMNIBUS_PCM_COPY_ITER tells pcm.c which to fill.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define OMNIBUS_PCM_COPY_ITER 1
#endif

/*
 * struct platform_driver: .remove returns void from 6.11 on (before, an
 * int that the core ignored).  OMNIBUS_PLATFORM_REMOVE(fn) wraps a void
 * remove function into whatever the running kernel wants.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define OMNIBUS_DEFINE_PLATFORM_REMOVE(fn)				\
	static void fn##_pdrv(struct platform_device *pdev)		\
	{								\
		fn(pdev);						\
	}
#else
#define OMNIBUS_DEFINE_PLATFORM_REMOVE(fn)				\
	static int fn##_pdrv(struct platform_device *pdev)		\
	{								\
		fn(pdev);						\
		return 0;						\
	}
#endif
#define OMNIBUS_PLATFORM_REMOVE(fn) fn##_pdrv

/*
 * The struct device of a PCM direction's node: embedded in struct
 * snd_pcm_str up to 6.5, allocated separately (a pointer) from 6.6 on.
 * NULL for a direction the PCM does not have.
 */
static inline struct device *omnibus_pcm_stream_dev(struct snd_pcm *pcm, int dir)
{
	if (!pcm || !pcm->streams[dir].substream_count)
		return NULL;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return pcm->streams[dir].dev;
#else
	return &pcm->streams[dir].dev;
#endif
}

/*
 * snd-omnibus-core exports its API in the symbol namespace SND_OMNIBUS and
 * every backend imports it.  The namespace argument of EXPORT_SYMBOL_NS_GPL
 * and MODULE_IMPORT_NS became a string literal in 6.13.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define EXPORT_SYMBOL_OMNIBUS(sym)	EXPORT_SYMBOL_NS_GPL(sym, "SND_OMNIBUS")
#define OMNIBUS_IMPORT_NS()	MODULE_IMPORT_NS("SND_OMNIBUS")
#else
#define EXPORT_SYMBOL_OMNIBUS(sym)	EXPORT_SYMBOL_NS_GPL(sym, SND_OMNIBUS)
#define OMNIBUS_IMPORT_NS()	MODULE_IMPORT_NS(SND_OMNIBUS)
#endif

/*
 * snd-opl3-lib, the OPL2/OPL3 FM library, is built on every distribution
 * kernel we support (PCI drivers select it); a slim kernel, like the
 * tests' debug kernel, may not have it.  Without it the SB16 has no FM
 * and snd-omnibus-adlib refuses to load; the compiler leaves out their
 * calls into the library, so that both still build and link.
 */
#define OMNIBUS_HAVE_OPL3	IS_ENABLED(CONFIG_SND_OPL3_LIB)

/* SNDRV_DMA_TYPE_DEV_UC was renamed SNDRV_DMA_TYPE_DEV_WC in 5.13. */
#ifndef SNDRV_DMA_TYPE_DEV_WC
#define SNDRV_DMA_TYPE_DEV_WC SNDRV_DMA_TYPE_DEV_UC
#endif

#endif /* OMNIBUS_COMPAT_H */
