import os

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
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


def pytest_configure(config):
    # Under pytest-xdist every worker is one process on a shared machine:
    # one torch thread each, so the workers do not oversubscribe the cores.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(autouse=True, scope="session")
def _checkpoint_key(tmp_path_factory):
    # Checkpoints are signed with a per-user key; the tests use their own,
    # not the home folder's (subprocesses inherit it).
    old = os.environ.get("SKAUTOAL_KEY_FILE")
    os.environ["SKAUTOAL_KEY_FILE"] = str(tmp_path_factory.mktemp("key") / "key")
    yield
    if old is None:
        os.environ.pop("SKAUTOAL_KEY_FILE", None)
    else:
        os.environ["SKAUTOAL_KEY_FILE"] = old


@pytest.fixture(scope="session")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


@pytest.fixture(scope="session")
def split(digits):
    """(X_labeled, y_labeled, X_pool) from digits."""
    X, y = digits
    return X[:200], y[:200], X[200:500]


def _fit_user_net(X, y):
    torch.manual_seed(0)
    return NeuralNetClassifier(
        UserModule, max_epochs=8, lr=0.1, verbose=0, train_split=None
    ).fit(X, y)


@pytest.fixture(scope="session")
def user_net(split):
    X_lab, y_lab, _ = split
    return _fit_user_net(X_lab, y_lab)


@pytest.fixture(scope="session")
def logreg(split):
    X_lab, y_lab, _ = split
    return LogisticRegression(max_iter=300).fit(X_lab, y_lab)


@pytest.fixture(scope="session")
def pipeline(split):
    X_lab, y_lab, _ = split
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=300)).fit(
        X_lab, y_lab
    )
