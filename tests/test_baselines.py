import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from skautoal import AutoALQuerier, BaseQueryStrategy
from skautoal.baselines import (
    ALBLQuerier,
    StrategyQuerier,
    TAILORQuerier,
    UniformVoteQuerier,
)
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
    auto = AutoALQuerier(
        lr, strategies=CANDIDATES, n_queries=8, search="simulation", random_state=1
    )
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


def _bandit_rounds(querier, X, y, n_rounds, labeled=100, pool=800):
    labeled = list(range(labeled))
    querier.fit(X[labeled], y[labeled])
    for _ in range(n_rounds):
        free = np.setdiff1d(np.arange(len(labeled), pool), labeled)
        picked = free[querier.query(X[free])]
        queried = np.arange(len(labeled), len(labeled) + len(picked))
        labeled += picked.tolist()
        querier.fit(X[labeled], y[labeled], queried=queried)
    return querier


def test_albl_updates_weights_from_rewards(digits):
    X, y = digits
    albl = ALBLQuerier(
        LogisticRegression(max_iter=200),
        strategies=CANDIDATES,
        n_queries=10,
        warm_start=True,
        random_state=0,
    )
    start = dict(albl.fit(X[:100], y[:100]).strategy_weights_)
    assert list(start) == [
        "MarginSampling",
        "EntropySampling",
        "RandomSampling",
        "RandomSampling_2",
    ]
    assert np.allclose(list(start.values()), 1 / 4)
    _bandit_rounds(albl, X, y, 3)
    assert len(albl.rewards_) == 3
    assert all(0 <= r <= 1 for r in albl.rewards_)
    assert albl.strategy_weights_ != start
    assert pytest.approx(sum(albl.strategy_weights_.values())) == 1.0


def test_albl_reward_is_held_out_accuracy_not_constant(digits):
    # One arm is clearly better: margin on a model that is wrong on a third of
    # the pool. The reward is the IW accuracy of models that had not seen the
    # rows, so it moves with the arms' picks instead of sitting at 1.0.
    X, y = digits
    albl = ALBLQuerier(
        LogisticRegression(max_iter=300),
        strategies=[MarginSampling()],
        n_queries=20,
        warm_start=True,
        random_state=0,
    )
    _bandit_rounds(albl, X, y, 6, labeled=30)
    assert len(set(np.round(albl.rewards_, 6))) > 1
    assert max(albl.rewards_) < 1.0


def test_bandit_query_changes_no_state_and_refit_forgets(digits):
    X, y = digits
    for cls in (ALBLQuerier, TAILORQuerier):
        querier = cls(
            LogisticRegression(max_iter=200),
            strategies=CANDIDATES,
            n_queries=10,
            random_state=0,
        ).fit(X[:100], y[:100])
        state = pickle.dumps(querier)
        first = querier.query(X[100:600])
        np.testing.assert_array_equal(first, querier.query(X[100:600]))
        assert pickle.dumps(querier) == state
    albl = _bandit_rounds(
        ALBLQuerier(
            LogisticRegression(max_iter=200),
            strategies=CANDIDATES,
            n_queries=10,
            random_state=0,
        ),
        X,
        y,
        2,
    )
    assert albl.rewards_ == []  # warm_start=False: every fit starts afresh


def test_tailor_rewards_rare_classes(digits):
    X, y = digits
    tailor = TAILORQuerier(
        LogisticRegression(max_iter=200),
        strategies=CANDIDATES,
        n_queries=10,
        warm_start=True,
        random_state=0,
    )
    _bandit_rounds(tailor, X, y, 3)
    assert tailor.posterior_.shape == (3, 2)
    # 3 rounds of 10 slots, each adding one unit to alpha + beta of its arm.
    assert tailor.posterior_.sum() == pytest.approx(6 + 30)
    assert pytest.approx(sum(tailor.strategy_weights_.values())) == 1.0


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


class _LabeledMC(BaseQueryStrategy):
    """Reads MC-dropout passes on the labelled set, as a user's strategy may."""

    def _select(self, outputs, n_queries, *, labeled, random_state):
        self.seen_ = labeled.mc_proba(3)
        return np.arange(n_queries, dtype=np.int64)


def test_labelled_outputs_mc_passes_follow_random_state():
    # The querier's labelled-set outputs were unseeded, so MC-dropout passes
    # on them drew from numpy's global generator: the same random_state gave
    # other masks on every call.
    from sklearn.datasets import load_digits

    from tests.helpers import fit_user_net

    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    net = fit_user_net(X[:100], y[:100])
    seen = []
    for _ in range(2):
        querier = StrategyQuerier(net, _LabeledMC(), n_queries=5, random_state=0)
        querier.fit(X[:100], y[:100]).query(X[100:300])
        seen.append(querier.strategy_.seen_)
    np.testing.assert_array_equal(seen[0], seen[1])
    assert not np.allclose(seen[0][0], seen[0][1])  # the passes differ
