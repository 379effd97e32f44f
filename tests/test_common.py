"""scikit-learn's common estimator checks on every querier."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from skautoal import AutoALQuerier
from skautoal.baselines import ALBLQuerier, StrategyQuerier, UniformVoteQuerier
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


@pytest.mark.parametrize("querier", QUERIERS, ids=lambda q: type(q).__name__)
@pytest.mark.parametrize("check", QUERY_CHECKS, ids=lambda c: c.__name__)
def test_query_checks(querier, check):
    check(type(querier).__name__, querier)


def test_a_broken_querier_fails_the_checks():
    class Repeats(StrategyQuerier):
        def query(self, X_pool, n_queries=None, *, return_scores=False):
            return np.zeros(self.n_queries, dtype=np.int64)

    with pytest.raises(AssertionError, match="repeated an index"):
        check_query_indices("Repeats", Repeats(_lr(), MarginSampling()))
