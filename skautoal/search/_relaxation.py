"""The relaxed top-t selection and the losses of the bi-level search."""

import torch


def _solve_threshold(r, k, tau, n_levels=3, n_grid=64, n_newton=2):
    """theta with sum_j sigmoid((r_j - theta) / tau) = k, by nested grid
    search (vectorised, no Python loop over bisection steps) and Newton."""
    low, high = r.min() - 40 * tau, r.max() + 40 * tau
    for _ in range(n_levels):
        grid = torch.linspace(float(low), float(high), n_grid + 1, dtype=r.dtype)
        counts = torch.sigmoid((r[None, :] - grid[:, None]) / tau).sum(1)
        # counts falls as theta rises: find the first grid point with count <= k.
        above = int((counts > k).sum())
        above = min(max(above, 1), n_grid)
        low, high = grid[above - 1], grid[above]
    theta = (low + high) / 2
    for _ in range(n_newton):
        s = torch.sigmoid((r - theta) / tau)
        slope = (s * (1 - s)).sum()
        if slope <= 0:
            break
        theta = theta + (s.sum() - k) * tau / slope
    return theta


def soft_top_k(scores, k, temperature="auto"):
    """Relaxed selection of the ``k`` highest scores.

    ``s_j = sigmoid((r_j - theta) / tau)``, with the threshold ``theta``
    solved so that the soft count ``sum_j s_j`` is ``k``. Its gradient is
    the implicit one, ``d theta / d r_i = s_i' / sum_j s_j'``, so lowering one
    score lets the others in: the selection keeps its size, and an objective
    cannot gain by shrinking it.

    With ``temperature="auto"``, ``tau`` is a quarter of the scores'
    standard deviation, so the relaxation is on the scale of the score
    spread and does not change when every score is multiplied by the same
    factor. A float is used as ``tau`` itself: ``1e-11`` reproduces the
    released AutoAL code's hard step, whose gradient is zero.

    Parameters
    ----------
    scores : torch.Tensor of shape (n,)
        The scores ``r``; the gradient flows back to them.
    k : float
        The soft count to keep.
    temperature : "auto" or float, default="auto"
        ``tau``, or ``"auto"`` for a quarter of the scores' s.d.

    Returns
    -------
    selection : torch.Tensor of shape (n,)
        ``s_j`` in (0, 1), summing to ``k``.

    Examples
    --------
    >>> import torch
    >>> from skautoal.search import soft_top_k
    >>> s = soft_top_k(torch.tensor([0.0, 1.0, 2.0, 3.0]), k=2)
    >>> [round(v, 3) for v in s.tolist()], round(float(s.sum()), 3)
    ([0.009, 0.175, 0.825, 0.991], 2.0)
    """
    r = scores.detach().double()
    if isinstance(temperature, str):
        tau = r.std().clamp_min(1e-8) / 4 if r.numel() > 1 else r.new_tensor(1.0)
    else:
        tau = r.new_tensor(float(temperature))
    theta = _solve_threshold(r, k, tau)
    slope = torch.sigmoid((r - theta) / tau)
    slope = slope * (1 - slope)
    total = slope.sum()
    share = (slope / total if total > 0 else slope * 0).to(scores.dtype)
    # Value theta, gradient the implicit d theta / d r.
    theta = theta.to(scores.dtype) + (share * (scores - scores.detach())).sum()
    return torch.sigmoid((scores - theta) / tau.to(scores.dtype))


def count_regulariser(selection, target):
    """The paper's count term ``1 / (1 + exp(0.5 |alpha - target|)) - 0.5``.

    ``alpha`` is the soft count ``sum(selection)``, so the term carries
    gradient (in the released code it is a constant). It is at most 0 and
    equals 0 when the soft count hits ``target``. With the solved threshold
    of :func:`soft_top_k` the count is met up to rounding, so the term
    matters only with a temperature so small that ties at the threshold
    make the count jump (the released code's hard step).

    Parameters
    ----------
    selection : torch.Tensor of shape (n,)
        A soft selection, e.g. from :func:`soft_top_k`.
    target : float
        The count it should have.

    Returns
    -------
    term : torch.Tensor
        A scalar in [-0.5, 0].

    Examples
    --------
    >>> import torch
    >>> from skautoal.search import count_regulariser
    >>> float(count_regulariser(torch.tensor([0.5, 0.5, 1.0]), 2))
    0.0
    """
    gap = (selection.sum() - target).abs()
    return torch.sigmoid(-0.5 * gap) - 0.5


def ranking_loss(predicted, target, margin=1.0):
    """The loss-prediction (LPL) ranking loss of Yoo & Kweon (2019).

    Pairs sample ``j`` with sample ``n - 1 - j``; the predicted losses are
    asked to order each pair as the true losses do, by at least ``margin``.

    Parameters
    ----------
    predicted : torch.Tensor of shape (n,)
        The predicted losses.
    target : torch.Tensor of shape (n,)
        The true losses.
    margin : float, default=1.0
        How far apart each pair must be predicted, in the true order.

    Returns
    -------
    loss : torch.Tensor
        A scalar, 0 when every pair is ordered by the margin.

    Examples
    --------
    >>> import torch
    >>> from skautoal.search import ranking_loss
    >>> target = torch.tensor([3.0, 2.0, 1.0, 0.0])
    >>> float(ranking_loss(torch.tensor([4.0, 3.0, 1.0, 0.0]), target))
    0.0
    """
    n = predicted.shape[0] // 2
    if n == 0:
        return predicted.sum() * 0
    first, second = predicted[:n], predicted.flip(0)[:n]
    sign = torch.sign(target[:n] - target.flip(0)[:n])
    return torch.clamp(margin - sign * (first - second), min=0).mean()
