import os

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.helpers import fit_user_net


def pytest_configure(config):
    # Under pytest-xdist every worker is one process on a shared machine:
    # one torch thread each, so the workers do not oversubscribe the cores.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        torch.set_num_threads(1)
        # The processes the tests start (the CLI, the examples) inherit this:
        # two workers each starting a process with a thread per core ran the
        # CLI's benchmark 4-5x slower than alone (17 s -> 79 s).
        os.environ.setdefault("OMP_NUM_THREADS", "1")


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


@pytest.fixture(scope="session")
def user_net(split):
    X_lab, y_lab, _ = split
    return fit_user_net(X_lab, y_lab)


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
