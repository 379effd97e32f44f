"""A variant's paired effect pooled over several seed sets, per block.

Reads ``tune_autoal.py --out`` files (any number, e.g. tuning seeds
100-111 and fresh seeds 200-211) and, for each block, pairs ``--variant``
with ``--reference`` on every seed both hold: the mean difference in AUBC,
its 95% paired-bootstrap CI, the wins and the Wilcoxon signed-rank p. Then
the same over the blocks' mean (per seed position, blocks with the same
seeds only), so a change is judged on all blocks together, not on the one
block where it looks best::

    python benchmarks/pooled_effect.py \\
        docs/_static/results/tuning/fisher_label.json \\
        docs/_static/results/tuning/fisher_label_fresh.json \\
        --reference expected --variant predicted
"""

import argparse
import json

import numpy as np
from scipy import stats


def paired(diffs, n_boot=10000, seed=0):
    """Mean, 95% bootstrap CI, wins and Wilcoxon p of paired differences."""
    diffs = np.asarray(diffs, dtype=float)
    rng = np.random.RandomState(seed)
    means = diffs[rng.randint(len(diffs), size=(n_boot, len(diffs)))].mean(1)
    low, high = np.percentile(means, [2.5, 97.5])
    p = stats.wilcoxon(diffs).pvalue if np.any(diffs != 0) else 1.0
    return diffs.mean(), low, high, int((diffs > 0).sum()), float(p)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--reference", required=True)
    parser.add_argument("--variant", required=True)
    parser.add_argument("--blocks", help="comma list (default: every block)")
    args = parser.parse_args(argv)
    runs = {}
    for path in args.files:
        with open(path) as f:
            for block, name, seed, value in json.load(f):
                if value is not None:
                    runs.setdefault((block, name), {})[seed] = value
    blocks = sorted({block for block, _ in runs}, key=str)
    if args.blocks:
        blocks = [b for b in args.blocks.split(",") if b]
    print("| block | seeds | mean diff | 95% CI | wins | Wilcoxon p |")
    print("|---|---|---|---|---|---|")
    per_block = {}
    for block in blocks:
        ref = runs.get((block, args.reference), {})
        var = runs.get((block, args.variant), {})
        seeds = sorted(set(ref) & set(var))
        if len(seeds) < 2:
            continue
        d = [var[s] - ref[s] for s in seeds]
        per_block[block] = dict(zip(seeds, d, strict=True))
        mean, low, high, wins, p = paired(d)
        print(
            f"| {block} | {len(seeds)} | {mean:+.4f} | [{low:+.4f}, {high:+.4f}] "
            f"| {wins}/{len(seeds)} | {p:.3g} |"
        )
    if len(per_block) > 1:
        common = sorted(set.intersection(*(set(d) for d in per_block.values())))
        if len(common) > 1:
            mean_d = [np.mean([d[s] for d in per_block.values()]) for s in common]
            mean, low, high, wins, p = paired(mean_d)
            print(
                f"| mean of {len(per_block)} | {len(common)} | {mean:+.4f} | "
                f"[{low:+.4f}, {high:+.4f}] | {wins}/{len(common)} | {p:.3g} |"
            )


if __name__ == "__main__":
    main()
