"""A Pipeline whose last step is a querier, with ``query``."""

import numpy as np
from sklearn import pipeline as _sk_pipeline
from sklearn.utils.metaestimators import available_if

from ._partition import is_dask_array
from .utils._arrays import TransformedRows, _read_by_rows, take_rows


def _final_step_has_query(pipe):
    return hasattr(pipe._final_estimator, "query")


def _transform_pool(transform, X):
    """``transform.transform(X)``; for a pool read by rows, lazily.

    A pool held as a dask array stays one: each row block is transformed
    when the querier reads it (scikit-learn's fitted transformers map rows
    to rows). A memmap, zarr or other pool read by row slices becomes a
    :class:`~skautoal.utils._arrays.TransformedRows`, transformed chunk by
    chunk as the querier reads it. Either way the pool is never held whole.
    A transformer whose output is not a dense array of the same number of
    dimensions (sparse, a DataFrame) gets the whole pool, as does an
    in-memory pool.
    """
    dask = is_dask_array(X)
    if not (dask or _read_by_rows(X)) or X.shape[0] == 0:
        return transform.transform(X)
    if dask:
        X = X.rechunk({axis: -1 for axis in range(1, X.ndim)})
        sample = transform.transform(np.asarray(X[:1].compute()))
    else:
        sample = transform.transform(take_rows(X, [0]))
    if not isinstance(sample, np.ndarray) or sample.ndim != len(X.shape):
        return transform.transform(X if dask else np.asarray(X))
    if not dask:
        return TransformedRows(X, transform, sample)
    return X.map_blocks(
        transform.transform,
        dtype=sample.dtype,
        chunks=(X.chunks[0], *((size,) for size in sample.shape[1:])),
        meta=np.empty((0,) * sample.ndim, dtype=sample.dtype),
    )


class Pipeline(_sk_pipeline.Pipeline):
    """scikit-learn's ``Pipeline``, plus ``query`` when the last step is a
    querier: the pool goes through the earlier steps' ``transform`` first.

    Parameters are those of :class:`sklearn.pipeline.Pipeline`.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skautoal.baselines import StrategyQuerier
    >>> from skautoal.pipeline import make_pipeline
    >>> from skautoal.strategies import MarginSampling
    >>> X, y = load_digits(return_X_y=True)
    >>> pipe = make_pipeline(
    ...     StandardScaler(),
    ...     StrategyQuerier(LogisticRegression(), MarginSampling(), n_queries=5),
    ... ).fit(X[:200], y[:200])
    >>> pipe.query(X[200:]).shape
    (5,)
    """

    def fit(self, X, y=None, **params):
        """Fit the steps as :class:`sklearn.pipeline.Pipeline` does.

        The pipeline keeps a reference to ``X`` and ``y`` (no copy), so a
        scorer can continue an active-learning run from this fit
        (:func:`~skautoal.metrics.make_aubc_scorer` with
        ``initial_size="fitted"``).

        Parameters
        ----------
        X : array-like
            The labelled samples.
        y : array-like
            Their labels.
        **params : dict
            As for :meth:`sklearn.pipeline.Pipeline.fit`.

        Returns
        -------
        self : Pipeline
            The fitted pipeline.
        """
        super().fit(X, y, **params)
        self._X_labeled, self._y_labeled = X, y
        return self

    @available_if(_final_step_has_query)
    def query(self, X_pool, n_queries=None, **query_params):
        """Transform the pool with the earlier steps, then query the last.

        A pool read by rows (a memmap, zarr or dask array) stays lazy: the
        steps transform it a chunk of rows at a time as the querier reads
        it, so it is never held whole (see :doc:`/large_pools`). An
        in-memory pool is transformed whole.

        Parameters
        ----------
        X_pool : array-like
            The unlabelled pool, as the pipeline's first step takes it.
        n_queries : int or None, default=None
            Passed to the querier's ``query``.
        **query_params : dict
            Passed to the querier's ``query`` (``return_scores``).

        Returns
        -------
        indices : ndarray of int64
            Indices into ``X_pool``.
        """
        Xt = X_pool
        for _, _, transform in self._iter(with_final=False):
            Xt = _transform_pool(transform, Xt)
        return self._final_estimator.query(Xt, n_queries, **query_params)


def make_pipeline(*steps, memory=None, verbose=False):
    """Build a :class:`Pipeline` from steps, naming them automatically.

    Parameters
    ----------
    *steps : estimators
        The transformers, then the querier.
    memory, verbose
        As for :func:`sklearn.pipeline.make_pipeline`.

    Returns
    -------
    pipeline : Pipeline
    """
    return Pipeline(
        _sk_pipeline._name_estimators(steps), memory=memory, verbose=verbose
    )
