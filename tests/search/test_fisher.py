import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from skautoal import AutoALQuerier
from skautoal.models import default_net
from skautoal.search import FisherBatchValue
from skautoal.strategies import CoreSet, EntropySampling, MarginSampling


def _value(n_pool=300, n_labeled=40, n_classes=3, n_features=6, seed=0, **kw):
    rng = np.random.RandomState(seed)
    emb = rng.randn(n_pool + n_labeled, n_features)
    proba = rng.dirichlet(np.ones(n_classes), n_pool + n_labeled)
    params = dict(dim=4, reg=1.0, n_pool_samples=n_pool, device="cpu")
    params.update(kw)
    value = FisherBatchValue(
        emb[:n_pool],
        proba[:n_pool],
        emb[n_pool:],
        proba[n_pool:],
        random_state=np.random.RandomState(seed),
        **params,
    )
    return value, emb, proba


def _naive_fisher(value, emb, proba):
    """sum_x (diag p - p p^T) kron z z^T, written out."""
    z = value._whiten(torch.as_tensor(emb, dtype=torch.float64)).numpy()
    total = 0
    for p, zi in zip(proba, z, strict=True):
        total = total + np.kron(np.diag(p) - np.outer(p, p), np.outer(zi, zi))
    return total


def test_factors_reproduce_the_kronecker_fisher():
    value, emb, proba = _value()
    G = value.factors(np.arange(5)).numpy()
    direct = _naive_fisher(value, emb[:5], proba[:5])
    np.testing.assert_allclose(np.einsum("npc,nqc->pq", G, G), direct, atol=1e-10)
    M = value.M.numpy() - value.lam * np.eye(len(direct))
    np.testing.assert_allclose(
        M, _naive_fisher(value, emb[300:], proba[300:]), atol=1e-8
    )


def _best_rank_fisher(value, emb, proba, rank):
    """sum_x (best rank-``rank`` part of diag p - p p^T) kron z z^T."""
    z = value._whiten(torch.as_tensor(emb, dtype=torch.float64)).numpy()
    total = 0
    for p, zi in zip(proba, z, strict=True):
        eigval, eigvec = np.linalg.eigh(np.diag(p) - np.outer(p, p))
        top = eigvec[:, -rank:] * eigval[-rank:]
        total = total + np.kron(top @ eigvec[:, -rank:].T, np.outer(zi, zi))
    return total


@pytest.mark.parametrize("rank", [1, 2, 4])
def test_rank_cut_factors_are_the_best_low_rank_fisher(rank):
    # Six classes: the Fisher of a sample has rank 5. A cut below that keeps
    # the largest eigen-directions of diag p - p p^T; what it drops is no
    # more than the sample's (rank + 1)-th largest probability per direction.
    value, emb, proba = _value(n_classes=6, rank=rank)
    batch = np.arange(8)
    G = value.factors(batch).numpy()
    assert G.shape == (8, 6 * (value.dim + 1), rank)
    F_cut = np.einsum("npc,nqc->pq", G, G)
    np.testing.assert_allclose(
        F_cut, _best_rank_fisher(value, emb[batch], proba[batch], rank), atol=1e-10
    )
    full = _naive_fisher(value, emb[batch], proba[batch])
    assert np.linalg.eigvalsh(full - F_cut).min() > -1e-10  # it only drops
    z = value._whiten(torch.as_tensor(emb[batch], dtype=torch.float64)).numpy()
    bound = sum(
        np.sort(p)[::-1][rank] * (5 - rank) * (zi @ zi)
        for p, zi in zip(proba[batch], z, strict=True)
    )
    assert 0 <= np.trace(full - F_cut) <= bound + 1e-10


@pytest.mark.parametrize("rank", [None, 5, 9])
def test_a_rank_at_or_above_the_fishers_is_the_exact_factor(rank):
    # diag p - p p^T has rank C - 1 = 5, so these keep every sample's
    # Fisher whole: the same factors as no cut, bit for bit.
    whole, _, _ = _value(n_classes=6)
    value, _, _ = _value(n_classes=6, rank=rank)
    batch = np.arange(10)
    torch.testing.assert_close(
        value.factors(batch), whole.factors(batch), rtol=0, atol=0
    )


@pytest.mark.parametrize("rank", [0, -1, 2.0, True])
def test_a_rank_that_is_not_a_positive_int_is_refused(rank):
    # rank=0 would otherwise keep every column (a slice [-0:]), silently.
    with pytest.raises((TypeError, ValueError), match="'rank' parameter of Fisher"):
        _value(n_classes=6, rank=rank)


def test_predicted_label_factor_is_badges_gradient_embedding():
    # With label="predicted" each factor is (p - e_y) kron z, y = argmax p:
    # rank 1, and, weighted by p_y over every label y, the terms add up to
    # the sample's Fisher. M and F_U stay the Fisher.
    value, emb, proba = _value(n_classes=5, label="predicted", rank=2)
    fisher, _, _ = _value(n_classes=5)
    batch = np.arange(6)
    G = value.factors(batch).numpy()
    C, D = 5, value.dim + 1
    assert G.shape == (6, C * D, 1)
    z = value._whiten(torch.as_tensor(emb[batch], dtype=torch.float64)).numpy()
    for g, p, zi in zip(G[:, :, 0], proba[batch], z, strict=True):
        residual = p - np.eye(C)[np.argmax(p)]
        np.testing.assert_allclose(g, np.kron(residual, zi), atol=1e-12)
        expected = sum(
            p[y] * np.outer(*(2 * [np.kron(p - np.eye(C)[y], zi)])) for y in range(C)
        )
        np.testing.assert_allclose(
            expected, np.kron(np.diag(p) - np.outer(p, p), np.outer(zi, zi)), atol=1e-12
        )
    torch.testing.assert_close(value.M, fisher.M, rtol=0, atol=0)
    torch.testing.assert_close(value.F_U, fisher.F_U, rtol=0, atol=0)
    order = value.greedy(value.factors(np.arange(100)), 8)
    assert len(set(order.tolist())) == 8


def test_an_unknown_label_is_refused():
    with pytest.raises(ValueError, match="label must be 'expected' or 'predicted'"):
        _value(label="true")


def test_rank_cut_greedy_reaches_the_exact_greedys_value():
    # Ten classes, 4 kept: the greedy on the cut factors picks a batch whose
    # exact value is within 2% of the exact greedy's, even with probabilities
    # spread over all ten classes (uniform Dirichlet: the hardest case for
    # the cut; on the suite's fitted models it is within 0.4%).
    exact, _, _ = _value(n_pool=150, n_classes=10, n_features=8, dim=6)
    cut, _, _ = _value(n_pool=150, n_classes=10, n_features=8, dim=6, rank=4)
    G = exact.factors(np.arange(150))
    best = exact.value(G[exact.greedy(G, 10)])
    order = cut.greedy(cut.factors(np.arange(150)), 10)
    assert len(set(order.tolist())) == 10
    assert exact.value(G[order]) >= 0.98 * best


def test_pool_fisher_is_the_kronecker_mean_in_any_chunking(monkeypatch):
    # The pool's Fisher sum is accumulated chunk by chunk: the same matrix as
    # the written-out Kronecker formula, whatever the chunk size, and with
    # probabilities that have exact zeros.
    rng = np.random.RandomState(3)
    proba = rng.dirichlet(np.ones(4), 50)
    proba[:10, 0] = 0.0
    proba[:10] /= proba[:10].sum(1, keepdims=True)
    emb = rng.randn(50, 6)
    for chunk_size in (7, 512):
        monkeypatch.setattr(FisherBatchValue, "chunk_size", chunk_size)
        value = FisherBatchValue(
            emb[:40],
            proba[:40],
            emb[40:],
            proba[40:],
            dim=4,
            reg=1.0,
            n_pool_samples=40,
            random_state=np.random.RandomState(0),
            device="cpu",
        )
        np.testing.assert_allclose(
            value.F_U.numpy(),
            _naive_fisher(value, emb[:40], proba[:40]) / 40,
            atol=1e-12,
        )


@pytest.mark.parametrize("power", [0.5, 1.0, 3.0])
def test_pool_weight_weighs_each_sample_by_its_error_chance(power):
    # F_U = c * sum_x (1 - max p_x)^power F_x, with c restoring the
    # unweighted trace; the labelled set's M is untouched.
    plain, emb, proba = _value(n_pool=300)
    value, _, _ = _value(n_pool=300, pool_weight=power)
    pool, pool_proba = emb[:300], proba[:300]
    weight = (1 - pool_proba.max(1)) ** power
    z = value._whiten(torch.as_tensor(pool, dtype=torch.float64)).numpy()
    weighted = sum(
        w * np.kron(np.diag(p) - np.outer(p, p), np.outer(zi, zi))
        for w, p, zi in zip(weight, pool_proba, z, strict=True)
    )
    expected = weighted * np.trace(plain.F_U.numpy()) / np.trace(weighted)
    np.testing.assert_allclose(value.F_U.numpy(), expected, rtol=1e-10, atol=1e-13)
    # The prior, read from F_U's trace, and so M stay as they were.
    assert value.lam == pytest.approx(plain.lam, rel=1e-12)
    np.testing.assert_allclose(value.M.numpy(), plain.M.numpy(), rtol=1e-12)
    # Weight 0 is the unweighted value, bit for bit.
    same, _, _ = _value(n_pool=300, pool_weight=0.0)
    assert torch.equal(same.F_U, plain.F_U)


def test_pool_weight_with_a_certain_pool_is_the_unweighted_value():
    # Every pool sample certain: nothing to weigh by, the plain F_U (zero).
    rng = np.random.RandomState(0)
    emb = rng.randn(60, 5)
    proba = np.eye(3)[rng.randint(3, size=60)]
    kwargs = dict(dim=3, reg=1.0, n_pool_samples=40, device="cpu")
    plain, weighted = (
        FisherBatchValue(
            emb[:40],
            proba[:40],
            emb[40:],
            proba[40:],
            random_state=np.random.RandomState(0),
            pool_weight=w,
            **kwargs,
        )
        for w in (0.0, 1.0)
    )
    assert torch.equal(weighted.F_U, plain.F_U)


@pytest.mark.parametrize("bad", [-1.0, "1", None])
def test_pool_weight_must_be_a_number_at_least_zero(bad):
    with pytest.raises(ValueError, match="pool_weight must be a number >= 0"):
        _value(pool_weight=bad)


def test_querier_passes_fisher_pool_weight(digits):
    X, y = digits
    picks = {}
    for weight in (0.0, 1.0):
        querier = AutoALQuerier(
            LogisticRegression(max_iter=300),
            n_queries=10,
            fisher_pool_weight=weight,
            random_state=0,
        )
        with pytest.warns(UserWarning, match="no dropout"):
            querier.fit(X[:100], y[:100])
        picks[weight] = querier.query(X[100:700])
        assert len(np.unique(picks[weight])) == 10
    assert not np.array_equal(picks[0.0], picks[1.0])
    with pytest.raises(ValueError, match="'fisher_pool_weight' parameter"):
        AutoALQuerier(LogisticRegression(), fisher_pool_weight=-1).fit(X[:50], y[:50])


# A batch whose factors have fewer columns (4 samples x 3) than the P = 15
# parameters, so F_B is singular, and one with more (10 samples).
@pytest.mark.parametrize("batch", [[3, 17, 42, 99], [3, 17, 42, 99, *range(50, 56)]])
def test_value_matches_the_formula(batch):
    value, emb, proba = _value()
    batch = np.array(batch)
    F_B = _naive_fisher(value, emb[batch], proba[batch])
    M, F_U = value.M.numpy(), value.F_U.numpy()
    expected = np.trace(np.linalg.solve(M, F_U)) - np.trace(
        np.linalg.solve(M + F_B, F_U)
    )
    assert value.value(value.factors(batch)) == pytest.approx(expected, rel=1e-9)
    assert value.value(value.factors(batch[:0])) == 0.0


@pytest.mark.parametrize("n_batch", [5, 20, 40])
def test_predicted_label_value_matches_the_formula(n_batch):
    # Rank-1 terms: 5, 20 and 40 columns, below, at and above P = 20.
    value, emb, proba = _value(n_classes=4, label="predicted")
    batch = np.arange(7, 7 + n_batch)
    G = value.factors(batch)[:, :, 0].numpy()
    M, F_U = value.M.numpy(), value.F_U.numpy()
    expected = np.trace(np.linalg.solve(M, F_U)) - np.trace(
        np.linalg.solve(M + G.T @ G, F_U)
    )
    assert value.value(value.factors(batch)) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("label", ["expected", "predicted"])
def test_greedy_picks_the_largest_gain_each_step(label):
    # "predicted" factors have one column: the greedy's rank-one path.
    value, _, _ = _value(n_pool=60, label=label)
    G = value.factors(np.arange(60))
    order = value.greedy(G, 6)
    chosen = []
    for j in order:
        gains = [
            value.value(G[chosen + [i]]) if i not in chosen else -np.inf
            for i in range(60)
        ]
        assert gains[j] == pytest.approx(max(gains), rel=1e-8)
        chosen.append(int(j))
    assert len(set(order.tolist())) == 6


@pytest.mark.parametrize("label", ["expected", "predicted"])
def test_greedy_gain_weights_scale_each_rows_gain(label):
    value, _, _ = _value(n_pool=60, label=label)
    G = value.factors(np.arange(60))
    base = value.greedy(G, 6)
    np.testing.assert_array_equal(value.greedy(G, 6, np.ones(60)), base)
    weights = np.linspace(0.5, 2.0, 60)
    order = value.greedy(G, 6, weights)
    chosen = []
    for j in order:
        before = value.value(G[chosen]) if chosen else 0.0
        gains = [
            (value.value(G[chosen + [i]]) - before) * weights[i]
            if i not in chosen
            else -np.inf
            for i in range(60)
        ]
        assert gains[j] == pytest.approx(max(gains), rel=1e-8)
        chosen.append(int(j))
    for bad in (np.ones(59), np.r_[np.ones(59), 0.0], np.r_[np.ones(59), np.nan]):
        with pytest.raises(ValueError, match="gain_weights must be 60 positive"):
            value.greedy(G, 6, bad)
    with pytest.raises(ValueError, match="got a smallest value of 0.0"):
        value.greedy(G, 6, np.r_[np.ones(59), 0.0])


@pytest.mark.parametrize("seed", range(5))
def test_rank_one_greedy_takes_the_general_steps(seed):
    # A zero column adds nothing to F_x = G G^T, so the general path on the
    # factors with one appended makes the same picks from the same gains.
    value, _, _ = _value(n_pool=150, n_classes=4, seed=seed, label="predicted")
    G = value.factors(np.arange(150))
    assert G.shape[2] == 1
    padded = torch.cat([G, torch.zeros_like(G)], 2)
    np.testing.assert_array_equal(value.greedy(G, 20), value.greedy(padded, 20))
    weights = np.random.RandomState(seed).uniform(0.5, 2.0, 150)
    np.testing.assert_array_equal(
        value.greedy(G, 20, weights), value.greedy(padded, 20, weights)
    )


def test_greedy_is_not_worse_than_random_batches():
    value, _, _ = _value(n_pool=200)
    G = value.factors(np.arange(200))
    greedy = value.value(G[value.greedy(G, 10)])
    rng = np.random.RandomState(0)
    randoms = [value.value(G[rng.choice(200, 10, replace=False)]) for _ in range(50)]
    assert greedy > max(randoms)


def test_whitening_dimension_is_capped_by_the_labelled_set():
    value, _, _ = _value(n_labeled=6, dim=12)
    assert value.dim == 3
    assert value.F_U.shape == (3 * (3 + 1), 3 * (3 + 1))


@pytest.mark.parametrize("shape", [(200, 12), (5, 12), (12, 12)])
def test_principal_axes_are_those_of_the_svd(shape):
    # Fewer rows than columns takes the other Gram matrix; either way the
    # leading axes and singular values are the SVD's, up to sign.
    from skautoal.search._fisher import _principal_axes

    rng = np.random.RandomState(0)
    E = torch.as_tensor(rng.randn(*shape) @ np.diag(np.linspace(3, 0.5, shape[1])))
    S, V = _principal_axes(E)
    _, S_ref, Vt = torch.linalg.svd(E, full_matrices=False)
    rank = min(shape)
    np.testing.assert_allclose(S[:rank], S_ref[:rank], rtol=1e-8)
    cosines = (V[:, : rank - 1] * Vt[: rank - 1].T).sum(0).abs()
    np.testing.assert_allclose(cosines, 1.0, atol=1e-8)


@pytest.mark.parametrize("shape", [(200, 12), (5, 12), (12, 12)])
@pytest.mark.parametrize("k", [1, 3, 4, 12, 30])
def test_leading_principal_axes_are_the_full_ones(shape, k):
    # The subset solver gives the leading pairs of the full decomposition
    # (k at least the number of axes: all of them).
    from skautoal.search._fisher import _principal_axes

    rng = np.random.RandomState(1)
    E = torch.as_tensor(rng.randn(*shape) @ np.diag(np.linspace(3, 0.5, shape[1])))
    S_all, V_all = _principal_axes(E)
    S, V = _principal_axes(E, k)
    m = min(k, min(shape))
    assert S.shape == (m,) and V.shape == (shape[1], m)
    np.testing.assert_allclose(S, S_all[:m], rtol=1e-10)
    rank = min(shape)
    kept = min(m, rank - 1)  # the last axis of a square E may be near zero
    cosines = (V[:, :kept] * V_all[:, :kept]).sum(0).abs()
    np.testing.assert_allclose(cosines, 1.0, atol=1e-8)


def test_whitened_pool_sample_has_identity_covariance():
    value, emb, _ = _value(n_pool=300, dim=4)
    z = value._whiten(torch.as_tensor(emb[:300], dtype=torch.float64))[:, :-1]
    np.testing.assert_allclose(torch.cov(z.T).numpy(), np.eye(4), atol=1e-8)


def test_gradient_optimiser_reaches_most_of_greedy():
    value, _, _ = _value(n_pool=120)
    G = value.factors(np.arange(120))
    masks = np.zeros((120, 3))
    rng = np.random.RandomState(0)
    for k in range(3):
        masks[rng.choice(120, 30, replace=False), k] = 1
    rows = np.flatnonzero(masks.any(1))
    order, beta = value.gradient(
        G[rows],
        masks[rows],
        10,
        strategy_logits=np.zeros(3),
        n_iter=100,
        lr=0.1,
        generator=torch.Generator().manual_seed(0),
    )
    assert len(set(order.tolist())) == 10 and beta.shape == (3,)
    greedy = value.value(G[rows][value.greedy(G[rows], 10)])
    assert value.value(G[rows][order]) >= 0.9 * greedy


@pytest.fixture(scope="module")
def fisher_querier(digits):
    X, y = digits
    net = default_net("mlp", (64,), 10, random_state=0, max_steps=60, device="cpu")
    return AutoALQuerier(net, n_queries=20, random_state=0).fit(X[:150], y[:150])


def test_default_search_is_the_fisher_search(fisher_querier, digits):
    X, _ = digits
    assert fisher_querier.search == "fisher" and fisher_querier.optimizer == "greedy"
    indices = fisher_querier.query(X[150:900])
    assert indices.dtype == np.int64 and len(np.unique(indices)) == 20
    history = fisher_querier.search_history_
    # The guard: never below the best single candidate's own batch.
    assert history["search_value"][-1] >= history["best_candidate_value"][-1]
    assert 20 <= history["n_proposals"][-1] <= 20 * len(fisher_querier.candidates_)


def test_query_is_deterministic(fisher_querier, digits):
    X, _ = digits
    import copy

    a = copy.deepcopy(fisher_querier).query(X[150:900])
    b = copy.deepcopy(fisher_querier).query(X[150:900])
    np.testing.assert_array_equal(a, b)


def _guarded_querier(X, y):
    """AutoAL with three candidates, fitted on 120 digits."""
    return AutoALQuerier(
        LogisticRegression(max_iter=300),
        strategies=[MarginSampling(), EntropySampling(), CoreSet()],
        n_queries=10,
        random_state=0,
    ).fit(X[:120], y[:120])


def test_guard_returns_a_candidate_batch_when_it_is_worth_more(digits, monkeypatch):
    X, y = digits
    querier = _guarded_querier(X, y)
    # A search that returns the worst proposals: the guard must step in.
    monkeypatch.setattr(
        FisherBatchValue, "greedy", lambda self, G, n: np.arange(len(G))[-n:]
    )
    picked = querier.query(X[120:700])
    history = querier.search_history_
    assert history["guard_used"][-1]
    assert history["search_value"][-1] == history["best_candidate_value"][-1]
    best = querier.candidates_[
        [type(c).__name__ for c in querier.candidates_].index(
            history["best_candidate"][-1]
        )
    ]
    expected = best.select(
        querier.estimator_, X[120:700], 10, X_labeled=X[:120], random_state=0
    )
    assert set(picked) == set(expected)


def test_shares_sum_to_one_and_move_smoothly(digits):
    X, y = digits
    net = default_net("mlp", (64,), 10, random_state=0, max_steps=40, device="cpu")
    querier = AutoALQuerier(net, n_queries=15, warm_start=True, random_state=0)
    labeled = list(range(60))
    previous = None
    for _ in range(3):
        querier.fit(X[labeled], y[labeled])
        free = np.setdiff1d(np.arange(60, 900), labeled)
        labeled += free[querier.query(X[free])].tolist()
        shares = np.array(list(querier.strategy_weights_.values()))
        assert shares.sum() == pytest.approx(1.0) and (shares >= 0).all()
        if previous is not None:
            assert 0.5 * np.abs(shares - previous).sum() <= querier.share_momentum
        previous = shares
    assert len(querier.strategy_weights_history_) == 3
    for record in querier.strategy_weights_history_:
        assert sum(record.values()) == pytest.approx(1.0)


def test_refit_without_warm_start_resets_shares(fisher_querier, digits):
    import copy

    X, y = digits
    querier = copy.deepcopy(fisher_querier)
    querier.query(X[150:900])
    querier.fit(X[:150], y[:150])
    assert querier.strategy_weights_history_ == []
    assert len(set(querier.strategy_weights_.values())) == 1


@pytest.mark.parametrize("surplus, fires", [(1e-13, False), (1e-6, True)])
def test_guard_treats_a_rounding_surplus_as_a_tie(digits, monkeypatch, surplus, fires):
    # A candidate batch worth more only by rounding (often the search's own
    # samples in another order) must not replace the search's batch: which
    # one rounding favours would decide the labels' order.
    X, y = digits
    querier = _guarded_querier(X, y)
    value_of = FisherBatchValue.value
    calls = []

    def value(self, G):
        calls.append(value_of(self, G))
        # The first call values the search's batch; the candidates' batches
        # come after and get the search's value plus the surplus.
        return calls[0] if len(calls) == 1 else calls[0] * (1 + surplus)

    monkeypatch.setattr(FisherBatchValue, "value", value)
    querier.query(X[120:700])
    assert querier.search_history_["guard_used"][-1] == fires


def test_sklearn_model_uses_standardised_features(digits):
    X, y = digits
    querier = AutoALQuerier(
        LogisticRegression(max_iter=300), n_queries=8, random_state=0
    ).fit(X[:100], y[:100])
    assert len(np.unique(querier.query(X[100:600]))) == 8


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("pool_weight", [0.0, 1.0])
def test_cuda_fisher_search_matches_cpu(digits, pool_weight):
    X, y = digits
    results = []
    for device in ("cpu", "cuda"):
        net = default_net("mlp", (64,), 10, random_state=0, max_steps=40, device="cpu")
        querier = AutoALQuerier(
            net,
            n_queries=10,
            random_state=0,
            device=device,
            fisher_pool_weight=pool_weight,
        )
        results.append(querier.fit(X[:100], y[:100]).query(X[100:700]))
    assert len(set(results[0]) & set(results[1])) >= 8


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_pool_weighted_fisher_matches_cpu():
    values = [_value(pool_weight=1.0, device=device) for device in ("cpu", "cuda")]
    np.testing.assert_allclose(
        values[1][0].F_U.cpu().numpy(), values[0][0].F_U.numpy(), rtol=1e-9, atol=1e-12
    )


def test_a_candidate_with_too_few_picks_is_an_error_not_a_short_batch(digits):
    from skautoal.strategies import BaseQueryStrategy

    class TooFew(BaseQueryStrategy):
        def _select(self, outputs, n_queries, *, labeled, random_state):
            return np.arange(2, dtype=np.int64)

    X, y = digits
    querier = AutoALQuerier(
        LogisticRegression(max_iter=300), strategies=[TooFew()], n_queries=5
    ).fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="TooFew returned 2 indices for n_queries=5"):
        querier.query(X[100:400])


def test_non_finite_outputs_raise_instead_of_arbitrary_picks():
    rng = np.random.RandomState(0)
    emb, proba = rng.randn(100, 5), rng.dirichlet(np.ones(3), 100)
    emb[7, 2] = np.nan
    with pytest.raises(ValueError, match="not finite"):
        FisherBatchValue(
            emb,
            proba,
            emb[:20],
            proba[:20],
            dim=3,
            reg=1.0,
            n_pool_samples=100,
            random_state=np.random.RandomState(0),
            device="cpu",
        )
    value, _, _ = _value(n_pool=50)
    G = value.factors(np.arange(50))
    G[4] = np.nan
    with pytest.raises(ValueError, match="gains of some proposals are not finite"):
        value.greedy(G, 5)
