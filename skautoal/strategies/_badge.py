import torch

from ..base import BaseQueryStrategy
from ..utils._torch import as_tensor
from ._kernels import d2_sampling, row_sqnorms


class BADGE(BaseQueryStrategy):
    """Batch Active learning by Diverse Gradient Embeddings (Ash et al., 2020).

    Each sample's gradient embedding is the gradient of the cross-entropy,
    with the predicted class as label, with respect to the last linear
    layer: ``g_i = a_i h_i^T`` with ``a_i = p_i - onehot(argmax p_i)`` and
    ``h_i`` the embedding. The batch is chosen by k-means++ seeding on the
    ``g_i``: the first is the largest norm, each next one is drawn with
    probability proportional to its squared distance to the nearest chosen.

    The distances use ``<g_i, g_j> = <a_i, a_j> <h_i, h_j>``, so each step
    costs O(N (C + D)) and memory stays O(N (C + D)): the N x C x D tensor of
    gradient embeddings is never built. Runs in torch on the model's device.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skautoal.strategies import BADGE
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(max_iter=500).fit(X[::3], y[::3])
    >>> BADGE().select(model, X, 3, random_state=0).shape
    (3,)
    """

    def _select(self, outputs, n_queries, *, labeled, random_state):
        a, h = outputs.badge_factors()
        a = as_tensor(a, outputs.device)
        h = as_tensor(h, outputs.device)
        sq_norm = row_sqnorms(a) * row_sqnorms(h)

        def sqdist(rows, i):
            if rows is None:
                return sq_norm + sq_norm[i] - 2 * (a @ a[i]) * (h @ h[i])
            return sq_norm[rows] + sq_norm[i] - 2 * (a[rows] @ a[i]) * (h[rows] @ h[i])

        first = int(torch.argmax(sq_norm))
        return d2_sampling(n_queries, first, sqdist, a.shape[0], random_state, a.device)
