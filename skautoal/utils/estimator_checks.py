"""Checks of the ``query`` verb that every skautoal querier must pass.

In the style of imbalanced-learn's ``estimator_checks``: each check takes a
name and an unfitted querier, and raises ``AssertionError`` when it fails.
Run them all with :func:`check_querier`.
"""

import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError


def _data(n_samples=120, n_features=6, random_state=0):
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=4,
        n_classes=3,
        random_state=random_state,
    )
    return X.astype(np.float32), y


def check_query_indices(name, querier):
    """``query`` returns unique int64 indices into the pool."""
    X, y = _data()
    fitted = clone(querier).set_params(n_queries=5).fit(X[:60], y[:60])
    indices = fitted.query(X[60:])
    assert indices.dtype == np.int64, f"{name}.query returned {indices.dtype}"
    assert indices.shape == (5,), f"{name}.query returned shape {indices.shape}"
    assert len(np.unique(indices)) == 5, f"{name}.query repeated an index"
    assert indices.min() >= 0 and indices.max() < 60, f"{name}: index out of range"


def check_query_not_fitted(name, querier):
    """``query`` before ``fit`` raises ``NotFittedError``."""
    X, _ = _data()
    try:
        clone(querier).query(X)
    except NotFittedError:
        return
    raise AssertionError(f"{name}.query did not raise NotFittedError before fit")


def check_query_deterministic(name, querier):
    """The same ``random_state`` gives the same indices."""
    X, y = _data()
    first = clone(querier).set_params(random_state=3, n_queries=5).fit(X[:60], y[:60])
    again = clone(querier).set_params(random_state=3, n_queries=5).fit(X[:60], y[:60])
    np.testing.assert_array_equal(
        first.query(X[60:]), again.query(X[60:]), err_msg=f"{name} is not seeded"
    )


def check_query_repeatable(name, querier):
    """Querying the same pool twice gives the same indices: ``query`` changes
    nothing that the next ``query`` reads."""
    X, y = _data()
    fitted = clone(querier).set_params(n_queries=5).fit(X[:60], y[:60])
    np.testing.assert_array_equal(
        fitted.query(X[60:]),
        fitted.query(X[60:]),
        err_msg=f"{name}.query changed what its next query returns",
    )


def check_query_feature_mismatch(name, querier):
    """A pool with the wrong number of features raises ``ValueError``."""
    X, y = _data()
    fitted = clone(querier).set_params(n_queries=5).fit(X[:60], y[:60])
    try:
        fitted.query(X[60:, :-1])
    except ValueError:
        return
    raise AssertionError(f"{name}.query accepted a pool with too few features")


def check_query_pool_not_mutated(name, querier):
    """``query`` leaves the pool as it was."""
    X, y = _data()
    fitted = clone(querier).set_params(n_queries=5).fit(X[:60], y[:60])
    pool = X[60:].copy()
    fitted.query(pool)
    np.testing.assert_array_equal(pool, X[60:], err_msg=f"{name} mutated the pool")


def _snapshot(obj):
    """A comparable copy of a fitted model: torch state dicts as arrays, or
    the pickle of anything else."""
    import pickle

    module = getattr(obj, "module_", obj)
    if hasattr(module, "state_dict"):
        return {
            k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()
        }
    return pickle.dumps(obj)


def check_query_keeps_fitted_models(name, querier):
    """``query`` leaves the task model and any learned nets as ``fit`` left
    them (the search may log what it did, but it trains nothing)."""
    X, y = _data()
    fitted = clone(querier).set_params(n_queries=5).fit(X[:60], y[:60])
    parts = [
        p
        for p in ("estimator_", "search_net_", "fit_net_")
        if getattr(fitted, p, None) is not None
    ]
    before = {p: _snapshot(getattr(fitted, p)) for p in parts}
    fitted.query(X[60:])
    for part in parts:
        after = _snapshot(getattr(fitted, part))
        if isinstance(after, dict):
            assert after.keys() == before[part].keys(), f"{name}.query changed {part}"
            for key in after:
                np.testing.assert_array_equal(
                    after[key],
                    before[part][key],
                    err_msg=f"{name}.query changed {part}",
                )
        else:
            assert after == before[part], f"{name}.query changed {part}"


QUERY_CHECKS = (
    check_query_indices,
    check_query_not_fitted,
    check_query_deterministic,
    check_query_repeatable,
    check_query_feature_mismatch,
    check_query_pool_not_mutated,
    check_query_keeps_fitted_models,
)


def check_querier(querier):
    """Run every query check on ``querier``.

    Parameters
    ----------
    querier : querier
        An unfitted querier with ``n_queries`` and ``random_state``
        parameters.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.baselines import StrategyQuerier
    >>> from skautoal.strategies import MarginSampling
    >>> from skautoal.utils.estimator_checks import check_querier
    >>> check_querier(StrategyQuerier(LogisticRegression(), MarginSampling()))
    """
    name = type(querier).__name__
    for check in QUERY_CHECKS:
        check(name, querier)
