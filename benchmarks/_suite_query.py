"""One AutoAL query's inputs on a suite block, shared by the query benchmarks.

``profile_query.py`` and ``bench_greedy.py`` both time parts of a query of
the suite's task model fitted on 300 labels; this builds that state once,
the way a suite run and ``AutoALQuerier.query`` do.
"""

import numpy as np


def fitted_querier(block, seed, n_labeled=300, n_queries=50):
    """An ``AutoALQuerier`` with the suite's task model, fitted on
    ``n_labeled`` random labels of ``block``'s pool (split as the suite does
    for ``seed``); returns it and the rest of the pool."""
    from sklearn.model_selection import train_test_split

    from skautoal import AutoALQuerier
    from skautoal.models import default_net
    from skautoal.suite import BLOCKS, load_block

    X, y = load_block(block)
    _, y = np.unique(y, return_inverse=True)
    X_pool, _, y_pool, _ = train_test_split(
        X, y, test_size=BLOCKS[block].test_size, stratify=y, random_state=seed
    )
    order = np.random.RandomState(seed).permutation(len(y_pool))
    lab, pool = order[:n_labeled], order[n_labeled:]
    net = default_net(
        BLOCKS[block].kind,
        X.shape[1:],
        int(y.max()) + 1,
        random_state=seed,
        device="cpu",
    )
    querier = AutoALQuerier(net, n_queries=n_queries, random_state=seed, device="cpu")
    return querier.fit(X_pool[lab], y_pool[lab]), X_pool[pool]


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
