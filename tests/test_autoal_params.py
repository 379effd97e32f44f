"""Every public parameter of AutoALQuerier does what its docstring says, or
at least is not ignored (a parameter without effect is a silent defect)."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from skautoal import AutoALQuerier
from skautoal.strategies import CoreSet, EntropySampling, MarginSampling


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:150], y[:150], X[150:600]


def _fisher(**params):
    base = dict(
        strategies=[MarginSampling(), EntropySampling(), CoreSet()],
        n_queries=15,
        random_state=0,
        device="cpu",
    )
    return AutoALQuerier(LogisticRegression(max_iter=300), **{**base, **params})


def test_fisher_dim_sets_the_whitening_dimension(data):
    X, y, pool = data
    for dim in (2, 5):
        querier = _fisher(fisher_dim=dim).fit(X, y)
        querier.query(pool)
        assert querier.search_history_["fisher_dim"] == [dim]


def test_fisher_reg_shrinks_the_batch_value(data):
    # A larger ridge on the labelled Fisher leaves less for a batch to add.
    X, y, pool = data
    values = []
    for reg in (0.1, 10.0):
        querier = _fisher(fisher_reg=reg).fit(X, y)
        querier.query(pool)
        values.append(querier.search_history_["search_value"][0])
    assert values[0] > values[1] > 0


def test_n_pool_samples_changes_the_pool_statistics(data):
    X, y, pool = data
    values = []
    for n in (20, 400):
        querier = _fisher(n_pool_samples=n).fit(X, y)
        querier.query(pool)
        values.append(querier.search_history_["search_value"][0])
    assert values[0] != values[1]


def test_fisher_rank_cuts_each_proposals_fisher(data):
    # Ten classes: the Fisher of a sample has rank 9. A rank of 9 or None
    # keeps it whole (the same query); a cut changes the value it searches.
    X, y, pool = data
    results = {}
    for rank in (None, 9, 2):
        querier = _fisher(fisher_label="expected", fisher_rank=rank).fit(X, y)
        results[rank] = (querier.query(pool), querier.search_history_)
    np.testing.assert_array_equal(results[None][0], results[9][0])
    assert results[None][1]["search_value"] == results[9][1]["search_value"]
    assert results[2][1]["search_value"] != results[None][1]["search_value"]
    with pytest.raises(ValueError, match="'fisher_rank' parameter"):
        _fisher(fisher_rank=0).fit(X, y)


def test_fisher_label_sets_the_proposals_information(data):
    # "predicted" counts each proposal's predicted label only (rank 1), so the
    # rank cut no longer applies: fisher_rank changes nothing then.
    X, y, pool = data
    results = {}
    for label, rank in [("expected", 4), ("predicted", 4), ("predicted", None)]:
        querier = _fisher(fisher_label=label, fisher_rank=rank).fit(X, y)
        results[label, rank] = (querier.query(pool), querier.search_history_)
    same = results["predicted", 4], results["predicted", None]
    np.testing.assert_array_equal(same[0][0], same[1][0])
    assert same[0][1]["search_value"] == same[1][1]["search_value"]
    assert results["expected", 4][1]["search_value"] != same[0][1]["search_value"]
    with pytest.raises(ValueError, match="'fisher_label' parameter"):
        _fisher(fisher_label="argmax").fit(X, y)


@pytest.mark.parametrize("momentum", [1.0, 0.01])
def test_share_momentum_smooths_the_shares(data, momentum):
    X, y, pool = data
    querier = _fisher(share_momentum=momentum, warm_start=True).fit(X, y)
    querier.query(pool)
    # query leaves the shares; the next warm-started fit moves them.
    uniform = np.full(
        len(querier.strategy_weights_), 1 / len(querier.strategy_weights_)
    )
    np.testing.assert_allclose(list(querier.strategy_weights_.values()), uniform)
    querier.fit(X, y)
    shares = np.array(list(querier.strategy_weights_.values()))
    credit = np.array(list(querier.strategy_weights_history_[-1].values()))
    if momentum == 1.0:  # the shares are this query's credit
        np.testing.assert_allclose(shares, credit)
    else:  # they barely move from equal shares
        np.testing.assert_allclose(shares, uniform, atol=0.01)
        assert not np.allclose(credit, uniform, atol=0.01)


def test_gradient_iter_and_lr_drive_the_gradient_optimiser(data):
    # No step, or steps too small to move, keep the starting selection;
    # the default steps move it.
    X, y, pool = data
    picks = {}
    for name, params in {
        "none": dict(gradient_iter=0),
        "tiny": dict(gradient_lr=1e-9),
        "default": {},
    }.items():
        querier = _fisher(optimizer="gradient", **params).fit(X, y)
        picks[name] = querier.query(pool)
    np.testing.assert_array_equal(picks["none"], picks["tiny"])
    assert not np.array_equal(picks["none"], picks["default"])


def _simulation(**params):
    base = dict(
        strategies=[MarginSampling(), EntropySampling(), CoreSet()],
        search="simulation",
        n_queries=15,
        n_cycles=1,
        pretrain_iter=3,
        search_iter=3,
        random_state=0,
        device="cpu",
    )
    return AutoALQuerier(LogisticRegression(max_iter=300), **{**base, **params})


def _search_net_state(querier):
    return torch.cat([p.detach().flatten() for p in querier.search_net_.parameters()])


def _fit_net_state(querier):
    return torch.cat([p.detach().flatten() for p in querier.fit_net_.parameters()])


@pytest.mark.parametrize(
    "param, value",
    [
        ("search_net_lr", 0.5),
        ("search_weight_decay", 1.0),
        ("search_batch_size", 8),
        ("selection_ratio", 0.5),
        ("count_weight", 5.0),
        ("temperature", 1e-3),
    ],
)
def test_simulation_parameters_change_what_searchnet_learns(data, param, value):
    X, y, _ = data
    default = _search_net_state(_simulation().fit(X, y))
    again = _search_net_state(_simulation().fit(X, y))
    torch.testing.assert_close(default, again)  # reproducible, so a change counts
    changed = _search_net_state(_simulation(**{param: value}).fit(X, y))
    assert not torch.allclose(default, changed), f"{param}={value} had no effect"


def test_fit_net_lr_changes_what_fitnet_learns(data):
    X, y, _ = data
    default = _fit_net_state(_simulation().fit(X, y))
    changed = _fit_net_state(_simulation(fit_net_lr=0.5).fit(X, y))
    assert not torch.allclose(default, changed)


def test_update_fit_net_trains_fitnet_during_the_search(data):
    # With update_fit_net=False only the pre-training moves FitNet, so with
    # no pre-training it stays at its initialisation.
    X, y, _ = data
    frozen = _simulation(pretrain_iter=0, update_fit_net=False).fit(X, y)
    trained = _simulation(pretrain_iter=0, update_fit_net=True).fit(X, y)
    init = _simulation(pretrain_iter=0, search_iter=0).fit(X, y)
    torch.testing.assert_close(_fit_net_state(frozen), _fit_net_state(init))
    assert not torch.allclose(_fit_net_state(trained), _fit_net_state(init))


def test_nonnegative_weights_clamps_the_per_sample_weights(data):
    # A pool sample's score is the sum of SearchNet's weights over the
    # candidates that picked it: never negative with softplus-ed weights.
    X, y, pool = data
    scores = {}
    for nonnegative in (True, False):
        querier = _simulation(nonnegative_weights=nonnegative).fit(X, y)
        scores[nonnegative] = querier.query(pool, return_scores=True)[1]
    assert (scores[True] >= 0).all()
    assert not np.allclose(scores[True], scores[False])
