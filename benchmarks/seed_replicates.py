"""AutoAL against the best single candidate, per replicate of a suite's seeds.

Issue 9's non-inferiority criterion reads the lower 95% paired-bootstrap
bound of AUBC(autoal) - AUBC(best candidate) from 12 seeds. A suite folder
run with more seeds (``--seeds 36``) holds independent 12-seed replicates
(seeds 0-11, 12-23, 24-35); this prints the criterion for each replicate and
for all seeds pooled, so one sees how much the verdict moves by chance::

    python benchmarks/seed_replicates.py suite_x36 [--size 12]

The best candidate is chosen within each replicate (as the criterion does)
and for the pooled seeds. ``--versus uniform`` prints criterion 3's
comparison instead: AutoAL minus that method, with the paired-bootstrap CI
and the two-sided Wilcoxon p of each replicate and of all seeds::

    python benchmarks/seed_replicates.py suite_v64 --versus uniform
"""

import argparse
import os


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--size", type=int, default=12, help="seeds per replicate")
    parser.add_argument("--reference", default="autoal")
    parser.add_argument("--versus", help="one method instead of the best candidate")
    args = parser.parse_args(argv)
    from skautoal.suite import best_candidate_gaps, read_runs

    runs = read_runs(os.path.join(args.folder, "runs.jsonl"))
    seeds = sorted({r["seed"] for r in runs})
    groups = [
        seeds[i : i + args.size]
        for i in range(0, len(seeds) - args.size + 1, args.size)
    ]
    if groups != [seeds]:  # all seeds pooled, unless that is the one replicate
        groups.append(seeds)
    if args.versus:
        return _versus(runs, groups, args.reference, args.versus)
    print(
        f"| block | seeds | best candidate | {args.reference} minus best | 95% CI "
        "| bound > -0.005 |"
    )
    print("|---|---|---|---|---|---|")
    blocks = list(dict.fromkeys(r["block"] for r in runs))
    for block in blocks:
        for group in groups:
            chosen = set(group)
            subset = [r for r in runs if r["block"] == block and r["seed"] in chosen]
            for gap in best_candidate_gaps(subset, reference=args.reference):
                verdict = "yes" if gap["low"] > -0.005 else "no"
                print(
                    f"| {block} | {group[0]}-{group[-1]} ({len(group)}) | "
                    f"{gap['best']} | {gap['diff']:+.4f} | "
                    f"[{gap['low']:+.4f}, {gap['high']:+.4f}] | {verdict} |"
                )


def _versus(runs, groups, reference, other):
    import numpy as np

    from skautoal.suite import paired_bootstrap_ci, wilcoxon_p

    aubc = {(r["block"], r["method"], r["seed"]): r["aubc"] for r in runs}
    print(f"| block | seeds | {reference} minus {other} | 95% CI | wins | Wilcoxon p |")
    print("|---|---|---|---|---|---|")
    for block in dict.fromkeys(r["block"] for r in runs):
        for group in groups:
            pairs = [s for s in group if (block, reference, s) in aubc]
            pairs = [s for s in pairs if (block, other, s) in aubc]
            if len(pairs) < len(group):
                print(f"| {block} | {group[0]}-{group[-1]} | missing runs | | | |")
                continue
            d = np.array(
                [aubc[block, reference, s] - aubc[block, other, s] for s in pairs]
            )
            low, high = paired_bootstrap_ci(d)
            print(
                f"| {block} | {group[0]}-{group[-1]} ({len(group)}) | "
                f"{d.mean():+.4f} | [{low:+.4f}, {high:+.4f}] | "
                f"{(d > 0).sum()}/{len(d)} | {wilcoxon_p(d):.3g} |"
            )


if __name__ == "__main__":
    main()
