import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from skorch import NeuralNetClassifier

from skautoal import AutoALQuerier
from skautoal.models import CNNModule, default_net
from skautoal.search import SearchNet, search_objective
from skautoal.strategies import (
    CoreSet,
    EntropySampling,
    MarginSampling,
    RandomSampling,
)
from tests.helpers import UserModule

# The paper's simulation search, kept as search="simulation", sized for tests.
FAST = dict(search="simulation", pretrain_iter=30, search_iter=40)


def _logreg():
    return LogisticRegression(max_iter=200)


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    querier = AutoALQuerier(
        _logreg(),
        strategies=[MarginSampling(), EntropySampling(), CoreSet()],
        n_queries=10,
        random_state=0,
        **FAST,
    )
    return querier.fit(X[:300], y[:300])


def _gradient_norm(temperature):
    torch.manual_seed(0)
    net = SearchNet((8,), n_strategies=3)
    X = torch.randn(200, 8)
    masks = (torch.rand(200, 3) < 0.1).float()
    losses = torch.rand(200)
    objective, _, _ = search_objective(
        net,
        X,
        masks,
        losses,
        20,
        temperature=temperature,
        count_weight=1.0,
        loss_prediction=False,
        nonnegative=True,
    )
    objective.backward()
    return sum(
        float(p.grad.abs().sum()) for p in net.parameters() if p.grad is not None
    )


def test_searchnet_gets_gradient_with_default_temperature():
    assert _gradient_norm("auto") > 1e-4


def test_released_hard_step_gives_no_gradient():
    assert _gradient_norm(1e-11) == 0.0


def test_margin_outweighs_random_in_most_seeds(digits):
    X, y = digits
    wins, lifts = 0, 0
    for seed in range(5):
        rng = np.random.RandomState(seed)
        idx = rng.permutation(len(X))[:300]
        querier = AutoALQuerier(
            _logreg(),
            strategies=[MarginSampling(), RandomSampling()],
            random_state=seed,
            **FAST,
        ).fit(X[idx], y[idx])
        weights = querier.strategy_weights_
        wins += weights["MarginSampling"] > weights["RandomSampling"]
        history = querier.search_history_
        lifts += history["autoal_selected_loss"][-1] > history["vote_selected_loss"][-1]
    assert wins >= 4
    assert lifts >= 4


def test_selected_loss_rises_above_the_vote(fitted):
    history = fitted.search_history_
    assert history["autoal_selected_loss"][-1] > history["vote_selected_loss"][-1]
    assert history["selected_loss"][-5:].mean() > history["selected_loss"][:5].mean()
    assert set(history) >= {
        "fit_loss",
        "search_objective",
        "selected_loss",
        "top_loss_overlap",
    }


def test_fitted_attributes(fitted, digits):
    X, y = digits
    assert fitted.n_features_in_ == 64
    np.testing.assert_array_equal(fitted.classes_, np.arange(10))
    assert [type(c).__name__ for c in fitted.candidates_] == [
        "MarginSampling",
        "EntropySampling",
        "CoreSet",
    ]
    assert pytest.approx(sum(fitted.strategy_weights_.values())) == 1.0
    assert set(fitted.fit_timings_) == {
        "task_model",
        "simulation_model",
        "candidates",
        "search",
    }
    assert fitted.search_net_ is not None and fitted.fit_net_ is not None


def test_query_unique_indices_and_scores(fitted, digits):
    X, _ = digits
    pool = X[300:700]
    indices, scores = fitted.query(pool, return_scores=True)
    assert indices.dtype == np.int64 and len(set(indices.tolist())) == 10
    assert scores.shape == (400,)
    assert scores[indices].min() >= np.delete(scores, indices).max()


def test_same_random_state_same_result(digits):
    X, y = digits

    def make():
        net = NeuralNetClassifier(UserModule, max_epochs=3, verbose=0, train_split=None)
        querier = AutoALQuerier(net, n_queries=8, random_state=3, **FAST)
        return querier.fit(X[:200], y[:200])

    first, second = make(), make()
    np.testing.assert_array_equal(first.query(X[200:500]), second.query(X[200:500]))
    assert first.strategy_weights_ == second.strategy_weights_


def test_pickle_round_trip_keeps_searchnet(fitted, digits):
    X, _ = digits
    restored = pickle.loads(pickle.dumps(fitted))
    for a, b in zip(
        restored.search_net_.parameters(), fitted.search_net_.parameters(), strict=True
    ):
        assert torch.equal(a, b)
    np.testing.assert_array_equal(restored.query(X[300:600]), fitted.query(X[300:600]))


def test_clone_and_params(fitted):
    cloned = clone(fitted)
    assert not hasattr(cloned, "estimator_")
    assert cloned.get_params()["n_queries"] == 10
    cloned.set_params(estimator__C=0.5, temperature=0.1)
    assert cloned.estimator.C == 0.5 and cloned.temperature == 0.1


def test_delegation_with_string_labels(digits):
    X, y = digits
    labels = np.array([f"digit-{v}" for v in y])
    querier = AutoALQuerier(
        _logreg(), strategies=[MarginSampling()], random_state=0, **FAST
    ).fit(X[:200], labels[:200])
    assert querier.predict(X[200:205]).dtype.kind == "U"
    assert set(querier.predict(X[200:300])) <= set(labels)
    assert querier.predict_proba(X[:3]).shape == (3, 10)
    assert 0.5 < querier.score(X[200:400], labels[200:400]) <= 1.0


def test_tiny_labelled_set_skips_search(digits):
    X, y = digits
    idx = np.concatenate([np.flatnonzero(y == c)[:1] for c in range(3)])
    querier = AutoALQuerier(
        _logreg(),
        strategies=[MarginSampling(), EntropySampling()],
        n_queries=5,
        search="simulation",
    )
    with pytest.warns(UserWarning, match="Too few labels"):
        querier.fit(X[idx], y[idx])
    assert querier.search_net_ is None
    assert querier.strategy_weights_ == {"MarginSampling": 0.5, "EntropySampling": 0.5}
    assert len(querier.query(X[100:200])) == 5


def test_dropout_candidates_dropped_once(digits):
    X, y = digits
    with pytest.warns(UserWarning, match=r"no dropout layers.*BALD, MeanSTD") as record:
        querier = AutoALQuerier(
            _logreg(), strategies="full", random_state=0, **FAST
        ).fit(X[:200], y[:200])
    assert sum("dropped" in str(w.message) for w in record) == 1
    names = [type(c).__name__ for c in querier.candidates_]
    assert "BALD" not in names and "MeanSTD" not in names and len(names) == 6


def test_auto_candidates_are_lean_and_keep_diversity(digits):
    X, y = digits
    with pytest.warns(UserWarning, match=r"no dropout layers.*BALD, VarRatio"):
        querier = AutoALQuerier(_logreg(), random_state=0).fit(X[:200], y[:200])
    names = [type(c).__name__ for c in querier.candidates_]
    assert names == ["MarginSampling", "EntropySampling", "CoreSet", "BADGE"]


def test_paper_candidates(digits):
    X, y = digits
    querier = AutoALQuerier(
        NeuralNetClassifier(UserModule, max_epochs=2, verbose=0, train_split=None),
        strategies="paper",
        random_state=0,
        **FAST,
    ).fit(X[:200], y[:200])
    assert [type(c).__name__ for c in querier.candidates_] == [
        "EntropySampling",
        "MarginSampling",
        "LeastConfidence",
        "KMeansSampling",
        "BALD",
        "VarRatio",
        "MeanSTD",
    ]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_queries": 0}, "'n_queries' parameter of AutoALQuerier"),
        ({"temperature": -1.0}, "'temperature' parameter of AutoALQuerier"),
        ({"simulation": "honest"}, "'simulation' parameter of AutoALQuerier"),
        ({"selection_ratio": 1.5}, "'selection_ratio' parameter"),
        ({"strategies": "best"}, "'strategies' parameter of AutoALQuerier"),
    ],
)
def test_bad_parameters(digits, params, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        AutoALQuerier(_logreg(), **params).fit(X[:100], y[:100])


def test_bad_strategy_list(digits):
    X, y = digits
    with pytest.raises(TypeError, match="BaseQueryStrategy instances; got an element"):
        AutoALQuerier(_logreg(), strategies=["margin"]).fit(X[:100], y[:100])
    # A class instead of an instance, a likely slip: the error says what to pass.
    with pytest.raises(TypeError, match=r"Pass an instance: MarginSampling\(\)"):
        AutoALQuerier(_logreg(), strategies=[MarginSampling]).fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="at least one strategy"):
        AutoALQuerier(_logreg(), strategies=[]).fit(X[:100], y[:100])


def test_query_errors(fitted, digits):
    X, _ = digits
    with pytest.raises(NotFittedError):
        AutoALQuerier(_logreg()).query(X)
    with pytest.raises(ValueError, match="63 features"):
        fitted.query(X[:, :63])
    with pytest.raises(
        ValueError, match="'n_queries' parameter of AutoALQuerier.query"
    ):
        fitted.query(X[300:400], n_queries=0)
    with pytest.warns(UserWarning, match="larger than the pool"):
        assert sorted(fitted.query(X[300:305]).tolist()) == list(range(5))
    bad = X[300:400].copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fitted.query(bad)


def test_inputs_not_mutated(digits):
    X, y = digits
    X_lab, y_lab, pool = X[:200].copy(), y[:200].copy(), X[200:400].copy()
    estimator = _logreg()
    querier = AutoALQuerier(
        estimator, strategies=[MarginSampling()], random_state=0, **FAST
    ).fit(X_lab, y_lab)
    querier.query(pool)
    np.testing.assert_array_equal(X_lab, X[:200])
    np.testing.assert_array_equal(y_lab, y[:200])
    np.testing.assert_array_equal(pool, X[200:400])
    assert not hasattr(estimator, "coef_")


def test_warm_start_carries_the_nets(digits):
    X, y = digits
    querier = AutoALQuerier(
        _logreg(),
        strategies=[MarginSampling()],
        warm_start=True,
        random_state=0,
        **FAST,
    ).fit(X[:200], y[:200])
    first = [p.detach().clone() for p in querier.search_net_.parameters()]
    querier.set_params(search_iter=0, pretrain_iter=0).fit(X[:300], y[:300])
    for a, b in zip(first, querier.search_net_.parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("simulation", ["holdout", "released"])
@pytest.mark.parametrize("search_input", ["raw", "embedding"])
def test_cnn_on_images(digits, simulation, search_input):
    X, y = digits
    images = X.reshape(-1, 1, 8, 8)
    net = NeuralNetClassifier(
        CNNModule,
        module__n_classes=10,
        module__channels=4,
        module__hidden_units=16,
        max_epochs=2,
        verbose=0,
        train_split=None,
    )
    querier = AutoALQuerier(
        net,
        n_queries=6,
        simulation=simulation,
        search_input=search_input,
        random_state=0,
        pretrain_iter=5,
        search_iter=5,
    ).fit(images[:120], y[:120])
    picked = querier.query(images[120:320])
    assert len(set(picked.tolist())) == 6


def test_float64_input_to_skorch_is_cast(digits):
    X, y = digits
    querier = AutoALQuerier(
        NeuralNetClassifier(UserModule, max_epochs=2, verbose=0, train_split=None),
        strategies=[MarginSampling()],
        random_state=0,
        **FAST,
    ).fit(X[:150].astype(np.float64), y[:150])
    assert len(querier.query(X[150:300].astype(np.float64), 4)) == 4


def test_user_modules(digits):
    X, y = digits

    class Weights(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(64, 2)

        def forward(self, X):
            return self.linear(X)

    fit_net = torch.nn.Sequential(torch.nn.Linear(64, 10))
    user_search = Weights()
    before = user_search.linear.weight.detach().clone()
    querier = AutoALQuerier(
        _logreg(),
        strategies=[MarginSampling(), EntropySampling()],
        search_net=user_search,
        fit_net=fit_net,
        random_state=0,
        **FAST,
    ).fit(X[:200], y[:200])
    assert torch.equal(user_search.linear.weight, before)
    assert isinstance(querier.search_net_, Weights)
    assert len(querier.query(X[200:400], 5)) == 5


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_search_matches_shapes(digits):
    X, y = digits
    querier = AutoALQuerier(
        _logreg(),
        strategies=[MarginSampling(), EntropySampling()],
        device="cuda",
        random_state=0,
        **FAST,
    ).fit(X[:200], y[:200])
    assert len(querier.query(X[200:400], 5)) == 5


def test_strategy_weighting_uses_one_weight_per_candidate(fitted, digits):
    X, _ = digits
    querier = clone(fitted).set_params(weighting="strategy")
    querier.fit(X[:300], digits[1][:300])
    indices, scores = querier.query(X[300:700], return_scores=True)
    weights = np.array(list(querier.strategy_weights_.values()))
    possible = {
        round(float(np.dot(mask, weights)), 6)
        for mask in np.ndindex(*(2,) * len(weights))
    }
    assert {round(float(s), 6) for s in scores} <= possible
    assert len(set(indices.tolist())) == 10


def test_dataframe_input_keeps_feature_names(digits):
    pd = pytest.importorskip("pandas")
    X, y = digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    querier = AutoALQuerier(
        _logreg(), strategies=[MarginSampling()], n_queries=5, random_state=0, **FAST
    ).fit(frame.iloc[:200], pd.Series(y[:200]).astype(str))
    assert list(querier.feature_names_in_[:2]) == ["px0", "px1"]
    assert len(querier.query(frame.iloc[200:500])) == 5
    assert querier.predict(frame.iloc[:3]).tolist() == ["0", "1", "2"]


def test_sparse_input_goes_to_a_scikit_learn_model_as_it_is(digits):
    # LogisticRegression takes a sparse matrix, so the querier hands it on;
    # the simulation search's SearchNet reads it densified, a chunk at a time.
    sparse = pytest.importorskip("scipy.sparse")
    X, y = digits
    picks = []
    for convert in (np.asarray, sparse.csr_matrix):
        querier = AutoALQuerier(
            _logreg(), strategies=[MarginSampling()], random_state=0, **FAST
        )
        querier.fit(convert(X[:100]), y[:100])
        picks.append(querier.query(convert(X[100:300])))
    assert len(np.unique(picks[1])) == querier.n_queries
    # The same samples to the encoded array's rounding: LogisticRegression
    # fits a sparse matrix with other products.
    assert len(set(picks[0]) & set(picks[1])) >= querier.n_queries - 2


def test_sparse_input_to_a_skorch_net_gets_a_clear_error(digits):
    sparse = pytest.importorskip("scipy.sparse")
    X, y = digits
    net = default_net("mlp", (64,), 10, random_state=0)
    querier = AutoALQuerier(net, strategies=[MarginSampling()], **FAST)
    with pytest.raises(TypeError, match="dense data is required"):
        querier.fit(sparse.csr_matrix(X[:100]), y[:100])
