"""Scoring a querier configuration by its labelling efficiency."""

import copy
import numbers

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from .loop import LearningCurve, _play_round, simulate
from .utils._arrays import n_rows


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
        Query rounds of the simulated run.
    test_size : float, default=0.5
        The fraction of the validation fold kept as its test set.
    random_state : int, default=0
        Seeds the split and the initial labels, the same for every
        candidate configuration.

    Returns
    -------
    scorer : AUBCScorer

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
    if not (
        initial_size == "fitted"
        or (isinstance(initial_size, numbers.Integral) and initial_size >= 1)
    ):
        raise ValueError(
            "The 'initial_size' parameter of make_aubc_scorer must be an int >= 1 "
            f"or 'fitted'; got {initial_size!r}."
        )
    return AUBCScorer(initial_size, n_rounds, test_size, random_state)
