"""Base classes for query strategies."""

from abc import ABCMeta, abstractmethod

from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .models import PoolOutputs, TaskModel
from .utils._selection import top_k
from .utils._validation import check_n_queries, check_picks, find_stack_level


def check_dropout(strategies, model, lead, remedy=None):
    """Raise when a strategy that needs MC dropout meets a task model without
    dropout layers.

    Its passes would all be the same network: BALD's and MeanSTD's scores
    would be rounding noise and VarRatio's all zero, so its picks would be
    arbitrary.

    Parameters
    ----------
    strategies : list of BaseQueryStrategy
        The strategies to check.
    model : estimator or TaskModel
        The task model.
    lead : str
        The start of the message, naming the parameter; ``{names}`` and
        ``{model}`` are filled in with the strategies' and the model's class
        names.
    remedy : str or None, default=None
        The end of the message, what to do; ``None`` suggests a net with
        dropout or a strategy that needs none.
    """
    needing = [type(s).__name__ for s in strategies if s.needs_dropout]
    if not needing:
        return
    model = TaskModel.wrap(model)
    if model.has_dropout:
        return
    name = type(model.final).__name__
    if model.net is not None:
        name = f"{name} with module {type(model.net.module_).__name__}"
    lead = lead.format(names=", ".join(needing), model=name)
    if remedy is None:
        remedy = (
            "Use a skorch net with dropout (skautoal.models.default_net has it), "
            "or a strategy that needs none, such as MarginSampling()."
        )
    raise ValueError(
        f"{lead}: every MC-dropout pass would be the same network, so the scores "
        f"would carry no information and the picks would be arbitrary. {remedy}"
    )


class BaseQueryStrategy(BaseEstimator, metaclass=ABCMeta):
    """Base class for active-learning query strategies.

    The public :meth:`select` validates its input, wraps the task model's
    outputs on the pool in a :class:`~skautoal.models.PoolOutputs` and calls
    the private hook ``_select``. To write a strategy of your own, subclass
    this class and implement::

        def _select(self, outputs, n_queries, *, labeled, random_state):
            ...  # return n_queries unique int64 indices into the pool

    ``outputs`` gives ``proba``, ``embedding``, ``mc_proba(n_passes)`` and
    ``badge_factors()``, each computed once; ``labeled`` is the same for the
    labelled set, or ``None``; ``random_state`` is a ``RandomState``. For a
    strategy that ranks samples by a score, subclass
    :class:`BaseScoreStrategy` and implement ``_score(outputs)`` instead.
    """

    @property
    def needs_dropout(self):
        """Whether the strategy needs MC-dropout passes to be informative."""
        return False

    @property
    def uses_embedding(self):
        """Whether the strategy reads the task model's embeddings."""
        return True

    def select(self, model, X_pool, n_queries, *, X_labeled=None, random_state=None):
        """Select ``n_queries`` samples of ``X_pool`` to label.

        Parameters
        ----------
        model : estimator or TaskModel
            A fitted skorch ``NeuralNetClassifier``, a fitted scikit-learn
            classifier with ``predict_proba``, or a ``Pipeline`` ending in one.
        X_pool : array-like of shape (n_samples, ...)
            The unlabelled pool.
        n_queries : int
            How many samples to select. If larger than the pool, a warning is
            issued and every index is returned.
        X_labeled : array-like of shape (n_labeled, ...), default=None
            The labelled samples, for strategies that use them (CoreSet).
        random_state : int, RandomState or None, default=None
            Seeds ties, sampling and MC dropout.

        Returns
        -------
        indices : ndarray of shape (n_queries,), dtype int64
            Unique row positions in ``X_pool`` (``X_pool.iloc[...]`` for a
            data frame).

        Notes
        -----
        ``select`` runs in one stage: the task model's outputs on the whole
        pool (probabilities, and embeddings for the diversity strategies)
        are held in memory at once. For a pool beyond memory, wrap the
        strategy in :class:`~skautoal.baselines.StrategyQuerier`, whose
        ``query`` runs in two stages over partitions (:ref:`large_pools`).
        """
        self._check_dropout(model, "select")
        rng = check_random_state(random_state)
        outputs = PoolOutputs(
            model,
            X_pool,
            random_state=rng,
            name="X_pool",
            with_embedding=self.uses_embedding,
            mc_prefix=self.needs_dropout,
        )
        n_queries = check_n_queries(
            n_queries, len(outputs), caller=f"{type(self).__name__}.select"
        )
        labeled = None
        if X_labeled is not None:
            labeled = PoolOutputs(
                outputs.model, X_labeled, random_state=rng, name="X_labeled"
            )
        picked = self._select(outputs, n_queries, labeled=labeled, random_state=rng)
        return check_picks(picked, len(outputs), n_queries, self)

    def _check_dropout(self, model, method):
        check_dropout(
            [self],
            model,
            f"The 'model' parameter of {type(self).__name__}.{method} must have "
            "dropout layers, as {names} needs MC dropout; got {model}, which has "
            "none",
        )

    @abstractmethod
    def _select(self, outputs, n_queries, *, labeled, random_state):
        """Return ``n_queries`` unique int64 indices into the pool."""


class BaseScoreStrategy(BaseQueryStrategy):
    """Base class for strategies that rank samples by an informativeness score.

    Implement ``_score(outputs)``, returning one score per pool sample (higher
    is more informative). :meth:`select` takes the top ``n_queries``, with
    ties broken by ``random_state``.
    """

    def score_samples(self, model, X_pool):
        """Informativeness of each pool sample (higher = more informative).

        Parameters
        ----------
        model : estimator or TaskModel
            The fitted task model.
        X_pool : array-like of shape (n_samples, ...)
            The unlabelled pool.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            One score per pool sample; :meth:`select` takes the top ones.
        """
        self._check_dropout(model, "score_samples")
        outputs = PoolOutputs(
            model, X_pool, random_state=0, with_embedding=self.uses_embedding
        )
        return self._score(outputs)

    def score(self, *args, **kwargs):
        """Deprecated alias of :meth:`score_samples`.

        .. deprecated:: 0.2
            ``score`` clashed with scikit-learn's ``score(X, y)`` convention
            (and gave every strategy a meaningless ``set_score_request``); it
            will be removed in 0.3. Use :meth:`score_samples`.

        Parameters
        ----------
        *args, **kwargs
            Passed to :meth:`score_samples`.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            What :meth:`score_samples` returns.
        """
        import warnings

        warnings.warn(
            f"{type(self).__name__}.score(model, X_pool) is deprecated and will be "
            "removed in skautoal 0.3; use score_samples(model, X_pool).",
            FutureWarning,
            stacklevel=find_stack_level(),
        )
        return self.score_samples(*args, **kwargs)

    @abstractmethod
    def _score(self, outputs):
        """Return one score per sample of ``outputs``."""

    def _select(self, outputs, n_queries, *, labeled, random_state):
        return top_k(self._score(outputs), n_queries, random_state)
