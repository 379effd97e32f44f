"""The querier base classes: AutoALQuerier, the meta-baselines and users'
own queriers derive from :class:`BaseQuerier`."""

import warnings
from abc import abstractmethod
from numbers import Integral

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _num_samples,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)
from sklearn_compat.base import _fit_context
from sklearn_compat.utils._indexing import _safe_indexing

from ._config import get_config as get_skautoal_config
from ._partition import plan_query, propose
from .base import check_dropout
from .models import PoolOutputs, TaskModel
from .models._adapter import _is_skorch_net
from .strategies import PRESETS, BaseQueryStrategy, preset_strategies
from .utils._arrays import n_rows, take_rows
from .utils._interrupt import propagate_interrupts
from .utils._selection import top_k
from .utils._timer import timed
from .utils._torch import seeded
from .utils._validation import (
    check_label_kinds,
    check_n_queries,
    check_picks,
    find_stack_level,
    host_array,
    is_lazy_array,
    passes_raw_input,
    pipeline_imputes,
    takes_nan,
)

__all__ = ["BaseQuerier"]

# Marks "no y given" apart from y=None, which fit must reject with
# scikit-learn's own message.
_NO_Y = object()


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


class BaseQuerier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Base class of queriers: a classifier that also answers ``query``.

    ``fit(X, y)`` validates the data, encodes the labels into ``classes_``,
    fits a clone of ``estimator`` into ``estimator_`` and calls the hook
    ``_fit_querier``. ``query(X_pool)`` validates the pool (in chunks, for a
    memmap, zarr or dask pool), computes the task model's outputs once
    (:class:`~skautoal.models.PoolOutputs`) and calls the hook
    ``_query_scores``; the top ``n_queries`` scores are queried, ties broken
    by ``random_state``. ``predict``, ``predict_proba`` and ``score`` use
    ``estimator_``.

    Subclass it for a querier of your own: implement
    ``_fit_querier(self, X, y, random_state, *, queried,
    previous_estimator)`` (what the querier learns beyond the task model;
    may do nothing) and ``_query_scores(self, outputs, n_queries,
    random_state)`` (one score per pool sample). ``query`` must not change
    fitted state; :func:`skautoal.utils.estimator_checks.check_querier`
    checks that and the rest of the contract.

    Parameters
    ----------
    estimator : estimator
        The task model: a skorch ``NeuralNetClassifier``, a scikit-learn
        classifier with ``predict_proba``, or a ``Pipeline`` ending in one.
        It is cloned by ``fit``.
    n_queries : int, default=100
        How many samples ``query`` chooses.
    random_state : int, RandomState or None, default=None
        Seeds the task model's clone (when it has a ``random_state``) and
        the query's tie-breaking.

    Attributes
    ----------
    estimator_ : estimator
        The task model fitted on the labelled data.
    classes_ : ndarray of shape (n_classes,)
        The labels seen by ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.querier_base import BaseQuerier
    >>> class MaxEntropyQuerier(BaseQuerier):
    ...     def _fit_querier(self, X, y, random_state, *, queried,
    ...                      previous_estimator):
    ...         pass  # nothing to learn beyond the task model
    ...     def _query_scores(self, outputs, n_queries, random_state):
    ...         p = outputs.proba
    ...         return -(p * np.log(np.clip(p, 1e-12, None))).sum(1)
    >>> X, y = load_iris(return_X_y=True)
    >>> querier = MaxEntropyQuerier(LogisticRegression(max_iter=500), n_queries=3)
    >>> querier.fit(X[::5], y[::5]).query(X).shape
    (3,)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "n_queries": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator, *, n_queries=100, random_state=None):
        self.estimator = estimator
        self.n_queries = n_queries
        self.random_state = random_state

    def _validate_X(self, X, *, reset, y=_NO_Y, cast=True):
        X = host_array(X)
        if y is not _NO_Y:
            y = host_array(y)
        if passes_raw_input(self.estimator, X):
            return self._validate_raw(X, reset=reset, y=y)
        kwargs = dict(allow_nd=True, dtype="numeric", reset=reset)
        if pipeline_imputes(self.estimator):
            kwargs["ensure_all_finite"] = "allow-nan"
        try:
            if y is _NO_Y:
                X = validate_data(self, X, **kwargs)
            else:
                X, y = validate_data(self, X, y, **kwargs)
        except ValueError as exc:
            if "NaN" in str(exc) and takes_nan(self.estimator):
                # scikit-learn's message would suggest the very model given.
                raise ValueError(
                    f"X contains NaN. {type(self.estimator).__name__} takes NaN, "
                    "but skautoal's queriers refuse it unless a pipeline fills "
                    "it: the strategies that read embeddings use a scikit-learn "
                    "model's features themselves (CoreSet's distances, the "
                    "batch value), where NaN has no meaning. Put a "
                    "SimpleImputer before the model in a Pipeline; the model "
                    "can still be told which values were missing "
                    "(SimpleImputer(add_indicator=True))."
                ) from exc
            raise
        if (
            cast
            and _is_skorch_net(_final_step(self.estimator))
            and X.dtype != np.float32
        ):
            # torch modules take float32; scikit-learn models keep the dtype.
            # ``query`` passes cast=False: its pool is cast chunk by chunk in
            # the forward pass, never copied whole.
            X = X.astype(np.float32)
        return X if y is _NO_Y else (X, y)

    def _validate_raw(self, X, *, reset, y=_NO_Y):
        """Validate what goes to the pipeline as it is (see
        :func:`~skautoal.utils._validation.passes_raw_input`): its length,
        and the width and column names of a table, which the pipeline's
        first step reads; the values are that step's to check."""
        if y is _NO_Y:
            X = validate_data(self, X, reset=reset, skip_check_array=True)
        else:
            X, y = validate_data(self, X, y, reset=reset, skip_check_array=True)
        if not hasattr(X, "shape") and not hasattr(X, "iloc"):
            # A list (of texts, dicts): an array, so rows can be taken by index.
            X = _object_rows(X)
        if _num_samples(X) == 0:
            raise ValueError(
                f"X is empty: {type(self).__name__} needs at least 1 sample; got "
                f"{type(X).__name__} of shape {getattr(X, 'shape', (0,))}."
            )
        if y is _NO_Y:
            return X
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        return X, y

    def _validate_pool(self, X_pool):
        """Validate a pool without loading it: a zarr or dask array (or any
        array-like read by row slices) is checked here for its width and
        later, chunk by chunk, for finite numbers (:class:`PoolOutputs`);
        anything else goes through ``validate_data``."""
        if not is_lazy_array(X_pool):
            return self._validate_X(X_pool, reset=False, cast=False)
        shape = tuple(X_pool.shape)
        if len(shape) < 2:
            raise ValueError(
                f"X_pool must be 2-D or more (n_samples, ...); got shape {shape}."
            )
        if shape[1] != self.n_features_in_:
            raise ValueError(
                f"X_pool has {shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
        return X_pool

    def get_metadata_routing(self):
        """How ``fit``'s extra parameters reach the task model.

        With scikit-learn's metadata routing enabled
        (``sklearn.set_config(enable_metadata_routing=True)``), parameters
        that ``estimator`` requests for its ``fit`` (for example
        ``LogisticRegression().set_fit_request(sample_weight=True)``) are
        passed to every fit of the task model.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        return MetadataRouter(owner=type(self).__name__).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(caller="fit", callee="fit"),
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, queried=None, **fit_params):
        """Fit the task model on the labelled data, then the querier.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Labelled samples: a feature matrix, or images (N, C, H, W).
        y : array-like of shape (n_samples,)
            Their labels.
        queried : array-like of int or None, default=None
            The rows of ``X`` that the last ``query`` chose, in the order it
            returned them (:func:`~skautoal.loop.simulate` and
            :class:`~skautoal.loop.ActiveLearner` pass them). Bandit queriers
            (ALBL, TAILOR) reward the candidates that chose them; the
            others ignore it.
        **fit_params : dict
            Parameters for the task model's ``fit`` (e.g. ``sample_weight``),
            one value per row of ``X`` or a constant. They need scikit-learn's
            metadata routing: enable it and request them on the estimator
            (see :meth:`get_metadata_routing`). Where the querier fits the
            task model on a subset of ``X`` (``search="simulation"``), the
            per-row values are subset alike.

        Returns
        -------
        self : object
            The fitted querier.
        """
        X, y = self._validate_X(X, reset=True, y=y)
        fit_params = self._route_fit_params(fit_params, X.shape[0])
        if np.asarray(y).dtype.kind in "OUS":
            check_label_kinds(np.asarray(y).ravel(), "y")
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        y_encoded = encoder.transform(y).astype(np.int64)
        random_state = check_random_state(self.random_state)
        timings = {}
        previous = getattr(self, "estimator_", None)
        if queried is not None:
            queried = np.asarray(queried, dtype=np.int64).ravel()
            if queried.size and (queried.min() < 0 or queried.max() >= X.shape[0]):
                raise ValueError(
                    f"The 'queried' parameter of {type(self).__name__}.fit must "
                    f"index rows of X (0 to {X.shape[0] - 1}); got values from "
                    f"{queried.min()} to {queried.max()}."
                )
        single_class = _single_class_message(self)
        try:
            with timed(timings, "task_model"):
                self.estimator_ = fit_clone(
                    self.estimator,
                    X,
                    y_encoded,
                    random_state,
                    n_classes=len(self.classes_),
                    fit_params=fit_params,
                )
        except ValueError as exc:
            if single_class is None or "class" not in str(exc):
                raise
            # scikit-learn's own message names the encoded label, 0.
            raise ValueError(
                f"{single_class} cannot be fitted on one class. Label samples of "
                "at least two classes before fitting the querier; a random first "
                "batch usually holds several."
            ) from exc
        if single_class is not None:
            warnings.warn(
                f"{single_class} has seen only that class, so its probabilities "
                "cannot rank the pool by uncertainty and the picks say little. "
                "Label samples of other classes (a random batch usually holds "
                "several) before relying on them.",
                UserWarning,
                stacklevel=find_stack_level(),
            )
        # The labelled set as fit saw it: the querier's own pool statistics,
        # and make_aubc_scorer(initial_size="fitted") continues from it.
        self._X_labeled, self._y_labeled = X, np.asarray(y)
        self.fit_timings_ = timings
        # Seen by the queriers that refit the task model on subsets of X
        # (``_subset_fit_params``); not kept after fit.
        self._fit_params = fit_params
        try:
            self._fit_querier(
                X, y_encoded, random_state, queried=queried, previous_estimator=previous
            )
        finally:
            del self._fit_params
        return self

    def _route_fit_params(self, fit_params, n_samples):
        """The task model's share of ``fit_params``, checked per row."""
        if not fit_params:
            return {}
        if not get_config().get("enable_metadata_routing", False):
            raise ValueError(
                f"{type(self).__name__}.fit got {sorted(fit_params)}, which are "
                "passed to the task model through scikit-learn's metadata routing: "
                "call sklearn.set_config(enable_metadata_routing=True) and request "
                "them on the estimator, e.g. "
                "estimator.set_fit_request(sample_weight=True)."
            )
        routed = process_routing(self, "fit", **fit_params).estimator.fit
        for name, value in routed.items():
            length = _num_samples_or_none(value)
            if length is not None and length != n_samples:
                raise ValueError(
                    f"The fit parameter {name!r} has {length} values, but X has "
                    f"{n_samples} rows; give one value per labelled sample."
                )
        return dict(routed)

    def _subset_fit_params(self, indices):
        """The routed fit parameters of ``fit``'s rows ``indices`` (to refit
        the task model on a subset of X inside ``_fit_querier``)."""
        params = getattr(self, "_fit_params", None) or {}
        n_samples = self._X_labeled.shape[0]
        return {
            name: _safe_indexing(value, indices)
            if _num_samples_or_none(value) == n_samples
            else value
            for name, value in params.items()
        }

    @abstractmethod
    def _fit_querier(self, X, y, random_state, *, queried, previous_estimator):
        """Fit what the querier learns beyond the task model.

        ``queried`` are the rows the last query chose (or ``None``);
        ``previous_estimator`` is the task model of the previous fit, which
        has not seen them (or ``None``).
        """

    def query(self, X_pool, n_queries=None, *, return_scores=False, backend="auto"):
        """Choose the pool samples to label next.

        Parameters
        ----------
        X_pool : array-like of shape (n_pool, ...)
            The unlabelled pool: a numpy array, a memmap, a zarr or dask
            array, or any array-like read by row slices.
        n_queries : int or None, default=None
            How many to choose; ``None`` uses the ``n_queries`` parameter. If
            larger than the pool, a warning is issued and every index is
            returned.
        return_scores : bool, default=False
            Also return the score of every pool sample.
        backend : {"auto", "local", "dask"}, default="auto"
            Where the pass over the pool runs. ``"local"``: in this process;
            a pool larger than the ``partition_size`` setting
            (:func:`skautoal.set_config`) is queried in two stages, one
            partition at a time. ``"dask"``: in two stages over the chunks of
            a dask array (any other pool is wrapped in one), on the active
            ``dask.distributed`` client's workers, or on dask's local
            scheduler when there is none; the fitted querier is sent to each
            worker once and only the proposed row indices come back.
            ``"auto"``: ``"dask"`` for a dask array while a distributed
            client is active, else ``"local"``. See :ref:`large_pools`.

        Returns
        -------
        indices : ndarray of shape (n_queries,), dtype int64
            Unique indices into ``X_pool``, the most informative first:
            row positions (for a data frame, ``X_pool.iloc[indices]``).
        scores : ndarray of shape (n_pool,)
            Only with ``return_scores=True``: the score of each pool sample
            (higher = chosen earlier). In a two-stage query the samples that
            no partition proposed score ``-inf``.
        """
        check_is_fitted(self)
        X_pool = self._validate_pool(X_pool)
        n_queries = self.n_queries if n_queries is None else n_queries
        random_state = check_random_state(self.random_state)
        n_pool = n_rows(X_pool)
        partition_size = get_skautoal_config()["partition_size"]
        mode, client = plan_query(X_pool, n_pool, backend, partition_size)
        if mode == "one":
            indices, scores = self._query_pool(X_pool, n_queries, random_state)
        else:
            indices, scores = self._query_two_stage(
                X_pool, n_pool, n_queries, random_state, mode, client, partition_size
            )
        return (indices, scores) if return_scores else indices

    def _pool_outputs(self, X_pool, random_state, statistics_rows=None):
        """The task model's outputs on a pool (or one partition of it)."""
        return PoolOutputs(
            TaskModel(self.estimator_, chunk_size=self._chunk_size()),
            X_pool,
            random_state=random_state,
            with_embedding=self._uses_embedding(),
            statistics_rows=statistics_rows,
            mc_prefix=self._uses_mc_passes(),
        )

    def _query_pool(self, X_pool, n_queries, random_state, statistics_rows=None):
        """One-stage query: the picks and every sample's score."""
        outputs = self._pool_outputs(X_pool, random_state, statistics_rows)
        n_queries = check_n_queries(
            n_queries, len(outputs), caller=f"{type(self).__name__}.query"
        )
        scores = self._query_scores(outputs, n_queries, random_state)
        return top_k(scores, n_queries, random_state), scores

    def _query_two_stage(
        self, X_pool, n_pool, n_queries, random_state, mode, client, partition_size
    ):
        """Each partition proposes rows; the querier runs on their union and a
        random sample of the pool (its rows give the pool statistics)."""
        n_queries = check_n_queries(
            n_queries, n_pool, caller=f"{type(self).__name__}.query"
        )
        seed = int(random_state.randint(np.iinfo(np.int32).max))
        proposed = propose(
            self,
            X_pool,
            n_pool,
            n_queries,
            seed,
            mode=mode,
            client=client,
            partition_size=partition_size,
        )
        sample = random_state.choice(
            n_pool, min(n_pool, self._n_statistics_rows()), replace=False
        )
        rows = np.union1d(proposed, sample)
        if len(rows) < n_queries:
            # Stage two would return fewer picks than asked: a _propose that
            # proposed too few rows, never a small pool (n_queries <= n_pool).
            raise RuntimeError(
                f"{type(self).__name__}._propose proposed {len(proposed)} rows over "
                f"all partitions, fewer than n_queries={n_queries}: each partition "
                "must propose min(n_queries, its rows)."
            )
        local, local_scores = self._query_pool(
            take_rows(X_pool, rows),
            n_queries,
            random_state,
            statistics_rows=np.searchsorted(rows, np.sort(sample)),
        )
        scores = np.full(n_pool, -np.inf)
        scores[rows] = local_scores
        return rows[local], scores

    def _propose(self, outputs, n_queries, random_state):
        """Stage one of a two-stage query: the rows of one partition
        (``outputs``) that may be in the batch; the top ``n_queries`` of
        ``_query_scores`` unless a subclass knows better. Must not change
        fitted state."""
        return top_k(
            self._query_scores(outputs, n_queries, random_state),
            n_queries,
            random_state,
        )

    def _n_statistics_rows(self):
        """Random pool rows added to stage two of a two-stage query."""
        return 1000

    def _chunk_size(self):
        return 1024

    def _uses_embedding(self):
        return True

    def _uses_mc_passes(self):
        return False

    def _labeled_outputs(self, outputs):
        # Seeded from the pool's outputs (no draw from the query's generator,
        # so the picks of strategies that never read it are unchanged): a
        # strategy that runs MC-dropout passes on the labelled set gets the
        # same masks for the same random_state.
        seed = (outputs._seed + 1) % np.iinfo(np.int32).max
        return PoolOutputs(
            outputs.model, self._X_labeled, name="X_labeled", random_state=seed
        )

    @abstractmethod
    def _query_scores(self, outputs, n_queries, random_state):
        """One score per pool sample; the top ``n_queries`` are queried."""

    def predict(self, X):
        """Predict class labels with the task model.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            The most probable label of each sample, from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def predict_proba(self, X):
        """Class probabilities from the task model, columns in ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            One row per sample, summing to 1.
        """
        check_is_fitted(self)
        proba = self.estimator_.predict_proba(self._validate_X(X, reset=False))
        n_classes = len(self.classes_)
        if proba.shape[1] > n_classes:
            # A net sized for every class of the task, fitted before all of
            # them were labelled: its extra outputs are classes with no
            # label yet, which ``classes_`` cannot name.
            proba = proba[:, :n_classes]
            proba = proba / np.clip(proba.sum(1, keepdims=True), 1e-12, None)
        return proba

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # NaN is refused unless the task model is a pipeline that imputes.
        tags.input_tags.allow_nan = pipeline_imputes(self.estimator)
        # A sparse X goes to the task model as it is, unless it is a skorch
        # net (see passes_raw_input): whether that works is the task model's
        # own tag.
        tags.input_tags.sparse = not _is_skorch_net(
            _final_step(self.estimator)
        ) and bool(get_tags(self.estimator).input_tags.sparse)
        return tags


def _object_rows(X):
    """A list of samples as an object array of them, so that rows can be
    taken by index: the values stay as they are (a row ``["north", 3.5]``
    keeps its number; ``np.asarray`` would make it a string), and samples of
    different lengths (token lists) are one row each."""
    try:
        return np.asarray(X, dtype=object)
    except ValueError:
        rows = np.empty(len(X), dtype=object)
        for i, sample in enumerate(X):
            rows[i] = sample
        return rows


def _single_class_message(querier):
    """What to say when the labelled set holds one class: None when it
    holds more."""
    if len(querier.classes_) != 1:
        return None
    label = querier.classes_[0]
    label = label.item() if isinstance(label, np.generic) else label
    name = type(_final_step(querier.estimator)).__name__
    return f"y holds a single class ({label!r}), and the task model ({name})"


def _num_samples_or_none(value):
    """The length of a per-sample fit parameter, or None for a scalar."""
    if np.ndim(value) == 0 or isinstance(value, str | dict):
        return None
    return _num_samples(value)


def fit_clone(estimator, X, y, random_state, *, n_classes=None, fit_params=None):
    """Fit a clone of ``estimator`` with torch's global RNG seeded from
    ``random_state``, so skorch's weight init and shuffling are reproducible;
    ``fit_params`` go to its ``fit``."""
    final = _final_step(estimator)
    device = str(getattr(final, "device", "cpu")) if _is_skorch_net(final) else "cpu"
    device = "cuda" if device.startswith("cuda") else "cpu"
    # skorch swallows a Ctrl+C during fit and returns a half-trained net:
    # re-raise it, so no round goes on with (or records) that model.
    with (
        propagate_interrupts(),
        seeded(random_state.randint(np.iinfo(np.int32).max), device),
    ):
        try:
            fitted = clone(estimator).fit(X, y, **(fit_params or {}))
        except (IndexError, RuntimeError) as exc:
            if _is_skorch_net(final) and "must have the same dtype" in str(exc):
                raise TypeError(
                    f"The task model's module got inputs of another dtype than its "
                    f"weights ({exc}). scikit-learn's transformers return float64 "
                    "and torch modules compute in float32: put "
                    "FunctionTransformer(np.float32) before the net in the pipeline, "
                    "or use skautoal.models.default_net, which casts."
                ) from exc
            if _is_skorch_net(final) and "out of bounds" in str(exc):
                wanted = n_classes or int(np.max(y)) + 1
                raise ValueError(
                    f"The task model's module has fewer outputs than the {wanted} "
                    f"classes in y ({exc}). Set module__n_classes={wanted} on the "
                    "net."
                ) from exc
            raise
    if n_classes is not None and _is_skorch_net(final):
        width = TaskModel(fitted).predict_proba(_safe_indexing(X, slice(0, 1))).shape[1]
        if width < n_classes:
            raise ValueError(
                f"The task model's module outputs {width} columns, but y has "
                f"{n_classes} classes; the columns of predict_proba must cover the "
                f"classes. Set module__n_classes={n_classes} on the net."
            )
    return fitted


def candidate_picks(candidates, outputs, n_picks, labeled, random_state):
    """Each candidate's ``n_picks`` picks, most informative first.

    Every candidate reads the same ``outputs``, so each forward pass over the
    pool runs once however many candidates need it.
    """
    return [
        check_picks(
            candidate._select(
                outputs, n_picks, labeled=labeled, random_state=random_state
            ),
            len(outputs),
            n_picks,
            candidate,
        )
        for candidate in candidates
    ]


def picks_to_masks(picks, n_samples):
    """The binary (n_samples, n_candidates) matrix of the candidates' picks."""
    masks = np.zeros((n_samples, len(picks)), dtype=np.float32)
    for k, picked in enumerate(picks):
        masks[picked, k] = 1.0
    return masks


def candidate_masks(candidates, outputs, n_picks, labeled, random_state):
    """The binary (n_samples, n_candidates) matrix of each candidate's picks."""
    picks = candidate_picks(candidates, outputs, n_picks, labeled, random_state)
    return picks_to_masks(picks, len(outputs))


def rank_scores(picked, n_samples):
    """Scores that make ``top_k`` return ``picked`` in its order."""
    scores = np.zeros(n_samples)
    scores[picked] = np.arange(len(picked), 0, -1)
    return scores


def resolve_strategies(strategies):
    """The candidate list for a preset name or a user's list."""
    if isinstance(strategies, str):
        return preset_strategies(strategies)
    strategies = list(strategies)
    if not strategies:
        raise ValueError(
            "The 'strategies' parameter must name at least one strategy; got an "
            "empty list."
        )
    for strategy in strategies:
        if not isinstance(strategy, BaseQueryStrategy):
            if isinstance(strategy, type) and issubclass(strategy, BaseQueryStrategy):
                hint = f" Pass an instance: {strategy.__name__}()."
            else:
                hint = " Strategies are in skautoal.strategies, e.g. MarginSampling()."
            raise TypeError(
                "The 'strategies' parameter must be 'auto', 'full', 'paper' or a "
                "list of "
                f"BaseQueryStrategy instances; got an element {strategy!r} of type "
                f"{type(strategy).__name__}.{hint}"
            )
    return [clone(strategy) for strategy in strategies]


def select_candidates(strategies, estimator, caller):
    """Resolve ``strategies``. When ``estimator`` has no dropout, a preset
    (``"auto"``, ``"full"``, ``"paper"``) drops the candidates that need it,
    with one warning, and a list naming one of them is an error."""
    candidates = resolve_strategies(strategies)
    if not isinstance(strategies, str):
        check_dropout(
            candidates,
            estimator,
            f"The 'strategies' parameter of {caller} holds MC-dropout strategies "
            "({names}), but the task model ({model}) has no dropout layers",
            "Remove them, use a net with dropout, or pass a preset such as "
            "'auto', which leaves them out for a model without dropout.",
        )
    elif not TaskModel(estimator).has_dropout:
        dropped = [type(c).__name__ for c in candidates if c.needs_dropout]
        if dropped:
            warnings.warn(
                f"The task model has no dropout layers, so the candidates that "
                f"need MC dropout ({', '.join(dropped)}) are dropped.",
                UserWarning,
                stacklevel=find_stack_level(),
            )
        candidates = [c for c in candidates if not c.needs_dropout]
    return candidates


def strategy_names(strategies):
    """Class names, with a suffix on repeats (``BALD``, ``BALD_2``)."""
    names, seen = [], {}
    for strategy in strategies:
        name = type(strategy).__name__
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


class _CandidateQuerier(BaseQuerier):
    """A querier over a set of candidate strategies."""

    _parameter_constraints = {
        **BaseQuerier._parameter_constraints,
        "strategies": [StrOptions(set(PRESETS)), list, tuple],
    }

    def _uses_embedding(self):
        return any(c.uses_embedding for c in self.candidates_)

    def _uses_mc_passes(self):
        return any(c.needs_dropout for c in self.candidates_)

    def _fit_candidates(self):
        self.candidates_ = select_candidates(
            self.strategies, self.estimator_, type(self).__name__
        )
        self._names = strategy_names(self.candidates_)

    def _propose(self, outputs, n_queries, random_state):
        # Every candidate's picks on the partition: a candidate's picks on
        # the whole pool come from these (exactly, for a score strategy).
        picks = candidate_picks(
            self.candidates_,
            outputs,
            n_queries,
            self._labeled_outputs(outputs),
            random_state,
        )
        return np.unique(np.concatenate(picks))

    def _candidate_masks(self, outputs, n_queries, random_state):
        """Each candidate's ``n_queries`` picks on the pool, as a 0/1 matrix."""
        return candidate_masks(
            self.candidates_,
            outputs,
            n_queries,
            self._labeled_outputs(outputs),
            random_state,
        )
