"""Pools that are not in memory: row subsets read a chunk at a time."""

import numpy as np
from sklearn_compat.utils._indexing import _safe_indexing

from ._validation import holds_numbers, host_array, is_lazy_array


def n_rows(X):
    """The number of samples of an array-like (``len`` for lists)."""
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def _read_by_rows(X):
    """Whether ``X`` is read from disk or lazily (memmap, zarr, dask), so
    that rows should be read as needed rather than copied whole."""
    return is_lazy_array(X) or isinstance(X, np.memmap)


def concat_rows(parts):
    """The rows of several array-likes of one kind, in order: data frames
    stay one data frame (column names and dtypes kept, for a pipeline that
    selects columns by name), sparse matrices one CSR matrix, anything else
    one numpy array."""
    if all(hasattr(part, "iloc") for part in parts):
        import pandas as pd

        return pd.concat(parts, ignore_index=True)
    if any(hasattr(part, "tocsr") for part in parts):
        import scipy.sparse as sp

        return sp.vstack([sp.csr_matrix(part) for part in parts], format="csr")
    # A list of rows such as ["north", 3.5] as objects: its numbers stay
    # numbers (np.asarray would make them strings).
    return np.concatenate(
        [
            np.asarray(part, dtype=None if holds_numbers(part) else object)
            for part in map(host_array, parts)
        ]
    )


def take_rows(X, rows):
    """Rows ``rows`` (int array) of ``X`` as an in-memory array.

    A zarr or dask array, or a memmap, is read in increasing row order (zarr
    through its orthogonal indexing) and only the rows asked for are
    loaded; anything else goes through scikit-learn's ``_safe_indexing``.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if not _read_by_rows(X):
        return _safe_indexing(X, rows)
    if len(rows) and rows[-1] - rows[0] + 1 == len(rows) and (np.diff(rows) == 1).all():
        return np.asarray(X[int(rows[0]) : int(rows[-1]) + 1])
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    if hasattr(X, "oindex"):  # zarr
        values = np.asarray(X.oindex[sorted_rows])
    else:
        values = np.asarray(X[sorted_rows])
    out = np.empty_like(values)
    out[order] = values
    return out


def _row_key(key, shape, what):
    """The rows part of ``key``, for an array-like read by whole rows.

    A tuple key (as ``_safe_indexing`` passes, or dask's ``from_array``,
    which slices every axis) may follow its rows with ``...`` or slices that
    cover their whole axis; anything else is refused, naming ``what``.
    """
    if not isinstance(key, tuple):
        return key
    for axis, k in enumerate(key[1:], start=1):
        whole = k is Ellipsis or (
            isinstance(k, slice)
            and axis < len(shape)
            and range(*k.indices(shape[axis])) == range(shape[axis])
        )
        if not whole:
            raise TypeError(f"{what} is read by whole rows; got the key {key!r}.")
    return key[0] if key else slice(None)


class RowSubset:
    """The rows ``indices`` of a pool, read only when sliced.

    :class:`~skautoal.loop.ActiveLearner` and
    :func:`~skautoal.loop.simulate` query the unlabelled part of a pool. For
    a memmap, zarr or dask pool, that part is passed as a ``RowSubset``
    rather than copied: the forward pass reads it a chunk of rows at a
    time, so memory holds one chunk, not the pool.

    Parameters
    ----------
    X : array-like
        The pool (sliceable by rows; has ``shape`` and ``dtype``).
    indices : array-like of int
        Its rows, in the order the subset presents them.

    Examples
    --------
    >>> import numpy as np
    >>> from skautoal.utils._arrays import RowSubset
    >>> subset = RowSubset(np.arange(20).reshape(10, 2), [1, 4, 5])
    >>> subset.shape, subset[1:3].tolist()
    ((3, 2), [[8, 9], [10, 11]])
    """

    def __init__(self, X, indices):
        self.X = X
        self.indices = np.asarray(indices, dtype=np.int64)
        self.shape = (len(self.indices),) + tuple(X.shape[1:])
        self.dtype = np.dtype(X.dtype)
        self.ndim = len(self.shape)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, key):
        key = _row_key(key, self.shape, "A RowSubset")
        if not isinstance(key, slice | np.ndarray | list):
            raise TypeError(
                f"A RowSubset is read by row slices or row indices; got {key!r}."
            )
        return take_rows(self.X, self.indices[key])

    def __array__(self, dtype=None, copy=None):
        values = take_rows(self.X, self.indices)
        return values if dtype is None else values.astype(dtype)


class TransformedRows:
    """A pool whose rows go through a fitted transformer when they are read.

    :meth:`skautoal.pipeline.Pipeline.query` wraps a memmap, zarr or other
    pool read by rows in one of these for each transformer before the
    querier, so the querier's forward pass reads and transforms a chunk of
    rows at a time instead of the pipeline transforming the whole pool in
    memory first. scikit-learn's fitted transformers map rows to rows, so a
    chunk's transform is the rows' transform.

    Parameters
    ----------
    X : array-like
        The pool (sliceable by rows; has ``shape`` and ``dtype``).
    transformer : estimator
        A fitted transformer.
    sample : ndarray
        ``transformer.transform`` of the pool's first row: the output's
        width and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skautoal.utils._arrays import TransformedRows
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> scaler = StandardScaler().fit(X)
    >>> rows = TransformedRows(X, scaler, scaler.transform(X[:1]))
    >>> rows.shape, bool(np.allclose(rows[2:4], scaler.transform(X[2:4])))
    ((6, 2), True)
    """

    def __init__(self, X, transformer, sample):
        self.X = X
        self.transformer = transformer
        self.shape = (int(X.shape[0]),) + tuple(sample.shape[1:])
        self.dtype = np.dtype(sample.dtype)
        self.ndim = len(self.shape)

    def __len__(self):
        return self.shape[0]

    def _transform(self, values):
        if values.shape[0] == 0:  # transformers refuse empty inputs
            return np.empty((0,) + self.shape[1:], dtype=self.dtype)
        return np.asarray(self.transformer.transform(values))

    def __getitem__(self, key):
        key = _row_key(key, self.shape, "A transformed pool")
        if isinstance(key, slice):
            return self._transform(np.asarray(self.X[key]))
        if not isinstance(key, np.ndarray | list):
            raise TypeError(
                f"A transformed pool is read by row slices or row indices; got {key!r}."
            )
        rows = np.arange(self.shape[0])[key]  # booleans, negatives, bounds
        return self._transform(take_rows(self.X, rows))

    def __array__(self, dtype=None, copy=None):
        values = self._transform(np.asarray(self.X))
        return values if dtype is None else values.astype(dtype)


def pool_rows(X, rows):
    """Rows ``rows`` of a pool for a query: a dask array's own lazy selection
    (so a query can still run on its cluster), a lazy :class:`RowSubset` of a
    memmap or zarr pool, otherwise an in-memory copy."""
    from .._partition import is_dask_array

    if is_dask_array(X):
        return X[np.asarray(rows, dtype=np.int64)]
    if _read_by_rows(X):
        return RowSubset(X, rows)
    return _safe_indexing(X, np.asarray(rows, dtype=np.int64))
