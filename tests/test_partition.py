"""Two-stage queries: partitions of a large pool, in process and on Dask."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.preprocessing import StandardScaler

from skautoal import AutoALQuerier, config_context, get_config, set_config
from skautoal.baselines import (
    ALBLQuerier,
    StrategyQuerier,
    TAILORQuerier,
    UniformVoteQuerier,
)
from skautoal.loop import ActiveLearner
from skautoal.metrics import badge_cost, kcenter_radius
from skautoal.models import default_net
from skautoal.pipeline import make_pipeline
from skautoal.search import FisherBatchValue
from skautoal.strategies import (
    BADGE,
    CoreSet,
    EntropySampling,
    LeastConfidence,
    MarginSampling,
)

SCORE_STRATEGIES = [MarginSampling, EntropySampling, LeastConfidence]


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:150], y[:150], X[150:]


@pytest.fixture(scope="module")
def net():
    return default_net("mlp", (64,), 10, random_state=0, device="cpu", max_steps=60)


def fitted(querier_cls, net, data, **params):
    X_lab, y_lab, _ = data
    return querier_cls(net, n_queries=20, random_state=0, **params).fit(X_lab, y_lab)


# -- settings ------------------------------------------------------------------


def test_config_context_restores_and_rejects_bad_values():
    assert get_config()["partition_size"] == 2**18
    with config_context(partition_size=10):
        assert get_config()["partition_size"] == 10
    assert get_config()["partition_size"] == 2**18
    for bad in (0, -3, 2.5, "big", True):
        with pytest.raises(ValueError, match="partition_size.*positive int"):
            set_config(partition_size=bad)
    with pytest.raises(TypeError, match="unknown settings.*'chunks'"):
        with config_context(chunks=3):
            pass
    assert get_config()["partition_size"] == 2**18


def test_a_bad_backend_is_named(net, data):
    querier = fitted(StrategyQuerier, net, data, strategy=MarginSampling())
    with pytest.raises(ValueError, match="'backend'.*'auto', 'local', 'dask'.*'gpu'"):
        querier.query(data[2], backend="gpu")


# -- in process ----------------------------------------------------------------


@pytest.mark.parametrize("strategy", SCORE_STRATEGIES)
def test_partitions_pick_what_one_stage_picks(strategy, net, data, tmp_path):
    querier = fitted(StrategyQuerier, net, data, strategy=strategy())
    pool = data[2]
    expected = querier.query(pool)
    path = tmp_path / "pool.npy"
    np.save(path, pool)
    memmap = np.load(path, mmap_mode="r")
    with config_context(partition_size=400):
        np.testing.assert_array_equal(querier.query(pool), expected)
        np.testing.assert_array_equal(querier.query(memmap), expected)


def test_two_stage_scores_rank_the_picks(net, data):
    querier = fitted(UniformVoteQuerier, net, data)
    pool = data[2]
    with config_context(partition_size=400):
        picked, scores = querier.query(pool, return_scores=True)
    assert scores.shape == (len(pool),)
    assert np.isfinite(scores[picked]).all()
    assert np.isneginf(scores).any()  # rows no partition proposed nor sampled
    # The picks are the top scores, in order.
    assert (
        scores[picked].min() >= scores[np.setdiff1d(np.arange(len(pool)), picked)].max()
    )


@pytest.mark.parametrize(
    "querier_cls, params",
    [
        (AutoALQuerier, {"device": "cpu"}),
        (AutoALQuerier, {"device": "cpu", "optimizer": "gradient", "gradient_iter": 5}),
        (UniformVoteQuerier, {}),
        (ALBLQuerier, {}),
        (TAILORQuerier, {}),
        (StrategyQuerier, {"strategy": CoreSet()}),
        (StrategyQuerier, {"strategy": BADGE()}),
    ],
)
def test_two_stage_queries_are_whole_and_reproducible(querier_cls, params, net, data):
    querier = fitted(querier_cls, net, data, **params)
    pool = data[2]
    before = clone(querier).get_params()
    with config_context(partition_size=300):
        first = querier.query(pool)
        again = querier.query(pool)
    assert len(np.unique(first)) == 20
    assert first.min() >= 0 and first.max() < len(pool)
    np.testing.assert_array_equal(first, again)
    assert clone(querier).get_params().keys() == before.keys()


def test_two_stage_warns_and_returns_everything_for_a_small_pool(net, data):
    querier = fitted(StrategyQuerier, net, data, strategy=MarginSampling())
    pool = data[2][:15]
    with config_context(partition_size=4), pytest.warns(UserWarning, match="20"):
        picked = querier.query(pool)
    np.testing.assert_array_equal(np.sort(picked), np.arange(15))


class _ProposesNothing(StrategyQuerier):
    """A querier whose first stage proposes no rows (a broken subclass)."""

    def _propose(self, outputs, n_queries, random_state):
        return np.empty(0, dtype=np.int64)

    def _n_statistics_rows(self):
        return 5


def test_two_stage_refuses_to_return_fewer_picks_than_asked(net, data):
    querier = fitted(_ProposesNothing, net, data, strategy=MarginSampling())
    with config_context(partition_size=400):
        with pytest.raises(RuntimeError, match="proposed 0 rows.*n_queries=20"):
            querier.query(data[2])


def test_greedi_is_close_to_one_machine(net, data):
    """GreeDi's k-center radius and D^2 cost, against the one-stage greedy
    (the benchmark measures them at 1M samples; here on digits)."""
    X_lab = data[0]
    pool = data[2]
    coreset = fitted(StrategyQuerier, net, data, strategy=CoreSet())
    badge = fitted(StrategyQuerier, net, data, strategy=BADGE())
    one = (coreset.query(pool), badge.query(pool))
    with config_context(partition_size=400):
        two = (coreset.query(pool), badge.query(pool))
    model = coreset.estimator_
    radius = [kcenter_radius(model, pool, p, X_labeled=X_lab) for p in (one[0], two[0])]
    cost = [badge_cost(badge.estimator_, pool, p) for p in (one[1], two[1])]
    assert radius[1] <= 1.2 * radius[0]
    assert cost[1] <= 1.2 * cost[0]


def test_fisher_statistics_come_from_the_given_rows():
    rng = np.random.RandomState(0)
    emb, proba = rng.randn(300, 5), rng.dirichlet(np.ones(3), 300)
    rows = np.arange(200, 300)
    kwargs = dict(dim=3, reg=1.0, n_pool_samples=1000, device="cpu")
    restricted = FisherBatchValue(
        emb, proba, emb[:10], proba[:10], sample_rows=rows,
        random_state=np.random.RandomState(0), **kwargs,
    )  # fmt: skip
    sub = FisherBatchValue(
        emb[rows], proba[rows], emb[:10], proba[:10],
        random_state=np.random.RandomState(0), **kwargs,
    )  # fmt: skip
    np.testing.assert_allclose(restricted.F_U.numpy(), sub.F_U.numpy())


def test_kcenter_radius_and_badge_cost_match_brute_force(net, data):
    querier = fitted(StrategyQuerier, net, data, strategy=MarginSampling())
    model, pool = querier.estimator_, data[2][:300]
    picked = np.array([3, 50, 120])
    from skautoal.models import PoolOutputs

    out = PoolOutputs(model, pool)
    e = out.embedding.astype(np.float64)
    d = np.linalg.norm(e[:, None] - e[picked][None], axis=2).min(1)
    assert kcenter_radius(model, pool, picked, chunk_size=70) == pytest.approx(d.max())
    a, h = (v.astype(np.float64) for v in out.badge_factors())
    g = (a[:, :, None] * h[:, None, :]).reshape(len(a), -1)
    d2 = ((g[:, None] - g[picked][None]) ** 2).sum(2).min(1)
    assert badge_cost(model, pool, picked, chunk_size=70) == pytest.approx(d2.sum())
    with pytest.raises(ValueError, match="'picked'.*0 to 299.*300"):
        badge_cost(model, pool, [0, 300])


# -- Dask ------------------------------------------------------------------------

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=":0"
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


@pytest.mark.parametrize("strategy", SCORE_STRATEGIES)
def test_dask_cluster_picks_what_memory_picks(strategy, net, data, client):
    querier = fitted(StrategyQuerier, net, data, strategy=strategy())
    pool = data[2]
    expected = querier.query(pool)
    dask_pool = da.from_array(pool, chunks=(300, 64))
    np.testing.assert_array_equal(querier.query(dask_pool), expected)  # auto


@pytest.mark.parametrize(
    "querier_cls, params",
    [
        (AutoALQuerier, {"device": "cpu"}),
        (StrategyQuerier, {"strategy": CoreSet()}),
        (StrategyQuerier, {"strategy": BADGE()}),
    ],
)
def test_dask_and_local_partitions_agree(querier_cls, params, net, data, client):
    """The same partitions give the same batch on the cluster as in process."""
    querier = fitted(querier_cls, net, data, **params)
    pool = data[2]
    on_cluster = querier.query(da.from_array(pool, chunks=(400, 64)))
    with config_context(partition_size=400):
        in_process = querier.query(pool, backend="local")
    np.testing.assert_array_equal(on_cluster, in_process)


def test_dask_without_a_client_uses_the_local_scheduler(net, data):
    querier = fitted(StrategyQuerier, net, data, strategy=MarginSampling())
    pool = data[2]
    np.testing.assert_array_equal(
        querier.query(pool, backend="dask"), querier.query(pool)
    )


def test_nan_on_a_worker_is_reported(net, data, client):
    querier = fitted(StrategyQuerier, net, data, strategy=MarginSampling())
    pool = data[2].copy()
    pool[1000, 3] = np.nan
    with pytest.raises(ValueError, match="X_pool.*NaN"):
        querier.query(da.from_array(pool, chunks=(300, 64)))


def test_active_learner_keeps_a_dask_pool_on_the_cluster(net, data, client):
    X_lab, y_lab, pool = data
    learner = ActiveLearner(
        StrategyQuerier(net, MarginSampling(), n_queries=10, random_state=0),
        da.from_array(pool, chunks=(300, 64)),
        X_labeled=X_lab,
        y_labeled=y_lab,
    )
    picked = learner.query()
    reference = ActiveLearner(
        StrategyQuerier(net, MarginSampling(), n_queries=10, random_state=0),
        pool,
        X_labeled=X_lab,
        y_labeled=y_lab,
    ).query()
    np.testing.assert_array_equal(picked, reference)


class _RowCountingScaler(StandardScaler):
    """StandardScaler that records how many rows each transform call saw."""

    def transform(self, X, copy=None):
        self.rows_seen_ = [*getattr(self, "rows_seen_", []), len(X)]
        return super().transform(X, copy=copy)


def test_pipeline_transforms_a_dask_pool_block_by_block(net, data):
    X_lab, y_lab, pool = data
    pipe = make_pipeline(
        _RowCountingScaler(),
        StrategyQuerier(net, MarginSampling(), n_queries=10, random_state=0),
    ).fit(X_lab, y_lab)
    expected = pipe.query(pool)
    scaler = pipe.steps[0][1]
    scaler.rows_seen_ = []
    picked = pipe.query(da.from_array(pool, chunks=(300, 64)), backend="dask")
    np.testing.assert_array_equal(picked, expected)
    assert scaler.rows_seen_ and max(scaler.rows_seen_) <= 300 < len(pool)


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_pipeline_and_row_subset_pools_run_on_any_backend(backend, net, data, tmp_path):
    # A memmap pool behind a Pipeline's step (read through TransformedRows)
    # and a RowSubset of one (what ActiveLearner passes) give the numpy
    # pool's picks in two stages; dask slices every axis when it wraps them.
    from skautoal.utils._arrays import RowSubset

    X_lab, y_lab, pool = data
    path = tmp_path / "pool.npy"
    np.save(path, pool)
    memmap = np.load(path, mmap_mode="r")
    pipe = make_pipeline(
        StandardScaler(),
        StrategyQuerier(net, MarginSampling(), n_queries=10, random_state=0),
    ).fit(X_lab, y_lab)
    expected = pipe.query(pool)
    scaled = pipe[0].transform(pool)
    with config_context(partition_size=500):
        np.testing.assert_array_equal(pipe.query(memmap, backend=backend), expected)
        subset = RowSubset(memmap, np.arange(len(pool)))
        np.testing.assert_array_equal(pipe.query(subset, backend=backend), expected)
        np.testing.assert_array_equal(
            pipe[-1].query(RowSubset(scaled, np.arange(len(pool))), backend=backend),
            pipe[-1].query(scaled),
        )


def test_pipeline_transforms_whole_when_the_output_is_sparse():
    # A sparse output cannot be a dask array's blocks: the pool is transformed
    # whole, as before, and gives what the numpy pool gives.
    from sklearn.preprocessing import OneHotEncoder

    from skautoal.pipeline import _transform_pool

    X = np.random.RandomState(0).randint(0, 3, size=(50, 2))
    encoder = OneHotEncoder().fit(X)
    lazy = _transform_pool(encoder, da.from_array(X, chunks=(20, 2)))
    assert not isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.toarray(), encoder.transform(X).toarray())


def test_pipeline_transforms_whole_when_the_output_is_a_dataframe():
    # set_output(transform="pandas") gives DataFrames, not a dask array's
    # blocks: the pool is transformed whole, as for a sparse output.
    pd = pytest.importorskip("pandas")
    from skautoal.pipeline import _transform_pool

    X = np.random.RandomState(0).normal(size=(50, 3))
    scaler = StandardScaler().set_output(transform="pandas").fit(X)
    lazy = _transform_pool(scaler, da.from_array(X, chunks=(20, 3)))
    assert isinstance(lazy, pd.DataFrame)
    np.testing.assert_allclose(lazy.to_numpy(), (X - X.mean(0)) / X.std(0))
