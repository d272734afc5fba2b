// SPDX-License-Identifier: GPL-2.0
/*
 * snd-omnibus: what the PCI backends (snd-omnibus-es1370, snd-omnibus-ich)
 * share.  Compiled into each of them by its *_core.c wrapper, which
 * defines OMNIBUS_MODULE.
 *
 * The modules give udev no PCI ids, so the in-tree drivers keep their
 * chips unless the user asks otherwise (modprobe/snd-omnibus.conf); a
 * chip another driver holds is named in the kernel log at load time.
 */
#include <linux/device.h>
#include <linux/pci.h>
#include "omnibus.h"

#ifndef OMNIBUS_MODULE
#error "pci.c is compiled through a module's *_core.c, which names the module"
#endif

/*
 * Says so, one line per device, when a PCI device that @drv could drive is
 * bound to another driver (an in-tree one loaded first).
 */
void omnibus_pci_report_foreign(struct pci_driver *drv, const char *chip)
{
	struct pci_dev *pdev = NULL;
	const char *owner;

	for_each_pci_dev(pdev) {
		if (!pci_match_id(drv->id_table, pdev))
			continue;
		device_lock(&pdev->dev);
		owner = pdev->dev.driver && pdev->dev.driver != &drv->driver ?
			pdev->dev.driver->name : NULL;
		if (owner)
			dev_notice(&pdev->dev,
				   "%s is driven by %s, not %s; unbind or unload %s to use %s\n",
				   chip, owner, OMNIBUS_MODULE, owner, OMNIBUS_MODULE);
		device_unlock(&pdev->dev);
	}
}
