"""Rerun methods' runs of a suite folder with today's code and compare.

After a change that should not alter a method's picks (a faster search, a
refactor), this reruns every (block, seed) of each ``--method`` found in
``FOLDER/runs.jsonl`` and reports how many test-accuracy curves (every
round, not only the AUBC) are identical. ``--method`` takes a comma-separated
list; ``method:N`` reruns only that method's stored seeds below N::

    python benchmarks/rerun_suite_method.py suite_results --method autoal [--seeds 2]
    python benchmarks/rerun_suite_method.py suite_results \\
        --method autoal,bait:6,badge:3 --n-jobs 2

After a change that does alter a method's picks (a new default),
``--replace`` stores the reruns in the folder instead: each ``--method``'s
rows of ``runs.jsonl`` are replaced by today's runs (all its stored seeds),
and its querier fingerprint in ``settings.json`` is refreshed, so the suite
command resumes the folder and its report shows today's code. Every other
method's fingerprint must still match today's code, or the folder would mix
code versions: name a method whose parameters changed but whose picks
should not (a parameter it does not use) in ``--same-picks METHOD:N``; its
stored seeds below N are rerun, and its fingerprint is refreshed only if
every rerun curve is identical. ``--from-seed N`` reruns (and replaces)
only the seeds from N on, e.g. an extension's seeds after rows of seeds
below N were copied in from a rerun suite folder. A folder without
``settings.json`` (runs merged by hand) has no fingerprints to check;
``--replace`` then needs ``--unrecorded`` and only replaces the runs.
Either way the folder's report (``summary.csv``, ``stats.md``, the plots)
is written again::

    python benchmarks/rerun_suite_method.py suite_results \\
        --method autoal,autoal-gradient --replace --same-picks autoal-simulation:1
"""

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor


def _run(block, method, seed, n_rounds=None, device="cpu"):
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)
    from skautoal.suite import run_one

    return run_one(block, method, seed, n_rounds, device)


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
    parser.add_argument(
        "--from-seed",
        type=int,
        default=0,
        help="rerun only the stored seeds from this one on (the others are kept)",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="store the reruns of --method in the folder (all their seeds)",
    )
    parser.add_argument(
        "--same-picks",
        default="",
        help="with --replace: METHOD:N,... whose fingerprint changed but whose "
        "picks must not; their seeds below N are rerun and must be identical",
    )
    parser.add_argument(
        "--unrecorded",
        action="store_true",
        help="with --replace: the folder has no settings.json to check or refresh",
    )
    args = parser.parse_args(argv)
    from skautoal.suite import method_fingerprints, read_runs, write_report

    if args.replace and args.seeds is not None:
        parser.error("--seeds with --replace: --replace reruns every stored seed")
    if args.same_picks and not args.replace:
        parser.error("--same-picks needs --replace")
    limits = _limits(args.method, None if args.replace else args.seeds)
    same = _limits(args.same_picks, 1) if args.same_picks else {}
    path = os.path.join(args.folder, "runs.jsonl")
    runs = read_runs(path)
    unknown = sorted({*limits, *same} - {r["method"] for r in runs})
    if unknown:
        parser.error(f"no runs of {unknown} in {path}")
    settings_path = os.path.join(args.folder, "settings.json")
    settings = {}
    if os.path.exists(settings_path):
        # The folder's rounds and device, so the reruns repeat its runs.
        with open(settings_path) as f:
            settings = json.load(f)
    n_rounds, device = settings.get("n_rounds"), settings.get("device", "cpu")
    if args.replace and not settings and not args.unrecorded:
        raise SystemExit(
            f"{settings_path} is missing, so no fingerprint can be checked: "
            "pass --unrecorded to replace the runs anyway"
        )
    if args.replace and settings:
        today = method_fingerprints(settings["methods"], settings["device"])
        stale = sorted(
            m
            for m in settings["methods"]
            if m not in limits and m not in same and today[m] != settings["queriers"][m]
        )
        if stale:
            raise SystemExit(
                f"the querier parameters of {stale} changed too: rerun them with "
                "--method, or name them in --same-picks if their picks cannot change"
            )
    stored = {
        (r["method"], r["block"], r["seed"]): r["scores"]
        for r in runs
        if (
            r["method"] in limits
            and (limits[r["method"]] is None or r["seed"] < limits[r["method"]])
            and r["seed"] >= args.from_seed
        )
        or (r["method"] in same and r["seed"] < same[r["method"]])
    }
    keys = sorted(stored)
    unchecked = sorted(m for m in same if not any(k[0] == m for k in keys))
    if unchecked:
        # Its fingerprint would be refreshed with no run to show the picks.
        parser.error(f"--same-picks {unchecked}: no stored seed below N to rerun")
    if not keys:
        raise SystemExit(f"no runs of {sorted(limits)} in {path}")
    with ProcessPoolExecutor(args.n_jobs) as pool:
        methods, blocks, seeds = zip(*keys, strict=True)
        records = list(
            pool.map(
                _run,
                blocks,
                methods,
                seeds,
                [n_rounds] * len(keys),
                [device] * len(keys),
            )
        )
    new = [record["scores"] for record in records]
    identical = {}
    for method in [*limits, *same]:
        rows = [(k, n) for k, n in zip(keys, new, strict=True) if k[0] == method]
        differ = [(k, n) for k, n in rows if n != stored[k]]
        identical[method] = not differ
        print(f"{len(rows) - len(differ)} of {len(rows)} {method} curves identical")
        for (_, block, seed), scores in differ:
            old = stored[(method, block, seed)]
            # A curve of another length (other rounds) differs in every round.
            rounds = sum(a != b for a, b in zip(scores, old, strict=False))
            rounds += abs(len(scores) - len(old))
            print("differs:", json.dumps([block, seed, f"{rounds} rounds"]))
    if args.replace:
        changed = sorted(m for m in same if not identical[m])
        if changed:
            raise SystemExit(
                f"{changed} picked differently with today's code: nothing was "
                "replaced; rerun them with --method"
            )
        fresh = {
            (r["method"], r["block"], r["seed"]): r
            for r in records
            if r["method"] in limits
        }
        rows = [fresh.get((r["method"], r["block"], r["seed"]), r) for r in runs]
        _write_atomic(path, "".join(json.dumps(r) + "\n" for r in rows))
        if settings:
            for method in [*limits, *same]:
                settings["queriers"][method] = today[method]
            _write_atomic(settings_path, json.dumps(settings, indent=1))
        print(f"replaced {len(fresh)} runs of {sorted(limits)} in {path}")
        write_report(rows, args.folder)


def _write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
