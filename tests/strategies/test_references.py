"""Each strategy against a naive reference implementation."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

from skautoal.models import PoolOutputs
from skautoal.strategies import (
    BADGE,
    BALD,
    CoreSet,
    EntropySampling,
    KMeansSampling,
    LeastConfidence,
    MarginSampling,
    MeanSTD,
    VarRatio,
)


def _naive_scores(name, proba):
    rows = []
    for p in proba:
        p = [float(v) for v in p]
        s = sorted(p, reverse=True)
        if name == "lc":
            rows.append(1 - s[0])
        elif name == "margin":
            rows.append(1 - (s[0] - s[1]))
        else:
            rows.append(-sum(v * np.log(v) for v in p if v > 0))
    return np.array(rows)


@pytest.mark.parametrize(
    "strategy, name",
    [
        (LeastConfidence(), "lc"),
        (MarginSampling(), "margin"),
        (EntropySampling(), "entropy"),
    ],
)
def test_uncertainty_matches_reference(user_net, split, strategy, name):
    X_pool = split[2]
    proba = user_net.predict_proba(X_pool)
    expected = _naive_scores(name, proba)
    np.testing.assert_allclose(
        strategy.score_samples(user_net, X_pool), expected, atol=1e-6
    )
    picked = strategy.select(user_net, X_pool, 15, random_state=0)
    assert set(picked) == set(np.argsort(-expected, kind="stable")[:15])


def _naive_mc(name, mc):
    out = []
    for j in range(mc.shape[1]):
        passes = mc[:, j, :].astype(np.float64)
        if name == "bald":
            mean = passes.mean(0)
            h_mean = -sum(v * np.log(v) for v in mean if v > 0)
            h_each = np.mean([-sum(v * np.log(v) for v in p if v > 0) for p in passes])
            out.append(h_mean - h_each)
        elif name == "meanstd":
            out.append(np.mean([np.std(passes[:, c]) for c in range(passes.shape[1])]))
        else:
            votes = list(passes.argmax(1))
            mode = max(set(votes), key=votes.count)
            out.append(1 - votes.count(mode) / len(votes))
    return np.array(out)


@pytest.mark.parametrize(
    "strategy, name",
    [
        (BALD(n_passes=6), "bald"),
        (MeanSTD(n_passes=6), "meanstd"),
        (VarRatio(n_passes=6), "varratio"),
    ],
)
def test_mc_dropout_strategies_match_reference(user_net, split, strategy, name):
    outputs = PoolOutputs(user_net, split[2], random_state=3)
    mc = outputs.mc_proba(6)
    assert mc.shape == (6, split[2].shape[0], 10)
    assert not np.allclose(mc[0], mc[1]), "dropout must be active in MC passes"
    np.testing.assert_allclose(strategy._score(outputs), _naive_mc(name, mc), atol=1e-6)


def test_kmeans_picks_nearest_member_of_each_blob():
    X, y = make_blobs(n_samples=300, centers=5, cluster_std=0.5, random_state=0)
    model = LogisticRegression(max_iter=300).fit(X, y)
    picked = KMeansSampling().select(model, X, 5, random_state=0)
    assert sorted(y[picked]) == [0, 1, 2, 3, 4]
    for label in range(5):
        members = np.flatnonzero(y == label)
        centroid = X[members].mean(0)
        nearest = members[np.argmin(((X[members] - centroid) ** 2).sum(1))]
        assert nearest in picked


def _naive_k_center(emb, emb_lab, k):
    full = np.vstack([emb_lab, emb])
    dist = np.sqrt(((full[:, None, :] - full[None, :, :]) ** 2).sum(-1))
    centers = list(range(len(emb_lab)))
    picked = []
    for _ in range(k):
        d = dist[len(emb_lab) :, centers].min(1)
        d[picked] = -1
        j = int(np.argmax(d))
        picked.append(j)
        centers.append(len(emb_lab) + j)
    return picked


# Pools up to NearestCentre.dense_max update every point per step; larger ones
# skip the points the triangle inequality rules out. Both against one reference.
BOTH_PATHS = pytest.mark.parametrize("path", ["dense", "pruned"])


def _set_path(monkeypatch, path):
    from skautoal.strategies._kernels import NearestCentre

    if path == "pruned":
        monkeypatch.setattr(NearestCentre, "dense_max", 0)


@BOTH_PATHS
def test_coreset_matches_full_matrix_reference(user_net, split, path, monkeypatch):
    _set_path(monkeypatch, path)
    X_lab, _, X_pool = split
    X_pool = X_pool[:120]
    emb = PoolOutputs(user_net, X_pool).embedding.astype(np.float64)
    emb_lab = PoolOutputs(user_net, X_lab).embedding.astype(np.float64)
    picked = CoreSet().select(user_net, X_pool, 12, X_labeled=X_lab, random_state=0)
    np.testing.assert_array_equal(picked, _naive_k_center(emb, emb_lab, 12))


def _naive_badge(a, h, k, rng):
    g = (a[:, :, None] * h[:, None, :]).reshape(len(a), -1)
    chosen = [int(np.argmax((g**2).sum(1)))]
    for _ in range(k - 1):
        d2 = np.min(((g[:, None, :] - g[None, chosen, :]) ** 2).sum(-1), axis=1)
        d2[chosen] = 0
        cumulative = np.cumsum(d2)
        j = int(
            np.searchsorted(cumulative, rng.random_sample() * cumulative[-1], "right")
        )
        chosen.append(j)
    return chosen


@BOTH_PATHS
def test_badge_matches_materialised_reference(user_net, split, path, monkeypatch):
    _set_path(monkeypatch, path)
    X_pool = split[2][:150]
    outputs = PoolOutputs(user_net, X_pool)
    a, h = outputs.badge_factors()
    proba = user_net.predict_proba(X_pool)
    np.testing.assert_allclose(a, proba - np.eye(10)[proba.argmax(1)], atol=1e-6)
    picked = BADGE()._select(
        outputs, 10, labeled=None, random_state=np.random.RandomState(7)
    )
    expected = _naive_badge(
        a.astype(np.float64), h.astype(np.float64), 10, np.random.RandomState(7)
    )
    np.testing.assert_array_equal(picked, expected)


def _naive_kmeans_picks(emb, seeds, max_iter, tol):
    centers = emb[seeds].astype(np.float64)
    X = emb.astype(np.float64)
    scale = (X**2).sum(1).mean()
    for _ in range(max_iter):
        d = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
        labels = d.argmin(1)
        new = np.array(
            [
                X[labels == c].mean(0) if (labels == c).any() else centers[c]
                for c in range(len(centers))
            ]
        )
        shift = ((new - centers) ** 2).sum(1).max()
        centers = new
        if shift <= tol * scale:
            break
    d = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(-1)
    labels = d.argmin(1)
    return {
        int(np.flatnonzero(labels == c)[np.argmin(d[labels == c, c])])
        for c in range(len(centers))
        if (labels == c).any()
    }


def test_kmeans_matches_naive_lloyd_on_user_module(user_net, split):
    import torch

    from skautoal.strategies._kernels import d2_sampling, rows_sqdist

    outputs = PoolOutputs(user_net, split[2])
    emb = outputs.embedding
    rng = np.random.RandomState(4)
    first = rng.randint(len(emb))
    points = torch.as_tensor(emb)
    seeds = d2_sampling(8, first, rows_sqdist(points), len(emb), rng, points.device)
    picked = KMeansSampling(max_iter=30)._select(
        outputs, 8, labeled=None, random_state=np.random.RandomState(4)
    )
    assert set(picked.tolist()) == _naive_kmeans_picks(emb, seeds, 30, 1e-4)


def test_random_matches_numpy_choice(user_net, split):
    from skautoal.strategies import RandomSampling

    outputs = PoolOutputs(user_net, split[2])
    picked = RandomSampling()._select(
        outputs, 9, labeled=None, random_state=np.random.RandomState(2)
    )
    expected = np.random.RandomState(2).choice(len(split[2]), 9, replace=False)
    np.testing.assert_array_equal(picked, expected)


@pytest.mark.parametrize("strategy", [BALD(), MeanSTD(), VarRatio()])
def test_mc_scores_do_not_depend_on_the_float64_block_size(strategy):
    # The MC-dropout scores are computed a block of samples at a time (to
    # keep float64 copies small on large pools); blocks change nothing.
    class Outputs:
        def mc_proba(self, n_passes):
            rng = np.random.RandomState(0)
            return rng.dirichlet(np.ones(5), (10, 1000)).astype(np.float32)

    whole = strategy._score(Outputs())
    strategy._chunk = 37
    np.testing.assert_array_equal(strategy._score(Outputs()), whole)


def test_chunked_row_norms_are_the_unchunked_ones():
    # CoreSet, KMeans and BADGE take squared norms of the embeddings in row
    # chunks (no N x D temporary); the numbers, and so the picks, are the same.
    import torch

    from skautoal.strategies._kernels import row_sqnorms

    X = torch.as_tensor(np.random.RandomState(0).randn(1000, 257).astype(np.float32))
    torch.testing.assert_close(
        row_sqnorms(X, chunk_size=7), (X * X).sum(1), rtol=0, atol=0
    )


def test_bald_plogp_is_minus_entr_with_zeros():
    from scipy.special import entr

    from skautoal.strategies._bayesian import _plogp

    p = np.random.RandomState(0).dirichlet(np.full(10, 0.2), 500)
    p[:5] = 0.0
    p[:5, 0] = 1.0  # one-hot rows: 0 log 0 and 1 log 1 are both 0
    np.testing.assert_allclose(_plogp(p), -entr(p), rtol=1e-13, atol=0)
    passes = np.stack([p, p])  # identical passes: no disagreement
    np.testing.assert_allclose(BALD()._score_block(passes), 0.0, atol=1e-15)
    assert np.all(BALD()._score_block(passes)[:5] == 0.0)
