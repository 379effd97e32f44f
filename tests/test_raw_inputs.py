"""Inputs that a pipeline's first step reads: data frames whose columns it
selects by name, texts, sparse matrices.

The queriers hand such an ``X`` to the pipeline as it is (as
``GridSearchCV`` does); the outputs must be those of the same model on the
encoded features.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skautoal import AutoALQuerier
from skautoal.baselines import (
    ALBLQuerier,
    BAITQuerier,
    StrategyQuerier,
    TAILORQuerier,
    UniformVoteQuerier,
)
from skautoal.loop import ActiveLearner, simulate
from skautoal.strategies import MarginSampling

pd = pytest.importorskip("pandas")

N_QUERIES = 5


def _table(n=240, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "age": rng.randint(18, 80, n).astype(float),
            "city": rng.choice(["north", "south", "east"], n),
            "income": rng.randn(n),
        }
    )
    y = ((frame.age > 40) ^ (frame.city == "north")).to_numpy().astype(int)
    return frame, y


def _encoder():
    return make_column_transformer(
        (OneHotEncoder(), ["city"]), (StandardScaler(), ["age", "income"])
    )


def _pipeline():
    return make_pipeline(_encoder(), LogisticRegression())


QUERIERS = {
    "autoal": lambda est: AutoALQuerier(est, n_queries=N_QUERIES, random_state=0),
    "autoal-gradient": lambda est: AutoALQuerier(
        est, n_queries=N_QUERIES, optimizer="gradient", gradient_iter=20, random_state=0
    ),
    "margin": lambda est: StrategyQuerier(
        est, MarginSampling(), n_queries=N_QUERIES, random_state=0
    ),
    "vote": lambda est: UniformVoteQuerier(est, n_queries=N_QUERIES, random_state=0),
    "bait": lambda est: BAITQuerier(est, n_queries=N_QUERIES, random_state=0),
    "albl": lambda est: ALBLQuerier(est, n_queries=N_QUERIES, random_state=0),
    "tailor": lambda est: TAILORQuerier(est, n_queries=N_QUERIES, random_state=0),
}


@pytest.mark.filterwarnings("ignore:The task model has no dropout")
@pytest.mark.parametrize("name", sorted(QUERIERS))
def test_data_frame_through_pipeline_picks_as_on_encoded_features(name):
    # The pipeline selects columns by name, so it must get the data frame;
    # its picks must be those of the classifier on the encoded features.
    frame, y = _table()
    before = frame.copy()
    picks = QUERIERS[name](_pipeline()).fit(frame[:40], y[:40]).query(frame[40:])
    pd.testing.assert_frame_equal(frame, before)
    assert picks.dtype == np.int64
    assert len(np.unique(picks)) == N_QUERIES
    assert picks.min() >= 0 and picks.max() < len(frame) - 40
    encoder = _encoder().fit(frame[:40])
    encoded = QUERIERS[name](LogisticRegression()).fit(
        encoder.transform(frame[:40]), y[:40]
    )
    np.testing.assert_array_equal(picks, encoded.query(encoder.transform(frame[40:])))


def test_texts_through_pipeline_pick_as_on_sparse_features():
    rng = np.random.RandomState(0)
    words = np.array("good bad great awful fine poor nice dull fun bland".split())
    docs = [" ".join(rng.choice(words, 6)) for _ in range(160)]
    y = np.array([sum(w in doc.split() for w in words[::2]) > 3 for doc in docs])
    querier = AutoALQuerier(
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
        n_queries=N_QUERIES,
        random_state=0,
    )
    with pytest.warns(UserWarning, match="no dropout"):
        picks = querier.fit(docs[:30], y[:30]).query(docs[30:])
    assert len(np.unique(picks)) == N_QUERIES and picks.max() < 130
    # The same classifier on the vectoriser's sparse output, handed over as
    # a sparse matrix: the same picks.
    vectoriser = TfidfVectorizer().fit(docs[:30])
    sparse = AutoALQuerier(LogisticRegression(), n_queries=N_QUERIES, random_state=0)
    with pytest.warns(UserWarning, match="no dropout"):
        sparse.fit(vectoriser.transform(docs[:30]), y[:30])
        expected = sparse.query(vectoriser.transform(docs[30:]))
    np.testing.assert_array_equal(picks, expected)


def test_data_frame_with_other_columns_is_refused():
    frame, y = _table()
    querier = StrategyQuerier(_pipeline(), MarginSampling(), n_queries=N_QUERIES)
    querier.fit(frame[:40], y[:40])
    with pytest.raises(ValueError, match="feature names"):
        querier.query(frame[40:].rename(columns={"income": "salary"}))


def test_empty_data_frame_pool_is_refused():
    frame, y = _table()
    querier = StrategyQuerier(_pipeline(), MarginSampling(), n_queries=N_QUERIES)
    querier.fit(frame[:40], y[:40])
    with pytest.raises(ValueError, match="empty"):
        querier.query(frame[:0])


@pytest.mark.filterwarnings("ignore:The task model has no dropout")
def test_simulation_search_needs_numbers_or_embeddings():
    frame, y = _table()
    raw = AutoALQuerier(
        _pipeline(), n_queries=N_QUERIES, search="simulation", random_state=0
    )
    with pytest.raises(ValueError, match="search_input='embedding'"):
        raw.fit(frame[:60], y[:60])
    embedded = AutoALQuerier(
        _pipeline(),
        n_queries=N_QUERIES,
        search="simulation",
        search_input="embedding",
        pretrain_iter=5,
        search_iter=5,
        random_state=0,
    )
    picks = embedded.fit(frame[:60], y[:60]).query(frame[60:])
    assert len(np.unique(picks)) == N_QUERIES


@pytest.mark.filterwarnings("ignore:The task model has no dropout")
def test_loop_and_learner_keep_data_frames():
    frame, y = _table()
    curve = simulate(
        AutoALQuerier(_pipeline(), n_queries=N_QUERIES, random_state=0),
        frame[:180],
        y[:180],
        X_test=frame[180:],
        y_test=y[180:],
        initial_size=20,
        n_rounds=2,
        random_state=0,
    )
    assert curve.n_labeled == [20, 25, 30]
    learner = ActiveLearner(
        AutoALQuerier(_pipeline(), n_queries=N_QUERIES, random_state=0),
        frame[40:],
        X_labeled=frame[:40],
        y_labeled=y[:40],
    )
    first = learner.query()
    learner.teach(first, y[40:][first])
    second = learner.query()
    assert not set(first) & set(second)
    assert learner.n_labeled == 45


def test_safe_save_refuses_a_data_frame(tmp_path):
    frame, y = _table()
    learner = ActiveLearner(
        StrategyQuerier(_pipeline(), MarginSampling(), n_queries=N_QUERIES),
        frame[40:],
        X_labeled=frame[:40],
        y_labeled=y[:40],
    )
    with pytest.raises(TypeError, match="format='pickle'"):
        learner.save(tmp_path / "learner.npz")


def _with_gaps(seed=0):
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    order = np.random.RandomState(seed).permutation(len(y))
    X, y = X[order], y[order]
    X[np.random.RandomState(seed + 1).rand(*X.shape) < 0.1] = np.nan
    return X, y


@pytest.mark.filterwarnings("ignore:The task model has no dropout")
@pytest.mark.parametrize("name", ["autoal", "margin", "bait"])
def test_nan_goes_to_a_pipeline_that_imputes(name):
    from sklearn.impute import SimpleImputer

    X, y = _with_gaps()
    querier = QUERIERS[name](
        make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())
    )
    assert querier.__sklearn_tags__().input_tags.allow_nan
    picks = querier.fit(X[:30], y[:30]).query(X[30:])
    assert len(np.unique(picks)) == N_QUERIES
    # The candidates see the imputed features: the same picks as the scaler
    # and classifier on them.
    imputer = SimpleImputer().fit(X[:30])
    filled = QUERIERS[name](make_pipeline(StandardScaler(), LogisticRegression()))
    filled.fit(imputer.transform(X[:30]), y[:30])
    np.testing.assert_array_equal(picks, filled.query(imputer.transform(X[30:])))


def test_nan_is_refused_without_an_imputer_and_infinity_always():
    from sklearn.impute import SimpleImputer

    X, y = _with_gaps()
    plain = StrategyQuerier(LogisticRegression(), MarginSampling(), n_queries=3)
    assert not plain.__sklearn_tags__().input_tags.allow_nan
    with pytest.raises(ValueError, match="NaN"):
        plain.fit(X[:30], y[:30])
    imputing = StrategyQuerier(
        make_pipeline(SimpleImputer(), LogisticRegression()),
        MarginSampling(),
        n_queries=3,
    ).fit(X[:30], y[:30])
    pool = X[30:].copy()
    pool[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        imputing.query(pool)


def _table_net_pipeline(net):
    encoder = make_column_transformer(
        (OneHotEncoder(sparse_output=False), ["city"]),
        (StandardScaler(), ["age", "income"]),
    )
    return make_pipeline(encoder, net)  # float64 features into the net


def test_default_net_after_a_transformer_takes_its_float64_output():
    from skautoal.models import default_net

    frame, y = _table()
    net = default_net("mlp", (5,), 2, random_state=0, max_steps=20)
    querier = StrategyQuerier(
        _table_net_pipeline(net), MarginSampling(), n_queries=N_QUERIES
    )
    picks = querier.fit(frame[:40], y[:40]).query(frame[40:])
    assert len(np.unique(picks)) == N_QUERIES
    # The same as feeding the net the float32 features itself.
    encoder = _table_net_pipeline(net)[0].fit(frame[:40])
    direct = StrategyQuerier(
        default_net("mlp", (5,), 2, random_state=0, max_steps=20),
        MarginSampling(),
        n_queries=N_QUERIES,
    ).fit(encoder.transform(frame[:40]).astype(np.float32), y[:40])
    expected = direct.query(encoder.transform(frame[40:]).astype(np.float32))
    np.testing.assert_array_equal(picks, expected)


def test_other_skorch_net_after_a_transformer_gets_a_clear_error():
    from skorch import NeuralNetClassifier

    from skautoal.models import MLPModule

    frame, y = _table()
    net = NeuralNetClassifier(
        MLPModule, module__n_classes=2, max_epochs=1, train_split=None, verbose=0
    )
    querier = StrategyQuerier(
        _table_net_pipeline(net), MarginSampling(), n_queries=N_QUERIES
    )
    with pytest.raises(TypeError, match="FunctionTransformer"):
        querier.fit(frame[:40], y[:40])


def test_wide_sparse_features_warn_of_their_dense_copy(monkeypatch):
    import scipy.sparse as sp

    from skautoal.models import _adapter
    from skautoal.strategies import CoreSet

    X = sp.random(60, 50, density=0.2, format="csr", random_state=0)
    y = np.arange(60) % 2
    model = LogisticRegression().fit(X[:20], y[:20])
    monkeypatch.setattr(_adapter, "_DENSE_EMBEDDING_WARN_BYTES", 4 * 40 * 50 - 1)
    with pytest.warns(UserWarning, match="TruncatedSVD"):
        CoreSet().select(model, X[20:], 3, random_state=0)
    # Probabilities alone make no dense copy, and say nothing.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MarginSampling().select(model, X[20:], 3)


def _mixed_rows():
    """The table as a list of rows ["north", 45.0, 0.3], and a margin querier
    whose ColumnTransformer selects columns by position."""
    frame, y = _table()
    rows = frame[["city", "age", "income"]].to_numpy(dtype=object).tolist()
    encoder = make_column_transformer(
        (OneHotEncoder(), [0]), (StandardScaler(), [1, 2])
    )
    querier = StrategyQuerier(
        make_pipeline(encoder, LogisticRegression()), MarginSampling(), n_queries=3
    )
    return rows, y, querier


def test_list_of_mixed_rows_keeps_its_numbers():
    # A list of rows for a ColumnTransformer that selects by position: the
    # numbers must reach the scaler as numbers, not as strings.
    rows, y, querier = _mixed_rows()
    picks = querier.fit(rows[:40], y[:40]).query(rows[40:])
    assert isinstance(querier._X_labeled[0][1], float)  # not the string "45.0"
    frame, _ = _table()
    expected = (
        StrategyQuerier(_pipeline(), MarginSampling(), n_queries=3)
        .fit(frame[:40], y[:40])
        .query(frame[40:])
    )
    np.testing.assert_array_equal(picks, expected)


@pytest.mark.filterwarnings("ignore:The task model has no dropout")
def test_two_stage_query_of_a_data_frame_picks_as_of_the_encoded_array():
    # A pool larger than partition_size is queried by partitions; a data
    # frame is cut into row slices as an array is.
    from skautoal import config_context
    from skautoal._partition import plan_query

    frame, y = _table(n=400)
    encoder = _encoder().fit(frame[:40])
    on_frame = QUERIERS["autoal"](_pipeline()).fit(frame[:40], y[:40])
    on_array = QUERIERS["autoal"](LogisticRegression()).fit(
        encoder.transform(frame[:40]), y[:40]
    )
    with config_context(partition_size=100):
        picks = on_frame.query(frame[40:])
        expected = on_array.query(encoder.transform(frame[40:]))
    np.testing.assert_array_equal(picks, expected)
    assert len(np.unique(picks)) == N_QUERIES
    assert plan_query(frame[40:], 360, "auto", 100)[0] == "local"  # two stages


def test_learner_and_scorer_keep_the_numbers_of_mixed_rows():
    from skautoal.metrics import make_aubc_scorer

    rows, y, querier = _mixed_rows()
    learner = ActiveLearner(querier, rows[40:], X_labeled=rows[:40], y_labeled=y[:40])
    first = learner.query()
    learner.teach(first, y[40:][first])
    assert len(learner.query()) == 3  # refits on labelled rows plus taught ones
    X_train, _ = learner._training_set()
    assert isinstance(X_train[-1][1], float)  # a taught row keeps its number
    fitted = clone(querier).fit(rows[:40], y[:40])
    scorer = make_aubc_scorer(initial_size="fitted", n_rounds=2)
    assert 0 < scorer(fitted, rows[40:200], y[40:200]) <= 1


def test_nan_for_a_model_that_takes_it_names_the_imputer():
    # HistGradientBoostingClassifier takes NaN, but the candidates read its
    # raw features: the error must say what to do, not suggest that model.
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = _with_gaps()
    querier = StrategyQuerier(
        HistGradientBoostingClassifier(max_iter=5), MarginSampling(), n_queries=3
    )
    with pytest.raises(ValueError, match="SimpleImputer") as info:
        querier.fit(X[:30], y[:30])
    assert "HistGradientBoostingClassifier takes NaN" in str(info.value)
