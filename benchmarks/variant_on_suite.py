"""An AutoAL variant on a suite's own seeds, judged with the suite's statistics.

Runs the variant (``name=key=value,...`` as in ``tune_autoal.py``) on the
given blocks and seeds exactly as the suite runs ``autoal`` (same splits,
task model and budget), appends its records to ``--out`` (a rerun skips the
(block, seed) pairs already there), merges them with a suite's stored runs
and prints ``stats.md`` with the variant as the reference: the gap to the
best single candidate of each block (issue 9's criterion 2), its paired
comparisons with every method, Holm-adjusted within each block (criterion
3), and the mean ranks. The stored runs must come from a machine that
reproduces them (``rerun_suite_method.py`` checks that). Only for a variant
chosen on other seeds: these are the reported seeds::

    python benchmarks/variant_on_suite.py docs/_static/results/suite/runs.jsonl.gz \\
        --variant pw1=fisher_pool_weight=1 --seeds 0-12 --out pw1_runs.jsonl
"""

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _run(block, name, params, seed):
    from tune_autoal import variant_record

    record = variant_record(block, name, params, seed)
    record["method"] = name
    return record


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="the suite's runs (.jsonl[.gz])")
    parser.add_argument("--variant", required=True, help="name=key=value,...")
    parser.add_argument("--blocks", default=None, help="default: the runs' blocks")
    parser.add_argument("--seeds", default="0-12", help="first-end (end excluded)")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", required=True, help="the variant's runs (.jsonl)")
    args = parser.parse_args(argv)
    from tune_autoal import _parse_variant

    from skautoal.suite import (
        _append,
        _drop_torn_line,
        best_candidate_gaps,
        compute_stats,
        format_stats,
        read_runs,
    )

    name, params = _parse_variant(args.variant)
    stored = [r for path in args.runs for r in read_runs(path)]
    blocks = (
        args.blocks.split(",")
        if args.blocks
        else list(dict.fromkeys(r["block"] for r in stored))
    )
    first, end = (int(v) for v in args.seeds.split("-"))
    # Resumable as the suite is: finished runs are kept, a torn line dropped.
    _drop_torn_line(args.out)
    mine = read_runs(args.out)
    done = {(r["block"], r["seed"]) for r in mine}
    todo = [(b, s) for b in blocks for s in range(first, end) if (b, s) not in done]
    with ProcessPoolExecutor(args.n_jobs) as pool:
        jobs = [(b, name, params, s) for b, s in todo]
        for record in pool.map(_run, *zip(*jobs, strict=True)) if jobs else []:
            _append(args.out, record)
            mine.append(record)
    seeds = set(range(first, end))
    # The stored runs of every other method, and the variant's own.
    runs = [
        r
        for r in [*(r for r in stored if r["method"] != name), *mine]
        if r["block"] in blocks and r["seed"] in seeds
    ]
    stats = compute_stats(runs, reference=name)
    print(format_stats(stats, best_candidate_gaps(runs, reference=name)))


if __name__ == "__main__":
    main()
