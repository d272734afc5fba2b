// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-virtual: bus-less cards whose "interrupt" is an hrtimer and
 * whose output is wired back to their input; virtual_cards= of them.
 *
 * Each card has three PCM devices, one per buffer strategy of the ALSA
 * guide, each with one playback and one capture substream:
 *   0  continuous pages      (mmap-able)
 *   1  vmalloc'ed buffer     (mmap-able, through the page callback)
 *   2  "external" buffer     (memory on the device; read/write access only,
 *                             served by the copy and fill_silence callbacks)
 * What a PCM device plays comes back on its own capture stream, byte for
 * byte, once both run: the "hardware" moves samples at the stream's rate,
 * playback into a wire and capture out of it (silence when it is empty).
 *
 * Position is computed from the clock, so the pointer moves by single
 * frames; the timer fires once per period, like a period interrupt, and
 * in hard interrupt context like one (PREEMPT_RT expires it in softirq
 * context instead): a soft hrtimer would add a softirq and a second
 * clockevent programming to every period.  Nothing waits for the timer
 * while holding a lock its callback takes: trigger only tries to cancel
 * it, so a callback already running on another CPU (spinning on the
 * stream lock in snd_pcm_period_elapsed() while trigger holds it) can
 * re-arm it once more; that callback finds the stream stopped and ends.
 * What waits for the timer does so outside every lock: sync_stop (after
 * STOP), close (a paused stream gets no sync_stop when its card is
 * disconnected) and the card's free, so that no timer outlives the
 * substream or the card's memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <sound/core.h>
#include <sound/initval.h>
#include <sound/pcm.h>
#include "omnibus.h"

#define VIRT_DRIVER		"snd_omnibus_virtual"
#define VIRT_MAX_CARDS		8
#define VIRT_PCMS		3
#define VIRT_EXT_BYTES		(64 * 1024)	/* on-board memory per substream */
#define VIRT_WIRE_BYTES		(256 * 1024)
#define VIRT_BUFFER_MAX		(1024 * 1024)

struct virt_wire;

struct virt_stream {
	struct virt_wire *wire;
	struct snd_pcm_substream *ss;
	struct hrtimer timer;
	bool running;
	ktime_t start;		/* when frame 0 of this run was due */
	u64 done;		/* frames moved since start */
	u64 next_period;	/* frame count that ends the next period */
	unsigned int pos;	/* frames into the buffer */
	unsigned int rate;
	unsigned int frame_bytes;
	unsigned int sample_bytes;
	unsigned int buffer_frames;
	unsigned int period_frames;
	snd_pcm_format_t format;
	u8 *area;		/* the samples: dma_area or on-board memory */
	u8 *onboard;		/* PCM 2 only */
};

struct virt_wire {
	spinlock_t lock;	/* everything in here, both streams */
	struct virt_stream stream[2];	/* SNDRV_PCM_STREAM_* */
	u8 *fifo;
	unsigned int head;	/* next byte to read */
	unsigned int fill;	/* bytes held */
};

struct virt_card {
	struct omnibus_card oc;
	struct virt_wire wire[VIRT_PCMS];
};

MODULE_AUTHOR("The snd-omnibus developers");
MODULE_DESCRIPTION("ALSA driver for bus-less virtual sound cards with loopback (snd-omnibus)");
MODULE_LICENSE("GPL");
MODULE_VERSION(OMNIBUS_VERSION);
OMNIBUS_IMPORT_NS();

static int index[SNDRV_CARDS] = SNDRV_DEFAULT_IDX;
static char *id[SNDRV_CARDS] = SNDRV_DEFAULT_STR;
static bool enable[SNDRV_CARDS] = SNDRV_DEFAULT_ENABLE_PNP;

module_param_array(index, int, NULL, 0444);
MODULE_PARM_DESC(index, "Index value for each snd-omnibus-virtual card, in slot order.");
module_param_array(id, charp, NULL, 0444);
MODULE_PARM_DESC(id, "ID string for each snd-omnibus-virtual card, in slot order.");
module_param_array(enable, bool, NULL, 0444);
MODULE_PARM_DESC(enable, "Enable each snd-omnibus-virtual card slot (a disabled slot is skipped).");

static struct omnibus_driver virt_core = OMNIBUS_DRIVER(index, id, enable);

static int virtual_cards;
module_param(virtual_cards, int, 0444);
MODULE_PARM_DESC(virtual_cards, "Number of bus-less virtual cards to create (0-8, default 0).");

static struct platform_device *virt_devices[VIRT_MAX_CARDS];
static bool virt_driver_registered;
/* errno of the last failed probe, for virt_init() (probes run one at a time) */
static int virt_probe_err;

static u64 frames_to_ns(u64 frames, unsigned int rate)
{
	return mul_u64_u32_div(frames, NSEC_PER_SEC, rate);
}

static void wire_put(struct virt_wire *w, const u8 *src, unsigned int bytes)
{
	unsigned int tail, n;

	if (bytes > VIRT_WIRE_BYTES) {
		src += bytes - VIRT_WIRE_BYTES;
		bytes = VIRT_WIRE_BYTES;
	}
	if (w->fill + bytes > VIRT_WIRE_BYTES) {
		/* the listener is slower: lose the oldest bytes */
		n = w->fill + bytes - VIRT_WIRE_BYTES;
		w->head = (w->head + n) % VIRT_WIRE_BYTES;
		w->fill -= n;
	}
	while (bytes) {
		tail = (w->head + w->fill) % VIRT_WIRE_BYTES;
		n = min(bytes, VIRT_WIRE_BYTES - tail);
		memcpy(w->fifo + tail, src, n);
		w->fill += n;
		src += n;
		bytes -= n;
	}
}

static unsigned int wire_get(struct virt_wire *w, u8 *dst, unsigned int bytes)
{
	unsigned int got = 0, n;

	while (got < bytes && w->fill) {
		n = min3(bytes - got, w->fill, VIRT_WIRE_BYTES - w->head);
		memcpy(dst + got, w->fifo + w->head, n);
		w->head = (w->head + n) % VIRT_WIRE_BYTES;
		w->fill -= n;
		got += n;
	}
	return got;
}

/*
 * Move up to @frames frames between the buffer at vs->pos and the wire and
 * return how many moved.  The player drops its frames when nobody listens.
 * While the player runs, the listener takes only whole frames already put
 * down (rounding can leave it a frame behind, never a gap); with no player
 * it hears silence.
 */
static unsigned int virt_transfer(struct virt_stream *vs, unsigned int frames)
{
	struct virt_wire *w = vs->wire;
	struct virt_stream *pb = &w->stream[SNDRV_PCM_STREAM_PLAYBACK];
	bool playing = vs == pb;
	unsigned int left, n, bytes, got;
	u8 *p;

	if (playing && !w->stream[SNDRV_PCM_STREAM_CAPTURE].running) {
		vs->pos = (vs->pos + frames) % vs->buffer_frames;
		return frames;
	}
	if (!playing && pb->running)
		frames = min(frames, w->fill / vs->frame_bytes);
	for (left = frames; left; left -= n) {
		n = min(left, vs->buffer_frames - vs->pos);
		p = vs->area + vs->pos * vs->frame_bytes;
		bytes = n * vs->frame_bytes;
		if (playing) {
			wire_put(w, p, bytes);
		} else {
			got = wire_get(w, p, bytes);
			if (got < bytes)
				snd_pcm_format_set_silence(vs->format, p + got,
							   (bytes - got) / vs->sample_bytes);
		}
		vs->pos = (vs->pos + n) % vs->buffer_frames;
	}
	return frames;
}

/* Bring @vs up to @now; called with the wire lock held. */
static void virt_advance(struct virt_stream *vs, ktime_t now)
{
	struct virt_stream *pb = &vs->wire->stream[SNDRV_PCM_STREAM_PLAYBACK];
	u64 target, frames, skip;

	if (!vs->running)
		return;
	/* what the listener takes, the player must have put down first */
	if (vs != pb)
		virt_advance(pb, now);
	if (ktime_before(now, vs->start))
		return;
	target = mul_u64_u32_div(ktime_to_ns(ktime_sub(now, vs->start)),
				 vs->rate, NSEC_PER_SEC);
	if (target <= vs->done)
		return;
	frames = target - vs->done;
	if (frames > vs->buffer_frames) {
		/* nobody looked for a whole buffer: only the last one counts */
		skip = frames - vs->buffer_frames;
		vs->done += skip;
		vs->pos = (vs->pos + do_div(skip, vs->buffer_frames)) %
			  vs->buffer_frames;
		frames = vs->buffer_frames;
	}
	vs->done += virt_transfer(vs, frames);
}

static enum hrtimer_restart virt_timer_fn(struct hrtimer *t)
{
	struct virt_stream *vs = container_of(t, struct virt_stream, timer);
	struct virt_wire *w = vs->wire;
	bool elapsed = false;
	unsigned long flags;
	ktime_t now, next;

	spin_lock_irqsave(&w->lock, flags);
	/*
	 * Stopped, or restarted while this callback waited for the lock:
	 * hrtimer_start() has queued the timer again with the new run's
	 * expiry, which must not be touched (changing a queued timer's
	 * expiry breaks the timer queue's order).
	 */
	if (!vs->running || hrtimer_is_queued(t)) {
		spin_unlock_irqrestore(&w->lock, flags);
		return HRTIMER_NORESTART;
	}
	now = hrtimer_cb_get_time(t);
	virt_advance(vs, now);
	while (vs->done >= vs->next_period) {
		vs->next_period += vs->period_frames;
		elapsed = true;
	}
	next = ktime_add_ns(vs->start, frames_to_ns(vs->next_period, vs->rate));
	/* a listener a frame behind its player: look again shortly */
	if (!ktime_after(next, now))
		next = ktime_add_us(now, 500);
	/*
	 * Set the next expiry while the lock keeps trigger out: once it is
	 * released a restart may enqueue the timer anew, which then wins
	 * (a callback returning HRTIMER_RESTART leaves a queued timer be).
	 */
	hrtimer_set_expires(t, next);
	spin_unlock_irqrestore(&w->lock, flags);

	if (elapsed)
		snd_pcm_period_elapsed(vs->ss);
	return HRTIMER_RESTART;
}

static struct virt_stream *to_stream(struct snd_pcm_substream *ss)
{
	struct virt_card *vc = omnibus_chip(ss);

	return &vc->wire[ss->pcm->device].stream[ss->stream];
}

static int virt_open(struct snd_pcm_substream *ss)
{
	struct virt_stream *vs = to_stream(ss);

	vs->ss = ss;
	return snd_pcm_hw_constraint_integer(ss->runtime,
					     SNDRV_PCM_HW_PARAM_PERIODS);
}

static int virt_prepare(struct snd_pcm_substream *ss)
{
	struct snd_pcm_runtime *rt = ss->runtime;
	struct virt_stream *vs = to_stream(ss);
	unsigned long flags;

	spin_lock_irqsave(&vs->wire->lock, flags);
	vs->running = false;
	vs->rate = rt->rate;
	vs->frame_bytes = frames_to_bytes(rt, 1);
	vs->sample_bytes = samples_to_bytes(rt, 1);
	vs->buffer_frames = rt->buffer_size;
	vs->period_frames = rt->period_size;
	vs->format = rt->format;
	vs->area = vs->onboard ? vs->onboard : rt->dma_area;
	vs->pos = 0;
	vs->done = 0;
	vs->next_period = vs->period_frames;
	spin_unlock_irqrestore(&vs->wire->lock, flags);
	return 0;
}

static void virt_start(struct virt_stream *vs, ktime_t now)
{
	struct virt_wire *w = vs->wire;

	if (vs == &w->stream[SNDRV_PCM_STREAM_CAPTURE]) {
		/* the wire holds what was played since the listener came */
		virt_advance(&w->stream[SNDRV_PCM_STREAM_PLAYBACK], now);
		w->head = 0;
		w->fill = 0;
	}
	/* continue where the stream stood (0 after prepare) */
	vs->start = ktime_sub_ns(now, frames_to_ns(vs->done, vs->rate));
	vs->running = true;
	hrtimer_start(&vs->timer,
		      ktime_add_ns(vs->start, frames_to_ns(vs->next_period, vs->rate)),
		      HRTIMER_MODE_ABS);
}

static int virt_trigger(struct snd_pcm_substream *ss, int cmd)
{
	struct virt_stream *vs = to_stream(ss);
	ktime_t now = ktime_get();
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&vs->wire->lock, flags);
	/* the listener has heard up to now whatever was playing until now */
	virt_advance(&vs->wire->stream[SNDRV_PCM_STREAM_CAPTURE], now);
	switch (cmd) {
	case SNDRV_PCM_TRIGGER_START:
	case SNDRV_PCM_TRIGGER_PAUSE_RELEASE:
		virt_start(vs, now);
		break;
	case SNDRV_PCM_TRIGGER_STOP:
	case SNDRV_PCM_TRIGGER_SUSPEND:
	case SNDRV_PCM_TRIGGER_PAUSE_PUSH:
		virt_advance(vs, now);
		vs->running = false;
		/*
		 * The callback may be waiting for this lock or for the
		 * stream's: sync_stop, close or the card's free waits.
		 */
		hrtimer_try_to_cancel(&vs->timer);
		break;
	default:
		err = -EINVAL;
	}
	spin_unlock_irqrestore(&vs->wire->lock, flags);
	return err;
}

static snd_pcm_uframes_t virt_pointer(struct snd_pcm_substream *ss)
{
	struct virt_stream *vs = to_stream(ss);
	unsigned long flags;
	unsigned int pos;

	spin_lock_irqsave(&vs->wire->lock, flags);
	virt_advance(vs, ktime_get());
	pos = vs->pos;
	spin_unlock_irqrestore(&vs->wire->lock, flags);
	return pos;
}

static void virt_sync_stop(struct snd_pcm_substream *ss)
{
	hrtimer_cancel(&to_stream(ss)->timer);
}

/*
 * A stream paused when its card was disconnected gets no sync_stop, and
 * a callback that ran into the pause may have re-armed the timer: it must
 * not fire on a closed substream.
 */
static void virt_close(struct snd_pcm_substream *ss)
{
	hrtimer_cancel(&to_stream(ss)->timer);
}

static void *virt_ext_area(struct snd_pcm_substream *ss, unsigned long pos)
{
	return to_stream(ss)->onboard + pos;
}

static const struct omnibus_stream_ops virt_ops = {
	.open = virt_open,
	.close = virt_close,
	.prepare = virt_prepare,
	.trigger = virt_trigger,
	.pointer = virt_pointer,
	.sync_stop = virt_sync_stop,
	.ext_area = virt_ext_area,
};

#define VIRT_FORMATS (SNDRV_PCM_FMTBIT_U8 | SNDRV_PCM_FMTBIT_S8 |	\
		      SNDRV_PCM_FMTBIT_S16_LE | SNDRV_PCM_FMTBIT_U16_LE |	\
		      SNDRV_PCM_FMTBIT_S24_LE | SNDRV_PCM_FMTBIT_S24_3LE |	\
		      SNDRV_PCM_FMTBIT_S32_LE | SNDRV_PCM_FMTBIT_FLOAT_LE)

#define VIRT_HW(_info, _bytes, _period_max)				\
	{								\
		.info = (_info) | SNDRV_PCM_INFO_INTERLEAVED |		\
			SNDRV_PCM_INFO_BLOCK_TRANSFER |			\
			SNDRV_PCM_INFO_PAUSE,				\
		.formats = VIRT_FORMATS,				\
		.rates = SNDRV_PCM_RATE_CONTINUOUS |			\
			 SNDRV_PCM_RATE_8000_192000,			\
		.rate_min = 5512,					\
		.rate_max = 192000,					\
		.channels_min = 1,					\
		.channels_max = 8,					\
		.buffer_bytes_max = (_bytes),				\
		.period_bytes_min = 64,					\
		.period_bytes_max = (_period_max),			\
		.periods_min = 2,					\
		.periods_max = 1024,					\
	}

#define VIRT_MMAP (SNDRV_PCM_INFO_MMAP | SNDRV_PCM_INFO_MMAP_VALID)

static const struct snd_pcm_hardware virt_hw_mmap =
	VIRT_HW(VIRT_MMAP, VIRT_BUFFER_MAX, VIRT_BUFFER_MAX / 2);
static const struct snd_pcm_hardware virt_hw_external =
	VIRT_HW(0, VIRT_EXT_BYTES, VIRT_EXT_BYTES / 2);

#define VIRT_STREAM(_hw, _prealloc)					\
	OMNIBUS_STREAM(_hw, &virt_ops, _prealloc, VIRT_BUFFER_MAX)

static const struct omnibus_pcm_desc virt_pcms[VIRT_PCMS] = {
	{
		.name = "Virtual (continuous pages)",
		.device = 0,
		.buffer = OMNIBUS_BUF_CONTINUOUS,
		.stream = {
			VIRT_STREAM(&virt_hw_mmap, 128 * 1024),
			VIRT_STREAM(&virt_hw_mmap, 128 * 1024),
		},
	},
	{
		.name = "Virtual (vmalloc)",
		.device = 1,
		.buffer = OMNIBUS_BUF_VMALLOC,
		.stream = {
			VIRT_STREAM(&virt_hw_mmap, 128 * 1024),
			VIRT_STREAM(&virt_hw_mmap, 128 * 1024),
		},
	},
	{
		.name = "Virtual (external)",
		.device = 2,
		.buffer = OMNIBUS_BUF_EXTERNAL,
		.stream = {
			VIRT_STREAM(&virt_hw_external, 0),
			VIRT_STREAM(&virt_hw_external, 0),
		},
	},
};

static void virt_free(struct omnibus_card *oc)
{
	struct virt_card *vc = container_of(oc, struct virt_card, oc);
	int i, dir;

	for (i = 0; i < VIRT_PCMS; i++) {
		for (dir = 0; dir < 2; dir++) {
			struct virt_stream *vs = &vc->wire[i].stream[dir];

			/* set up (vs->wire set) timers only: none may outlive us */
			if (vs->wire)
				hrtimer_cancel(&vs->timer);
			kvfree(vs->onboard);
		}
		kvfree(vc->wire[i].fifo);
	}
}

static int virt_init_wire(struct virt_wire *w, bool onboard)
{
	int dir;

	spin_lock_init(&w->lock);
	w->fifo = kvzalloc(VIRT_WIRE_BYTES, GFP_KERNEL);
	if (!w->fifo)
		return -ENOMEM;
	for (dir = 0; dir < 2; dir++) {
		struct virt_stream *vs = &w->stream[dir];

		vs->wire = w;
		omnibus_hrtimer_setup(&vs->timer, virt_timer_fn, CLOCK_MONOTONIC,
				      HRTIMER_MODE_ABS);
		if (onboard) {
			vs->onboard = kvzalloc(VIRT_EXT_BYTES, GFP_KERNEL);
			if (!vs->onboard)
				return -ENOMEM;
		}
	}
	return 0;
}

static int virt_probe(struct platform_device *pdev)
{
	struct omnibus_card *oc;
	struct virt_card *vc;
	struct snd_card *card;
	int i, err;

	err = omnibus_card_new(&virt_core, &pdev->dev, OMNIBUS_BUS_VIRTUAL, -1,
			       sizeof(*vc), &oc);
	if (err < 0)
		goto out;
	vc = container_of(oc, struct virt_card, oc);
	oc->free = virt_free;
	card = oc->card;

	for (i = 0; i < VIRT_PCMS; i++) {
		err = virt_init_wire(&vc->wire[i],
				     virt_pcms[i].buffer == OMNIBUS_BUF_EXTERNAL);
		if (err < 0)
			goto error;
		err = omnibus_pcm_new(oc, &virt_pcms[i], vc, NULL);
		if (err < 0)
			goto error;
	}
	err = omnibus_pcm_proc_init(oc);
	if (err < 0)
		goto error;

	strscpy(card->driver, "Omnibus", sizeof(card->driver));
	strscpy(card->shortname, "Omnibus Virtual", sizeof(card->shortname));
	snprintf(card->longname, sizeof(card->longname),
		 "Omnibus virtual card %d (hrtimer, loopback)", pdev->id);
	err = omnibus_card_register(oc);	/* says why it fails */
	if (err < 0) {
		omnibus_card_free(oc);
		goto out;
	}
	platform_set_drvdata(pdev, oc);
	return 0;

error:
	dev_err(&pdev->dev, "virtual card setup failed: %d\n", err);
	omnibus_card_free(oc);
out:
	/*
	 * The line above (or omnibus_card_new's) said why; the errno goes to
	 * virt_init(), -ENODEV keeps the driver core from logging
	 * a second line.
	 */
	virt_probe_err = err;
	return -ENODEV;
}

static void virt_remove(struct platform_device *pdev)
{
	omnibus_card_free(platform_get_drvdata(pdev));
}

OMNIBUS_DEFINE_PLATFORM_REMOVE(virt_remove)

#ifdef CONFIG_PM_SLEEP
/*
 * The ALSA core has stopped the running streams (their timers with them);
 * the card only says it sleeps, so that ioctls wait until it wakes.
 */
static int virt_suspend(struct device *dev)
{
	struct omnibus_card *oc = dev_get_drvdata(dev);

	snd_power_change_state(oc->card, SNDRV_CTL_POWER_D3hot);
	return 0;
}

static int virt_resume(struct device *dev)
{
	struct omnibus_card *oc = dev_get_drvdata(dev);

	snd_power_change_state(oc->card, SNDRV_CTL_POWER_D0);
	return 0;
}

static SIMPLE_DEV_PM_OPS(virt_pm, virt_suspend, virt_resume);
#define VIRT_PM_OPS	(&virt_pm)
#else
#define VIRT_PM_OPS	NULL
#endif

static struct platform_driver virt_driver = {
	.probe = virt_probe,
	.remove = OMNIBUS_PLATFORM_REMOVE(virt_remove),
	.driver = {
		.name = VIRT_DRIVER,
		.pm = VIRT_PM_OPS,
		/*
		 * virt_init() reads each card's drvdata as soon as its device
		 * is registered, so that a failed card makes the load fail
		 * with its errno: never probe later, whatever async_probe=
		 * or driver_async_probe= ask.
		 */
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

static void virt_teardown(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(virt_devices); i++) {
		platform_device_unregister(virt_devices[i]);
		virt_devices[i] = NULL;
	}
	if (virt_driver_registered)
		platform_driver_unregister(&virt_driver);
	virt_driver_registered = false;
}

static int __init virt_init(void)
{
	struct platform_device *pdev;
	int i, err;

	if (virtual_cards < 0 || virtual_cards > VIRT_MAX_CARDS) {
		pr_err("virtual_cards=%d is out of range 0..%d\n",
		       virtual_cards, VIRT_MAX_CARDS);
		return -EINVAL;
	}
	err = omnibus_card_check_params(&virt_core);
	if (err < 0)
		return err;
	if (!virtual_cards)
		return 0;
	err = platform_driver_register(&virt_driver);
	if (err < 0) {
		pr_err("cannot register the platform driver: %d\n",
		       err);
		return err;
	}
	virt_driver_registered = true;
	for (i = 0; i < virtual_cards; i++) {
		pdev = platform_device_register_simple(VIRT_DRIVER, i, NULL, 0);
		if (IS_ERR(pdev)) {
			pr_err("cannot create virtual device %d: %ld\n",
			       i, PTR_ERR(pdev));
			virt_teardown();
			return PTR_ERR(pdev);
		}
		if (!platform_get_drvdata(pdev)) {
			/* the probe said why */
			err = virt_probe_err ? virt_probe_err : -ENODEV;
			platform_device_unregister(pdev);
			virt_teardown();
			return err;
		}
		virt_devices[i] = pdev;
	}
	return 0;
}

static void __exit virt_exit(void)
{
	virt_teardown();
}

module_init(virt_init);
module_exit(virt_exit);
