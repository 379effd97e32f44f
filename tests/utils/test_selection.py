"""top_k: the k largest, ties broken by the random state (seeded)."""

import numpy as np
import pytest

from skautoal.utils import top_k


def test_order_is_largest_first():
    scores = np.array([0.1, 0.9, 0.5, 0.7])
    assert top_k(scores, 3, np.random.RandomState(0)).tolist() == [1, 3, 2]


def test_ties_are_broken_at_random_and_seeded():
    scores = np.zeros(100)
    scores[:3] = 1.0  # three clear winners, then 97 ties for the last two slots
    picks = [tuple(top_k(scores, 5, np.random.RandomState(s))) for s in range(20)]
    for picked in picks:
        assert set(picked[:3]) == {0, 1, 2}
        assert len(set(picked)) == 5
    assert len({p[3:] for p in picks}) > 10  # the tied slots vary with the seed
    again = tuple(top_k(scores, 5, np.random.RandomState(7)))
    assert again == picks[7]


def test_all_tied_is_a_seeded_permutation():
    picked = top_k(np.ones(50), 50, np.random.RandomState(0))
    assert sorted(picked.tolist()) == list(range(50))
    assert picked.tolist() != list(range(50))


@pytest.mark.parametrize("k", [0, 1, 7, 30])
def test_length_dtype_and_uniqueness(k):
    scores = np.random.RandomState(1).randint(0, 4, size=30).astype(float)
    picked = top_k(scores, k, np.random.RandomState(0))
    assert picked.dtype == np.int64 and len(picked) == k == len(set(picked.tolist()))
    if k:
        assert scores[picked].min() >= np.sort(scores)[::-1][k - 1]
