"""Faults a careful user can cause: each gives a clear error, never a
silently wrong result (issue 10, findings 3, 4, 5, 7, 8)."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from skorch import NeuralNetClassifier
from torch import nn

from skautoal import AutoALQuerier
from skautoal.baselines import StrategyQuerier, UniformVoteQuerier
from skautoal.loop import ActiveLearner
from skautoal.models import MLPModule, TaskModel, default_net
from skautoal.strategies import (
    BADGE,
    BALD,
    CoreSet,
    EntropySampling,
    KMeansSampling,
    LeastConfidence,
    MarginSampling,
    MeanSTD,
    VarRatio,
)


class LogitMLP(nn.Module):
    """An MLP that returns logits (no softmax)."""

    def __init__(self, n_classes=10, n_features=64):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features, 32), nn.ReLU(), nn.Linear(32, n_classes)
        )

    def forward(self, X):
        return self.layers(X)


def _net(module=MLPModule, **kwargs):
    params = dict(
        module=module,
        module__n_classes=10,
        module__n_features=64,
        max_epochs=2,
        train_split=None,
        verbose=0,
        device="cpu",
    )
    params.update(kwargs)
    return NeuralNetClassifier(**params)


@pytest.mark.parametrize(
    "strategy",
    [
        MarginSampling(),
        EntropySampling(),
        LeastConfidence(),
        BALD(n_passes=3),
        KMeansSampling(),
        CoreSet(),
        BADGE(),
    ],
    ids=lambda s: type(s).__name__,
)
def test_diverged_model_raises_instead_of_empty_or_arbitrary_picks(digits, strategy):
    X, y = digits
    net = _net().fit(X[:100], y[:100])
    with torch.no_grad():
        for parameter in net.module_.parameters():
            parameter.fill_(float("nan"))
    with pytest.raises(ValueError, match="NaN or infinity.*diverged"):
        strategy.select(net, X[100:400], 5, X_labeled=X[:100], random_state=0)


def test_logits_with_nll_loss_are_refused_at_fit(digits):
    X, y = digits
    querier = StrategyQuerier(_net(LogitMLP), MarginSampling(), n_queries=5)
    with pytest.raises(ValueError, match="not a probability.*NLLLoss.*logits"):
        querier.fit(X[:100], y[:100])


def test_softmax_module_with_cross_entropy_warns(digits):
    X, y = digits
    net = _net(criterion=nn.CrossEntropyLoss).fit(X[:100], y[:100])
    with pytest.warns(UserWarning, match="double softmax"):
        TaskModel(net).predict_proba(X[:10])


def test_too_narrow_output_is_refused(digits):
    X, y = digits
    querier = StrategyQuerier(_net(module__n_classes=5), MarginSampling(), n_queries=5)
    with pytest.raises(ValueError, match=r"module__n_classes=10"):
        querier.fit(X[:200], y[:200])


def test_wider_output_gives_one_column_per_class(digits):
    """A net sized for classes not labelled yet (the usual start of active
    learning) predicts over the classes seen, never an unknown index."""
    X, y = digits
    querier = StrategyQuerier(_net(module__n_classes=20), MarginSampling(), n_queries=5)
    querier.fit(X[:200], y[:200])
    proba = querier.predict_proba(X[200:260])
    assert proba.shape == (60, 10)
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    assert set(querier.predict(X[200:260])) <= set(range(10))


def test_overflowing_float64_pool_is_refused_after_the_cast(digits):
    X, y = digits
    querier = AutoALQuerier(
        LogisticRegression(max_iter=200), n_queries=10, random_state=0
    ).fit(X[:100], y[:100])
    pool = X[100:300].astype(np.float64)
    pool[3, 5] = 1e300
    with pytest.raises(ValueError, match="X_pool"):
        querier.query(pool)


@pytest.mark.parametrize("strategy", [BADGE(), CoreSet(), KMeansSampling()])
def test_overflowing_distances_raise_instead_of_arbitrary_picks(digits, strategy):
    """One float32 row of 1e20: its squared distances overflow, and BADGE
    used to pick at random, CoreSet and KMeans by index order."""
    X, y = digits
    net = default_net("mlp", (64,), 10, random_state=0, max_steps=20, device="cpu")
    net.fit(X[:100], y[:100])
    pool = X[100:400].copy()
    pool[7] = 1e20
    with pytest.raises(ValueError, match="distances .* overflow"):
        strategy.select(net, pool, 10, X_labeled=X[:100], random_state=0)


@pytest.mark.parametrize(
    "initial, taught, match",
    [
        ([0.0, 1.0], ["1"], "mix label types"),
        (["a", "b"], [1], "mix label types"),
        (["a", "b"], [""], "empty"),
        ([0, 1], [float("nan")], "NaN"),
    ],
)
def test_teach_refuses_mixed_empty_or_nan_labels(initial, taught, match):
    rng = np.random.RandomState(0)
    X_pool = rng.rand(20, 3)
    learner = ActiveLearner(
        StrategyQuerier(LogisticRegression(), MarginSampling(), n_queries=2),
        X_pool,
        X_labeled=rng.rand(2, 3),
        y_labeled=np.array(initial, dtype=object),
    )
    with pytest.raises(ValueError, match=match):
        learner.teach([0], taught)
    assert learner.n_labeled == 2


def test_fit_refuses_mixed_label_types(digits):
    X, _ = digits
    y = np.array([0.0, 1.0, "1"] * 10, dtype=object)
    querier = StrategyQuerier(LogisticRegression(), MarginSampling(), n_queries=2)
    with pytest.raises(ValueError, match="mix label types"):
        querier.fit(X[:30], y)


@pytest.mark.parametrize("querier_class", [AutoALQuerier, StrategyQuerier])
def test_one_class_error_names_the_users_class(digits, querier_class):
    # scikit-learn's own message names the encoded label (0), not the
    # user's; the querier's names the class and what to do.
    X, _ = digits
    y = np.full(20, "seven")
    kwargs = {} if querier_class is AutoALQuerier else {"strategy": MarginSampling()}
    querier = querier_class(LogisticRegression(), n_queries=2, **kwargs)
    with pytest.raises(ValueError, match=r"single class \('seven'\).*two classes"):
        querier.fit(X[:20], y)


def test_one_class_leaves_other_fit_errors_as_they_are(digits):
    # Only the one-class refusal is reworded; a bad setting of the model
    # keeps scikit-learn's message, which names it.
    X, _ = digits
    querier = AutoALQuerier(LogisticRegression(C=-1.0), n_queries=2)
    with pytest.raises(ValueError, match="'C' parameter of LogisticRegression"):
        querier.fit(X[:20], np.ones(20))


def test_one_class_net_fits_with_a_warning(digits):
    X, y = digits
    querier = AutoALQuerier(_net(), n_queries=3, random_state=0)
    with pytest.warns(UserWarning, match=r"single class \(1\).*say little") as caught:
        querier.fit(X[y == 1][:20], y[y == 1][:20])
    # The warning points at the caller's line, not at the package.
    assert any(w.filename == __file__ for w in caught)
    picks = querier.query(X[500:600])
    assert len(np.unique(picks)) == 3


def test_top_k_refuses_nan_scores_and_impossible_k():
    from skautoal.utils import top_k

    rng = np.random.RandomState(0)
    with pytest.raises(ValueError, match="NaN"):
        top_k(np.array([0.1, np.nan, 0.3, 0.2]), 3, rng)
    with pytest.raises(ValueError, match="top 5 of 4"):
        top_k(np.arange(4.0), 5, rng)
    assert len(top_k(np.array([1.0, 1.0, 1.0, -np.inf]), 4, rng)) == 4


class _Duplicates(MarginSampling):
    def _select(self, outputs, n_queries, *, labeled, random_state):
        return np.zeros(n_queries, dtype=np.int64)


class _OutOfRange(MarginSampling):
    def _select(self, outputs, n_queries, *, labeled, random_state):
        return np.arange(n_queries, dtype=np.int64) + len(outputs)


class _Short(MarginSampling):
    def _select(self, outputs, n_queries, *, labeled, random_state):
        return np.arange(n_queries - 1, dtype=np.int64)


@pytest.mark.parametrize(
    "strategy, match",
    [
        (_Duplicates(), "_Duplicates returned repeated indices"),
        (_OutOfRange(), "_OutOfRange returned indices outside the pool"),
        (_Short(), "_Short returned 4 indices for n_queries=5"),
    ],
)
def test_a_user_strategys_bad_picks_are_refused(digits, strategy, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        strategy.select(
            LogisticRegression(max_iter=200).fit(X[:100], y[:100]), X[100:300], 5
        )
    querier = AutoALQuerier(
        LogisticRegression(max_iter=200),
        strategies=[MarginSampling(), strategy],
        n_queries=5,
        random_state=0,
    ).fit(X[:100], y[:100])
    with pytest.raises(ValueError, match=match):
        querier.query(X[100:300])


def test_no_strategy_has_a_score_request():
    import skautoal.strategies as strategies

    for name in strategies.__all__:
        cls = getattr(strategies, name)
        if isinstance(cls, type):
            assert not hasattr(cls, "set_score_request"), name


def test_score_is_a_deprecated_alias(digits):
    X, y = digits
    model = LogisticRegression(max_iter=200).fit(X[:100], y[:100])
    with pytest.warns(FutureWarning, match="score_samples"):
        old = MarginSampling().score(model, X[100:150])
    np.testing.assert_array_equal(
        old, MarginSampling().score_samples(model, X[100:150])
    )


@pytest.mark.parametrize("strategy", [BALD(), VarRatio(), MeanSTD()], ids=repr)
def test_mc_dropout_strategy_without_dropout_raises(digits, strategy):
    # Every pass would be the same network: zero or rounding-noise scores,
    # arbitrary picks. An error names the parameter and the model.
    X, y = digits
    name = type(strategy).__name__
    model = LogisticRegression(max_iter=200).fit(X[:60], y[:60])
    with pytest.raises(
        ValueError,
        match=rf"'model' parameter of {name}\.select.*"
        r"got LogisticRegression, which has none.*arbitrary",
    ):
        strategy.select(model, X[60:160], 5, random_state=0)
    with pytest.raises(
        ValueError, match=rf"'model' parameter of {name}\.score_samples"
    ):
        strategy.score_samples(model, X[60:160])
    net = _net(LogitMLP, criterion=nn.CrossEntropyLoss).fit(X[:60], y[:60])
    with pytest.raises(
        ValueError,
        match=rf"'estimator' parameter of StrategyQuerier"
        rf".*strategy={name}\(\).*got NeuralNetClassifier with module LogitMLP",
    ):
        StrategyQuerier(net, strategy, n_queries=5).fit(X[:60], y[:60])


@pytest.mark.parametrize("querier", [AutoALQuerier, UniformVoteQuerier])
def test_candidate_list_with_mc_dropout_and_no_dropout_raises(digits, querier):
    X, y = digits
    strategies = [MarginSampling(), BALD(), VarRatio()]
    with pytest.raises(
        ValueError,
        match=rf"'strategies' parameter of "
        rf"{querier.__name__} holds MC-dropout strategies \(BALD, "
        r"VarRatio\), but the task model \(LogisticRegression\)",
    ):
        querier(LogisticRegression(max_iter=200), strategies=strategies).fit(
            X[:60], y[:60]
        )
    # With dropout, the same list is fine; a preset drops them with a warning.
    picks = (
        querier(_net(), strategies=strategies, n_queries=5, random_state=0)
        .fit(X[:60], y[:60])
        .query(X[60:160])
    )
    assert len(np.unique(picks)) == 5
    with pytest.warns(UserWarning, match="BALD, VarRatio"):
        querier(LogisticRegression(max_iter=200), n_queries=5).fit(X[:60], y[:60])


def test_warnings_point_at_the_users_line(digits):
    X, y = digits
    querier = StrategyQuerier(
        LogisticRegression(max_iter=200), MarginSampling(), n_queries=10
    ).fit(X[:50], y[:50])
    with pytest.warns(UserWarning, match="larger than the pool") as record:
        querier.query(X[50:55])
    assert record[0].filename == __file__
    with pytest.warns(UserWarning, match="no dropout") as record:
        AutoALQuerier(LogisticRegression(max_iter=200), n_queries=5).fit(X[:50], y[:50])
    assert record[0].filename == __file__


@pytest.mark.parametrize("device", ["gpu", "cuda:99", 3])
def test_bad_device_names_the_parameter(digits, device):
    X, y = digits
    if device == "cuda:99" and torch.cuda.device_count() > 99:
        pytest.skip("a machine with 100 GPUs")
    querier = AutoALQuerier(LogisticRegression(max_iter=200), device=device)
    with pytest.raises(ValueError, match="'device' parameter"):
        querier.fit(X[:60], y[:60])
