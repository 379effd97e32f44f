"""Objects the tests share: a user's own module and a hand-set classifier.

Fixtures live in ``conftest.py``; importable helpers live here.
"""

import signal

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from skorch import NeuralNetClassifier
from torch import nn


class UserModule(nn.Module):
    """A user's own module: no ``embed`` method, dropout in the middle."""

    def __init__(self, n_features=64, n_classes=10, hidden=32):
        super().__init__()
        self.hidden = nn.Linear(n_features, hidden)
        self.drop = nn.Dropout(0.3)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, X):
        return torch.softmax(self.out(self.drop(torch.relu(self.hidden(X)))), -1)


class FixedProba(ClassifierMixin, BaseEstimator):
    """A classifier whose predict_proba returns the rows of ``proba`` indexed
    by the first feature, so tests can hand-pick the probabilities."""

    def __init__(self, proba):
        self.proba = proba

    def fit(self, X, y):
        self.classes_ = np.arange(np.asarray(self.proba).shape[1])
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict_proba(self, X):
        return np.asarray(self.proba)[np.asarray(X)[:, 0].astype(int)]


def fit_user_net(X, y):
    """A skorch net with :class:`UserModule`, fitted reproducibly."""
    torch.manual_seed(0)
    return NeuralNetClassifier(
        UserModule, max_epochs=8, lr=0.1, verbose=0, train_split=None
    ).fit(X, y)


# A child Python that ignores SIGINT at start (as every command started with
# "&" from a non-interactive shell does, and some CI runners) installs no
# KeyboardInterrupt handler; the tests that send a real Ctrl+C restore it.
SIGINT_AS_USUAL = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)"
)


def with_sigint(cmd):
    """``[python, "-m", module, *args]`` as a child that raises
    KeyboardInterrupt on SIGINT even where the tests' own SIGINT is ignored."""
    python, flag, module, *args = cmd
    assert flag == "-m", cmd
    code = f"{SIGINT_AS_USUAL}; import runpy; runpy.run_module({module!r}, "
    code += "run_name='__main__', alter_sys=True)"
    return [python, "-c", code, *args]


def default_sigint():
    """Python's own SIGINT handler in this process, whatever it inherited;
    returns the handler to put back."""
    return signal.signal(signal.SIGINT, signal.default_int_handler)
