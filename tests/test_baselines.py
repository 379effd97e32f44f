import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from skautoal import AutoALQuerier
from skautoal.baselines import ALBLQuerier, StrategyQuerier, UniformVoteQuerier
from skautoal.strategies import (
    EntropySampling,
    MarginSampling,
    RandomSampling,
)

CANDIDATES = [MarginSampling(), EntropySampling(), RandomSampling()]


def _all(n_queries=7):
    lr = LogisticRegression(max_iter=200)
    return [
        StrategyQuerier(lr, MarginSampling(), n_queries=n_queries, random_state=0),
        UniformVoteQuerier(
            lr, strategies=CANDIDATES, n_queries=n_queries, random_state=0
        ),
        ALBLQuerier(lr, strategies=CANDIDATES, n_queries=n_queries, random_state=0),
    ]


@pytest.mark.parametrize("querier", _all(), ids=lambda q: type(q).__name__)
def test_fit_predict_query_clone_pickle(digits, querier):
    X, y = digits
    fitted = clone(querier).fit(X[:200], y[:200])
    assert fitted.predict(X[200:210]).shape == (10,)
    assert fitted.score(X[200:400], y[200:400]) > 0.7
    picked = fitted.query(X[200:500])
    assert picked.dtype == np.int64 and len(set(picked.tolist())) == 7
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X[:20]), fitted.predict(X[:20]))


def test_strategy_querier_matches_the_strategy(digits):
    X, y = digits
    querier = StrategyQuerier(
        LogisticRegression(max_iter=200), MarginSampling(), n_queries=9, random_state=0
    ).fit(X[:200], y[:200])
    expected = MarginSampling().select(
        querier.estimator_, X[200:500], 9, random_state=0
    )
    assert set(querier.query(X[200:500])) == set(expected)


def test_uniform_vote_equals_autoal_without_search(digits):
    X, y = digits
    idx = np.r_[0:3, 50:53]  # too few labels: AutoAL falls back to equal weights
    lr = LogisticRegression(max_iter=200)
    vote = UniformVoteQuerier(lr, strategies=CANDIDATES, n_queries=8, random_state=1)
    auto = AutoALQuerier(lr, strategies=CANDIDATES, n_queries=8, random_state=1)
    vote.fit(X[idx], y[idx])
    with pytest.warns(UserWarning, match="Too few labels"):
        auto.fit(X[idx], y[idx])
    np.testing.assert_array_equal(vote.query(X[100:400]), auto.query(X[100:400]))


def test_uniform_vote_prefers_agreement(digits):
    X, y = digits
    vote = UniformVoteQuerier(
        LogisticRegression(max_iter=200),
        strategies=[MarginSampling(), MarginSampling()],
        n_queries=5,
        random_state=0,
    ).fit(X[:200], y[:200])
    _, scores = vote.query(X[200:500], return_scores=True)
    assert set(np.unique(scores)) <= {0.0, 2.0}


def test_albl_updates_weights_from_rewards(digits):
    X, y = digits
    albl = ALBLQuerier(
        LogisticRegression(max_iter=200),
        strategies=CANDIDATES,
        n_queries=10,
        random_state=0,
    )
    labeled = list(range(100))
    pool = np.arange(100, 800)
    albl.fit(X[labeled], y[labeled])
    start = dict(albl.strategy_weights_)
    assert np.allclose(list(start.values()), 1 / 3)
    for _ in range(3):
        free = np.setdiff1d(pool, labeled)
        labeled += free[albl.query(X[free])].tolist()
        albl.fit(X[labeled], y[labeled])
    assert len(albl.rewards_) == 3
    assert all(0 <= r <= 1 for r in albl.rewards_)
    assert albl.strategy_weights_ != start
    assert pytest.approx(sum(albl.strategy_weights_.values())) == 1.0


def test_albl_rejects_large_p_min(digits):
    X, y = digits
    with pytest.raises(ValueError, match="'p_min' parameter of ALBLQuerier"):
        ALBLQuerier(LogisticRegression(), strategies=CANDIDATES, p_min=0.5).fit(
            X[:100], y[:100]
        )


def test_strategy_querier_rejects_non_strategy(digits):
    X, y = digits
    with pytest.raises(ValueError, match="'strategy' parameter of StrategyQuerier"):
        StrategyQuerier(LogisticRegression(), "margin").fit(X[:100], y[:100])
