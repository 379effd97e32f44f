"""Speed and memory of skautoal's strategies against scikit-activeml.

One fitted skorch MLP (embedding width 128, 10 classes) and one pool of
N=100 000 samples are shared by every method; each method runs in its own
subprocess so its peak extra memory (max RSS minus the RSS before the call)
can be read. Times are wall-clock seconds of the query call, measured in this
one run, and reported as ratios.

    pip install -e ".[bench]"
    python benchmarks/bench_strategies.py [--n-pool 100000] [--n-queries 1000]

Our strategies are timed *including* the forward pass over the pool that
computes their inputs; scikit-activeml's CoreSet gets precomputed embeddings.
"""

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time

import numpy as np


def _rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _reset_peak():
    # Writing 5 to clear_refs resets the peak RSS (VmHWM) of this process.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _peak_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _two_output_module():
    import torch

    from skautoal.models import MLPModule

    class TwoOutputMLP(MLPModule):
        """The same MLP, returning (logits, embedding) for scikit-activeml."""

        def forward(self, X):
            emb = self.embed(X)
            return self.output(emb), emb

    return TwoOutputMLP, torch


def _skactiveml_clf(workdir, n_features, n_classes):
    from skactiveml.classifier import SkorchClassifier

    module, torch = _two_output_module()
    with open(os.path.join(workdir, "net.pkl"), "rb") as f:
        net = pickle.load(f)
    clf = SkorchClassifier(
        module,
        forward_outputs={"proba": (0, torch.nn.Softmax(dim=-1)), "emb": (1, None)},
        neural_net_param_dict={
            "module__n_classes": n_classes,
            "module__n_features": n_features,
            "module__hidden_units": 128,
            "batch_size": 1024,
        },
        classes=np.arange(n_classes),
    )
    clf.initialize()
    clf.neural_net_.module_.load_state_dict(net.module_.state_dict())
    clf.neural_net_.module_.eval()
    return clf


def run_method(method, workdir, n_queries):
    """Run one method in this process; print JSON with seconds and memory."""
    data = np.load(os.path.join(workdir, "data.npz"))
    X_lab, X_pool = data["X_lab"], data["X_pool"]
    n_classes = int(data["n_classes"])
    with open(os.path.join(workdir, "net.pkl"), "rb") as f:
        net = pickle.load(f)
    from skautoal.models import TaskModel
    from skautoal.strategies import (
        BADGE,
        CoreSet,
        EntropySampling,
        LeastConfidence,
        MarginSampling,
    )

    model = TaskModel(net, chunk_size=4096)
    prepared = None
    if method.startswith("skactiveml"):
        from skactiveml.pool import Badge, UncertaintySampling
        from skactiveml.pool import CoreSet as SkCoreSet

        clf = _skactiveml_clf(workdir, X_pool.shape[1], n_classes)
        X_all = np.vstack([X_lab, X_pool])
        y_all = np.full(len(X_all), np.nan)
        y_all[: len(X_lab)] = data["y_lab"]
        candidates = np.arange(len(X_lab), len(X_all))
        if method == "skactiveml-coreset":
            emb = model.proba_and_embedding(X_all)[1]
            prepared = emb
    # Warm up torch's thread pool and allocator so neither is billed to the method.
    model.predict_proba(X_pool[:8192])
    if method == "uncertainty-overhead":
        print(json.dumps(_uncertainty_overhead(model, X_pool, n_queries)))
        return
    _reset_peak()
    rss_before = _rss_mib()
    start = time.perf_counter()
    if method == "margin":
        MarginSampling().select(model, X_pool, n_queries, random_state=0)
    elif method == "entropy":
        EntropySampling().select(model, X_pool, n_queries, random_state=0)
    elif method == "least-confidence":
        LeastConfidence().select(model, X_pool, n_queries, random_state=0)
    elif method == "coreset":
        CoreSet().select(model, X_pool, n_queries, X_labeled=X_lab, random_state=0)
    elif method == "badge":
        BADGE().select(model, X_pool, n_queries, random_state=0)
    elif method == "skactiveml-margin":
        UncertaintySampling(method="margin_sampling", random_state=0).query(
            X_all,
            y_all,
            clf,
            fit_clf=False,
            candidates=candidates,
            batch_size=n_queries,
        )
    elif method == "skactiveml-coreset":
        SkCoreSet(random_state=0).query(
            prepared, y_all, candidates=candidates, batch_size=n_queries
        )
    elif method == "skactiveml-badge":
        Badge(clf_embedding_flag_name={"extra_outputs": "emb"}, random_state=0).query(
            X_all,
            y_all,
            clf,
            fit_clf=False,
            candidates=candidates,
            batch_size=n_queries,
        )
    else:
        raise ValueError(f"unknown method {method!r}")
    seconds = time.perf_counter() - start
    extra = max(_peak_mib() - rss_before, 0.0)
    print(json.dumps({"method": method, "seconds": seconds, "extra_mib": extra}))


def _uncertainty_overhead(model, X_pool, n_queries, repeats=10):
    """Best-of-``repeats`` seconds of one predict_proba pass and of each
    uncertainty selection (which includes its own predict_proba pass)."""
    from skautoal.strategies import EntropySampling, LeastConfidence, MarginSampling

    calls = {
        "predict_proba": lambda: model.predict_proba(X_pool),
        "margin": lambda: MarginSampling().select(model, X_pool, n_queries),
        "entropy": lambda: EntropySampling().select(model, X_pool, n_queries),
        "least-confidence": lambda: LeastConfidence().select(model, X_pool, n_queries),
    }
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def prepare(workdir, n_pool, n_labeled, random_state=0):
    import torch
    from sklearn.datasets import make_classification
    from skorch import NeuralNetClassifier

    from skautoal.models import MLPModule

    n_classes = 10
    X, y = make_classification(
        n_samples=n_pool + n_labeled,
        n_features=64,
        n_informative=32,
        n_classes=n_classes,
        random_state=random_state,
    )
    X = X.astype(np.float32)
    torch.manual_seed(random_state)
    net = NeuralNetClassifier(
        MLPModule,
        module__n_classes=n_classes,
        module__n_features=64,
        module__hidden_units=128,
        max_epochs=10,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        train_split=None,
        verbose=0,
        batch_size=1024,
    ).fit(X[:n_labeled], y[:n_labeled])
    np.savez(
        os.path.join(workdir, "data.npz"),
        X_lab=X[:n_labeled],
        y_lab=y[:n_labeled],
        X_pool=X[n_labeled:],
        n_classes=n_classes,
    )
    with open(os.path.join(workdir, "net.pkl"), "wb") as f:
        pickle.dump(net, f)


METHODS = [
    "uncertainty-overhead",
    "margin",
    "coreset",
    "badge",
    "skactiveml-margin",
    "skactiveml-coreset",
    "skactiveml-badge",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=100_000)
    parser.add_argument("--n-labeled", type=int, default=1000)
    parser.add_argument("--n-queries", type=int, default=1000)
    parser.add_argument("--timeout", type=int, default=1200)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        run_method(args.run, args.workdir, args.n_queries)
        return
    results, overhead = {}, None
    with tempfile.TemporaryDirectory() as workdir:
        prepare(workdir, args.n_pool, args.n_labeled)
        for method in args.methods.split(","):
            cmd = [
                sys.executable,
                __file__,
                "--run",
                method,
                "--workdir",
                workdir,
                "--n-queries",
                str(args.n_queries),
            ]
            try:
                proc = subprocess.run(
                    cmd,
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                    check=True,
                )
                results[method] = json.loads(proc.stdout.strip().splitlines()[-1])
                if method == "uncertainty-overhead":
                    overhead = results.pop(method)
                    print(json.dumps(overhead), flush=True)
                    continue
            except subprocess.TimeoutExpired:
                results[method] = {"seconds": float("inf"), "extra_mib": float("nan")}
            except subprocess.CalledProcessError as exc:
                print(exc.stderr[-2000:], file=sys.stderr)
                results[method] = {"seconds": float("nan"), "extra_mib": float("nan")}
            r = results[method]
            print(
                f"{method:<20} {r['seconds']:9.2f} s  {r['extra_mib']:9.0f} MiB",
                flush=True,
            )
    print(f"\nN={args.n_pool}, B={args.n_queries}, embedding width 128, 10 classes")
    print(
        "| strategy | skautoal s | skautoal extra MiB | scikit-activeml s | "
        "scikit-activeml extra MiB | speed-up |"
    )
    print("|---|---|---|---|---|---|")
    for ours, theirs in [
        ("margin", "skactiveml-margin"),
        ("coreset", "skactiveml-coreset"),
        ("badge", "skactiveml-badge"),
    ]:
        a, b = results.get(ours), results.get(theirs)
        if a and b:
            print(
                f"| {ours} | {a['seconds']:.2f} | {a['extra_mib']:.0f} | "
                f"{b['seconds']:.2f} | {b['extra_mib']:.0f} | "
                f"{b['seconds'] / a['seconds']:.1f}x |"
            )
    if overhead:
        base = overhead["predict_proba"]
        print(f"\nOne predict_proba pass over the pool: {base:.3f} s (best of 10)")
        for name in ("margin", "entropy", "least-confidence"):
            over = overhead[name] / base - 1
            print(f"{name}: select() costs {100 * over:+.1f}% over predict_proba")


if __name__ == "__main__":
    main()
