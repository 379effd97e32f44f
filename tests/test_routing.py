"""Fit parameters reach the task model through scikit-learn's metadata routing."""

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skautoal import AutoALQuerier
from skautoal.baselines import StrategyQuerier
from skautoal.strategies import EntropySampling, MarginSampling


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.fixture
def weighted(digits):
    X, y = digits
    X, y = X[:200], y[:200]
    weights = np.random.RandomState(0).uniform(0.1, 3.0, len(y))
    return X, y, weights


def _logreg():
    return LogisticRegression(max_iter=300)


def test_without_routing_fit_params_are_refused_with_a_hint(weighted):
    X, y, w = weighted
    querier = StrategyQuerier(_logreg(), MarginSampling(), n_queries=5)
    with pytest.raises(ValueError, match="enable_metadata_routing=True"):
        querier.fit(X, y, sample_weight=w)


@pytest.mark.parametrize("pipeline", [False, True], ids=["estimator", "pipeline"])
def test_sample_weight_reaches_the_task_model(routing, weighted, pipeline):
    X, y, w = weighted
    estimator = _logreg().set_fit_request(sample_weight=True)
    if pipeline:
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        estimator = make_pipeline(scaler, estimator)
    querier = StrategyQuerier(estimator, MarginSampling(), n_queries=5).fit(
        X, y, sample_weight=w
    )
    plain = StrategyQuerier(estimator, MarginSampling(), n_queries=5).fit(X, y)
    expected = clone(estimator).fit(X, y, sample_weight=w)
    final = querier.estimator_[-1] if pipeline else querier.estimator_
    reference = expected[-1] if pipeline else expected
    np.testing.assert_allclose(final.coef_, reference.coef_, rtol=1e-6, atol=1e-8)
    unweighted = plain.estimator_[-1] if pipeline else plain.estimator_
    assert not np.allclose(final.coef_, unweighted.coef_)


def test_unrequested_fit_params_are_refused(routing, weighted):
    X, y, w = weighted
    querier = StrategyQuerier(_logreg(), MarginSampling(), n_queries=5)
    with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
        querier.fit(X, y, sample_weight=w)


def test_a_weight_per_row_is_required(routing, weighted):
    X, y, w = weighted
    estimator = _logreg().set_fit_request(sample_weight=True)
    querier = StrategyQuerier(estimator, MarginSampling(), n_queries=5)
    with pytest.raises(ValueError, match="'sample_weight' has 199 values.*200 rows"):
        querier.fit(X, y, sample_weight=w[:-1])


class _RecordingLogReg(LogisticRegression):
    """Records the sample_weight of each fit (class-level, clones share it)."""

    seen = []

    def fit(self, X, y, sample_weight=None):
        type(self).seen.append((len(X), sample_weight))
        return super().fit(X, y, sample_weight=sample_weight)


def test_simulation_search_subsets_the_weights_with_the_rows(routing, weighted):
    X, y, w = weighted
    _RecordingLogReg.seen = []
    estimator = _RecordingLogReg(max_iter=300).set_fit_request(sample_weight=True)
    querier = AutoALQuerier(
        estimator,
        n_queries=5,
        strategies=[MarginSampling(), EntropySampling()],
        search="simulation",
        n_cycles=1,
        pretrain_iter=1,
        search_iter=1,
        random_state=0,
        device="cpu",
    ).fit(X, y, sample_weight=w)
    (n_full, full), *subsets = _RecordingLogReg.seen
    assert n_full == len(X) and np.array_equal(full, w)
    assert subsets, "the holdout simulation refits the task model"
    for n_rows, weights in subsets:
        assert n_rows < len(X) and len(weights) == n_rows
        assert np.isin(weights, w).all()
    assert not hasattr(querier, "_fit_params")  # not kept after fit
