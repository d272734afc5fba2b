// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-core, the PCM core: one set of snd_pcm_ops for every chip and bus.
 *
 * Buffers follow the ALSA guide's chapter on memory:
 *  - at PCM construction each substream gets a pre-allocated buffer of the
 *    kind the bus layer picked (snd_pcm_lib_preallocate_pages); if the
 *    full size cannot be had the ALSA core halves it until it can, down to
 *    16 KiB (below that nothing is pre-allocated).  The prealloc proc
 *    file changes that size later (up to prealloc_max);
 *  - hw_params takes the buffer with snd_pcm_lib_malloc_pages(): the
 *    pre-allocated one when it is large enough, a fresh one otherwise (after
 *    "echo 0 > prealloc");
 *  - external buffers live on the device: nothing is allocated, user space
 *    cannot mmap them, and the copy and fill_silence callbacks move the
 *    samples;
 *  - vmalloc'ed buffers are mapped page by page through the .page callback.
 * The chip's own operations do the rest, and its interrupt (or timer)
 * handler moves the pointer with snd_pcm_period_elapsed().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <sound/info.h>
#include <sound/memalloc.h>
#include <sound/pcm_params.h>
#include "omnibus.h"

static const struct omnibus_stream_ops *stream_ops(struct snd_pcm_substream *ss)
{
	struct omnibus_pcm *op = ss->pcm->private_data;

	return op->desc->stream[ss->stream].ops;
}

static bool is_external(struct snd_pcm_substream *ss)
{
	struct omnibus_pcm *op = ss->pcm->private_data;

	return op->dma.buffer == OMNIBUS_BUF_EXTERNAL;
}

static int omnibus_pcm_open(struct snd_pcm_substream *ss)
{
	struct omnibus_pcm *op = ss->pcm->private_data;
	const struct omnibus_stream_ops *ops = stream_ops(ss);

	ss->runtime->hw = *op->desc->stream[ss->stream].hw;
	return ops->open ? ops->open(ss) : 0;
}

static int omnibus_pcm_close(struct snd_pcm_substream *ss)
{
	const struct omnibus_stream_ops *ops = stream_ops(ss);

	if (ops->close)
		ops->close(ss);
	return 0;
}

static int omnibus_pcm_hw_params(struct snd_pcm_substream *ss,
				 struct snd_pcm_hw_params *params)
{
	const struct omnibus_stream_ops *ops = stream_ops(ss);
	size_t bytes = params_buffer_bytes(params);
	int err;

	if (is_external(ss)) {
		/* the samples stay on the device; only the size is ours */
		ss->runtime->dma_bytes = bytes;
	} else {
		err = snd_pcm_lib_malloc_pages(ss, bytes);
		if (err < 0) {
			dev_err(ss->pcm->card->dev,
				"pcmC%dD%d%c: no memory for a %zu-byte buffer (pre-allocated: %zu)\n",
				ss->pcm->card->number, ss->pcm->device,
				ss->stream ? 'c' : 'p', bytes, ss->dma_buffer.bytes);
			return err;
		}
	}
	return ops->hw_params ? ops->hw_params(ss, params) : 0;
}

static int omnibus_pcm_hw_free(struct snd_pcm_substream *ss)
{
	const struct omnibus_stream_ops *ops = stream_ops(ss);

	if (ops->hw_free)
		ops->hw_free(ss);
	if (!is_external(ss))
		return snd_pcm_lib_free_pages(ss);
	return 0;
}

static int omnibus_pcm_prepare(struct snd_pcm_substream *ss)
{
	return stream_ops(ss)->prepare(ss);
}

static int omnibus_pcm_trigger(struct snd_pcm_substream *ss, int cmd)
{
	return stream_ops(ss)->trigger(ss, cmd);
}

static snd_pcm_uframes_t omnibus_pcm_pointer(struct snd_pcm_substream *ss)
{
	return stream_ops(ss)->pointer(ss);
}

/*
 * After a stop, wait until no interrupt (or timer) handler still works on
 * the stream: the chip's own way if it has one, else the card's IRQ (which
 * the ALSA core would do itself, were .sync_stop not set).
 */
static int omnibus_pcm_sync_stop(struct snd_pcm_substream *ss)
{
	const struct omnibus_stream_ops *ops = stream_ops(ss);

	if (ops->sync_stop)
		ops->sync_stop(ss);
	else if (ss->pcm->card->sync_irq > 0)
		synchronize_irq(ss->pcm->card->sync_irq);
	return 0;
}

/* vmalloc'ed buffers: the guide's page callback */
static struct page *omnibus_pcm_vmalloc_page(struct snd_pcm_substream *ss,
					     unsigned long offset)
{
	return vmalloc_to_page(ss->runtime->dma_area + offset);
}

/* external buffers: the samples are copied to and from device memory */
static int omnibus_pcm_silence(struct snd_pcm_substream *ss, int channel,
			       unsigned long pos, unsigned long bytes)
{
	struct snd_pcm_runtime *runtime = ss->runtime;

	return snd_pcm_format_set_silence(runtime->format,
					  stream_ops(ss)->ext_area(ss, pos),
					  bytes_to_samples(runtime, bytes));
}

#ifdef OMNIBUS_PCM_COPY_ITER
static int omnibus_pcm_copy(struct snd_pcm_substream *ss, int channel,
			    unsigned long pos, struct iov_iter *iter,
			    unsigned long bytes)
{
	void *area = stream_ops(ss)->ext_area(ss, pos);
	size_t done;

	if (ss->stream == SNDRV_PCM_STREAM_PLAYBACK)
		done = copy_from_iter(area, bytes, iter);
	else
		done = copy_to_iter(area, bytes, iter);
	return done == bytes ? 0 : -EFAULT;
}
#else
static int omnibus_pcm_copy_user(struct snd_pcm_substream *ss, int channel,
				 unsigned long pos, void __user *buf,
				 unsigned long bytes)
{
	void *area = stream_ops(ss)->ext_area(ss, pos);
	unsigned long left;

	if (ss->stream == SNDRV_PCM_STREAM_PLAYBACK)
		left = copy_from_user(area, buf, bytes);
	else
		left = copy_to_user(buf, area, bytes);
	return left ? -EFAULT : 0;
}

static int omnibus_pcm_copy_kernel(struct snd_pcm_substream *ss, int channel,
				   unsigned long pos, void *buf,
				   unsigned long bytes)
{
	void *area = stream_ops(ss)->ext_area(ss, pos);

	if (ss->stream == SNDRV_PCM_STREAM_PLAYBACK)
		memcpy(area, buf, bytes);
	else
		memcpy(buf, area, bytes);
	return 0;
}
#endif

#define OMNIBUS_PCM_COMMON_OPS				\
	.open = omnibus_pcm_open,			\
	.close = omnibus_pcm_close,			\
	.hw_params = omnibus_pcm_hw_params,		\
	.hw_free = omnibus_pcm_hw_free,			\
	.prepare = omnibus_pcm_prepare,			\
	.trigger = omnibus_pcm_trigger,			\
	.pointer = omnibus_pcm_pointer,			\
	.sync_stop = omnibus_pcm_sync_stop

static const struct snd_pcm_ops omnibus_pcm_ops = {
	OMNIBUS_PCM_COMMON_OPS,
};

static const struct snd_pcm_ops omnibus_pcm_vmalloc_ops = {
	OMNIBUS_PCM_COMMON_OPS,
	.page = omnibus_pcm_vmalloc_page,
};

static const struct snd_pcm_ops omnibus_pcm_external_ops = {
	OMNIBUS_PCM_COMMON_OPS,
#ifdef OMNIBUS_PCM_COPY_ITER
	.copy = omnibus_pcm_copy,
#else
	.copy_user = omnibus_pcm_copy_user,
	.copy_kernel = omnibus_pcm_copy_kernel,
#endif
	.fill_silence = omnibus_pcm_silence,
};

static void omnibus_pcm_private_free(struct snd_pcm *pcm)
{
	kfree(pcm->private_data);
}

int omnibus_pcm_new(struct omnibus_card *oc, const struct omnibus_pcm_desc *desc,
		    void *chip, struct snd_pcm **rpcm)
{
	const struct omnibus_stream_desc *pb = &desc->stream[SNDRV_PCM_STREAM_PLAYBACK];
	const struct omnibus_stream_desc *cap = &desc->stream[SNDRV_PCM_STREAM_CAPTURE];
	const struct snd_pcm_ops *ops;
	struct omnibus_pcm *op;
	struct snd_pcm *pcm;
	int dir, err;

	if (oc->num_pcms >= OMNIBUS_MAX_PCMS)
		return -ENOSPC;
	op = kzalloc(sizeof(*op), GFP_KERNEL);
	if (!op) {
		dev_err(oc->card->dev, "cannot create PCM device %d: %d\n",
			desc->device, -ENOMEM);
		return -ENOMEM;
	}
	err = omnibus_bus_pick(&oc->bus, desc->buffer, &op->dma);
	if (err < 0) {
		kfree(op);
		return err;
	}
	err = snd_pcm_new(oc->card, desc->name, desc->device,
			  pb->substreams, cap->substreams, &pcm);
	if (err < 0) {
		dev_err(oc->card->dev, "cannot create PCM device %d: %d\n",
			desc->device, err);
		kfree(op);
		return err;
	}
	op->oc = oc;
	op->desc = desc;
	op->pcm = pcm;
	op->chip = chip;
	pcm->private_data = op;
	pcm->private_free = omnibus_pcm_private_free;
	pcm->info_flags = 0;
	strscpy(pcm->name, desc->name, sizeof(pcm->name));

	switch (op->dma.buffer) {
	case OMNIBUS_BUF_VMALLOC:
		ops = &omnibus_pcm_vmalloc_ops;
		break;
	case OMNIBUS_BUF_EXTERNAL:
		ops = &omnibus_pcm_external_ops;
		break;
	default:
		ops = &omnibus_pcm_ops;
		break;
	}
	for (dir = 0; dir < 2; dir++) {
		const struct omnibus_stream_desc *sd = &desc->stream[dir];

		if (!sd->substreams)
			continue;
		snd_pcm_set_ops(pcm, dir, ops);
		if (op->dma.buffer == OMNIBUS_BUF_EXTERNAL)
			continue;
		/*
		 * Pre-allocate now, while memory is plentiful; the ALSA core
		 * falls back to smaller sizes when sd->prealloc is not to be
		 * had.  max >= size on every kernel (max 0 means "fixed" on
		 * 6.12+).
		 */
		snd_pcm_lib_preallocate_pages(pcm->streams[dir].substream,
					      op->dma.type, op->dma.dev,
					      sd->prealloc,
					      max(sd->prealloc, sd->prealloc_max));
	}
	oc->pcms[oc->num_pcms++] = op;
	if (rpcm)
		*rpcm = pcm;
	return 0;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_pcm_new);

static void omnibus_buffers_proc_read(struct snd_info_entry *entry,
				      struct snd_info_buffer *buf)
{
	struct omnibus_card *oc = entry->private_data;
	unsigned int i;
	int dir;

	for (i = 0; i < oc->num_pcms; i++) {
		struct omnibus_pcm *op = oc->pcms[i];

		snd_iprintf(buf, "pcm%d '%s': bus %s, buffer %s\n",
			    op->pcm->device, op->pcm->name,
			    omnibus_bus_name(oc->bus.type),
			    omnibus_buffer_name(op->dma.buffer));
		mutex_lock(&op->pcm->open_mutex);
		for (dir = 0; dir < 2; dir++) {
			struct snd_pcm_substream *ss;

			for (ss = op->pcm->streams[dir].substream; ss; ss = ss->next) {
				struct snd_pcm_runtime *rt = ss->runtime;

				snd_iprintf(buf, "  %c%d: preallocated %zu bytes (max %zu)",
					    dir ? 'c' : 'p', ss->number,
					    ss->dma_buffer.bytes, ss->dma_max);
				if (rt && rt->dma_bytes)
					snd_iprintf(buf, ", in use %zu bytes at %pad%s",
						    rt->dma_bytes, &rt->dma_addr,
						    rt->dma_buffer_p == &ss->dma_buffer ?
						    " (pre-allocated)" :
						    rt->dma_area ? " (allocated in hw_params)" :
						    " (on the device)");
				snd_iprintf(buf, "\n");
			}
		}
		mutex_unlock(&op->pcm->open_mutex);
	}
}

int omnibus_pcm_proc_init(struct omnibus_card *oc)
{
	struct snd_info_entry *entry;
	int err;

	err = snd_card_proc_new(oc->card, "buffers", &entry);
	if (err < 0)
		return err;
	/* DMA addresses are for root's eyes only */
	entry->mode = S_IFREG | 0400;
	snd_info_set_text_ops(entry, oc, omnibus_buffers_proc_read);
	return 0;
}
EXPORT_SYMBOL_OMNIBUS(omnibus_pcm_proc_init);

int omnibus_pcm_refine_rate(struct snd_pcm_hw_params *params,
			    unsigned int rate)
{
	struct snd_interval t;

	if (!rate)
		return 0;
	snd_interval_any(&t);
	t.min = rate;
	t.max = rate;
	t.integer = 1;
	return snd_interval_refine(hw_param_interval(params,
						     SNDRV_PCM_HW_PARAM_RATE),
				   &t);
}
EXPORT_SYMBOL_OMNIBUS(omnibus_pcm_refine_rate);
