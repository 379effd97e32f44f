"""Pools that do not live in memory: memmap, zarr and dask arrays give the
same picks as numpy, and a query never loads the pool whole."""

import tracemalloc

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skautoal import AutoALQuerier
from skautoal.baselines import StrategyQuerier
from skautoal.loop import ActiveLearner, simulate
from skautoal.models import default_net
from skautoal.strategies import BADGE, CoreSet, MarginSampling
from skautoal.utils._arrays import RowSubset, take_rows
from skautoal.utils._validation import check_finite_samples


def _memmap(X, tmp_path):
    path = tmp_path / "pool.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r")


def _zarr(X, tmp_path):
    zarr = pytest.importorskip("zarr")
    z = zarr.create_array(
        store=str(tmp_path / "pool.zarr"),
        shape=X.shape,
        chunks=(97,) + X.shape[1:],
        dtype=X.dtype,
    )
    z[:] = X
    return z


def _dask(X, tmp_path):
    da = pytest.importorskip("dask.array")
    return da.from_array(X, chunks=(113,) + X.shape[1:])


POOLS = {"memmap": _memmap, "zarr": _zarr, "dask": _dask}


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    net = default_net("mlp", (64,), 10, random_state=0, device="cpu", max_steps=30)
    return X[:150], y[:150], X[150:900].astype(np.float64), net


@pytest.mark.parametrize("kind", list(POOLS))
def test_pool_kinds_give_the_numpy_picks(kind, fitted, tmp_path):
    X_lab, y_lab, X_pool, net = fitted
    pool = POOLS[kind](X_pool, tmp_path)
    queriers = [
        StrategyQuerier(net, MarginSampling(), n_queries=7, random_state=0),
        StrategyQuerier(net, CoreSet(), n_queries=7, random_state=0),
        StrategyQuerier(
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=300)),
            BADGE(),
            n_queries=7,
            random_state=0,
        ),
        AutoALQuerier(net, n_queries=7, random_state=0, device="cpu"),
    ]
    for querier in queriers:
        querier.fit(X_lab, y_lab)
        np.testing.assert_array_equal(querier.query(pool), querier.query(X_pool))


@pytest.mark.parametrize("kind", list(POOLS))
def test_learner_and_simulate_take_any_pool(kind, fitted, tmp_path, digits):
    X_lab, y_lab, X_pool, net = fitted
    pool = POOLS[kind](X_pool, tmp_path)
    querier = StrategyQuerier(net, MarginSampling(), n_queries=5, random_state=0)
    picks = []
    for X in (X_pool, pool):
        learner = ActiveLearner(querier, X, X_labeled=X_lab, y_labeled=y_lab)
        first = learner.query()
        learner.teach(first, np.zeros(len(first), dtype=int))
        picks.append((first, learner.query()))
    np.testing.assert_array_equal(picks[0][0], picks[1][0])
    np.testing.assert_array_equal(picks[0][1], picks[1][1])

    y_pool = digits[1][150:900]
    X_test, y_test = digits[0][900:1100], digits[1][900:1100]
    curves = [
        simulate(
            querier,
            X,
            y_pool,
            X_test=X_test,
            y_test=y_test,
            initial_size=20,
            n_rounds=2,
            random_state=0,
        )
        for X in (X_pool, pool)
    ]
    assert curves[0].scores == curves[1].scores
    for a, b in zip(curves[0].queried, curves[1].queried, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["memmap", "zarr"])
def test_a_query_never_loads_the_pool(kind, tmp_path):
    # 40,000 x 64 float64 is 20 MB; the query keeps per-sample scores and
    # a chunk or two, so its numpy allocations stay well below the pool's
    # size (loading it would take all 20 MB, and a float32 copy 10 more).
    rng = np.random.RandomState(0)
    X_pool = rng.rand(40_000, 64)
    pool = POOLS[kind](X_pool, tmp_path)
    del X_pool
    X_lab, y_lab = rng.rand(60, 64).astype(np.float32), np.arange(60) % 3
    net = default_net("mlp", (64,), 3, random_state=0, device="cpu", max_steps=5)
    querier = StrategyQuerier(net, MarginSampling(), n_queries=10, random_state=0)
    querier.fit(X_lab, y_lab)
    learner = ActiveLearner(querier, pool, X_labeled=X_lab, y_labeled=y_lab)
    tracemalloc.start()
    try:
        querier.query(pool)
        learner.query()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.6 * 20.48e6, f"peak {peak / 1e6:.1f} MB for a 20 MB pool"


def test_finite_check_reads_chunks_and_names_the_pool(tmp_path):
    X = np.random.RandomState(0).rand(20_000, 4)
    X[19_000, 2] = np.nan
    with pytest.raises(ValueError, match="X_pool contains NaN"):
        check_finite_samples(_zarr(X, tmp_path), "X_pool")
    X[19_000, 2] = 1e300
    with pytest.raises(ValueError, match="beyond float32's range"):
        check_finite_samples(_memmap(X, tmp_path), "X_pool")


def test_row_subset_reads_the_rows_asked_for(tmp_path):
    X = np.arange(300.0).reshape(100, 3)
    rows = np.array([50, 3, 99, 4, 5])
    for pool in (X, _memmap(X, tmp_path), _zarr(X, tmp_path)):
        subset = RowSubset(pool, rows)
        assert subset.shape == (5, 3) and len(subset) == 5
        np.testing.assert_array_equal(subset[1:4], X[rows[1:4]])
        np.testing.assert_array_equal(subset[np.array([4, 0])], X[rows[[4, 0]]])
        np.testing.assert_array_equal(np.asarray(subset), X[rows])
        np.testing.assert_array_equal(take_rows(pool, rows), X[rows])
        with pytest.raises(TypeError, match="whole rows"):
            subset[0:2, 1]
        # A slice over every column is whole rows (dask's from_array asks so).
        np.testing.assert_array_equal(subset[1:4, 0:3], X[rows[1:4]])
        np.testing.assert_array_equal(subset[1:4, ...], X[rows[1:4]])
        with pytest.raises(TypeError, match="whole rows"):
            subset[1:4, 0:2]


class _RowCountingScaler(StandardScaler):
    def transform(self, X, copy=None):
        self.rows_seen_ = [*getattr(self, "rows_seen_", []), len(X)]
        return super().transform(X, copy=copy)


@pytest.mark.parametrize("kind", ["memmap", "zarr"])
def test_pipeline_transforms_a_pool_read_by_rows_chunk_by_chunk(kind, fitted, tmp_path):
    from skautoal.pipeline import make_pipeline as make_querier_pipeline

    X_lab, y_lab, X_pool, net = fitted
    pool = POOLS[kind](X_pool, tmp_path)
    for querier in (
        StrategyQuerier(net, MarginSampling(), n_queries=7, random_state=0),
        AutoALQuerier(net, n_queries=7, random_state=0, device="cpu"),
    ):
        pipe = make_querier_pipeline(_RowCountingScaler(), querier)
        pipe.fit(X_lab, y_lab)
        expected = pipe.query(X_pool)
        scaler = pipe.steps[0][1]
        scaler.rows_seen_ = []
        np.testing.assert_array_equal(pipe.query(pool), expected)
        # Each pass over the pool (the finiteness check, the forward pass,
        # AutoAL's MC-dropout passes) reads it a chunk at a time: 1024 rows
        # at most, so the 750-row pool is one chunk, plus single rows.
        assert max(scaler.rows_seen_) <= 1024
        assert sum(scaler.rows_seen_) <= 3 * len(X_pool) + 10


def test_pipeline_query_never_loads_a_memmap_pool(tmp_path):
    # As test_a_query_never_loads_the_pool, through a Pipeline's scaler: the
    # scaler used to transform the whole 20 MB pool in memory first.
    from skautoal.pipeline import make_pipeline as make_querier_pipeline

    rng = np.random.RandomState(0)
    pool = _memmap(rng.rand(40_000, 64), tmp_path)
    X_lab, y_lab = rng.rand(60, 64).astype(np.float32), np.arange(60) % 3
    net = default_net("mlp", (64,), 3, random_state=0, device="cpu", max_steps=5)
    pipe = make_querier_pipeline(
        StandardScaler(),
        StrategyQuerier(net, MarginSampling(), n_queries=10, random_state=0),
    ).fit(X_lab, y_lab)
    tracemalloc.start()
    try:
        picked = pipe.query(pool)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 0.6 * 20.48e6, f"peak {peak / 1e6:.1f} MB for a 20 MB pool"
    scores = pipe[-1].predict_proba(pipe[0].transform(np.asarray(pool)))
    top2 = np.sort(scores, 1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    assert set(picked) == set(np.argsort(margin, kind="stable")[:10])


def test_transformed_rows_read_like_the_transformed_pool(tmp_path):
    from skautoal.utils._arrays import TransformedRows

    X = np.arange(300.0).reshape(100, 3)
    scaler = StandardScaler().fit(X)
    expected = scaler.transform(X)
    for pool in (X, _memmap(X, tmp_path), _zarr(X, tmp_path), RowSubset(X, range(100))):
        rows = TransformedRows(pool, scaler, scaler.transform(X[:1]))
        assert rows.shape == (100, 3) and len(rows) == 100 and rows.ndim == 2
        np.testing.assert_allclose(rows[10:20], expected[10:20])
        np.testing.assert_allclose(rows[np.array([50, 3, -1])], expected[[50, 3, -1]])
        np.testing.assert_allclose(take_rows(rows, [7, 2]), expected[[7, 2]])
        np.testing.assert_allclose(np.asarray(rows), expected)
        assert rows[5:5].shape == (0, 3)
        with pytest.raises(TypeError, match="whole rows"):
            rows[0:2, 1]
        np.testing.assert_allclose(rows[10:20, 0:3], expected[10:20])
        with pytest.raises(TypeError, match="whole rows"):
            rows[10:20, 1:]
        with pytest.raises(TypeError, match="row slices or row indices"):
            rows[3]
