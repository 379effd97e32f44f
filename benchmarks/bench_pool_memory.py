"""Extra memory of ``query`` over a float64 pool, with and without the whole-pool cast.

A second table: ``Pipeline(StandardScaler(), querier).query`` over the same
pool as a memmap, transformed lazily chunk by chunk (now) or whole before
the query (before; the same querier on ``scaler.transform(pool)``).

skorch nets take float32. ``query`` used to copy a float64 pool whole to
float32 before the forward pass (half the pool's bytes again); it now casts
each chunk as it goes. This script runs both in one process, on the same
fitted querier and pool, and prints numpy's peak allocation during ``query``
(``tracemalloc`` sees numpy's buffers, not torch's) relative to the pool::

    python benchmarks/bench_pool_memory.py [--n-pool 200000] [--n-features 64]
"""

import argparse
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np


def _peak(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pool", type=int, default=200_000)
    parser.add_argument("--n-features", type=int, default=64)
    args = parser.parse_args(argv)
    from skautoal.baselines import StrategyQuerier
    from skautoal.models import default_net
    from skautoal.strategies import MarginSampling

    rng = np.random.RandomState(0)
    X_pool = rng.randn(args.n_pool, args.n_features)  # float64
    X_lab = rng.randn(300, args.n_features).astype(np.float32)
    y_lab = np.arange(300) % 10
    net = default_net("mlp", (args.n_features,), 10, random_state=0, device="cpu")
    querier = StrategyQuerier(net, MarginSampling(), n_queries=50, random_state=0)
    querier.fit(X_lab, y_lab)
    validate = type(querier)._validate_X

    def old_validate(self, X, *, reset, y=None, cast=True, **kwargs):
        return validate(self, X, reset=reset, cast=True)

    new = _peak(lambda: querier.query(X_pool))
    type(querier)._validate_X = old_validate
    try:
        old = _peak(lambda: querier.query(X_pool))
    finally:
        type(querier)._validate_X = validate
    mb = X_pool.nbytes / 2**20
    print(f"pool: {args.n_pool} x {args.n_features} float64, {mb:.0f} MiB")
    print("| query | numpy peak MiB | / pool |")
    print("|---|---|---|")
    rows = [("whole-pool cast (before)", old), ("per-chunk cast (now)", new)]
    for name, peak in rows:
        print(f"| {name} | {peak / 2**20:.1f} | {peak / X_pool.nbytes:.2f} |")
    _pipeline(X_pool, X_lab, y_lab, net)


def _pipeline(X_pool, X_lab, y_lab, net):
    from sklearn.preprocessing import StandardScaler

    from skautoal.baselines import StrategyQuerier
    from skautoal.pipeline import make_pipeline
    from skautoal.strategies import MarginSampling

    pipe = make_pipeline(
        StandardScaler(),
        StrategyQuerier(net, MarginSampling(), n_queries=50, random_state=0),
    ).fit(X_lab, y_lab)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pool.npy"
        np.save(path, X_pool)
        pool = np.load(path, mmap_mode="r")
        picks = {}

        def lazy():
            picks["lazy"] = pipe.query(pool)

        def whole():
            picks["whole"] = pipe[-1].query(pipe[0].transform(pool))

        new, old = _peak(lazy), _peak(whole)
    assert (picks["lazy"] == picks["whole"]).all(), "the two paths picked differently"
    print("\nPipeline(StandardScaler(), querier).query over the pool as a memmap:")
    print("| pipeline query | numpy peak MiB | / pool |")
    print("|---|---|---|")
    rows = [("whole-pool transform (before)", old), ("per-chunk transform (now)", new)]
    for name, peak in rows:
        print(f"| {name} | {peak / 2**20:.1f} | {peak / X_pool.nbytes:.2f} |")


if __name__ == "__main__":
    main()
