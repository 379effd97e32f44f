"""
A strategy of your own
======================

Subclass :class:`~skautoal.strategies.BaseScoreStrategy` and implement
``_score(outputs)``: ``outputs`` gives the task model's probabilities and
embeddings, computed once per pool. The new strategy then works alone and as
an AutoAL candidate.

Here: information density (Settles & Craven, 2008), the entropy of a sample
times its mean cosine similarity to the pool, which prefers uncertain samples
in dense regions over uncertain outliers.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import entr
from sklearn.linear_model import LogisticRegression

from skautoal import AutoALQuerier
from skautoal.datasets import load_digits_data
from skautoal.strategies import BaseScoreStrategy, EntropySampling, MarginSampling


class InformationDensity(BaseScoreStrategy):
    """Entropy times mean cosine similarity to the pool."""

    def _score(self, outputs):
        emb = outputs.embedding
        unit = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        density = unit @ unit.mean(0)
        return entr(outputs.proba).sum(1) * density


X, y = load_digits_data()
model = LogisticRegression(max_iter=300).fit(X[:150], y[:150])
picked = InformationDensity().select(model, X[150:], 10, random_state=0)
print("information density picks:", picked)

querier = AutoALQuerier(
    LogisticRegression(max_iter=300),
    strategies=[InformationDensity(), MarginSampling(), EntropySampling()],
    n_queries=20,
    random_state=0,
).fit(X[:300], y[:300])
querier.query(X[300:])
# The share of the queried batch that each candidate proposed.
shares = querier.strategy_weights_history_[-1]
print("shares of the batch:", shares)

fig, ax = plt.subplots(figsize=(5, 3))
ax.bar(list(shares), list(shares.values()))
ax.set_ylabel("share of the batch proposed")
ax.set_title("AutoAL with a custom candidate")
fig.tight_layout()
