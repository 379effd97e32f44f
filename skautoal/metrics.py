"""Scoring a querier configuration by its labelling efficiency."""

import copy
import numbers

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from .loop import LearningCurve, _play_round, simulate
from .utils._arrays import concat_rows, n_rows
from .utils._validation import (
    ParameterError,
    check_param_int,
    check_test_size,
    holds_numbers,
)


class AUBCScorer:
    """A scorer that runs a short simulated active-learning run.

    Made by :func:`make_aubc_scorer`; called as ``scorer(querier, X, y)``
    like any scikit-learn scorer.
    """

    def __init__(self, initial_size, n_rounds, test_size, random_state):
        self.initial_size = initial_size
        self.n_rounds = n_rounds
        self.test_size = test_size
        self.random_state = random_state

    def __repr__(self):
        return (
            f"make_aubc_scorer(initial_size={self.initial_size}, "
            f"n_rounds={self.n_rounds}, test_size={self.test_size}, "
            f"random_state={self.random_state})"
        )

    def __call__(self, querier, X, y):
        y = np.asarray(y)
        _, counts = np.unique(y, return_counts=True)
        X_pool, X_test, y_pool, y_test = train_test_split(
            X,
            y,
            test_size=self.test_size,
            random_state=self.random_state,
            stratify=y if counts.min() >= 2 else None,
        )
        if isinstance(self.initial_size, str):  # "fitted"
            return self._continue(querier, X_pool, y_pool, X_test, y_test)
        curve = simulate(
            querier,
            X_pool,
            y_pool,
            X_test=X_test,
            y_test=y_test,
            initial_size=self.initial_size,
            n_rounds=self.n_rounds,
            random_state=self.random_state,
        )
        return curve.aubc

    def _continue(self, querier, X_pool, y_pool, X_test, y_test):
        """The AUBC of ``n_rounds`` that start from the fitted ``querier``:
        its first score and query need no fit; each later round refits a
        copy on its labels plus those revealed so far."""
        check_is_fitted(querier)
        X_lab = getattr(querier, "_X_labeled", None)
        y_lab = getattr(querier, "_y_labeled", None)
        if X_lab is None or y_lab is None:
            raise TypeError(
                f"make_aubc_scorer(initial_size='fitted') continues from the data "
                f"the querier was fitted on, which {type(querier).__name__} does "
                "not keep: use a skautoal querier or skautoal.pipeline.Pipeline, or "
                "an int initial_size for a fresh simulated run."
            )
        # The labelled rows first, then the validation pool: simulate's round
        # runs on that, starting from the fitted querier. Round 0 scores and
        # queries it as it is (query leaves fitted state alone); later rounds
        # refit a copy, so the caller's querier is not changed.
        X_all = _concatenate(X_lab, X_pool)
        y_all = np.concatenate([np.asarray(y_lab), np.asarray(y_pool)])
        state = {
            "labeled": list(range(n_rows(y_lab))),
            "curve": LearningCurve(),
            "querier": querier,
            "round": 0,
        }
        _play_round(state, X_all, y_all, X_test, y_test, self.n_rounds, fit=False)
        state["querier"] = copy.deepcopy(querier)
        while state["round"] <= self.n_rounds:
            _play_round(state, X_all, y_all, X_test, y_test, self.n_rounds)
        return state["curve"].aubc


def _concatenate(X_lab, X_pool):
    if hasattr(X_pool, "tocsr") or not holds_numbers(X_pool):
        return concat_rows([X_lab, X_pool])
    X_pool = np.asarray(X_pool)
    return np.concatenate([np.asarray(X_lab, dtype=X_pool.dtype), X_pool])


def make_aubc_scorer(*, initial_size=20, n_rounds=3, test_size=0.5, random_state=0):
    """A scorer that rates a querier by the AUBC of a short simulated run.

    ``GridSearchCV`` fits the querier on each training fold, then calls the
    scorer on the validation fold: the fold is split into a pool and a test
    set, and a clone of the querier runs ``n_rounds`` of active learning on
    the pool from ``initial_size`` random labels. The score is the AUBC of
    that run, so a search picks, for example, the temperature or the
    candidate set by labelling efficiency rather than by accuracy.

    With ``initial_size="fitted"`` the run continues from the fit instead:
    the training fold is the labelled set, so the scorer's first score and
    query use the querier ``GridSearchCV`` just fitted (no refit), and each
    later round refits a copy on the training fold plus the labels revealed
    from the validation fold's pool. This suits a cross-validation whose
    training folds are labelled-set sized (``ShuffleSplit(train_size=50)``);
    with the default folds (most of the data labelled) the run starts where
    active learning has little left to gain, and the score mostly rates
    accuracy.

    Parameters
    ----------
    initial_size : int or "fitted", default=20
        Random labels of the validation fold the simulated run starts from,
        or ``"fitted"``: continue from the fitted querier's own labels.
    n_rounds : int, default=3
        Query rounds of the simulated run, at least 1.
    test_size : float or int, default=0.5
        The validation fold's test set: a fraction in (0, 1) of it, or a
        number of samples.
    random_state : int, default=0
        Seeds the split and the initial labels, the same for every
        candidate configuration (hence an int, not a ``RandomState`` or
        ``None``).

    Returns
    -------
    scorer : AUBCScorer
        Called as ``scorer(querier, X, y)``; returns the AUBC in [0, 1].

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import StrategyQuerier
    >>> from skautoal.metrics import make_aubc_scorer
    >>> from skautoal.strategies import MarginSampling
    >>> X, y = load_digits(return_X_y=True)
    >>> querier = StrategyQuerier(LogisticRegression(max_iter=200), MarginSampling(),
    ...                           n_queries=10)
    >>> scorer = make_aubc_scorer(initial_size=30, n_rounds=2)
    >>> 0 < scorer(querier, X[:400], y[:400]) <= 1
    True
    """
    caller = "make_aubc_scorer"
    if not (
        initial_size == "fitted"
        or (
            isinstance(initial_size, numbers.Integral)
            and not isinstance(initial_size, bool)
            and initial_size >= 1
        )
    ):
        raise ParameterError(
            "initial_size",
            caller,
            f"must be an int >= 1 or 'fitted'; got {initial_size!r}.",
        )
    # Zero rounds would score every configuration by its initial model alone.
    n_rounds = check_param_int(n_rounds, "n_rounds", 1, caller)
    test_size = check_test_size(test_size, caller)
    # An int, so that every configuration gets the same split and labels.
    if (
        isinstance(random_state, bool)
        or not isinstance(random_state, numbers.Integral)
        or not 0 <= random_state < 2**32
    ):
        raise ParameterError(
            "random_state",
            caller,
            "must be an int in [0, 2**32), so that every configuration the "
            f"search compares gets the same split and labels; got {random_state!r}.",
        )
    return AUBCScorer(initial_size, n_rounds, test_size, int(random_state))


def _pool_parts(X_pool, chunk_size):
    from ._partition import _partition

    n = n_rows(X_pool)
    for start in range(0, n, chunk_size):
        yield _partition(X_pool, start, min(start + chunk_size, n))


def _check_picked(picked, n_pool, caller):
    picked = np.asarray(picked)
    if picked.ndim != 1 or picked.size == 0 or picked.dtype.kind not in "iu":
        raise ValueError(
            f"The 'picked' parameter of {caller} must be a non-empty 1-D array of "
            f"int indices into X_pool; got {picked!r}."
        )
    if picked.min() < 0 or picked.max() >= n_pool:
        raise ValueError(
            f"The 'picked' parameter of {caller} must index rows of X_pool (0 to "
            f"{n_pool - 1}); got values from {picked.min()} to {picked.max()}."
        )
    return np.sort(np.unique(picked.astype(np.int64)))


def kcenter_radius(model, X_pool, picked, *, X_labeled=None, chunk_size=65536):
    """The k-center radius of a selection, the quantity CoreSet minimises.

    The largest distance, in the task model's embedding space, from a pool
    sample to its nearest picked (or labelled) sample. The pool is read
    ``chunk_size`` rows at a time, so a memmap, zarr or dask pool of any
    size can be measured.

    Parameters
    ----------
    model : estimator or TaskModel
        The fitted task model.
    X_pool : array-like of shape (n_pool, ...)
        The pool.
    picked : array-like of int
        Indices into ``X_pool``.
    X_labeled : array-like or None, default=None
        Labelled samples, which count as centres too.
    chunk_size : int, default=65536
        Pool rows embedded at a time.

    Returns
    -------
    radius : float
        The largest nearest-centre distance over the pool.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.metrics import kcenter_radius
    >>> X = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0], [0.0, 1.0]])
    >>> model = LogisticRegression().fit(X, [0, 1, 1, 0])
    >>> float(kcenter_radius(model, X, [0, 2]))
    5.0
    """
    import torch

    from .models import PoolOutputs
    from .strategies._kernels import min_sqdist
    from .utils._arrays import take_rows

    picked = _check_picked(picked, n_rows(X_pool), "kcenter_radius")
    centres = PoolOutputs(model, take_rows(X_pool, picked)).embedding
    if X_labeled is not None:
        labeled = PoolOutputs(model, X_labeled, name="X_labeled").embedding
        centres = np.concatenate([centres, labeled])
    centres = torch.as_tensor(
        np.asarray(centres, dtype=np.float64).reshape(len(centres), -1)
    )
    radius = 0.0
    for part in _pool_parts(X_pool, chunk_size):
        emb = PoolOutputs(model, part).embedding
        emb = torch.as_tensor(np.asarray(emb, dtype=np.float64).reshape(len(emb), -1))
        radius = max(radius, float(min_sqdist(emb, centres)[0].max()))
    return float(np.sqrt(radius))


def badge_cost(model, X_pool, picked, *, chunk_size=65536):
    """The D^2 cost of a selection in BADGE's gradient-embedding space.

    The sum, over the pool, of each sample's squared distance to its nearest
    picked sample, where a sample is its gradient embedding
    ``g_i = a_i h_i^T`` (:meth:`~skautoal.models.PoolOutputs.badge_factors`).
    BADGE's k-means++ seeding aims to make it small. The pool is read
    ``chunk_size`` rows at a time.

    Parameters
    ----------
    model : estimator or TaskModel
        The fitted task model.
    X_pool : array-like of shape (n_pool, ...)
        The pool.
    picked : array-like of int
        Indices into ``X_pool``.
    chunk_size : int, default=65536
        Pool rows embedded at a time.

    Returns
    -------
    cost : float
        The summed squared nearest-pick distances.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.metrics import badge_cost
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X, y)
    >>> bool(badge_cost(model, X, range(150)) == 0.0)
    True
    """
    from .models import PoolOutputs
    from .utils._arrays import take_rows

    picked = _check_picked(picked, n_rows(X_pool), "badge_cost")

    def factors(X):
        a, h = PoolOutputs(model, X).badge_factors()
        return np.asarray(a, np.float64), np.asarray(h, np.float64).reshape(len(h), -1)

    a_c, h_c = factors(take_rows(X_pool, picked))
    norm_c = (a_c**2).sum(1) * (h_c**2).sum(1)
    cost = 0.0
    for part in _pool_parts(X_pool, chunk_size):
        a, h = factors(part)
        norm = (a**2).sum(1) * (h**2).sum(1)
        for start in range(0, len(a), 4096):
            rows = slice(start, start + 4096)
            d = norm[rows, None] + norm_c - 2 * (a[rows] @ a_c.T) * (h[rows] @ h_c.T)
            cost += float(np.clip(d.min(1), 0, None).sum())
    return cost
