"""Property tests: whatever the pool, ``select`` and ``query`` return unique,
in-range int64 indices of the requested length, or raise a documented error
(issue 10, finding 8)."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from skautoal import AutoALQuerier
from skautoal.strategies import (
    BADGE,
    CoreSet,
    EntropySampling,
    KMeansSampling,
    LeastConfidence,
    MarginSampling,
    RandomSampling,
)

STRATEGIES = [
    RandomSampling,
    LeastConfidence,
    MarginSampling,
    EntropySampling,
    KMeansSampling,
    CoreSet,
    BADGE,
]
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def pools(draw):
    n_features = draw(st.integers(1, 6))
    n_pool = draw(st.integers(1, 40))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int64]))
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    X = rng.randn(n_pool, n_features) * draw(st.sampled_from([1e-3, 1, 1e3]))
    if draw(st.booleans()):  # duplicate rows
        X[: n_pool // 2] = X[0]
    X = X.astype(dtype)
    bad = draw(st.sampled_from([None, np.nan, np.inf, -np.inf, 1e300]))
    if bad is not None and dtype != np.int64:
        if bad == 1e300 and dtype == np.float32:
            bad = np.inf
        X = X.astype(np.float64) if bad == 1e300 else X
        X[rng.randint(n_pool), rng.randint(n_features)] = bad
    n_queries = draw(st.sampled_from([1, max(1, n_pool // 2), n_pool, n_pool + 3]))
    return X, n_queries


def _model(n_features, n_classes, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(30, n_features)
    y = np.arange(30) % n_classes
    return LogisticRegression(max_iter=200).fit(X, y), X


def _check(indices, n_pool, n_queries):
    assert isinstance(indices, np.ndarray) and indices.dtype == np.int64
    assert len(indices) == min(n_queries, n_pool)
    assert len(np.unique(indices)) == len(indices)
    assert indices.min() >= 0 and indices.max() < n_pool


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.__name__)
@SETTINGS
@given(pool=pools(), n_classes=st.integers(2, 4))
def test_select_returns_valid_indices_or_a_clear_error(strategy, pool, n_classes):
    X, n_queries = pool
    model, X_labeled = _model(X.shape[1], n_classes)
    finite = np.isfinite(X.astype(np.float64)).all() and np.abs(X).max() < 3e38
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            picked = strategy().select(
                model, X, n_queries, X_labeled=X_labeled, random_state=0
            )
        except ValueError as exc:
            assert not finite, f"a finite pool was refused: {exc}"
            assert "X_pool" in str(exc)
            return
    assert finite, "a pool with NaN, infinity or float32 overflow was accepted"
    _check(picked, len(X), n_queries)


@SETTINGS
@given(pool=pools(), n_classes=st.integers(2, 3))
# Found by hypothesis: a one-sample pool has no spread to whiten, and the
# Fisher search's matrix was singular.
@example(pool=(np.array([[1]]), 1), n_classes=3)
def test_autoal_query_returns_valid_indices_or_a_clear_error(pool, n_classes):
    X, n_queries = pool
    rng = np.random.RandomState(1)
    X_labeled = rng.randn(24, X.shape[1])
    y = np.arange(24) % n_classes
    querier = AutoALQuerier(
        LogisticRegression(max_iter=200), n_queries=n_queries, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        querier.fit(X_labeled, y)
        finite = np.isfinite(X.astype(np.float64)).all() and np.abs(X).max() < 3e38
        try:
            picked = querier.query(X)
        except ValueError as exc:
            assert not finite, f"a finite pool was refused: {exc}"
            assert "X_pool" in str(exc) or "X" in str(exc)
            return
    assert finite
    _check(picked, len(X), n_queries)


def test_one_class_is_a_clear_error():
    querier = AutoALQuerier(LogisticRegression(), n_queries=2)
    with pytest.raises(ValueError, match="class"):
        querier.fit(np.random.RandomState(0).rand(10, 3), np.zeros(10))
