"""SearchNet and FitNet: the two small networks of AutoAL."""

from torch import nn
from torch.nn import functional as F


def default_trunk(input_shape, hidden_units=64):
    """An MLP for flat inputs, a small CNN for images shaped (C, H, W).

    Returns the trunk and the width of its output.
    """
    if len(input_shape) == 3:
        channels = input_shape[0]
        trunk = nn.Sequential(
            nn.Conv2d(channels, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2) if min(input_shape[1:]) >= 4 else nn.Identity(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(32, hidden_units),
            nn.ReLU(),
        )
    else:
        n_inputs = 1
        for size in input_shape:
            n_inputs *= size
        trunk = nn.Sequential(
            nn.Flatten(),
            nn.Linear(n_inputs, hidden_units),
            nn.ReLU(),
            nn.Linear(hidden_units, hidden_units),
            nn.ReLU(),
        )
    return trunk, hidden_units


class SearchNet(nn.Module):
    """Per-sample weights for each candidate strategy, plus a loss-prediction
    head on the same trunk.

    Parameters
    ----------
    input_shape : tuple of int
        The shape of one sample (``(n_features,)`` or ``(C, H, W)``).
    n_strategies : int
        The number of candidate strategies.
    trunk : nn.Module or None, default=None
        A user's own feature extractor mapping a batch of samples to
        ``(batch, hidden_units)``; ``None`` uses :func:`default_trunk`.
    hidden_units : int, default=64
        The width of the trunk's output.

    Notes
    -----
    The weights are raw outputs; :class:`~skautoal.AutoALQuerier` passes
    them through a softplus when ``nonnegative_weights=True``.

    Examples
    --------
    >>> import torch
    >>> from skautoal.search import SearchNet
    >>> net = SearchNet((8,), n_strategies=3)
    >>> weights, predicted_loss = net(torch.zeros(5, 8))
    >>> weights.shape, predicted_loss.shape
    (torch.Size([5, 3]), torch.Size([5]))
    """

    def __init__(self, input_shape, n_strategies, *, trunk=None, hidden_units=64):
        super().__init__()
        if trunk is None:
            trunk, hidden_units = default_trunk(input_shape, hidden_units)
        self.trunk = trunk
        self.weights = nn.Linear(hidden_units, n_strategies)
        self.loss_head = nn.Linear(hidden_units, 1)

    def forward(self, X):
        hidden = self.trunk(X)
        return self.weights(hidden), self.loss_head(hidden).squeeze(-1)


def search_forward(search_net, X, nonnegative):
    """SearchNet's weights (softplus-ed when ``nonnegative``) and predicted
    loss (``None`` for a user's module that returns weights only)."""
    out = search_net(X)
    weights, predicted_loss = out if isinstance(out, tuple) else (out, None)
    if nonnegative:
        weights = F.softplus(weights)
    return weights, predicted_loss


class FitNet(nn.Module):
    """A small classifier whose per-sample loss measures informativeness.

    Parameters
    ----------
    input_shape : tuple of int
        The shape of one sample.
    n_classes : int
        The number of classes.
    trunk : nn.Module or None, default=None
        A user's own feature extractor; ``None`` uses :func:`default_trunk`.
    hidden_units : int, default=64
        The width of the trunk's output.

    Examples
    --------
    >>> import torch
    >>> from skautoal.search import FitNet
    >>> FitNet((1, 8, 8), n_classes=10)(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(self, input_shape, n_classes, *, trunk=None, hidden_units=64):
        super().__init__()
        if trunk is None:
            trunk, hidden_units = default_trunk(input_shape, hidden_units)
        self.trunk = trunk
        self.output = nn.Linear(hidden_units, n_classes)

    def forward(self, X):
        return self.output(self.trunk(X))
