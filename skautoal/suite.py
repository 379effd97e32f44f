"""``python -m skautoal suite``: paired, resumable experiments over blocks.

A block is one data set with its budget regime. Within a seed every method
gets the same test split, initial labelled set and task-model seed, so
methods can be compared seed by seed (paired). Each finished run is appended
to ``runs.jsonl`` at once; a rerun of the same command skips finished runs.
"""

import csv
import gzip
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from .benchmark import (
    EXTRA_METHODS,
    METHODS,
    OPTIONAL_METHODS,
    make_querier,
    parse_methods,
)
from .utils._torch import resolve_device
from .utils._validation import (
    _DEPRECATED,
    ParameterError,
    check_output_dir,
    check_param_int,
    resolve_verbose,
)


@dataclass(frozen=True)
class Block:
    """One data set with its budget regime."""

    name: str
    kind: str
    test_size: float
    initial_size: int
    n_rounds: int
    n_queries: int
    why: str


BLOCKS = {
    b.name: b
    for b in [
        Block("digits", "mlp", 540, 50, 10, 25, "today's reference"),
        Block("digits-lt", "mlp", 0.3, 30, 10, 20, "class imbalance"),
        Block("noisy", "mlp", 900, 100, 8, 50, "label noise"),
        Block("mnist1d", "mlp", 1200, 100, 8, 50, "low accuracy"),
        Block("quantiles", "mlp", 900, 60, 8, 30, "non-linear boundary"),
        Block("binary", "mlp", 600, 10, 10, 10, "binary, tiny start"),
        Block("digits-38", "mlp", 0.3, 10, 8, 10, "binary, cold start"),
        Block("fashion-mlp", "mlp", 2000, 100, 8, 50, "image features"),
        Block("digits-cnn", "cnn", 540, 50, 10, 25, "images, converged CNN"),
        Block("fashion-cnn", "cnn", 2000, 100, 8, 50, "images, converged CNN"),
        # Held out: never used to choose a method or a parameter, only to
        # check the choices made on the blocks above on data they never saw.
        Block("breast-cancer", "mlp", 0.3, 10, 8, 10, "held out: real, binary"),
        Block("classes-32", "mlp", 1000, 64, 8, 64, "held out: 32 classes"),
        Block("fashion-4", "mlp", 1000, 40, 8, 40, "held out: confusable classes"),
        Block("hastie", "mlp", 900, 20, 8, 30, "held out: binary, non-linear"),
        Block("imbalanced", "mlp", 900, 30, 8, 30, "held out: skewed classes"),
    ]
}
IMAGE_BLOCKS = ["digits-cnn", "fashion-cnn"]
HELDOUT_BLOCKS = ["breast-cancer", "classes-32", "fashion-4", "hastie", "imbalanced"]
DEFAULT_BLOCKS = [b for b in BLOCKS if b not in IMAGE_BLOCKS + HELDOUT_BLOCKS]
# The strategies AutoAL's default searches over: its "best single candidate"
# in a block is the best of these.
AUTOAL_CANDIDATES = ["margin", "entropy", "bald", "varratio", "coreset", "badge"]
SUITE_METHODS = [*METHODS, *EXTRA_METHODS]


# The arguments of scikit-learn's make_classification for the synthetic
# blocks (fixed seeds: the same data for every experiment seed).
_CLASSIFICATION = {
    "noisy": dict(
        n_samples=3000,
        n_features=20,
        n_informative=8,
        n_classes=4,
        n_clusters_per_class=2,
        flip_y=0.15,
        random_state=0,
    ),
    "binary": dict(
        n_samples=2000,
        n_features=30,
        n_informative=5,
        n_redundant=10,
        n_classes=2,
        class_sep=0.8,
        flip_y=0.03,
        random_state=0,
    ),
    "classes-32": dict(
        n_samples=4000,
        n_features=40,
        n_informative=20,
        n_redundant=5,
        n_classes=32,
        n_clusters_per_class=1,
        class_sep=1.5,
        random_state=1,
    ),
    "imbalanced": dict(
        n_samples=3000,
        n_features=20,
        n_informative=10,
        n_classes=5,
        weights=[0.6, 0.2, 0.1, 0.07, 0.03],
        flip_y=0.02,
        random_state=2,
    ),
}


def _pca_features(images):
    """Images as 50 standardised principal components (the Fashion-MNIST
    feature blocks)."""
    from sklearn.decomposition import PCA

    flat = images.reshape(len(images), -1)
    return _standardise(PCA(50, random_state=0).fit_transform(flat))


def _standardise(X):
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit_transform(X).astype(np.float32)


def load_block(name):
    """The data of block ``name`` as float32 ``X`` and integer ``y``.

    Every block is built offline; the synthetic ones use a fixed seed, so
    the data are the same for every experiment seed.

    Parameters
    ----------
    name : str
        A block of :data:`BLOCKS`, e.g. ``"digits"`` or ``"mnist1d"``.

    Returns
    -------
    X : ndarray of shape (n_samples, ...), dtype float32
        The samples (images for the CNN blocks).
    y : ndarray of shape (n_samples,), dtype int64
        Their labels.

    Raises
    ------
    FileNotFoundError
        For the Fashion-MNIST blocks, when the Debian files are absent.
    """
    from sklearn.datasets import (
        make_classification,
        make_gaussian_quantiles,
    )

    from .datasets import load_digits_data, load_fashion_mnist

    if name in ("digits", "digits-cnn"):
        return load_digits_data(images=name == "digits-cnn")
    if name == "digits-lt":
        X, y = load_digits_data()
        rng = np.random.RandomState(0)
        keep = np.concatenate(
            [
                rng.permutation(np.flatnonzero(y == c))[
                    : max(2, int(round(np.sum(y == c) * 10 ** (-c / 9))))
                ]
                for c in range(10)
            ]
        )
        return X[np.sort(keep)], y[np.sort(keep)]
    if name == "digits-38":
        X, y = load_digits_data()
        keep = np.isin(y, [3, 8])
        return X[keep], (y[keep] == 8).astype(np.int64)
    if name in _CLASSIFICATION:
        X, y = make_classification(**_CLASSIFICATION[name])
        return _standardise(X), y
    if name == "quantiles":
        X, y = make_gaussian_quantiles(
            n_samples=3000, n_features=10, n_classes=3, random_state=0
        )
        return _standardise(X), y
    if name == "mnist1d":
        try:
            from mnist1d.data import get_dataset_args, make_dataset
        except ImportError as exc:
            raise FileNotFoundError(
                "The mnist1d block needs the 'mnist1d' package (pip install mnist1d)."
            ) from exc

        args = get_dataset_args()
        args.num_samples = 4000
        data = make_dataset(args)
        X = np.concatenate([data["x"], data["x_test"]])
        y = np.concatenate([data["y"], data["y_test"]])
        return _standardise(X), y.astype(np.int64)
    if name == "breast-cancer":
        from sklearn.datasets import load_breast_cancer

        X, y = load_breast_cancer(return_X_y=True)
        return _standardise(X), y.astype(np.int64)
    if name == "fashion-4":
        # T-shirt, pullover, coat and shirt from the 10,000 test images (the
        # other Fashion-MNIST blocks use training images).
        X, y = load_fashion_mnist(subset="test")
        keep = np.isin(y, [0, 2, 4, 6])
        y = np.searchsorted([0, 2, 4, 6], y[keep]).astype(np.int64)
        return _pca_features(X[keep]), y
    if name == "hastie":
        from sklearn.datasets import make_hastie_10_2

        X, y = make_hastie_10_2(3000, random_state=0)
        return _standardise(X), (y > 0).astype(np.int64)
    if name in ("fashion-mlp", "fashion-cnn"):
        X, y = load_fashion_mnist()
        X, y = X[:5000], y[:5000]
        return (X, y) if name == "fashion-cnn" else (_pca_features(X), y)
    raise ValueError(f"Unknown block {name!r}: choose from {', '.join(BLOCKS)}.")


def parse_blocks(text):
    """``all`` (the default blocks), ``images``, ``heldout``, or a comma list."""
    if text in (None, "all"):
        return list(DEFAULT_BLOCKS)
    groups = {"all": DEFAULT_BLOCKS, "images": IMAGE_BLOCKS, "heldout": HELDOUT_BLOCKS}
    names = []
    for part in (p.strip() for p in text.split(",")):
        if part in groups:
            names += [b for b in groups[part] if b not in names]
        elif part:
            if part not in BLOCKS:
                raise ParameterError(
                    "blocks",
                    "run_suite",
                    f"names an unknown block {part!r}: choose from "
                    f"{', '.join(BLOCKS)}, 'all', 'images' or 'heldout'.",
                )
            if part not in names:
                names.append(part)
    if not names:
        raise ParameterError("blocks", "run_suite", "names no block.")
    return names


def machine_tag(device="cpu"):
    """What a run's timings and rounding depend on: the processor's
    architecture and the vector instructions torch uses on it, and the GPU
    when ``device`` is a CUDA device. Runs on different machines differ in
    rounding (so in picks) and in speed, so cost ratios are only taken
    between runs with the same tag.
    """
    import platform

    import torch

    tag = f"{platform.machine()}/{torch.backends.cpu.get_cpu_capability()}"
    if str(device).startswith("cuda") and torch.cuda.is_available():
        tag += f"/{torch.cuda.get_device_name(torch.device(device))}"
    return tag


def run_one(block_name, method, seed, n_rounds=None, device="cpu", *, picks=False):
    """One run: ``method`` on block ``block_name`` with seed ``seed``.

    With ``picks=True`` the record also holds, per round, the pool indices
    queried (``"queried"``) and their labels (``"queried_labels"``, the
    block's classes as 0 to C-1).

    Returns
    -------
    record : dict
        JSON-ready: block, method, seed, the learning curve and its timings.
    """
    import torch

    threads = _run_threads()
    torch.set_num_threads(threads)
    # BLAS too (the fashion block's PCA): a process that loaded numpy before
    # OMP_NUM_THREADS was set would otherwise round differently, and a run's
    # result would depend on --n-jobs.
    with _blas_threads(threads):
        return _run_one(block_name, method, seed, n_rounds, device, picks)


def _run_threads():
    """The threads of one run: ``OMP_NUM_THREADS``, 1 when unset."""
    return int(os.environ.get("OMP_NUM_THREADS", "1"))


def _blas_threads(threads):
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads)


def _run_one(block_name, method, seed, n_rounds, device, picks=False):
    from sklearn.model_selection import train_test_split

    from .loop import simulate
    from .models import default_net

    block = BLOCKS[block_name]
    X, y = load_block(block_name)
    _, y = np.unique(y, return_inverse=True)
    X_pool, X_test, y_pool, y_test = train_test_split(
        X, y, test_size=block.test_size, stratify=y, random_state=seed
    )
    estimator = default_net(
        block.kind, X.shape[1:], int(y.max()) + 1, random_state=seed, device=device
    )
    querier = make_querier(method, estimator, block.n_queries, seed, device)
    start = time.perf_counter()
    curve = simulate(
        querier,
        X_pool,
        y_pool,
        X_test=X_test,
        y_test=y_test,
        initial_size=block.initial_size,
        n_rounds=block.n_rounds if n_rounds is None else n_rounds,
        random_state=seed,
    )
    record = {"block": block_name, "method": method, "seed": int(seed)}
    record.update(curve.to_dict())
    if picks:
        record["queried_labels"] = [
            y_pool[np.asarray(q, int)].tolist() for q in curve.queried
        ]
    else:
        del record["queried"]
    record["seconds"] = time.perf_counter() - start
    record["machine"] = machine_tag(device)
    return record


def _append(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _drop_torn_line(path):
    """Cut a line that a crash left half-written, so appends stay valid."""
    if not os.path.exists(path):
        return
    with open(path, "rb+") as f:
        data = f.read()
        if data and not data.endswith(b"\n"):
            f.truncate(data.rfind(b"\n") + 1)


def read_runs(path):
    """The finished runs in ``runs.jsonl`` (or a gzipped copy, ``.gz``); a
    torn last line is dropped."""
    runs = []
    if not os.path.exists(path):
        return runs
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    with opener(path, "rt") as f:
        for line in f:
            try:
                runs.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return runs


def add_output_arguments(parser, *, out, device):
    """``--device``, ``--out``, ``--no-progress`` and ``--overwrite``, shared by
    the suite and the benchmark commands."""
    parser.add_argument(
        "--device",
        default=device,
        help="where the nets run: 'cpu', 'cuda', 'cuda:N', or 'auto' (CUDA when "
        f"there is a GPU) (default: {device})",
    )
    parser.add_argument(
        "--out",
        default=out,
        help="the results folder; a rerun of the same command there resumes, "
        f"skipping finished runs (default: {out})",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="no progress bar on stderr"
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="delete the runs in --out instead of resuming them",
    )


def method_fingerprints(methods, device="cpu"):
    """Each method's querier parameters (without the task model), as text.

    Part of a results folder's identity: a changed default in a new release
    is refused rather than mixed with the folder's older runs.
    """
    from .utils._fingerprint import stable_repr

    return {m: stable_repr(make_querier(m, None, 1, 0, device)) for m in methods}


def check_folder_identity(out, settings, *, overwrite=False, what="suite run"):
    """Refuse a results folder that holds runs of other settings.

    ``settings.json`` in ``out`` records the settings of the runs there; a
    rerun with the same settings resumes, any difference is refused with an
    error naming it, and ``overwrite=True`` deletes the old runs instead.
    """
    path = os.path.join(out, "settings.json")
    runs = os.path.join(out, "runs.jsonl")
    if overwrite:
        for name in (path, runs, os.path.join(out, "results.json")):
            if os.path.exists(name):
                os.remove(name)
    if os.path.exists(path):
        with open(path) as f:
            stored = json.load(f)
        diff = sorted(
            k
            for k in settings.keys() | stored.keys()
            if settings.get(k) != stored.get(k)
        )
        if diff:
            details = "; ".join(
                f"{k}: folder has {_short(stored.get(k))}, this run asks for "
                f"{_short(settings.get(k))}"
                for k in diff
            )
            raise ValueError(
                f"{out!r} holds a {what} with other settings ({details}). Use "
                "another output folder, the same settings to resume, or "
                "overwrite=True (--overwrite) to replace it."
            )
    else:
        if os.path.exists(runs) or os.path.exists(os.path.join(out, "results.json")):
            raise ValueError(
                f"{out!r} holds results without a record of their settings (an "
                "older version wrote them). Use another output folder, or "
                "overwrite=True (--overwrite) to replace them."
            )
        with open(path, "w") as f:
            json.dump(settings, f, indent=1)


def _short(value):
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _init_worker():
    import signal

    import torch

    # A Ctrl+C in a terminal reaches every process of the group: the parent
    # handles it (and stops the workers), so a worker never dies half-way
    # through writing a result.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(1)


def run_suite(
    *,
    blocks="all",
    methods=None,
    seeds=12,
    n_jobs=None,
    n_rounds=None,
    out="suite_results",
    device="cpu",
    verbose=0,
    overwrite=False,
    log=print,
    progress=_DEPRECATED,
):
    """Run every (block, method, seed) not yet in ``out/runs.jsonl``, then
    write the summary, statistics and plots.

    ``out`` records the settings (blocks and their data's content hash,
    methods and their querier parameters, seeds, rounds, device, version):
    a rerun with the same settings resumes, other settings are refused, and
    ``overwrite=True`` deletes the folder's runs first.

    Parameters
    ----------
    blocks : "all", "images", "heldout" or list of str, default="all"
        Block names (:data:`BLOCKS`); ``"images"`` adds the CNN blocks,
        ``"heldout"`` the blocks kept for checking (never for tuning).
    methods : list of str or None, default=None
        Method names of the benchmark; ``None`` is every one plus TAILOR.
    seeds : int, default=12
        Paired seeds 0 to ``seeds - 1``.
    n_jobs : int or None, default=None
        Worker processes (one run each, one torch thread); ``None`` is every
        core.
    n_rounds : int or None, default=None
        Overrides every block's number of rounds (smoke runs).
    out : str or path, default="suite_results"
        The output folder.
    device : str, default="cpu"
        The task models' device.
    verbose : int, default=0
        1 or more shows a progress bar over all runs, naming the run in
        flight, with an ETA (the CLI turns it on).
    overwrite : bool, default=False
        Delete the folder's runs and start afresh.
    log : callable, default=print
        Where progress lines go.
    progress : bool
        Deprecated since 0.2, removed in 0.3: use ``verbose``.

    Returns
    -------
    runs : list of dict
        Every finished run of the folder.
    """
    verbose = resolve_verbose(verbose, progress, "run_suite")
    blocks = parse_blocks(blocks)
    methods = (
        SUITE_METHODS
        if methods is None
        else parse_methods(methods, SUITE_METHODS, OPTIONAL_METHODS, "run_suite")
    )
    seeds = check_param_int(seeds, "seeds", 1, "run_suite")
    if n_rounds is not None:
        check_param_int(n_rounds, "n_rounds", 1, "run_suite")
    n_jobs = os.cpu_count() if n_jobs is None else n_jobs
    n_jobs = check_param_int(n_jobs, "n_jobs", 1, "run_suite")
    resolve_device(device, "device", "run_suite")
    check_output_dir(out)
    from .utils._fingerprint import content_hash

    available, data = [], {}
    for name in blocks:
        # Loaded with the BLAS threads of the runs, so the hash is that of
        # the data they see: the fashion block's PCA rounds differently with
        # more threads, and the folder would be refused (or accepted) by
        # how many threads the launching process had.
        try:
            with _blas_threads(_run_threads()):
                X, y = load_block(name)
        except FileNotFoundError as exc:
            log(f"block {name} skipped: {exc}")
            continue
        available.append(name)
        data[name] = f"{content_hash(X)}:{content_hash(y)}"
    os.makedirs(out, exist_ok=True)
    from ._version import __version__

    settings = dict(
        blocks=available,
        methods=list(methods),
        seeds=seeds,
        n_rounds=n_rounds,
        device=device,
        version=__version__,
        data=data,
        queriers=method_fingerprints(methods, device),
    )
    check_folder_identity(out, settings, overwrite=overwrite)
    path = os.path.join(out, "runs.jsonl")
    _drop_torn_line(path)
    done = {(r["block"], r["method"], r["seed"]) for r in read_runs(path)}
    todo = [
        (b, m, s)
        for s in range(seeds)
        for b in available
        for m in methods
        if (b, m, s) not in done
    ]
    if todo:
        _execute(todo, path, n_jobs, n_rounds, device, verbose, log)
    runs = [
        r
        for r in read_runs(path)
        if r["block"] in available and r["method"] in methods and r["seed"] < seeds
    ]
    write_report(runs, out, log=log)
    return runs


def _execute(todo, path, n_jobs, n_rounds, device, verbose, log):
    bar = None
    if verbose:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc="suite", unit="run")
    os.environ["OMP_NUM_THREADS"] = "1"
    if n_jobs == 1:
        try:
            for b, m, s in todo:
                if bar is not None:
                    bar.set_postfix_str(f"{b} {m} seed {s}")
                _append(path, run_one(b, m, s, n_rounds, device))
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    pending = {}
    queue = list(todo)
    others = set(multiprocessing.active_children())
    with ProcessPoolExecutor(
        n_jobs, mp_context=context, initializer=_init_worker
    ) as pool:
        try:
            while queue or pending:
                while queue and len(pending) < n_jobs:
                    b, m, s = queue.pop(0)
                    pending[pool.submit(run_one, b, m, s, n_rounds, device)] = (b, m, s)
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    b, m, s = pending.pop(future)
                    _append(path, future.result())
                    if bar is not None:
                        bar.set_postfix_str(f"{b} {m} seed {s}")
                        bar.update(1)
        except BaseException:
            # Interrupted (Ctrl+C, SIGTERM) or failed: finished runs are on
            # disk already; the runs in flight are stopped, not awaited.
            pool.shutdown(wait=False, cancel_futures=True)
            for child in set(multiprocessing.active_children()) - others:
                child.terminate()
            raise
        finally:
            if bar is not None:
                bar.close()


# -- statistics -----------------------------------------------------------


def _matrix(runs, block, methods, key="aubc"):
    """(n_seeds, n_methods) of ``key``, over the seeds every method finished."""
    by = {(r["method"], r["seed"]): r[key] for r in runs if r["block"] == block}
    seeds = sorted({s for (m, s) in by if all((mm, s) in by for mm in methods)})
    return np.array([[by[(m, s)] for m in methods] for s in seeds]), seeds


def paired_bootstrap_ci(diffs, n_resamples=10000, seed=0):
    """The 95% percentile bootstrap CI of the mean of paired differences.

    Parameters
    ----------
    diffs : array-like of shape (n_pairs,)
        Paired differences, e.g. AUBC(a) - AUBC(b) per seed.
    n_resamples : int, default=10000
        Bootstrap resamples.
    seed : int, default=0
        Seeds the resampling.

    Returns
    -------
    low, high : float
        The 2.5% and 97.5% percentiles of the resampled means.

    Examples
    --------
    >>> from skautoal.suite import paired_bootstrap_ci
    >>> low, high = paired_bootstrap_ci([0.01, 0.02, -0.005, 0.015])
    >>> bool(low < 0.01 < high)
    True
    """
    diffs = np.asarray(diffs, dtype=float)
    rng = np.random.RandomState(seed)
    means = diffs[rng.randint(0, len(diffs), (n_resamples, len(diffs)))].mean(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def wilcoxon_p(diffs):
    """Two-sided Wilcoxon signed-rank p; 1.0 when every difference is 0."""
    from scipy.stats import wilcoxon

    diffs = np.asarray(diffs, dtype=float)
    if np.allclose(diffs, 0):
        return 1.0
    return float(wilcoxon(diffs).pvalue)


def holm(pvalues):
    """Holm-adjusted p-values, in the input order."""
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p)
    adjusted = np.empty_like(p)
    running = 0.0
    for i, j in enumerate(order):
        running = max(running, (len(p) - i) * p[j])
        adjusted[j] = min(1.0, running)
    return adjusted


def nemenyi_cd(n_methods, n_blocks, alpha=0.05):
    """Nemenyi's critical difference of mean ranks (Demšar 2006).

    Parameters
    ----------
    n_methods : int
        Methods ranked.
    n_blocks : int
        Blocks (data sets) they are ranked on.
    alpha : float, default=0.05
        The level of the test.

    Returns
    -------
    cd : float
        Two methods whose mean ranks differ by more differ significantly.

    Examples
    --------
    >>> from skautoal.suite import nemenyi_cd
    >>> round(nemenyi_cd(12, 8), 2)
    5.89
    """
    from scipy.stats import studentized_range

    q = studentized_range.ppf(1 - alpha, n_methods, np.inf) / np.sqrt(2)
    return float(q * np.sqrt(n_methods * (n_methods + 1) / (6 * n_blocks)))


def _ranks(values):
    from scipy.stats import rankdata

    return rankdata(-np.asarray(values), method="average")


def _round_seconds(run):
    """A run's mean seconds per round: one fit plus one query."""
    return np.mean(run["fit_seconds"]) + np.mean(run["query_seconds"] or [0])


def compute_stats(runs, reference="autoal"):
    """Everything the report shows, from the finished runs."""
    blocks = list(dict.fromkeys(r["block"] for r in runs))
    methods = list(dict.fromkeys(r["method"] for r in runs))
    summary, comparisons, costs = [], {}, []
    block_means = {}
    for block in blocks:
        aubc, seeds = _matrix(runs, block, methods)
        if not len(seeds):
            continue
        final, _ = _matrix(runs, block, methods, key="scores")
        means = aubc.mean(0)
        block_means[block] = means
        ranks = _ranks(means)
        for j, m in enumerate(methods):
            summary.append(
                dict(
                    block=block,
                    method=m,
                    mean_aubc=float(means[j]),
                    sd_aubc=float(aubc[:, j].std(ddof=1)) if len(seeds) > 1 else 0.0,
                    rank=float(ranks[j]),
                    final_accuracy=float(np.mean([c[-1] for c in final[:, j]])),
                    n_seeds=len(seeds),
                )
            )
        if reference in methods:
            ref = methods.index(reference)
            rows = []
            for j, m in enumerate(methods):
                if j == ref:
                    continue
                d = aubc[:, ref] - aubc[:, j]
                low, high = paired_bootstrap_ci(d)
                rows.append(
                    dict(
                        method=m,
                        diff=float(d.mean()),
                        low=low,
                        high=high,
                        p=wilcoxon_p(d),
                        wins=int((d > 0).sum()),
                        n=len(d),
                    )
                )
            for row, p in zip(rows, holm([r["p"] for r in rows]), strict=True):
                row["p_holm"] = float(p)
            comparisons[block] = rows
        by = {(r["method"], r["seed"]): r for r in runs if r["block"] == block}
        # Seconds compare only on one machine (runs without a tag predate it
        # and count as one unknown machine): a method's ratio needs entropy
        # runs of the machine all its runs ran on, else it is NaN.
        entropy = {}
        for r in (by[("entropy", s)] for s in seeds if ("entropy", s) in by):
            entropy.setdefault(r.get("machine"), []).append(_round_seconds(r))
        base = {machine: np.mean(seconds) for machine, seconds in entropy.items()}
        for m in methods:
            rs = [by[(m, s)] for s in seeds]
            fit = float(np.mean([np.mean(r["fit_seconds"]) for r in rs]))
            query = float(np.mean([np.mean(r["query_seconds"] or [0]) for r in rs]))
            machines = {r.get("machine") for r in rs}
            entropy_seconds = base.get(machines.pop()) if len(machines) == 1 else None
            costs.append(
                dict(
                    block=block,
                    method=m,
                    fit_seconds=fit,
                    query_seconds=query,
                    ratio_to_entropy=(
                        (fit + query) / entropy_seconds if entropy_seconds else np.nan
                    ),
                )
            )
    overall = {}
    if len(block_means) >= 2 and len(methods) >= 3:
        from scipy.stats import friedmanchisquare

        table = np.array([block_means[b] for b in block_means])
        rank_table = np.array([_ranks(row) for row in table])
        overall = dict(
            methods=methods,
            mean_rank=rank_table.mean(0).tolist(),
            friedman_p=float(friedmanchisquare(*table.T).pvalue),
            cd=nemenyi_cd(len(methods), len(block_means)),
            n_blocks=len(block_means),
        )
        if reference in methods:
            ref = methods.index(reference)
            rows = []
            for j, m in enumerate(methods):
                if j != ref:
                    d = table[:, ref] - table[:, j]
                    rows.append(dict(method=m, p=wilcoxon_p(d), diff=float(d.mean())))
            for row, p in zip(rows, holm([r["p"] for r in rows]), strict=True):
                row["p_holm"] = float(p)
            overall["across_blocks"] = rows
    return dict(
        summary=summary,
        comparisons=comparisons,
        costs=costs,
        overall=overall,
        reference=reference,
    )


def best_candidate_gaps(runs, reference="autoal"):
    """Per block: AutoAL minus the best single AutoAL candidate of that
    block, with its paired-bootstrap CI."""
    rows = []
    for block in dict.fromkeys(r["block"] for r in runs):
        present = {r["method"] for r in runs if r["block"] == block}
        cands = [m for m in AUTOAL_CANDIDATES if m in present]
        if reference not in present or not cands:
            continue
        aubc, _ = _matrix(runs, block, [reference, *cands])
        if not len(aubc):
            continue
        best = int(np.argmax(aubc[:, 1:].mean(0))) + 1
        d = aubc[:, 0] - aubc[:, best]
        low, high = paired_bootstrap_ci(d)
        rows.append(
            dict(
                block=block,
                best=cands[best - 1],
                diff=float(d.mean()),
                low=low,
                high=high,
            )
        )
    return rows


def format_stats(stats, gaps):
    """``stats.md``: per-block comparisons and the across-block test."""
    ref = stats["reference"]
    lines = ["# Suite statistics", ""]
    seeds = [rows[0]["n"] for rows in stats["comparisons"].values() if rows]
    if seeds and min(seeds) < 12:
        lines += [
            f"Only {min(seeds)} paired seeds in some block: the intervals and tests "
            "below are wide at this size, and a difference they do not detect may "
            "still be there. The suite's protocol uses 12 or more (`--seeds 12`).",
            "",
        ]
    overall = stats["overall"]
    if overall:
        lines += [
            f"## Across {overall['n_blocks']} blocks",
            "",
            f"Friedman p = {overall['friedman_p']:.3g}; Nemenyi critical difference "
            f"(alpha 0.05) = {overall['cd']:.2f} ranks.",
            "",
            "| method | mean rank |",
            "|---|---|",
        ]
        order = np.argsort(overall["mean_rank"])
        lines += [
            f"| {overall['methods'][i]} | {overall['mean_rank'][i]:.2f} |"
            for i in order
        ]
        if "across_blocks" in overall:
            lines += [
                "",
                f"{ref} against each method on the block means (Wilcoxon, Holm):",
                "",
                "| method | mean diff | p | p (Holm) |",
                "|---|---|---|---|",
            ]
            lines += [
                f"| {r['method']} | {r['diff']:+.4f} | {r['p']:.3g} | "
                f"{r['p_holm']:.3g} |"
                for r in overall["across_blocks"]
            ]
        lines.append("")
    if gaps:
        lines += [
            f"## {ref} against the best single candidate of each block",
            "",
            "| block | best candidate | mean diff | 95% CI |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {g['block']} | {g['best']} | {g['diff']:+.4f} | "
            f"[{g['low']:+.4f}, {g['high']:+.4f}] |"
            for g in gaps
        ]
        lines.append("")
    for block, rows in stats["comparisons"].items():
        n = rows[0]["n"] if rows else 0
        lines += [
            f"## {block}: {ref} minus each method ({n} paired seeds)",
            "",
            "| method | mean diff | 95% bootstrap CI | wins | Wilcoxon p | p (Holm) |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['method']} | {r['diff']:+.4f} | [{r['low']:+.4f}, "
            f"{r['high']:+.4f}] | {r['wins']}/{r['n']} | {r['p']:.3g} | "
            f"{r['p_holm']:.3g} |"
            for r in sorted(rows, key=lambda r: -r["diff"])
        ]
        lines.append("")
    return "\n".join(lines) + "\n"


def write_report(runs, out, log=print):
    """``summary.csv``, ``cost.csv``, ``stats.md``, the CD diagram and one
    learning-curve plot per block."""
    from ._plots import (
        plot_critical_difference,
        plot_strategy_shares,
        plot_suite_curves,
        share_total_variation,
    )

    if not runs:
        log("no finished runs to report")
        return None
    reference = (
        "autoal" if any(r["method"] == "autoal" for r in runs) else runs[0]["method"]
    )
    stats = compute_stats(runs, reference)
    gaps = best_candidate_gaps(runs, reference)
    with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "block",
                "method",
                "mean_aubc",
                "sd_aubc",
                "rank",
                "final_accuracy",
                "n_seeds",
            ]
        )
        for r in stats["summary"]:
            writer.writerow(
                [
                    r["block"],
                    r["method"],
                    f"{r['mean_aubc']:.4f}",
                    f"{r['sd_aubc']:.4f}",
                    f"{r['rank']:g}",
                    f"{r['final_accuracy']:.4f}",
                    r["n_seeds"],
                ]
            )
    with open(os.path.join(out, "cost.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["block", "method", "fit_seconds", "query_seconds", "ratio_to_entropy"]
        )
        for r in stats["costs"]:
            writer.writerow(
                [
                    r["block"],
                    r["method"],
                    f"{r['fit_seconds']:.3f}",
                    f"{r['query_seconds']:.3f}",
                    f"{r['ratio_to_entropy']:.2f}",
                ]
            )
    tv = share_total_variation(runs, reference)
    text = format_stats(stats, gaps)
    if tv:
        text += "\n".join(
            [
                f"## {reference}: round-to-round change of the strategy shares",
                "",
                "Total-variation distance between consecutive rounds' shares.",
                "",
                "| block | mean | max |",
                "|---|---|---|",
                *(f"| {b} | {m:.3f} | {x:.3f} |" for b, (m, x) in tv.items()),
                "",
            ]
        )
    with open(os.path.join(out, "stats.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "stats.json"), "w") as f:
        json.dump(dict(stats, gaps=gaps, share_tv=tv), f, indent=1)

    if stats["overall"]:
        plot_critical_difference(
            stats["overall"], os.path.join(out, "critical_difference.png")
        )
    if tv:
        plot_strategy_shares(
            runs, os.path.join(out, "strategy_shares.png"), method=reference
        )
    # One style per method across the blocks' plots: the suite's method
    # order, not the order in which runs happened to finish.
    present = {r["method"] for r in runs}
    known = [*SUITE_METHODS, *OPTIONAL_METHODS]
    order = [m for m in known if m in present] + sorted(present - set(known))
    for block in dict.fromkeys(r["block"] for r in runs):
        plot_suite_curves(
            [r for r in runs if r["block"] == block],
            block,
            os.path.join(out, f"curves_{block}.png"),
            highlight=reference,
            order=order,
        )
    return stats


def add_arguments(parser):
    """The suite command's options."""
    parser.add_argument(
        "--blocks",
        default="all",
        help=f"comma list of {', '.join(BLOCKS)}; 'all' (default: "
        f"{', '.join(DEFAULT_BLOCKS)}), 'images' (the CNN blocks) or 'heldout' "
        "(blocks kept for checking, never for tuning)",
    )
    parser.add_argument(
        "--methods",
        default=None,
        help=f"comma list of {', '.join(SUITE_METHODS)} (default: all of them)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=12,
        help="the number of paired seeds, 0 to SEEDS-1: each seed draws one split "
        "and starting set per block, shared by every method (default: 12)",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=None, help="processes (default: all cores)"
    )
    parser.add_argument(
        "--n-rounds",
        type=int,
        default=None,
        help="override every block's number of rounds",
    )
    add_output_arguments(parser, out="suite_results", device="cpu")
