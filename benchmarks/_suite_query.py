"""A suite block's data, task model and AutoAL query inputs, shared by the
cost benchmarks.

``bench_autoal.py``, ``bench_fisher_value.py``, ``profile_query.py``,
``bench_greedy.py`` and ``bench_fisher_rank.py`` all time rounds or parts of
a query of the suite's task model fitted on 300 random labels of a block's
pool; this builds that state once, the way a suite run and
``AutoALQuerier.query`` do.
"""

import time

import numpy as np


def block_data(block):
    """``X`` and ``y`` of a suite block, with ``y`` coded 0..C-1."""
    from skautoal.suite import load_block

    X, y = load_block(block)
    _, y = np.unique(y, return_inverse=True)
    return X, y


def labelled_split(X, y, block, seed, n_labeled=300):
    """The suite's pool of ``block`` for ``seed`` (its test split set aside),
    cut into ``n_labeled`` random labels and the rest: ``X_lab, y_lab,
    X_rest``."""
    from sklearn.model_selection import train_test_split

    from skautoal.suite import BLOCKS

    X_pool, _, y_pool, _ = train_test_split(
        X, y, test_size=BLOCKS[block].test_size, stratify=y, random_state=seed
    )
    order = np.random.RandomState(seed).permutation(len(y_pool))
    lab, rest = order[:n_labeled], order[n_labeled:]
    return X_pool[lab], y_pool[lab], X_pool[rest]


def suite_net(block, X, y, seed):
    """The suite's unfitted task model of ``block`` (on the CPU)."""
    from skautoal.models import default_net
    from skautoal.suite import BLOCKS

    return default_net(
        BLOCKS[block].kind,
        X.shape[1:],
        int(y.max()) + 1,
        random_state=seed,
        device="cpu",
    )


def timed(step, repeats):
    """The median seconds of ``repeats`` calls of ``step``, and its result."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = step()
        seconds.append(time.perf_counter() - start)
    return float(np.median(seconds)), result


def fitted_querier(block, seed, n_labeled=300, n_queries=50):
    """An ``AutoALQuerier`` with the suite's task model, fitted on
    ``n_labeled`` random labels of ``block``'s pool (split as the suite does
    for ``seed``); returns it and the rest of the pool."""
    from skautoal import AutoALQuerier

    X, y = block_data(block)
    X_lab, y_lab, X_rest = labelled_split(X, y, block, seed, n_labeled)
    net = suite_net(block, X, y, seed)
    querier = AutoALQuerier(net, n_queries=n_queries, random_state=seed, device="cpu")
    return querier.fit(X_lab, y_lab), X_rest


def search_inputs(querier, X, n_queries=50):
    """What the Fisher search starts from on pool ``X``: the pool's and the
    labelled set's outputs, the candidates' picks, the union of the picks
    (the proposals) and the round's Fisher value (all seeded with 0)."""
    from skautoal.querier_base import candidate_picks, picks_to_masks

    outputs = querier._pool_outputs(X, np.random.RandomState(0))
    labeled = querier._labeled_outputs(outputs)
    picks = candidate_picks(
        querier.candidates_, outputs, n_queries, labeled, np.random.RandomState(0)
    )
    union = np.flatnonzero(picks_to_masks(picks, len(outputs)).any(1))
    value = querier._fisher_value(outputs, labeled, np.random.RandomState(0))
    return outputs, labeled, picks, union, value
