"""Does ``python -m skautoal suite --n-jobs N`` scale with processes?

Runs the same small suite (fresh output folders) with one process and with
``--n-jobs`` processes, interleaved ``--repeats`` times in one run, and prints
the wall-time ratio per repeat. One run per (block, method, seed) goes to one
process with one torch thread, so on an idle machine with N free cores the
ratio should approach N minus the spawn overhead.

    python benchmarks/bench_suite_jobs.py [--n-jobs 2] [--repeats 2]
"""

import argparse
import os
import tempfile
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--blocks", default="digits,binary")
    parser.add_argument("--methods", default="margin,badge,autoal")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--n-rounds", type=int, default=4)
    args = parser.parse_args(argv)
    from skautoal.suite import run_suite

    print(
        f"cpu cores: {os.cpu_count()}; blocks {args.blocks}; methods {args.methods}; "
        f"{args.seeds} seeds; {args.n_rounds} rounds"
    )
    print("| repeat | 1 process s | n_jobs processes s | speed-up |")
    print("|---|---|---|---|")
    for repeat in range(args.repeats):
        seconds = {}
        for n_jobs in (1, args.n_jobs):
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                run_suite(
                    blocks=args.blocks,
                    methods=args.methods,
                    seeds=args.seeds,
                    n_jobs=n_jobs,
                    n_rounds=args.n_rounds,
                    out=out,
                    log=lambda *a: None,
                )
                seconds[n_jobs] = time.perf_counter() - start
        print(
            f"| {repeat} | {seconds[1]:.1f} | {seconds[args.n_jobs]:.1f} | "
            f"{seconds[1] / seconds[args.n_jobs]:.2f}x |"
        )


if __name__ == "__main__":
    main()
