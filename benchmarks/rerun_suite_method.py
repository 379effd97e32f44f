"""Rerun methods' runs of a suite folder with today's code and compare.

After a change that should not alter a method's picks (a faster search, a
refactor), this reruns every (block, seed) of each ``--method`` found in
``FOLDER/runs.jsonl`` and reports how many test-accuracy curves (every
round, not only the AUBC) are identical. ``--method`` takes a comma-separated
list; ``method:N`` reruns only that method's stored seeds below N::

    python benchmarks/rerun_suite_method.py suite_results --method autoal [--seeds 2]
    python benchmarks/rerun_suite_method.py suite_results \\
        --method autoal,bait:6,badge:3 --n-jobs 2
"""

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor


def _run(block, method, seed):
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)
    from skautoal.suite import run_one

    return run_one(block, method, seed)["scores"]


def _limits(text, default):
    """``{"autoal": None, "bait": 6}`` from ``"autoal,bait:6"``."""
    limits = {}
    for item in text.split(","):
        method, _, seeds = item.partition(":")
        limits[method] = int(seeds) if seeds else default
    return limits


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--method", default="autoal")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--seeds", type=int, help="only the stored seeds below this (default: all)"
    )
    args = parser.parse_args(argv)
    from skautoal.suite import read_runs

    limits = _limits(args.method, args.seeds)
    stored = {
        (r["method"], r["block"], r["seed"]): r["scores"]
        for r in read_runs(os.path.join(args.folder, "runs.jsonl"))
        if r["method"] in limits
        and (limits[r["method"]] is None or r["seed"] < limits[r["method"]])
    }
    keys = sorted(stored)
    if not keys:
        raise SystemExit(f"no runs of {sorted(limits)} in {args.folder}/runs.jsonl")
    with ProcessPoolExecutor(args.n_jobs) as pool:
        methods, blocks, seeds = zip(*keys, strict=True)
        new = list(pool.map(_run, blocks, methods, seeds))
    for method in limits:
        rows = [(k, n) for k, n in zip(keys, new, strict=True) if k[0] == method]
        differ = [(k, n) for k, n in rows if n != stored[k]]
        print(f"{len(rows) - len(differ)} of {len(rows)} {method} curves identical")
        for (_, block, seed), scores in differ:
            rounds = sum(
                a != b
                for a, b in zip(scores, stored[(method, block, seed)], strict=True)
            )
            print("differs:", json.dumps([block, seed, f"{rounds} rounds"]))


if __name__ == "__main__":
    main()
