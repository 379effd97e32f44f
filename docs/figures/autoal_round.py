"""Draw docs/_static/autoal_round.png: the data flow of one AutoAL round.

python docs/figures/autoal_round.py
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

BOXES = {
    "pool": (0.02, 0.78, "unlabelled pool\nX_U"),
    "labelled": (0.02, 0.30, "labelled set\nX_L (no labels used)"),
    "forward": (
        0.25,
        0.78,
        "task model: one forward pass\nper chunk: probabilities,\nembeddings, MC-dropout passes",  # noqa: E501
    ),
    "candidates": (
        0.52,
        0.78,
        "candidates propose their top b\nMargin, Entropy, BALD,\nVarRatio, CoreSet, BADGE",  # noqa: E501
    ),
    "union": (0.79, 0.78, "union of proposals\nU_cand (2-5 b samples)"),
    "stats": (
        0.25,
        0.30,
        "Fisher statistics\nM = lam I + sum_L F_x\nF_U = mean F_x on a pool sample\n(embeddings PCA-whitened)",  # noqa: E501
    ),
    "value": (
        0.52,
        0.30,
        "batch value\nV(B) = tr(M^-1 F_U)\n - tr((M + sum_B F_j)^-1 F_U)",
    ),
    "optimiser": (
        0.79,
        0.30,
        "optimiser on U_cand\ngreedy (Woodbury) or\ngradient (soft_top_k, Adam)",
    ),
    "guard": (
        0.79,
        0.02,
        "guard: a candidate's own\nbatch if its V is larger\n-> batch + strategy shares",  # noqa: E501
    ),
}
ARROWS = [
    ("pool", "forward"),
    ("forward", "candidates"),
    ("candidates", "union"),
    ("labelled", "stats"),
    ("forward", "stats"),
    ("stats", "value"),
    ("union", "optimiser"),
    ("value", "optimiser"),
    ("optimiser", "guard"),
]
W, H = 0.19, 0.17


def centre(name):
    x, y, _ = BOXES[name]
    return x + W / 2, y + H / 2


def main(path=None):
    path = path or os.path.join(
        os.path.dirname(__file__), "..", "_static", "autoal_round.png"
    )
    fig, ax = plt.subplots(figsize=(11, 4.6))
    ax.set_axis_off()
    for name, (x, y, text) in BOXES.items():
        colour = "#fde7c8" if name in ("value", "optimiser", "guard") else "#dbe9f6"
        ax.add_patch(
            FancyBboxPatch((x, y), W, H, boxstyle="round,pad=0.01", fc=colour, ec="0.3")
        )
        ax.text(x + W / 2, y + H / 2, text, ha="center", va="center", fontsize=8)
    for a, b in ARROWS:
        (x0, y0), (x1, y1) = centre(a), centre(b)
        if abs(y0 - y1) < 1e-6:
            start, end = (x0 + W / 2, y0), (x1 - W / 2, y1)
        else:
            start, end = (
                (x0, y0 - H / 2 if y0 > y1 else y0 + H / 2),
                (x1, y1 + H / 2 if y0 > y1 else y1 - H / 2),
            )
        ax.add_patch(
            FancyArrowPatch(
                start, end, arrowstyle="-|>", mutation_scale=12, color="0.25"
            )
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(
        'One AutoAL round (search="fisher"): the candidates propose, '
        "a label-free batch value decides",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
