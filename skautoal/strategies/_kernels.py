"""The chunked distance kernels of CoreSet, KMeans and BADGE."""

import numpy as np
import torch

from ..utils._torch import all_finite


def check_distances(d):
    """Raise if squared distances overflowed: the selection would otherwise
    rank infinities, which is arbitrary (CoreSet) or uniform (BADGE)."""
    if not all_finite(d):
        raise ValueError(
            "Squared distances between the task model's embeddings overflow "
            f"({d.dtype}): some embeddings are too large (e.g. inputs of 1e20), so "
            "CoreSet, KMeans or BADGE would pick arbitrarily. Scale the inputs "
            "(e.g. StandardScaler) or check the model for divergence."
        )
    return d


def row_sqnorms(X, *, chunk_size=65536):
    """``(X * X).sum(1)``, computed in row chunks: the same numbers, without
    an N x D temporary (the size of the embeddings themselves)."""
    if X.shape[0] <= chunk_size:
        return (X * X).sum(1)
    return torch.cat([(block * block).sum(1) for block in X.split(chunk_size)])


def min_sqdist(X, centers, *, chunk_size=4096):
    """Squared distance from each row of ``X`` to its nearest row of
    ``centers``, and that row's index, computed in chunks of ``X``.

    Memory is O(chunk_size * n_centers), never O(n_samples * n_centers).
    """
    c_norm = (centers * centers).sum(1)
    # Written into preallocated outputs: with small per-chunk results kept
    # in a list between the large per-chunk temporaries, the process's RSS
    # grew by about 290 MB over a CoreSet selection at 300k samples (most
    # likely heap fragmentation); preallocated, by about 30 MB.
    n = X.shape[0]
    dists = torch.empty(n, dtype=X.dtype, device=X.device)
    labels = torch.empty(n, dtype=torch.long, device=X.device)
    for start in range(0, n, chunk_size):
        block = X[start : start + chunk_size]
        # (|x|^2 - 2 x.c) + |c|^2 in place: the same bits as written out
        # (-2 g + a is a - 2 g), without two temporaries of the chunk's size.
        d = torch.mm(block, centers.T).mul_(-2)
        d.add_((block * block).sum(1, keepdim=True)).add_(c_norm)
        stop = start + block.shape[0]
        torch.min(check_distances(d), 1, out=(dists[start:stop], labels[start:stop]))
    return dists.clamp_min_(0), labels


class NearestCentre:
    """Each point's squared distance to its nearest centre, kept up to date
    as centres are added, in O(N) memory.

    On a pool of more than ``dense_max`` points, adding a centre ``c`` only
    recomputes the points that it could be closer to: by the triangle
    inequality, a point ``x`` whose nearest centre ``a`` has ``d(a, c) >= 2
    d(x, a)`` keeps ``a``. Late in a greedy selection, when the radii are
    small, almost every point is skipped. On a smaller pool one product
    against every point costs less than that bookkeeping, so each step
    recomputes them all (the same minimum, to rounding).

    Parameters
    ----------
    sqdist : callable
        ``sqdist(rows, i)`` returns the squared distances from the points
        ``rows`` (an index tensor, or ``None`` for all points) to point ``i``,
        as a new tensor (the dense steps clamp it in place).
    n_samples : int
        The number of points.
    device : torch.device
        Where the running vectors live.
    external : tensor of shape (n_external, n_features), optional
        Centres that are not among the points (CoreSet's labelled samples),
        with ``points`` the coordinates of the points.
    points : tensor of shape (n_samples, n_features), optional
        Required with ``external``.
    """

    block_size = 8192
    dense_max = 32768

    def __init__(self, sqdist, n_samples, device, *, external=None, points=None):
        self.sqdist = sqdist
        self.centres = []
        self.external = external
        self.points = points
        self.is_centre = torch.zeros(n_samples, dtype=torch.bool, device=device)
        self.dense = n_samples <= self.dense_max
        if external is None or external.shape[0] == 0:
            self.external = None
            self.closest = torch.full((n_samples,), float("inf"), device=device)
            self.assign = torch.zeros(n_samples, dtype=torch.long, device=device)
        else:
            self.closest, self.assign = min_sqdist(points, external)
        # 2 d(x, nearest centre): only the sparse updates read it.
        self._reach = None if self.dense else 2 * self.closest.sqrt()

    def _centre_distances(self, i):
        parts = []
        if self.external is not None:
            diff = self.external - self.points[i]
            parts.append((diff * diff).sum(1))
        if self.centres:
            rows = torch.as_tensor(self.centres, device=self.closest.device)
            parts.append(self.sqdist(rows, i))
        return torch.cat(parts).clamp_min(0).sqrt()

    def add(self, i):
        """Make point ``i`` a centre."""
        slot = len(self.centres) + (
            0 if self.external is None else self.external.shape[0]
        )
        if slot == 0:
            self.closest = check_distances(self.sqdist(None, i).float().clamp_min(0))
            if not self.dense:
                self._reach = 2 * self.closest.sqrt()
        elif self.dense:
            # Only the sparse updates read ``assign``; here each step is one
            # product and an element-wise minimum, in place.
            d = check_distances(self.sqdist(None, i).float().clamp_min_(0))
            torch.minimum(self.closest, d, out=self.closest)
        else:
            bound = self._centre_distances(i)[self.assign]
            # A little slack, so rounding never drops a point that is closer.
            rows = torch.nonzero(bound * (1 - 1e-5) < self._reach).flatten()
            # Fixed-size blocks keep allocations alike, so memory does not
            # fragment over a thousand steps of different sizes.
            for block in rows.split(self.block_size):
                d = check_distances(self.sqdist(block, i).float().clamp_min(0))
                better = d < self.closest[block]
                block = block[better]
                self.closest[block] = d[better]
                self._reach[block] = 2 * d[better].sqrt()
                self.assign[block] = slot
        self.closest[i] = 0
        if not self.dense:
            self._reach[i] = 0
            self.assign[i] = slot
        self.is_centre[i] = True
        self.centres.append(int(i))

    def farthest(self):
        """The point farthest from its nearest centre (centres excluded)."""
        index = int(torch.argmax(self.closest))
        if self.closest[index] > 0:
            return index
        # Every point coincides with a centre: take any point that is not one.
        return int(torch.argmax(self.closest.masked_fill(self.is_centre, -1.0)))


def rows_sqdist(points):
    """``sqdist(rows, i)`` for the Euclidean distance between rows of ``points``."""
    norms = row_sqnorms(points)

    def sqdist(rows, i):
        if rows is None:
            return norms - 2 * (points @ points[i]) + norms[i]
        return norms[rows] - 2 * (points[rows] @ points[i]) + norms[i]

    return sqdist


def d2_sampling(n_centers, first, sqdist, n_samples, random_state, device):
    """k-means++ seeding by plain D^2 sampling (as BADGE does it).

    Parameters
    ----------
    n_centers : int
        How many centres to choose.
    first : int
        Index of the first centre.
    sqdist : callable
        ``sqdist(rows, i)``, as for :class:`NearestCentre`.
    n_samples : int
        The number of samples.
    random_state : numpy.random.RandomState
        Draws the D^2 samples.
    device : torch.device
        Where the running distances live (that of the points).

    Returns
    -------
    centers : ndarray of shape (n_centers,), dtype int64
        Unique sample indices, in the order chosen.
    """
    nearest = NearestCentre(sqdist, n_samples, device)
    nearest.add(first)
    taken = {int(first)}
    for _ in range(n_centers - 1):
        cumulative = torch.cumsum(nearest.closest, 0, dtype=torch.float64)
        total = cumulative[-1].item()
        index = None
        if total > 0:
            target = random_state.random_sample() * total
            index = int(torch.searchsorted(cumulative, target, right=True))
            index = min(index, n_samples - 1)
        if index is None or index in taken:
            # Every remaining sample coincides with a centre: pick one at random.
            free = torch.nonzero(~nearest.is_centre).flatten().cpu().numpy()
            index = int(random_state.choice(free))
        taken.add(index)
        nearest.add(index)
    return np.asarray(nearest.centres, dtype=np.int64)
