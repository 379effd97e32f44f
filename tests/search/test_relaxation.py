"""The relaxed top-k of the search: its count and its implicit gradient."""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from skautoal.search import soft_top_k


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 200),
    k_frac=st.floats(0.01, 0.99),
    temperature=st.one_of(st.just("auto"), st.floats(1e-3, 1e2)),
    scale=st.sampled_from([1e-3, 1.0, 1e3]),
    seed=st.integers(0, 2**16),
)
def test_soft_count_is_k_at_any_temperature(n, k_frac, temperature, scale, seed):
    """The solved threshold makes sum(s) = k, whatever the scores' scale and
    the temperature, so the selection keeps its size."""
    rng = np.random.RandomState(seed)
    k = max(1, min(n - 1, int(round(k_frac * n))))
    scores = torch.as_tensor(rng.randn(n) * scale, dtype=torch.float64)
    s = soft_top_k(scores, k, temperature=temperature)
    assert torch.isfinite(s).all()
    assert ((s >= 0) & (s <= 1)).all()
    np.testing.assert_allclose(float(s.sum()), k, rtol=1e-6, atol=1e-6)


def test_implicit_gradient_matches_finite_differences():
    """With a fixed temperature, the gradient of the relaxed selection is
    that of the true function r -> sigmoid((r - theta(r)) / tau), whose
    threshold theta(r) is re-solved for every perturbed r."""
    rng = np.random.RandomState(0)
    scores = torch.tensor(rng.randn(12), dtype=torch.float64, requires_grad=True)
    weights = torch.as_tensor(rng.randn(12), dtype=torch.float64)

    def objective(r):
        return (soft_top_k(r, 4, temperature=0.5) * weights).sum()

    assert torch.autograd.gradcheck(objective, (scores,), eps=1e-6, atol=1e-5)


def test_lowering_one_score_lets_the_others_in():
    scores = torch.tensor([0.0, 1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    s = soft_top_k(scores, 2, temperature=0.5)
    (grad,) = torch.autograd.grad(s[3], scores, retain_graph=True)
    assert grad[3] > 0  # raising a score raises its own selection ...
    assert (grad[:3] <= 0).all()  # ... and lowers the others', keeping the count
    np.testing.assert_allclose(
        torch.autograd.grad(s.sum(), scores)[0].numpy(), 0, atol=1e-10
    )
