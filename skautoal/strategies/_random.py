from ..base import BaseQueryStrategy


class RandomSampling(BaseQueryStrategy):
    """Select samples uniformly at random, without replacement.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.strategies import RandomSampling
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X[::3], y[::3])
    >>> RandomSampling().select(model, X, 3, random_state=0)
    array([114,  62,  33])
    """

    @property
    def uses_embedding(self):
        return False

    def _select(self, outputs, n_queries, *, labeled, random_state):
        return random_state.choice(len(outputs), n_queries, replace=False).astype(
            "int64"
        )
