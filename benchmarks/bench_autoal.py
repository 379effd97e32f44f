"""AutoAL on digits: does the search learn, and what does a round cost?

Protocol (the AutoALQuerier issue): a skorch MLP task model, 300 random
labels, the rest of digits as the pool, n_queries=50, several seeds.

(a) Search diagnostics: on the simulated pool V, the mean final FitNet loss
    of the samples AutoAL selects against those the equal-weight vote of the
    same candidates selects, and the learned strategy weights.
(c) Out of sample: on 500 further digits (labelled, never seen by the task
    model), the task model's own cross-entropy on the samples AutoAL queries
    against those UniformVoteQuerier (the same candidates, equal weights)
    queries. This is what a query is for; (a) is measured on V, which
    SearchNet was trained on.
(b) Cost: the time of ``fit`` split into task-model training, the
    simulation's task-model clone, the candidates' passes and SearchNet/
    FitNet training, plus ``query``, against one EntropySampling round
    (fitting the same task model, then one entropy query). Reported as a
    ratio measured in this one run.

    python benchmarks/bench_autoal.py [--seeds 5]
"""

import argparse
import ast
import time

import numpy as np
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from skorch import NeuralNetClassifier

from skautoal import AutoALQuerier
from skautoal.baselines import UniformVoteQuerier
from skautoal.models import MLPModule
from skautoal.strategies import EntropySampling


def task_model():
    return NeuralNetClassifier(
        MLPModule,
        module__n_classes=10,
        module__n_features=64,
        optimizer=torch.optim.Adam,
        lr=0.005,
        max_epochs=40,
        batch_size=64,
        train_split=None,
        verbose=0,
    )


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-labeled", type=int, default=300)
    parser.add_argument("--n-queries", type=int, default=50)
    parser.add_argument(
        "--params",
        default="",
        help="extra AutoALQuerier parameters, e.g. 'search_iter=60'",
    )
    args = parser.parse_args(argv)
    extra = {}
    for item in filter(None, args.params.split(",")):
        key, value = item.split("=")
        extra[key.strip()] = _literal(value.strip())
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    # Warm torch up so the first timed fit does not pay for it.
    clone(task_model()).fit(X[:100], y[:100])

    rows, weights, timings, out_of_sample = [], [], [], []
    for seed in range(args.seeds):
        order = np.random.RandomState(seed).permutation(len(X))
        lab, pool = order[: args.n_labeled], order[args.n_labeled :]

        start = time.perf_counter()
        torch.manual_seed(seed)
        net = clone(task_model()).fit(X[lab], y[lab])
        entropy_fit = time.perf_counter() - start
        start = time.perf_counter()
        EntropySampling().select(net, X[pool], args.n_queries, random_state=seed)
        entropy_query = time.perf_counter() - start

        querier = AutoALQuerier(
            task_model(), n_queries=args.n_queries, random_state=seed, **extra
        )
        start = time.perf_counter()
        querier.fit(X[lab], y[lab])
        autoal_fit = time.perf_counter() - start
        start = time.perf_counter()
        querier.query(X[pool])
        autoal_query = time.perf_counter() - start

        held_out = pool[:500]
        proba = querier.predict_proba(X[held_out])
        loss = -np.log(np.clip(proba[np.arange(len(held_out)), y[held_out]], 1e-12, 1))
        vote = UniformVoteQuerier(
            task_model(), n_queries=args.n_queries, random_state=seed
        ).fit(X[lab], y[lab])
        out_of_sample.append(
            (
                loss[querier.query(X[held_out])].mean(),
                loss[vote.query(X[held_out])].mean(),
            )
        )

        history = querier.search_history_
        rows.append(
            (history["autoal_selected_loss"][-1], history["vote_selected_loss"][-1])
        )
        weights.append(querier.strategy_weights_)
        timings.append(
            {
                **querier.fit_timings_,
                "autoal_fit": autoal_fit,
                "autoal_query": autoal_query,
                "entropy_fit": entropy_fit,
                "entropy_query": entropy_query,
            }
        )
        print(
            f"seed {seed}: selected loss on V: AutoAL {rows[-1][0]:.3f}, "
            f"vote {rows[-1][1]:.3f}; round {autoal_fit + autoal_query:.2f} s "
            f"vs entropy {entropy_fit + entropy_query:.2f} s",
            flush=True,
        )

    rows = np.array(rows)
    wins = int((rows[:, 0] > rows[:, 1]).sum())
    print("\n(a) Search diagnostics on V (mean FitNet loss of the selected samples)")
    print("| seed | AutoAL | equal-weight vote |")
    print("|---|---|---|")
    for seed, (a, v) in enumerate(rows):
        print(f"| {seed} | {a:.3f} | {v:.3f} |")
    print(
        f"| mean | {rows[:, 0].mean():.3f} | {rows[:, 1].mean():.3f} |\n"
        f"AutoAL above the vote in {wins}/{len(rows)} seeds."
    )
    out_of_sample = np.array(out_of_sample)
    print("\n(c) Out of sample: the task model's loss on the queried held-out samples")
    print("| seed | AutoAL | equal-weight vote |")
    print("|---|---|---|")
    for seed, (a, v) in enumerate(out_of_sample):
        print(f"| {seed} | {a:.3f} | {v:.3f} |")
    wins = int((out_of_sample[:, 0] > out_of_sample[:, 1]).sum())
    means = out_of_sample.mean(0)
    print(
        f"| mean | {means[0]:.3f} | {means[1]:.3f} |\n"
        f"AutoAL above the vote in {wins}/{len(out_of_sample)} seeds."
    )
    names = list(weights[0])
    print("\nLearned strategy weights (mean ± std over seeds)")
    print("| strategy | weight |")
    print("|---|---|")
    for name in names:
        values = np.array([w[name] for w in weights])
        print(f"| {name} | {values.mean():.3f} ± {values.std():.3f} |")

    mean = {key: np.mean([t[key] for t in timings]) for key in timings[0]}
    autoal = mean["autoal_fit"] + mean["autoal_query"]
    entropy = mean["entropy_fit"] + mean["entropy_query"]
    print("\n(b) Cost of one round, seconds (mean over seeds)")
    print("| part | seconds |")
    print("|---|---|")
    for key in ("task_model", "simulation_model", "candidates", "search"):
        print(f"| fit: {key} | {mean[key]:.3f} |")
    print(f"| AutoAL fit (total) | {mean['autoal_fit']:.3f} |")
    print(f"| AutoAL query | {mean['autoal_query']:.3f} |")
    print(f"| Entropy fit (task model) | {mean['entropy_fit']:.3f} |")
    print(f"| Entropy query | {mean['entropy_query']:.3f} |")
    print(f"\nAutoAL round / entropy round = {autoal / entropy:.2f}x")


if __name__ == "__main__":
    main()
