import numpy as np
from scipy.special import entr

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
        return 1.0 - outputs.proba.max(1)


class MarginSampling(_ProbaStrategy):
    __doc__ = """Select the samples with the smallest gap between the two most
    likely classes.

    Score: ``1 - (p_(1)(x) - p_(2)(x))``, with ``p_(1) >= p_(2)`` the two
    largest probabilities.
""" + _EXAMPLE.format(name="MarginSampling")

    def _score(self, outputs):
        proba = outputs.proba
        if proba.shape[1] < 2:
            return np.zeros(proba.shape[0])
        rows = np.arange(proba.shape[0])
        top = proba.argmax(1)
        first = proba[rows, top]
        rest = proba.copy()
        rest[rows, top] = -np.inf
        return 1.0 - (first - rest.max(1))


class EntropySampling(_ProbaStrategy):
    __doc__ = """Select the samples whose predictive distribution has the largest
    entropy.

    Score: ``H(p(x)) = -sum_c p_c(x) log p_c(x)``.
""" + _EXAMPLE.format(name="EntropySampling")

    def _score(self, outputs):
        return entr(outputs.proba).sum(1, dtype=np.float64)
