"""scikit-learn's common estimator checks on every querier."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks
from skorch import NeuralNetClassifier

from skautoal import AutoALQuerier
from skautoal.baselines import (
    ALBLQuerier,
    BAITQuerier,
    StrategyQuerier,
    TAILORQuerier,
    UniformVoteQuerier,
)
from skautoal.models import MLPModule
from skautoal.strategies import EntropySampling, MarginSampling
from skautoal.utils.estimator_checks import QUERY_CHECKS, check_query_indices


def _lr():
    return LogisticRegression(max_iter=100)


QUERIERS = [
    AutoALQuerier(
        _lr(),
        strategies=[MarginSampling(), EntropySampling()],
        n_queries=3,
        pretrain_iter=5,
        search_iter=5,
        random_state=0,
    ),
    StrategyQuerier(_lr(), MarginSampling(), n_queries=3, random_state=0),
    UniformVoteQuerier(
        _lr(),
        strategies=[MarginSampling(), EntropySampling()],
        n_queries=3,
        random_state=0,
    ),
    ALBLQuerier(
        _lr(),
        strategies=[MarginSampling(), EntropySampling()],
        n_queries=3,
        random_state=0,
    ),
]


@parametrize_with_checks(QUERIERS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


class SizedNet(NeuralNetClassifier):
    """A tiny skorch net whose module sizes itself to the data: the input
    layer is lazy, and the output width is the number of classes in ``y``."""

    def fit(self, X, y, **fit_params):
        self.n_classes_ = len(np.unique(y))
        return super().fit(X, y, **fit_params)

    def get_params_for(self, prefix):
        params = super().get_params_for(prefix)
        if prefix == "module" and hasattr(self, "n_classes_"):
            params["n_classes"] = self.n_classes_
        return params


class TinyMLP(MLPModule):
    def __init__(self, n_classes=2):
        super().__init__(n_classes, hidden_units=32)


# Module arguments are set in TinyMLP, not as module__ parameters: skorch
# keeps those in a set whose order, and so the test ids, vary per process.
SKORCH_QUERIER = AutoALQuerier(
    SizedNet(
        TinyMLP,
        max_epochs=40,
        optimizer=torch.optim.Adam,
        lr=0.01,
        train_split=None,
        verbose=0,
    ),
    strategies=[MarginSampling(), EntropySampling()],
    n_queries=3,
    pretrain_iter=3,
    search_iter=3,
    random_state=0,
)


@parametrize_with_checks([SKORCH_QUERIER])
def test_sklearn_compatible_with_a_skorch_net(estimator, check):
    check(estimator)


QUERY_CHECKED = [
    *QUERIERS,
    SKORCH_QUERIER,
    clone(SKORCH_QUERIER).set_params(search="simulation"),
    TAILORQuerier(_lr(), strategies=[MarginSampling(), EntropySampling()], n_queries=3),
    BAITQuerier(_lr(), n_queries=3),
]


@pytest.mark.parametrize(
    "querier",
    QUERY_CHECKED,
    ids=[
        f"{type(q).__name__}-{getattr(q, 'search', '')}-{i}"
        for i, q in enumerate(QUERY_CHECKED)
    ],
)
@pytest.mark.parametrize("check", QUERY_CHECKS, ids=lambda c: c.__name__)
def test_query_checks(querier, check):
    check(type(querier).__name__, querier)


def test_a_broken_querier_fails_the_checks():
    class Repeats(StrategyQuerier):
        def query(self, X_pool, n_queries=None, *, return_scores=False):
            return np.zeros(self.n_queries, dtype=np.int64)

    with pytest.raises(AssertionError, match="repeated an index"):
        check_query_indices("Repeats", Repeats(_lr(), MarginSampling()))
