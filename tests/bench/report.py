#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/bench/report.py OUT PLOTS DEVICE... - the table and plots of make bench.

Reads OUT/DEVICE/results.txt (lines of key=value words written by
tests/bench/guest.sh), OUT/DEVICE/host.txt and OUT/ko-sizes.txt; prints
the table (Markdown) and writes it to OUT/table.md; draws PNG plots into
PLOTS.  Every figure is the median of the runs; the ratio is ours /
in-tree.  Lower is better for every figure but the ones compared with an
ideal (interrupts per second, granularity), where the ideal is the bar.
"""
import os
import statistics
import sys

PAIRS = {
    "es1370": ("ES1370", [("omnibus", "snd-ens1370")]),
    "ich": ("ICH AC'97", [("omnibus", "snd-intel8x0")]),
    "sb16": ("SB16 (686)", [("omnibus", "snd-sb16")]),
    "wss": ("WSS CS4231A (686)", [("omnibus", "snd-cs4231")]),
    "virtual": ("virtual", [("omnibus", "snd-dummy"), ("omnibus", "snd-dummy-fake_buffer=0"),
                            ("omnibus", "snd-aloop")]),
}


def parse(path):
    rows = []
    if not os.path.exists(path):
        return rows
    for line in open(path, errors="replace"):
        d = {}
        for w in line.split():
            if "=" in w:
                k, v = w.split("=", 1)
                d[k] = v
        if d:
            rows.append(d)
    return rows


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def figures(rows, drv):
    """The figures of one driver, each the median of its runs."""
    f = {}
    play = [r for r in rows if r.get("driver") == drv and r.get("kind") == "play"
            and "played" in r]
    poll = [r for r in rows if r.get("driver") == drv and r.get("kind") == "poll"
            and "steps" in r]
    cost = [r for r in rows if r.get("driver") == drv and r.get("kind") == "cost"
            and "spins_play" in r]
    mem = [r for r in rows if r.get("driver") == drv and r.get("kind") == "mem"]
    small = [r for r in rows if r.get("driver") == drv and r.get("kind") == "smallest"]
    err = [r for r in rows if r.get("driver") == drv and "error" in r]
    if err:
        f["error"] = err[0]["error"]
    if play:
        rate = num(play[0]["rate"])
        period = num(play[0]["period"])
        f["rate"] = rate
        f["period"] = period
        f["ideal_irq_s"] = rate / period

        def per_s(key):
            out = []
            for r in play:
                secs = num(r["played"]) / rate
                out.append(num(r[key]) / secs if secs > 0 else None)
            return out
        virtual = play[0].get("irq") == "-" or mem and mem[0].get("irq") == "-"
        f["irq_s"] = med(per_s("cb" if virtual else "irqs"))
        f["irq_kind"] = "timer callbacks" if virtual else "IRQs"
        f["pe_s"] = med(per_s("pe"))
        # the CPU time by the kernel's idle accounting (a 686 kernel
        # without NO_HZ samples it with the 10 ms tick)
        cpu = []
        for r in play:
            secs = num(r["played"]) / rate
            busy = num(r["elapsed_ns"]) / 1e9 - num(r["idle_s"])
            cpu.append(max(busy, 0.0) / secs * 1000 if secs > 0 else None)
        f["idle_cpu_ms_s"] = med(cpu)
        f["self_ms_s"] = med([num(r["self_cpu_s"]) * 1000 / (num(r["played"]) / rate)
                              for r in play if num(r["played"])])
        lat = [num(r.get("start_latency_ns")) for r in play]
        f["latency_ms"] = med([v / 1e6 for v in lat if v is not None and v >= 0])
        f["ideal_latency_ms"] = period / rate * 1000
        f["xruns_play"] = sum(int(r.get("xruns", "0")) for r in play)
    if cost:
        # the share of the spinner's rate (prepared stream, before START)
        # that it lost while the stream played, per second of audio
        out = []
        for r in cost:
            base = num(r["spins_base"]) / num(r["base_ns"])
            during = num(r["spins_play"]) / num(r["elapsed_ns"])
            secs = num(r["played"]) / num(r["rate"])
            if base > 0 and secs > 0:
                out.append((1 - during / base) * num(r["elapsed_ns"]) / 1e6 / secs)
        f["cpu_ms_s"] = med(out)
        f["cpu_runs"] = " ".join("%.3f" % v for v in out)
    if poll:
        f["gran"] = med([num(r["step_gcd"]) for r in poll])
        f["step_min"] = med([num(r["step_min"]) for r in poll])
        f["step_median"] = med([num(r["step_median"]) for r in poll])
    if small:
        vals = [num(r["period"]) for r in small]
        f["smallest"] = med([v for v in vals if v is not None])
        f["smallest_runs"] = " ".join(r["period"] for r in small)
    if mem:
        m = mem[0]
        # no prealloc file: the driver pre-allocates nothing (snd-dummy's
        # fake buffer, snd-aloop's vmalloc'ed one made in hw_params)
        f["prealloc"] = (num(m.get("prealloc_kb")) or 0) * 1024
        f["dma_zone"] = num(m.get("dma_zone_bytes"))
        f["module"] = num(m.get("module_bytes"))
    f["modules"] = " ".join(sorted(r["name"] for r in rows if r.get("driver") == drv
                                   and r.get("kind") == "module"))
    return f


# (key, label, unit, how the bar reads: "low" = lower is better,
#  "ideal:KEY" = equal to the ideal in KEY, "one" = 1 frame)
FIGS = [
    ("smallest", "smallest period without xrun, CPU hog on", "frames", "low"),
    ("irq_s", "interrupts per second of audio", "1/s", "ideal:ideal_irq_s"),
    ("pe_s", "period events per second (snd_pcm_period_elapsed)", "1/s", "ideal:ideal_irq_s"),
    ("cpu_ms_s", "guest CPU time per second of audio (an idle spinner's loss)", "ms/s", "low"),
    ("idle_cpu_ms_s", "guest CPU time per second of audio (idle accounting)", "ms/s", "info"),
    ("step_min", "pointer granularity: smallest polled step", "frames", "low"),
    ("gran", "gcd of all polled steps", "frames", "info"),
    ("latency_ms", "start latency, START to first period event", "ms", "low"),
    ("prealloc", "bytes pre-allocated per substream", "bytes", "low"),
    ("dma_zone", "ZONE_DMA bytes held after loading", "bytes", "low"),
    ("module", "module memory added by loading (/proc/modules)", "bytes", "low"),
]


def fmt(v, unit=""):
    if v is None:
        return "-"
    if unit == "bytes" or unit == "frames":
        return "%d" % v
    if abs(v) >= 100:
        return "%.1f" % v
    return "%.3g" % v


def verdict(key, how, ours, theirs, fo, ft):
    if ours is None or theirs is None:
        return ""
    if how == "low":
        if ours <= theirs * 1.05 or ours - theirs <= 0:
            return "ok"
        return "WORSE"
    if how.startswith("ideal:"):
        ideal = fo.get(how.split(":")[1])
        if ideal is None:
            return ""
        dev_o = abs(ours - ideal) / ideal
        dev_t = abs(theirs - ideal) / ideal
        if dev_o <= 0.02:
            return "ok (ideal %.2f)" % ideal
        if dev_o <= dev_t:
            return "off ideal %.2f (as in-tree)" % ideal
        return "WORSE (ideal %.2f)" % ideal
    if how == "one":
        if ours <= 1:
            return "ok (hw limit)"
        return "WORSE" if ours > theirs else "above 1 (as in-tree)"
    return ""


def main():
    out, plots, devices = sys.argv[1], sys.argv[2], sys.argv[3:]
    kos = {r["ko"]: r for r in parse(os.path.join(out, "ko-sizes.txt"))}
    lines = []
    cols = []   # for the plots: (label, figs ours, figs theirs)
    p = lines.append
    p("| device | figure | snd-omnibus | in-tree | in-tree driver | ours/in-tree | bar |")
    p("|---|---|---|---|---|---|---|")
    setup = {}
    for dev in devices:
        if dev not in PAIRS:
            continue
        rows = parse(os.path.join(out, dev, "results.txt"))
        for r in rows:
            if r.get("kind") == "setup":
                setup.update({"%s.%s" % (dev, k): v for k, v in r.items()})
        host = parse(os.path.join(out, dev, "host.txt"))
        if host:
            setup.update({"%s.%s" % (dev, k): v for k, v in host[0].items()})
        title, pairs = PAIRS[dev]
        for ours, theirs in pairs:
            fo, ft = figures(rows, ours), figures(rows, theirs)
            cols.append(("%s vs %s" % (title.split(" (")[0],
                                        theirs.replace("snd-", "").replace("fake_buffer", "fb")),
                         fo, ft))
            for name, f in ((ours, fo), (theirs, ft)):
                if "error" in f:
                    p("| %s | ERROR | %s: %s | | | | |" % (title, name, f["error"]))
            for key, label, unit, how in FIGS:
                vo, vt = fo.get(key), ft.get(key)
                if vo is None and vt is None:
                    continue
                ratio = "%.2f" % (vo / vt) if vo is not None and vt else "-"
                p("| %s | %s (%s) | %s | %s | %s | %s | %s |" % (
                    title, label, unit, fmt(vo, unit), fmt(vt, unit), theirs,
                    ratio, verdict(key, how, vo, vt, fo, ft)))
    p("")
    p("Module files (`size`, text / data / bss bytes):")
    p("")
    p("| module | text | data | bss |")
    p("|---|---|---|---|")
    for k, r in kos.items():
        p("| %s | %s | %s | %s |" % (k, r["text"], r["data"], r["bss"]))
    p("")
    p("Modules each driver loaded besides snd, snd-pcm and snd-timer:")
    p("")
    seen = set()
    for dev in devices:
        rows = parse(os.path.join(out, dev, "results.txt"))
        for drv in dict.fromkeys(r.get("driver") for r in rows if r.get("kind") == "module"):
            if (dev, drv) in seen:
                continue
            seen.add((dev, drv))
            mods = ["%s %s" % (r["name"], r["size"]) for r in rows
                    if r.get("driver") == drv and r.get("kind") == "module"]
            p("- %s, %s: %s" % (dev, drv, ", ".join(mods)))
    p("")
    for dev in devices:
        keys = ["kernel", "timer_period_us", "icount", "seconds_xrun",
                "seconds_xrun_search", "host_load_before",
                "host_load_after", "wall_s"]
        p("- %s: %s" % (dev, ", ".join("%s=%s" % (k, setup.get("%s.%s" % (dev, k), "?"))
                                       for k in keys)))
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out, "table.md"), "w") as fh:
        fh.write(text + "\n")
    draw(plots, cols)


def draw(plots, cols):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: no matplotlib (apt-get install python3-matplotlib): no plots")
        return
    os.makedirs(plots, exist_ok=True)
    panels = [
        ("smallest", "smallest period without xrun\n(CPU hog on, 2 periods; lower is better)", "frames"),
        ("irq_norm", "interrupts per second / ideal\n(rate / period; 1 is the bar)", "ratio"),
        ("cpu_ms_s", "guest CPU per second of audio\n(lower is better)", "ms / s"),
        ("step_min", "pointer granularity: smallest polled step\n(QEMU moves rate x timer-period per tick)", "frames"),
        ("latency_ms", "start latency: START to first period\n(lower is better)", "ms"),
        ("prealloc_kib", "pre-allocated per substream\n(lower is better)", "KiB"),
        ("dma_kib", "ZONE_DMA held by the card\n(lower is better)", "KiB"),
        ("module_kib", "module memory loading added\n(/proc/modules; lower is better)", "KiB"),
    ]
    for label, fo, ft in cols:
        for f in (fo, ft):
            if f.get("irq_s") is not None and f.get("ideal_irq_s"):
                f["irq_norm"] = f["irq_s"] / f["ideal_irq_s"]
            for k in ("prealloc", "dma", "module"):
                v = f.get("dma_zone" if k == "dma" else k)
                if v is not None:
                    f[k + "_kib"] = v / 1024
    fig, axes = plt.subplots(2, 4, figsize=(16, 7.5), dpi=72)
    x = range(len(cols))
    w = 0.38
    for ax, (key, title, unit) in zip(axes.flat, panels):
        vo = [c[1].get(key) or 0 for c in cols]
        vt = [c[2].get(key) or 0 for c in cols]
        ax.bar([i - w / 2 for i in x], vo, w, label="snd-omnibus", color="#3070b0")
        ax.bar([i + w / 2 for i in x], vt, w, label="in-tree", color="#c08030")
        if key == "irq_norm":
            ax.axhline(1.0, color="k", lw=0.8, ls="--")
        ax.set_ylim(bottom=0, top=max(vo + vt + [1]) * 1.1)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xticks(list(x))
        ax.set_xticklabels([c[0] for c in cols], fontsize=7, rotation=30, ha="right")
        ax.tick_params(axis="y", labelsize=7)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("snd-omnibus vs in-tree drivers under QEMU (medians)", fontsize=11)
    fig.tight_layout()
    path = os.path.join(plots, "bench.png")
    fig.savefig(path)
    print("plot: %s" % path)


if __name__ == "__main__":
    main()
