import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline as sk_make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier

from skautoal import AutoALQuerier
from skautoal.baselines import StrategyQuerier
from skautoal.models import PoolOutputs
from skautoal.pipeline import make_pipeline
from skautoal.strategies import EntropySampling, MarginSampling
from tests.helpers import UserModule


def test_pipeline_query_transforms_the_pool(digits):
    X, y = digits
    querier = StrategyQuerier(
        LogisticRegression(max_iter=200), MarginSampling(), n_queries=6, random_state=0
    )
    pipe = make_pipeline(StandardScaler(), clone(querier)).fit(X[:200], y[:200])
    scaler = StandardScaler().fit(X[:200])
    direct = clone(querier).fit(scaler.transform(X[:200]), y[:200])
    np.testing.assert_array_equal(
        pipe.query(X[200:500]), direct.query(scaler.transform(X[200:500]))
    )
    indices, scores = pipe.query(X[200:500], return_scores=True)
    assert scores.shape == (300,)


def test_querier_around_a_pipeline_sees_transformed_features(digits):
    X, y = digits
    net = NeuralNetClassifier(UserModule, max_epochs=3, verbose=0, train_split=None)
    querier = AutoALQuerier(
        sk_make_pipeline(StandardScaler(), net),
        strategies=[MarginSampling()],
        n_queries=5,
        random_state=0,
        pretrain_iter=5,
        search_iter=5,
    ).fit(X[:200].astype(np.float64), y[:200])
    assert len(querier.query(X[200:400])) == 5
    fitted = querier.estimator_
    emb = PoolOutputs(fitted, X[200:260]).embedding
    module = fitted[-1].module_
    import torch

    with torch.no_grad():
        scaled = torch.as_tensor(fitted[0].transform(X[200:260]), dtype=torch.float32)
        expected = torch.relu(module.hidden(scaled)).numpy()
    np.testing.assert_allclose(emb, expected, atol=1e-5)


def test_grid_search_over_querier_parameters(digits):
    X, y = digits
    querier = AutoALQuerier(
        LogisticRegression(max_iter=200),
        strategies=[MarginSampling()],
        n_queries=5,
        random_state=0,
        pretrain_iter=5,
        search_iter=5,
    )
    grid = GridSearchCV(
        querier,
        {
            "estimator__C": [0.1, 1.0],
            "strategies": [[MarginSampling()], [EntropySampling()]],
        },
        cv=2,
    ).fit(X[:300], y[:300])
    assert grid.best_params_["estimator__C"] in (0.1, 1.0)
    assert len(grid.best_estimator_.query(X[300:600])) == 5


def test_grid_search_with_the_aubc_scorer(digits):
    from skautoal.metrics import make_aubc_scorer

    X, y = digits
    querier = AutoALQuerier(
        LogisticRegression(max_iter=200),
        strategies=[MarginSampling(), EntropySampling()],
        n_queries=10,
        random_state=0,
        pretrain_iter=5,
        search_iter=5,
    )
    scorer = make_aubc_scorer(initial_size=30, n_rounds=2)
    grid = GridSearchCV(
        querier, {"temperature": ["auto", 1e-11]}, scoring=scorer, cv=2
    ).fit(X[:600], y[:600])
    scores = grid.cv_results_["mean_test_score"]
    assert scores.shape == (2,) and np.all((scores > 0.3) & (scores <= 1))
    assert "make_aubc_scorer" in repr(scorer)


def test_aubc_scorer_can_continue_from_the_fitted_querier(digits, monkeypatch):
    # initial_size="fitted": the first score and query use the querier
    # GridSearchCV fitted (no refit); later rounds refit a copy on its labels
    # plus the revealed ones. The caller's querier is left as it was.
    from sklearn.model_selection import ShuffleSplit

    from skautoal.baselines import StrategyQuerier
    from skautoal.metrics import make_aubc_scorer

    X, y = digits
    querier = StrategyQuerier(
        LogisticRegression(max_iter=300), MarginSampling(), n_queries=10
    ).fit(X[:60], y[:60])
    coef = querier.estimator_.coef_.copy()
    fits = []
    original = StrategyQuerier.fit

    def counting_fit(self, X, y, **kw):
        fits.append(len(y))
        return original(self, X, y, **kw)

    monkeypatch.setattr(StrategyQuerier, "fit", counting_fit)
    scorer = make_aubc_scorer(initial_size="fitted", n_rounds=2)
    score = scorer(querier, X[300:700], y[300:700])
    assert 0.3 < score <= 1
    assert fits == [70, 80]  # no refit on the 60 labels it was fitted on
    np.testing.assert_array_equal(querier.estimator_.coef_, coef)
    assert len(querier._y_labeled) == 60

    # Inside GridSearchCV with labelled-set sized training folds, and through
    # skautoal's Pipeline.
    from skautoal.pipeline import make_pipeline

    pipe = make_pipeline(
        StandardScaler(),
        StrategyQuerier(
            LogisticRegression(max_iter=300), MarginSampling(), n_queries=10
        ),
    )
    grid = GridSearchCV(
        pipe,
        {"strategyquerier__n_queries": [5, 10]},
        scoring=scorer,
        cv=ShuffleSplit(n_splits=2, train_size=60, random_state=0),
    ).fit(X[:600], y[:600])
    assert np.all(grid.cv_results_["mean_test_score"] > 0.3)


def test_aubc_scorer_fitted_needs_the_fitted_labels(digits):
    from skautoal.metrics import make_aubc_scorer

    X, y = digits
    plain = LogisticRegression(max_iter=300).fit(X[:60], y[:60])
    with pytest.raises(TypeError, match="does not keep"):
        make_aubc_scorer(initial_size="fitted")(plain, X[300:500], y[300:500])
    with pytest.raises(ValueError, match="'initial_size'.*'fitted'; got 0"):
        make_aubc_scorer(initial_size=0)


@pytest.mark.parametrize(
    "kwargs, mentions",
    [
        ({"initial_size": True}, "'initial_size'"),
        # Zero rounds would rate every configuration by its initial model.
        ({"n_rounds": 0}, "'n_rounds' parameter of make_aubc_scorer"),
        ({"test_size": 1.5}, "'test_size' parameter of make_aubc_scorer"),
        ({"test_size": 0.0}, "'test_size'"),
        # A RandomState or None would give each configuration other labels.
        ({"random_state": None}, "'random_state'.*same split"),
        ({"random_state": np.random.RandomState(0)}, "'random_state'"),
    ],
)
def test_aubc_scorer_checks_its_parameters_when_made(kwargs, mentions):
    # At make time, not deep inside a cross-validation with another
    # function's name in the message.
    from skautoal.metrics import make_aubc_scorer

    with pytest.raises(ValueError, match=mentions):
        make_aubc_scorer(**kwargs)
