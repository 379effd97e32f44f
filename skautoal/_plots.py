"""Plots of the suite and the benchmark: one distinct colour per method."""

import numpy as np


def method_colours(methods):
    """A distinct colour per method (tab20 holds 20), AutoAL in black."""
    colours20 = palette("tab20")
    others = [m for m in methods if m != "autoal"]
    colours = {m: colours20[i % len(colours20)] for i, m in enumerate(others)}
    colours["autoal"] = (0.0, 0.0, 0.0)
    return colours


MARKERS = "os^vDPX*h<>pd8H+x"


def method_markers(methods):
    """A distinct marker per method (16 before they repeat), AutoAL a dot."""
    others = [m for m in methods if m != "autoal"]
    markers = {m: MARKERS[i % len(MARKERS)] for i, m in enumerate(others)}
    markers["autoal"] = "o"
    return markers


def figure(*grid, **subplots):
    """A figure and its axes, without pyplot: no global state, no backend
    switch (library code must not call ``matplotlib.use``), and nothing to
    close; ``figsize`` goes to the figure, the rest (``nrows, ncols``, ...)
    to ``subplots``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=subplots.pop("figsize", None))
    return fig, fig.subplots(*grid, **subplots)


def palette(name="tab10"):
    """The colours of a qualitative matplotlib colormap."""
    import matplotlib

    return matplotlib.colormaps[name].colors


def count_ticks(ax):
    """Whole numbers on the x axis (a number of labels: no 12.5)."""
    from matplotlib.ticker import MaxNLocator

    # matplotlib's automatic ticks (AutoLocator's steps), whole numbers only.
    ax.xaxis.set_major_locator(
        MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True)
    )


def plot_suite_curves(runs, block, path, highlight="autoal", order=None):
    """Mean test accuracy against labels, one line per method.

    ``order`` lists every method of the suite: each keeps its colour, marker
    and legend place in every block's plot. By default, the block's methods
    in the order of ``runs``.
    """
    present = {r["method"] for r in runs}
    if order is None:
        order = list(dict.fromkeys(r["method"] for r in runs))
    colours = method_colours(order)
    markers = method_markers(order)
    methods = [m for m in order if m in present]
    fig, ax = figure(figsize=(8, 5))
    for m in methods:
        rs = [r for r in runs if r["method"] == m]
        n = np.array(rs[0]["n_labeled"])
        scores = np.array([r["scores"] for r in rs])
        mean_aubc = np.mean([r["aubc"] for r in rs])
        style = dict(lw=2.6, zorder=5) if m == highlight else dict(lw=1.1)
        linestyle = "--" if m in ("random", "uniform") else "-"
        ax.plot(
            n,
            scores.mean(0),
            linestyle,
            color=colours[m],
            marker=markers[m],
            markersize=4,
            label=f"{m} ({mean_aubc:.4f})",
            **style,
        )
    n_seeds = len({r["seed"] for r in runs})
    ax.set(
        xlabel="labelled samples",
        ylabel="test accuracy",
        title=f"{block}: mean over {n_seeds} paired seeds (legend: AUBC)",
    )
    count_ticks(ax)
    ax.legend(ncol=2, fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return fig


def plot_critical_difference(overall, path):
    """A critical-difference diagram (Demšar 2006): methods on the mean-rank
    axis; methods joined by a bar do not differ by the Nemenyi test."""
    ranks = np.asarray(overall["mean_rank"])
    names = overall["methods"]
    order = np.argsort(ranks)
    k, cd = len(names), overall["cd"]
    half = (k + 1) // 2
    height = 1.2 + 0.28 * half
    fig, ax = figure(figsize=(9, height))
    ax.set_xlim(0.5, k + 0.5)
    ax.set_ylim(-height, 0.6)
    ax.axhline(0, color="k", lw=1)
    for r in range(1, k + 1):
        ax.plot([r, r], [0, 0.08], color="k", lw=0.8)
        ax.text(r, 0.15, str(r), ha="center", fontsize=8)
    for i, j in enumerate(order):
        left = i < half
        y = -0.35 - 0.28 * (i if left else k - 1 - i)
        x_text = 0.6 if left else k + 0.4
        ax.plot([ranks[j], ranks[j], x_text], [0, y, y], color="0.3", lw=0.8)
        weight = "bold" if names[j] == "autoal" else "normal"
        ax.text(
            x_text,
            y,
            f" {names[j]} ({ranks[j]:.2f}) ",
            ha="left" if left else "right",
            va="center",
            fontsize=8,
            fontweight=weight,
            backgroundcolor="white",
        )
    # Cliques: maximal runs of methods within one CD of each other.
    sorted_ranks = ranks[order]
    cliques, level = [], 0
    for i in range(k):
        j = i
        while j + 1 < k and sorted_ranks[j + 1] - sorted_ranks[i] < cd:
            j += 1
        if j > i and not any(a <= i and j <= b for a, b in cliques):
            cliques.append((i, j))
    for a, b in cliques:
        y = -0.12 - 0.07 * level
        ax.plot(
            [sorted_ranks[a] - 0.03, sorted_ranks[b] + 0.03],
            [y, y],
            color="tab:red",
            lw=2.5,
        )
        level += 1
    ax.plot([1, 1 + cd], [0.45, 0.45], color="k", lw=2)
    ax.text(1 + cd / 2, 0.5, f"CD = {cd:.2f}", ha="center", fontsize=8)
    ax.set_axis_off()
    ax.set_title(
        f"Mean rank over {overall['n_blocks']} blocks (Friedman p = "
        f"{overall['friedman_p']:.2g})",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def plot_strategy_shares(runs, path, method="autoal"):
    """One panel per block: ``method``'s smoothed strategy shares against
    labels, mean over seeds."""
    blocks = list(dict.fromkeys(r["block"] for r in runs if r["method"] == method))
    if not blocks:
        return
    n_cols = min(4, len(blocks))
    n_rows = -(-len(blocks) // n_cols)
    fig, axes = figure(
        n_rows, n_cols, figsize=(3.6 * n_cols, 2.7 * n_rows), squeeze=False
    )
    colours10 = palette("tab10")
    for ax, block in zip(axes.flat, blocks, strict=False):
        rs = [r for r in runs if r["method"] == method and r["block"] == block]
        names = list(rs[0]["strategy_weights"][0])
        n = np.array(rs[0]["n_labeled"])
        for name, colour in zip(names, colours10, strict=False):
            values = np.array(
                [[w.get(name, np.nan) for w in r["strategy_weights"]] for r in rs]
            )
            ax.plot(n, np.nanmean(values, 0), marker=".", color=colour, label=name)
        ax.set_title(block, fontsize=9)
        ax.set_ylim(0, None)
        count_ticks(ax)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(blocks) :]:
        ax.set_axis_off()
    axes.flat[0].legend(fontsize=6)
    fig.supxlabel("labelled samples", fontsize=9)
    fig.supylabel("share of the batch proposed", fontsize=9)
    fig.suptitle(f"{method}: strategy shares per round, mean over seeds", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def share_total_variation(runs, method="autoal"):
    """Per block: the mean total-variation distance between consecutive
    rounds' shares, and its maximum over rounds and seeds."""
    out = {}
    for block in dict.fromkeys(r["block"] for r in runs if r["method"] == method):
        steps = []
        for r in runs:
            if r["method"] != method or r["block"] != block:
                continue
            weights = r["strategy_weights"]
            for a, b in zip(weights[:-1], weights[1:], strict=True):
                if a and b:
                    steps.append(0.5 * sum(abs(a[k] - b[k]) for k in a))
        if steps:
            out[block] = (float(np.mean(steps)), float(np.max(steps)))
    return out
