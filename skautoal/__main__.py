"""Command line: ``python -m skautoal quickstart``."""

import argparse
import sys
import time

import numpy as np


def quickstart(n_labeled=100, n_queries=10, random_state=0, out=None):
    """Fit a skorch MLP on a few digits and print what each strategy queries."""
    out = sys.stdout if out is None else out
    from .datasets import load_digits_data
    from .models import default_net
    from .strategies import (
        BADGE,
        BALD,
        CoreSet,
        EntropySampling,
        KMeansSampling,
        LeastConfidence,
        MarginSampling,
        MeanSTD,
        RandomSampling,
        VarRatio,
    )

    X, y = load_digits_data()
    rng = np.random.RandomState(random_state)
    order = rng.permutation(len(X))
    labeled, pool = order[:n_labeled], order[n_labeled:]
    net = default_net("mlp", X.shape[1:], 10, random_state=random_state)
    net.fit(X[labeled], y[labeled])
    accuracy = net.score(X[pool], y[pool])
    print(
        f"skorch MLP fitted on {n_labeled} digits; accuracy on the "
        f"{len(pool)}-sample pool: {accuracy:.3f}\n",
        file=out,
    )
    print(f"{'strategy':<16}{'seconds':>8}  {'pool error':>10}  first picks", file=out)
    strategies = [
        RandomSampling(),
        LeastConfidence(),
        MarginSampling(),
        EntropySampling(),
        VarRatio(),
        MeanSTD(),
        BALD(),
        KMeansSampling(),
        CoreSet(),
        BADGE(),
    ]
    wrong = net.predict(X[pool]) != y[pool]
    for strategy in strategies:
        start = time.perf_counter()
        picked = strategy.select(
            net, X[pool], n_queries, X_labeled=X[labeled], random_state=random_state
        )
        seconds = time.perf_counter() - start
        print(
            f"{type(strategy).__name__:<16}{seconds:>8.3f}  "
            f"{wrong[picked].mean():>10.2f}  {picked[:6].tolist()}",
            file=out,
        )
    print(
        "\n'pool error' is the fraction of picked samples the model gets wrong: "
        "informative picks are often misclassified.",
        file=out,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skautoal", description="skautoal command line"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    quick = sub.add_parser(
        "quickstart", help="fit a net on digits and show each strategy's picks"
    )
    quick.add_argument("--n-labeled", type=int, default=100)
    quick.add_argument("--n-queries", type=int, default=10)
    quick.add_argument("--random-state", type=int, default=0)
    from .benchmark import add_arguments, run_benchmark

    bench = sub.add_parser(
        "benchmark", help="compare AutoAL, the baselines and every strategy"
    )
    add_arguments(bench)
    from . import suite

    suite_parser = sub.add_parser(
        "suite", help="paired experiments over data-set blocks, with statistics"
    )
    suite.add_arguments(suite_parser)
    args = parser.parse_args(argv)
    if args.command == "quickstart":
        quickstart(args.n_labeled, args.n_queries, args.random_state)
        return 0
    if args.command == "suite":
        try:
            suite.run_suite(
                blocks=args.blocks,
                methods=args.methods,
                seeds=args.seeds,
                n_jobs=args.n_jobs,
                n_rounds=args.n_rounds,
                out=args.out,
                device=args.device,
                progress=not args.no_progress,
            )
        except (ValueError, FileNotFoundError) as exc:
            parser.exit(2, f"error: {exc}\n")
        return 0
    try:
        run_benchmark(
            dataset=args.dataset,
            model=args.model,
            methods=args.methods,
            seeds=args.seeds,
            initial_size=args.initial_size,
            n_queries=args.n_queries,
            n_rounds=args.n_rounds,
            test_size=args.test_size,
            pool_size=args.pool_size,
            device=args.device,
            data_dir=args.data_dir,
            target=args.target,
            out=args.out,
            progress=not args.no_progress,
        )
    except (ValueError, FileNotFoundError) as exc:
        parser.exit(2, f"error: {exc}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
