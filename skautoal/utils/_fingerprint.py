"""Run identity: what a checkpoint or a results folder belongs to.

A fingerprint records the querier's parameters (deep), the random state and
a content hash of the data, so a rerun resumes only the run it wrote, and a
mismatch is refused with the names of what differs.
"""

import hashlib
import re

import numpy as np

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def content_hash(values, chunk_rows=8192):
    """A SHA-256 of an array-like's shape, dtype and values, read in chunks.

    Reads ``chunk_rows`` rows at a time, so a memory-mapped pool is never
    copied whole.

    Examples
    --------
    >>> import numpy as np
    >>> from skautoal.utils._fingerprint import content_hash
    >>> content_hash(np.arange(6)) == content_hash(np.arange(6))
    True
    >>> content_hash(np.arange(6)) == content_hash(np.arange(6.0))
    False
    """
    if values is None:
        return "none"
    if not hasattr(values, "shape") or not hasattr(values, "dtype"):
        values = np.asarray(values)
    digest = hashlib.sha256()
    digest.update(f"{tuple(values.shape)}|{values.dtype}|".encode())
    n = values.shape[0] if values.ndim else 1
    for start in range(0, max(n, 1), chunk_rows):
        chunk = values[start : start + chunk_rows] if values.ndim else values
        if hasattr(chunk, "toarray"):
            chunk = chunk.toarray()
        chunk = np.asarray(chunk)
        if chunk.dtype == object:
            digest.update(repr(chunk.tolist()).encode())
        else:
            digest.update(np.ascontiguousarray(chunk).tobytes())
    return digest.hexdigest()[:16]


def stable_repr(value):
    """A text form of a parameter value that is the same in every process.

    Estimators are written as their class and (shallow) parameters,
    recursively; random states by a hash of their state; arrays by content;
    classes and functions by qualified name; memory addresses are dropped.
    """
    from sklearn.base import BaseEstimator

    if isinstance(value, BaseEstimator):
        params = value.get_params(deep=False)
        inner = ", ".join(f"{k}={stable_repr(params[k])}" for k in sorted(params))
        return f"{type(value).__qualname__}({inner})"
    if isinstance(value, np.random.RandomState):
        state = value.get_state()
        return f"RandomState[{content_hash(state[1])}:{state[2]}]"
    if isinstance(value, np.ndarray):
        return f"array[{content_hash(value)}]"
    if isinstance(value, dict):
        keys = sorted(value, key=str)
        inner = ", ".join(f"{k!r}: {stable_repr(value[k])}" for k in keys)
        return "{" + inner + "}"
    if isinstance(value, set | frozenset):
        # A set's order follows string hashing, which differs between
        # processes (PYTHONHASHSEED): sort its items' forms.
        return "{" + ", ".join(sorted(stable_repr(v) for v in value)) + "}"
    if isinstance(value, list | tuple):
        inner = ", ".join(stable_repr(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    return _ADDRESS.sub("", repr(value))


def run_fingerprint(querier, *, random_state, data, settings):
    """The identity of one run, as a flat dict of strings.

    Parameters
    ----------
    querier : estimator
        Its ``get_params(deep=True)`` are recorded one key each, so a
        mismatch names the parameter.
    random_state : int, RandomState or None
    data : dict
        Name to array-like; each is content-hashed.
    settings : dict
        Other settings of the run (initial size, number of rounds...).
    """
    fingerprint = {"querier": type(querier).__qualname__}
    params = querier.get_params(deep=True)
    for key in sorted(params):
        fingerprint[f"querier parameter {key}"] = stable_repr(params[key])
    fingerprint["random_state"] = stable_repr(random_state)
    for name, values in data.items():
        fingerprint[f"content of {name}"] = content_hash(values)
    for name, value in settings.items():
        fingerprint[name] = stable_repr(value)
    return fingerprint


def fingerprint_differences(stored, current):
    """The keys whose values differ (or exist on one side only), sorted."""
    keys = set(stored) | set(current)
    return sorted(k for k in keys if stored.get(k) != current.get(k))
