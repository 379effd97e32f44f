import numpy as np

from ..base import BaseScoreStrategy


class _ProbaStrategy(BaseScoreStrategy):
    """A strategy that reads only the predicted probabilities."""

    @property
    def uses_embedding(self):
        return False


_EXAMPLE = """
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.strategies import {name}
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X[::3], y[::3])
    >>> {name}().select(model, X, 3, random_state=0).shape
    (3,)
"""


class LeastConfidence(_ProbaStrategy):
    __doc__ = """Select the samples whose most likely class is least probable.

    Score: ``1 - max_c p_c(x)``.
""" + _EXAMPLE.format(name="LeastConfidence")

    def _score(self, outputs):
        return 1.0 - outputs.proba_by_class.max(0)


class MarginSampling(_ProbaStrategy):
    __doc__ = """Select the samples with the smallest gap between the two most
    likely classes.

    Score: ``1 - (p_(1)(x) - p_(2)(x))``, with ``p_(1) >= p_(2)`` the two
    largest probabilities.
""" + _EXAMPLE.format(name="MarginSampling")

    def _score(self, outputs):
        by_class = outputs.proba_by_class
        if by_class.shape[0] < 2:
            return np.zeros(by_class.shape[1])
        first = by_class[0].copy()
        second = np.full_like(first, -np.inf)
        for column in by_class[1:]:
            np.maximum(second, np.minimum(first, column), out=second)
            np.maximum(first, column, out=first)
        return 1.0 - (first - second)


class EntropySampling(_ProbaStrategy):
    __doc__ = """Select the samples whose predictive distribution has the largest
    entropy.

    Score: ``H(p(x)) = -sum_c p_c(x) log p_c(x)``.
""" + _EXAMPLE.format(name="EntropySampling")

    def _score(self, outputs):
        by_class = outputs.proba_by_class
        # p log p with log(0) clipped to a finite value, so 0 log 0 = 0; five
        # times faster than scipy.special.entr on float32.
        log_p = np.log(np.maximum(by_class, np.finfo(by_class.dtype).tiny))
        log_p *= by_class
        return -log_p.sum(0, dtype=np.float64)
