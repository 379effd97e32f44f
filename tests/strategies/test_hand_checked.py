"""Cases whose answer can be checked by hand."""

import numpy as np
import pytest

from skautoal.strategies import (
    BADGE,
    CoreSet,
    EntropySampling,
    LeastConfidence,
    MarginSampling,
)
from tests.helpers import FixedProba

PROBA = np.array(
    [
        [0.90, 0.05, 0.05],  # 0: confident
        [0.50, 0.45, 0.05],  # 1: margin 0.05
        [0.34, 0.33, 0.33],  # 2: nearly uniform
        [0.60, 0.20, 0.20],  # 3: margin 0.40
        [0.48, 0.47, 0.05],  # 4: margin 0.01
        [1.00, 0.00, 0.00],  # 5: certain
    ]
)


@pytest.fixture
def fixed():
    X = np.arange(6, dtype=float).reshape(-1, 1)
    return FixedProba(PROBA).fit(X, None), X


def test_margin_picks_exactly_the_smallest_margins(fixed):
    model, X = fixed
    assert list(MarginSampling().select(model, X, 3, random_state=0)) == [4, 2, 1]


def test_least_confidence_picks_the_least_confident(fixed):
    model, X = fixed
    assert list(LeastConfidence().select(model, X, 2, random_state=0)) == [2, 4]


def test_entropy_picks_the_most_uniform_first(fixed):
    model, X = fixed
    picked = EntropySampling().select(model, X, 1, random_state=0)
    assert list(picked) == [2]
    np.testing.assert_allclose(EntropySampling().score_samples(model, X)[5], 0.0)


def test_ties_are_broken_by_random_state():
    X = np.zeros((50, 1))
    model = FixedProba(np.full((1, 2), 0.5)).fit(X, None)
    first = MarginSampling().select(model, X, 5, random_state=0)
    again = MarginSampling().select(model, X, 5, random_state=0)
    other = MarginSampling().select(model, X, 5, random_state=1)
    np.testing.assert_array_equal(first, again)
    assert set(first) != set(other)


def test_coreset_takes_the_farthest_point_first():
    from sklearn.linear_model import LogisticRegression

    X = np.array([[0.0, 0], [1, 0], [0, 1], [10, 10], [5, 5]])
    model = LogisticRegression().fit(X, [0, 0, 1, 1, 1])
    picked = CoreSet().select(model, X, 2, X_labeled=np.zeros((1, 2)), random_state=0)
    # 3 is farthest from the origin; then 4 is 7.07 from both centres.
    assert list(picked) == [3, 4]


def test_badge_starts_with_the_largest_gradient_norm(fixed):
    model, X = fixed
    # |g| = |p - onehot(argmax p)| * |h| with h = x: row 4 gives 0.703 * 4,
    # more than row 2 (0.808 * 2) or row 3 (0.490 * 3).
    assert BADGE().select(model, X, 1, random_state=0)[0] == 4
