"""Meta-baselines that AutoAL must beat, with the same querier API."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import Interval

from ._querier_base import BaseQuerier, _CandidateQuerier
from .strategies import BaseQueryStrategy


def _rank_scores(picked, n_samples):
    """Scores that make ``top_k`` return ``picked`` in its order."""
    scores = np.zeros(n_samples)
    scores[picked] = np.arange(len(picked), 0, -1)
    return scores


class StrategyQuerier(BaseQuerier):
    """A querier that always uses one fixed strategy.

    Parameters
    ----------
    estimator : estimator
        The task model (skorch net, scikit-learn classifier or Pipeline).
    strategy : BaseQueryStrategy
        The strategy; it is cloned.
    n_queries : int, default=100
        How many samples ``query`` returns by default.
    random_state : int, RandomState or None, default=None
        Seeds the task model's fit and the strategy.

    Attributes
    ----------
    estimator_ : estimator
        The task model fitted on all labelled data.
    strategy_ : BaseQueryStrategy
        The fitted copy of ``strategy``.
    classes_, n_features_in_, fit_timings_
        As for :class:`~skautoal.AutoALQuerier`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import StrategyQuerier
    >>> from skautoal.strategies import MarginSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = StrategyQuerier(LogisticRegression(), MarginSampling(), n_queries=3)
    >>> querier.fit(X[::3], y[::3]).query(X).shape
    (3,)
    """

    _parameter_constraints = {
        **BaseQuerier._parameter_constraints,
        "strategy": [BaseQueryStrategy],
    }

    def __init__(self, estimator, strategy, *, n_queries=100, random_state=None):
        self.estimator = estimator
        self.strategy = strategy
        self.n_queries = n_queries
        self.random_state = random_state

    def _uses_embedding(self):
        return self.strategy_.uses_embedding

    def _fit_querier(self, X, y, random_state):
        self.strategy_ = clone(self.strategy)

    def _query_scores(self, outputs, n_queries, random_state):
        picked = self.strategy_._select(
            outputs,
            n_queries,
            labeled=self._labeled_outputs(outputs),
            random_state=random_state,
        )
        return _rank_scores(picked, len(outputs))


class UniformVoteQuerier(_CandidateQuerier):
    """Every candidate's picks count 1; the most-picked samples are queried.

    This is AutoAL with SearchNet removed (all weights equal); ties are
    broken by ``random_state``.

    Parameters
    ----------
    estimator : estimator
        The task model.
    strategies : "auto", "paper" or list of BaseQueryStrategy, default="auto"
        The candidates, as for :class:`~skautoal.AutoALQuerier`.
    n_queries : int, default=100
        How many samples ``query`` returns by default; each candidate picks
        as many.
    random_state : int, RandomState or None, default=None
        Seeds the task model's fit, the candidates and the tie-break.

    Attributes
    ----------
    estimator_, classes_, n_features_in_, fit_timings_
        As for :class:`~skautoal.AutoALQuerier`.
    candidates_ : list of BaseQueryStrategy
        The candidates in use.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import UniformVoteQuerier
    >>> from skautoal.strategies import EntropySampling, MarginSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = UniformVoteQuerier(
    ...     LogisticRegression(), strategies=[MarginSampling(), EntropySampling()],
    ...     n_queries=3, random_state=0,
    ... )
    >>> querier.fit(X[::3], y[::3]).query(X).shape
    (3,)
    """

    def __init__(
        self, estimator, *, strategies="auto", n_queries=100, random_state=None
    ):
        self.estimator = estimator
        self.strategies = strategies
        self.n_queries = n_queries
        self.random_state = random_state

    def _fit_querier(self, X, y, random_state):
        self._fit_candidates()

    def _query_scores(self, outputs, n_queries, random_state):
        return self._candidate_masks(outputs, n_queries, random_state).sum(1)


class ALBLQuerier(_CandidateQuerier):
    """Active Learning By Learning (Hsu & Lin, 2015): an Exp4.P bandit over
    the candidate strategies, in batch mode.

    Each ``query`` draws one candidate ``k`` with probability
    ``p_k = (1 - K p_min) w_k / sum(w) + p_min`` and returns its batch.

    **Reward.** At the next ``fit``, the samples beyond the previous fit's
    labelled set are taken to be that batch (``simulate`` and
    ``ActiveLearner`` append new labels at the end). The reward is the new
    task model's importance-weighted accuracy (IW-ACC) on the labelled set:
    each sample a candidate chose counts ``1 / p_k`` of the draw that chose it,
    the initial labels count 1. The chosen candidate's weight is updated by
    Exp4.P, ``w_k *= exp(p_min / 2 * (r / p_k + sqrt(ln(K / delta) / (K T)) / p_k))``,
    and the others by the confidence term alone.

    Parameters
    ----------
    estimator : estimator
        The task model.
    strategies : "auto", "paper" or list of BaseQueryStrategy, default="auto"
        The candidates (the experts).
    n_queries : int, default=100
        How many samples ``query`` returns by default.
    delta : float, default=0.1
        Exp4.P's confidence parameter.
    p_min : float or None, default=None
        The least probability of each candidate; ``None`` is ``1 / (10 K)``.
    horizon : int, default=20
        The number of rounds T in Exp4.P's confidence term.
    random_state : int, RandomState or None, default=None
        Seeds the task model's fit, the candidates and the draws.

    Attributes
    ----------
    estimator_, classes_, n_features_in_, fit_timings_
        As for :class:`~skautoal.AutoALQuerier`.
    candidates_ : list of BaseQueryStrategy
        The candidates in use.
    strategy_weights_ : dict of str to float
        The current draw probability of each candidate.
    rewards_ : list of float
        The reward of each update so far.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import ALBLQuerier
    >>> from skautoal.strategies import EntropySampling, RandomSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = ALBLQuerier(
    ...     LogisticRegression(), strategies=[EntropySampling(), RandomSampling()],
    ...     n_queries=3, random_state=0,
    ... )
    >>> querier.fit(X[::3], y[::3]).query(X).shape
    (3,)
    """

    _parameter_constraints = {
        **_CandidateQuerier._parameter_constraints,
        "delta": [Interval(Real, 0, 1, closed="neither")],
        "p_min": [Interval(Real, 0, 1, closed="neither"), None],
        "horizon": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        strategies="auto",
        n_queries=100,
        delta=0.1,
        p_min=None,
        horizon=20,
        random_state=None,
    ):
        self.estimator = estimator
        self.strategies = strategies
        self.n_queries = n_queries
        self.delta = delta
        self.p_min = p_min
        self.horizon = horizon
        self.random_state = random_state

    def _probabilities(self):
        n = len(self._log_weights)
        p_min = self._p_min
        w = np.exp(self._log_weights - self._log_weights.max())
        return (1 - n * p_min) * w / w.sum() + p_min

    def _fit_querier(self, X, y, random_state):
        previous = getattr(self, "_log_weights", None)
        self._fit_candidates()
        n = len(self.candidates_)
        self._p_min = self.p_min if self.p_min is not None else 1.0 / (10 * n)
        if self._p_min * n >= 1:
            raise ValueError(
                f"The 'p_min' parameter of ALBLQuerier must be below 1 / "
                f"n_candidates = {1 / n:.3g}; got {self._p_min}."
            )
        pending = getattr(self, "_pending", None)
        if previous is None or len(previous) != n:
            self._log_weights = np.zeros(n)
            self._sample_weights = np.ones(X.shape[0])
            self.rewards_ = []
        elif pending is not None and X.shape[0] > self._n_fitted:
            k, p_k = pending
            new = X.shape[0] - self._n_fitted
            self._sample_weights = np.concatenate(
                [self._sample_weights[: self._n_fitted], np.full(new, 1.0 / p_k)]
            )
            correct = self.estimator_.predict_proba(X).argmax(1) == y
            reward = float(np.average(correct, weights=self._sample_weights))
            self.rewards_.append(reward)
            confidence = np.sqrt(np.log(n / self.delta) / (n * self.horizon))
            probabilities = self._probabilities()
            estimate = np.zeros(n)
            estimate[k] = reward / p_k
            self._log_weights += (
                self._p_min / 2 * (estimate + confidence / probabilities)
            )
        if len(self._sample_weights) != X.shape[0]:
            self._sample_weights = np.ones(X.shape[0])
        self._n_fitted = X.shape[0]
        self._pending = None
        self.strategy_weights_ = dict(
            zip(
                self._names,
                self._probabilities().tolist(),
                strict=True,
            )
        )

    def _query_scores(self, outputs, n_queries, random_state):
        probabilities = self._probabilities()
        k = int(random_state.choice(len(probabilities), p=probabilities))
        self._pending = (k, float(probabilities[k]))
        picked = self.candidates_[k]._select(
            outputs,
            n_queries,
            labeled=self._labeled_outputs(outputs),
            random_state=random_state,
        )
        return _rank_scores(picked, len(outputs))
