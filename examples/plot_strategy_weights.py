"""
Strategy shares over rounds
===========================

Run a simulated active-learning experiment with
:func:`skautoal.loop.simulate` and plot which candidates proposed AutoAL's
batches as labels accumulate: the share of each round's batch (thin lines)
and the smoothed shares that ``strategy_weights_`` reports (thick lines).
With ``warm_start=True`` the smoothed shares carry over from round to round.
"""

import matplotlib.pyplot as plt
import numpy as np

from skautoal import AutoALQuerier
from skautoal.datasets import load_digits_data
from skautoal.loop import simulate
from skautoal.models import default_net

X, y = load_digits_data()
rng = np.random.RandomState(0)
order = rng.permutation(len(X))
pool, test = order[:1200], order[1200:]

net = default_net("mlp", X.shape[1:], 10, random_state=0)
querier = AutoALQuerier(net, n_queries=40, warm_start=True, random_state=0)
curve = simulate(
    querier,
    X[pool],
    y[pool],
    X_test=X[test],
    y_test=y[test],
    initial_size=60,
    n_rounds=4,
    random_state=0,
)
print("AUBC:", round(curve.aubc, 4))

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.plot(curve.n_labeled, curve.scores, marker="o")
left.set(xlabel="labelled samples", ylabel="test accuracy", title="learning curve")
# curve.strategy_weights[i] is strategy_weights_ after the fit of round i: the
# shares smoothed over the queries before it (equal at the start).
names = list(curve.strategy_weights[0])
colours = plt.get_cmap("tab10").colors
for name, colour in zip(names, colours, strict=False):
    right.plot(
        curve.n_labeled,
        [w[name] for w in curve.strategy_weights],
        marker="o",
        lw=2,
        color=colour,
        label=name,
    )
right.set(
    xlabel="labelled samples",
    ylabel="share of the batch proposed",
    title="smoothed strategy shares",
)
right.legend(fontsize=7, ncol=2)
fig.tight_layout()
