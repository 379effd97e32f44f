"""Torch helpers: devices, seeding and the chunked distance kernels."""

import contextlib

import numpy as np
import torch


def resolve_device(device):
    """Turn ``"auto"`` into ``"cuda"`` when CUDA is available, else ``"cpu"``."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


@contextlib.contextmanager
def seeded(seed, device):
    """Run a block under a fixed torch seed without touching the global RNG."""
    device = torch.device(device)
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed))
        yield


def as_tensor(X, device):
    """A float32 tensor of ``X`` on ``device``."""
    return torch.as_tensor(np.asarray(X), dtype=torch.float32, device=device)


def min_sqdist(X, centers, *, chunk_size=4096):
    """Squared distance from each row of ``X`` to its nearest row of
    ``centers``, and that row's index, computed in chunks of ``X``.

    Memory is O(chunk_size * n_centers), never O(n_samples * n_centers).
    """
    c_norm = (centers * centers).sum(1)
    dists, labels = [], []
    for start in range(0, X.shape[0], chunk_size):
        block = X[start : start + chunk_size]
        d = (block * block).sum(1, keepdim=True) - 2 * block @ centers.T + c_norm
        value, index = d.min(1)
        dists.append(value.clamp_min_(0))
        labels.append(index)
    return torch.cat(dists), torch.cat(labels)


def d2_sampling(n_centers, first, sqdist_to, n_samples, random_state):
    """k-means++ seeding by plain D^2 sampling (as BADGE does it).

    Parameters
    ----------
    n_centers : int
        How many centres to choose.
    first : int
        Index of the first centre.
    sqdist_to : callable
        ``sqdist_to(i)`` returns a tensor of the squared distances from every
        sample to sample ``i``.
    n_samples : int
        The number of samples.
    random_state : numpy.random.RandomState
        Draws the D^2 samples.

    Returns
    -------
    centers : ndarray of shape (n_centers,), dtype int64
        Unique sample indices, in the order chosen.
    """
    chosen = [int(first)]
    closest = sqdist_to(first).double().clamp_min(0)
    closest[first] = 0
    taken = torch.zeros(n_samples, dtype=torch.bool, device=closest.device)
    taken[first] = True
    for _ in range(n_centers - 1):
        cumulative = torch.cumsum(closest, 0)
        total = cumulative[-1].item()
        if total > 0:
            target = torch.tensor(
                random_state.random_sample() * total,
                dtype=cumulative.dtype,
                device=cumulative.device,
            )
            index = int(torch.searchsorted(cumulative, target, right=True))
            index = min(index, n_samples - 1)
        if total <= 0 or taken[index]:
            # Every remaining sample coincides with a centre: pick one at random.
            free = torch.nonzero(~taken).flatten().cpu().numpy()
            index = int(random_state.choice(free))
        chosen.append(index)
        taken[index] = True
        closest = torch.minimum(closest, sqdist_to(index).double().clamp_min(0))
        closest[index] = 0
    return np.asarray(chosen, dtype=np.int64)
