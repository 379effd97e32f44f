"""Meta-baselines that AutoAL must beat, with the same querier API."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import Interval
from sklearn_compat.utils._indexing import _safe_indexing

from .base import check_dropout
from .querier_base import (
    BaseQuerier,
    _CandidateQuerier,
    candidate_picks,
    rank_scores,
    strategy_names,
)
from .search import FisherBatchValue
from .strategies import BaseQueryStrategy, RandomSampling
from .utils._torch import resolve_device


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

    def _uses_mc_passes(self):
        return self.strategy_.needs_dropout

    def _fit_querier(self, X, y, random_state, **_):
        self.strategy_ = clone(self.strategy)
        check_dropout(
            [self.strategy_],
            self.estimator_,
            "The 'estimator' parameter of StrategyQuerier must have dropout "
            "layers, as strategy={names}() needs MC dropout; got {model}, which "
            "has none",
        )

    def _query_scores(self, outputs, n_queries, random_state):
        picked = self.strategy_._select(
            outputs,
            n_queries,
            labeled=self._labeled_outputs(outputs),
            random_state=random_state,
        )
        return rank_scores(picked, len(outputs))


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

    def _fit_querier(self, X, y, random_state, **_):
        self._fit_candidates()

    def _query_scores(self, outputs, n_queries, random_state):
        return self._candidate_masks(outputs, n_queries, random_state).sum(1)


class _BanditQuerier(_CandidateQuerier):
    """Shared state handling of the bandit queriers (ALBL, TAILOR).

    The arms are the candidates plus, for ALBL, uniform random sampling.
    ``fit`` with ``queried`` rewards the arms that chose those rows; state
    carries over to the next ``fit`` only with ``warm_start=True``. All
    random draws of a round are made in ``fit``, so ``query`` changes no
    fitted state and returns the same batch for the same pool.
    """

    def _arms(self):
        return self.candidates_

    def _restart(self):
        previous = getattr(self, "_arm_names", None)
        return not (self.warm_start and previous == self._names)

    def _query_pick_lists(self, outputs, n_queries, random_state):
        labeled = self._labeled_outputs(outputs)
        return candidate_picks(self._arms(), outputs, n_queries, labeled, random_state)


class ALBLQuerier(_BanditQuerier):
    """Active Learning By Learning (Hsu & Lin, AAAI 2015): an Exp4.P bandit
    over the candidate strategies and uniform random sampling.

    Each round one arm ``k`` is drawn (in ``fit``) with probability
    ``p_k = (1 - K p_min) w_k / sum(w) + p_min`` and ``query`` returns its
    batch.

    **Reward.** When ``fit`` gets the rows the last query chose
    (``queried``), each of them is scored by the task model of the previous
    fit, which had not seen it, and weighted by ``1 / p_k`` of the arm that
    chose it. The reward of the last drawn arm is this importance-weighted
    accuracy (IW-ACC) over every row queried so far: an unbiased estimate of
    the models' accuracy on new data, not their training accuracy (a net
    that fits its training set would score about 1 every round). The uniform
    arm is what makes the estimate unbiased. Weights are updated by Exp4.P,
    ``w_k *= exp(p_min / 2 * (r / p_k + sqrt(ln(K / delta) / (K T)) / p_k))``
    for the drawn arm, the confidence term alone for the others.

    Parameters
    ----------
    estimator : estimator
        The task model.
    strategies : "auto", "full", "paper" or list of BaseQueryStrategy, \
            default="auto"
        The candidates; :class:`~skautoal.strategies.RandomSampling` is added
        as one more arm.
    n_queries : int, default=100
        How many samples ``query`` returns by default.
    delta : float, default=0.1
        Exp4.P's confidence parameter.
    p_min : float or None, default=None
        The least probability of each arm; ``None`` is ``1 / (10 K)``.
    horizon : int, default=20
        The number of rounds T in Exp4.P's confidence term.
    warm_start : bool, default=False
        Carry the bandit (weights, queried rows and their scores) over to the
        next ``fit``. An active-learning loop needs ``True``; with ``False``
        every fit starts afresh, as scikit-learn's estimators do.
    random_state : int, RandomState or None, default=None
        Seeds the task model's fit, the candidates and the draws.

    Attributes
    ----------
    estimator_, classes_, n_features_in_, fit_timings_
        As for :class:`~skautoal.AutoALQuerier`.
    candidates_ : list of BaseQueryStrategy
        The candidates in use (without the random arm).
    strategy_weights_ : dict of str to float
        The current draw probability of each arm.
    arm_ : str
        The arm whose batch ``query`` returns this round.
    rewards_ : list of float
        The reward of each update so far.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import ALBLQuerier
    >>> from skautoal.strategies import EntropySampling, MarginSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = ALBLQuerier(
    ...     LogisticRegression(), strategies=[EntropySampling(), MarginSampling()],
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
        "warm_start": ["boolean"],
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
        warm_start=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.strategies = strategies
        self.n_queries = n_queries
        self.delta = delta
        self.p_min = p_min
        self.horizon = horizon
        self.warm_start = warm_start
        self.random_state = random_state

    def _arms(self):
        return [*self.candidates_, RandomSampling()]

    def _probabilities(self):
        n = len(self._log_weights)
        w = np.exp(self._log_weights - self._log_weights.max())
        return (1 - n * self._p_min) * w / w.sum() + self._p_min

    def _fit_querier(self, X, y, random_state, *, queried, previous_estimator):
        self._fit_candidates()
        restart = self._restart()
        names = strategy_names(self._arms())
        n = len(names)
        self._p_min = self.p_min if self.p_min is not None else 1.0 / (10 * n)
        if self._p_min * n >= 1:
            raise ValueError(
                f"The 'p_min' parameter of ALBLQuerier must be below 1 / n_arms = "
                f"{1 / n:.3g}; got {self._p_min}."
            )
        if restart:
            self._log_weights = np.zeros(n)
            self._correct, self._importance = [], []
            self.rewards_ = []
        elif queried is not None and len(queried) and previous_estimator is not None:
            k, p_k = self._drawn
            predicted = previous_estimator.predict_proba(
                _safe_indexing(X, queried)
            ).argmax(1)
            self._correct += (predicted == y[queried]).tolist()
            self._importance += [1.0 / p_k] * len(queried)
            reward = float(np.average(self._correct, weights=self._importance))
            self.rewards_.append(reward)
            confidence = np.sqrt(np.log(n / self.delta) / (n * self.horizon))
            probabilities = self._probabilities()
            estimate = np.zeros(n)
            estimate[k] = reward / p_k
            self._log_weights = self._log_weights + self._p_min / 2 * (
                estimate + confidence / probabilities
            )
        self._arm_names = self._names
        probabilities = self._probabilities()
        k = int(random_state.choice(n, p=probabilities))
        self._drawn = (k, float(probabilities[k]))
        self.arm_ = names[k]
        self.strategy_weights_ = dict(zip(names, probabilities.tolist(), strict=True))

    def _propose(self, outputs, n_queries, random_state):
        # Only the drawn arm's picks can be queried.
        return BaseQuerier._propose(self, outputs, n_queries, random_state)

    def _query_scores(self, outputs, n_queries, random_state):
        arm = self._arms()[self._drawn[0]]
        picked = arm._select(
            outputs,
            n_queries,
            labeled=self._labeled_outputs(outputs),
            random_state=random_state,
        )
        return rank_scores(picked, len(outputs))


class TAILORQuerier(_BanditQuerier):
    """TAILOR (Zhang et al., NeurIPS 2023), simplified: per-slot Thompson
    sampling over the candidate strategies with a class-diversity reward.

    Each candidate has a Beta posterior on its reward. In ``fit``, a
    Thompson draw per batch slot picks the candidate that fills that slot;
    ``query`` fills the slots in order, each with its candidate's best pick
    not taken yet. When the next ``fit`` gets the queried rows, each one
    rewards the candidate of its slot with ``r = min(1, mean count /
    count of its class)`` among the labels before it (rare classes pay):
    ``alpha += r``, ``beta += 1 - r``.

    Parameters
    ----------
    estimator : estimator
        The task model.
    strategies : "auto", "full", "paper" or list of BaseQueryStrategy, \
            default="auto"
        The candidates (the arms).
    n_queries : int, default=100
        How many samples ``query`` returns by default; slots beyond it reuse
        the draws cyclically.
    warm_start : bool, default=False
        Carry the posteriors over to the next ``fit`` (an active-learning
        loop needs ``True``).
    random_state : int, RandomState or None, default=None
        Seeds the task model's fit, the candidates and the draws.

    Attributes
    ----------
    estimator_, classes_, n_features_in_, fit_timings_
        As for :class:`~skautoal.AutoALQuerier`.
    candidates_ : list of BaseQueryStrategy
        The candidates in use.
    posterior_ : ndarray of shape (n_candidates, 2)
        The Beta parameters (alpha, beta) of each candidate.
    strategy_weights_ : dict of str to float
        The posterior mean of each candidate, normalised to sum to 1.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import TAILORQuerier
    >>> from skautoal.strategies import EntropySampling, MarginSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = TAILORQuerier(
    ...     LogisticRegression(), strategies=[EntropySampling(), MarginSampling()],
    ...     n_queries=3, random_state=0,
    ... )
    >>> querier.fit(X[::3], y[::3]).query(X).shape
    (3,)
    """

    _parameter_constraints = {
        **_CandidateQuerier._parameter_constraints,
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        *,
        strategies="auto",
        n_queries=100,
        warm_start=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.strategies = strategies
        self.n_queries = n_queries
        self.warm_start = warm_start
        self.random_state = random_state

    def _fit_querier(self, X, y, random_state, *, queried, **_):
        self._fit_candidates()
        n = len(self.candidates_)
        if self._restart():
            self.posterior_ = np.ones((n, 2))
        elif queried is not None and len(queried):
            before = np.setdiff1d(np.arange(len(y)), queried)
            counts = np.bincount(y[before], minlength=len(self.classes_))
            mean = counts.mean()
            for slot, row in enumerate(queried):
                k = self._slot_arms[slot % len(self._slot_arms)]
                reward = min(1.0, mean / max(counts[y[row]], 1))
                self.posterior_[k] += (reward, 1.0 - reward)
        self._arm_names = self._names
        draws = random_state.beta(
            self.posterior_[:, 0], self.posterior_[:, 1], (self.n_queries, n)
        )
        self._slot_arms = draws.argmax(1)
        mean = self.posterior_[:, 0] / self.posterior_.sum(1)
        self.strategy_weights_ = dict(
            zip(self._names, (mean / mean.sum()).tolist(), strict=True)
        )

    def _query_scores(self, outputs, n_queries, random_state):
        picks = self._query_pick_lists(outputs, n_queries, random_state)
        taken = np.zeros(len(outputs), dtype=bool)
        cursor = [0] * len(picks)
        batch = []
        for slot in range(n_queries):
            k = self._slot_arms[slot % len(self._slot_arms)]
            while cursor[k] < len(picks[k]) and taken[picks[k][cursor[k]]]:
                cursor[k] += 1
            if cursor[k] == len(picks[k]):
                # This arm's list is used up: take the next free pick of any.
                k = next(
                    j
                    for j in range(len(picks))
                    if any(not taken[i] for i in picks[j][cursor[j] :])
                )
                while taken[picks[k][cursor[k]]]:
                    cursor[k] += 1
            batch.append(picks[k][cursor[k]])
            taken[picks[k][cursor[k]]] = True
        return rank_scores(np.asarray(batch), len(outputs))


class BAITQuerier(BaseQuerier):
    """BAIT-style greedy (Ash et al., NeurIPS 2021) on AutoAL's batch value,
    over the whole pool: the "is AutoAL just BAIT?" control.

    Forward greedy selection of the batch with the largest Fisher batch
    value (:class:`~skautoal.search.FisherBatchValue`) among all pool
    samples, with the same whitening, regulariser and pool statistics as
    :class:`~skautoal.AutoALQuerier`'s default search. Its cost grows with
    the pool (O(N C^3 D) per pick), so it is a baseline, not a default.

    Parameters
    ----------
    estimator : estimator
        The task model.
    n_queries : int, default=100
        How many samples ``query`` returns by default.
    fisher_dim : int, default=12
        The whitened embedding dimension.
    fisher_reg : float, default=1.0
        The prior's weight (see :class:`~skautoal.search.FisherBatchValue`).
    n_pool_samples : int, default=1000
        Pool samples that estimate the pool's Fisher information.
    device : str, default="auto"
        Where the math runs.
    random_state : int, RandomState or None, default=None
        Seeds the task model's fit and the pool subsample.

    Attributes
    ----------
    estimator_, classes_, n_features_in_, fit_timings_
        As for :class:`~skautoal.AutoALQuerier`.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import BAITQuerier
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = BAITQuerier(LogisticRegression(), n_queries=3, random_state=0)
    >>> querier.fit(X[::3], y[::3]).query(X).shape
    (3,)
    """

    _parameter_constraints = {
        **BaseQuerier._parameter_constraints,
        "fisher_dim": [Interval(Integral, 1, None, closed="left")],
        "fisher_reg": [Interval(Real, 0, None, closed="neither")],
        "n_pool_samples": [Interval(Integral, 2, None, closed="left")],
        "device": [str],
    }

    def __init__(
        self,
        estimator,
        *,
        n_queries=100,
        fisher_dim=12,
        fisher_reg=1.0,
        n_pool_samples=1000,
        device="auto",
        random_state=None,
    ):
        self.estimator = estimator
        self.n_queries = n_queries
        self.fisher_dim = fisher_dim
        self.fisher_reg = fisher_reg
        self.n_pool_samples = n_pool_samples
        self.device = device
        self.random_state = random_state

    def _n_statistics_rows(self):
        return self.n_pool_samples

    def _fit_querier(self, X, y, random_state, **_):
        pass

    def _query_scores(self, outputs, n_queries, random_state):
        value = FisherBatchValue.from_outputs(
            outputs,
            self._labeled_outputs(outputs),
            dim=self.fisher_dim,
            reg=self.fisher_reg,
            n_pool_samples=self.n_pool_samples,
            random_state=random_state,
            device=resolve_device(self.device),
        )
        order = value.greedy(value.factors(np.arange(len(outputs))), n_queries)
        return rank_scores(order, len(outputs))
