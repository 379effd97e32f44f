"""Command line: ``python -m skautoal quickstart``."""

import argparse
import sys
import time

import numpy as np

from .utils._validation import ParameterError


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


class _Parser(argparse.ArgumentParser):
    """Usage errors as one ``skautoal: error: ...`` line, exit status 2."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"skautoal: error: {message}\n")


class _Terminated(Exception):
    """SIGTERM, turned into an exception so cleanup code runs."""


def _on_sigterm(signum, frame):
    raise _Terminated


# What a user can cause (a bad option value, a missing or unreadable file):
# one line on stderr, no traceback.
USER_ERRORS = (ValueError, OSError, UnicodeDecodeError)


def build_parser():
    """The command line's parser."""
    parser = _Parser(prog="python -m skautoal", description="skautoal command line")
    parser.add_argument(
        "--verbose", action="store_true", help="show tracebacks of errors"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    quick = sub.add_parser(
        "quickstart",
        help="fit a net on digits and show each strategy's picks",
        description="Fit skautoal's default MLP on random digits and show, for "
        "each strategy, its time, the fraction of its picks from the rest that "
        "the net gets wrong, and its first picks.",
    )
    quick.add_argument(
        "--n-labeled",
        type=int,
        default=100,
        help="random digits the net is fitted on (default: 100)",
    )
    quick.add_argument(
        "--n-queries",
        type=int,
        default=10,
        help="picks each strategy makes from the rest (default: 10)",
    )
    quick.add_argument(
        "--random-state",
        type=int,
        default=0,
        help="seeds the split, the net and the strategies (default: 0)",
    )
    from . import suite
    from .benchmark import add_arguments

    bench = sub.add_parser(
        "benchmark",
        help="compare AutoAL, the baselines and every strategy",
        description="Compare AutoAL, the meta-baselines and the strategies on one "
        "data set. For each seed, every method starts from the same random labels "
        "and queries for --n-rounds rounds; its accuracy on a held-out test set "
        "after each round is its learning curve, summed up by the area under it "
        "(AUBC). Writes aubc.csv, results.json, runs.jsonl and the plots "
        "learning_curves.png and strategy_weights.png to --out. A few seeds "
        "order the methods; 'suite' ranks them with paired statistics.",
    )
    add_arguments(bench)
    suite_parser = sub.add_parser(
        "suite",
        help="paired experiments over data-set blocks, with statistics",
        description="Run every method on the same seeds of each block (a data "
        "set, a task model and a budget), then compare them: per-block paired "
        "bootstrap CIs and Wilcoxon tests with Holm's correction, and a Friedman "
        "test over the blocks. Writes runs.jsonl, summary.csv, cost.csv, "
        "stats.md, critical_difference.png, strategy_shares.png and each block's "
        "curves_<block>.png to --out.",
    )
    suite.add_arguments(suite_parser)
    return parser


def _run(args):
    from . import suite
    from .benchmark import run_benchmark

    if args.command == "quickstart":
        quickstart(args.n_labeled, args.n_queries, args.random_state)
    elif args.command == "suite":
        suite.run_suite(
            blocks=args.blocks,
            methods=args.methods,
            seeds=args.seeds,
            n_jobs=args.n_jobs,
            n_rounds=args.n_rounds,
            out=args.out,
            device=args.device,
            verbose=0 if args.no_progress else 1,
            overwrite=args.overwrite,
        )
    else:
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
            verbose=0 if args.no_progress else 1,
            overwrite=args.overwrite,
        )


def main(argv=None):
    """Run the command line; return its exit status.

    0 on success, 2 for a user error (one line on stderr; ``--verbose``
    adds the traceback), 130 after Ctrl+C and 143 after SIGTERM. The suite
    and the benchmark keep every finished run on disk, so rerunning the same
    command resumes.
    """
    import signal
    import threading
    import traceback

    args = build_parser().parse_args(argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        _run(args)
    except KeyboardInterrupt:
        print("skautoal: interrupted; finished runs are kept.", file=sys.stderr)
        return 130
    except _Terminated:
        print("skautoal: terminated; finished runs are kept.", file=sys.stderr)
        return 143
    except USER_ERRORS as exc:
        if args.verbose:
            traceback.print_exc()
        message = exc.cli_message() if isinstance(exc, ParameterError) else exc
        print(f"skautoal: error: {message}", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
