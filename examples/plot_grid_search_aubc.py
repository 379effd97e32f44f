"""
Choosing a querier by labelling efficiency
==========================================

``GridSearchCV`` with :func:`~skautoal.metrics.make_aubc_scorer` rates each
querier configuration by the AUBC of a short simulated active-learning run on
the validation fold, rather than by accuracy. The querier sits at the end of
a :func:`skautoal.pipeline.make_pipeline`, whose ``query`` passes the pool
through the scaler first.
"""

from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

from skautoal import AutoALQuerier
from skautoal.datasets import load_digits_data
from skautoal.metrics import make_aubc_scorer
from skautoal.pipeline import make_pipeline
from skautoal.strategies import EntropySampling, MarginSampling, RandomSampling

X, y = load_digits_data()
pipe = make_pipeline(
    StandardScaler(),
    AutoALQuerier(
        LogisticRegression(max_iter=300),
        n_queries=20,
        random_state=0,
    ),
)
grid = GridSearchCV(
    pipe,
    {
        "autoalquerier__strategies": [
            [MarginSampling(), EntropySampling()],
            [MarginSampling(), RandomSampling()],
        ],
        "autoalquerier__search": ["fisher", "simulation"],
    },
    scoring=make_aubc_scorer(initial_size=30, n_rounds=3),
    cv=2,
).fit(X[:900], y[:900])

for params, score in zip(
    grid.cv_results_["params"], grid.cv_results_["mean_test_score"], strict=True
):
    names = [type(s).__name__ for s in params["autoalquerier__strategies"]]
    print(f"{names} search={params['autoalquerier__search']}: AUBC {score:.4f}")
print("next to label:", grid.best_estimator_.query(X[900:], 10))
