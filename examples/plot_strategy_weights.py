"""
Learned strategy weights over rounds
====================================

Run a simulated active-learning experiment with
:func:`skautoal.loop.simulate` and plot how AutoAL's learned weight for each
candidate changes as labels accumulate.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from skorch import NeuralNetClassifier

from skautoal import AutoALQuerier
from skautoal.datasets import load_digits_data
from skautoal.loop import simulate
from skautoal.models import MLPModule

X, y = load_digits_data()
rng = np.random.RandomState(0)
order = rng.permutation(len(X))
pool, test = order[:1200], order[1200:]

net = NeuralNetClassifier(
    MLPModule,
    module__n_classes=10,
    module__n_features=64,
    optimizer=torch.optim.Adam,
    lr=0.005,
    max_epochs=30,
    train_split=None,
    verbose=0,
)
querier = AutoALQuerier(net, n_queries=40, random_state=0)
curve = simulate(
    querier,
    X[pool],
    y[pool],
    X_test=X[test],
    y_test=y[test],
    initial_size=60,
    n_rounds=4,
    random_state=0,
    progress=False,
)
print("AUBC:", round(curve.aubc, 4))

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(curve.n_labeled, curve.scores, marker="o")
left.set(xlabel="labelled samples", ylabel="test accuracy", title="learning curve")
for name in curve.strategy_weights[0]:
    right.plot(
        curve.n_labeled,
        [w[name] for w in curve.strategy_weights],
        marker="o",
        label=name,
    )
right.set(xlabel="labelled samples", ylabel="weight share", title="learned weights")
right.legend(fontsize=7, ncol=2)
fig.tight_layout()
