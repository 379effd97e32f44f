"""Properties every strategy must have, on a user's own skorch module."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.svm import SVC
from skorch import NeuralNetClassifier

from skautoal.models import TaskModel
from skautoal.strategies import (
    BADGE,
    BALD,
    BaseQueryStrategy,
    CoreSet,
    EntropySampling,
    KMeansSampling,
    LeastConfidence,
    MarginSampling,
    MeanSTD,
    RandomSampling,
    VarRatio,
)
from tests.helpers import UserModule

ALL = [
    RandomSampling(),
    LeastConfidence(),
    MarginSampling(),
    EntropySampling(),
    VarRatio(n_passes=4),
    MeanSTD(n_passes=4),
    BALD(n_passes=4),
    KMeansSampling(),
    CoreSet(),
    BADGE(),
]
IDS = [type(s).__name__ for s in ALL]


@pytest.mark.parametrize("strategy", ALL, ids=IDS)
def test_unique_in_range_int64(user_net, split, strategy):
    X_lab, _, X_pool = split
    picked = strategy.select(user_net, X_pool, 25, X_labeled=X_lab, random_state=0)
    assert picked.dtype == np.int64
    assert picked.shape == (25,)
    assert len(set(picked.tolist())) == 25
    assert picked.min() >= 0 and picked.max() < len(X_pool)


@pytest.mark.parametrize("strategy", ALL, ids=IDS)
def test_deterministic_under_random_state(user_net, split, strategy):
    X_lab, _, X_pool = split
    first = strategy.select(user_net, X_pool, 10, X_labeled=X_lab, random_state=42)
    second = strategy.select(user_net, X_pool, 10, X_labeled=X_lab, random_state=42)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("strategy", ALL, ids=IDS)
def test_chunked_equals_unchunked(user_net, split, strategy):
    X_lab, _, X_pool = split
    small = TaskModel(user_net, chunk_size=7)
    whole = TaskModel(user_net, chunk_size=10_000)
    np.testing.assert_array_equal(
        strategy.select(small, X_pool, 10, X_labeled=X_lab, random_state=1),
        strategy.select(whole, X_pool, 10, X_labeled=X_lab, random_state=1),
    )


@pytest.mark.parametrize("strategy", ALL, ids=IDS)
def test_does_not_mutate_input(user_net, split, strategy):
    X_lab, _, X_pool = split
    pool, lab = X_pool.copy(), X_lab.copy()
    state = {k: v.clone() for k, v in user_net.module_.state_dict().items()}
    strategy.select(user_net, pool, 5, X_labeled=lab, random_state=0)
    np.testing.assert_array_equal(pool, X_pool)
    np.testing.assert_array_equal(lab, X_lab)
    for key, value in user_net.module_.state_dict().items():
        assert (value == state[key]).all(), key


@pytest.mark.parametrize("strategy", ALL, ids=IDS)
def test_clone_and_pickle(strategy):
    assert clone(strategy).get_params() == strategy.get_params()
    assert pickle.loads(pickle.dumps(strategy)).get_params() == strategy.get_params()


@pytest.mark.parametrize("strategy", ALL, ids=IDS)
def test_works_with_sklearn_models_and_pipelines(logreg, pipeline, split, strategy):
    X_lab, _, X_pool = split
    for model in (logreg, pipeline):
        if strategy.needs_dropout:
            # No dropout, no model uncertainty: an error, not arbitrary picks.
            with pytest.raises(ValueError, match="must have dropout layers"):
                strategy.select(model, X_pool, 8, X_labeled=X_lab, random_state=0)
            continue
        picked = strategy.select(model, X_pool, 8, X_labeled=X_lab, random_state=0)
        assert len(set(picked.tolist())) == 8


@pytest.mark.parametrize("n_queries", [0, -3])
def test_n_queries_below_one(user_net, split, n_queries):
    with pytest.raises(ValueError, match=r"'n_queries' parameter .* \[1, inf\)\. Got"):
        MarginSampling().select(user_net, split[2], n_queries)


@pytest.mark.parametrize("n_queries", [2.5, "3", True])
def test_n_queries_wrong_type(user_net, split, n_queries):
    with pytest.raises(TypeError, match="'n_queries' parameter"):
        MarginSampling().select(user_net, split[2], n_queries)


@pytest.mark.parametrize("strategy", ALL, ids=IDS)
def test_n_queries_larger_than_pool_returns_all(user_net, split, strategy):
    X_lab, _, X_pool = split
    with pytest.warns(UserWarning, match="larger than the pool"):
        picked = strategy.select(
            user_net, X_pool[:12], 20, X_labeled=X_lab, random_state=0
        )
    assert sorted(picked.tolist()) == list(range(12))


def test_empty_pool(user_net, split):
    with pytest.raises(ValueError, match="X_pool is empty"):
        MarginSampling().select(user_net, split[2][:0], 3)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_pool(user_net, split, bad):
    X_pool = split[2].copy()
    X_pool[3, 5] = bad
    with pytest.raises(ValueError, match="X_pool contains NaN or infinity"):
        MarginSampling().select(user_net, X_pool, 3)


def test_non_finite_labeled(user_net, split):
    X_lab = split[0].copy()
    X_lab[0, 0] = np.nan
    with pytest.raises(ValueError, match="X_labeled contains NaN"):
        CoreSet().select(user_net, split[2], 3, X_labeled=X_lab)


def test_wrong_number_of_features_skorch(user_net, split):
    with pytest.raises(ValueError, match="X_pool has samples of shape \\(63,\\)"):
        MarginSampling().select(user_net, split[2][:, :63], 3)


def test_wrong_number_of_features_sklearn(logreg, split):
    with pytest.raises(ValueError, match="X_pool has 63 features, but the model"):
        MarginSampling().select(logreg, split[2][:, :63], 3)


def test_unfitted_model(split):
    with pytest.raises(NotFittedError):
        MarginSampling().select(NeuralNetClassifier(UserModule), split[2], 3)
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(NotFittedError):
        MarginSampling().select(LogisticRegression(), split[2], 3)


def test_model_without_predict_proba(split):
    X_lab, y_lab, X_pool = split
    svc = SVC().fit(X_lab, y_lab)
    with pytest.raises(TypeError, match="predict_proba method; got SVC"):
        MarginSampling().select(svc, X_pool, 3)


def test_bad_n_passes(user_net, split):
    with pytest.raises(ValueError, match="'n_passes' parameter of BALD"):
        BALD(n_passes=0).select(user_net, split[2], 3)


def test_user_strategy_plugs_in(user_net, split):
    class FirstSamples(BaseQueryStrategy):
        def _select(self, outputs, n_queries, *, labeled, random_state):
            return np.arange(n_queries, dtype=np.int64)

    np.testing.assert_array_equal(
        FirstSamples().select(user_net, split[2], 3), [0, 1, 2]
    )


def test_lists_are_accepted(logreg, split):
    picked = MarginSampling().select(logreg, split[2][:20].tolist(), 3, random_state=0)
    assert picked.shape == (3,)
