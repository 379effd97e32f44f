"""The relaxed top-t selection and the losses of the bi-level search."""

import torch


def soft_top_k(scores, k, temperature="auto"):
    """Relaxed selection of the ``k`` highest scores.

    ``s_j = sigmoid((r_j - theta) / tau)``, with the threshold ``theta``
    halfway between the k-th and (k+1)-th largest score. With
    ``temperature="auto"``, ``tau`` is a quarter of the scores' standard
    deviation, so the relaxation is on the scale of the score spread and
    the selection does not change when every score is multiplied by the same
    factor. A float is used as ``tau`` itself: ``1e-11`` reproduces the
    released AutoAL code's hard step, whose gradient is zero.

    ``theta`` and ``tau`` are detached: gradient reaches a score only through
    its own sigmoid.

    Examples
    --------
    >>> import torch
    >>> from skautoal.search import soft_top_k
    >>> s = soft_top_k(torch.tensor([0.0, 1.0, 2.0, 3.0]), k=2)
    >>> [round(v, 3) for v in s.tolist()]
    [0.009, 0.175, 0.825, 0.991]
    """
    n = scores.shape[0]
    ordered = torch.sort(scores.detach(), descending=True).values
    kth = ordered[min(k, n) - 1]
    following = ordered[k] if k < n else kth
    theta = (kth + following) / 2
    if isinstance(temperature, str):
        tau = scores.detach().std().clamp_min(1e-8) / 4
    else:
        tau = torch.as_tensor(temperature, dtype=scores.dtype)
    return torch.sigmoid((scores - theta) / tau)


def count_regulariser(selection, target):
    """The paper's count term ``1 / (1 + exp(0.5 |alpha - target|)) - 0.5``.

    ``alpha`` is the soft count ``sum(selection)``, so the term carries
    gradient (in the released code it is a constant). It is at most 0 and
    equals 0 when the soft count hits ``target``.
    """
    gap = (selection.sum() - target).abs()
    return torch.sigmoid(-0.5 * gap) - 0.5


def ranking_loss(predicted, target, margin=1.0):
    """The loss-prediction (LPL) ranking loss of Yoo & Kweon (2019).

    Pairs sample ``j`` with sample ``n - 1 - j``; the predicted losses are
    asked to order each pair as the true losses do, by at least ``margin``.
    """
    n = predicted.shape[0] // 2
    if n == 0:
        return predicted.sum() * 0
    first, second = predicted[:n], predicted.flip(0)[:n]
    sign = torch.sign(target[:n] - target.flip(0)[:n])
    return torch.clamp(margin - sign * (first - second), min=0).mean()
