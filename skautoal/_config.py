"""Global settings of skautoal, in the manner of ``sklearn.set_config``."""

import threading
from contextlib import contextmanager
from numbers import Integral

__all__ = ["config_context", "get_config", "set_config"]

_DEFAULTS = {"partition_size": 2**18}
_local = threading.local()


def _settings():
    if not hasattr(_local, "settings"):
        _local.settings = dict(_DEFAULTS)
    return _local.settings


def get_config():
    """The current values of skautoal's global settings.

    Returns
    -------
    config : dict
        Keys are the parameters of :func:`set_config`.

    Examples
    --------
    >>> from skautoal import get_config
    >>> get_config()["partition_size"]
    262144
    """
    return dict(_settings())


def _check_partition_size(value):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(
            "The 'partition_size' setting must be a positive int (rows); "
            f"got {value!r}."
        )
    return int(value)


def set_config(partition_size=None):
    """Set skautoal's global settings (for this thread).

    Parameters
    ----------
    partition_size : int or None, default=None
        A pool with more rows than this is queried in two stages: each
        partition of ``partition_size`` rows proposes its candidates' picks,
        then the querier runs on the union of the proposals and a random
        sample of the pool (see :ref:`large_pools`). The task model's
        outputs (embeddings, MC-dropout passes) are then held for one
        partition at a time, not the whole pool. Uncertainty strategies get
        the same picks as in one stage; CoreSet, BADGE and KMeans become the
        two-stage GreeDi of Mirzasoleiman et al. (2013). ``None`` leaves the
        setting unchanged; the initial value is ``262144`` (2**18). Pass a
        value at least the pool's size to always query in one stage.

    Examples
    --------
    >>> from skautoal import config_context, get_config
    >>> with config_context(partition_size=100_000):
    ...     get_config()["partition_size"]
    100000
    """
    if partition_size is not None:
        _settings()["partition_size"] = _check_partition_size(partition_size)


@contextmanager
def config_context(**settings):
    """Change skautoal's global settings within a ``with`` block.

    Parameters
    ----------
    **settings
        The parameters of :func:`set_config`.

    Yields
    ------
    None

    Examples
    --------
    >>> from skautoal import config_context, get_config
    >>> with config_context(partition_size=50_000):
    ...     print(get_config()["partition_size"])
    50000
    >>> get_config()["partition_size"]
    262144
    """
    unknown = sorted(set(settings) - set(_DEFAULTS))
    if unknown:
        raise TypeError(
            f"config_context got unknown settings {unknown}; the settings are "
            f"{sorted(_DEFAULTS)}."
        )
    old = get_config()
    try:
        set_config(**settings)
        yield
    finally:
        _settings().update(old)
