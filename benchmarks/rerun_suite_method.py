"""Rerun one method's runs of a suite folder with today's code and compare.

After a change that should not alter a method's picks (a faster search, a
refactor), this reruns every (block, seed) of ``--method`` found in
``FOLDER/runs.jsonl`` and reports how many AUBCs are identical::

    python benchmarks/rerun_suite_method.py suite_results --method autoal [--seeds 2]
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

    return run_one(block, method, seed)["aubc"]


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

    stored = {
        (r["block"], r["seed"]): r["aubc"]
        for r in read_runs(os.path.join(args.folder, "runs.jsonl"))
        if r["method"] == args.method and (args.seeds is None or r["seed"] < args.seeds)
    }
    keys = sorted(stored)
    with ProcessPoolExecutor(args.n_jobs) as pool:
        blocks, seeds = zip(*keys, strict=True)
        new = list(pool.map(_run, blocks, [args.method] * len(keys), seeds))
    differ = [
        (b, s, round(a - stored[(b, s)], 6))
        for (b, s), a in zip(keys, new, strict=True)
        if abs(a - stored[(b, s)]) >= 1e-12
    ]
    print(f"{len(keys) - len(differ)} of {len(keys)} {args.method} AUBCs identical")
    for row in differ:
        print("differs:", json.dumps(row))


if __name__ == "__main__":
    main()
