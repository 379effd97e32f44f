"""One method against others, block by block and over all block-seeds.

The suite's ``stats.md`` compares AutoAL with every method per block. This
asks a narrower question of a suite folder, such as "greedy or gradient?"
or "is it just BAIT?": for each other method, per block, the mean paired
difference in AUBC (other minus reference), its 95% paired-bootstrap CI,
the seeds where the other is ahead, the Wilcoxon p (not corrected) and the
mean query seconds per round; then the same over all block-seeds pooled::

    python benchmarks/compare_methods.py suite_results \\
        --reference autoal --methods autoal-gradient,bait

``best-candidate`` as a method stands for the best single AutoAL candidate
of each block (highest block mean, as issue 9's criterion 2 picks it), so
the pooled line is criterion 2 over all block-seeds at once.

``--by-round`` asks where in the budget a difference arises: per block, the
mean paired difference in test accuracy after each round, and over the
first and the second half of the rounds (the initial model, the same for
every method, left out), each with its 95% paired-bootstrap CI::

    python benchmarks/compare_methods.py suite_results \
        --reference autoal --methods badge,margin --by-round
"""

import argparse
import os

import numpy as np

BEST = "best-candidate"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--reference", default="autoal")
    parser.add_argument("--methods", default="autoal-gradient,bait")
    parser.add_argument(
        "--by-round",
        action="store_true",
        help="differences in accuracy per round and per half of the budget",
    )
    args = parser.parse_args(argv)
    from skautoal.suite import (
        _matrix,
        best_candidate_gaps,
        paired_bootstrap_ci,
        read_runs,
        wilcoxon_p,
    )

    runs = read_runs(os.path.join(args.folder, "runs.jsonl"))
    blocks = list(dict.fromkeys(r["block"] for r in runs))
    ref = args.reference
    # The best single candidate of each block, as the suite's report picks it.
    best = {g["block"]: g["best"] for g in best_candidate_gaps(runs, ref)}
    if args.by_round:
        for other in args.methods.split(","):
            _by_round(runs, blocks, ref, other, best)
        return
    for other in args.methods.split(","):
        print(f"\n{other} minus {ref}:\n")
        print(
            f"| block | seeds | {ref} | {other} | difference | 95% CI | {other} ahead "
            f"| Wilcoxon p | query s: {ref} / {other} |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        pooled = []
        for block in blocks:
            name, label = _partner(other, block, best)
            if name is None:
                continue
            aubc, _ = _matrix(runs, block, [ref, name])
            if not len(aubc):
                continue
            x, y = aubc.T
            diff = y - x
            # (seeds, 2, rounds): the mean query seconds per round of each.
            query, _ = _matrix(runs, block, [ref, name], key="query_seconds")
            q_ref, q_other = query.mean(axis=(0, 2))
            pooled.append(diff)
            low, high = paired_bootstrap_ci(diff)
            print(
                f"| {label} | {len(diff)} | {x.mean():.4f} | {y.mean():.4f} | "
                f"{diff.mean():+.4f} | [{low:+.4f}, {high:+.4f}] | "
                f"{int((diff > 0).sum())}/{len(diff)} | {wilcoxon_p(diff):.3g} | "
                f"{q_ref:.2f} / {q_other:.2f} |"
            )
        if not pooled:
            print(f"(no block where both {ref} and {other} ran)")
            continue
        diff = np.concatenate(pooled)
        low, high = paired_bootstrap_ci(diff)
        print(
            f"\nAll {len(diff)} block-seeds: {other} - {ref} {diff.mean():+.4f}, 95% "
            f"bootstrap CI [{low:+.4f}, {high:+.4f}], {other} ahead in "
            f"{int((diff > 0).sum())}/{len(diff)}, Wilcoxon p {wilcoxon_p(diff):.3g}"
        )


def _partner(other, block, best):
    """The method compared in ``block`` (``best-candidate`` resolved to that
    block's best candidate, None if it has none) and the row's label."""
    if other != BEST:
        return other, block
    name = best.get(block)
    return name, f"{block} ({name})"


def _by_round(runs, blocks, ref, other, best):
    """Per block: ``other`` minus ``ref`` in accuracy after each round, and
    averaged over the first and the second half of the rounds."""
    from skautoal.suite import _matrix, paired_bootstrap_ci

    print(f"\n{other} minus {ref}, test accuracy per round:\n")
    print(
        "| block | seeds | per round (mean) | first half, 95% CI "
        "| second half, 95% CI |"
    )
    print("|---|---|---|---|---|")
    for block in blocks:
        name, label = _partner(other, block, best)
        if name is None:
            continue
        # (seeds, 2, rounds + 1): column 0 is the shared initial model.
        scores, _ = _matrix(runs, block, [ref, name], key="scores")
        if not len(scores):
            continue
        diff = scores[:, 1, 1:] - scores[:, 0, 1:]
        half = (diff.shape[1] + 1) // 2
        cells = []
        for part in (diff[:, :half], diff[:, half:]):
            mean = part.mean(1)
            low, high = paired_bootstrap_ci(mean)
            cells.append(f"{mean.mean():+.4f} [{low:+.4f}, {high:+.4f}]")
        rounds = " ".join(f"{d:+.3f}" for d in diff.mean(0))
        print(f"| {label} | {len(diff)} | {rounds} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
