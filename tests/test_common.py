"""scikit-learn's common estimator checks on every querier."""

from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from skautoal import AutoALQuerier
from skautoal.baselines import ALBLQuerier, StrategyQuerier, UniformVoteQuerier
from skautoal.strategies import EntropySampling, MarginSampling


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
