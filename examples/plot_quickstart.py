"""
Query strategies on digits
==========================

Fit a skorch MLP on 100 digits and ask each candidate strategy which ten pool
samples it would label next.
"""

from skautoal.datasets import load_digits_data
from skautoal.models import default_net
from skautoal.strategies import BADGE, CoreSet, EntropySampling, MarginSampling

X, y = load_digits_data()
net = default_net("mlp", X.shape[1:], 10, random_state=0).fit(X[:100], y[:100])

X_pool, y_pool = X[100:], y[100:]
wrong = net.predict(X_pool) != y_pool
for strategy in [MarginSampling(), EntropySampling(), CoreSet(), BADGE()]:
    picked = strategy.select(net, X_pool, 10, X_labeled=X[:100], random_state=0)
    name = type(strategy).__name__
    print(f"{name:>16}: {picked}, misclassified {wrong[picked].mean():.0%}")
