"""Input validation shared by strategies and queriers."""

import numbers
import warnings

import numpy as np


def check_n_queries(n_queries, n_pool, *, caller="select"):
    """Validate ``n_queries`` and clip it to the pool size.

    Parameters
    ----------
    n_queries : int
        The requested number of samples to query.
    n_pool : int
        The number of samples in the pool.
    caller : str, default="select"
        The name used in messages.

    Returns
    -------
    n_queries : int
        ``n_queries``, clipped to ``n_pool`` with a warning when larger.
    """
    if isinstance(n_queries, bool) or not isinstance(n_queries, numbers.Integral):
        raise TypeError(
            f"The 'n_queries' parameter of {caller} must be an int in [1, inf). "
            f"Got {n_queries!r} of type {type(n_queries).__name__} instead."
        )
    if n_queries < 1:
        raise ValueError(
            f"The 'n_queries' parameter of {caller} must be an int in [1, inf). "
            f"Got {n_queries} instead."
        )
    if n_queries > n_pool:
        warnings.warn(
            f"n_queries={n_queries} is larger than the pool ({n_pool} samples); "
            f"all {n_pool} pool indices are returned.",
            UserWarning,
            stacklevel=3,
        )
        return int(n_pool)
    return int(n_queries)


def check_positive_int(value, name, owner):
    """Raise a clear error unless ``value`` is an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"The '{name}' parameter of {owner} must be an int in [1, inf). "
            f"Got {value!r} of type {type(value).__name__} instead."
        )
    if value < 1:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be an int in [1, inf). "
            f"Got {value} instead."
        )
    return int(value)


def check_finite_samples(X, name):
    """Check that ``X`` (an array, or anything ``np.asarray`` takes) is
    non-empty and finite, and return its number of samples."""
    shape = getattr(X, "shape", None)
    if shape is None:
        X = np.asarray(X)
        shape = X.shape
    if len(shape) == 0:
        raise ValueError(
            f"{name} must be an array of samples; got a scalar {X!r} instead."
        )
    if shape[0] == 0:
        raise ValueError(
            f"{name} is empty: expected at least 1 sample, got shape {tuple(shape)}."
        )
    values = X.data if hasattr(X, "tocsr") else np.asarray(X)
    if values.dtype.kind in "fc" and not np.isfinite(values).all():
        raise ValueError(
            f"{name} contains NaN or infinity: expected finite values only."
        )
    if values.dtype.kind not in "biufc":
        raise ValueError(
            f"{name} must hold numbers; got an array of dtype {values.dtype} instead."
        )
    return int(shape[0])
