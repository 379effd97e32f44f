"""Top-k selection with a seeded tie-break."""

import numpy as np


def top_k(scores, k, random_state):
    """Indices of the ``k`` largest ``scores``, ties broken at random.

    Runs in O(N): ``argpartition`` finds the candidates, and only the
    candidates (all samples tied with the k-th largest included) are sorted.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        Higher is better.
    k : int
        How many indices to return, 1 <= k <= n_samples.
    random_state : numpy.random.RandomState
        Draws the tie-break keys.

    Returns
    -------
    indices : ndarray of shape (k,), dtype int64
        Ordered from the largest score down.

    Raises
    ------
    ValueError
        If a score is NaN (it would be silently dropped or ranked
        arbitrarily), or ``k`` is not in [0, n_samples].
    """
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.shape[0]
    if np.isnan(scores).any():
        raise ValueError(
            f"{int(np.isnan(scores).sum())} of {n} scores are NaN, so the top {k} "
            "cannot be ranked: the task model's outputs are probably not finite."
        )
    if not 0 <= k <= n:
        raise ValueError(f"Cannot pick the top {k} of {n} scores.")
    if k == 0:
        return np.empty(0, dtype=np.int64)
    tie = random_state.random_sample(n)
    if k < n:
        kth = np.partition(scores, n - k)[n - k]
        candidates = np.flatnonzero(scores >= kth)
    else:
        candidates = np.arange(n)
    order = np.lexsort((tie[candidates], -scores[candidates]))
    return candidates[order[:k]].astype(np.int64)
