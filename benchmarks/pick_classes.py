"""Which classes each method's picks come from, block by block.

Runs each (method, seed) as the suite does (same split, task model, budget
and querier as ``skautoal.suite.run_one``) and keeps the pool indices each
round queried; prints, per method, the share of all picks from each class,
the share from the classes named by ``--focus`` (early and late rounds) and
the mean test accuracy over the curve, then each method's paired difference
in that mean against ``--reference``. A diagnostic, not a benchmark: use
tuning seeds (100 on), never the reported ones::

    python benchmarks/pick_classes.py fashion-cnn --methods autoal,badge,margin \\
        --seeds 100-106 --focus 0,2,4,6 --out pick_fcnn.json
"""

import argparse
import json
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def _run(block_name, method, seed):
    import torch
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    from skautoal.loop import simulate
    from skautoal.models import default_net
    from skautoal.suite import BLOCKS, load_block, make_querier

    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        block = BLOCKS[block_name]
        X, y = load_block(block_name)
        _, y = np.unique(y, return_inverse=True)
        X_pool, X_test, y_pool, y_test = train_test_split(
            X, y, test_size=block.test_size, stratify=y, random_state=seed
        )
        net = default_net(
            block.kind, X.shape[1:], int(y.max()) + 1, random_state=seed, device="cpu"
        )
        querier = make_querier(method, net, block.n_queries, seed, "cpu")
        curve = simulate(
            querier,
            X_pool,
            y_pool,
            X_test=X_test,
            y_test=y_test,
            initial_size=block.initial_size,
            n_rounds=block.n_rounds,
            random_state=seed,
        )
    return {
        "block": block_name,
        "method": method,
        "seed": seed,
        "accuracy": [float(a) for a in curve.scores],
        "classes": [y_pool[np.asarray(q, int)].tolist() for q in curve.queried],
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
        jobs = [
            (args.block, m, s)
            for s in range(first, end)
            for m in args.methods.split(",")
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
