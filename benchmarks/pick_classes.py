"""Which classes each method's picks come from, block by block.

Runs each (method, seed) as the suite does (``skautoal.suite.run_one`` with
``picks=True``; AutoAL variants as in ``tune_autoal.py``, ``--variant
name=key=value,...``) and keeps the labels each round queried. Prints, per
method, the share of all picks from each class, the share from the classes
named by ``--focus`` (early and late rounds) and the mean test accuracy over
the curve, then each method's paired difference in that mean against
``--reference``. A diagnostic, not a benchmark: use tuning seeds (100 on),
never the reported ones::

    python benchmarks/pick_classes.py fashion-cnn --methods autoal,badge,margin \\
        --seeds 100-106 --focus 0,2,4,6 --out pick_fcnn.json
"""

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _run(block_name, method, params, seed):
    from tune_autoal import variant_record

    record = variant_record(block_name, method, params, seed, picks=True)
    return {
        "block": block_name,
        "method": method,
        "seed": seed,
        "accuracy": record["scores"],
        "classes": record["queried_labels"],
    }


def summarise(runs, focus, reference):
    """Markdown tables of the class shares and the paired accuracy."""
    methods = list(dict.fromkeys(r["method"] for r in runs))
    n_classes = 1 + max(c for r in runs for picks in r["classes"] for c in picks)
    extra = " | focus, early | focus, late" if focus else ""
    lines = [
        "| method | mean accuracy | "
        + " | ".join(str(c) for c in range(n_classes))
        + extra
        + " |",
        "|---" * (n_classes + 2 + 2 * bool(focus)) + "|",
    ]
    for method in methods:
        mine = [r for r in runs if r["method"] == method]
        total, early, late = (np.zeros(n_classes) for _ in range(3))
        for r in mine:
            half = len(r["classes"]) // 2
            for k, picks in enumerate(r["classes"]):
                counts = np.bincount(picks, minlength=n_classes)
                total += counts
                (early if k < half else late)[:] += counts
        share = 100 * total / total.sum()
        accuracy = np.mean([np.mean(r["accuracy"]) for r in mine])
        row = f"| {method} | {accuracy:.4f} | " + " | ".join(f"{s:.1f}" for s in share)
        if focus:
            row += (
                f" | {100 * early[focus].sum() / early.sum():.1f}"
                f" | {100 * late[focus].sum() / late.sum():.1f}"
            )
        lines.append(row + " |")
    if reference not in methods:
        return "\n".join(lines)
    mean = {(r["method"], r["seed"]): np.mean(r["accuracy"]) for r in runs}
    seeds = sorted({r["seed"] for r in runs})
    lines += [
        "",
        f"| method | minus {reference}, mean accuracy | wins |",
        "|---|---|---|",
    ]
    for method in methods:
        if method == reference:
            continue
        d = np.array([mean[method, s] - mean[reference, s] for s in seeds])
        lines.append(f"| {method} | {d.mean():+.4f} | {(d > 0).sum()}/{len(d)} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("block")
    parser.add_argument("--methods", default="autoal,badge,margin")
    parser.add_argument(
        "--variant", action="append", default=[], help="as in tune_autoal.py"
    )
    parser.add_argument("--seeds", default="100-106", help="first-end (end excluded)")
    parser.add_argument("--focus", default="", help="comma list of class indices")
    parser.add_argument("--reference", default="autoal")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", default=None, help="JSON of the runs")
    parser.add_argument("--reuse", default=None, help="read the runs from this JSON")
    args = parser.parse_args(argv)
    if args.reuse:
        with open(args.reuse) as f:
            runs = json.load(f)
    else:
        first, end = (int(v) for v in args.seeds.split("-"))
        from tune_autoal import _parse_variant

        methods = {m: None for m in args.methods.split(",") if m}
        methods.update(_parse_variant(v) for v in args.variant)
        jobs = [
            (args.block, m, params, s)
            for s in range(first, end)
            for m, params in methods.items()
        ]
        with ProcessPoolExecutor(args.n_jobs) as pool:
            runs = list(pool.map(_run, *zip(*jobs, strict=True)))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(runs, f)
    focus = [int(c) for c in args.focus.split(",") if c]
    print(summarise(runs, focus, args.reference))


if __name__ == "__main__":
    main()
