// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus-core: what the PCI backends share.
 *
 * The modules give udev no PCI ids, so the in-tree drivers keep their
 * chips unless the user asks otherwise (modprobe/snd-omnibus.conf); a
 * chip another driver holds is named in the kernel log at load time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/pci.h>
#include "omnibus.h"

/*
 * Says so, one line per device, when a PCI device that @pdrv, @drv's PCI
 * driver, could drive is bound to another driver (an in-tree one loaded
 * first).
 */
void omnibus_pci_report_foreign(const struct omnibus_driver *drv,
				struct pci_driver *pdrv, const char *chip)
{
	struct pci_dev *pdev = NULL;
	const char *owner;

	for_each_pci_dev(pdev) {
		if (!pci_match_id(pdrv->id_table, pdev))
			continue;
		device_lock(&pdev->dev);
		owner = pdev->dev.driver && pdev->dev.driver != &pdrv->driver ?
			pdev->dev.driver->name : NULL;
		if (owner)
			dev_notice(&pdev->dev,
				   "%s is driven by %s, not %s; unbind or unload %s to use %s\n",
				   chip, owner, drv->name, owner, drv->name);
		device_unlock(&pdev->dev);
	}
}
EXPORT_SYMBOL_OMNIBUS(omnibus_pci_report_foreign);
