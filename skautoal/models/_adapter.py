"""One interface over the task models a user can pass.

A task model is a fitted skorch ``NeuralNetClassifier`` (with any module), a
fitted scikit-learn classifier with ``predict_proba``, or a scikit-learn
``Pipeline`` ending in either. :class:`TaskModel` gives them all the same
methods, and :class:`PoolOutputs` computes each output a strategy may need
once per pool, in chunks, on the model's device.
"""

import math
import warnings

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples, check_is_fitted
from sklearn_compat.utils._indexing import _safe_indexing
from torch import nn

from ..utils._validation import (
    check_finite_samples,
    check_positive_int,
    find_stack_level,
    holds_numbers,
    host_array,
    is_lazy_array,
    pipeline_imputes,
)


def _is_skorch_net(model):
    try:
        from skorch import NeuralNet
    except ImportError:  # pragma: no cover - skorch is a dependency
        return False
    return isinstance(model, NeuralNet)


# Dense embeddings of sparse features beyond this many bytes get a warning.
_DENSE_EMBEDDING_WARN_BYTES = 1 << 30


def _warn_dense_embedding(n_samples, n_features):
    """Warn when a sparse feature matrix's dense copy would be large: the
    candidates that read embeddings (CoreSet, BADGE, KMeans, the Fisher
    value) read a model without one through its features, made dense."""
    size = 4 * n_samples * n_features
    if size > _DENSE_EMBEDDING_WARN_BYTES:
        warnings.warn(
            f"The task model's features are sparse ({n_samples} samples x "
            f"{n_features} columns); CoreSet, BADGE, KMeans and AutoAL's batch "
            f"value read them as a dense float32 array of {size / 2**30:.1f} GiB. "
            "Put a TruncatedSVD before the classifier in the pipeline, or query "
            "with a strategy that reads only probabilities (MarginSampling).",
            UserWarning,
            stacklevel=find_stack_level(),
        )


def _last_linear(module):
    linears = [m for m in module.modules() if isinstance(m, nn.Linear)]
    return linears[-1] if linears else None


def check_outputs(proba, embedding=None, *, net=None):
    """Raise if a chunk of a task model's outputs cannot be trusted.

    Probabilities must be finite, in [0, 1] and sum to 1 per row; embeddings
    finite. Every strategy ranks by these, so a NaN row or a logit row would
    otherwise turn into empty, arbitrary or random picks without a word.
    """
    proba = np.asarray(proba)
    # NaN propagates through min and max and an infinity is one of them, so
    # the two extremes (needed below anyway) answer whether all are finite.
    low, high = (proba.min(), proba.max()) if proba.size else (0.0, 0.0)
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(
            "The task model's predicted probabilities contain NaN or infinity, so "
            "no sample can be ranked: the fit has probably diverged (a learning "
            "rate too high, or unscaled inputs). Refit it, or check the data."
        )
    if embedding is not None and not np.isfinite(embedding).all():
        raise ValueError(
            "The task model's embeddings contain NaN or infinity: the fit has "
            "probably diverged, or the inputs overflow float32. Refit it, or "
            "check the data's scale."
        )
    tol = 1e-3
    # Row sums by a product: a sum along a short axis is several times
    # slower, and this runs on every chunk of every MC-dropout pass.
    sums = proba @ np.ones(proba.shape[1], proba.dtype)
    if proba.size and (
        low < -tol
        or high > 1 + tol
        or np.abs(sums - 1).max() > tol * max(1, proba.shape[1] ** 0.5)
    ):
        criterion = getattr(net, "criterion", None)
        name = getattr(criterion, "__name__", type(criterion).__name__)
        hint = (
            f" The net's criterion is {name}, which expects probabilities: the "
            "module most likely outputs logits. End its forward with a softmax, "
            "or use criterion=torch.nn.CrossEntropyLoss."
            if net is not None
            else ""
        )
        raise ValueError(
            "The task model's predict_proba output is not a probability "
            f"distribution per sample (values from {proba.min():.3g} to "
            f"{proba.max():.3g}, row sums up to "
            f"{np.abs(sums - 1).max() + 1:.3g}).{hint}"
        )


def _warn_double_softmax(net, out):
    """A module ending in softmax trained with CrossEntropyLoss."""
    if not isinstance(net.criterion_, nn.CrossEntropyLoss):
        return
    out = out.detach()
    if out.ndim == 2 and out.shape[1] > 1 and (out >= 0).all():
        if torch.allclose(out.sum(1), torch.ones(len(out), device=out.device)):
            warnings.warn(
                "The task model's module already outputs probabilities (rows sum "
                "to 1) but the criterion is CrossEntropyLoss, which applies a "
                "softmax of its own: the net trains on a double softmax and its "
                "predictions are all near 1/n_classes. Return logits from the "
                "module, or use criterion=torch.nn.NLLLoss with log-probabilities.",
                UserWarning,
                stacklevel=find_stack_level(),
            )


def _dropout_layers(module):
    return [m for m in module.modules() if isinstance(m, nn.modules.dropout._DropoutNd)]


def _mc_split(module):
    """``(prefix, suffix, layers)`` of one of skautoal's modules, or None.

    ``prefix`` holds no dropout, so MC-dropout passes can share it;
    ``layers`` is ``suffix`` as a flat list of layers, a softmax after the
    last. A subclass that overrides ``forward`` or ``embed`` gets None (the
    split might no longer be its forward).
    """
    from ._modules import CNNModule, MLPModule

    for owner in (MLPModule, CNNModule):
        if (
            isinstance(module, owner)
            and type(module).forward is owner.forward
            and type(module).embed is owner.embed
            and type(module)._mc_split is owner._mc_split
        ):
            return module._mc_split()
    return None


# Layers that act on each unit alone and map 0 to 0, so a pass may skip the
# units a dropout drops (zero before and after them).
_ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Identity)


def _prunable(layers):
    """Whether :func:`_pruned_plan` can run ``layers``: element-wise
    dropout, linear layers and :data:`_ELEMENTWISE` activations, ending
    with a linear layer (a softmax follows it)."""
    return (
        bool(layers)
        and type(layers[-1]) is nn.Linear
        and all(
            type(layer) in (nn.Dropout, nn.Linear) or type(layer) in _ELEMENTWISE
            for layer in layers
        )
    )


def _pruned_plan(layers, masks, width, device):
    """The steps of one MC-dropout pass through ``layers`` on the units it keeps.

    A pass draws one mask per dropout layer for every sample, so a unit it
    drops is zero for the whole pass. Each linear layer then multiplies
    only the kept columns of its input and, when a dropout follows it
    (after element-wise activations), computes only the rows of its output
    that dropout keeps. On the default MLP (256 units, dropout 0.5) that is
    a quarter of the hidden layer's products per pass. The kept units get
    the values the hooked pass gives them (``out * keep / (1 - p)``, the
    same division), and a product over the kept columns adds the same
    terms as one over all columns less exact zeros, so the probabilities
    match the hooked pass's to rounding (to a unit in the last place: the
    passes' softmax runs with the classes moved, see :func:`_class_softmax`).

    Parameters
    ----------
    layers : list of torch.nn.Module
        See :func:`_prunable`.
    masks : _SharedDropout
        Set to the pass.
    width : int
        The width of the input of ``layers[0]``.
    device : torch.device
        Where the input lies.

    Returns
    -------
    steps : list of tuple
        ``("select", columns)``, ``("divide", 1 - p)``, ``("linear",
        weight, bias)`` or ``("apply", layer)``, for :func:`_run_plan`.
    """
    steps, kept = [], None  # kept: the units the input holds
    for i, layer in enumerate(layers):
        if type(layer) is nn.Dropout:
            p = float(layer.p)
            if p == 0.0:
                continue
            keep = masks.kept_units(layer, width, device)
            if kept is None:
                steps.append(("select", keep))
                kept = keep
            elif not torch.equal(kept, keep):
                inside = torch.isin(kept, keep)
                steps.append(("select", torch.nonzero(inside).flatten()))
                kept = kept[inside]
            if p < 1.0:
                steps.append(("divide", 1.0 - p))
        elif type(layer) is nn.Linear:
            weight = layer.weight if kept is None else layer.weight[:, kept]
            bias, rows = layer.bias, None
            after = i + 1
            while after < len(layers) and type(layers[after]) in _ELEMENTWISE:
                after += 1
            if after < len(layers) and type(layers[after]) is nn.Dropout:
                if float(layers[after].p) > 0.0:
                    rows = masks.kept_units(layers[after], layer.out_features, device)
                    weight = weight[rows]
                    bias = None if bias is None else bias[rows]
            if steps and steps[-1][0] == "divide" and _power_of_two(steps[-1][1]):
                # x / q W^T is x (W / q)^T bit for bit when q is a power of
                # two (dropout 0.5): both scale each product exactly.
                weight = weight / steps.pop()[1]
            steps.append(("linear", weight.contiguous(), bias))
            kept, width = rows, layer.out_features
        else:
            steps.append(("apply", layer))
    return steps


def _power_of_two(value):
    """Whether ``value`` (a float) is 2**k for an integer k."""
    return value > 0 and math.frexp(value)[0] == 0.5


def _class_softmax(logits):
    """``torch.softmax(logits, dim=-1)``, faster for a few classes on the CPU.

    torch's CPU softmax along a last dimension shorter than a vector
    register is several times slower than along an outer one (for 10 x 1024
    x 10 float32 logits, transposes included), so with fewer than 16
    classes the classes are moved to the second-to-last axis first. The
    values agree to a unit in the last place, not bit for bit.
    """
    if logits.device.type != "cpu" or logits.shape[-1] >= 16 or logits.dim() < 2:
        return torch.softmax(logits, dim=-1)
    moved = logits.transpose(-1, -2).contiguous()
    return torch.softmax(moved, dim=-2).transpose(-1, -2)


def _run_plan(x, steps, out=None):
    """Run :func:`_pruned_plan`'s steps on ``x``; the softmax of the result.

    With ``out``, the logits are written there and the softmax is left to
    the caller (one softmax over several passes costs less than one each).
    """
    for step in steps:
        if step[0] == "select":
            x = x.index_select(1, step[1])
        elif step[0] == "divide":
            x = x / step[1]
        elif step[0] == "linear":
            x = torch.nn.functional.linear(x, step[1], step[2])
        else:
            x = step[1](x)
    if out is not None:
        out.copy_(x)
        return out
    return torch.softmax(x, dim=-1)


class TaskModel:
    """Adapter giving a fitted task model one interface for the strategies.

    Parameters
    ----------
    model : estimator or TaskModel
        A fitted skorch ``NeuralNetClassifier``, a fitted scikit-learn
        classifier with ``predict_proba``, or a fitted ``Pipeline`` ending in
        either. A ``TaskModel`` is returned as it is by :meth:`wrap`.
    chunk_size : int, default=1024
        Samples per forward pass over a pool.

    Attributes
    ----------
    net : skorch.NeuralNet or None
        The skorch net, when the final step is one.
    device : torch.device
        Where the net runs; the strategies' kernels run there too.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.models import TaskModel
    >>> X, y = load_iris(return_X_y=True)
    >>> model = TaskModel(LogisticRegression(max_iter=500).fit(X, y))
    >>> model.predict_proba(X[:2]).shape
    (2, 3)
    """

    def __init__(self, model, *, chunk_size=1024):
        self.chunk_size = check_positive_int(chunk_size, "chunk_size", "TaskModel")
        if not hasattr(model, "predict_proba"):
            raise TypeError(
                "The 'model' parameter must be a fitted classifier with a "
                f"predict_proba method; got {type(model).__name__} instead."
            )
        self.model = model
        if isinstance(model, Pipeline):
            self.transformer = model[:-1] if len(model.steps) > 1 else None
            final = model.steps[-1][1]
        else:
            self.transformer, final = None, model
        if _is_skorch_net(final):
            final.check_is_fitted()
            self.net = final
            self.device = torch.device(final.device)
        else:
            check_is_fitted(model)
            self.net = None
            self.device = torch.device("cpu")
        self.final = final

    @classmethod
    def wrap(cls, model):
        """Return ``model`` itself when it is a ``TaskModel``, else wrap it."""
        return model if isinstance(model, TaskModel) else cls(model)

    @property
    def has_dropout(self):
        """Whether MC-dropout passes are stochastic for this model."""
        return self.net is not None and bool(_dropout_layers(self.net.module_))

    def check_input(self, X, name):
        """Validate a pool or labelled set.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The samples; read in chunks.
        name : str
            Their name in error messages, e.g. ``"X_pool"``.

        Returns
        -------
        n_samples : int
            The number of samples.
        """
        if self.transformer is not None and not holds_numbers(X):
            # The pipeline's first step reads it (a data frame, texts): the
            # numbers to check are that step's output, which the outputs'
            # checks see (check_outputs).
            n_samples = _num_samples(X)
            if n_samples == 0:
                raise ValueError(f"{name} is empty: expected at least 1 sample.")
            return n_samples
        n_samples = check_finite_samples(
            X,
            name,
            allow_nan=self.transformer is not None and pipeline_imputes(self.model),
        )
        n_features = getattr(self.model, "n_features_in_", None)
        if n_features is not None and np.ndim(X) == 2 and X.shape[1] != n_features:
            raise ValueError(
                f"{name} has {X.shape[1]} features, but the model was fitted "
                f"with {n_features} features."
            )
        if self.net is not None:
            first = self._as_net_input(self._transform(_safe_indexing(X, slice(0, 1))))
            try:
                with torch.no_grad():
                    self._eval_mode()
                    self.net.infer(first)
            except RuntimeError as exc:
                raise ValueError(
                    f"{name} has samples of shape {tuple(first.shape[1:])}, which "
                    f"the task model's module cannot process: {exc}"
                ) from exc
        return n_samples

    def _transform(self, X):
        return X if self.transformer is None else self.transformer.transform(X)

    def _chunks(self, X):
        """``X`` in chunks of ``chunk_size`` rows, each transformed by the
        pipeline's steps: a pool is read, transformed and cast one chunk at a
        time, so a memmap, zarr or dask pool is never loaded whole."""
        n = X.shape[0]
        for start in range(0, n, self.chunk_size):
            chunk = _safe_indexing(X, slice(start, min(start + self.chunk_size, n)))
            if is_lazy_array(chunk):  # a zarr or dask slice: read it now
                chunk = np.asarray(chunk)
            yield self._transform(chunk)

    def _net_forward(self, X, capture_embedding, keep_prefix=False):
        """Probabilities (and embeddings) from the skorch net, chunk by chunk.

        One forward pass per chunk: the embedding is captured by a hook on
        the input of the module's last ``nn.Linear`` (its head). For a module
        with an ``embed`` method other than skautoal's own, the first chunk
        checks that the hook gives what ``embed`` gives; if not, ``embed``
        is called for every chunk instead.

        Returns the probabilities, the embeddings (None without
        ``capture_embedding``) and, with ``keep_prefix`` and one of
        skautoal's modules, the input of its first dropout layer in each
        chunk: the output of the part that MC-dropout passes share (see
        :meth:`_mc_split_passes`), a list of tensors on the model's device;
        otherwise None.
        """
        from ._modules import CNNModule, MLPModule

        module = self.net.module_
        nonlin = self.net._get_predict_nonlinearity()
        captured = []
        hook = None
        has_embed = capture_embedding and hasattr(module, "embed")
        last = _last_linear(module) if capture_embedding else None
        if capture_embedding and last is None and not has_embed:
            raise TypeError(
                f"The module {type(module).__name__} has neither an 'embed' "
                "method nor an nn.Linear layer, so no embedding can be taken."
            )
        if last is not None:
            hook = last.register_forward_hook(
                lambda mod, inputs, out: captured.append(inputs[0].detach())
            )
        split = _mc_split(module) if keep_prefix else None
        prefix_hook, prefix_chunks, kept = None, None, []
        if split is not None and self.has_dropout:
            # The first dropout layer's input is what the split's prefix
            # computes: the same layers on the same chunk, so the same bits.
            prefix_chunks = []
            prefix_hook = split[2][0].register_forward_pre_hook(
                lambda mod, inputs: kept.append(inputs[0].detach())
            )
        # Whether the hook's capture is the embedding: by construction for
        # skautoal's modules and for modules without ``embed``; checked on
        # the first chunk otherwise.
        trusted = hook is not None and (
            not has_embed or isinstance(module, MLPModule | CNNModule)
        )
        checked = trusted or not has_embed
        # The outputs are written into arrays of the pool's length as the
        # chunks arrive: collecting chunks and concatenating them would hold
        # every output twice at the end (2 GB for a million 256-d embeddings).
        n_samples, done = X.shape[0], 0
        proba_out = emb_out = chunk_emb = None
        try:
            with torch.no_grad():
                for chunk in self._chunks(X):
                    chunk = self._as_net_input(chunk)
                    captured.clear()
                    kept.clear()
                    out = self.net.infer(chunk)
                    if prefix_chunks is not None and len(kept) == 1:
                        prefix_chunks.append(kept[0])
                    elif prefix_chunks is not None:
                        # Not one call per chunk (a module that reuses the
                        # layer): the passes compute the prefix themselves.
                        prefix_chunks = None
                    if isinstance(out, tuple):
                        out = out[0]
                    if proba_out is None:
                        _warn_double_softmax(self.net, out)
                    chunk_proba = nonlin(out).float().cpu().numpy()
                    if capture_embedding:
                        hooked = captured[-1] if len(captured) == 1 else None
                        if not checked:
                            emb = module.embed(chunk.to(self.device))
                            trusted = (
                                hooked is not None
                                and hooked.flatten(1).shape == emb.flatten(1).shape
                                and torch.allclose(
                                    hooked.flatten(1),
                                    emb.flatten(1),
                                    rtol=1e-4,
                                    atol=1e-5,
                                )
                            )
                            checked = True
                        elif trusted and hooked is not None:
                            emb = hooked
                        else:
                            emb = module.embed(chunk.to(self.device))
                        chunk_emb = emb.flatten(1).float().cpu().numpy()
                    check_outputs(chunk_proba, chunk_emb, net=self.net)
                    stop = done + len(chunk_proba)
                    if proba_out is None:
                        width = chunk_proba.shape[1]
                        proba_out = np.empty((n_samples, width), np.float32)
                        if capture_embedding:
                            width = chunk_emb.shape[1]
                            emb_out = np.empty((n_samples, width), np.float32)
                    proba_out[done:stop] = chunk_proba
                    if capture_embedding:
                        emb_out[done:stop] = chunk_emb
                    done = stop
        finally:
            if hook is not None:
                hook.remove()
            if prefix_hook is not None:
                prefix_hook.remove()
        return proba_out, emb_out, prefix_chunks

    def _as_net_input(self, chunk):
        array = chunk.toarray() if hasattr(chunk, "toarray") else np.asarray(chunk)
        if not array.flags.writeable:  # a read-only memmap: copy the chunk
            array = np.array(array, dtype=np.float32)
        return torch.as_tensor(array, dtype=torch.float32)

    def _eval_mode(self):
        self.net.module_.eval()

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples, read in chunks.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), dtype float32
            One row per sample, summing to 1.
        """
        return self.proba_and_embedding(X, embedding=False)[0]

    def proba_and_embedding(self, X, *, embedding=True):
        """Probabilities and embeddings of ``X`` in one pass.

        The embedding is the module's ``embed(X)`` when it has one, otherwise
        the input of its last ``nn.Linear``; for a model that is not a torch
        net it is the (transformed) feature matrix.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples, read in chunks.
        embedding : bool, default=True
            Whether to capture embeddings too.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), dtype float32
            Class probabilities.
        embedding : ndarray of shape (n_samples, n_features_embedded) or None
            Embeddings (float32), or None with ``embedding=False``.
        """
        return self._outputs(X, embedding)[:2]

    def _outputs(self, X, embedding, keep_prefix=False):
        """:meth:`proba_and_embedding`, and the MC passes' shared prefix
        when ``keep_prefix`` (see :meth:`_net_forward`; None if there is
        none)."""
        if self.net is not None:
            self._eval_mode()
            return self._net_forward(X, embedding, keep_prefix)
        probas, embeddings = [], []
        for chunk in self._chunks(X):
            probas.append(self.final.predict_proba(chunk))
            if embedding:
                if hasattr(chunk, "toarray") and not embeddings:
                    _warn_dense_embedding(X.shape[0], chunk.shape[1])
                dense = chunk.toarray() if hasattr(chunk, "toarray") else chunk
                dense = np.asarray(dense, dtype=np.float32)
                embeddings.append(dense.reshape(dense.shape[0], -1))
        proba = np.concatenate(probas)
        emb = np.concatenate(embeddings) if embedding else None
        check_outputs(proba, emb)
        return proba.astype(np.float32), emb, None

    def mc_predict_proba(self, X, n_passes, random_state, *, prefix=None):
        """Probabilities from ``n_passes`` MC-dropout passes.

        Each pass samples one network: every dropout layer draws one mask
        for the pass, shared by all samples and all chunks of ``X`` (the
        weight-sampling view of MC dropout; Gal and Ghahramani, 2016). So a
        pass is the same network on every sample, the result does not
        depend on ``chunk_size``, and drawing the masks costs O(width) per
        pass rather than O(samples x width). Batch norm stays in eval mode,
        and the masks are seeded by ``random_state`` (torch's global RNG is
        not touched). A model without dropout gives ``n_passes`` identical
        copies, with a warning.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Samples, read in chunks.
        n_passes : int
            The number of passes (sampled networks).
        random_state : int, RandomState or None
            Seeds the masks.
        prefix : list of torch.Tensor or None, default=None
            For one of skautoal's modules, the chunks' outputs of the part
            before the first dropout layer, as a forward pass over the same
            ``X`` with the same ``chunk_size`` kept them (what
            :class:`PoolOutputs` passes): the passes start from them instead
            of running that part again. The same probabilities, bit for bit.

        Returns
        -------
        proba : ndarray of shape (n_passes, n_samples, n_classes)
            The probabilities of each pass.
        """
        if not self.has_dropout:
            warnings.warn(
                f"The task model {type(self.final).__name__} has no dropout "
                "layers, so MC-dropout passes are identical and BALD, MeanSTD "
                "and VarRatio see no model uncertainty.",
                UserWarning,
                stacklevel=find_stack_level(),
            )
            proba = self.predict_proba(X)
            return np.broadcast_to(proba, (n_passes,) + proba.shape)
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        masks = _SharedDropout(_dropout_layers(self.net.module_), seed)
        self._eval_mode()
        split = _mc_split(self.net.module_)
        if split is not None:
            with masks:
                return self._mc_split_passes(X, n_passes, masks, *split, prefix)
        passes = None  # filled pass by pass: np.stack would hold them twice
        with masks:
            for index in range(n_passes):
                masks.pass_index = index
                proba = self._net_forward(X, False)[0]
                if passes is None:
                    passes = np.empty((n_passes,) + proba.shape, np.float32)
                passes[index] = proba
        return passes

    def _mc_split_passes(self, X, n_passes, masks, prefix, suffix, layers, kept):
        """MC passes of a module split at its first dropout layer.

        Chunk by chunk, the part before the first dropout layer (for the
        CNN, every convolution) runs once and only the rest runs per pass,
        and that rest computes only the units its dropout masks keep
        (:func:`_pruned_pass`): the same probabilities as ``n_passes``
        whole forward passes up to the order of summation, at a fraction of
        the cost. Each chunk is also read and transformed once, not per
        pass. With ``kept``, the prefix's outputs of a forward pass (see
        :meth:`mc_predict_proba`), the prefix does not run at all.
        """
        nonlin = self.net._get_predict_nonlinearity()
        n_samples, done = X.shape[0], 0
        passes = None
        plans = {}  # pass -> the steps of its pruned suffix, shared by chunks
        prunable = _prunable(layers)
        if kept is not None:
            sizes = [int(h.shape[0]) for h in kept]
            expected = [
                min(self.chunk_size, n_samples - start)
                for start in range(0, n_samples, self.chunk_size)
            ]
            if sizes != expected:
                raise ValueError(
                    f"prefix holds chunks of {sizes} rows, but X in chunks of "
                    f"{self.chunk_size} gives {expected}: it is not a forward "
                    "pass over the same X with the same chunk_size."
                )
            chunks = iter(kept)
        else:
            chunks = (
                prefix(self._as_net_input(chunk).to(self.device))
                for chunk in self._chunks(X)
            )
        with torch.no_grad():
            for hidden in chunks:
                stop = done + hidden.shape[0]
                if prunable and hidden.dim() == 2:
                    # Every pass's logits into one tensor, then one softmax:
                    # row by row the same numbers as a softmax per pass.
                    logits = hidden.new_empty(
                        (n_passes, hidden.shape[0], layers[-1].out_features)
                    )
                    for index in range(n_passes):
                        masks.pass_index = index
                        if index not in plans:
                            plans[index] = _pruned_plan(
                                layers, masks, hidden.shape[1], hidden.device
                            )
                        _run_plan(hidden, plans[index], logits[index])
                    outs = [nonlin(p) for p in _class_softmax(logits)]
                else:
                    outs = []
                    for index in range(n_passes):
                        masks.pass_index = index
                        outs.append(nonlin(suffix(hidden)))
                proba = torch.stack([o.float() for o in outs]).cpu().numpy()
                check_outputs(proba.reshape(-1, proba.shape[-1]), net=self.net)
                if passes is None:
                    shape = (n_passes, n_samples, proba.shape[-1])
                    passes = np.empty(shape, np.float32)
                passes[:, done:stop] = proba
                done = stop
        return passes


_CHANNEL_DROPOUT = nn.Dropout1d | nn.Dropout2d | nn.Dropout3d | nn.FeatureAlphaDropout


class _SharedDropout:
    """Forward hooks that apply one seeded dropout mask per layer and pass.

    The layers stay in eval mode (the identity); the hook multiplies their
    output by the mask of the current pass, drawn on first use from a seed
    derived from ``(seed, layer, pass)``, so masks do not depend on the
    order or size of the chunks. Element-wise dropout masks every feature
    of a sample (shape ``x.shape[1:]``); the channel-wise kinds
    (``Dropout1d/2d/3d``, ``FeatureAlphaDropout``) mask whole channels.
    Alpha dropout keeps SELU's mean and variance as torch's does.
    """

    _SELU_ALPHA = -1.7580993408473766  # -scale * alpha of SELU

    def __init__(self, layers, seed):
        self.layers = layers
        self.seed = int(seed)
        self.pass_index = 0
        self._masks = {}
        self._handles = []

    def __enter__(self):
        for position, layer in enumerate(self.layers):
            self._handles.append(
                layer.register_forward_hook(self._hook(position, layer))
            )
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _keep(self, position, layer, out):
        # Keyed by shape too: a dropout module applied to two tensors of
        # different widths gets a mask for each, not a broadcast error.
        key = (position, self.pass_index, tuple(out.shape[1:]))
        if key not in self._masks:
            channelwise = isinstance(layer, _CHANNEL_DROPOUT)
            shape = tuple(out.shape[1:])
            if channelwise and out.dim() > 2:
                shape = shape[:1] + (1,) * (len(shape) - 1)
            state = np.random.SeedSequence([self.seed, position, self.pass_index])
            generator = torch.Generator().manual_seed(int(state.generate_state(1)[0]))
            keep = torch.rand(shape, generator=generator) >= layer.p
            self._masks[key] = keep.to(device=out.device, dtype=out.dtype)
        return self._masks[key]

    def kept_units(self, layer, width, device):
        """Indices of the units ``layer`` keeps in this pass, of ``width``.

        The mask :meth:`_hook` applies to a (n, ``width``) output of an
        element-wise ``nn.Dropout`` in the current pass.
        """
        if float(layer.p) >= 1.0:
            return torch.zeros(0, dtype=torch.long, device=device)
        position = next(i for i, m in enumerate(self.layers) if m is layer)
        probe = torch.empty((0, width), device=device)
        return torch.nonzero(self._keep(position, layer, probe)).flatten()

    def _hook(self, position, layer):
        def hook(module, inputs, out):
            p = float(layer.p)
            if p == 0.0:
                return out
            if p >= 1.0:
                return torch.zeros_like(out)
            keep = self._keep(position, layer, out)
            if isinstance(layer, nn.AlphaDropout | nn.FeatureAlphaDropout):
                alpha = self._SELU_ALPHA
                a = ((1 - p) * (1 + p * alpha**2)) ** -0.5
                return a * (out * keep + alpha * (1 - keep)) - a * alpha * p
            return out * keep / (1 - p)

        return hook


class PoolOutputs:
    """The task model's outputs on one pool, each computed once and cached.

    Strategies read what they need from this object, so that when several
    strategies query the same pool (as in :class:`~skautoal.AutoALQuerier`)
    every forward pass runs once.

    Parameters
    ----------
    model : estimator or TaskModel
        The fitted task model.
    X : array-like
        The pool (or labelled set).
    random_state : int, RandomState or None, default=None
        Seeds the MC-dropout passes.
    name : str, default="X_pool"
        The name used in error messages.
    with_embedding : bool, default=True
        Whether the first forward pass also captures embeddings. Strategies
        that use only probabilities set it to False to save the copy; an
        embedding asked for later still gets computed.
    statistics_rows : array-like of int or None, default=None
        The rows that stand for the whole pool in pool statistics (the
        Fisher value's ``F_U`` and whitening); ``None``: every row. Stage
        two of a two-stage query sets it to its random sample of the pool,
        since its other rows are the partitions' proposals.
    mc_prefix : bool, default=False
        Whether the forward pass keeps, for skautoal's own modules, the
        activations that MC-dropout passes start from (the input of the
        first dropout layer), so that :meth:`mc_proba` does not compute
        them again: one array of the pool's length (for the default MLP,
        the size of the embeddings) for the part of a forward pass before
        the first dropout (for the CNN, every convolution). Set it when
        MC-dropout passes will be asked for.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.models import PoolOutputs
    >>> X, y = load_iris(return_X_y=True)
    >>> out = PoolOutputs(LogisticRegression(max_iter=500).fit(X, y), X)
    >>> out.proba.shape, out.embedding.shape
    ((150, 3), (150, 4))
    """

    def __init__(
        self,
        model,
        X,
        *,
        random_state=None,
        name="X_pool",
        with_embedding=True,
        statistics_rows=None,
        mc_prefix=False,
    ):
        self.model = TaskModel.wrap(model)
        X = host_array(X)
        if not hasattr(X, "shape"):
            X = np.asarray(X)
        self.n_samples = self.model.check_input(X, name)
        self.X = X
        self.name = name
        self._seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        self.with_embedding = with_embedding
        self.statistics_rows = (
            None
            if statistics_rows is None
            else np.asarray(statistics_rows, dtype=np.int64)
        )
        self._proba = None
        self._proba_by_class = None
        self._embedding = None
        self.mc_prefix = mc_prefix
        self._prefix = None
        self._mc = {}

    def __len__(self):
        return self.n_samples

    @property
    def device(self):
        """The device of the task model."""
        return self.model.device

    def _forward(self, embedding):
        self._proba, self._embedding, self._prefix = self.model._outputs(
            self.X, embedding, self.mc_prefix
        )

    @property
    def proba(self):
        """Class probabilities, shape (n_samples, n_classes), float32."""
        if self._proba is None:
            self._forward(self.with_embedding)
        return self._proba

    @property
    def proba_by_class(self):
        """``proba`` transposed to (n_classes, n_samples), C-contiguous.

        Reductions over a few classes run several times faster along a long
        contiguous axis, so the uncertainty strategies read this copy, made
        once per pool and shared.
        """
        if self._proba_by_class is None:
            self._proba_by_class = np.ascontiguousarray(self.proba.T)
        return self._proba_by_class

    @property
    def embedding(self):
        """Embeddings, shape (n_samples, n_features_embedded)."""
        if self._embedding is None:
            self._forward(True)
        return self._embedding

    def mc_proba(self, n_passes):
        """MC-dropout probabilities, computed once per ``n_passes``.

        Parameters
        ----------
        n_passes : int
            The number of passes.

        Returns
        -------
        proba : ndarray of shape (n_passes, n_samples, n_classes)
            See :meth:`TaskModel.mc_predict_proba`.
        """
        if n_passes not in self._mc:
            self._mc[n_passes] = self.model.mc_predict_proba(
                self.X, n_passes, self._seed, prefix=self._prefix
            )
        return self._mc[n_passes]

    def badge_factors(self):
        """The two factors of the BADGE gradient embedding.

        The gradient of the cross-entropy with respect to the last linear
        layer, taking the predicted class as the label, is the outer product
        ``a_i h_i^T`` with ``a_i = p_i - onehot(argmax p_i)`` and ``h_i`` the
        embedding; their N x C x D product is never formed.

        Returns
        -------
        a : ndarray of shape (n_samples, n_classes)
            ``p_i - onehot(argmax p_i)``.
        h : ndarray of shape (n_samples, n_features_embedded)
            The embeddings.
        """
        proba = self.proba
        a = proba.copy()
        a[np.arange(len(a)), proba.argmax(1)] -= 1.0
        return a, self.embedding
