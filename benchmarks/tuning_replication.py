"""Do effects found on the tuning seeds replicate on fresh seeds?

For every (block, variant) that a tuning file and a fresh-seed file (both
``tune_autoal.py --out`` files, each holding the default ``autoal`` on its
seeds) have in common, prints the mean paired difference to ``autoal`` on
each seed set, then the Spearman correlation of the two over all pairs::

    python benchmarks/tuning_replication.py \\
        --tuning docs/_static/results/tuning/handover.json \\
        --tuning docs/_static/results/tuning/fisher_dim_reg.json \\
        --fresh docs/_static/results/tuning/handover_fresh.json \\
        --fresh docs/_static/results/tuning/fisher_dim_reg_fresh.json
"""

import argparse
import json

import numpy as np


def _effects(paths):
    runs = {}
    for path in paths:
        with open(path) as f:
            for block, name, seed, value in json.load(f):
                runs.setdefault((block, name), {})[seed] = value
    return {
        (block, name): np.mean([v - runs[block, "autoal"][s] for s, v in seeds.items()])
        for (block, name), seeds in runs.items()
        if name != "autoal" and (block, "autoal") in runs
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuning", action="append", required=True)
    parser.add_argument("--fresh", action="append", required=True)
    args = parser.parse_args(argv)
    from scipy.stats import spearmanr

    tuning, fresh = _effects(args.tuning), _effects(args.fresh)
    pairs = sorted(set(tuning) & set(fresh))
    if len(pairs) < 3:
        parser.error(f"only {len(pairs)} (block, variant) pairs in both sets")
    print("| block | variant | tuning | fresh |\n|---|---|---|---|")
    for block, name in pairs:
        t, f = tuning[block, name], fresh[block, name]
        print(f"| {block} | {name} | {t:+.4f} | {f:+.4f} |")
    x = [tuning[p] for p in pairs]
    y = [fresh[p] for p in pairs]
    result = spearmanr(x, y)
    print(
        f"\n{len(pairs)} pairs: mean {np.mean(x):+.4f} (tuning), {np.mean(y):+.4f} "
        f"(fresh); Spearman {result.statistic:.2f} (p {result.pvalue:.2f})"
    )


if __name__ == "__main__":
    main()
