"""What does one AutoAL round cost, relative to one entropy-sampling round?

Protocol (issue 9, step 5): the suite's converged task model of the block
(:func:`skautoal.models.default_net`; the MLP, or the CNN of the image
blocks ``digits-cnn`` and ``fashion-cnn``), 300 random labels, n_queries=50, the
rest of the block's pool as the pool. One round is ``fit`` (task model and
querier) plus ``query``. AutoAL (default: Fisher search, greedy) and
EntropySampling run in the same process, interleaved seed by seed, so the
machine's load hits both alike; the paper's simulation search is measured
beside them. Ratios are per seed, reported as the median and the range.

    python benchmarks/bench_autoal.py [--blocks digits,fashion-mlp] [--seeds 7]

``--variant name=param=value`` measures AutoAL with other ``AutoALQuerier``
parameters as one more method (``--variant dim32=fisher_dim=32``).
"""

import argparse
import os
import time

import numpy as np


def _round(querier, X_lab, y_lab, X_pool):
    start = time.perf_counter()
    querier.fit(X_lab, y_lab)
    middle = time.perf_counter()
    querier.query(X_pool)
    end = time.perf_counter()
    return middle - start, end - middle


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", default="digits,fashion-mlp")
    parser.add_argument("--seeds", type=int, default=7)
    parser.add_argument("--n-labeled", type=int, default=300)
    parser.add_argument("--n-queries", type=int, default=50)
    parser.add_argument(
        "--methods",
        default="entropy,autoal,autoal-gradient,autoal-simulation",
        help="comma-separated; entropy (the baseline) is always run",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="name=param=value[,param=value]: AutoAL (default search) with these "
        "parameters, measured as one more method, e.g. dim32=fisher_dim=32",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    from _suite_query import block_data, labelled_split, suite_net
    from tune_autoal import _parse_variant

    from skautoal import AutoALQuerier
    from skautoal.baselines import BAITQuerier, StrategyQuerier, UniformVoteQuerier
    from skautoal.strategies import EntropySampling

    methods = {
        "entropy": lambda net, s: StrategyQuerier(
            net, EntropySampling(), n_queries=args.n_queries, random_state=s
        ),
        "autoal": lambda net, s: AutoALQuerier(
            net, n_queries=args.n_queries, random_state=s, device="cpu"
        ),
        "autoal-gradient": lambda net, s: AutoALQuerier(
            net,
            n_queries=args.n_queries,
            optimizer="gradient",
            random_state=s,
            device="cpu",
        ),
        "autoal-simulation": lambda net, s: AutoALQuerier(
            net,
            n_queries=args.n_queries,
            search="simulation",
            strategies="full",
            random_state=s,
            device="cpu",
        ),
        # The cost floor of the candidate set: the same six candidates,
        # their picks combined by an equal vote instead of the search.
        "uniform": lambda net, s: UniformVoteQuerier(
            net, n_queries=args.n_queries, random_state=s
        ),
        "bait": lambda net, s: BAITQuerier(
            net, n_queries=args.n_queries, random_state=s, device="cpu"
        ),
    }
    wanted = {"entropy"} | set(args.methods.split(","))
    for text in args.variant:
        name, params = _parse_variant(text)
        if name in methods:
            # A variant named like a method would time itself under that name.
            parser.error(f"argument --variant: {name!r} is already a method's name")
        methods[name] = lambda net, s, params=params: AutoALQuerier(
            net, n_queries=args.n_queries, random_state=s, device="cpu", **params
        )
        wanted.add(name)
    unknown = wanted - set(methods)
    if unknown:
        parser.error(f"argument --methods: unknown {sorted(unknown)}")
    methods = {name: make for name, make in methods.items() if name in wanted}
    print(
        f"torch threads: {torch.get_num_threads()}; {args.seeds} seeds; "
        f"{args.n_labeled} labels, {args.n_queries} queries"
    )
    for block in args.blocks.split(","):
        try:
            X, y = block_data(block)
        except FileNotFoundError as exc:
            print(f"{block}: skipped ({exc})")
            continue
        seconds = {m: [] for m in methods}
        for seed in range(args.seeds):
            X_lab, y_lab, X_rest = labelled_split(X, y, block, seed, args.n_labeled)
            for name, make in methods.items():
                net = suite_net(block, X, y, seed)
                fit, query = _round(make(net, seed), X_lab, y_lab, X_rest)
                if seed > 0:  # seed 0 warms up imports and caches
                    seconds[name].append((fit, query))
        base = np.array([f + q for f, q in seconds["entropy"]])
        print(f"\n{block} (pool {len(X_rest)}):")
        print("| method | fit s | query s | round / entropy round (median, range) |")
        print("|---|---|---|---|")
        for name, values in seconds.items():
            values = np.array(values)
            ratio = values.sum(1) / base
            print(
                f"| {name} | {values[:, 0].mean():.3f} | {values[:, 1].mean():.3f} "
                f"| {np.median(ratio):.2f}x ({ratio.min():.2f}-{ratio.max():.2f}) |"
            )


if __name__ == "__main__":
    main()
