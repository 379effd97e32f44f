"""
Query strategies on digits
==========================

Fit a skorch MLP on 100 digits and ask each candidate strategy which ten pool
samples it would label next.
"""

import numpy as np
import torch
from sklearn.datasets import load_digits
from skorch import NeuralNetClassifier

from skautoal.models import MLPModule
from skautoal.strategies import BADGE, CoreSet, EntropySampling, MarginSampling

X, y = load_digits(return_X_y=True)
X = (X / 16).astype(np.float32)
torch.manual_seed(0)
net = NeuralNetClassifier(
    MLPModule,
    module__n_classes=10,
    optimizer=torch.optim.Adam,
    lr=0.005,
    max_epochs=60,
    train_split=None,
    verbose=0,
).fit(X[:100], y[:100])

X_pool, y_pool = X[100:], y[100:]
wrong = net.predict(X_pool) != y_pool
for strategy in [MarginSampling(), EntropySampling(), CoreSet(), BADGE()]:
    picked = strategy.select(net, X_pool, 10, X_labeled=X[:100], random_state=0)
    name = type(strategy).__name__
    print(f"{name:>16}: {picked}, misclassified {wrong[picked].mean():.0%}")
