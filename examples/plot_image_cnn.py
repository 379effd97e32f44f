"""
Images: a CNN task model on digits as 1 x 8 x 8
===============================================

Images are arrays shaped (N, C, H, W). With a CNN task model, the candidates
read its embeddings (``CNNModule.embed``) and MC-dropout passes; AutoAL's
batch value works on the same embeddings.
"""

import matplotlib.pyplot as plt

from skautoal import AutoALQuerier
from skautoal.datasets import load_digits_data
from skautoal.models import default_net

X, y = load_digits_data(images=True)
print("images:", X.shape)

net = default_net("cnn", X.shape[1:], 10, random_state=0)
querier = AutoALQuerier(net, n_queries=8, random_state=0).fit(X[:300], y[:300])
picked = querier.query(X[300:])
print("accuracy on the pool:", round(querier.score(X[300:], y[300:]), 3))
print("candidates:", [type(c).__name__ for c in querier.candidates_])

fig, axes = plt.subplots(1, len(picked), figsize=(1.4 * len(picked), 1.8))
for ax, index in zip(axes, picked, strict=True):
    ax.imshow(X[300 + index, 0], cmap="gray_r")
    ax.set_title(f"label {y[300 + index]}", fontsize=8)
    ax.set_axis_off()
fig.suptitle("the next digits to label")
fig.tight_layout()
