"""Task models that converge whatever the size of the labelled set."""

from numbers import Integral

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.dataset import Dataset

from ..utils._torch import resolve_device, seeded
from ._modules import CNNModule, MLPModule


class _StepBatches(torch.utils.data.Sampler):
    """``n_steps`` batches of indices: successive random permutations of the
    data set, cut into batches across their boundaries (epochs without
    boundaries). Each batch is one index array, so the data set is indexed
    once per step rather than once per sample."""

    def __init__(self, n_samples, batch_size, n_steps):
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.n_steps = n_steps

    def __len__(self):
        return self.n_steps

    def __iter__(self):
        n_draws = self.n_steps * self.batch_size
        n_perms = -(-n_draws // self.n_samples)
        order = torch.cat([torch.randperm(self.n_samples) for _ in range(n_perms)])
        return iter(order[:n_draws].numpy().reshape(self.n_steps, self.batch_size))


class _TensorBatches:
    """The batches a ``DataLoader`` over a skorch ``Dataset`` of arrays
    yields for a :class:`_StepBatches` sampler, without the loader.

    Each batch is one index of the arrays, converted to tensors as the
    loader converts them, without the loader's dataset call, conversion and
    collation machinery: about a millisecond a step, a fifth of a small
    MLP's step on one CPU core.

    Iterating draws from torch's global RNG exactly what the loader draws
    (the sampler's permutations, then the loader's base seed), so training
    is bitwise the same as through the loader (tested).
    """

    def __init__(self, X, y, sampler):
        self.X = X
        self.y = y
        self.sampler = sampler

    def __len__(self):
        return len(self.sampler)

    def __iter__(self):
        batches = iter(self.sampler)
        # torch.utils.data.DataLoader's iterator draws its workers' base
        # seed from the global RNG after starting the sampler.
        torch.empty((), dtype=torch.int64).random_()
        for index in batches:
            yield torch.as_tensor(self.X[index]), torch.as_tensor(self.y[index])


class FixedStepsClassifier(NeuralNetClassifier):
    """A skorch ``NeuralNetClassifier`` that trains for a number of optimiser
    steps rather than epochs.

    Active learning refits the task model on labelled sets that grow from a
    few dozen samples to thousands. A fixed number of epochs gives a net
    fitted on 50 samples a handful of optimiser steps (it stays near its
    initialisation) and one fitted on 5000 a hundred times more. Here
    ``fit`` runs ``ceil(max_steps / batches_per_epoch)`` epochs, so every
    fit takes about ``max_steps`` steps.

    Parameters
    ----------
    module : torch.nn.Module class or instance
        As for skorch's ``NeuralNetClassifier``.
    *args
        ``NeuralNetClassifier``'s other positional arguments (``criterion``).
    max_steps : int, default=300
        Optimiser steps per ``fit``.
    random_state : int or None, default=None
        Seeds the module's initialisation and the batch shuffling of every
        ``fit`` (torch's global RNG is left as it was). ``None`` draws from
        torch's global RNG, as skorch does.
    **kwargs
        Everything else ``NeuralNetClassifier`` takes (``lr``,
        ``batch_size``, ``optimizer``, ``module__...``). ``max_epochs`` is
        ignored by ``fit``; ``partial_fit`` still runs one epoch per call.

    Notes
    -----
    A floating-point ``X`` of another precision (float64, as scikit-learn's
    transformers return) is cast to float32, the module's, in ``fit`` and
    ``predict_proba``: a ``Pipeline`` of a transformer and this net works
    without a cast step.

    When ``X`` and ``y`` are numpy arrays or tensors and no
    ``iterator_train`` option is set, ``fit`` indexes them once per step
    instead of going through torch's ``DataLoader``: the same batches and
    the same random draws, so the same net, without the loader's per-batch
    work. Set any option (e.g. ``iterator_train__num_workers=0``) or your
    own ``iterator_train`` to train through the loader.

    Examples
    --------
    >>> import numpy as np
    >>> from skautoal.models import FixedStepsClassifier, MLPModule
    >>> X = np.random.RandomState(0).rand(40, 5).astype("float32")
    >>> y = (X[:, 0] > 0.5).astype("int64")
    >>> net = FixedStepsClassifier(
    ...     MLPModule, module__n_classes=2, max_steps=20, batch_size=8,
    ...     train_split=None, verbose=0, random_state=0,
    ... ).fit(X, y)
    >>> len(net.history[-1]["batches"])  # 20 steps, whatever the size of X
    20
    """

    def __init__(self, module, *args, max_steps=300, random_state=None, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.max_steps = max_steps
        self.random_state = random_state

    def _check_steps(self):
        if (
            isinstance(self.max_steps, bool)
            or not isinstance(self.max_steps, Integral)
            or self.max_steps < 1
        ):
            raise ValueError(
                "The 'max_steps' parameter of FixedStepsClassifier must be an int "
                f"in [1, inf). Got {self.max_steps!r} instead."
            )

    def get_dataset(self, X, y=None):
        # scikit-learn's transformers return float64; the module computes in
        # float32, and torch refuses to multiply the two. Cast, as a pipeline
        # of transformer and net would have to.
        if isinstance(X, np.ndarray) and X.dtype.kind == "f" and X.dtype != np.float32:
            X = X.astype(np.float32)
        return super().get_dataset(X, y)

    def _batch_size(self, n_samples):
        return self.batch_size if self.batch_size > 0 else n_samples

    def fit(self, X, y=None, **fit_params):
        self._check_steps()
        self._fitting_by_steps = True
        try:
            if self.random_state is None:
                return super().fit(X, y, **fit_params)
            with seeded(self.random_state, resolve_device(self.device)):
                return super().fit(X, y, **fit_params)
        finally:
            self._fitting_by_steps = False

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        # One long "epoch" of max_steps batches: skorch's per-epoch work
        # (callbacks, history, a new DataLoader) would otherwise dominate a
        # fit on a few dozen samples, which takes ~100 epochs.
        if epochs is None and getattr(self, "_fitting_by_steps", False):
            epochs = 1
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def get_iterator(self, dataset, training=False):
        if not (training and getattr(self, "_fitting_by_steps", False)):
            return super().get_iterator(dataset, training=training)
        kwargs = self.get_params_for("iterator_train")
        kwargs.pop("shuffle", None)
        n_samples = len(dataset)
        batch_size = kwargs.pop("batch_size", self._batch_size(n_samples))
        batch_size = min(n_samples if batch_size == -1 else batch_size, n_samples)
        sampler = _StepBatches(n_samples, batch_size, self.max_steps)
        if not kwargs and self._plain_arrays(dataset):
            return _TensorBatches(dataset.X, dataset.y, sampler)
        return self.iterator_train(dataset, batch_size=None, sampler=sampler, **kwargs)

    def _plain_arrays(self, dataset):
        """Whether the loader would only index, convert and pass on arrays:
        skorch's own ``Dataset`` of a numpy array or tensor ``X`` and ``y``,
        and torch's ``DataLoader`` with no options of the user's."""
        return (
            self.iterator_train is torch.utils.data.DataLoader
            and type(dataset) is Dataset
            and not dataset.X_is_ndframe
            and isinstance(dataset.X, (np.ndarray, torch.Tensor))
            and isinstance(dataset.y, (np.ndarray, torch.Tensor))
            and dataset.X.dtype != object
            and dataset.y.dtype != object
        )


# Recipes, measured to converge (tests/models/test_default_net.py) with AdamW.
# Steps are the budget; the widths keep a fit under a second on one CPU core.
_RECIPES = {
    "mlp": dict(
        module=MLPModule,
        module__hidden_units=256,
        module__dropout=0.5,
        lr=3e-3,
        optimizer__weight_decay=1e-2,
        max_steps=120,
        batch_size=64,
    ),
    "cnn": dict(
        module=CNNModule,
        module__channels=16,
        module__hidden_units=64,
        module__dropout=0.25,
        lr=3e-3,
        optimizer__weight_decay=1e-4,
        max_steps=300,
        batch_size=32,
    ),
}


def default_net(
    kind, input_shape, n_classes, *, random_state=None, device="auto", **overrides
):
    """The package's default task model: a skorch net that converges.

    Parameters
    ----------
    kind : {"mlp", "cnn"}
        ``"mlp"``: :class:`MLPModule` on flat features (inputs of any shape
        are flattened). ``"cnn"``: :class:`CNNModule` on images (C, H, W).
    input_shape : tuple of int
        The shape of one sample, e.g. ``(64,)`` or ``(1, 28, 28)``.
    n_classes : int
        The number of classes.
    random_state : int or None, default=None
        Seeds the initialisation and shuffling of every fit.
    device : str, default="auto"
        ``"auto"`` is CUDA when available, else CPU.
    **overrides
        Any :class:`FixedStepsClassifier` parameter, e.g. ``max_steps=500``
        or ``module__hidden_units=256``.

    Returns
    -------
    net : FixedStepsClassifier
        Unfitted. It trains for a fixed number of optimiser steps (AdamW),
        whatever the size of the labelled set.

    Examples
    --------
    >>> from skautoal.datasets import load_digits_data
    >>> from skautoal.models import default_net
    >>> X, y = load_digits_data()
    >>> net = default_net("mlp", X.shape[1:], 10, random_state=0, max_steps=50)
    >>> round(net.fit(X[:100], y[:100]).score(X[100:200], y[100:200]), 1) > 0.5
    True
    """
    if kind not in _RECIPES:
        raise ValueError(
            f"The 'kind' parameter of default_net must be 'mlp' or 'cnn'. Got "
            f"{kind!r} instead."
        )
    input_shape = tuple(int(v) for v in np.atleast_1d(input_shape))
    if kind == "cnn" and len(input_shape) != 3:
        raise ValueError(
            "The 'input_shape' parameter of default_net must be (C, H, W) for "
            f"kind='cnn'. Got {input_shape} instead; use kind='mlp' for flat "
            "features."
        )
    if isinstance(n_classes, bool) or not isinstance(n_classes, Integral):
        raise TypeError(
            f"The 'n_classes' parameter of default_net must be an int >= 2. Got "
            f"{n_classes!r} of type {type(n_classes).__name__} instead."
        )
    if n_classes < 2:
        raise ValueError(
            f"The 'n_classes' parameter of default_net must be an int >= 2. Got "
            f"{n_classes} instead."
        )
    params = dict(_RECIPES[kind])
    if kind == "mlp":
        params["module__n_features"] = int(np.prod(input_shape))
    else:
        params["module__in_channels"] = input_shape[0]
    params.update(
        module__n_classes=int(n_classes),
        optimizer=torch.optim.AdamW,
        train_split=None,
        verbose=0,
        device=str(resolve_device(device)),
        random_state=random_state,
    )
    params.update(overrides)
    return FixedStepsClassifier(**params)
