import numpy as np
import torch

from ..base import BaseQueryStrategy
from ..utils._torch import as_tensor
from ..utils._validation import check_positive_int
from ._kernels import NearestCentre, d2_sampling, min_sqdist, row_sqnorms, rows_sqdist

_EXAMPLE = """
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.strategies import {name}
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X[::3], y[::3])
    >>> {name}().select(model, X, 3, random_state=0).shape
    (3,)
"""


class KMeansSampling(BaseQueryStrategy):
    __doc__ = """Cluster the pool's embeddings and take the sample nearest each centre.

    The embeddings are clustered into ``n_queries`` clusters by k-means
    (k-means++ seeding, then Lloyd iterations) in torch on the model's
    device; from each cluster the member nearest its centroid is selected.
    Distances are computed in chunks, so memory stays at
    O(chunk_size * n_queries).

    Parameters
    ----------
    max_iter : int, default=20
        The maximum number of Lloyd iterations.
    tol : float, default=1e-4
        Stop when no centroid moves by more than ``tol`` times the mean
        squared norm of the embeddings.
""" + _EXAMPLE.format(name="KMeansSampling")

    def __init__(self, max_iter=20, tol=1e-4):
        self.max_iter = max_iter
        self.tol = tol

    def _select(self, outputs, n_queries, *, labeled, random_state):
        max_iter = check_positive_int(self.max_iter, "max_iter", "KMeansSampling")
        X = as_tensor(outputs.embedding, outputs.device)
        n = X.shape[0]
        first = int(random_state.randint(n))
        seeds = d2_sampling(n_queries, first, rows_sqdist(X), n, random_state, X.device)
        centers = X[torch.as_tensor(seeds, device=X.device)].clone()
        scale = float(row_sqnorms(X).mean()) or 1.0
        for _ in range(max_iter):
            dist, labels = min_sqdist(X, centers)
            sums = torch.zeros_like(centers).index_add_(0, labels, X)
            counts = torch.bincount(labels, minlength=n_queries)
            empty = counts == 0
            new = sums / counts.clamp_min(1).unsqueeze(1).to(X.dtype)
            if empty.any():
                # Move empty clusters onto the points farthest from their centre.
                far = torch.topk(dist, int(empty.sum())).indices
                new[empty] = X[far]
            shift = float(((new - centers) ** 2).sum(1).max())
            centers = new
            if shift <= self.tol * scale:
                break
        dist, labels = min_sqdist(X, centers)
        return _nearest_member(dist.cpu().numpy(), labels.cpu().numpy(), n_queries)


def _nearest_member(dist, labels, n_clusters):
    """The member nearest its centroid for each cluster; clusters left empty
    are filled with the unpicked samples farthest from their centroid."""
    order = np.lexsort((dist, labels))
    first = np.ones(order.shape[0], dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    picked = order[first]
    if picked.shape[0] < n_clusters:
        free = np.ones(dist.shape[0], dtype=bool)
        free[picked] = False
        rest = np.flatnonzero(free)
        rest = rest[np.argsort(-dist[rest], kind="stable")]
        picked = np.concatenate([picked, rest[: n_clusters - picked.shape[0]]])
    return picked.astype(np.int64)


class CoreSet(BaseQueryStrategy):
    __doc__ = """Greedy k-center selection on the embeddings (Sener & Savarese, 2018).

    Starting from the labelled samples (or a random pool sample when
    ``X_labeled`` is not given), repeatedly select the pool sample farthest
    from everything selected or labelled so far. A running vector of each
    sample's distance to its nearest centre keeps memory at O(N); no
    pairwise distance matrix is built. Runs in torch on the model's device.
""" + _EXAMPLE.format(name="CoreSet")

    def _select(self, outputs, n_queries, *, labeled, random_state):
        X = as_tensor(outputs.embedding, outputs.device)
        external = None if labeled is None else as_tensor(labeled.embedding, X.device)
        nearest = NearestCentre(
            rows_sqdist(X), X.shape[0], X.device, external=external, points=X
        )
        if external is None:
            nearest.add(int(random_state.randint(X.shape[0])))
        while len(nearest.centres) < n_queries:
            nearest.add(nearest.farthest())
        return np.asarray(nearest.centres, dtype=np.int64)
