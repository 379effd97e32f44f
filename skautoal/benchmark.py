"""``python -m skautoal benchmark``: compare AL methods on a data set."""

import argparse
import csv
import json
import os
import time

import numpy as np

from .utils._validation import (
    _DEPRECATED,
    ParameterError,
    check_test_size,
    resolve_verbose,
)

METHODS = (
    "autoal",
    "autoal-gradient",
    "autoal-simulation",
    "uniform",
    "albl",
    "random",
    "margin",
    "entropy",
    "varratio",
    "bald",
    "kmeans",
    "coreset",
    "badge",
)
# Run on request (--methods): near-duplicates of margin and BALD, and the
# suite's extra controls.
OPTIONAL_METHODS = ("lc", "meanstd")
EXTRA_METHODS = ("tailor", "bait")


def task_model(model, input_shape, n_classes, device, random_state=None, scale=False):
    """The default skorch net (:func:`skautoal.models.default_net`): ``mlp``
    for any input, ``cnn`` for images (C, H, W); with ``scale``, after a
    ``StandardScaler`` (fitted on each round's labels) in a pipeline."""
    from .models import default_net

    if model == "cnn" and len(input_shape) != 3:
        raise ParameterError(
            "model",
            "run_benchmark",
            f"is 'cnn', which needs images shaped (C, H, W); this data set's "
            f"samples have shape {input_shape}. Use 'mlp'.",
        )
    net = default_net(
        model, input_shape, n_classes, random_state=random_state, device=device
    )
    if not scale:
        return net
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), net)


def make_querier(method, estimator, n_queries, seed, device):
    """The querier for one method name.

    ``autoal`` is the default :class:`~skautoal.AutoALQuerier` (Fisher
    search, greedy), ``autoal-gradient`` the same with the gradient
    optimiser, ``autoal-simulation`` the paper's simulation search with
    skautoal 0.1's eight candidates (the previous default). The queriers
    that carry state across rounds get ``warm_start=True``.
    """
    from . import AutoALQuerier
    from .baselines import (
        ALBLQuerier,
        BAITQuerier,
        StrategyQuerier,
        TAILORQuerier,
        UniformVoteQuerier,
    )

    common = dict(n_queries=n_queries, random_state=seed)
    if method == "autoal":
        return AutoALQuerier(estimator, warm_start=True, device=device, **common)
    if method == "autoal-gradient":
        return AutoALQuerier(
            estimator, optimizer="gradient", warm_start=True, device=device, **common
        )
    if method == "autoal-simulation":
        return AutoALQuerier(
            estimator, search="simulation", strategies="full", device=device, **common
        )
    if method == "uniform":
        return UniformVoteQuerier(estimator, **common)
    if method == "albl":
        return ALBLQuerier(estimator, warm_start=True, **common)
    if method == "tailor":
        return TAILORQuerier(estimator, warm_start=True, **common)
    if method == "bait":
        return BAITQuerier(estimator, device=device, **common)
    return StrategyQuerier(estimator, make_strategy(method), **common)


def make_strategy(name):
    """The strategy of a single-strategy method name (``margin``, ``bald``...)."""
    from . import strategies

    return {
        "random": strategies.RandomSampling,
        "lc": strategies.LeastConfidence,
        "margin": strategies.MarginSampling,
        "entropy": strategies.EntropySampling,
        "varratio": strategies.VarRatio,
        "meanstd": strategies.MeanSTD,
        "bald": strategies.BALD,
        "kmeans": strategies.KMeansSampling,
        "coreset": strategies.CoreSet,
        "badge": strategies.BADGE,
    }[name]()


def parse_methods(
    text, default=METHODS, optional=OPTIONAL_METHODS, caller="run_benchmark"
):
    """A comma list of method names, or ``all`` (the ``default`` ones)."""
    allowed = (*default, *optional)
    if text == "all":
        return list(default)
    methods = [m.strip() for m in text.split(",") if m.strip()]
    unknown = sorted(set(methods) - set(allowed))
    if unknown or not methods:
        raise ParameterError(
            "methods",
            caller,
            f"names unknown methods {unknown or text!r}: choose from "
            f"{', '.join(allowed)} or 'all'.",
        )
    return list(dict.fromkeys(methods))


def run_benchmark(
    *,
    dataset="digits",
    model="auto",
    methods="all",
    seeds=3,
    initial_size=50,
    n_queries=25,
    n_rounds=10,
    test_size=0.3,
    pool_size=None,
    device="auto",
    data_dir=None,
    target=None,
    out="benchmark_results",
    verbose=0,
    overwrite=False,
    log=print,
    progress=_DEPRECATED,
):
    """Run every method over ``seeds`` and write the results to ``out``.

    The Python form of ``python -m skautoal benchmark``. Each seed splits the
    data into a pool and a test set (stratified), and every method runs
    :func:`~skautoal.loop.simulate` from the same initial labels with the
    same task model (:func:`~skautoal.models.default_net`). Each finished
    (seed, method) run is appended to ``out/runs.jsonl`` at once, so an
    interrupted benchmark loses only the run in flight and the same command
    resumes it. ``out/settings.json`` records the run's identity (options,
    data content hash, querier parameters, version); other settings are
    refused, unless ``overwrite=True``, which deletes the folder's runs
    first. For a ranking with paired seeds and tests, use
    :func:`~skautoal.suite.run_suite`.

    Parameters
    ----------
    dataset : str, default="digits"
        ``"digits"``, ``"fashion-mnist"`` (the Debian package's files), or
        the path of a ``.npz`` (arrays ``X`` and ``y``) or ``.csv`` file
        (see :func:`~skautoal.datasets.load_dataset`).
    model : {"auto", "mlp", "cnn"}, default="auto"
        The task model: ``"auto"`` is the CNN for images (N, C, H, W) and
        the MLP otherwise. A ``.npz`` whose ``X`` is (N, H, W) holds
        one-channel images: it is read as (N, 1, H, W). The features of a
        ``.csv``, or of a ``.npz`` of tables (N, F), get a
        ``StandardScaler`` before the MLP; images are taken as they are
        (scale them to [0, 1] or so first).
    methods : str, default="all"
        A comma list of method names (``autoal``, ``margin``, ...) or
        ``"all"``; ``lc``, ``meanstd``, ``tailor`` and ``bait`` run on
        request only.
    seeds : int, default=3
        Seeds 0 to ``seeds - 1``; each gives its own split and initial set.
    initial_size : int, default=50
        Random initial labels.
    n_queries : int, default=25
        Labels queried per round.
    n_rounds : int, default=10
        Rounds of querying.
    test_size : float or int, default=0.3
        The test split: a fraction in (0, 1) or a number of samples.
    pool_size : int or None, default=None
        Keep at most this many pool samples (a random subset per seed).
    device : str, default="auto"
        Where the task model and the searches run: ``"auto"`` (CUDA when
        there is a GPU), ``"cpu"``, ``"cuda"``.
    data_dir : str or None, default=None
        The Fashion-MNIST folder, if not the Debian package's.
    target : str or None, default=None
        The label column of a ``.csv`` file.
    out : str, default="benchmark_results"
        The output folder: ``runs.jsonl``, ``settings.json``,
        ``results.json``, ``aubc.csv`` and the plots.
    verbose : int or bool, default=0
        Show progress bars (over the runs, and each run's rounds).
    overwrite : bool, default=False
        Delete the folder's runs of other settings instead of refusing them.
    log : callable, default=print
        Receives each line of the report.
    progress : bool, optional
        Deprecated: use ``verbose``.

    Returns
    -------
    results : dict
        What ``results.json`` holds: ``config``, each method's ``curves``
        (one per seed) and the ``aubc`` table.

    Examples
    --------
    >>> import tempfile
    >>> from skautoal.benchmark import run_benchmark
    >>> results = run_benchmark(methods="margin,random", seeds=1, initial_size=20,
    ...                         n_queries=10, n_rounds=1, pool_size=200,
    ...                         out=tempfile.mkdtemp(), log=lambda line: None)
    >>> sorted(results["curves"]), results["curves"]["margin"][0]["n_labeled"]
    (['margin', 'random'], [20, 30])
    """
    verbose = resolve_verbose(verbose, progress, "run_benchmark")
    import torch
    from sklearn.model_selection import train_test_split

    from .datasets import load_dataset
    from .loop import simulate
    from .utils._torch import resolve_device
    from .utils._validation import check_output_dir, check_param_int

    methods = parse_methods(methods, optional=(*OPTIONAL_METHODS, *EXTRA_METHODS))
    caller = "run_benchmark"
    seeds = check_param_int(seeds, "seeds", 1, caller)
    initial_size = check_param_int(initial_size, "initial_size", 1, caller)
    n_queries = check_param_int(n_queries, "n_queries", 1, caller)
    # Zero rounds would rank every method by the same initial model.
    n_rounds = check_param_int(n_rounds, "n_rounds", 1, caller)
    if pool_size is not None:
        pool_size = check_param_int(pool_size, "pool_size", 1, caller)
    test_size = check_test_size(test_size, caller)
    resolve_device(device, "device", caller)
    check_output_dir(out, "out", caller)
    images = model == "cnn" and dataset == "digits"
    X, y = load_dataset(dataset, data_dir=data_dir, target=target, images=images)
    if X.ndim == 3:
        # (N, H, W), as MNIST-like images are often saved: one channel.
        X = X[:, None]
    if model == "auto":
        model = "cnn" if X.ndim == 4 else "mlp"
    _, y = np.unique(y, return_inverse=True)
    n_classes = int(y.max()) + 1
    # A user's table comes in its own units (a price in dollars next to a
    # 0/1 indicator), and the MLP trains to chance on such inputs: it gets a
    # StandardScaler. The bundled data sets come scaled and keep their net.
    scale = (
        model == "mlp" and X.ndim == 2 and dataset not in ("digits", "fashion-mnist")
    )
    device_name = (
        ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
    )
    from ._version import __version__
    from .suite import (
        _append,
        _drop_torn_line,
        check_folder_identity,
        method_fingerprints,
        read_runs,
    )
    from .utils._fingerprint import content_hash

    config = dict(
        dataset=dataset,
        model=model,
        methods=methods,
        seeds=seeds,
        initial_size=initial_size,
        n_queries=n_queries,
        n_rounds=n_rounds,
        test_size=test_size,
        pool_size=pool_size,
        device=device_name,
        scale_features=scale,
    )
    check_folder_identity(
        out,
        dict(
            config,
            data=f"{content_hash(X)}:{content_hash(y)}",
            queriers=method_fingerprints(methods, device),
            version=__version__,
        ),
        overwrite=overwrite,
        what="benchmark run",
    )
    runs_path = os.path.join(out, "runs.jsonl")
    _drop_torn_line(runs_path)
    done = {(r["seed"], r["method"]): r for r in read_runs(runs_path)}
    if done:
        log(f"resuming: {len(done)} of {seeds * len(methods)} runs already in {out}")
    bar = None
    if verbose:
        from tqdm.auto import tqdm

        # One outer bar over every run, with an ETA; each run's own bar
        # (its rounds) opens below it.
        bar = tqdm(
            total=seeds * len(methods), initial=len(done), desc="benchmark", unit="run"
        )
        if log is print:
            log = bar.write
    try:
        for seed in range(seeds):
            if all((seed, m) in done for m in methods):
                continue
            X_pool, X_test, y_pool, y_test = train_test_split(
                X, y, test_size=test_size, stratify=y, random_state=seed
            )
            if pool_size is not None and pool_size < len(y_pool):
                keep = np.random.RandomState(seed).choice(
                    len(y_pool), pool_size, replace=False
                )
                X_pool, y_pool = X_pool[keep], y_pool[keep]
            for method in methods:
                if (seed, method) in done:
                    continue
                estimator = task_model(
                    model,
                    X.shape[1:],
                    n_classes,
                    device_name,
                    random_state=seed,
                    scale=scale,
                )
                querier = make_querier(method, estimator, n_queries, seed, device)
                if bar is not None:
                    bar.set_postfix_str(f"seed {seed} {method}")
                start = time.perf_counter()
                curve = simulate(
                    querier,
                    X_pool,
                    y_pool,
                    X_test=X_test,
                    y_test=y_test,
                    initial_size=initial_size,
                    n_rounds=n_rounds,
                    random_state=seed,
                    verbose=f"seed {seed} {method}" if verbose else 0,
                )
                record = curve.to_dict()
                record["seconds"] = time.perf_counter() - start
                record.update(seed=seed, method=method)
                _append(runs_path, record)
                done[(seed, method)] = record
                log(
                    f"seed {seed} {method:<9} AUBC {curve.aubc:.4f} "
                    f"({record['seconds']:.1f} s)"
                )
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    results = {
        "config": config,
        "curves": {m: [done[(s, m)] for s in range(seeds)] for m in methods},
    }
    results["aubc"] = aubc_table(results)
    write_results(results, out)
    plot_results(results, out)
    log(format_table(results["aubc"]))
    if seeds < 12:
        log(
            f"\nThe order above is by the mean of {seeds} seed(s); it is not a "
            "ranking. Differences among the top methods are usually within the "
            "seed-to-seed noise at so few seeds. For a ranking with paired seeds, "
            "confidence intervals and tests, run `python -m skautoal suite` "
            "(12 seeds; docs/results.md)."
        )
    return results


def write_results(results, out):
    """Write ``results.json`` (config, curves, table) and ``aubc.csv``."""
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(out, "aubc.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["method", "mean", "std", "rank"])
        for row in results["aubc"]:
            writer.writerow(
                [row["method"], f"{row['mean']:.4f}", f"{row['std']:.4f}", row["rank"]]
            )


def aubc_table(results):
    """Mean and std AUBC per method, ranked (1 = best)."""
    rows = []
    for method, curves in results["curves"].items():
        values = np.array([c["aubc"] for c in curves])
        rows.append(
            {"method": method, "mean": float(values.mean()), "std": float(values.std())}
        )
    rows.sort(key=lambda r: -r["mean"])
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def format_table(rows):
    """The AUBC table as Markdown."""
    lines = ["| rank | method | AUBC mean | AUBC std |", "|---|---|---|---|"]
    lines += [
        f"| {r['rank']} | {r['method']} | {r['mean']:.4f} | {r['std']:.4f} |"
        for r in rows
    ]
    return "\n".join(lines)


def plot_results(results, out):
    """Write ``learning_curves.png`` and ``strategy_weights.png``."""
    from ._plots import count_ticks, figure, method_colours, method_markers, palette

    colours = method_colours(list(results["curves"]))
    markers = method_markers(list(results["curves"]))
    fig, ax = figure(figsize=(8, 5))
    for method, curves in results["curves"].items():
        n = np.array(curves[0]["n_labeled"])
        scores = np.array([c["scores"] for c in curves])
        mean, std = scores.mean(0), scores.std(0)
        style = dict(lw=2.5, zorder=5) if method == "autoal" else dict(lw=1.2)
        ax.plot(
            n,
            mean,
            label=method,
            color=colours[method],
            marker=markers[method],
            markersize=4,
            **style,
        )
        ax.fill_between(n, mean - std, mean + std, color=colours[method], alpha=0.1)
    cfg = results["config"]
    ax.set(
        xlabel="labelled samples",
        ylabel="test accuracy",
        title=(
            f"{cfg['dataset']} ({cfg['model']}): mean over {cfg['seeds']} "
            f"seed{'s' if cfg['seeds'] != 1 else ''}, "
            "band ± 1 s.d."
        ),
    )
    count_ticks(ax)
    ax.legend(ncol=2, fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "learning_curves.png"), dpi=120)

    fig, ax = figure(figsize=(8, 4))
    curves = results["curves"].get("autoal")
    if curves and curves[0]["strategy_weights"]:
        names = list(curves[0]["strategy_weights"][0])
        n = np.array(curves[0]["n_labeled"])
        shares = np.array(
            [
                np.nanmean(
                    [
                        [w.get(name, np.nan) for w in c["strategy_weights"]]
                        for c in curves
                    ],
                    0,
                )
                for name in names
            ]
        )
        # The shares of each round sum to 1: a stacked area shows the whole
        # batch and how it splits among the candidates.
        colours_tab = palette("tab10")
        ax.stackplot(
            n,
            shares,
            labels=names,
            colors=[colours_tab[i % len(colours_tab)] for i in range(len(names))],
            alpha=0.85,
        )
        ax.set(
            xlabel="labelled samples",
            ylabel="share of the batch proposed",
            ylim=(0, 1),
            xlim=(n[0], n[-1]),
            title="AutoAL's strategy shares per round (smoothed, mean over seeds)",
        )
        count_ticks(ax)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(  # top to bottom, as stacked
            handles[::-1],
            labels[::-1],
            fontsize=8,
            loc="center left",
            bbox_to_anchor=(1.01, 0.5),
        )
    else:
        ax.text(0.5, 0.5, "autoal was not run", ha="center", va="center")
        ax.set_axis_off()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "strategy_weights.png"), dpi=120)


def _number(text):
    """``--test-size``: an int when the text is one (a number of samples),
    else a float (a fraction)."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a fraction in (0, 1) or a number of samples; got {text!r}"
            ) from None


def add_arguments(parser):
    """The benchmark command's options."""
    parser.add_argument(
        "--dataset",
        default="digits",
        help="digits, fashion-mnist, a .npz (X, y) or a .csv path (columns of "
        "categories are one-hot encoded; a table's features are standardised for "
        "the MLP; a .npz's X of N x H x W or N x C x H x W holds images, taken "
        "as they are) (default: digits)",
    )
    parser.add_argument("--data-dir", default=None, help="Fashion-MNIST folder")
    parser.add_argument("--target", default=None, help="label column of a .csv")
    parser.add_argument(
        "--model",
        default="auto",
        choices=["auto", "mlp", "cnn"],
        help="the task model, a skorch net: 'auto' (default) takes the CNN for "
        "images (Fashion-MNIST, a .npz of N x H x W or N x C x H x W) and the MLP "
        "otherwise; 'cnn' on digits reads them as 1 x 8 x 8 images",
    )
    parser.add_argument(
        "--methods",
        default="all",
        help=f"comma list of {', '.join(METHODS)}, or all (default: all of "
        "them); on request also "
        f"{', '.join((*OPTIONAL_METHODS, *EXTRA_METHODS))}",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=3,
        help="the number of paired seeds, 0 to SEEDS-1: each seed draws one split "
        "and starting set, shared by every method (default: 3)",
    )
    parser.add_argument(
        "--initial-size",
        type=int,
        default=50,
        help="random labels to start from (default: 50)",
    )
    parser.add_argument(
        "--n-queries",
        type=int,
        default=25,
        help="labels each method asks for per round (default: 25)",
    )
    parser.add_argument(
        "--n-rounds",
        type=int,
        default=10,
        help="rounds of querying after the start (default: 10)",
    )
    parser.add_argument(
        "--test-size",
        type=_number,
        default=0.3,
        help="the held-out test set the accuracy is measured on: a fraction in "
        "(0, 1) or a number of samples (default: 0.3)",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=None,
        help="subsample the pool to this size (for CPU runs)",
    )
    from .suite import add_output_arguments

    add_output_arguments(parser, out="benchmark_results", device="auto")
