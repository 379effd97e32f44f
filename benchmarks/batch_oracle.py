"""What each candidate's batch, and the Fisher search's, is worth one step on.

From a labelled state of a suite block, this builds the round's query as
``AutoALQuerier`` does (the suite's task model fitted on the labelled set,
the candidates' picks on the rest of the pool, the Fisher value), then
labels each candidate's batch, the greedy search's batch and a random batch
in turn, refits the task model on the labelled set plus that batch (three
refits, other seeds) and scores it on the block's test split. Averaged over
seeds, that says whether the value ranks batches by what they are worth:

    OMP_NUM_THREADS=1 python benchmarks/batch_oracle.py fashion-mlp \\
        --state autoal --labels 400 --seeds 100-111 [--labeled-proba 0.5,uniform]

``--state random`` labels random pool samples (``--labels`` of them);
``--state autoal`` or ``--state badge`` runs that method's suite run for as
many rounds as reach ``--labels`` and starts from its labelled set, so the
state is the one the method itself reaches (the refit on that labelled set
must score what the run's model scored, or the script stops).
``--labeled-proba`` adds the
greedy batches of values whose labelled set's Fisher uses other
probabilities (``p ** t`` renormalised, or ``uniform``; the experiment of
``tune_autoal.py --variant x=fisher_labeled=...``). Use seeds outside the
reported 0-11.
"""

import argparse
import json
import os

# One thread, set before numpy loads its BLAS: the block's PCA and the fits
# then round as in a suite run.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

N_REFITS = 3


def _seeds(text):
    if "-" in text:
        first, last = map(int, text.split("-"))
        return list(range(first, last + 1))
    return [int(s) for s in text.split(",")]


def _labelled_state(block, method, n_labeled, seed, X, y, split):
    """The pool rows labelled in ``method``'s state with ``n_labeled`` labels,
    in the order ``simulate`` fits them, and the test accuracy the run's model
    reached on them (None for ``random``)."""
    from _suite_query import suite_net
    from sklearn.utils import check_random_state

    from skautoal.loop import simulate
    from skautoal.suite import BLOCKS, make_querier

    X_pool, X_test, y_pool, y_test = split
    b = BLOCKS[block]
    if method == "random":
        return np.random.RandomState(seed).permutation(len(y_pool))[:n_labeled], None
    rounds, extra = divmod(n_labeled - b.initial_size, b.n_queries)
    if extra or rounds < 0:
        raise SystemExit(
            f"--labels for --state {method} on {block} must be {b.initial_size} "
            f"plus a multiple of {b.n_queries}; got {n_labeled}."
        )
    querier = make_querier(
        method, suite_net(block, X, y, seed), b.n_queries, seed, "cpu"
    )
    curve = simulate(
        querier,
        X_pool,
        y_pool,
        X_test=X_test,
        y_test=y_test,
        initial_size=b.initial_size,
        n_rounds=rounds,
        random_state=seed,
    )
    # simulate's initial draw (loop._new_state); the caller checks it by
    # refitting, since the curve records only the queried rows.
    initial = check_random_state(seed).choice(
        len(y_pool), b.initial_size, replace=False
    )
    rows = np.concatenate([initial, *map(np.asarray, curve.queried[:rounds])])
    return rows, curve.scores[rounds]


def one_state(block, state, n_labeled, seed, labeled_kinds=()):
    """Test accuracy after each batch, and each batch's value, for one seed."""
    from _suite_query import block_data, search_inputs, suite_net
    from sklearn.model_selection import train_test_split
    from tune_autoal import labeled_proba

    from skautoal import AutoALQuerier
    from skautoal.search import FisherBatchValue
    from skautoal.suite import BLOCKS

    b = BLOCKS[block]
    X, y = block_data(block)
    split = train_test_split(X, y, test_size=b.test_size, stratify=y, random_state=seed)
    X_pool, X_test, y_pool, y_test = split
    lab, run_score = _labelled_state(block, state, n_labeled, seed, X, y, split)
    rest = np.setdiff1d(np.arange(len(y_pool)), lab)
    net = suite_net(block, X, y, seed)
    querier = AutoALQuerier(net, n_queries=b.n_queries, random_state=seed, device="cpu")
    querier.fit(X_pool[lab], y_pool[lab])
    if run_score is not None and querier.score(X_test, y_test) != run_score:
        # Not the run's labelled set (or not its model): every number below
        # would describe some other state.
        raise RuntimeError(
            f"The {state} run's state at {n_labeled} labels (seed {seed}) was not "
            f"rebuilt: its model scored {run_score}, the refit "
            f"{querier.score(X_test, y_test)}."
        )
    outputs, labeled, picks, union, value = search_inputs(
        querier, X_pool[rest], b.n_queries
    )
    batches = dict(zip(querier._names, picks, strict=True))
    batches["search"] = union[value.greedy(value.factors(union), b.n_queries)]
    batches["random"] = np.random.RandomState(seed + 7).choice(
        len(rest), b.n_queries, replace=False
    )
    for kind in labeled_kinds:
        other = FisherBatchValue(
            outputs.embedding,
            outputs.proba,
            labeled.embedding,
            labeled_proba(labeled.proba, kind),
            sample_rows=outputs.statistics_rows,
            dim=querier.fisher_dim,
            reg=querier.fisher_reg,
            n_pool_samples=querier.n_pool_samples,
            random_state=np.random.RandomState(0),
            device="cpu",
            rank=querier.fisher_rank,
            label=querier.fisher_label,
        )
        batches[f"labeled-proba={kind}"] = union[
            other.greedy(other.factors(union), b.n_queries)
        ]
    result = {}
    for name, batch in batches.items():
        rows = np.concatenate([lab, rest[np.asarray(batch)]])
        accuracy = []
        for refit in range(N_REFITS):
            model = suite_net(block, X, y, 1000 * refit + seed + 1)
            model.fit(X_pool[rows], y_pool[rows])
            accuracy.append(float((model.predict(X_test) == y_test).mean()))
        result[name] = {
            "value": float(value.value(value.factors(np.asarray(batch)))),
            "accuracy": float(np.mean(accuracy)),
        }
    confidence = {
        "labeled": float(labeled.proba.max(1).mean()),
        "pool": float(outputs.proba.max(1).mean()),
    }
    return result, confidence


def summarise(results, confidence):
    """Mean accuracy of each batch and its paired difference to the search's;
    the model's mean top probability on the labelled set and on the pool."""
    from scipy.stats import spearmanr

    names = list(results[0])
    ranked = [n for n in names if n != "random"]
    values = [[r[n]["value"] for n in ranked] for r in results]
    accuracies = [[r[n]["accuracy"] for n in ranked] for r in results]
    rho = [spearmanr(v, a)[0] for v, a in zip(values, accuracies, strict=True)]
    lines = [
        f"{len(results)} seeds; Spearman (value, accuracy) over the batches: "
        f"{np.mean(rho):.3f} (se {np.std(rho, ddof=1) / np.sqrt(len(rho)):.3f})",
        "mean top probability of the model of the state: labelled set "
        f"{np.mean([c['labeled'] for c in confidence]):.3f}, pool "
        f"{np.mean([c['pool'] for c in confidence]):.3f}",
        "| batch | accuracy | minus the search's | s.e. | value / the search's |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        d = np.array([r[name]["accuracy"] - r["search"]["accuracy"] for r in results])
        se = d.std(ddof=1) / np.sqrt(len(d))
        mean = np.mean([r[name]["accuracy"] for r in results])
        ratio = np.mean([r[name]["value"] / r["search"]["value"] for r in results])
        lines.append(
            f"| {name} | {mean:.4f} | {d.mean():+.4f} | {se:.4f} | {ratio:.3f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("block")
    parser.add_argument(
        "--state", choices=["random", "autoal", "badge"], default="random"
    )
    parser.add_argument("--labels", type=int, default=400)
    parser.add_argument("--seeds", default="100-111")
    parser.add_argument("--labeled-proba", default="")
    parser.add_argument("--out", help="write the per-seed results as JSON")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    kinds = [k for k in args.labeled_proba.split(",") if k]
    pairs = [
        one_state(args.block, args.state, args.labels, seed, kinds)
        for seed in _seeds(args.seeds)
    ]
    results, confidence = [p[0] for p in pairs], [p[1] for p in pairs]
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"batches": results, "top_probability": confidence}, f)
    print(summarise(results, confidence))


if __name__ == "__main__":
    main()
