import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNetClassifier
from torch import nn

from skautoal.models import CNNModule, MLPModule, PoolOutputs, TaskModel


def test_hook_embedding_is_input_of_last_linear(user_net, split):
    X_pool = split[2][:30]
    module = user_net.module_
    with torch.no_grad():
        expected = torch.relu(module.hidden(torch.as_tensor(X_pool))).numpy()
    proba, emb = TaskModel(user_net).proba_and_embedding(X_pool)
    np.testing.assert_allclose(emb, expected, atol=1e-6)
    np.testing.assert_allclose(proba, user_net.predict_proba(X_pool), atol=1e-6)


def test_embed_method_is_used(split):
    X_lab, y_lab, X_pool = split
    net = NeuralNetClassifier(
        MLPModule,
        module__n_classes=10,
        module__hidden_units=16,
        max_epochs=2,
        verbose=0,
        train_split=None,
    ).fit(X_lab, y_lab)
    emb = PoolOutputs(net, X_pool).embedding
    with torch.no_grad():
        expected = net.module_.embed(torch.as_tensor(X_pool)).numpy()
    np.testing.assert_allclose(emb, expected, atol=1e-6)
    assert emb.shape == (len(X_pool), 16)


def test_pipeline_embeddings_are_transformed_features(pipeline, split):
    X_pool = split[2]
    emb = PoolOutputs(pipeline, X_pool).embedding
    np.testing.assert_allclose(emb, pipeline[0].transform(X_pool), atol=1e-5)


def test_pipeline_with_skorch_net(split):
    X_lab, y_lab, X_pool = split
    from tests.helpers import UserModule

    pipe = make_pipeline(
        StandardScaler().set_output(transform="default"),
        _Float32(),
        NeuralNetClassifier(UserModule, max_epochs=2, verbose=0, train_split=None),
    ).fit(X_lab, y_lab)
    proba, emb = TaskModel(pipe).proba_and_embedding(X_pool)
    np.testing.assert_allclose(proba, pipe.predict_proba(X_pool), atol=1e-6)
    assert emb.shape == (len(X_pool), 32)


class _Float32(StandardScaler):
    def __init__(self):
        super().__init__(with_mean=False, with_std=False)

    def transform(self, X, copy=None):
        return np.asarray(X, dtype=np.float32)


def test_mc_dropout_keeps_batchnorm_in_eval(digits):
    X, y = digits
    images = X[:200].reshape(-1, 1, 8, 8)
    net = NeuralNetClassifier(
        CNNModule,
        module__n_classes=10,
        module__channels=4,
        module__hidden_units=8,
        module__dropout=0.0,
        max_epochs=1,
        verbose=0,
        train_split=None,
    ).fit(images, y[:200])
    mc = PoolOutputs(net, images[:40]).mc_proba(3)
    # With p=0 the passes equal eval predictions only if batch norm stays in eval.
    for proba in mc:
        np.testing.assert_allclose(proba, net.predict_proba(images[:40]), atol=1e-5)
    assert not net.module_.training


def test_mc_dropout_is_seeded_and_leaves_global_rng(user_net, split):
    X_pool = split[2][:50]
    state = torch.get_rng_state()
    first = PoolOutputs(user_net, X_pool, random_state=5).mc_proba(4)
    np.testing.assert_array_equal(torch.get_rng_state(), state)
    again = PoolOutputs(user_net, X_pool, random_state=5).mc_proba(4)
    other = PoolOutputs(user_net, X_pool, random_state=6).mc_proba(4)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_mc_dropout_masks_are_shared_across_samples_and_chunks(user_net, split):
    # One pass is one sampled network: duplicated rows get the same
    # probabilities within a pass, and chunking does not change any pass.
    X_pool = split[2][:30]
    X = np.concatenate([X_pool, X_pool])
    mc = TaskModel(user_net).mc_predict_proba(X, 4, 0)
    np.testing.assert_array_equal(mc[:, :30], mc[:, 30:])
    assert not np.allclose(mc[0], mc[1])
    chunked = TaskModel(user_net, chunk_size=7).mc_predict_proba(X, 4, 0)
    np.testing.assert_allclose(chunked, mc, rtol=1e-6, atol=1e-7)


def _small_dropout_net(kind, digits):
    """One of skautoal's modules ("mlp" or "cnn") fitted on 200 digits: the
    net, the samples (as images for the CNN) and its first layer."""
    X, y = digits
    if kind == "cnn":
        X = X.reshape(-1, 1, 8, 8)
        module, params = CNNModule, {"module__channels": 4}
    else:
        module, params = MLPModule, {"module__n_layers": 2}
    net = NeuralNetClassifier(
        module,
        module__n_classes=10,
        module__hidden_units=16,
        max_epochs=2,
        verbose=0,
        train_split=None,
        **params,
    ).fit(X[:200], y[:200])
    first = net.module_.features[0] if kind == "cnn" else net.module_.body[0]
    return net, X, first


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_mc_passes_share_the_part_before_dropout(kind, digits, monkeypatch):
    # skautoal's modules run their layers before the first dropout once per
    # chunk, not once per pass: the same probabilities as whole passes, and
    # the body before dropout is called once per chunk.
    from skautoal.models import _adapter

    net, X, first = _small_dropout_net(kind, digits)
    calls = []
    handle = first.register_forward_hook(lambda *args: calls.append(1))
    split = TaskModel(net, chunk_size=64).mc_predict_proba(X[200:400], 5, 3)
    handle.remove()
    assert len(calls) == 4  # 200 samples in chunks of 64, once each
    monkeypatch.setattr(_adapter, "_mc_split", lambda module: None)
    whole = TaskModel(net, chunk_size=64).mc_predict_proba(X[200:400], 5, 3)
    # To the last place: the split passes take their softmax with the
    # classes moved to an outer axis (_class_softmax).
    np.testing.assert_allclose(split, whole, rtol=1e-6, atol=1e-7)
    assert not np.allclose(split[0], split[1])


@pytest.mark.parametrize("shape", [(7, 3), (4, 50, 10), (2, 30, 15), (3, 20, 40)])
def test_class_softmax_is_the_softmax(shape):
    from skautoal.models._adapter import _class_softmax

    logits = torch.randn(*shape, generator=torch.Generator().manual_seed(0)) * 5
    fast = _class_softmax(logits)
    assert fast.shape == logits.shape
    torch.testing.assert_close(fast, torch.softmax(logits, -1), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_pool_outputs_share_the_forward_pass_prefix_with_mc_passes(kind, digits):
    # With mc_prefix, the forward pass keeps the input of the first dropout
    # layer and the MC passes start from it: the layers before it run once
    # per chunk in all (not once for the forward pass and once for the
    # passes), and the passes are the same bits as without it.
    net, X, first = _small_dropout_net(kind, digits)
    calls = []
    handle = first.register_forward_hook(lambda *args: calls.append(1))
    shared = PoolOutputs(
        TaskModel(net, chunk_size=64), X[200:400], random_state=3, mc_prefix=True
    )
    proba = shared.proba.copy()
    passes = shared.mc_proba(5)
    handle.remove()
    # PoolOutputs probes one sample, then 200 samples in chunks of 64, once
    # for the forward pass and the MC passes together (9 without sharing).
    assert len(calls) == 5
    assert [len(h) for h in shared._prefix] == [64, 64, 64, 8]
    alone = PoolOutputs(TaskModel(net, chunk_size=64), X[200:400], random_state=3)
    np.testing.assert_array_equal(alone.proba, proba)
    assert alone._prefix is None
    np.testing.assert_array_equal(alone.mc_proba(5), passes)
    # Passes asked for before any forward pass compute the prefix themselves.
    first_mc = PoolOutputs(
        TaskModel(net, chunk_size=64), X[200:400], random_state=3, mc_prefix=True
    )
    np.testing.assert_array_equal(first_mc.mc_proba(5), passes)


def test_mc_passes_refuse_a_prefix_of_other_chunks(digits):
    X, y = digits
    net = NeuralNetClassifier(
        MLPModule,
        module__n_classes=10,
        module__hidden_units=16,
        max_epochs=1,
        verbose=0,
        train_split=None,
    ).fit(X[:100], y[:100])
    kept = PoolOutputs(TaskModel(net, chunk_size=50), X[100:200], mc_prefix=True)
    assert kept.proba.shape == (100, 10)
    with pytest.raises(ValueError, match="not a forward pass over the same X"):
        TaskModel(net, chunk_size=64).mc_predict_proba(
            X[100:200], 3, 0, prefix=kept._prefix
        )


def test_mc_prefix_is_not_kept_for_a_user_module(user_net, split):
    outputs = PoolOutputs(user_net, split[2][:50], random_state=0, mc_prefix=True)
    assert outputs.proba.shape[0] == 50
    assert outputs._prefix is None
    alone = PoolOutputs(user_net, split[2][:50], random_state=0)
    np.testing.assert_array_equal(outputs.mc_proba(3), alone.mc_proba(3))


def test_queriers_keep_the_prefix_only_for_mc_candidates(user_net):
    from skautoal import AutoALQuerier
    from skautoal.baselines import StrategyQuerier
    from skautoal.strategies import BALD, MarginSampling

    single = StrategyQuerier(user_net, BALD())
    single.strategy_, single.estimator_ = BALD(), user_net
    pool = np.zeros((5, 64), np.float32)
    assert single._pool_outputs(pool, 0).mc_prefix
    single.strategy_ = MarginSampling()
    assert not single._pool_outputs(pool, 0).mc_prefix
    querier = AutoALQuerier(user_net, device="cpu")
    querier.estimator_ = user_net
    querier.candidates_ = [MarginSampling()]
    assert not querier._pool_outputs(pool, 0).mc_prefix
    querier.candidates_ = [MarginSampling(), BALD()]
    assert querier._pool_outputs(pool, 0).mc_prefix


def test_mc_split_is_not_used_for_a_subclass_with_its_own_forward():
    from skautoal.models._adapter import _mc_split

    class Tempered(MLPModule):
        def forward(self, X):
            return torch.softmax(self.output(self.embed(X)) / 2, dim=-1)

    assert _mc_split(MLPModule(3, 4)) is not None
    assert _mc_split(Tempered(3, 4)) is None


@pytest.mark.parametrize(
    "layers",
    [
        # the default MLP's suffix: dropout, hidden layer, dropout, output
        lambda: [nn.Dropout(0.5), nn.Linear(12, 9), nn.ReLU(), nn.Dropout(0.5)],
        # several activations between a layer and its dropout, two dropouts
        # in a row, a layer with no dropout after it, no bias
        lambda: [
            nn.Dropout(0.3),
            nn.Linear(12, 9, bias=False),
            nn.GELU(),
            nn.Tanh(),
            nn.Dropout(0.2),
            nn.Dropout(0.4),
            nn.Linear(9, 7),
            nn.LeakyReLU(),
        ],
        # a dropout that drops everything, and one that drops nothing
        lambda: [nn.Dropout(0.0), nn.Linear(12, 9), nn.ReLU(), nn.Dropout(1.0)],
        # the output layer alone (no hidden layer)
        lambda: [],
    ],
)
def test_pruned_passes_equal_the_hooked_passes(layers):
    # The pruned suffix computes only the units a pass's dropout keeps; its
    # probabilities are the hooked pass's, with the same masks per pass.
    from skautoal.models._adapter import (
        _prunable,
        _pruned_plan,
        _run_plan,
        _SharedDropout,
    )

    torch.manual_seed(0)
    layers = layers()
    widths = [12] + [m.out_features for m in layers if isinstance(m, nn.Linear)]
    layers = [*layers, nn.Linear(widths[-1], 5)]
    hooked = nn.Sequential(*layers).eval()
    assert _prunable(layers)
    hidden = torch.randn(40, 12)
    dropouts = [m for m in layers if isinstance(m, nn.Dropout)]
    masks = _SharedDropout(dropouts, seed=3)
    with masks, torch.no_grad():
        for index in range(4):
            masks.pass_index = index
            expected = torch.softmax(hooked(hidden), -1)
            steps = _pruned_plan(layers, masks, 12, hidden.device)
            torch.testing.assert_close(
                _run_plan(hidden, steps), expected, rtol=1e-6, atol=1e-7
            )
            if any(m.p == 0.5 for m in dropouts):
                # the hidden layer multiplies half its inputs for half its units
                weight = next(step[1] for step in steps if step[0] == "linear")
                assert weight.shape[0] < 9 and weight.shape[1] < 12


def test_pruned_passes_are_not_used_for_other_layers():
    from skautoal.models._adapter import _prunable

    base = [nn.Dropout(0.5), nn.Linear(4, 4)]
    assert _prunable(base)
    # sigmoid(0) != 0, batch norm mixes samples' statistics, alpha dropout
    # does not zero, and the last layer must be the output layer
    for other in (nn.Sigmoid(), nn.BatchNorm1d(4), nn.AlphaDropout(0.5)):
        assert not _prunable([*base, other, nn.Linear(4, 2)])
    assert not _prunable([*base, nn.ReLU()])
    assert not _prunable([])


@pytest.mark.parametrize("kind", ["dropout", "dropout2d", "alpha"])
def test_shared_dropout_masks_follow_each_layer_kind(kind):
    from skautoal.models._adapter import _SharedDropout

    layer = {
        "dropout": nn.Dropout(0.3),
        "dropout2d": nn.Dropout2d(0.5),
        "alpha": nn.AlphaDropout(0.2),
    }[kind].eval()
    X = torch.randn(2, 64, 40, 40) if kind == "dropout2d" else torch.randn(2, 20000)
    with _SharedDropout([layer], seed=0):
        out = layer(X)
    if kind == "dropout":
        kept = out != 0
        torch.testing.assert_close(kept[0], kept[1])  # one mask for the batch
        assert abs(kept.float().mean().item() - 0.7) < 0.02
        torch.testing.assert_close(out[kept], X[kept] / 0.7)
    elif kind == "dropout2d":
        ratio = out / X  # 0 or 2, constant over each channel
        assert set(torch.unique(ratio.round()).tolist()) == {0.0, 2.0}
        assert (ratio.flatten(2).std(2) < 1e-5).all()
        torch.testing.assert_close(ratio[0], ratio[1])
    else:  # alpha dropout keeps a standard normal input's mean and variance
        assert abs(out.mean().item()) < 0.05
        assert abs(out.var().item() - 1) < 0.05
    assert layer(X) is X  # the hooks are gone; eval mode is the identity


def test_no_dropout_warns(split):
    X_lab, y_lab, X_pool = split

    class NoDrop(nn.Module):
        def __init__(self):
            super().__init__()
            self.out = nn.Linear(64, 10)

        def forward(self, X):
            return torch.softmax(self.out(X), -1)

    net = NeuralNetClassifier(NoDrop, max_epochs=1, verbose=0).fit(X_lab, y_lab)
    with pytest.warns(UserWarning, match="no dropout layers"):
        mc = PoolOutputs(net, X_pool).mc_proba(3)
    assert mc.shape == (3, len(X_pool), 10)


def test_module_without_linear_or_embed(split):
    X_lab, y_lab, X_pool = split

    class ConvOnly(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(1, 10, 64)

        def forward(self, X):
            return torch.softmax(self.conv(X.unsqueeze(1)).squeeze(-1), -1)

    net = NeuralNetClassifier(ConvOnly, max_epochs=1, verbose=0).fit(X_lab, y_lab)
    with pytest.raises(TypeError, match="neither an 'embed' method nor an nn.Linear"):
        _ = PoolOutputs(net, X_pool).embedding


def test_outputs_are_computed_once(user_net, split):
    outputs = PoolOutputs(user_net, split[2])
    assert outputs.proba is outputs.proba
    assert outputs.proba_by_class is outputs.proba_by_class
    np.testing.assert_array_equal(outputs.proba_by_class, outputs.proba.T)
    assert outputs.embedding is outputs.embedding
    assert outputs.mc_proba(3) is outputs.mc_proba(3)


def test_lazy_mlp_sizes_itself(split):
    X_lab, y_lab, X_pool = split
    net = NeuralNetClassifier(
        MLPModule, module__n_classes=10, max_epochs=2, verbose=0, train_split=None
    ).fit(X_lab, y_lab)
    assert PoolOutputs(net, X_pool).embedding.shape == (len(X_pool), 128)


def test_chunk_size_is_validated(user_net):
    with pytest.raises(ValueError, match="'chunk_size' parameter of TaskModel"):
        TaskModel(user_net, chunk_size=0)


def test_cnn_on_images(digits):
    X, y = digits
    images = X[:300].reshape(-1, 1, 8, 8)
    net = NeuralNetClassifier(
        CNNModule, module__n_classes=10, max_epochs=2, verbose=0, train_split=None
    ).fit(images[:200], y[:200])
    outputs = PoolOutputs(net, images[200:])
    assert outputs.proba.shape == (100, 10)
    assert outputs.embedding.shape == (100, 128)


def _body_calls(module_part):
    calls = []
    handle = module_part.register_forward_hook(lambda *a: calls.append(1))
    return calls, handle


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_one_forward_pass_per_chunk_for_proba_and_embedding(digits, kind):
    from skautoal.models import default_net

    X, y = digits
    if kind == "cnn":
        X = X.reshape(-1, 1, 8, 8)
    net = default_net(kind, X.shape[1:], 10, random_state=0, max_steps=5, device="cpu")
    net.fit(X[:100], y[:100])
    module = net.module_
    body = module.body if kind == "mlp" else module.features
    calls, handle = _body_calls(body)
    model = TaskModel(net, chunk_size=64)
    proba, emb = model.proba_and_embedding(X[100:300])
    handle.remove()
    assert len(calls) == 4  # ceil(200 / 64) chunks, one pass each
    with torch.no_grad():
        expected = module.embed(torch.as_tensor(X[100:300])).flatten(1).numpy()
    np.testing.assert_allclose(emb, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(proba, net.predict_proba(X[100:300]), rtol=1e-5)


def test_user_embed_that_is_not_the_head_input_is_still_used(split):
    """A module whose ``embed`` differs from its head's input: the first chunk
    detects it, and ``embed`` is what the strategies get."""

    class OddEmbed(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(64, 16)
            self.out = nn.Linear(16, 10)

        def embed(self, X):
            return 2 * torch.relu(self.hidden(X)) + 1

        def forward(self, X):
            return torch.softmax(self.out(torch.relu(self.hidden(X))), -1)

    X_lab, y_lab, X_pool = split
    net = NeuralNetClassifier(
        OddEmbed, max_epochs=2, train_split=None, verbose=0, device="cpu"
    ).fit(X_lab, y_lab)
    _, emb = TaskModel(net, chunk_size=50).proba_and_embedding(X_pool[:160])
    with torch.no_grad():
        expected = net.module_.embed(torch.as_tensor(X_pool[:160])).numpy()
    np.testing.assert_allclose(emb, expected, rtol=1e-5, atol=1e-6)


def test_shared_dropout_reused_on_two_widths_gets_a_mask_each():
    from skautoal.models._adapter import _SharedDropout

    layer = nn.Dropout(0.5).eval()
    with _SharedDropout([layer], seed=0):
        wide, narrow = layer(torch.ones(3, 8)), layer(torch.ones(3, 4))
    assert wide.shape == (3, 8) and narrow.shape == (3, 4)
