"""
An annotation loop: query, label, teach, save, resume
=====================================================

:class:`~skautoal.loop.ActiveLearner` is the loop for real annotators. Each
round it fits AutoAL on every label so far and proposes samples; a person
labels them and the labels are taught back. ``save`` writes the labels (as
arrays and JSON: loading runs no code from the file), so the work survives a
closed laptop: the next session rebuilds the querier and the pool in code and
``load`` checks that they are the same ones.

Here the digits labels play the annotator.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skautoal import AutoALQuerier
from skautoal.datasets import load_digits_data
from skautoal.loop import ActiveLearner
from skautoal.models import default_net

X, y = load_digits_data()
rng = np.random.RandomState(0)
order = rng.permutation(len(X))
test, pool, seed_set = order[:500], order[500:], order[500:530]
X_pool, y_pool = X[pool], y[pool]  # y_pool is what the annotator would answer


def make_querier():
    """The same querier in every session (same parameters, same seed)."""
    net = default_net("mlp", X.shape[1:], 10, random_state=0)
    return AutoALQuerier(net, n_queries=20, warm_start=True, random_state=0)


# Session 1: 30 labels to start, three rounds of 20.
learner = ActiveLearner(
    make_querier(), X_pool, X_labeled=X[seed_set], y_labeled=y[seed_set]
)
history = []
for _ in range(3):
    picked = learner.query()
    history.append((learner.n_labeled, learner.querier.score(X[test], y[test])))
    learner.teach(picked, y_pool[picked])  # the annotator's answers
folder = Path(tempfile.mkdtemp())
learner.save(folder / "labels.npz")
print(f"session 1: {learner.n_labeled} labels saved")

# Session 2: rebuild querier and pool in code, load the labels, go on.
learner = ActiveLearner.load(folder / "labels.npz", make_querier(), X_pool)
for _ in range(3):
    picked = learner.query()
    history.append((learner.n_labeled, learner.querier.score(X[test], y[test])))
    learner.teach(picked, y_pool[picked])
print(f"session 2: {learner.n_labeled} labels")

n_labeled, accuracy = zip(*history, strict=True)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(n_labeled, accuracy, "o-", color="black")
ax.axvline(90, color="grey", ls="--", lw=1)
ax.text(91, min(accuracy), "saved, loaded", color="grey", fontsize=8)
ax.set(xlabel="labelled samples", ylabel="test accuracy", title="Two sessions")
fig.tight_layout()
plt.show()
