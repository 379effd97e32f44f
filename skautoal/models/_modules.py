"""Default torch modules for task models: both have dropout and ``embed``."""

import torch
from torch import nn


class MLPModule(nn.Module):
    """A multilayer perceptron for tabular data, with dropout and ``embed``.

    It returns class probabilities (a softmax), as skorch's
    ``NeuralNetClassifier`` expects with its default ``NLLLoss`` criterion.

    Parameters
    ----------
    n_classes : int
        The number of classes.
    n_features : int or None, default=None
        The number of input features; ``None`` sizes the first layer on the
        first batch it sees (``nn.LazyLinear``).
    hidden_units : int, default=128
        The width of each hidden layer; the last one is the embedding.
    n_layers : int, default=2
        The number of hidden layers.
    dropout : float, default=0.2
        The dropout probability after each hidden layer.

    Examples
    --------
    >>> import torch
    >>> from skautoal.models import MLPModule
    >>> module = MLPModule(n_classes=3, n_features=4, hidden_units=8)
    >>> module(torch.zeros(5, 4)).shape, module.embed(torch.zeros(5, 4)).shape
    (torch.Size([5, 3]), torch.Size([5, 8]))
    """

    def __init__(
        self, n_classes, n_features=None, hidden_units=128, n_layers=2, dropout=0.2
    ):
        super().__init__()
        layers = []
        for i in range(n_layers):
            if i == 0:
                first = (
                    nn.LazyLinear(hidden_units)
                    if n_features is None
                    else nn.Linear(n_features, hidden_units)
                )
                layers.append(first)
            else:
                layers.append(nn.Linear(hidden_units, hidden_units))
            layers += [nn.ReLU(), nn.Dropout(dropout)]
        self.body = nn.Sequential(*layers)
        self.output = nn.Linear(hidden_units, n_classes)

    def embed(self, X):
        """The last hidden layer's activations, the input of ``output``.

        Parameters
        ----------
        X : torch.Tensor of shape (n_samples, ...)
            Samples; any trailing shape is flattened.

        Returns
        -------
        embedding : torch.Tensor of shape (n_samples, hidden_units)
            The embedding the diversity strategies use.
        """
        return self.body(X.flatten(1))

    def forward(self, X):
        return torch.softmax(self.output(self.embed(X)), dim=-1)

    def _mc_split(self):
        # ``forward(X) == suffix(prefix(X))`` with no dropout in ``prefix``:
        # MC-dropout passes compute the prefix once per chunk, not per pass.
        # ``layers`` is the suffix as a flat list (a softmax follows the
        # last), which lets a pass skip the units its dropout masks drop.
        cut = _first_dropout(self.body)

        def prefix(X):
            return self.body[:cut](X.flatten(1))

        def suffix(H):
            return torch.softmax(self.output(self.body[cut:](H)), dim=-1)

        return prefix, suffix, [*self.body[cut:], self.output]


class CNNModule(nn.Module):
    """A small CNN for images shaped (N, C, H, W), with dropout and ``embed``.

    Two convolution blocks with batch norm, average pooling to a
    ``pool_size`` x ``pool_size`` grid (global pooling loses where a shape
    is, which Fashion-MNIST needs), a hidden dense layer (the embedding) with
    dropout, and a softmax output. It works for any image size of at least
    2 x 2.

    Parameters
    ----------
    n_classes : int
        The number of classes.
    in_channels : int, default=1
        The number of image channels.
    channels : int, default=32
        The width of the first convolution block; the second has twice that.
    hidden_units : int, default=128
        The width of the embedding.
    dropout : float, default=0.25
        The dropout probability before the output layer.
    pool_size : int, default=4
        The side of the pooled grid; 1 is global average pooling.

    Examples
    --------
    >>> import torch
    >>> from skautoal.models import CNNModule
    >>> module = CNNModule(n_classes=10, in_channels=1, channels=4, hidden_units=8)
    >>> module(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        n_classes,
        in_channels=1,
        channels=32,
        hidden_units=128,
        dropout=0.25,
        pool_size=4,
    ):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, channels, 3, padding=1),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(channels, 2 * channels, 3, padding=1),
            nn.BatchNorm2d(2 * channels),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(pool_size),
        )
        self.hidden = nn.Sequential(
            nn.Flatten(),
            nn.Linear(2 * channels * pool_size * pool_size, hidden_units),
            nn.ReLU(),
            nn.Dropout(dropout),
        )
        self.output = nn.Linear(hidden_units, n_classes)

    def embed(self, X):
        """The hidden dense layer's activations, the input of ``output``.

        Parameters
        ----------
        X : torch.Tensor of shape (n_samples, in_channels, height, width)
            Images.

        Returns
        -------
        embedding : torch.Tensor of shape (n_samples, hidden_units)
            The embedding the diversity strategies use.
        """
        return self.hidden(self.features(X))

    def forward(self, X):
        return torch.softmax(self.output(self.embed(X)), dim=-1)

    def _mc_split(self):
        # As MLPModule._mc_split: the convolutions run once per chunk.
        cut = _first_dropout(self.hidden)

        def prefix(X):
            return self.hidden[:cut](self.features(X))

        def suffix(H):
            return torch.softmax(self.output(self.hidden[cut:](H)), dim=-1)

        return prefix, suffix, [*self.hidden[cut:], self.output]


def _first_dropout(sequential):
    """Index of the first dropout layer of ``sequential`` (its length if none)."""
    for index, layer in enumerate(sequential):
        if isinstance(layer, nn.modules.dropout._DropoutNd):
            return index
    return len(sequential)
