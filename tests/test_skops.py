"""Fitted queriers saved and read back with skops, the safe alternative to
pickle: loading runs no code from the file, only types the caller trusts."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from skautoal import AutoALQuerier
from skautoal.baselines import BAITQuerier, StrategyQuerier, UniformVoteQuerier
from skautoal.models import default_net
from skautoal.strategies import BADGE

sio = pytest.importorskip("skops.io")
from skops.io.exceptions import UntrustedTypesFoundException  # noqa: E402


def _queriers(X):
    net = default_net("mlp", X.shape[1:], 10, random_state=0, max_steps=30)
    logreg = LogisticRegression(max_iter=300)
    return {
        "autoal-net": AutoALQuerier(net, n_queries=8, random_state=0),
        "bait-logreg": BAITQuerier(logreg, n_queries=8, random_state=0),
        "badge-net": StrategyQuerier(net, BADGE(), n_queries=8, random_state=0),
        "vote-logreg": UniformVoteQuerier(logreg, n_queries=8, random_state=0),
    }


@pytest.mark.filterwarnings("ignore:The task model has no dropout")
@pytest.mark.parametrize(
    "name", ["autoal-net", "bait-logreg", "badge-net", "vote-logreg"]
)
def test_skops_round_trip_keeps_picks_and_probabilities(digits, tmp_path, name):
    X, y = digits
    querier = _queriers(X)[name].fit(X[:120], y[:120])
    path = tmp_path / "querier.skops"
    sio.dump(querier, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert any(t.startswith("skautoal.") for t in untrusted)
    # Not trusting the types refuses the file before anything in it runs.
    with pytest.raises(UntrustedTypesFoundException):
        sio.load(path)
    loaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.query(X[120:600]), querier.query(X[120:600]))
    np.testing.assert_array_equal(
        loaded.predict_proba(X[600:700]), querier.predict_proba(X[600:700])
    )
    # The loaded querier goes on: another round on more labels.
    assert len(np.unique(loaded.fit(X[:160], y[:160]).query(X[160:600]))) == 8
