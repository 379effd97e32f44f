import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from skautoal.datasets import load_digits_data, load_fashion_mnist
from skautoal.models import FixedStepsClassifier, MLPModule, default_net


def _steps(net):
    return len(net.history[-1]["batches"])


@pytest.mark.parametrize("n_samples", [10, 50, 333])
def test_fit_takes_max_steps_whatever_the_size(digits, n_samples):
    X, y = digits
    net = default_net("mlp", (64,), 10, random_state=0, max_steps=17)
    net.fit(X[:n_samples], y[:n_samples])
    assert len(net.history) == 1 and _steps(net) == 17


def test_partial_fit_still_runs_one_epoch(digits):
    X, y = digits
    net = default_net("mlp", (64,), 10, random_state=0, max_steps=5, batch_size=50)
    net.fit(X[:100], y[:100])
    net.partial_fit(X[:100], y[:100])
    assert _steps(net) == 2  # one ordinary epoch of 100 samples at batch 50


def test_same_random_state_same_net(digits):
    X, y = digits
    nets = [
        default_net("mlp", (64,), 10, random_state=3, max_steps=20).fit(X[:80], y[:80])
        for _ in range(2)
    ]
    np.testing.assert_array_equal(
        nets[0].predict_proba(X[80:120]), nets[1].predict_proba(X[80:120])
    )
    other = default_net("mlp", (64,), 10, random_state=4, max_steps=20).fit(
        X[:80], y[:80]
    )
    assert not np.allclose(
        other.predict_proba(X[80:120]), nets[0].predict_proba(X[80:120])
    )


@pytest.mark.parametrize("as_tensor", [False, True])
def test_batches_without_the_loader_train_bitwise_alike(digits, as_tensor):
    # Fits of plain arrays skip torch's DataLoader; any option for the
    # loader (here its default num_workers=0) sends the fit through it.
    X, y = digits
    X, y = X[:90].copy(), y[:90].copy()
    X.setflags(write=False)  # no "not writable" warning from torch
    if as_tensor:
        X, y = torch.as_tensor(X.copy()), torch.as_tensor(y)
    nets = [
        default_net("mlp", (64,), 10, random_state=5, max_steps=30, **loader)
        for loader in ({}, {"iterator_train__num_workers": 0})
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for net in nets:
            net.fit(X, y)
            net.fit(X[:70], y[:70])  # a refit draws from the RNG again
    nets[0]._fitting_by_steps = nets[1]._fitting_by_steps = True
    fast = nets[0].get_iterator(nets[0].get_dataset(X, y), training=True)
    assert not isinstance(fast, torch.utils.data.DataLoader)
    slow = nets[1].get_iterator(nets[1].get_dataset(X, y), training=True)
    assert isinstance(slow, torch.utils.data.DataLoader)
    pairs = zip(nets[0].module_.parameters(), nets[1].module_.parameters(), strict=True)
    for a, b in pairs:
        assert torch.equal(a, b)


def test_clone_and_pickle_keep_the_recipe(digits):
    X, y = digits
    net = default_net("cnn", (1, 8, 8), 10, random_state=0, max_steps=7)
    params = clone(net).get_params()
    assert params["max_steps"] == 7 and params["random_state"] == 0
    assert params["module__in_channels"] == 1
    fitted = net.fit(X[:40].reshape(-1, 1, 8, 8), y[:40])
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(
        again.predict_proba(X[40:50].reshape(-1, 1, 8, 8)),
        fitted.predict_proba(X[40:50].reshape(-1, 1, 8, 8)),
    )


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="'kind' parameter of default_net"):
        default_net("resnet", (3,), 2)
    with pytest.raises(ValueError, match=r"'input_shape'.*\(C, H, W\)"):
        default_net("cnn", (64,), 10)
    with pytest.raises(ValueError, match="'n_classes' parameter.*Got 1"):
        default_net("mlp", (4,), 1)
    with pytest.raises(TypeError, match="'n_classes' parameter"):
        default_net("mlp", (4,), 2.5)
    net = FixedStepsClassifier(MLPModule, module__n_classes=2, max_steps=0)
    with pytest.raises(
        ValueError, match="'max_steps' parameter of FixedStepsClassifier"
    ):
        net.fit(np.zeros((4, 3), dtype="float32"), np.array([0, 1, 0, 1]))


def _accuracy(kind, X, y, n_labels, seed, test_size=0.3):
    X_pool, X_test, y_pool, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=seed
    )
    idx = np.random.RandomState(seed).choice(len(y_pool), n_labels, replace=False)
    net = default_net(kind, X.shape[1:], 10, random_state=seed, device="cpu")
    return net.fit(X_pool[idx], y_pool[idx]).score(X_test, y_test)


@pytest.mark.slow
def test_cnn_converges_on_digits_images():
    X, y = load_digits_data(images=True)
    assert np.mean([_accuracy("cnn", X, y, 300, s) for s in range(3)]) >= 0.90


@pytest.mark.slow
def test_mlp_converges_on_digits_from_50_labels():
    # Issue 8: >= 0.80 with 50 random labels. Seeds 0-2 draw unlucky labelled
    # sets (about 0.77), so the mean is over 12 seeds, as the suite runs them.
    X, y = load_digits_data()
    assert np.mean([_accuracy("mlp", X, y, 50, s) for s in range(12)]) >= 0.80
    assert np.mean([_accuracy("mlp", X, y, 300, s) for s in range(3)]) >= 0.92


@pytest.mark.slow
def test_cnn_on_fashion_mnist():
    try:
        X, y = load_fashion_mnist()
    except FileNotFoundError:
        pytest.skip("Fashion-MNIST files are not installed")
    # Issue 8: >= 0.70 at 400 labels (about 0.76 with the 4 x 4 pooled grid;
    # global pooling gave 0.64).
    accuracy = [_accuracy("cnn", X[:4000], y[:4000], 400, s) for s in range(2)]
    assert np.mean(accuracy) >= 0.70
