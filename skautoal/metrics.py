"""Scoring a querier configuration by its labelling efficiency."""

import numpy as np
from sklearn.model_selection import train_test_split

from .loop import simulate


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


def make_aubc_scorer(*, initial_size=20, n_rounds=3, test_size=0.5, random_state=0):
    """A scorer that rates a querier by the AUBC of a short simulated run.

    ``GridSearchCV`` fits the querier on each training fold, then calls the
    scorer on the validation fold: the fold is split into a pool and a test
    set, and a clone of the querier runs ``n_rounds`` of active learning on
    the pool from ``initial_size`` random labels. The score is the AUBC of
    that run, so a search picks, for example, the temperature or the
    candidate set by labelling efficiency rather than by accuracy.

    Parameters
    ----------
    initial_size : int, default=20
        Random labels the simulated run starts from.
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
    return AUBCScorer(initial_size, n_rounds, test_size, random_state)
