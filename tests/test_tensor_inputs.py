"""torch tensors as inputs: skorch nets take them, so users pass them. Every
entry point reads them as the numpy arrays they hold: the same picks."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from skautoal import AutoALQuerier
from skautoal.baselines import BAITQuerier, StrategyQuerier
from skautoal.loop import ActiveLearner, simulate
from skautoal.models import default_net
from skautoal.strategies import BADGE, CoreSet, MarginSampling


def _net(X):
    return default_net("mlp", X.shape[1:], n_classes=10, random_state=0)


@pytest.mark.parametrize("kind", ["autoal", "bait", "logreg"])
def test_queriers_pick_from_tensors_as_from_arrays(digits, kind):
    X, y = digits
    make = {
        "autoal": lambda: AutoALQuerier(_net(X), n_queries=4, random_state=0),
        "bait": lambda: BAITQuerier(_net(X), n_queries=4, random_state=0),
        "logreg": lambda: StrategyQuerier(
            LogisticRegression(max_iter=300), MarginSampling(), n_queries=4
        ),
    }[kind]
    T, Ty = torch.from_numpy(X), torch.from_numpy(y)
    on_arrays = make().fit(X[:100], y[:100])
    on_tensors = make().fit(T[:100], Ty[:100])
    np.testing.assert_array_equal(
        on_tensors.query(T[100:400]), on_arrays.query(X[100:400])
    )
    np.testing.assert_array_equal(on_tensors.predict(T[:20]), on_arrays.predict(X[:20]))
    assert on_tensors.score(T[:50], Ty[:50]) == on_arrays.score(X[:50], y[:50])


@pytest.mark.parametrize(
    "strategy", [BADGE(), CoreSet()], ids=lambda s: type(s).__name__
)
def test_strategies_select_from_tensors_as_from_arrays(digits, strategy):
    X, y = digits
    model = _net(X).fit(X[:100], y[:100])
    T = torch.from_numpy(X)
    np.testing.assert_array_equal(
        strategy.select(model, T[100:400], 4, X_labeled=T[:100], random_state=0),
        strategy.select(model, X[100:400], 4, X_labeled=X[:100], random_state=0),
    )


def test_loop_and_learner_take_tensors(digits, tmp_path):
    X, y = digits
    T, Ty = torch.from_numpy(X), torch.from_numpy(y)

    def curve(X_, y_):
        querier = StrategyQuerier(_net(X), MarginSampling(), n_queries=10)
        return simulate(
            querier.set_params(random_state=0),
            X_[:400],
            y_[:400],
            X_test=X_[1500:],
            y_test=y_[1500:],
            initial_size=20,
            n_rounds=2,
            random_state=0,
        ).scores

    assert curve(T, Ty) == curve(X, y)

    def learner_picks(pool, X0, y0):
        learner = ActiveLearner(
            AutoALQuerier(_net(X), n_queries=5, random_state=0),
            pool,
            X_labeled=X0,
            y_labeled=y0,
        )
        first = learner.query()
        learner.teach(first, y[100:400][first])
        path = tmp_path / f"{type(pool).__name__}.npz"
        learner.save(path)
        loaded = ActiveLearner.load(
            path, AutoALQuerier(_net(X), n_queries=5, random_state=0), pool
        )
        return first, learner.query(), loaded.query()

    on_tensors = learner_picks(T[100:400], T[:50], Ty[:50])
    on_arrays = learner_picks(X[100:400], X[:50], y[:50])
    for got, expected in zip(on_tensors, on_arrays, strict=True):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensors_are_read_on_the_host(digits):
    X, y = digits
    T = torch.from_numpy(X).cuda()
    querier = AutoALQuerier(_net(X), n_queries=4, random_state=0)
    picks = querier.fit(T[:100], y[:100]).query(T[100:400])
    expected = (
        AutoALQuerier(_net(X), n_queries=4, random_state=0)
        .fit(X[:100], y[:100])
        .query(X[100:400])
    )
    np.testing.assert_array_equal(picks, expected)
